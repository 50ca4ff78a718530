//! Search across wards and years: what is indexed of a plan, who finds what, and how the
//! index follows the database.
//!
//! - **What**: every item of a plan twice — as its latest published version (everyone)
//!   and as its working copy (staff who may read the unit's drafts) — with its title,
//!   subtitle, sections, targets, actuals, reviews, evaluations, remedies and 主な実績;
//!   every council opinion with its answer (the published answer for everyone, the
//!   current one for staff); every 業務一覧 row of a ward (public once the ward has a
//!   published plan).
//! - **Current on every write**: every write of plan data records a change-log row in its
//!   transaction; [`Search::sync`] reads the rows after the index's watermark and indexes
//!   again what they touched (a plan, a ward's directory), and every search syncs first,
//!   so a search never misses a write committed before it. Rows that commit out of order
//!   (PostgreSQL sequences) are caught by remembering the ids seen above the watermark; a
//!   missing id older than [`GAP_SECONDS`] is a rolled-back transaction and is passed.
//! - **Rebuilt** by [`Search::rebuild`] (`kusei search-index --rebuild`): the index is a
//!   cache of the database.

use crate::{AppError, Clock};
use kusei_domain::model::{PlanId, UnitId, UnitKind};
use kusei_domain::policy::{allow, Action, Grants, Tree};
use kusei_search::index::DocKind;
use kusei_search::{Audience, Facets, Filters, Progress, SearchDoc, SearchIndex, UserQuery};
use kusei_store::{directory_of, Store, StoreError, StoredNode, StoredPlan};
use std::collections::BTreeSet;
use std::sync::Arc;

pub use kusei_search::snippet::Snippet;
pub use kusei_search::Visibility;

/// Results per page.
pub const PAGE_SIZE: usize = 20;
/// A change-log id missing for this long while later ones are there was rolled back.
pub const GAP_SECONDS: i64 = 60;
const BATCH: i64 = 5000;
/// Characters of a snippet.
const SNIPPET_CHARS: usize = 110;

fn index_error(e: kusei_search::IndexError) -> AppError {
    AppError::Store(StoreError::Database(e.to_string()))
}

/// The index and the lock that lets one task at a time bring it up to date.
#[derive(Debug, Clone)]
pub struct Search {
    index: Arc<SearchIndex>,
    sync_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Search {
    /// An index in memory (tests, and a server without a directory for it): built from the
    /// database on first use.
    pub fn in_memory() -> Result<Search, AppError> {
        Self::with(SearchIndex::open(None).map_err(index_error)?)
    }

    /// The index in a directory (kept between runs; one server instance per directory).
    pub fn open(dir: &std::path::Path) -> Result<Search, AppError> {
        Self::with(SearchIndex::open(Some(dir)).map_err(index_error)?)
    }

    fn with(index: SearchIndex) -> Result<Search, AppError> {
        Ok(Search {
            index: Arc::new(index),
            sync_lock: Arc::default(),
        })
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&SearchIndex) -> Result<T, kusei_search::IndexError> + Send + 'static,
    ) -> Result<T, AppError> {
        let index = Arc::clone(&self.index);
        tokio::task::spawn_blocking(move || f(&index))
            .await
            .map_err(|e| AppError::Store(StoreError::Database(format!("search index task: {e}"))))?
            .map_err(index_error)
    }

    /// Indexes everything again from the database. Returns the number of documents.
    pub async fn rebuild(&self, store: &Store, clock: Clock) -> Result<u64, AppError> {
        let _guard = self.sync_lock.lock().await;
        self.rebuild_locked(store, clock).await
    }

    async fn rebuild_locked(&self, store: &Store, clock: Clock) -> Result<u64, AppError> {
        // Changes from shortly before the start are read again by the next sync (they may
        // have committed while the rebuild read the plans).
        let since = kusei_store::format_unix(clock.unix() - GAP_SECONDS);
        let watermark = store.last_change_before(&since).await?;
        self.blocking(|i| i.clear()).await?;
        for plan in store.all_plan_ids().await? {
            if let Some((_, docs)) = plan_docs(store, plan).await? {
                self.put(group_of_plan(plan), docs).await?;
            }
        }
        for unit in store.plan_units().await? {
            let docs = directory_docs(store, unit).await?;
            self.put(group_of_directory(unit), docs).await?;
        }
        let progress = Progress {
            schema: kusei_search::index::SCHEMA_VERSION,
            watermark,
            seen: Vec::new(),
        };
        self.blocking(move |i| i.commit(&progress)).await?;
        Ok(self.index.len())
    }

    async fn put(&self, group: String, docs: Vec<SearchDoc>) -> Result<(), AppError> {
        self.blocking(move |i| i.replace(&group, &docs)).await
    }

    /// Brings the index up to date with the change log. Returns how many groups (plans,
    /// directories) were indexed again.
    pub async fn sync(&self, store: &Store, clock: Clock) -> Result<usize, AppError> {
        let _guard = self.sync_lock.lock().await;
        let Some(mut progress) = self.index.progress().map_err(index_error)? else {
            self.rebuild_locked(store, clock).await?;
            return Ok(0);
        };
        let mut groups = 0;
        loop {
            let rows = store.changes_after(progress.watermark, BATCH).await?;
            let seen: BTreeSet<i64> = progress.seen.iter().copied().collect();
            let fresh: Vec<&kusei_store::ChangeRef> =
                rows.iter().filter(|r| !seen.contains(&r.id)).collect();
            let mut plans = BTreeSet::new();
            let mut units = BTreeSet::new();
            let mut gone_nodes = BTreeSet::new();
            for r in &fresh {
                match r.entity.as_str() {
                    "plan" => {
                        plans.insert(PlanId(r.entity_id));
                    }
                    "node" => match store.plan_of_node(r.entity_id).await? {
                        Some(p) => {
                            plans.insert(p);
                        }
                        None => {
                            gone_nodes.insert(r.entity_id);
                        }
                    },
                    "opinion" => {
                        if let Some(p) = store.plan_of_opinion(r.entity_id).await? {
                            plans.insert(p);
                        }
                    }
                    "unit" => {
                        units.insert(UnitId(r.entity_id));
                    }
                    _ => {}
                }
            }
            // A unit's change: the directories it is listed in, and its plans (their
            // results show its name).
            let mut directories = BTreeSet::new();
            for u in &units {
                // The directories are those of the units plans are written for (wards).
                for a in ancestors(store, *u).await? {
                    if !store.plan_ids_of_unit(a).await?.is_empty() {
                        directories.insert(a);
                    }
                }
                for p in store.plan_ids_of_unit(*u).await? {
                    plans.insert(p);
                }
            }
            for p in &plans {
                let docs = match plan_docs(store, *p).await? {
                    Some((unit, docs)) => {
                        // A publication changes what the ward's directory shows to everyone.
                        directories.insert(unit);
                        docs
                    }
                    None => Vec::new(),
                };
                self.put(group_of_plan(*p), docs).await?;
                groups += 1;
            }
            for u in &directories {
                let docs = directory_docs(store, *u).await?;
                self.put(group_of_directory(*u), docs).await?;
                groups += 1;
            }
            for n in gone_nodes {
                self.blocking(move |i| i.remove_key(&working_key(n)))
                    .await?;
            }
            let advanced = advance(&progress, &rows, clock);
            let done = rows.len() < usize::try_from(BATCH).unwrap_or(usize::MAX);
            let changed = advanced != progress || !fresh.is_empty();
            progress = advanced;
            if changed {
                let p = progress.clone();
                self.blocking(move |i| i.commit(&p)).await?;
            }
            if done || !changed {
                break;
            }
        }
        Ok(groups)
    }

    /// Whether the change log has rows the index has not read (one indexed read).
    async fn behind(&self, store: &Store) -> Result<bool, AppError> {
        let Some(p) = self.index.progress().map_err(index_error)? else {
            return Ok(true);
        };
        let last = store.last_change_id().await?;
        Ok(last > p.watermark && p.seen.iter().max().is_none_or(|m| *m < last))
    }

    /// Searches after bringing the index up to date.
    pub async fn search(
        &self,
        store: &Store,
        clock: Clock,
        query: &UserQuery,
        filters: &Filters,
        visibility: &Visibility,
        page: usize,
    ) -> Result<Found, AppError> {
        if self.behind(store).await? {
            self.sync(store, clock).await?;
        }
        let page = page.max(1);
        let offset = (page - 1).saturating_mul(PAGE_SIZE);
        let (q, f, v) = (query.clone(), filters.clone(), visibility.clone());
        let results = self
            .blocking(move |i| i.search(&q, &f, &v, offset, PAGE_SIZE))
            .await?;
        Ok(found_of(results, query, page))
    }

    /// Waits for the index's background merges (after a rebuild from the command line).
    pub async fn settle(&self) -> Result<(), AppError> {
        self.blocking(|i| i.settle()).await
    }

    /// The index itself (benches and the rebuild command read it directly).
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }
}

/// A page of the index's results with their snippets.
pub fn found_of(results: kusei_search::Results, query: &UserQuery, page: usize) -> Found {
    let hits = results
        .hits
        .into_iter()
        .map(|h| {
            let text = if h.doc.body.trim().is_empty() {
                h.doc.title.clone()
            } else {
                h.doc.body.clone()
            };
            FoundHit {
                title_marks: kusei_search::snippet::snippet(&h.doc.title, query, 200),
                snippet: kusei_search::snippet::snippet(&text, query, SNIPPET_CHARS),
                doc: h.doc,
            }
        })
        .collect();
    Found {
        total: results.total,
        page,
        pages: results.total.div_ceil(PAGE_SIZE),
        hits,
        facets: results.facets,
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Found {
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub hits: Vec<FoundHit>,
    pub facets: Facets,
}

/// A result with its snippet and its title's marks.
#[derive(Debug, Clone)]
pub struct FoundHit {
    pub doc: SearchDoc,
    pub title_marks: Snippet,
    pub snippet: Snippet,
}

/// The watermark after reading `rows`: every id up to it was read or is a gap older than
/// [`GAP_SECONDS`]; the ids read above it are remembered.
fn advance(p: &Progress, rows: &[kusei_store::ChangeRef], clock: Clock) -> Progress {
    let mut seen: BTreeSet<i64> = p.seen.iter().copied().collect();
    seen.extend(rows.iter().map(|r| r.id));
    let old = kusei_store::format_unix(clock.unix() - GAP_SECONDS);
    let at_of = |id: i64| rows.iter().find(|r| r.id == id).map(|r| r.at.as_str());
    let mut watermark = p.watermark;
    loop {
        let next = watermark + 1;
        if seen.remove(&next) {
            watermark = next;
            continue;
        }
        // A gap: passed when something after it is older than the gap's allowance.
        match seen.iter().next().copied() {
            Some(after) if at_of(after).is_some_and(|at| at < old.as_str()) => {
                watermark = next;
            }
            _ => break,
        }
    }
    Progress {
        schema: p.schema,
        watermark,
        seen: seen.into_iter().collect(),
    }
}

async fn ancestors(store: &Store, unit: UnitId) -> Result<Vec<UnitId>, AppError> {
    let mut out = Vec::new();
    let mut at = Some(unit);
    while let Some(u) = at {
        if out.contains(&u) || out.len() > 16 {
            break;
        }
        out.push(u);
        at = match store.get_unit(u).await {
            Ok(unit) => unit.parent_id,
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
    }
    Ok(out)
}

/// The units whose working copies a person may read (their searches find those instead of
/// the published versions).
pub async fn visibility(store: &Store, grants: &Grants) -> Result<Visibility, AppError> {
    if grants.0.is_empty() {
        return Ok(Visibility::Public);
    }
    let mut units = Vec::new();
    for m in store.list_municipalities().await? {
        let all = store.list_units(m.id).await?;
        let tree = Tree::new(m.id, &all);
        units.extend(
            all.iter()
                .filter(|u| allow(grants, &tree, Action::ReadDraft { plan_unit: u.id }).is_ok())
                .map(|u| u.id.0),
        );
    }
    Ok(if units.is_empty() {
        Visibility::Public
    } else {
        Visibility::Staff { units }
    })
}

fn group_of_plan(p: PlanId) -> String {
    format!("plan:{}", p.0)
}

fn group_of_directory(u: UnitId) -> String {
    format!("directory:{}", u.0)
}

fn working_key(node: i64) -> String {
    format!("w:{node}")
}

pub use kusei_store::path_segment;

fn years_of(sp: &StoredPlan) -> Vec<i32> {
    (sp.plan.period.start.year()..=sp.plan.period.end.year()).collect()
}

/// The text of an item that is searched (everything a reader sees of it but the title).
pub fn item_text(sn: &StoredNode) -> String {
    let n = &sn.node;
    let mut parts: Vec<&str> = Vec::new();
    let head = match &n.number {
        Some(num) => format!("{} {num}", n.level),
        None => n.level.clone(),
    };
    parts.push(&head);
    if let Some(s) = &n.subtitle {
        parts.push(s);
    }
    for s in &n.sections {
        parts.push(&s.heading);
        parts.push(&s.body);
    }
    for t in &sn.targets {
        parts.push(&t.text);
    }
    for a in &sn.actuals {
        parts.push(&a.text);
    }
    for r in &sn.reviews {
        if let Some(x) = &r.remedy {
            parts.push(x);
        }
    }
    for e in &sn.evaluations {
        parts.push(&e.results);
        if let Some(x) = &e.explanation {
            parts.push(x);
        }
        if let Some(x) = &e.remedy {
            parts.push(x);
        }
    }
    for m in &sn.milestones {
        parts.push(&m.text);
    }
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn item_doc(sp: &StoredPlan, sn: &StoredNode, municipality: i64, audience: Audience) -> SearchDoc {
    let judgment = sn
        .evaluations
        .iter()
        .max_by_key(|e| e.fiscal_year)
        .map(|e| e.stated.code().to_string());
    let (key, url) = match audience {
        Audience::Public => (format!("p:{}", sn.node.id.0), sp.item_path(sn)),
        Audience::Working => (
            working_key(sn.node.id.0),
            format!("/nodes/{}", sn.node.id.0),
        ),
    };
    SearchDoc {
        group: group_of_plan(sp.plan.id),
        key,
        kind: DocKind::Item,
        audience,
        plan_id: Some(sp.plan.id.0),
        node_id: Some(sn.node.id.0),
        municipality_id: municipality,
        unit_id: sp.plan.unit_id.0,
        owner_id: sn.node.owner_unit_id.map(|u| u.0),
        years: years_of(sp),
        family: Some(sp.plan.family.code().to_string()),
        level: Some(sn.node.level.clone()),
        judgment,
        number: sn.node.number.clone(),
        title: sn.node.title.clone(),
        body: item_text(sn),
        url,
        context: format!("{} · {}", sp.unit_name, sp.plan.title),
        shadowed: false,
    }
}

fn opinion_doc(
    sp: &StoredPlan,
    o: &kusei_store::Opinion,
    municipality: i64,
    audience: Audience,
    published: Option<&StoredPlan>,
) -> SearchDoc {
    let item = o
        .node_id
        .and_then(|n| sp.nodes.iter().find(|x| x.node.id == n));
    let title = match item {
        Some(i) => i.node.title.clone(),
        None => sp.plan.title.clone(),
    };
    let mut body = o.body.clone();
    for extra in [&o.answer, &o.reason, &o.reflected_note]
        .into_iter()
        .flatten()
    {
        body.push('\n');
        body.push_str(extra);
    }
    let url = match (audience, o.node_id, published) {
        (Audience::Working, Some(n), _) => format!("/nodes/{}", n.0),
        (Audience::Public, Some(n), Some(pp)) => match pp.nodes.iter().find(|x| x.node.id == n) {
            Some(pn) => pp.item_path(pn),
            None => format!("/council/{}", sp.plan.unit_id.0),
        },
        _ => format!("/council/{}", sp.plan.unit_id.0),
    };
    SearchDoc {
        group: group_of_plan(sp.plan.id),
        key: match audience {
            Audience::Public => format!("o:{}", o.id),
            Audience::Working => format!("ow:{}", o.id),
        },
        kind: DocKind::Opinion,
        audience,
        plan_id: Some(sp.plan.id.0),
        node_id: o.node_id.map(|n| n.0),
        municipality_id: municipality,
        unit_id: sp.plan.unit_id.0,
        owner_id: item.and_then(|i| i.node.owner_unit_id).map(|u| u.0),
        years: vec![o.fiscal_year.year()],
        family: Some(sp.plan.family.code().to_string()),
        level: None,
        judgment: None,
        number: None,
        title,
        body,
        url,
        context: format!("{} · {}", sp.unit_name, sp.plan.title),
        shadowed: false,
    }
}

/// Every document of a plan (its items as published and as worked on, its opinions),
/// with the plan's unit; `None` when the plan is gone.
pub async fn plan_docs(
    store: &Store,
    plan: PlanId,
) -> Result<Option<(UnitId, Vec<SearchDoc>)>, AppError> {
    let working = match store.load_plan(plan).await {
        Ok(p) => p,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let municipality = store
        .get_unit(working.plan.unit_id)
        .await?
        .municipality_id
        .0;
    let published = store.published_plan(plan, None).await?;
    let opinions = store.opinions(plan).await?;
    let docs = docs_of(&working, published.as_ref(), &opinions, municipality);
    Ok(Some((working.plan.unit_id, docs)))
}

/// The documents of a plan read already (what [`plan_docs`] indexes; benches build
/// plans in memory and index them through here too).
pub fn docs_of(
    working: &StoredPlan,
    published: Option<&StoredPlan>,
    opinions: &[kusei_store::Opinion],
    municipality: i64,
) -> Vec<SearchDoc> {
    let mut work = Vec::with_capacity(working.nodes.len());
    for sn in &working.nodes {
        work.push(item_doc(working, sn, municipality, Audience::Working));
    }
    let mut public = Vec::new();
    if let Some(pp) = published {
        for sn in &pp.nodes {
            public.push(item_doc(pp, sn, municipality, Audience::Public));
        }
    }
    for o in opinions {
        work.push(opinion_doc(
            working,
            o,
            municipality,
            Audience::Working,
            None,
        ));
        if let (Some(view), Some(pp)) = (o.public_view(), published) {
            public.push(opinion_doc(
                pp,
                &view,
                municipality,
                Audience::Public,
                Some(pp),
            ));
        }
    }
    shadow(work, public)
}

/// A working document that says what its published one says is left out (staff find the
/// published one); a published document whose working copy differs or is gone is marked
/// `shadowed` (staff of its unit find the working copy instead).
fn shadow(work: Vec<SearchDoc>, mut public: Vec<SearchDoc>) -> Vec<SearchDoc> {
    let same = |w: &SearchDoc, p: &SearchDoc| {
        (
            &w.title,
            &w.body,
            w.owner_id,
            &w.judgment,
            &w.level,
            &w.number,
            &w.years,
        ) == (
            &p.title,
            &p.body,
            p.owner_id,
            &p.judgment,
            &p.level,
            &p.number,
            &p.years,
        )
    };
    let thing = |d: &SearchDoc| {
        (
            d.kind,
            d.node_id,
            d.key.split_once(':').map(|k| k.1.to_string()),
        )
    };
    let mut out = Vec::with_capacity(work.len() + public.len());
    let mut matched = vec![false; public.len()];
    for w in work {
        let twin = public
            .iter()
            .position(|p| thing(p) == thing(&w) && same(&w, p));
        match twin {
            Some(i) => matched[i] = true,
            None => out.push(w),
        }
    }
    for (p, m) in public.iter_mut().zip(&matched) {
        p.shadowed = !m;
    }
    out.extend(public);
    out
}

/// The 業務一覧 rows of a unit (a ward): public once the ward has a published plan.
pub async fn directory_docs(store: &Store, ward: UnitId) -> Result<Vec<SearchDoc>, AppError> {
    let unit = match store.get_unit(ward).await {
        Ok(u) => u,
        Err(StoreError::NotFound(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let units = store.list_units(unit.municipality_id).await?;
    let rows = directory_rows(&units, &unit);
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let audience = if store.unit_has_published(ward).await? {
        Audience::Public
    } else {
        Audience::Working
    };
    Ok(rows
        .iter()
        .map(|r| {
            let id = directory_unit(&units, &unit, r).unwrap_or(ward.0);
            let title = match &r.section {
                Some(s) => format!("{} {s}", r.division),
                None => r.division.clone(),
            };
            let mut body = r.duties.clone().unwrap_or_default();
            if let Some(p) = &r.phone {
                body.push('\n');
                body.push_str(p);
            }
            SearchDoc {
                group: group_of_directory(ward),
                key: format!("d:{id}"),
                kind: DocKind::Duty,
                audience,
                plan_id: None,
                node_id: None,
                municipality_id: unit.municipality_id.0,
                unit_id: ward.0,
                owner_id: Some(id),
                years: Vec::new(),
                family: None,
                level: None,
                judgment: None,
                number: None,
                title,
                body,
                url: format!("/units/{}/directory#unit-{id}", ward.0),
                context: unit.name.clone(),
                shadowed: false,
            }
        })
        .collect())
}

/// A ward's 業務一覧 as its page and its search show it: the ward's own row first when
/// it has duties or a telephone, then its divisions and sections.
pub fn directory_rows(
    units: &[kusei_domain::model::Unit],
    ward: &kusei_domain::model::Unit,
) -> Vec<kusei_domain::content::DirectoryEntry> {
    let mut rows = Vec::new();
    if ward.duties.is_some() || ward.phone.is_some() {
        rows.push(kusei_domain::content::DirectoryEntry {
            division: ward.name.clone(),
            section: None,
            phone: ward.phone.clone(),
            fax: ward.fax.clone(),
            duties: ward.duties.clone(),
        });
    }
    rows.extend(directory_of(units, ward.id));
    rows
}

/// The unit a row of [`directory_rows`] is about (its anchor on the directory page).
pub fn directory_unit(
    units: &[kusei_domain::model::Unit],
    ward: &kusei_domain::model::Unit,
    row: &kusei_domain::content::DirectoryEntry,
) -> Option<i64> {
    if row.division == ward.name && row.section.is_none() {
        return Some(ward.id.0);
    }
    let div = units.iter().find(|u| {
        u.parent_id == Some(ward.id) && u.kind == UnitKind::Division && u.name == row.division
    })?;
    match &row.section {
        None => Some(div.id.0),
        Some(s) => units
            .iter()
            .find(|u| u.parent_id == Some(div.id) && &u.name == s)
            .map(|u| u.id.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, at: &str) -> kusei_store::ChangeRef {
        kusei_store::ChangeRef {
            id,
            at: at.into(),
            entity: "plan".into(),
            entity_id: 1,
        }
    }

    #[test]
    fn the_watermark_waits_for_an_id_committed_late_and_passes_an_old_gap() {
        let clock = Clock::Fixed(1_800_000_000);
        let now = kusei_store::format_unix(1_800_000_000);
        let old = kusei_store::format_unix(1_800_000_000 - 2 * GAP_SECONDS);
        let p = Progress::default();
        // 1 and 3 are there, 2 is not (yet): the watermark stays at 1, 3 is remembered.
        let p = advance(&p, &[row(1, &now), row(3, &now)], clock);
        assert_eq!((p.watermark, p.seen.clone()), (1, vec![3]));
        // 2 commits late: both are passed.
        let p2 = advance(&p, &[row(2, &now), row(3, &now)], clock);
        assert_eq!((p2.watermark, p2.seen.clone()), (3, vec![]));
        // 2 never comes and 3 is old: 2 was rolled back.
        let p3 = advance(&p, &[row(3, &old)], clock);
        assert_eq!((p3.watermark, p3.seen), (3, vec![]));
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("4-3-1"), "4-3-1");
        assert_eq!(path_segment("①"), "%E2%91%A0");
        assert_eq!(path_segment("a/b"), "a%2Fb");
    }
}
