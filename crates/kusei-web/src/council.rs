//! 区政会議 pages: a ward's year of council opinions and the ward's answers (public:
//! the published answers with their opinions; the ward's staff and council: everything),
//! the meetings, opinions entered from the minutes, the answer form, publication, the
//! downloads (CSV, JSON, PDF) and the opinion form of a council member. Every write goes
//! through `kusei_app::council`.

use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::Lang;
use crate::layout::{fy_label, text_field, Page};
use crate::pages::parse_id;
use crate::policy::{allow, Action, Tree};
use crate::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use kusei_app::council::{self as app, AnswerForm, MeetingForm, OpinionInput};
use kusei_app::AppError;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::council::{Category, Measures, MeetingKind, Rating, Reflection};
use kusei_domain::model::{NodeId, PlanId, Unit, UnitId};
use kusei_store::{Meeting, Opinion, StoredPlan};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The ward whose council a page is about, and what the viewer may do there.
struct Ward {
    unit: Unit,
    municipality: String,
    tree: Tree,
}

impl Ward {
    async fn load(state: &AppState, id: UnitId) -> Result<Ward, WebError> {
        let unit = state.store.get_unit(id).await?;
        let units = state.store.list_units(unit.municipality_id).await?;
        let municipality = state
            .store
            .list_municipalities()
            .await?
            .into_iter()
            .find(|m| m.id == unit.municipality_id)
            .map(|m| m.name)
            .ok_or_else(|| WebError::NotFound(format!("unit {id}")))?;
        Ok(Ward {
            tree: Tree::new(unit.municipality_id, &units),
            unit,
            municipality,
        })
    }
    fn may(&self, who: &Who, action: Action) -> bool {
        allow(&who.grants(), &self.tree, action).is_ok()
    }
    fn reads_all(&self, who: &Who) -> bool {
        self.may(who, Action::ReadCouncil { ward: self.unit.id })
    }
}

/// `?year=&status=&item=&lang=&done=`
#[derive(Debug, Deserialize, Default)]
pub(crate) struct CouncilQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    item: Option<String>,
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

impl CouncilQuery {
    fn lang(&self) -> Lang {
        self.lang.unwrap_or_default()
    }
    fn year(&self, state: &AppState) -> Result<FiscalYear, WebError> {
        match self.year.as_deref().filter(|y| !y.is_empty()) {
            Some(y) => crate::reports::parse_year(y),
            None => Ok(state.clock.today_jst().fiscal_year()),
        }
    }
}

pub(crate) fn category_label(lang: Lang, c: Category) -> &'static str {
    lang.t(c.label_ja(), c.label_en())
}

pub(crate) fn reflection_label(lang: Lang, r: Reflection) -> &'static str {
    lang.t(r.label_ja(), r.label_en())
}

fn item_label(n: &kusei_domain::model::Node) -> String {
    let mut s = n.level.clone();
    if let Some(num) = &n.number {
        s.push(' ');
        s.push_str(num);
    }
    format!("{s} {}", n.title)
}

/// Who said it, as this reader may see it: the ward's staff and council see the name;
/// the public sees it only when the member agreed, else 委員.
fn who_said(lang: Lang, o: &Opinion, names: &HashMap<String, String>, full: bool) -> String {
    let name = match &o.member_name {
        Some(n) => n.clone(),
        None => names
            .get(&o.author)
            .cloned()
            .unwrap_or_else(|| o.author.clone()),
    };
    if full || o.name_public {
        name
    } else {
        lang.t("委員", "a council member").to_string()
    }
}

/// The display names of the logins that wrote these opinions.
async fn author_names(
    state: &AppState,
    opinions: &[Opinion],
) -> Result<HashMap<String, String>, WebError> {
    let mut names = HashMap::new();
    for o in opinions {
        for login in [Some(&o.author), o.answered_by.as_ref()]
            .into_iter()
            .flatten()
        {
            if !names.contains_key(login) {
                let name = state
                    .store
                    .find_user(login)
                    .await?
                    .map_or_else(|| login.clone(), |u| u.display_name);
                names.insert(login.clone(), name);
            }
        }
    }
    Ok(names)
}

/// The plans the opinions (and their reflections) refer to, as this reader may read
/// them: the working copies for the ward's people, the published versions for the
/// public (an item not yet published has no public label).
async fn plans_of(
    state: &AppState,
    opinions: &[Opinion],
    full: bool,
) -> Result<HashMap<PlanId, StoredPlan>, WebError> {
    let mut ids: Vec<PlanId> = opinions.iter().map(|o| o.plan_id).collect();
    for o in opinions {
        if let Some(n) = o.reflected_node_id {
            if let Ok(p) = state.store.node_plan(n).await {
                ids.push(p);
            }
        }
    }
    ids.sort_by_key(|p| p.0);
    ids.dedup();
    let mut out = HashMap::new();
    for id in ids {
        let sp = if full {
            state.store.load_plan(id).await.ok()
        } else {
            state.store.published_plan(id, None).await?
        };
        if let Some(sp) = sp {
            out.insert(id, sp);
        }
    }
    Ok(out)
}

fn node_in(
    plans: &HashMap<PlanId, StoredPlan>,
    node: NodeId,
) -> Option<(&StoredPlan, &kusei_store::StoredNode)> {
    plans
        .values()
        .find_map(|sp| sp.nodes.iter().find(|n| n.node.id == node).map(|n| (sp, n)))
}

/// One opinion with its answer, as the reader may see it.
struct Shown<'a> {
    o: &'a Opinion,
    author: String,
    plan: Option<(PlanId, String)>,
    item: Option<(NodeId, String)>,
    reflected: Option<(NodeId, String)>,
    meeting: Option<&'a Meeting>,
    reported: Option<&'a Meeting>,
}

fn shown<'a>(
    lang: Lang,
    opinions: &'a [Opinion],
    names: &HashMap<String, String>,
    plans: &HashMap<PlanId, StoredPlan>,
    meetings: &'a [Meeting],
    full: bool,
) -> Vec<Shown<'a>> {
    opinions
        .iter()
        .map(|o| Shown {
            o,
            author: who_said(lang, o, names, full),
            plan: plans
                .get(&o.plan_id)
                .map(|sp| (o.plan_id, sp.plan.title.clone())),
            item: o
                .node_id
                .and_then(|n| node_in(plans, n))
                .map(|(_, n)| (n.node.id, item_label(&n.node))),
            reflected: o
                .reflected_node_id
                .and_then(|n| node_in(plans, n))
                .map(|(sp, n)| {
                    (
                        n.node.id,
                        format!(
                            "{} ({}) — {}",
                            sp.plan.title,
                            crate::layout::period_label(lang, &sp.plan.period),
                            item_label(&n.node)
                        ),
                    )
                }),
            meeting: o
                .meeting_id
                .and_then(|m| meetings.iter().find(|x| x.id == m)),
            reported: o
                .reported_meeting_id
                .and_then(|m| meetings.iter().find(|x| x.id == m)),
        })
        .collect()
}

fn meeting_label(lang: Lang, m: &Meeting) -> String {
    format!(
        "{} ({} {})",
        m.name,
        lang.t(m.kind.label_ja(), m.kind.label_en()),
        crate::layout::date_label(lang, m.held_on)
    )
}

fn status_of(lang: Lang, o: &Opinion) -> &'static str {
    if o.is_published() && o.has_unpublished_answer() {
        lang.t(
            "公表済み（変更は未公表）",
            "published (a change not yet published)",
        )
    } else if o.is_published() {
        lang.t("公表済み", "published")
    } else if o.is_answered() {
        lang.t("回答済み（未公表）", "answered, not yet published")
    } else {
        lang.t("未回答", "not yet answered")
    }
}

/// An opinion and its answer (the public page, the staff page, an item page).
fn opinion_view(page: &Page<'_>, s: &Shown<'_>, full: bool, link: bool) -> Markup {
    let lang = page.lang;
    let o = s.o;
    html! {
        article.opinion id={ "opinion-" (o.id) } aria-labelledby={ "opinion-" (o.id) "-h" } {
            h3 id={ "opinion-" (o.id) "-h" } {
                span.badge { (category_label(lang, o.category)) }
                " "
                @if let Some((id, label)) = &s.item {
                    a href=(page.href(&format!("/nodes/{}", id.0))) { (label) }
                } @else if let Some((id, title)) = &s.plan {
                    a href=(page.href(&format!("/plans/{}", id.0))) { (title) } " " (lang.t("（計画全体）", "(whole plan)"))
                }
            }
            p.muted {
                (s.author)
                @if full && o.entered_by.is_some() { " " (lang.t("（議事録から入力）", "(entered from the minutes)")) }
                " · "
                @if let Some(m) = s.meeting { (meeting_label(lang, m)) } @else { (crate::i18n::japan_time_of(lang, &o.created_at)) }
                @if full { " · " strong { (status_of(lang, o)) } }
            }
            blockquote { p { (o.body) } }
            @if let Some(r) = o.rating {
                p { (lang.t("委員の評価: ", "Member's rating: ")) strong { (lang.t(r.label_ja(), r.label_en())) } }
            }
            @if let (Some(answer), Some(r)) = (&o.answer, o.reflection) {
                div.answer {
                    p { (lang.t("区の対応方針", "The ward's answer")) " — " span class={ "badge reflection-" (r.code()) } { (reflection_label(lang, r)) } }
                    p { (answer) }
                    @if let Some(reason) = &o.reason { p { (lang.t("理由: ", "Why: ")) (reason) } }
                    @if let Some((id, label)) = &s.reflected {
                        p { (lang.t("反映先: ", "Reflected in: ")) a href=(page.href(&format!("/nodes/{}", id.0))) { (label) } }
                    }
                    @if let Some(note) = &o.reflected_note { p { (lang.t("反映先（予算など）: ", "Reflected in (budget etc.): ")) (note) } }
                    @if let Some(m) = s.reported { p { (lang.t("区政会議で説明: ", "Reported to the council: ")) (meeting_label(lang, m)) } }
                }
            }
            @if link {
                p { a href=(page.href(&format!("/opinions/{}", o.id))) {
                    @if o.is_answered() { (lang.t("回答を見る・直す", "See or change the answer")) } @else { (lang.t("回答する", "Answer")) }
                    span.visually-hidden { " (" (lang.t("意見", "opinion")) " " (o.id) ")" }
                } }
            }
        }
    }
}

pub(crate) fn measures_view(lang: Lang, m: &Measures) -> Markup {
    let pct = |v: Option<f64>| {
        v.map_or_else(
            || "—".to_string(),
            |v| format!("{}%", kusei_report::chart::fmt(v)),
        )
    };
    html! {
        section aria-labelledby="measures-h" {
            h2 #measures-h { (lang.t("件数と割合", "Counts and shares")) }
            dl.measures {
                dt { (lang.t("意見", "Opinions")) } dd { (m.received) (lang.t("件", "")) }
                dt { (lang.t("回答", "Answered")) } dd { (m.answered) (lang.t("件", "")) " (" (pct(m.answered_share)) ")" }
                dt { (lang.t("公表", "Published")) } dd { (m.published) (lang.t("件", "")) }
                dt { (lang.t("反映（反映済み・一部反映）", "Reflected (fully or partly)")) } dd { (m.reflected) (lang.t("件", "")) " (" (lang.t("回答のうち ", "of the answers: ")) (pct(m.reflected_share)) ")" }
                @for (r, n) in &m.by_reflection {
                    dt { (reflection_label(lang, *r)) } dd { (n) (lang.t("件", "")) }
                }
                dt { (lang.t("意見から回答までの日数", "Days from opinion to answer")) }
                dd {
                    @match m.median_days {
                        Some(d) => { (lang.t("中央値 ", "median ")) (d) (lang.t("日", " days")) @if let Some(x) = m.max_days { (lang.t("、最長 ", ", longest ")) (x) (lang.t("日", " days")) } }
                        None => { "—" }
                    }
                }
            }
        }
    }
}

/// A plan of the ward as a form names it: its id, its title, its items by label.
type WardPlan = (PlanId, String, Vec<(NodeId, String)>);

/// The ward's items a form may name: every plan of the ward whose years reach `from`,
/// newest first, each with its items.
async fn ward_items(
    state: &AppState,
    lang: Lang,
    ward: UnitId,
    from: FiscalYear,
) -> Result<Vec<WardPlan>, WebError> {
    let mut out = Vec::new();
    let mut plans = state.store.list_plans(Some(ward), None).await?;
    // The plans of the year itself first (the minutes of a year are about its plans),
    // then later years' (next year's plan, where an opinion may be reflected).
    plans.sort_by_key(|p| (!p.plan.period.contains(from), p.plan.period.start));
    for p in plans {
        if p.plan.period.end < from {
            continue;
        }
        let sp = state.store.load_plan(p.plan.id).await?;
        let items = sp
            .tree_rows()
            .into_iter()
            .filter(|r| r.kind == kusei_domain::model::LinkKind::Primary)
            .map(|r| {
                let n = &sp.nodes[r.node].node;
                (n.id, format!("{}{}", "　".repeat(r.depth), item_label(n)))
            })
            .collect();
        out.push((
            p.plan.id,
            format!(
                "{} ({})",
                p.plan.title,
                crate::layout::period_label(lang, &p.plan.period)
            ),
            items,
        ));
    }
    Ok(out)
}

fn select_field(
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: Option<&str>,
    errors: &FieldErrors,
) -> Markup {
    let id = format!("f-{name}");
    let err = errors.get(name);
    html! {
        div class={ "field" @if err.is_some() { " has-error" } } {
            label for=(id) { (label) }
            @if let Some(e) = err { p.error id={ (id) "-err" } role="alert" { (e) } }
            select id=(id) name=(name) aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| format!("{id}-err"))] {
                @for (v, l) in options {
                    option value=(v) selected[selected == Some(v.as_str())] { (l) }
                }
            }
        }
    }
}

fn errors_of(lang: Lang, e: &AppError) -> Option<FieldErrors> {
    let mut errors = FieldErrors::default();
    match e {
        AppError::Fields(problems) => {
            for p in problems {
                // The forms choose the plan or item in one select, `target`.
                let field = if p.field == "node" { "target" } else { p.field };
                errors.add(field, lang.t(p.ja, p.en));
            }
        }
        AppError::Store(kusei_store::StoreError::Field { field, message }) => {
            errors.add(field, crate::forms::one_language(lang, message));
        }
        _ => return None,
    }
    Some(errors)
}

fn item_options(lang: Lang, items: &[WardPlan]) -> Vec<(String, String)> {
    let mut options = Vec::new();
    for (plan, title, nodes) in items {
        options.push((
            format!("plan-{}", plan.0),
            format!("{title} — {}", lang.t("計画全体", "the whole plan")),
        ));
        for (id, label) in nodes {
            options.push((format!("node-{}", id.0), format!("{title} — {label}")));
        }
    }
    options
}

/// `plan-N` or `node-N` of an item select.
fn parse_target(v: Option<&str>) -> (Option<PlanId>, Option<NodeId>) {
    match v.and_then(|v| v.split_once('-')) {
        Some(("plan", n)) => (n.parse().ok().map(PlanId), None),
        Some(("node", n)) => (None, n.parse().ok().map(NodeId)),
        _ => (None, None),
    }
}

fn category_options(lang: Lang) -> Vec<(String, String)> {
    Category::ALL
        .into_iter()
        .map(|c| (c.code().to_string(), category_label(lang, c).to_string()))
        .collect()
}

fn rating_options(lang: Lang) -> Vec<(String, String)> {
    std::iter::once((
        String::new(),
        lang.t("（評価のときに選ぶ）", "(for an evaluation)")
            .to_string(),
    ))
    .chain(Rating::ALL.into_iter().map(|r| {
        (
            r.code().to_string(),
            lang.t(r.label_ja(), r.label_en()).to_string(),
        )
    }))
    .collect()
}

fn meeting_options(lang: Lang, meetings: &[Meeting]) -> Vec<(String, String)> {
    std::iter::once((String::new(), lang.t("（なし）", "(none)").to_string()))
        .chain(
            meetings
                .iter()
                .map(|m| (m.id.to_string(), meeting_label(lang, m))),
        )
        .collect()
}

/// GET /council/{ward}: 区政会議の意見と対応状況 for a fiscal year.
pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(ward): Path<String>,
    Query(q): Query<CouncilQuery>,
) -> Result<Response, WebError> {
    let ward = Ward::load(&state, UnitId(parse_id(&ward, "unit")?)).await?;
    let fy = q.year(&state)?;
    Ok(
        council_page(&state, &who, &ward, fy, &q, &FieldErrors::default(), None)
            .await?
            .into_response(),
    )
}

async fn council_page(
    state: &AppState,
    who: &Who,
    ward: &Ward,
    fy: FiscalYear,
    q: &CouncilQuery,
    errors: &FieldErrors,
    failed_form: Option<&str>,
) -> Result<(StatusCode, Html<String>), WebError> {
    let page = Page {
        lang: q.lang(),
        who,
    };
    let lang = page.lang;
    let id = ward.unit.id;
    let (opinions, full) = app::readable_opinions(&state.store, &who.caller(), id, fy).await?;
    let meetings = state.store.meetings(id, fy).await?;
    let mut report_meetings = meetings.clone();
    {
        let next = fy.next();
        report_meetings.extend(state.store.meetings(id, next).await?);
    }
    // The counts are of every opinion of the year (figures, not texts: the public sees
    // them too, as the dashboard does); the list is what the reader may read.
    let measures = app::ward_measures(&state.store, id, fy, !full).await?;
    let names = author_names(state, &opinions).await?;
    let plans = plans_of(state, &opinions, full).await?;
    let shown_all = shown(lang, &opinions, &names, &plans, &report_meetings, full);
    let status = q.status.as_deref().unwrap_or("");
    let item = q.item.as_deref().and_then(|i| i.parse::<i64>().ok());
    let visible: Vec<&Shown> = shown_all
        .iter()
        .filter(|s| match status {
            "" => true,
            "unanswered" => !s.o.is_answered(),
            "unpublished" => s.o.has_unpublished_answer(),
            code => s.o.reflection.is_some_and(|r| r.code() == code),
        })
        .filter(|s| item.is_none_or(|i| s.o.node_id == Some(NodeId(i))))
        .collect();
    let keeps = ward.may(who, Action::KeepCouncil { ward: id });
    let groups = if full {
        state.store.groups(id).await?
    } else {
        Vec::new()
    };
    let members = if full {
        app::council_members(&state.store, &ward.tree, id).await?
    } else {
        Vec::new()
    };
    let member_name = |login: &str| {
        members
            .iter()
            .find(|m| m.login == login)
            .map_or_else(|| login.to_string(), |m| m.display_name.clone())
    };
    let publishes = ward.may(who, Action::PublishAnswers { ward: id });
    let unpublished: Vec<i64> = opinions
        .iter()
        .filter(|o| o.has_unpublished_answer())
        .map(|o| o.id)
        .collect();
    let answerable = app::answerable(&state.store, &who.caller(), id, &opinions).await?;
    let mut years = state.store.council_years(id).await?;
    let this_year = state.clock.today_jst().fiscal_year();
    for y in [this_year, fy] {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.sort();
    years.reverse();
    let items = if keeps {
        ward_items(state, lang, id, fy).await?
    } else {
        Vec::new()
    };
    let item_filter: Vec<(String, String)> = std::iter::once((
        String::new(),
        lang.t("すべての項目", "every item").to_string(),
    ))
    .chain(
        shown_all
            .iter()
            .filter_map(|s| s.item.clone())
            .map(|(n, l)| (n.0.to_string(), l))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
    .collect();
    let status_filter: Vec<(String, String)> =
        std::iter::once((String::new(), lang.t("すべて", "all").to_string()))
            .chain(
                full.then(|| {
                    vec![
                        (
                            "unanswered".to_string(),
                            lang.t("未回答", "not yet answered").to_string(),
                        ),
                        (
                            "unpublished".to_string(),
                            lang.t("回答済み（未公表）", "answered, not yet published")
                                .to_string(),
                        ),
                    ]
                })
                .into_iter()
                .flatten(),
            )
            .chain(
                Reflection::ALL
                    .into_iter()
                    .map(|r| (r.code().to_string(), reflection_label(lang, r).to_string())),
            )
            .collect();
    let base = format!("/council/{}", id.0);
    let title = format!(
        "{} {} — {}",
        ward.unit.name,
        lang.t(
            "区政会議の意見と対応状況",
            "ward council: opinions and answers"
        ),
        fy_label(lang, fy)
    );
    let done = q.done.as_deref().map(|d| match d {
        "meeting" => lang.t("会議を登録しました。", "The meeting was recorded."),
        "opinion" => lang.t("意見を登録しました。", "The opinion was recorded."),
        "published" => lang.t(
            "回答を公表しました。区民が読めるようになりました。",
            "The answers were published: citizens can read them now.",
        ),
        "settings" => lang.t("設定を保存しました。", "The setting was saved."),
        "group" => lang.t("部会を保存しました。", "The subcommittee was saved."),
        "minutes" => lang.t(
            "議事録ファイルを添付しました。",
            "The minutes file was attached.",
        ),
        _ => lang.t("保存しました。", "Saved."),
    });
    let typed = |f: &str| errors.typed(f).map(str::to_string);
    let no_errors = FieldErrors::default();
    // The date hint in the page's own year (a meeting is recorded in its year).
    let example = kusei_domain::calendar::Date::new(fy.year(), 6, 12).ok();
    let date_hint = match (lang, example) {
        (Lang::Ja, Some(d)) => {
            format!("例：{d} または {}（{}の日付）", d.to_japanese(), fy.label())
        }
        (Lang::En, Some(d)) => format!("e.g. {d} (a date in FY{})", fy.year()),
        _ => String::new(),
    };
    let kept = |form: &str, f: &str| {
        if failed_form == Some(form) {
            typed(f)
        } else {
            None
        }
    };
    let body = html! {
        p.muted { (ward.municipality) " · " (ward.unit.name) }
        h1 { (title) }
        @if let Some(d) = done { p.notice.success role="status" { (d) } }
        @if !errors.is_empty() {
            p.notice.error role="alert" { (lang.t("入力を確認してください。下の欄にエラーがあります。", "Please check the form: the fields below have errors.")) }
        }
        nav aria-label=(lang.t("年度", "Fiscal years")) {
            ul.inline-list {
                @for y in &years {
                    li {
                        @if *y == fy { strong aria-current="page" { (fy_label(lang, *y)) } }
                        @else { a href=(page.href(&format!("{base}?year={}", y.year()))) { (fy_label(lang, *y)) } }
                    }
                }
            }
        }
        @if full {
            p.notice { (lang.t(
                "区の職員と区政会議の委員の画面です。区民には、区が公表した回答とその意見だけが表示されます。",
                "This is the view of the ward's staff and council. Citizens see only the answers the ward has published, with their opinions.")) }
        } @else {
            p { (lang.t("区政会議の委員から出された意見・要望・評価と、それに対する区の対応方針・反映状況です。", "The opinions, requests and evaluations of the ward council's members, with the ward's answers and how each was reflected.")) }
        }
        (measures_view(lang, &measures))
        p {
            (lang.t("ダウンロード: ", "Download: "))
            a href=(page.href(&format!("{base}/export?year={}&format=csv", fy.year()))) { "CSV" } " · "
            a href=(page.href(&format!("{base}/export?year={}&format=json", fy.year()))) { "JSON" } " · "
            a href=(page.href(&format!("{base}/export?year={}&format=pdf", fy.year()))) { "PDF" }
        }
        section aria-labelledby="opinions-h" {
            h2 #opinions-h { (lang.t("意見と対応", "Opinions and answers")) " (" (visible.len()) ")" }
            form.filters method="get" action=(base) {
                input type="hidden" name="year" value=(fy.year());
                input type="hidden" name="lang" value=(lang.code());
                (select_field("status", lang.t("状態・反映状況", "Status"), &status_filter, Some(status), &FieldErrors::default()))
                (select_field("item", lang.t("項目", "Item"), &item_filter, q.item.as_deref(), &FieldErrors::default()))
                button type="submit" { (lang.t("絞り込む", "Filter")) }
            }
            @if publishes && !unpublished.is_empty() {
                form method="post" action=(page.href(&format!("{base}/publish?year={}", fy.year()))) {
                    (page.csrf_field())
                    @for id in &unpublished { input type="hidden" name="id" value=(id); }
                    p { (lang.t("回答済みで未公表の意見", "Answered, not yet published")) ": " (unpublished.len()) (lang.t("件", "")) " "
                        button type="submit" { (lang.t("回答を公表する", "Publish the answers")) } }
                }
            }
            @if visible.is_empty() {
                p { (if full { lang.t("この年度の意見はまだありません。", "No opinion in this fiscal year yet.") } else { lang.t("この年度に公表された回答はまだありません。", "No answer has been published for this fiscal year yet.") }) }
            }
            @for s in &visible {
                (opinion_view(&page, s, full, answerable.contains(&s.o.id)))
            }
        }
        section aria-labelledby="meetings-h" {
            h2 #meetings-h { (lang.t("会議", "Meetings")) " (" (meetings.len()) ")" }
            @if meetings.is_empty() { p { (lang.t("この年度の会議は登録されていません。", "No meeting is recorded for this fiscal year.")) } }
            @else {
                table {
                    caption.visually-hidden { (lang.t("会議", "Meetings")) }
                    thead { tr {
                        th scope="col" { (lang.t("開催日", "Date")) }
                        th scope="col" { (lang.t("会議", "Meeting")) }
                        th scope="col" { (lang.t("議題", "Agenda")) }
                        th scope="col" { (lang.t("出席者数", "Attendance")) }
                    } }
                    tbody { @for m in &meetings { tr {
                        td { (crate::layout::date_label(lang, m.held_on)) }
                        td { (m.name) " (" (lang.t(m.kind.label_ja(), m.kind.label_en()))
                            @if let Some(g) = m.group_id.and_then(|g| groups.iter().find(|x| x.id == g)) { " · " (g.name) }
                            ")"
                            @if full {
                                @if let Some(f) = &m.minutes_file_name {
                                    br; a href=(page.href(&format!("/council/meetings/{}/minutes", m.id))) { (lang.t("議事録ファイル", "Minutes file")) ": " (f) }
                                }
                                @if keeps {
                                    form.inline method="post" enctype="multipart/form-data" action=(page.href(&format!("/council/meetings/{}/minutes", m.id))) {
                                        (page.csrf_field())
                                        label for={ "f-minutes-file-" (m.id) } { (lang.t("議事録ファイルを添付", "Attach the minutes file")) }
                                        " " input type="file" id={ "f-minutes-file-" (m.id) } name="file";
                                        " " button type="submit" { (lang.t("添付する", "Attach")) }
                                    }
                                }
                            }
                        }
                        td { (m.agenda)
                            @if let Some(p) = m.plan_id { " " a href=(page.href(&format!("/plans/{}", p.0))) { (lang.t("（計画）", "(the plan)")) } }
                            @if full && !m.minutes.is_empty() { details { summary { (lang.t("議事録", "Minutes")) } p.pre { (m.minutes) } } } }
                        td.num { @if let Some(a) = m.attendance { (a) } @else { "—" } }
                    } } }
                }
            }
        }
        @if full {
            section aria-labelledby="groups-h" {
                h2 #groups-h { (lang.t("部会と委員", "Subcommittees and members")) }
                p { (lang.t("区政会議の委員: ", "Council members: ")) (members.len()) (lang.t("人", ""))
                    @if !members.is_empty() { " — " (members.iter().map(|m| m.display_name.clone()).collect::<Vec<_>>().join("、")) } }
                @if groups.is_empty() { p { (lang.t("部会は登録されていません。", "No subcommittee is recorded.")) } }
                @for g in &groups {
                    h3 { (g.name) " (" (g.members.len()) (lang.t("人", if g.members.len() == 1 { " member" } else { " members" })) ")" }
                    @if keeps && !members.is_empty() {
                        form method="post" action=(page.href(&format!("{base}/groups/{}?year={}", g.id, fy.year()))) {
                            (page.csrf_field())
                            fieldset {
                                legend { (g.name) (lang.t("の委員", ": members")) }
                                @for m in &members {
                                    div.choice {
                                        input type="checkbox" id={ "f-g" (g.id) "-" (m.login) } name="member" value=(m.login) checked[g.members.contains(&m.login)];
                                        label for={ "f-g" (g.id) "-" (m.login) } { (m.display_name) }
                                    }
                                }
                            }
                            button type="submit" { (lang.t("委員を保存する", "Save the members")) }
                        }
                    } @else {
                        p { (g.members.iter().map(|l| member_name(l)).collect::<Vec<_>>().join("、")) }
                    }
                }
                @if keeps {
                    form method="post" action=(page.href(&format!("{base}/groups?year={}", fy.year()))) novalidate {
                        (page.csrf_field())
                        (text_field("group_name", lang.t("部会を追加（名前）", "Add a subcommittee (name)"), kept("group", "group_name").as_deref(), if failed_form == Some("group") { errors } else { &no_errors }, None, Some(lang.t("例：防災部会", "e.g. the disaster subcommittee"))))
                        button type="submit" { (lang.t("部会を追加する", "Add the subcommittee")) }
                    }
                }
            }
        }
        @if keeps {
            section aria-labelledby="minutes-h" {
                h2 #minutes-h { (lang.t("議事録から意見を登録する", "Enter an opinion from the minutes")) }
                form method="post" action=(page.href(&format!("{base}/opinions?year={}", fy.year()))) novalidate {
                    (page.csrf_field())
                    @let oe = if failed_form == Some("opinion") { errors } else { &no_errors };
                    (select_field("target", lang.t("計画・項目", "Plan or item"), &item_options(lang, &items), kept("opinion", "target").as_deref(), oe))
                    (select_field("category", lang.t("種別", "Kind"), &category_options(lang), kept("opinion", "category").as_deref(), oe))
                    (select_field("rating", lang.t("委員の評価（評価のとき）", "Member's rating (for an evaluation)"), &rating_options(lang), kept("opinion", "rating").as_deref(), oe))
                    (select_field("meeting", lang.t("会議", "Meeting"), &meeting_options(lang, &meetings), kept("opinion", "meeting").as_deref(), oe))
                    (text_field("member_name", lang.t("委員の名前（空欄なら「委員」）", "Member's name (empty: a council member)"), kept("opinion", "member_name").as_deref(), oe, None, None))
                    div.field {
                        input #f-name_public type="checkbox" name="name_public" value="1" checked[kept("opinion", "name_public").is_some()];
                        label for="f-name_public" { (lang.t("委員が名前の公表に同意している", "The member agreed that the name is published")) }
                    }
                    (text_field("body", lang.t("意見（議事録のとおり）", "The opinion (as the minutes say)"), kept("opinion", "body").as_deref(), oe, Some(4), None))
                    button type="submit" { (lang.t("意見を登録する", "Record the opinion")) }
                }
            }
            section aria-labelledby="meeting-h" {
                h2 #meeting-h { (lang.t("会議を登録する", "Record a meeting")) }
                form method="post" action=(page.href(&format!("{base}/meetings?year={}", fy.year()))) novalidate {
                    (page.csrf_field())
                    @let e = if failed_form == Some("meeting") { errors } else { &no_errors };
                    (select_field("kind", lang.t("本会・部会", "Plenary or subcommittee"), &MeetingKind::ALL.into_iter().map(|k| (k.code().to_string(), lang.t(k.label_ja(), k.label_en()).to_string())).collect::<Vec<_>>(), kept("meeting", "kind").as_deref(), e))
                    (text_field("name", lang.t("会議の名前", "Name of the meeting"), kept("meeting", "name").as_deref(), e, None, Some(lang.t("例：第1回区政会議、防災部会", "e.g. the 1st council meeting, the disaster subcommittee"))))
                    (text_field("held_on", lang.t("開催日", "Date"), kept("meeting", "held_on").as_deref(), e, None, Some(&date_hint)))
                    (text_field("attendance", lang.t("出席者数", "Attendance"), kept("meeting", "attendance").as_deref(), e, None, None))
                    (text_field("agenda", lang.t("議題", "Agenda"), kept("meeting", "agenda").as_deref(), e, Some(2), None))
                    (text_field("minutes", lang.t("議事録（要旨）", "Minutes (summary)"), kept("meeting", "minutes").as_deref(), e, Some(4), None))
                    @if !groups.is_empty() {
                        (select_field("group", lang.t("部会（部会のとき）", "Subcommittee (for a subcommittee meeting)"), &std::iter::once((String::new(), lang.t("（なし）", "(none)").to_string())).chain(groups.iter().map(|g| (g.id.to_string(), g.name.clone()))).collect::<Vec<_>>(), kept("meeting", "group").as_deref(), e))
                    }
                    (select_field("plan", lang.t("議題の計画", "Plan discussed"), &std::iter::once((String::new(), lang.t("（なし）", "(none)").to_string())).chain(items.iter().map(|(id, title, _)| (id.0.to_string(), title.clone()))).collect::<Vec<_>>(), kept("meeting", "plan").as_deref(), e))
                    button type="submit" { (lang.t("会議を登録する", "Record the meeting")) }
                }
            }
            section aria-labelledby="settings-h" {
                h2 #settings-h { (lang.t("回答する人", "Who answers")) }
                form method="post" action=(page.href(&format!("{base}/settings?year={}", fy.year()))) {
                    (page.csrf_field())
                    @let on = state.store.section_answers(id).await.unwrap_or(false);
                    div.field {
                        input #f-section_answers type="checkbox" name="section_answers" value="1" checked[on];
                        label for="f-section_answers" { (lang.t("担当の項目への意見には、その課の編集者も回答できる", "Section editors may answer the opinions on their own items")) }
                    }
                    button type="submit" { (lang.t("保存する", "Save")) }
                }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(page.render(&title, &base, body))))
}

/// A council form refused: the page again with the errors at their fields and what was
/// typed kept (`which` names the form), or the error page for a refusal of another kind.
#[allow(clippy::too_many_arguments)]
async fn council_refusal(
    state: &AppState,
    who: &Who,
    ward: &Ward,
    fy: FiscalYear,
    q: &CouncilQuery,
    form: &FormData,
    e: AppError,
    which: &str,
    fields: &[&str],
) -> Result<Response, WebError> {
    match errors_of(q.lang(), &e) {
        Some(mut errors) => {
            errors.keep_typed(form, fields);
            Ok(council_page(state, who, ward, fy, q, &errors, Some(which))
                .await?
                .into_response())
        }
        None => Err(e.into()),
    }
}

fn back_to(path: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, path)]).into_response()
}

/// POST /council/{ward}/opinions: ward staff enter an opinion from the minutes.
pub(crate) async fn enter_opinion(
    State(state): State<AppState>,
    who: Who,
    Path(ward): Path<String>,
    Query(q): Query<CouncilQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let ward = Ward::load(&state, UnitId(parse_id(&ward, "unit")?)).await?;
    let fy = q.year(&state)?;
    let (plan, node) = parse_target(form.get("target"));
    let input = OpinionInput {
        plan,
        node,
        category: form.get("category"),
        rating: form.get("rating"),
        body: form.get("body").unwrap_or(""),
        meeting: form.get("meeting").and_then(|m| m.parse().ok()),
        from_minutes: true,
        member_name: form.get("member_name"),
        name_public: form.get("name_public") == Some("1"),
    };
    if let (Some(p), _) | (_, Some(p)) = (plan, None::<PlanId>) {
        if state.store.load_plan(p).await?.plan.unit_id != ward.unit.id {
            return Err(WebError::BadRequest(
                "target: この区の計画を選んでください。 Choose one of this ward's plans.".into(),
            ));
        }
    }
    match app::give_opinion(&state.store, &who.caller(), &input, state.clock.today_jst()).await {
        Ok(_) => Ok(back_to(format!(
            "/council/{}?year={}&lang={}&done=opinion",
            ward.unit.id.0,
            fy.year(),
            q.lang().code()
        ))),
        Err(e) => {
            let fields = [
                "target",
                "category",
                "rating",
                "meeting",
                "member_name",
                "name_public",
                "body",
            ];
            council_refusal(&state, &who, &ward, fy, &q, &form, e, "opinion", &fields).await
        }
    }
}

/// POST /council/{ward}/meetings
pub(crate) async fn add_meeting(
    State(state): State<AppState>,
    who: Who,
    Path(ward): Path<String>,
    Query(q): Query<CouncilQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let ward = Ward::load(&state, UnitId(parse_id(&ward, "unit")?)).await?;
    let fy = q.year(&state)?;
    let m = MeetingForm {
        fiscal_year: Some(fy),
        kind: form.get("kind"),
        name: form.get("name").unwrap_or(""),
        held_on: form.get("held_on").unwrap_or(""),
        agenda: form.get("agenda").unwrap_or(""),
        attendance: form.get("attendance").unwrap_or(""),
        minutes: form.get("minutes").unwrap_or(""),
        plan: form.get("plan").and_then(|p| p.parse().ok()).map(PlanId),
        group: form.get("group").and_then(|g| g.parse().ok()),
    };
    match app::add_meeting(&state.store, &who.caller(), ward.unit.id, &m).await {
        Ok(id) => {
            let year = state.store.meeting(id).await?.fiscal_year;
            Ok(back_to(format!(
                "/council/{}?year={}&lang={}&done=meeting",
                ward.unit.id.0,
                year.year(),
                q.lang().code()
            )))
        }
        Err(e) => {
            let fields = [
                "kind",
                "name",
                "held_on",
                "attendance",
                "agenda",
                "minutes",
                "plan",
                "group",
            ];
            council_refusal(&state, &who, &ward, fy, &q, &form, e, "meeting", &fields).await
        }
    }
}

/// POST /council/{ward}/groups: a new 部会.
pub(crate) async fn add_group(
    State(state): State<AppState>,
    who: Who,
    Path(ward): Path<String>,
    Query(q): Query<CouncilQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let ward = Ward::load(&state, UnitId(parse_id(&ward, "unit")?)).await?;
    let fy = q.year(&state)?;
    match app::add_group(
        &state.store,
        &who.caller(),
        ward.unit.id,
        form.get("group_name").unwrap_or(""),
    )
    .await
    {
        Ok(_) => Ok(back_to(format!(
            "/council/{}?year={}&lang={}&done=group#groups-h",
            ward.unit.id.0,
            fy.year(),
            q.lang().code()
        ))),
        Err(e) => {
            council_refusal(
                &state,
                &who,
                &ward,
                fy,
                &q,
                &form,
                e,
                "group",
                &["group_name"],
            )
            .await
        }
    }
}

/// POST /council/{ward}/groups/{id}: the members of a 部会 (`member` per login).
pub(crate) async fn set_group_members(
    State(state): State<AppState>,
    who: Who,
    Path((ward, group)): Path<(String, String)>,
    Query(q): Query<CouncilQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let ward = UnitId(parse_id(&ward, "unit")?);
    let group = parse_id(&group, "group")?;
    let logins: Vec<String> = form
        .0
        .iter()
        .filter(|(k, _)| k == "member")
        .map(|(_, v)| v.clone())
        .collect();
    app::set_group_members(&state.store, &who.caller(), ward, group, &logins).await?;
    let fy = q.year(&state)?;
    Ok(back_to(format!(
        "/council/{}?year={}&lang={}&done=group#groups-h",
        ward.0,
        fy.year(),
        q.lang().code()
    )))
}

/// POST /council/meetings/{id}/minutes (multipart): the minutes as a file.
pub(crate) async fn attach_minutes(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<CouncilQuery>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let id = parse_id(&id, "meeting")?;
    let (csrf, file) = crate::upload::read_file_form(&mut multipart, "minutes").await?;
    check_csrf(&who, csrf.as_deref())?;
    let (name, bytes) = file.unwrap_or_default();
    let m = state.store.meeting(id).await?;
    app::attach_minutes(&state.store, &who.caller(), id, &name, &bytes).await?;
    Ok(back_to(format!(
        "/council/{}?year={}&lang={}&done=minutes#meetings-h",
        m.unit_id.0,
        m.fiscal_year.year(),
        q.lang().code()
    )))
}

/// GET /council/meetings/{id}/minutes: the minutes file, for the ward's people.
pub(crate) async fn minutes_file(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, "meeting")?;
    let m = state.store.meeting(id).await?;
    let ward = Ward::load(&state, m.unit_id).await?;
    if !ward.reads_all(&who) {
        if who.viewer.is_none() {
            return Err(WebError::SignIn {
                next: format!("/council/meetings/{id}/minutes"),
            });
        }
        return Err(WebError::NotFound(format!("meeting {id}")));
    }
    let Some((name, bytes)) = state.store.minutes_file(id).await? else {
        return Err(WebError::NotFound(format!("minutes of meeting {id}")));
    };
    // Served as a download, never rendered here (a file someone uploaded).
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    crate::forms::url_encode(&name)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// POST /council/{ward}/settings
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    who: Who,
    Path(ward): Path<String>,
    Query(q): Query<CouncilQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let ward = UnitId(parse_id(&ward, "unit")?);
    let fy = q.year(&state)?;
    app::set_section_answers(
        &state.store,
        &who.caller(),
        ward,
        form.get("section_answers") == Some("1"),
    )
    .await?;
    Ok(back_to(format!(
        "/council/{}?year={}&lang={}&done=settings",
        ward.0,
        fy.year(),
        q.lang().code()
    )))
}

/// POST /council/{ward}/publish with `id` per opinion: first the list of what will be
/// published (each answer with its opinion, ticked), then, with `confirm=1`, the ticked
/// ones.
pub(crate) async fn publish(
    State(state): State<AppState>,
    who: Who,
    Path(ward): Path<String>,
    Query(q): Query<CouncilQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let ward = Ward::load(&state, UnitId(parse_id(&ward, "unit")?)).await?;
    let ids: Vec<i64> = form
        .0
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let fy = q.year(&state)?;
    let lang = q.lang();
    if form.get("confirm") != Some("1") {
        if !ward.may(&who, Action::PublishAnswers { ward: ward.unit.id }) {
            return Err(WebError::Forbidden(
                lang.t(
                    "回答を公表する権限がありません。",
                    "You may not publish the answers.",
                )
                .into(),
            ));
        }
        let mut pending = Vec::new();
        for id in &ids {
            let o = state.store.opinion(*id).await?;
            if o.unit_id == ward.unit.id && o.has_unpublished_answer() {
                pending.push(o);
            }
        }
        let page = Page { lang, who: &who };
        let meetings = state.store.meetings(ward.unit.id, fy).await?;
        let names = author_names(&state, &pending).await?;
        let plans = plans_of(&state, &pending, true).await?;
        let rows = shown(lang, &pending, &names, &plans, &meetings, true);
        let title = lang.t("回答の公表の確認", "Confirm the publication of the answers");
        let body = html! {
            p { a href=(page.href(&format!("/council/{}?year={}", ward.unit.id.0, fy.year()))) { (lang.t("← 区政会議のページへ（やめる）", "← Back to the council page (cancel)")) } }
            h1 { (title) }
            p { (lang.t("次の回答が、その意見とともに区民に公開されます（公表済みの回答は、変更した内容に置き換わります）。公表しないものはチェックを外してください。",
                "These answers become public with their opinions (a published answer is replaced by its change). Untick any you do not want to publish.")) }
            form method="post" action=(page.href(&format!("/council/{}/publish?year={}", ward.unit.id.0, fy.year()))) {
                (page.csrf_field())
                input type="hidden" name="confirm" value="1";
                @for s in &rows {
                    div.field {
                        input type="checkbox" id={ "f-id-" (s.o.id) } name="id" value=(s.o.id) checked;
                        label for={ "f-id-" (s.o.id) } { (lang.t("公表する", "Publish")) ": " (lang.t("意見", "opinion")) " " (s.o.id) }
                    }
                    (opinion_view(&page, s, true, false))
                }
                @if rows.is_empty() { p { (lang.t("公表を待っている回答はありません。", "No answer is waiting for publication.")) } }
                @else { button type="submit" { (lang.t("チェックした回答を公表する", "Publish the ticked answers")) } }
            }
        };
        return Ok(
            Html(page.render(title, &format!("/council/{}", ward.unit.id.0), body)).into_response(),
        );
    }
    app::publish(&state.store, &who.caller(), ward.unit.id, &ids).await?;
    Ok(back_to(format!(
        "/council/{}?year={}&lang={}&done=published",
        ward.unit.id.0,
        fy.year(),
        lang.code()
    )))
}

/// GET /opinions/{id}: the opinion, its answer, and the answer form for who may answer.
pub(crate) async fn opinion_page(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<CouncilQuery>,
) -> Result<Response, WebError> {
    let o = state.store.opinion(parse_id(&id, "opinion")?).await?;
    Ok(answer_page(&state, &who, &o, &q, &FieldErrors::default())
        .await?
        .into_response())
}

async fn answer_page(
    state: &AppState,
    who: &Who,
    o: &Opinion,
    q: &CouncilQuery,
    errors: &FieldErrors,
) -> Result<(StatusCode, Html<String>), WebError> {
    let page = Page {
        lang: q.lang(),
        who,
    };
    let lang = page.lang;
    let ward = Ward::load(state, o.unit_id).await?;
    let full = ward.reads_all(who);
    let public = o.public_view();
    let o = if full {
        o
    } else {
        public.as_ref().unwrap_or(o)
    };
    if !full && !o.is_published() {
        if who.viewer.is_none() {
            return Err(WebError::SignIn {
                next: format!("/opinions/{}", o.id),
            });
        }
        return Err(WebError::NotFound(format!("opinion {}", o.id)));
    }
    let mut meetings = state.store.meetings(o.unit_id, o.fiscal_year).await?;
    {
        let next = o.fiscal_year.next();
        meetings.extend(state.store.meetings(o.unit_id, next).await?);
    }
    let one = std::slice::from_ref(o);
    let names = author_names(state, one).await?;
    let plans = plans_of(state, one, full).await?;
    let s = &shown(lang, one, &names, &plans, &meetings, full)[0];
    let may_answer = app::may_answer(&state.store, &who.caller(), o).await?;
    let publishes = ward.may(who, Action::PublishAnswers { ward: o.unit_id });
    let items = if may_answer {
        ward_items(state, lang, o.unit_id, o.fiscal_year).await?
    } else {
        Vec::new()
    };
    let mut reflect_options = vec![(String::new(), lang.t("（なし）", "(none)").to_string())];
    for (_, title, nodes) in &items {
        for (id, label) in nodes {
            reflect_options.push((id.0.to_string(), format!("{title} — {label}")));
        }
    }
    let typed = |f: &str| errors.typed(f).map(str::to_string);
    let value = |f: &str, stored: Option<String>| if errors.is_empty() { stored } else { typed(f) };
    let reflection_now = value("reflection", o.reflection.map(|r| r.code().to_string()));
    let council = format!("/council/{}?year={}", o.unit_id.0, o.fiscal_year.year());
    let title = format!("{} — {}", lang.t("区政会議の意見", "Council opinion"), o.id);
    let body = html! {
        p.muted { a href=(page.href(&council)) { (ward.unit.name) " " (lang.t("区政会議の意見と対応状況", "ward council: opinions and answers")) " — " (fy_label(lang, o.fiscal_year)) } }
        h1 { (title) }
        @if q.done.as_deref() == Some("given") { p.notice.success role="status" { (lang.t("意見を送りました。区が回答して公表すると、区民にも公開されます。", "Your opinion was sent. Once the ward answers and publishes it, citizens can read both.")) } }
        @if q.done.as_deref() == Some("answered") { p.notice.success role="status" { (lang.t("回答を保存しました。公表すると区民に表示されます。", "The answer was saved. Citizens see it once it is published.")) } }
        @if q.done.as_deref() == Some("published") { p.notice.success role="status" { (lang.t("回答を公表しました。", "The answer was published.")) } }
        h2 { (lang.t("意見と回答", "The opinion and its answer")) }
        (opinion_view(&page, s, full, false))
        @if full { p.muted { (if o.name_public { lang.t("委員は名前の公表に同意しています。", "The member agreed that the name is published.") } else { lang.t("名前は公表しません（委員として表示）。", "The name is not published (shown as a council member).") }) } }
        @if publishes && o.has_unpublished_answer() {
            form method="post" action=(page.href(&format!("/opinions/{}", o.id))) {
                (page.csrf_field())
                input type="hidden" name="action" value="publish";
                button type="submit" { (lang.t("この回答を公表する", "Publish this answer")) }
            }
        }
        @if may_answer {
            section aria-labelledby="answer-h" {
                h2 #answer-h { @if o.is_answered() { (lang.t("回答を直す", "Change the answer")) } @else { (lang.t("回答する", "Answer")) } }
                @if o.is_published() { p.notice { (lang.t("公表済みの回答を変えても、もう一度公表するまで区民には公表したときの回答が表示されます。", "Citizens keep reading the answer as it was published until the change is published.")) } }
                @if errors.0.keys().any(|k| !k.starts_with('=')) {
                    div.error-summary role="alert" aria-labelledby="answer-err-h" tabindex="-1" autofocus {
                        h3 #answer-err-h { (lang.t("入力内容を確認してください", "Please check the form")) }
                        ul { @for (field, msg) in errors.0.iter().filter(|(f, _)| !f.starts_with('=')) { li { a href={ "#f-" (field) } { (msg) } } } }
                    }
                }
                form method="post" action=(page.href(&format!("/opinions/{}", o.id))) novalidate {
                    (page.csrf_field())
                    input type="hidden" name="action" value="answer";
                    input type="hidden" name="version" value=(o.version);
                    (text_field("answer", lang.t("対応方針（回答）", "The ward's answer"), value("answer", o.answer.clone()).as_deref(), errors, Some(4), None))
                    (crate::layout::radio_group("reflection", lang.t("反映状況", "How it was reflected"),
                        &Reflection::ALL.into_iter().map(|r| (r.code(), reflection_label(lang, r).to_string())).collect::<Vec<_>>(),
                        reflection_now.as_deref(), errors))
                    (text_field("reason", lang.t("理由（「今後検討」「反映困難」のときは必須）", "Why (required when to be considered or cannot be reflected)"), value("reason", o.reason.clone()).as_deref(), errors, Some(3), None))
                    (select_field("reflected_node", lang.t("反映先の項目（来年度の計画など）", "Item it was reflected in (next year's plan, say)"), &reflect_options, value("reflected_node", o.reflected_node_id.map(|n| n.0.to_string())).as_deref(), errors))
                    (text_field("reflected_note", lang.t("反映先（予算要求など）", "Reflected in (budget request etc.)"), value("reflected_note", o.reflected_note.clone()).as_deref(), errors, None, None))
                    (select_field("reported_meeting", lang.t("区政会議で説明した会議", "Meeting where it was reported"), &meeting_options(lang, &meetings), value("reported_meeting", o.reported_meeting_id.map(|m| m.to_string())).as_deref(), errors))
                    button type="submit" { (lang.t("回答を保存する", "Save the answer")) }
                }
            }
        }
    };
    let history = if full {
        state.store.history("opinion", o.id).await?
    } else {
        Vec::new()
    };
    let mut names = names;
    for c in &history {
        if !names.contains_key(&c.actor) {
            let n = state
                .store
                .find_user(&c.actor)
                .await?
                .map_or_else(|| c.actor.clone(), |u| u.display_name);
            names.insert(c.actor.clone(), n);
        }
    }
    let body = html! {
        (body)
        @if !history.is_empty() {
            section aria-labelledby="op-history-h" {
                h2 #op-history-h { (lang.t("変更履歴", "History of changes")) }
                ol { @for c in &history {
                    li {
                        (crate::i18n::japan_time_of(lang, &c.at)) " · " (names.get(&c.actor).unwrap_or(&c.actor)) " · "
                        (history_word(lang, c))
                    }
                } }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        Html(page.render(&title, &format!("/opinions/{}", o.id), body)),
    ))
}

/// What a change of an opinion did, in words.
fn history_word(lang: Lang, c: &kusei_store::Change) -> &'static str {
    let published = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| v.get("published_at"))
            .is_some_and(|p| !p.is_null())
    };
    let answered = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| v.get("answer"))
            .is_some_and(|p| !p.is_null())
    };
    match c.action.as_str() {
        "create" => lang.t("意見を登録", "opinion recorded"),
        _ if published(&c.after) && !published(&c.before) => {
            lang.t("回答を公表", "answer published")
        }
        _ if answered(&c.after) && !answered(&c.before) => lang.t("回答", "answered"),
        _ => lang.t("回答を変更", "answer changed"),
    }
}

/// POST /opinions/{id}: `action=answer` (the answer form) or `action=publish`.
pub(crate) async fn act(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<CouncilQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let o = state.store.opinion(parse_id(&id, "opinion")?).await?;
    let lang = q.lang();
    let back = |done: &str| {
        back_to(format!(
            "/opinions/{}?lang={}&done={done}",
            o.id,
            lang.code()
        ))
    };
    if form.get("action") == Some("publish") {
        app::publish(&state.store, &who.caller(), o.unit_id, &[o.id]).await?;
        return Ok(back("published"));
    }
    let version = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(o.version);
    let answer = AnswerForm {
        answer: form.get("answer").unwrap_or(""),
        reflection: form.get("reflection"),
        reason: form.get("reason").unwrap_or(""),
        reflected_node: form
            .get("reflected_node")
            .and_then(|n| n.parse().ok())
            .map(NodeId),
        reflected_note: form.get("reflected_note").unwrap_or(""),
        reported_meeting: form.get("reported_meeting").and_then(|m| m.parse().ok()),
    };
    match app::answer(&state.store, &who.caller(), o.id, version, &answer).await {
        Ok(()) => Ok(back("answered")),
        Err(e) => match errors_of(lang, &e) {
            Some(mut errors) => {
                errors.keep_typed(
                    &form,
                    &[
                        "answer",
                        "reflection",
                        "reason",
                        "reflected_node",
                        "reflected_note",
                        "reported_meeting",
                    ],
                );
                Ok(answer_page(&state, &who, &o, &q, &errors)
                    .await?
                    .into_response())
            }
            None => Err(e.into()),
        },
    }
}

/// GET /plans/{id}/opinions/new?node=: a council member's opinion form (also shown again
/// with its errors).
pub(crate) async fn opinion_form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<OpinionFormQuery>,
) -> Result<Response, WebError> {
    let plan = PlanId(parse_id(&id, "plan")?);
    let mut errors = FieldErrors::default();
    if let Some(n) = &q.node {
        errors.0.insert("=target".into(), format!("node-{n}"));
    }
    Ok(
        member_form(&state, &who, plan, q.lang.unwrap_or_default(), &errors)
            .await?
            .into_response(),
    )
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct OpinionFormQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    node: Option<String>,
}

async fn member_form(
    state: &AppState,
    who: &Who,
    plan: PlanId,
    lang: Lang,
    errors: &FieldErrors,
) -> Result<(StatusCode, Html<String>), WebError> {
    let page = Page { lang, who };
    let sp = state.store.load_plan(plan).await?;
    let ward = Ward::load(state, sp.plan.unit_id).await?;
    if !ward.may(
        who,
        Action::Comment {
            plan_unit: sp.plan.unit_id,
        },
    ) {
        if who.viewer.is_none() {
            return Err(WebError::SignIn {
                next: format!("/plans/{}/opinions/new", plan.0),
            });
        }
        return Err(WebError::Forbidden(
            lang.t(
                "意見を出せるのはこの区の区政会議の委員です。",
                "Only members of this ward's council can give opinions here.",
            )
            .into(),
        ));
    }
    let mut options = vec![(
        format!("plan-{}", plan.0),
        format!(
            "{} — {}",
            sp.plan.title,
            lang.t("計画全体", "the whole plan")
        ),
    )];
    for r in sp
        .tree_rows()
        .into_iter()
        .filter(|r| r.kind == kusei_domain::model::LinkKind::Primary)
    {
        let n = &sp.nodes[r.node].node;
        options.push((
            format!("node-{}", n.id.0),
            format!("{}{}", "　".repeat(r.depth), item_label(n)),
        ));
    }
    let shown_errors = if errors.0.keys().any(|k| !k.starts_with('=')) {
        errors.clone()
    } else {
        FieldErrors::default()
    };
    let title = lang.t(
        "区政会議の委員として意見を出す",
        "Give an opinion as a council member",
    );
    let body = html! {
        p.muted { a href=(page.href(&format!("/plans/{}", plan.0))) { (sp.plan.title) } }
        h1 { (title) }
        p { (lang.t("意見・要望のほか、項目の自己評価についての委員の評価を出せます。区が回答を公表すると、意見も区民に公表されます（名前は同意したときだけ）。",
                    "Besides opinions and requests, you can rate the ward's own evaluation of an item. When the ward publishes its answer, your opinion is published with it (your name only if you agree).")) }
        @if !shown_errors.is_empty() { p.notice.error role="alert" { (lang.t("入力を確認してください。", "Please check the form.")) } }
        form method="post" action=(page.href(&format!("/plans/{}/opinions", plan.0))) novalidate {
            (page.csrf_field())
            (select_field("target", lang.t("計画・項目", "Plan or item"), &options, errors.typed("target"), &shown_errors))
            (select_field("category", lang.t("種別", "Kind"), &category_options(lang), errors.typed("category"), &shown_errors))
            (select_field("rating", lang.t("区の自己評価についての委員の評価（評価のとき）", "Your rating of the ward's evaluation (for an evaluation)"), &rating_options(lang), errors.typed("rating"), &shown_errors))
            (text_field("body", lang.t("意見", "Your opinion"), errors.typed("body"), &shown_errors, Some(5), None))
            div.field {
                input #f-name_public type="checkbox" name="name_public" value="1" checked[errors.typed("name_public").is_some()];
                label for="f-name_public" { (lang.t("公表するときに名前も載せてよい", "My name may be published with it")) }
            }
            button type="submit" { (lang.t("意見を送る", "Send the opinion")) }
        }
    };
    let status = if shown_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        Html(page.render(title, &format!("/plans/{}/opinions/new", plan.0), body)),
    ))
}

/// POST /plans/{id}/opinions: a council member's opinion on the plan or one of its items.
pub(crate) async fn give(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<OpinionFormQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let plan = PlanId(parse_id(&id, "plan")?);
    let lang = q.lang.unwrap_or_default();
    let (target_plan, node) = match parse_target(form.get("target")) {
        (None, None) => (Some(plan), None),
        t => t,
    };
    if target_plan.is_some_and(|p| p != plan) {
        return Err(WebError::BadRequest(
            "target: この計画の項目を選んでください。 Choose an item of this plan.".into(),
        ));
    }
    let input = OpinionInput {
        plan: Some(plan),
        node,
        category: form.get("category"),
        rating: form.get("rating"),
        body: form.get("body").unwrap_or(""),
        meeting: None,
        from_minutes: false,
        member_name: None,
        name_public: form.get("name_public") == Some("1"),
    };
    match app::give_opinion(&state.store, &who.caller(), &input, state.clock.today_jst()).await {
        Ok(id) => Ok(back_to(format!(
            "/opinions/{id}?lang={}&done=given",
            lang.code()
        ))),
        Err(e) => match errors_of(lang, &e) {
            Some(mut errors) => {
                errors.keep_typed(
                    &form,
                    &["target", "category", "rating", "body", "name_public"],
                );
                Ok(member_form(&state, &who, plan, lang, &errors)
                    .await?
                    .into_response())
            }
            None => Err(e.into()),
        },
    }
}

/// The JSON of one opinion as the API and the open data give it.
fn opinion_json(lang: Lang, s: &Shown<'_>) -> Value {
    let o = s.o;
    json!({
        "id": o.id,
        "node_id": o.node_id.map(|n| n.0),
        "author": s.author,
        "category": o.category.code(),
        "rating": o.rating.map(Rating::code),
        "body": o.body,
        "answer": o.answer,
        "reflection": o.reflection.map(Reflection::code),
        "reason": o.reason,
        "published": o.is_published(),
        "meeting": s.meeting.map(|m| meeting_label(lang, m)),
        "reflected_node_id": o.reflected_node_id.map(|n| n.0),
        "reflected_in": s.reflected.as_ref().map(|r| r.1.clone()),
        "reflected_note": o.reflected_note,
        "reported_at_meeting": s.reported.map(|m| meeting_label(lang, m)),
        "given_at": o.created_at,
        "answered_at": o.answered_at,
        "published_at": o.published_at,
    })
}

/// The opinions on a plan this caller may read, as the API gives them.
pub(crate) async fn plan_opinions_json(
    state: &AppState,
    who: &Who,
    plan: PlanId,
) -> Result<Value, WebError> {
    let sp = state.store.load_plan(plan).await?;
    let ward = Ward::load(state, sp.plan.unit_id).await?;
    let full = ward.reads_all(who);
    if !full && state.store.published_plan(plan, None).await?.is_none() {
        return Err(WebError::NotFound(format!("plan {plan}")));
    }
    let opinions: Vec<Opinion> = state.store.opinions(plan).await?.into_iter().collect();
    let opinions = app::public_or_all(opinions, full);
    let mut meetings = Vec::new();
    for fy in opinions
        .iter()
        .map(|o| o.fiscal_year)
        .collect::<std::collections::BTreeSet<_>>()
    {
        meetings.extend(state.store.meetings(sp.plan.unit_id, fy).await?);
    }
    let names = author_names(state, &opinions).await?;
    let plans = plans_of(state, &opinions, full).await?;
    let list: Vec<Value> = shown(Lang::Ja, &opinions, &names, &plans, &meetings, full)
        .iter()
        .map(|s| opinion_json(Lang::Ja, s))
        .collect();
    Ok(json!({ "opinions": list }))
}

/// GET /council/{ward}/export?year=&format=csv|json|pdf — the published answers (for
/// everyone; the ward's people get the same public file).
pub(crate) async fn export(
    State(state): State<AppState>,
    Path(ward): Path<String>,
    Query(q): Query<CouncilQuery>,
) -> Result<Response, WebError> {
    use kusei_app::export::Format;
    let ward = Ward::load(&state, UnitId(parse_id(&ward, "unit")?)).await?;
    let fy = q.year(&state)?;
    let lang = q.lang();
    let format = match q.format.as_deref().unwrap_or("csv") {
        "csv" => Format::Csv,
        "json" => Format::Json,
        "pdf" => Format::Pdf,
        other => {
            return Err(WebError::BadRequest(format!(
                "形式「{other}」には対応していません（csv, json, pdf） / unknown format {other:?}: use csv, json or pdf"
            )))
        }
    };
    let opinions: Vec<Opinion> = state
        .store
        .council_opinions(ward.unit.id, fy)
        .await?
        .iter()
        .filter_map(Opinion::public_view)
        .collect();
    let mut meetings = state.store.meetings(ward.unit.id, fy).await?;
    {
        let next = fy.next();
        meetings.extend(state.store.meetings(ward.unit.id, next).await?);
    }
    let names = author_names(&state, &opinions).await?;
    let plans = plans_of(&state, &opinions, false).await?;
    // The CSV is the open-data file in the forms' language (Japanese), whatever the page.
    let rows_lang = if format == Format::Csv {
        Lang::Ja
    } else {
        lang
    };
    let rows = shown(rows_lang, &opinions, &names, &plans, &meetings, false);
    let stem = format!(
        "{}_{}_{}",
        ward.unit.name,
        fy_label(Lang::Ja, fy).split(' ').next().unwrap_or_default(),
        lang.t("区政会議の意見と対応状況", "council_answers")
    );
    let bytes = match format {
        Format::Json => serde_json::to_vec_pretty(&json!({
            "municipality": ward.municipality,
            "unit": ward.unit.name,
            "fiscal_year": fy.year(),
            "opinions": rows.iter().map(|s| opinion_json(lang, s)).collect::<Vec<_>>(),
        }))
        .map_err(|e| WebError::Internal(e.to_string()))?,
        Format::Csv => {
            let mut out = String::from("\u{feff}");
            out.push_str(&kusei_report::open_data::csv_row(
                [
                    "id",
                    "年度",
                    "区",
                    "種別",
                    "計画",
                    "項目",
                    "委員",
                    "意見",
                    "委員の評価",
                    "会議",
                    "対応方針",
                    "反映状況",
                    "理由",
                    "反映先",
                    "反映先（予算など）",
                    "区政会議で説明",
                    "公表日時",
                ]
                .into_iter()
                .map(str::to_string),
            ));
            for s in &rows {
                let o = s.o;
                out.push_str(&kusei_report::open_data::csv_row(
                    [
                        o.id.to_string(),
                        fy.label(),
                        ward.unit.name.clone(),
                        o.category.label_ja().to_string(),
                        s.plan.as_ref().map(|p| p.1.clone()).unwrap_or_default(),
                        s.item.as_ref().map(|i| i.1.clone()).unwrap_or_default(),
                        s.author.clone(),
                        o.body.clone(),
                        o.rating
                            .map(|r| r.label_ja().to_string())
                            .unwrap_or_default(),
                        s.meeting
                            .map(|m| meeting_label(Lang::Ja, m))
                            .unwrap_or_default(),
                        o.answer.clone().unwrap_or_default(),
                        o.reflection
                            .map(|r| r.label_ja().to_string())
                            .unwrap_or_default(),
                        o.reason.clone().unwrap_or_default(),
                        s.reflected
                            .as_ref()
                            .map(|r| r.1.clone())
                            .unwrap_or_default(),
                        o.reflected_note.clone().unwrap_or_default(),
                        s.reported
                            .map(|m| meeting_label(Lang::Ja, m))
                            .unwrap_or_default(),
                        o.published_at
                            .as_deref()
                            .map(|t| crate::i18n::japan_time_of(Lang::Ja, t))
                            .unwrap_or_default(),
                    ]
                    .into_iter(),
                ));
            }
            out.into_bytes()
        }
        _ => {
            let report = council_report(lang, &ward, fy, &rows);
            let exporter = state.exporter.clone();
            let _slot = crate::reports::heavy_slot(Format::Pdf).await?;
            tokio::task::spawn_blocking(move || exporter.report(Format::Pdf, &report))
                .await
                .map_err(|e| WebError::Internal(e.to_string()))?
                .map_err(crate::reports::export_failure)?
        }
    };
    Ok(crate::reports::download(format, &stem, bytes))
}

/// The print layout: the ward's year, then per opinion a table of what was said and the
/// answer.
fn council_report(
    lang: Lang,
    ward: &Ward,
    fy: FiscalYear,
    rows: &[Shown<'_>],
) -> kusei_report::doc::Report {
    use kusei_report::doc::{Block, Report};
    let title = format!(
        "{} {} {}",
        ward.unit.name,
        fy_label(lang, fy),
        lang.t(
            "区政会議の意見と対応状況",
            "ward council: opinions and answers"
        )
    );
    let mut blocks = vec![
        Block::Heading {
            level: 1,
            text: title.clone(),
        },
        Block::Note {
            text: format!("{} · {}", ward.municipality, ward.unit.name),
        },
    ];
    if rows.is_empty() {
        blocks.push(Block::Paragraph {
            text: lang
                .t(
                    "この年度に公表された回答はまだありません。",
                    "No answer has been published for this fiscal year yet.",
                )
                .into(),
        });
    }
    for s in rows {
        let o = s.o;
        let mut fields = vec![
            (
                lang.t("種別", "Kind").to_string(),
                category_label(lang, o.category).to_string(),
            ),
            (
                lang.t("項目", "Item").to_string(),
                s.item
                    .as_ref()
                    .map(|i| i.1.clone())
                    .or_else(|| s.plan.as_ref().map(|p| p.1.clone()))
                    .unwrap_or_default(),
            ),
            (lang.t("委員", "Member").to_string(), s.author.clone()),
            (lang.t("意見", "Opinion").to_string(), o.body.clone()),
        ];
        if let Some(r) = o.rating {
            fields.push((
                lang.t("委員の評価", "Member's rating").into(),
                lang.t(r.label_ja(), r.label_en()).into(),
            ));
        }
        if let Some(a) = &o.answer {
            fields.push((lang.t("対応方針", "Answer").into(), a.clone()));
        }
        if let Some(r) = o.reflection {
            fields.push((
                lang.t("反映状況", "Reflection").into(),
                reflection_label(lang, r).into(),
            ));
        }
        if let Some(r) = &o.reason {
            fields.push((lang.t("理由", "Why").into(), r.clone()));
        }
        if let Some(r) = &s.reflected {
            fields.push((lang.t("反映先", "Reflected in").into(), r.1.clone()));
        }
        if let Some(n) = &o.reflected_note {
            fields.push((
                lang.t("反映先（予算など）", "Reflected in (budget etc.)")
                    .into(),
                n.clone(),
            ));
        }
        if let Some(m) = s.reported {
            fields.push((
                lang.t("区政会議で説明", "Reported to the council").into(),
                meeting_label(lang, m),
            ));
        }
        blocks.push(Block::Heading {
            level: 3,
            text: format!("{} {}", lang.t("意見", "Opinion"), o.id),
        });
        blocks.push(Block::Fields { rows: fields });
    }
    Report {
        title,
        lang: lang.code().to_string(),
        blocks,
    }
}

/// The published opinions on an item and their answers (its public page), or all of them
/// for the ward's people.
pub(crate) async fn item_section(
    state: &AppState,
    page: &Page<'_>,
    node: NodeId,
    ward: UnitId,
    full: bool,
    member: Option<PlanId>,
) -> Result<Markup, WebError> {
    let lang = page.lang;
    let opinions: Vec<Opinion> = state
        .store
        .opinions_on_nodes(&[node])
        .await?
        .into_iter()
        .collect();
    let opinions = app::public_or_all(opinions, full);
    let mut meetings = Vec::new();
    for fy in opinions
        .iter()
        .map(|o| o.fiscal_year)
        .collect::<std::collections::BTreeSet<_>>()
    {
        meetings.extend(state.store.meetings(ward, fy).await?);
    }
    let names = author_names(state, &opinions).await?;
    let plans = plans_of(state, &opinions, full).await?;
    let rows = shown(lang, &opinions, &names, &plans, &meetings, full);
    // Opinions of earlier years that were reflected in this item.
    let reflected_here: Vec<Opinion> =
        app::public_or_all(state.store.opinions_reflected_in(node).await?, full)
            .into_iter()
            .filter(|o| o.reflected_node_id == Some(node))
            .collect();
    let reflected_plans = plans_of(state, &reflected_here, full).await?;
    let reflected_names = author_names(state, &reflected_here).await?;
    let reflected_rows = shown(
        lang,
        &reflected_here,
        &reflected_names,
        &reflected_plans,
        &meetings,
        full,
    );
    Ok(html! {
        @if !reflected_rows.is_empty() {
            section aria-labelledby="reflected-h" {
                h2 #reflected-h { (lang.t("この項目に反映した区政会議の意見", "Council opinions reflected in this item")) " (" (reflected_rows.len()) ")" }
                @for s in &reflected_rows { (opinion_view(page, s, full, false)) }
            }
        }
        section aria-labelledby="council-h" {
            h2 #council-h { (lang.t("区政会議の意見と対応", "Ward council: opinions and answers")) " (" (rows.len()) ")" }
            @if rows.is_empty() { p { (lang.t("この項目への意見はまだありません。", "No opinion on this item yet.")) } }
            @for s in &rows { (opinion_view(page, s, full, false)) }
            @if let Some(plan) = member {
                p { a href=(page.href(&format!("/plans/{}/opinions/new?node={}", plan.0, node.0))) { (lang.t("この項目に意見・評価を出す", "Give an opinion or evaluation on this item")) } }
            }
        }
    })
}
