//! Indicators of imported plans: each target that names what it measures is linked to the
//! municipality's indicator of that name (created on import when there is none), and each
//! actual to the indicator of the target it answers, so a figure can be followed across
//! years and compared across wards.
//!
//! Names are compared normalised (NFKC, no spaces); units by what they measure (千円 and
//! 円 are both yen). A name whose unit differs from the indicator's is left unlinked
//! rather than mixed into its series.

use crate::guard::{tree_of_municipality, Caller};
use crate::AppError;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{IndicatorRecord, NodeContent, PlanContent};
use kusei_domain::model::{Direction, Indicator, IndicatorId, MunicipalityId, Target};
use kusei_domain::policy::{allow, Action};
use kusei_domain::workflow::Refusal;
use kusei_kpi as kpi;
use kusei_store::{NewIndicator, Store, StoreError};
use std::collections::HashMap;

/// An indicator an import needs that the municipality does not have yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub name: String,
    /// The unit as the first target wrote it.
    pub unit: String,
    pub direction: Direction,
}

/// The name used to match indicators.
pub fn key(name: &str) -> String {
    kusei_import::normalize(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// What a unit measures (千円 → 円), for comparing units.
fn measure(unit: &str) -> String {
    kpi::Unit::parse(unit.trim())
        .map_or_else(|| unit.trim().to_string(), |(u, _)| u.symbol().to_string())
}

/// The indicator a target names, its unit and direction, read from the target.
fn named(t: &Target, year: FiscalYear) -> Option<Wanted> {
    let unit = t.measure_unit.clone().filter(|u| !u.trim().is_empty())?;
    t.value?;
    let read = kpi::read_targets(&kpi::target_sentence(t), Some(year));
    let first = read.first();
    let name = t
        .indicator_name
        .clone()
        .or_else(|| first.and_then(|k| k.indicator.clone()))
        .map(|n| n.trim().to_string())
        .filter(|n| n.chars().count() >= 2)?;
    let direction = match first.and_then(|k| k.direction) {
        Some(Direction::LowerIsBetter) => Direction::LowerIsBetter,
        _ => Direction::HigherIsBetter,
    };
    Some(Wanted {
        name,
        unit,
        direction,
    })
}

/// Links the targets to what `known` already has; returns the indicators still wanted
/// (once each).
pub fn link(content: &mut PlanContent, known: &[Indicator]) -> Vec<Wanted> {
    let by_key: HashMap<String, &Indicator> = known.iter().map(|i| (key(&i.name), i)).collect();
    let year = content.period.end;
    let mut wanted: Vec<Wanted> = Vec::new();
    for node in &mut content.nodes {
        for t in node.targets.iter_mut().filter(|t| t.indicator_id.is_none()) {
            let Some(w) = named(t, year) else { continue };
            match by_key.get(&key(&w.name)) {
                Some(i) if measure(&i.unit) == measure(&w.unit) => t.indicator_id = Some(i.id),
                Some(_) => {}
                None => {
                    if !wanted.iter().any(|x| key(&x.name) == key(&w.name)) {
                        wanted.push(w);
                    }
                }
            }
        }
    }
    wanted
}

/// The indicators a municipality's figures link to: its own, and under each name merged
/// into one of them, that one.
pub async fn known(store: &Store, m: MunicipalityId) -> Result<Vec<Indicator>, AppError> {
    let mut known = store.list_indicators(m).await?;
    let by_id: HashMap<IndicatorId, Indicator> = known.iter().map(|i| (i.id, i.clone())).collect();
    for (name, id) in store.indicator_aliases(m).await? {
        if let Some(i) = by_id.get(&id) {
            known.push(Indicator { name, ..i.clone() });
        }
    }
    Ok(known)
}

/// Links the targets and actuals of `content` to the municipality's indicators, creating
/// those it names that the municipality does not have yet. Called after the write guard,
/// by every path that stores figures (import, workbook, the item forms).
pub async fn link_in_store(
    store: &Store,
    caller: &Caller,
    m: MunicipalityId,
    content: &mut PlanContent,
) -> Result<(), AppError> {
    let wanted = link(content, &known(store, m).await?);
    if !wanted.is_empty() {
        for w in &wanted {
            store
                .ensure_indicator(
                    &caller.name,
                    &NewIndicator {
                        municipality_id: m,
                        name: &w.name,
                        unit: &w.unit,
                        direction: w.direction,
                        definition: None,
                        source: None,
                        is_common: false,
                    },
                )
                .await?;
        }
        link(content, &known(store, m).await?);
    }
    link_actuals(content);
    Ok(())
}

/// The indicator ids of an imported record made this municipality's. An id the record's
/// 指標 sheet describes becomes the indicator of that name here (found, or created with
/// what the sheet says of it); another id is kept only when it is one of this
/// municipality's indicators (the workbook came from this database). The rest lose their
/// link and are linked again by the indicator their sentence names: a workbook imports
/// into any database and never reaches another city's series. After the write guard.
pub async fn resolve_ids(
    store: &Store,
    caller: &Caller,
    m: MunicipalityId,
    described: &[IndicatorRecord],
    content: &mut PlanContent,
) -> Result<(), AppError> {
    let mut known = known(store, m).await?;
    let own: std::collections::HashSet<IndicatorId> = known.iter().map(|i| i.id).collect();
    let mut map: HashMap<i64, IndicatorId> = HashMap::new();
    for d in described {
        let found = known
            .iter()
            .find(|i| key(&i.name) == key(&d.name))
            .map(|i| (i.id, measure(&i.unit) == measure(&d.unit)));
        match found {
            Some((id, true)) => {
                map.insert(d.id, id);
            }
            // The same name measuring something else here: not this indicator.
            Some((_, false)) => {}
            None => {
                let id = store
                    .ensure_indicator(
                        &caller.name,
                        &NewIndicator {
                            municipality_id: m,
                            name: d.name.trim(),
                            unit: d.unit.trim(),
                            direction: d.direction,
                            definition: nonblank(&d.definition),
                            source: nonblank(&d.source),
                            is_common: d.is_common,
                        },
                    )
                    .await?;
                map.insert(d.id, id);
                known = self::known(store, m).await?;
            }
        }
    }
    let resolve = |id: &mut Option<IndicatorId>| {
        if let Some(i) = *id {
            *id = map
                .get(&i.0)
                .copied()
                .or_else(|| (described.is_empty() && own.contains(&i)).then_some(i));
        }
    };
    for n in &mut content.nodes {
        for t in &mut n.targets {
            resolve(&mut t.indicator_id);
        }
        for a in &mut n.actuals {
            resolve(&mut a.indicator_id);
        }
    }
    Ok(())
}

/// Links the figures a person entered on an item's forms (`targets`, `actuals`: every
/// row as it will be stored) to the municipality's indicators, creating those the new
/// targets name. A row as it is stored (`stored_*`) keeps its link, or its lack of one:
/// saving a form unchanged changes nothing. Called after the write guard.
#[allow(clippy::too_many_arguments)]
pub async fn link_entered(
    store: &Store,
    caller: &Caller,
    m: MunicipalityId,
    year: FiscalYear,
    targets: &mut [Target],
    actuals: &mut [kusei_domain::model::Actual],
    stored_targets: &[Target],
    stored_actuals: &[kusei_domain::model::Actual],
) -> Result<(), AppError> {
    let new_t: Vec<usize> = (0..targets.len())
        .filter(|&i| targets[i].indicator_id.is_none() && !stored_targets.contains(&targets[i]))
        .collect();
    let new_a: Vec<usize> = (0..actuals.len())
        .filter(|&i| actuals[i].indicator_id.is_none() && !stored_actuals.contains(&actuals[i]))
        .collect();
    if new_t.is_empty() && new_a.is_empty() {
        return Ok(());
    }
    // The new rows, beside the linked ones (an entered actual may answer a stored target).
    let linked: Vec<Target> = targets
        .iter()
        .filter(|t| t.indicator_id.is_some())
        .cloned()
        .collect();
    let mut content = PlanContent {
        family: kusei_domain::model::Family::ReformItems,
        period: kusei_domain::model::Period::year(year),
        title: String::new(),
        level_names: Vec::new(),
        nodes: vec![NodeContent {
            targets: new_t
                .iter()
                .map(|&i| targets[i].clone())
                .chain(linked)
                .collect(),
            actuals: new_a.iter().map(|&i| actuals[i].clone()).collect(),
            ..NodeContent::default()
        }],
        links: Vec::new(),
        is_sample: false,
    };
    link_in_store(store, caller, m, &mut content).await?;
    let node = &content.nodes[0];
    for (k, &i) in new_t.iter().enumerate() {
        targets[i].indicator_id = node.targets[k].indicator_id;
    }
    for (k, &i) in new_a.iter().enumerate() {
        actuals[i].indicator_id = node.actuals[k].indicator_id;
    }
    Ok(())
}

/// What a person may change about an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorEdit {
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    pub definition: Option<String>,
    pub source: Option<String>,
    pub is_common: bool,
}

/// Why a change of indicators was refused, at a field of the form, in either language.
#[derive(Debug, Clone, PartialEq)]
pub enum IndicatorRule {
    /// The name cannot be used (empty, control characters …).
    Name {
        ja: &'static str,
        en: &'static str,
    },
    /// Another indicator of the municipality has this name.
    NameTaken,
    UnitMissing,
    /// Figures are linked: the unit cannot change to another measure (件 → %).
    UnitInUse {
        from: String,
        to: String,
    },
    /// Merging indicators of different measures.
    DifferentUnits {
        from: String,
        into: String,
    },
    SameIndicator,
}

impl IndicatorRule {
    /// The form field the rule is about.
    pub fn field(&self) -> &'static str {
        match self {
            IndicatorRule::Name { .. } | IndicatorRule::NameTaken => "name",
            IndicatorRule::UnitMissing | IndicatorRule::UnitInUse { .. } => "unit",
            IndicatorRule::DifferentUnits { .. } | IndicatorRule::SameIndicator => "into",
        }
    }
    pub fn ja(&self) -> String {
        match self {
            IndicatorRule::Name { ja, .. } => (*ja).to_string(),
            IndicatorRule::NameTaken => "同じ名称の指標がすでにあります（統合する場合は「統合」を使ってください）。".into(),
            IndicatorRule::UnitMissing => "単位を入力してください（例: %、件、千円）。".into(),
            IndicatorRule::UnitInUse { from, to } => format!(
                "目標・実績が結び付いているため、単位を「{from}」から別の量の「{to}」に変えられません。"
            ),
            IndicatorRule::DifferentUnits { from, into } => {
                format!("単位の異なる指標（{from}と{into}）は統合できません。")
            }
            IndicatorRule::SameIndicator => "統合先に別の指標を選んでください。".into(),
        }
    }
    pub fn en(&self) -> String {
        match self {
            IndicatorRule::Name { en, .. } => (*en).to_string(),
            IndicatorRule::NameTaken => {
                "Another indicator has this name (to make them one, use Merge).".into()
            }
            IndicatorRule::UnitMissing => "Enter the unit (e.g. %, 件, 千円).".into(),
            IndicatorRule::UnitInUse { from, to } => format!(
                "Figures are linked to this indicator: its unit cannot change from {from} to {to}, another measure."
            ),
            IndicatorRule::DifferentUnits { from, into } => {
                format!("Indicators of different units ({from} and {into}) cannot be merged.")
            }
            IndicatorRule::SameIndicator => "Choose another indicator to merge into.".into(),
        }
    }
}

/// A refused or failed change of indicators.
#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error("{}", .0.en())]
    Rule(IndicatorRule),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for IndicatorError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(_) => IndicatorError::Rule(IndicatorRule::NameTaken),
            other => IndicatorError::App(other.into()),
        }
    }
}

/// The indicator `id` of the municipality the caller administers (the city: its
/// administrators); not found when there is none, refused for another municipality's.
/// What every read and change of one indicator asks first.
pub async fn administered(
    store: &Store,
    caller: &Caller,
    id: IndicatorId,
) -> Result<Indicator, AppError> {
    let ind = store
        .get_indicator(id)
        .await?
        .filter(|i| i.id == id)
        .ok_or_else(|| StoreError::NotFound(format!("indicator {id}")))?;
    let tree = tree_of_municipality(store, ind.municipality_id).await?;
    allow(&caller.grants, &tree, Action::Administer).map_err(Refusal::Role)?;
    Ok(ind)
}

/// Changes an indicator's name, unit, direction, definition, source or 共通 mark (city
/// administrators). A unit that measures something else (件 → %) is refused when figures
/// are linked: they would change meaning.
pub async fn edit_indicator(
    store: &Store,
    caller: &Caller,
    id: IndicatorId,
    edit: &IndicatorEdit,
) -> Result<(), IndicatorError> {
    let ind = administered(store, caller, id).await?;
    let name = edit.name.trim();
    if let Some((ja, en)) = kusei_domain::content::name_problem(name) {
        return Err(IndicatorError::Rule(IndicatorRule::Name { ja, en }));
    }
    let unit = edit.unit.trim();
    if unit.is_empty() {
        return Err(IndicatorError::Rule(IndicatorRule::UnitMissing));
    }
    if measure(unit) != measure(&ind.unit) {
        let used = store
            .indicator_usage(ind.municipality_id)
            .await?
            .into_iter()
            .any(|(i, t, a)| i == id && t + a > 0);
        if used {
            return Err(IndicatorError::Rule(IndicatorRule::UnitInUse {
                from: ind.unit,
                to: unit.to_string(),
            }));
        }
    }
    store
        .update_indicator(
            &caller.name,
            id,
            &NewIndicator {
                municipality_id: ind.municipality_id,
                name,
                unit,
                direction: edit.direction,
                definition: nonblank(&edit.definition),
                source: nonblank(&edit.source),
                is_common: edit.is_common,
            },
        )
        .await?;
    Ok(())
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Merges indicator `from` into `into` (the same figure under two names): every target
/// and actual of `from` joins `into`'s series, and `from`'s name stays a name of `into`.
/// Both must be of one municipality the caller administers and measure the same thing.
pub async fn merge_indicators(
    store: &Store,
    caller: &Caller,
    from: IndicatorId,
    into: IndicatorId,
) -> Result<(), IndicatorError> {
    if from == into {
        return Err(IndicatorError::Rule(IndicatorRule::SameIndicator));
    }
    let a = administered(store, caller, from).await?;
    let b = administered(store, caller, into).await?;
    if a.municipality_id != b.municipality_id {
        return Err(AppError::from(StoreError::NotFound(format!("indicator {into}"))).into());
    }
    if measure(&a.unit) != measure(&b.unit) {
        return Err(IndicatorError::Rule(IndicatorRule::DifferentUnits {
            from: a.unit,
            into: b.unit,
        }));
    }
    store.merge_indicators(&caller.name, from, into).await?;
    Ok(())
}

/// Links every actual to the indicator of the target it answers; run once all targets
/// that can be linked are (an actual linked early could take the wrong one).
pub fn link_actuals(content: &mut PlanContent) {
    let year = content.period.end;
    for node in &mut content.nodes {
        link_node_actuals(node, year);
    }
}

/// The same content without indicator links (derived data, not what a person wrote): what
/// a revision is compared on.
pub fn unlinked(content: &PlanContent) -> PlanContent {
    let mut c = content.clone();
    for n in &mut c.nodes {
        for t in &mut n.targets {
            t.indicator_id = None;
        }
        for a in &mut n.actuals {
            a.indicator_id = None;
        }
    }
    c
}

/// Each actual of a node answers the node's target whose indicator it names (the most
/// similar name of the same measure), and takes that target's indicator.
fn link_node_actuals(node: &mut NodeContent, year: FiscalYear) {
    let targets: Vec<(String, String, IndicatorId)> = node
        .targets
        .iter()
        .filter_map(|t| {
            let id = t.indicator_id?;
            let w = named(t, year)?;
            Some((w.name, measure(&w.unit), id))
        })
        .collect();
    if targets.is_empty() {
        return;
    }
    for a in node.actuals.iter_mut().filter(|a| a.indicator_id.is_none()) {
        let Some(unit) = a.measure_unit.as_deref() else {
            continue;
        };
        let same_measure: Vec<&(String, String, IndicatorId)> = targets
            .iter()
            .filter(|(_, m, _)| *m == measure(unit))
            .collect();
        let mut ids: Vec<IndicatorId> = same_measure.iter().map(|t| t.2).collect();
        ids.sort_by_key(|i| i.0);
        ids.dedup();
        // The only indicator of its measure among the item's targets: the figure answers it
        // ("収入額 15,914千円" under the target 「独自収入 15,500千円以上」).
        if let [only] = ids.as_slice() {
            a.indicator_id = Some(*only);
            continue;
        }
        let read = kpi::read_actuals(&a.text, a.fiscal_year.or(Some(year)));
        let Some(name) = read.iter().find_map(|r| r.indicator.clone()) else {
            continue;
        };
        let best = same_measure
            .iter()
            .map(|(n, _, id)| (kpi::indicator_similarity(&name, n), *id))
            .max_by(|x, y| x.0.total_cmp(&y.0));
        if let Some((score, id)) = best {
            if score >= 0.6 {
                a.indicator_id = Some(id);
            }
        }
    }
}

/// Records the survey question of an indicator (city administrators).
pub async fn set_question(
    store: &Store,
    caller: &Caller,
    id: IndicatorId,
    question: Option<&str>,
) -> Result<(), AppError> {
    administered(store, caller, id).await?;
    let q = question.map(str::trim).filter(|q| !q.is_empty());
    store.set_indicator_question(&caller.name, id, q).await?;
    Ok(())
}

/// Creates an indicator of municipality `m` (the city's 共通指標 when `is_common`): its
/// administrators, the same rules as an edit. Refused when the name is taken.
pub async fn create_indicator(
    store: &Store,
    caller: &Caller,
    m: MunicipalityId,
    edit: &IndicatorEdit,
) -> Result<IndicatorId, IndicatorError> {
    let tree = tree_of_municipality(store, m).await?;
    allow(&caller.grants, &tree, Action::Administer)
        .map_err(|d| AppError::from(Refusal::Role(d)))?;
    let name = edit.name.trim();
    if let Some((ja, en)) = kusei_domain::content::name_problem(name) {
        return Err(IndicatorError::Rule(IndicatorRule::Name { ja, en }));
    }
    let unit = edit.unit.trim();
    if unit.is_empty() {
        return Err(IndicatorError::Rule(IndicatorRule::UnitMissing));
    }
    if known(store, m)
        .await?
        .iter()
        .any(|i| key(&i.name) == key(name))
    {
        return Err(IndicatorError::Rule(IndicatorRule::NameTaken));
    }
    Ok(store
        .ensure_indicator(
            &caller.name,
            &NewIndicator {
                municipality_id: m,
                name,
                unit,
                direction: edit.direction,
                definition: nonblank(&edit.definition),
                source: nonblank(&edit.source),
                is_common: edit.is_common,
            },
        )
        .await?)
}

/// How alike two indicator names are (0–1): the Dice coefficient of the character
/// bigrams of their normalised forms, so 「区政会議の委員の割合」 and 「区政会議委員の割合」
/// are close whatever the spacing, width or punctuation.
pub fn likeness(a: &str, b: &str) -> f64 {
    let bigrams = |s: &str| -> Vec<(char, char)> {
        let chars: Vec<char> = key(s)
            .chars()
            .filter(|c| !"（）()「」・、。,.".contains(*c))
            .collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let mut rest = y.clone();
    let mut shared = 0usize;
    for g in &x {
        if let Some(i) = rest.iter().position(|h| h == g) {
            rest.swap_remove(i);
            shared += 1;
        }
    }
    2.0 * shared as f64 / (x.len() + y.len()) as f64
}

/// The indicators that may be the same figure as `of` under another name (imported
/// history): of the same measure, with names alike, most alike first.
pub fn suggestions<'a>(of: &Indicator, all: &'a [Indicator]) -> Vec<(&'a Indicator, f64)> {
    let mut out: Vec<(&Indicator, f64)> = all
        .iter()
        .filter(|i| i.id != of.id && measure(&i.unit) == measure(&of.unit))
        .map(|i| (i, likeness(&of.name, &i.name)))
        .filter(|(_, s)| *s >= 0.5)
        .collect();
    out.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kusei_domain::model::{Actual, Comparator, MunicipalityId, Period};

    fn target(name: &str, value: f64, unit: &str) -> Target {
        Target {
            indicator_id: None,
            period: Some(Period::year(FiscalYear::new(2017).unwrap())),
            value: Some(value),
            measure_unit: Some(unit.into()),
            comparator: Some(Comparator::AtLeast),
            text: format!("{value}{unit}以上"),
            indicator_name: Some(name.into()),
            this_year: false,
        }
    }

    #[test]
    fn targets_link_to_indicators_by_name_and_actuals_to_their_target() {
        let fy = FiscalYear::new(2017).unwrap();
        let mut content = PlanContent {
            period: Period::year(fy),
            nodes: vec![NodeContent {
                targets: vec![
                    target("地域活動協議会を知っている区民の割合", 30.0, "%"),
                    target("独自収入", 15_500_000.0, "千円"),
                ],
                actuals: vec![Actual {
                    indicator_id: None,
                    fiscal_year: Some(fy),
                    value: Some(19.1),
                    measure_unit: Some("%".into()),
                    as_of: None,
                    text: "地域活動協議会を知っている区民の割合19.1%".into(),
                }],
                ..NodeContent::default()
            }],
            family: kusei_domain::model::Family::ReformItems,
            title: "t".into(),
            level_names: vec![],
            links: vec![],
            is_sample: false,
        };
        let known = vec![Indicator {
            id: IndicatorId(7),
            municipality_id: MunicipalityId(1),
            name: "独自収入".into(),
            unit: "円".into(),
            direction: Direction::HigherIsBetter,
            definition: None,
            source: None,
            is_common: false,
        }];
        let wanted = link(&mut content, &known);
        assert_eq!(
            content.nodes[0].targets[1].indicator_id,
            Some(IndicatorId(7)),
            "千円 is yen"
        );
        assert_eq!(wanted.len(), 1);
        assert_eq!(wanted[0].name, "地域活動協議会を知っている区民の割合");
        // Once created, a second pass links the target and its actual.
        let known = vec![
            known[0].clone(),
            Indicator {
                id: IndicatorId(8),
                name: wanted[0].name.clone(),
                unit: "%".into(),
                ..known[0].clone()
            },
        ];
        assert!(link(&mut content, &known).is_empty());
        link_actuals(&mut content);
        assert_eq!(
            content.nodes[0].targets[0].indicator_id,
            Some(IndicatorId(8))
        );
        assert_eq!(
            content.nodes[0].actuals[0].indicator_id,
            Some(IndicatorId(8))
        );
    }
}
