//! One initiative (node) in the layout of the official form — 計画 / 中間振り返り /
//! 自己評価 — and the three forms that edit it.
//!
//! Every save: CSRF → role (policy) → schedule window → form rules with the message at the
//! field → store (version check). A stale save is refused with the user's text shown back
//! beside what is stored now; nothing is lost.

use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{parse_number, FieldErrors, FormData};
use crate::i18n::{Lang, LangQuery};
use crate::layout::{period_label, radio_group, text_field, Page};
use crate::pages::{judgment_badge, mark_label, parse_id, phase_en, unit_tree, unprocessable};
use crate::policy::{allow, Action, Tree};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::guard;
use kusei_app::judge::References;
use kusei_domain::calendar::{Date, FiscalYear};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{
    Actual, Comparator, Evaluation, MunicipalityId, NodeId, Period, Phase, Review, Section, Target,
};
use kusei_domain::workflow::Refusal;
use kusei_kpi as kpi;
use kusei_store::{NodeEdit, StoreError, StoredNode, StoredPlan};
use maud::{html, Markup};
use serde::Deserialize;

/// A node with its plan and the unit tree, as every handler here needs them.
pub(crate) struct NodeCtx {
    pub sp: StoredPlan,
    pub idx: usize,
    pub tree: Tree,
    pub municipality: MunicipalityId,
}

impl NodeCtx {
    pub fn node(&self) -> &StoredNode {
        &self.sp.nodes[self.idx]
    }
    fn edit_action(&self) -> Action {
        Action::EditNode {
            plan_unit: self.sp.plan.unit_id,
            owner: self.node().node.owner_unit_id,
        }
    }
}

pub(crate) async fn load(state: &AppState, id: &str) -> Result<NodeCtx, WebError> {
    let node_id = NodeId(parse_id(id, "node")?);
    let plan_id = state.store.node_plan(node_id).await?;
    let sp = state.store.load_plan(plan_id).await?;
    let idx = sp
        .nodes
        .iter()
        .position(|n| n.node.id == node_id)
        .ok_or_else(|| WebError::NotFound(format!("node {node_id}")))?;
    let (tree, municipality) = unit_tree(&state.store, sp.plan.unit_id).await?;
    Ok(NodeCtx {
        sp,
        idx,
        tree,
        municipality,
    })
}

/// Staff who may read the working copy; everyone else is sent to the published page.
pub(crate) fn require_read(who: &Who, ctx: &NodeCtx, path: &str) -> Result<(), WebError> {
    if allow(
        &who.grants(),
        &ctx.tree,
        Action::ReadDraft {
            plan_unit: ctx.sp.plan.unit_id,
        },
    )
    .is_ok()
    {
        return Ok(());
    }
    if who.viewer.is_none() {
        return Err(WebError::SignIn {
            next: path.to_string(),
        });
    }
    Err(WebError::NotFound(path.to_string()))
}

/// Why this viewer may not edit this phase now (role, plan status, schedule), or the
/// fiscal year whose window is open: the application layer's one write guard.
pub(crate) async fn edit_check(
    state: &AppState,
    who: &Who,
    ctx: &NodeCtx,
    phase: Phase,
) -> Result<FiscalYear, WebError> {
    let windows = state.store.windows(ctx.municipality).await?;
    phase_open(who, ctx, phase, &windows, state.clock.today_jst()).map_err(refuse)
}

/// [`edit_check`] on a schedule already read.
fn phase_open(
    who: &Who,
    ctx: &NodeCtx,
    phase: Phase,
    windows: &[kusei_store::Window],
    today: Date,
) -> Result<FiscalYear, Refusal> {
    let years = guard::check(
        &who.grants(),
        &ctx.tree,
        ctx.edit_action(),
        Some(guard::PlanState {
            status: ctx.sp.plan.status,
            period: ctx.sp.plan.period,
        }),
        &[phase],
        windows,
        today,
    )?;
    years.first().copied().ok_or(Refusal::NoWindow {
        phase,
        period: ctx.sp.plan.period,
    })
}

fn judgment_label(lang: Lang, j: Judgment) -> &'static str {
    lang.t(j.label_ja(), j.label_en())
}

/// The three phases of a node, read-only, in the order of the official form.
pub(crate) fn phases_view(lang: Lang, sn: &StoredNode, refs: &References) -> Markup {
    let n = &sn.node;
    let plan_secs: Vec<&Section> = n
        .sections
        .iter()
        .filter(|s| s.phase == Phase::Plan)
        .collect();
    let other =
        |p: Phase| -> Vec<&Section> { n.sections.iter().filter(|s| s.phase == p).collect() };
    html! {
        div.sheet {
            @if !plan_secs.is_empty() || !sn.targets.is_empty() {
                section.phase aria-label=(lang.t("計画", "Plan")) {
                    p.phase-name { (lang.t("計画", "Plan")) }
                    dl {
                        @for s in &plan_secs { dt { (s.heading) } dd.pre { (s.body) } }
                        @if !sn.targets.is_empty() {
                            dt { (lang.t("目標", "Targets")) }
                            dd { ul.targets { @for t in &sn.targets { li { (t.text) } } } }
                        }
                    }
                }
            }
            @let rsecs = other(Phase::Review);
            @if !sn.reviews.is_empty() || !rsecs.is_empty() {
                section.phase aria-label=(lang.t("中間振り返り", "Mid-year review")) {
                    p.phase-name { (lang.t("中間振り返り", "Mid-year review")) }
                    dl {
                        @for s in &rsecs { dt { (s.heading) } dd.pre { (s.body) } }
                        @for r in &sn.reviews {
                            dt { (lang.t("取組内容の実施見込み", "Will the activities be carried out?")) " (" (r.fiscal_year.label()) ")" }
                            dd { (r.implementation.map_or(lang.t("未記入", "not answered"), |i| i.label_ja())) }
                            dt { (lang.t("目標の達成見込み", "Will the target be reached?")) }
                            dd { (r.achievement.map_or(lang.t("未記入", "not answered"), |a| a.label_ja())) }
                            @if let Some(rem) = &r.remedy { dt { (lang.t("課題と改善策", "Issues and remedies")) } dd.pre { (rem) } }
                        }
                    }
                }
            }
            @let esecs = other(Phase::Evaluation);
            @if !sn.evaluations.is_empty() || !esecs.is_empty() {
                section.phase aria-label=(lang.t("自己評価", "Year-end evaluation")) {
                    p.phase-name { (lang.t("自己評価", "Year-end evaluation")) }
                    dl {
                        @for s in &esecs { dt { (s.heading) } dd.pre { (s.body) } }
                        @for e in &sn.evaluations {
                            @let c = refs.judge(sn, e);
                            dt { (lang.t("当年度の取組実績及び目標の達成状況", "Results of the year")) " (" (e.fiscal_year.label()) ")" }
                            dd.pre { (e.results) }
                            @let acts: Vec<_> = sn.actuals.iter().filter(|a| a.fiscal_year.is_none_or(|f| f == e.fiscal_year)).collect();
                            @if !acts.is_empty() {
                                dt { (lang.t("実績値", "Actuals")) }
                                dd { ul { @for a in acts { li { (a.text) } } } }
                            }
                            dt { (lang.t("評価", "Judgment")) }
                            dd.judgments {
                                span { (lang.t("記載の判定", "Stated")) ": " (judgment_badge(lang, e.stated)) }
                                " "
                                span { (lang.t("数値からの判定", "From the figures")) ": "
                                    span class={ "badge computed" } { (judgment_label(lang, c.judgment.judgment)) } }
                                @if !c.judgment.reason_ja.is_empty() && lang == Lang::Ja { " " span.muted { "（" (c.judgment.reason_ja) "）" } }
                            }
                            @if let Some(x) = &e.explanation { dt { (lang.t("判定の理由", "Why the judgment differs")) } dd.pre { (x) } }
                            @if let Some(rem) = &e.remedy { dt { (lang.t("課題と改善策", "Issues and remedies")) } dd.pre { (rem) } }
                            @let shown: Vec<_> = c.findings.iter().filter(|f| f.code != "target_without_year").collect();
                            @if !shown.is_empty() {
                                dt { (lang.t("確認事項", "Findings")) }
                                dd { ul.findings { @for f in shown {
                                    li class={ "finding " (severity_class(f.severity)) } { (lang.t(&f.message_ja, &f.message_en)) }
                                } } }
                            }
                        }
                    }
                }
            }
            @if !sn.milestones.is_empty() {
                section.phase aria-label=(lang.t("主な実績", "Main results")) {
                    p.phase-name { (lang.t("主な実績", "Main results")) }
                    ul { @for m in &sn.milestones { li { (m.text) } } }
                }
            }
        }
    }
}

fn severity_class(s: kpi::Severity) -> &'static str {
    match s {
        kpi::Severity::Error => "error",
        kpi::Severity::Warning => "warning",
    }
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct NodeQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    saved: Option<String>,
}

fn node_heading(lang: Lang, sp: &StoredPlan, sn: &StoredNode) -> Markup {
    let n = &sn.node;
    html! {
        p.muted {
            a href={ "/plans/" (sp.plan.id) "?lang=" (lang.code()) "#node-" (n.id) } { (sp.plan.title) }
            " · " (sp.unit_name) " · " (period_label(lang, &sp.plan.period))
        }
        h1 {
            span.level { (n.level) }
            @if let Some(num) = &n.number { " " (num) }
            @for m in &n.marks { " " span.marks aria-label=(mark_label(lang, m)) { (m) } }
            " " (n.title)
        }
        @if let Some(s) = &n.subtitle { p.subtitle { (s) } }
    }
}

/// GET /nodes/{id}: the initiative sheet with an edit link (or the reason there is none)
/// per phase.
pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<NodeQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    let lang = page.lang;
    let ctx = load(&state, &id).await?;
    let path = format!("/nodes/{}", ctx.node().node.id);
    require_read(&who, &ctx, &path)?;
    let sn = ctx.node();
    // The schedule and the unit's earlier results are read once for the three phases.
    let windows = state.store.windows(ctx.municipality).await?;
    let refs = References::load_all(&state.store, ctx.sp.plan.unit_id).await?;
    let today = state.clock.today_jst();
    let mut phases = Vec::new();
    for (phase, slug) in [
        (Phase::Plan, "plan"),
        (Phase::Review, "review"),
        (Phase::Evaluation, "evaluation"),
    ] {
        phases.push((phase, slug, phase_open(&who, &ctx, phase, &windows, today)));
    }
    let body = html! {
        (node_heading(lang, &ctx.sp, sn))
        @if let Some(saved) = &q.saved {
            p.notice.success role="status" {
                (lang.t("保存しました", "Saved")) ": "
                (match saved.as_str() { "review" => lang.t("中間振り返り", "mid-year review"), "evaluation" => lang.t("自己評価", "year-end evaluation"), _ => lang.t("計画", "plan") })
            }
        }
        nav.actions aria-label=(lang.t("編集", "Edit")) {
            h2 { (lang.t("編集", "Edit")) }
            ul {
                @for (phase, slug, check) in &phases {
                    li {
                        @match check {
                            Ok(fy) => {
                                a href=(page.href(&format!("{path}/{slug}"))) {
                                    (lang.t(phase.label_ja(), phase_en(*phase))) (lang.t("を編集", ": edit"))
                                }
                                " (" (fy.label()) ")"
                            }
                            Err(why) => {
                                span { (lang.t(phase.label_ja(), phase_en(*phase))) ": " }
                                span.muted { (lang.t(&why.ja(), &why.en())) }
                            }
                        }
                    }
                }
                li { a href=(page.href(&format!("{path}/history"))) { (lang.t("変更履歴", "History of changes")) } }
            }
        }
        (phases_view(lang, sn, &refs))
    };
    Ok(Html(page.render(&sn.node.title, &path, body)))
}

fn refuse(reason: Refusal) -> WebError {
    WebError::Forbidden(reason.to_string())
}

/// What every save handler does first: CSRF, the item, role + status + schedule (the
/// fiscal year whose window is open), and the version the form was read at.
async fn begin_save(
    state: &AppState,
    who: &Who,
    id: &str,
    form: &FormData,
    phase: Phase,
) -> Result<(NodeCtx, FiscalYear, i64), WebError> {
    check_csrf(who, form.csrf())?;
    let ctx = load(state, id).await?;
    let fy = edit_check(state, who, &ctx, phase).await?;
    let version = form_version(form)?;
    Ok((ctx, fy, version))
}

/// The one answer to every save of the three forms: saved → the item page; a stale
/// version → 409 with the user's input kept and what is stored now beside it; a field
/// error → 422 with the message at the field; a refusal by the plan's status (it changed
/// since the form was opened) → 403 with the input kept; anything else → the error page.
/// `render(ctx, version, errors, banner)` draws the form (with `version` instead of the
/// one read, when given).
async fn answer_save(
    state: &AppState,
    ctx: &NodeCtx,
    lang: Lang,
    phase: Phase,
    fallback_field: &str,
    saved: Result<i64, StoreError>,
    render: impl Fn(&NodeCtx, Option<i64>, &FieldErrors, Option<Markup>) -> String,
) -> Result<Response, WebError> {
    let node_id = ctx.node().node.id;
    match saved {
        Ok(_) => Ok(redirect(&format!(
            "/nodes/{node_id}?saved={}&lang={}",
            phase.code(),
            lang.code()
        ))),
        Err(StoreError::Conflict { current, .. }) => {
            let fresh = load(state, &node_id.0.to_string()).await?;
            let refs = References::load_all(&state.store, fresh.sp.plan.unit_id).await?;
            let banner = conflict_banner(lang, fresh.node(), phase, &refs);
            let html = render(&fresh, Some(current), &FieldErrors::default(), Some(banner));
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(StoreError::Field { field, message }) => {
            let mut errors = FieldErrors::default();
            errors.add(&field, message);
            Ok(unprocessable(render(ctx, None, &errors, None)).into_response())
        }
        Err(StoreError::Invalid(message)) => {
            let mut errors = FieldErrors::default();
            errors.add(fallback_field, message);
            Ok(unprocessable(render(ctx, None, &errors, None)).into_response())
        }
        Err(StoreError::Refused(why)) => {
            let mut errors = FieldErrors::default();
            errors.add(fallback_field, lang.t(&why.ja(), &why.en()).to_string());
            Ok((
                StatusCode::FORBIDDEN,
                Html(render(ctx, None, &errors, None)),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// A stale save: the message, the user's text kept in the form, and what is stored now.
fn conflict_banner(lang: Lang, current: &StoredNode, phase: Phase, refs: &References) -> Markup {
    html! {
        div.notice.conflict role="alert" id="conflict" {
            p { strong { (lang.t(
                "他の人が先にこの項目を保存しました。あなたの入力は下のフォームに残っています。現在の保存内容を確認し、必要なら反映してからもう一度保存してください。",
                "Someone else saved this item first. Your text is kept in the form below. Check what is stored now, merge if needed, and save again.")) } }
            details open {
                summary { (lang.t("現在保存されている内容", "What is stored now")) }
                @if phase == Phase::Plan {
                    p { (lang.t("名称", "Title")) ": " (current.node.title) }
                }
                (phases_view(lang, current, refs))
            }
        }
    }
}

// ---------------------------------------------------------------- plan phase form

const CMP_OPTIONS: [(&str, &str, &str); 6] = [
    ("at_least", "以上", "at least"),
    ("more_than", "超", "more than"),
    ("at_most", "以下", "at most"),
    ("less_than", "未満", "less than"),
    ("maintain", "維持", "maintain"),
    ("equal", "（なし）", "(none)"),
];

/// One row of the targets table as the form shows it.
#[derive(Debug, Clone, Default, PartialEq)]
struct TargetRow {
    indicator: String,
    year: String,
    comparator: String,
    value: String,
    unit: String,
    text: String,
}

impl TargetRow {
    fn from_target(t: &Target, ctx: Option<FiscalYear>) -> TargetRow {
        let read = kpi::read_targets(&t.text, ctx);
        let indicator = read
            .first()
            .and_then(|r| r.indicator.clone())
            .unwrap_or_default();
        TargetRow {
            indicator,
            year: t
                .period
                .map(|p| {
                    if p.start == p.end {
                        p.start.label()
                    } else {
                        p.to_string()
                    }
                })
                .unwrap_or_default(),
            comparator: t
                .comparator
                .map(|c| c.code().to_string())
                .unwrap_or_default(),
            value: t.value.map(fmt_number).unwrap_or_default(),
            unit: t.measure_unit.clone().unwrap_or_default(),
            text: t.text.clone(),
        }
    }
    fn structured(&self) -> (String, String, String, String, String) {
        (
            self.indicator.clone(),
            self.year.clone(),
            self.comparator.clone(),
            self.value.clone(),
            self.unit.clone(),
        )
    }
    fn is_blank(&self) -> bool {
        self.indicator.is_empty() && self.value.is_empty() && self.text.is_empty()
    }
}

pub(crate) fn fmt_number(v: f64) -> String {
    kusei_report::plain_number(v)
}

pub(crate) use kusei_app::copy_forward::target_sentence;

fn form_rows(form: &FormData) -> Vec<(usize, TargetRow, Option<String>)> {
    let mut out = Vec::new();
    for i in 0..100 {
        if form.get(&format!("t{i}_indicator")).is_none()
            && form.get(&format!("t{i}_text")).is_none()
        {
            break;
        }
        let g = |f: &str| form.text(&format!("t{i}_{f}")).unwrap_or_default();
        out.push((
            i,
            TargetRow {
                indicator: g("indicator"),
                year: g("year"),
                comparator: g("cmp"),
                value: g("value"),
                unit: g("unit"),
                text: g("text"),
            },
            form.text(&format!("t{i}_orig")),
        ));
    }
    out
}

/// Reads the target rows; errors are keyed `t{i}_{field}`.
fn read_targets(
    form: &FormData,
    stored: &[Target],
    default_year: FiscalYear,
    errors: &mut FieldErrors,
) -> Vec<Target> {
    let mut out = Vec::new();
    for (i, row, orig) in form_rows(form) {
        if row.is_blank() {
            continue;
        }
        // Unchanged structured fields keep the sentence exactly as it was written.
        if let Some(orig) = &orig {
            if let Some(t) = stored.iter().find(|t| &t.text == orig) {
                let before = TargetRow::from_target(t, Some(default_year));
                if before.structured() == row.structured()
                    && (row.text.is_empty() || row.text == before.text)
                {
                    out.push(t.clone());
                    continue;
                }
            }
        }
        if row.value.is_empty() {
            if row.text.is_empty() {
                errors.add(
                    &format!("t{i}_value"),
                    "目標値か目標の文章を入力してください。 Give a value or the target's sentence.",
                );
                continue;
            }
            out.push(Target {
                indicator_id: None,
                period: None,
                value: None,
                measure_unit: None,
                comparator: None,
                text: row.text.clone(),
                indicator_name: None,
                this_year: false,
            });
            continue;
        }
        let Some(value) = parse_number(&row.value) else {
            errors.add(
                &format!("t{i}_value"),
                format!("「{}」は数値として読めません。 Not a number.", row.value),
            );
            continue;
        };
        let year = if row.year.is_empty() {
            Some(default_year)
        } else {
            match FiscalYear::parse(&row.year, Some(default_year)) {
                Ok(y) => Some(y),
                Err(_) => {
                    errors.add(&format!("t{i}_year"), format!("「{}」は年度として読めません（例: 令和7年度、2025）。 Not a fiscal year (e.g. 2025).", row.year));
                    continue;
                }
            }
        };
        let cmp = Comparator::from_code(&row.comparator).unwrap_or(Comparator::AtLeast);
        if row.indicator.is_empty() {
            errors.add(
                &format!("t{i}_indicator"),
                "指標名を入力してください。 Name the indicator.",
            );
            continue;
        }
        out.push(Target {
            indicator_id: None,
            period: year.map(Period::year),
            value: Some(value),
            measure_unit: Some(row.unit.clone()).filter(|u| !u.is_empty()),
            comparator: Some(cmp),
            text: target_sentence(&row.indicator, year, value, &row.unit, cmp),
            indicator_name: None,
            this_year: false,
        });
    }
    out
}

fn targets_table(lang: Lang, rows: &[TargetRow], errors: &FieldErrors) -> Markup {
    html! {
        fieldset.targets {
            legend { (lang.t("目標（数値目標は値と単位で入力すると文章が作られます）", "Targets (enter value and unit; the sentence is written for you)")) }
            @for (i, r) in rows.iter().enumerate() {
                @let f = |name: &str| format!("t{i}_{name}");
                @let err = |name: &str| errors.get(&f(name)).map(str::to_string);
                div.target-row role="group" aria-label={ (lang.t("目標", "Target")) " " (i + 1) } {
                    @if !r.text.is_empty() {
                        p.sentence { (lang.t("現在の文章", "Sentence")) ": " q { (r.text) } }
                        input type="hidden" name=(f("orig")) value=(r.text);
                    }
                    @for (name, label, value, width) in [
                        ("indicator", lang.t("指標", "Indicator"), &r.indicator, "wide"),
                        ("year", lang.t("年度", "Fiscal year"), &r.year, "narrow"),
                        ("value", lang.t("目標値", "Value"), &r.value, "narrow"),
                        ("unit", lang.t("単位", "Unit"), &r.unit, "narrow"),
                    ] {
                        div class={ "field " (width) @if err(name).is_some() { " has-error" } } {
                            label for=(f(name)) { (label) }
                            @if let Some(e) = err(name) { p.error id={ (f(name)) "-err" } role="alert" { (e) } }
                            input type="text" id=(f(name)) name=(f(name)) value=(value)
                                aria-invalid=[err(name).map(|_| "true")]
                                aria-describedby=[err(name).map(|_| format!("{}-err", f(name)))];
                        }
                    }
                    div.field.narrow {
                        label for=(f("cmp")) { (lang.t("条件", "Comparison")) }
                        select id=(f("cmp")) name=(f("cmp")) {
                            @for (code, ja, en) in CMP_OPTIONS {
                                option value=(code) selected[r.comparator == code || (r.comparator.is_empty() && code == "at_least")] { (lang.t(ja, en)) }
                            }
                        }
                    }
                    div.field.wide {
                        label for=(f("text")) { (lang.t("文章で書く目標（数値にできない場合）", "Target as text (when it has no figure)")) }
                        textarea id=(f("text")) name=(f("text")) rows="2" { @if r.value.is_empty() { (r.text) } }
                    }
                }
            }
        }
    }
}

#[derive(Clone)]
struct PlanFormValues {
    title: String,
    subtitle: String,
    sections: Vec<(String, String)>,
    targets: Vec<TargetRow>,
    version: i64,
}

fn plan_form_page(
    page: &Page<'_>,
    ctx: &NodeCtx,
    fy: FiscalYear,
    v: &PlanFormValues,
    errors: &FieldErrors,
    banner: Option<Markup>,
) -> String {
    let lang = page.lang;
    let sn = ctx.node();
    let path = format!("/nodes/{}/plan", sn.node.id);
    let body = html! {
        (node_heading(lang, &ctx.sp, sn))
        h2 { (lang.t("計画を編集", "Edit the plan")) " (" (fy.label_with_western()) ")" }
        @if let Some(b) = banner { (b) }
        @if !errors.is_empty() { (error_summary(lang, errors)) }
        form method="post" action=(path) novalidate {
            (page.csrf_field())
            input type="hidden" name="version" value=(v.version);
            (text_field("title", lang.t("名称", "Title"), Some(&v.title), errors, None, None))
            (text_field("subtitle", lang.t("副題", "Subtitle"), Some(&v.subtitle), errors, None, None))
            @for (i, (heading, body)) in v.sections.iter().enumerate() {
                input type="hidden" name={ "s" (i) "_heading" } value=(heading);
                (text_field(&format!("s{i}_body"), heading, Some(body), errors, Some(5), None))
            }
            (targets_table(lang, &v.targets, errors))
            button type="submit" { (lang.t("保存する", "Save")) }
            " " a href=(page.href(&format!("/nodes/{}", sn.node.id))) { (lang.t("キャンセル", "Cancel")) }
        }
    };
    page.render(lang.t("計画を編集", "Edit the plan"), &path, body)
}

fn error_summary(lang: Lang, errors: &FieldErrors) -> Markup {
    html! {
        div.error-summary role="alert" aria-labelledby="err-h" tabindex="-1" {
            h2 #err-h { (lang.t("入力内容を確認してください", "Please check the form")) }
            ul { @for (field, msg) in &errors.0 { li { a href={ "#f-" (field) } { (msg) } } } }
        }
    }
}

fn plan_values(sn: &StoredNode, fy: FiscalYear) -> PlanFormValues {
    let mut sections: Vec<(String, String)> = sn
        .node
        .sections
        .iter()
        .filter(|s| s.phase == Phase::Plan)
        .map(|s| (s.heading.clone(), s.body.clone()))
        .collect();
    if sections.is_empty() {
        sections.push(("取組内容".into(), String::new()));
    }
    let mut targets: Vec<TargetRow> = sn
        .targets
        .iter()
        .map(|t| TargetRow::from_target(t, Some(fy)))
        .collect();
    targets.push(TargetRow {
        year: fy.label(),
        ..TargetRow::default()
    });
    targets.push(TargetRow {
        year: fy.label(),
        ..TargetRow::default()
    });
    PlanFormValues {
        title: sn.node.title.clone(),
        subtitle: sn.node.subtitle.clone().unwrap_or_default(),
        sections,
        targets,
        version: sn.node.version,
    }
}

pub(crate) async fn plan_form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let ctx = load(&state, &id).await?;
    require_read(&who, &ctx, &format!("/nodes/{id}/plan"))?;
    let fy = edit_check(&state, &who, &ctx, Phase::Plan).await?;
    let v = plan_values(ctx.node(), fy);
    Ok(Html(plan_form_page(
        &page,
        &ctx,
        fy,
        &v,
        &FieldErrors::default(),
        None,
    )))
}

fn form_version(form: &FormData) -> Result<i64, WebError> {
    form.get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            WebError::BadRequest(
                "version: フォームの版がありません。 The form has no version.".into(),
            )
        })
}

pub(crate) async fn save_plan(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    let (ctx, fy, version) = begin_save(&state, &who, &id, &form, Phase::Plan).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let sn = ctx.node();
    let mut errors = FieldErrors::default();
    let title = form.text("title").unwrap_or_default();
    if title.is_empty() {
        errors.add(
            "title",
            lang.t("名称を入力してください。", "Enter the title."),
        );
    }
    let mut sections_in = Vec::new();
    for i in 0..100 {
        let Some(heading) = form.text(&format!("s{i}_heading")) else {
            break;
        };
        sections_in.push((
            heading,
            form.text(&format!("s{i}_body")).unwrap_or_default(),
        ));
    }
    let targets = read_targets(&form, &sn.targets, fy, &mut errors);
    let mut rows: Vec<TargetRow> = form_rows(&form).into_iter().map(|(_, r, _)| r).collect();
    if rows.iter().all(|r| !r.is_blank()) {
        rows.push(TargetRow {
            year: fy.label(),
            ..TargetRow::default()
        });
    }
    let values = PlanFormValues {
        title: title.clone(),
        subtitle: form.text("subtitle").unwrap_or_default(),
        sections: sections_in.clone(),
        targets: rows,
        version,
    };
    if !errors.is_empty() {
        return Ok(
            unprocessable(plan_form_page(&page, &ctx, fy, &values, &errors, None)).into_response(),
        );
    }
    // Sections of the other phases are kept as they are.
    let mut sections: Vec<Section> = sections_in
        .iter()
        .filter(|(_, b)| !b.is_empty())
        .map(|(h, b)| Section {
            phase: Phase::Plan,
            heading: h.clone(),
            body: b.clone(),
        })
        .collect();
    sections.extend(
        sn.node
            .sections
            .iter()
            .filter(|s| s.phase != Phase::Plan)
            .cloned(),
    );
    let edit = NodeEdit {
        title,
        subtitle: Some(values.subtitle.clone()).filter(|s| !s.is_empty()),
        sections,
        targets: Some(targets),
    };
    let actor = who.login().unwrap_or("?").to_string();
    let saved = state
        .store
        .update_node(&actor, sn.node.id, version, &edit)
        .await;
    answer_save(
        &state,
        &ctx,
        lang,
        Phase::Plan,
        "title",
        saved,
        |ctx, version, errors, banner| {
            let v = PlanFormValues {
                version: version.unwrap_or(values.version),
                ..values.clone()
            };
            plan_form_page(&page, ctx, fy, &v, errors, banner)
        },
    )
    .await
}

// ---------------------------------------------------------------- mid-year review form

#[derive(Clone)]
struct ReviewValues {
    implementation: Option<String>,
    achievement: Option<String>,
    remedy: String,
    version: i64,
}

fn review_form_page(
    page: &Page<'_>,
    ctx: &NodeCtx,
    fy: FiscalYear,
    v: &ReviewValues,
    errors: &FieldErrors,
    banner: Option<Markup>,
) -> String {
    let lang = page.lang;
    let sn = ctx.node();
    let path = format!("/nodes/{}/review", sn.node.id);
    let imp = [
        (
            ImplementationProspect::Expected.code(),
            ImplementationProspect::Expected.label_ja().to_string(),
        ),
        (
            ImplementationProspect::NotExpected.code(),
            ImplementationProspect::NotExpected.label_ja().to_string(),
        ),
    ];
    let ach = [
        (
            AchievementProspect::OnTrack.code(),
            AchievementProspect::OnTrack.label_ja().to_string(),
        ),
        (
            AchievementProspect::OffTrack.code(),
            AchievementProspect::OffTrack.label_ja().to_string(),
        ),
    ];
    let body = html! {
        (node_heading(lang, &ctx.sp, sn))
        h2 { (lang.t("中間振り返りを編集", "Edit the mid-year review")) " (" (fy.label_with_western()) ")" }
        @if let Some(b) = banner { (b) }
        @if !errors.is_empty() { (error_summary(lang, errors)) }
        @if !sn.targets.is_empty() {
            section.context aria-label=(lang.t("目標", "Targets")) {
                p { strong { (lang.t("目標", "Targets")) } }
                ul { @for t in &sn.targets { li { (t.text) } } }
            }
        }
        form method="post" action=(path) novalidate {
            (page.csrf_field())
            input type="hidden" name="version" value=(v.version);
            (radio_group("implementation", lang.t("取組内容の実施見込み", "Will the activities be carried out?"), &imp, v.implementation.as_deref(), errors))
            (radio_group("achievement", lang.t("目標の達成見込み", "Will the target be reached?"), &ach, v.achievement.as_deref(), errors))
            (text_field("remedy", lang.t("課題と改善策", "Issues and remedies"), Some(&v.remedy), errors, Some(5),
                Some(lang.t("「(ii)」または「②」の場合は必須です。", "Required when the answer is (ii) or ②."))))
            button type="submit" { (lang.t("保存する", "Save")) }
            " " a href=(page.href(&format!("/nodes/{}", sn.node.id))) { (lang.t("キャンセル", "Cancel")) }
        }
    };
    page.render(
        lang.t("中間振り返りを編集", "Edit the mid-year review"),
        &path,
        body,
    )
}

pub(crate) async fn review_form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let ctx = load(&state, &id).await?;
    require_read(&who, &ctx, &format!("/nodes/{id}/review"))?;
    let fy = edit_check(&state, &who, &ctx, Phase::Review).await?;
    let sn = ctx.node();
    let r = sn.reviews.iter().find(|r| r.fiscal_year == fy);
    let v = ReviewValues {
        implementation: r
            .and_then(|r| r.implementation)
            .map(|i| i.code().to_string()),
        achievement: r.and_then(|r| r.achievement).map(|a| a.code().to_string()),
        remedy: r.and_then(|r| r.remedy.clone()).unwrap_or_default(),
        version: sn.node.version,
    };
    Ok(Html(review_form_page(
        &page,
        &ctx,
        fy,
        &v,
        &FieldErrors::default(),
        None,
    )))
}

pub(crate) async fn save_review(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    let (ctx, fy, version) = begin_save(&state, &who, &id, &form, Phase::Review).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let values = ReviewValues {
        implementation: form.text("implementation"),
        achievement: form.text("achievement"),
        remedy: form.text("remedy").unwrap_or_default(),
        version,
    };
    let mut errors = FieldErrors::default();
    let implementation = values
        .implementation
        .as_deref()
        .and_then(ImplementationProspect::from_code);
    let achievement = values
        .achievement
        .as_deref()
        .and_then(AchievementProspect::from_code);
    if implementation.is_none() {
        errors.add(
            "implementation",
            lang.t("実施見込みを選んでください。", "Choose an answer."),
        );
    }
    if achievement.is_none() {
        errors.add(
            "achievement",
            lang.t("達成見込みを選んでください。", "Choose an answer."),
        );
    }
    let review = Review {
        fiscal_year: fy,
        implementation,
        achievement,
        remedy: Some(values.remedy.clone()).filter(|r| !r.is_empty()),
    };
    for v in review.violations() {
        errors.add(v.field, lang.t(v.message_ja, v.message_en));
    }
    if !errors.is_empty() {
        return Ok(
            unprocessable(review_form_page(&page, &ctx, fy, &values, &errors, None))
                .into_response(),
        );
    }
    let actor = who.login().unwrap_or("?").to_string();
    let node_id = ctx.node().node.id;
    let saved = state
        .store
        .set_review(&actor, node_id, version, &review)
        .await;
    answer_save(
        &state,
        &ctx,
        lang,
        Phase::Review,
        "remedy",
        saved,
        |ctx, version, errors, banner| {
            let v = ReviewValues {
                version: version.unwrap_or(values.version),
                ..values.clone()
            };
            review_form_page(&page, ctx, fy, &v, errors, banner)
        },
    )
    .await
}

// ---------------------------------------------------------------- year-end evaluation form

#[derive(Debug, Clone, Default)]
struct ActualRow {
    indicator: String,
    value: String,
    unit: String,
}

#[derive(Clone)]
struct EvaluationValues {
    results: String,
    stated: Option<String>,
    remedy: String,
    explanation: String,
    actuals: Vec<ActualRow>,
    version: i64,
}

fn evaluation_form_page(
    page: &Page<'_>,
    ctx: &NodeCtx,
    fy: FiscalYear,
    v: &EvaluationValues,
    errors: &FieldErrors,
    banner: Option<Markup>,
    computed_now: Option<&kpi::NodeEvaluation>,
) -> String {
    let lang = page.lang;
    let sn = ctx.node();
    let path = format!("/nodes/{}/evaluation", sn.node.id);
    let stated = [
        (
            Judgment::Achieved.code(),
            format!("① {}", Judgment::Achieved.label_ja()),
        ),
        (
            Judgment::NotAchieved.code(),
            format!("② {}", Judgment::NotAchieved.label_ja()),
        ),
        (
            Judgment::Undetermined.code(),
            Judgment::Undetermined.label_ja().to_string(),
        ),
    ];
    let body = html! {
        (node_heading(lang, &ctx.sp, sn))
        h2 { (lang.t("自己評価を編集", "Edit the year-end evaluation")) " (" (fy.label_with_western()) ")" }
        @if let Some(b) = banner { (b) }
        @if !errors.is_empty() { (error_summary(lang, errors)) }
        @if !sn.targets.is_empty() {
            section.context aria-label=(lang.t("目標", "Targets")) {
                p { strong { (lang.t("目標", "Targets")) } }
                ul { @for t in &sn.targets { li { (t.text) } } }
            }
        }
        @if let Some(c) = computed_now {
            p.notice role="status" {
                (lang.t("数値からの判定", "From the figures")) ": " strong { (judgment_label(lang, c.judgment.judgment)) }
                @if lang == Lang::Ja && !c.judgment.reason_ja.is_empty() { "（" (c.judgment.reason_ja) "）" }
            }
        }
        form method="post" action=(path) novalidate {
            (page.csrf_field())
            input type="hidden" name="version" value=(v.version);
            (text_field("results", lang.t("当年度の取組実績及び目標の達成状況", "Results of the year"), Some(&v.results), errors, Some(5), None))
            fieldset.targets {
                legend { (lang.t("実績値（目標と同じ指標・単位で）", "Actual figures (same indicator and unit as the target)")) }
                @for (i, a) in v.actuals.iter().enumerate() {
                    div.target-row role="group" aria-label={ (lang.t("実績", "Actual")) " " (i + 1) } {
                        @for (name, label, value, width) in [
                            ("indicator", lang.t("指標", "Indicator"), &a.indicator, "wide"),
                            ("value", lang.t("実績値", "Value"), &a.value, "narrow"),
                            ("unit", lang.t("単位", "Unit"), &a.unit, "narrow"),
                        ] {
                            @let f = format!("a{i}_{name}");
                            @let err = errors.get(&f);
                            div class={ "field " (width) @if err.is_some() { " has-error" } } {
                                label for={ "f-" (f) } { (label) }
                                @if let Some(e) = err { p.error id={ "f-" (f) "-err" } role="alert" { (e) } }
                                input type="text" id={ "f-" (f) } name=(f) value=(value)
                                    aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| format!("f-{f}-err"))];
                            }
                        }
                    }
                }
            }
            (radio_group("stated", lang.t("評価", "Judgment"), &stated, v.stated.as_deref(), errors))
            (text_field("explanation", lang.t("判定の理由（数値からの判定と異なる場合は必須）", "Why the judgment differs from the figures (required when it does)"), Some(&v.explanation), errors, Some(3), None))
            (text_field("remedy", lang.t("課題と改善策", "Issues and remedies"), Some(&v.remedy), errors, Some(5),
                Some(lang.t("「②目標未達成」の場合は必須です。", "Required when the target was not achieved (②)."))))
            button type="submit" { (lang.t("保存する", "Save")) }
            " " a href=(page.href(&format!("/nodes/{}", sn.node.id))) { (lang.t("キャンセル", "Cancel")) }
        }
    };
    page.render(
        lang.t("自己評価を編集", "Edit the year-end evaluation"),
        &path,
        body,
    )
}

fn actual_rows(sn: &StoredNode, fy: FiscalYear) -> Vec<ActualRow> {
    let mut rows: Vec<ActualRow> = sn
        .actuals
        .iter()
        .filter(|a| a.fiscal_year == Some(fy) && a.value.is_some())
        .map(|a| ActualRow {
            indicator: a
                .text
                .rsplit_once(' ')
                .map(|(i, _)| i.to_string())
                .unwrap_or_default(),
            value: a.value.map(fmt_number).unwrap_or_default(),
            unit: a.measure_unit.clone().unwrap_or_default(),
        })
        .collect();
    // One empty row per target without an actual, prefilled with its indicator and unit.
    for t in &sn.targets {
        if rows.len() >= sn.targets.len().max(1) {
            break;
        }
        let row = TargetRow::from_target(t, Some(fy));
        if !rows.iter().any(|r| r.indicator == row.indicator) {
            rows.push(ActualRow {
                indicator: row.indicator,
                value: String::new(),
                unit: row.unit,
            });
        }
    }
    rows.push(ActualRow::default());
    rows
}

pub(crate) async fn evaluation_form(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let ctx = load(&state, &id).await?;
    require_read(&who, &ctx, &format!("/nodes/{id}/evaluation"))?;
    let fy = edit_check(&state, &who, &ctx, Phase::Evaluation).await?;
    let sn = ctx.node();
    let e = sn.evaluations.iter().find(|e| e.fiscal_year == fy);
    let v = EvaluationValues {
        results: e.map(|e| e.results.clone()).unwrap_or_default(),
        stated: e.map(|e| e.stated.code().to_string()),
        remedy: e.and_then(|e| e.remedy.clone()).unwrap_or_default(),
        explanation: e.and_then(|e| e.explanation.clone()).unwrap_or_default(),
        actuals: actual_rows(sn, fy),
        version: sn.node.version,
    };
    let refs = References::load_all(&state.store, ctx.sp.plan.unit_id).await?;
    let c = e.map(|e| refs.judge(sn, e));
    Ok(Html(evaluation_form_page(
        &page,
        &ctx,
        fy,
        &v,
        &FieldErrors::default(),
        None,
        c.as_ref(),
    )))
}

pub(crate) async fn save_evaluation(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    let (ctx, fy, version) = begin_save(&state, &who, &id, &form, Phase::Evaluation).await?;
    let page = Page {
        lang: q.lang(),
        who: &who,
    };
    let lang = page.lang;
    let mut rows = Vec::new();
    for i in 0..100 {
        if form.get(&format!("a{i}_value")).is_none() {
            break;
        }
        let g = |f: &str| form.text(&format!("a{i}_{f}")).unwrap_or_default();
        rows.push(ActualRow {
            indicator: g("indicator"),
            value: g("value"),
            unit: g("unit"),
        });
    }
    let values = EvaluationValues {
        results: form.text("results").unwrap_or_default(),
        stated: form.text("stated"),
        remedy: form.text("remedy").unwrap_or_default(),
        explanation: form.text("explanation").unwrap_or_default(),
        actuals: rows.clone(),
        version,
    };
    let mut errors = FieldErrors::default();
    if values.results.is_empty() {
        errors.add(
            "results",
            lang.t(
                "取組実績を入力してください。",
                "Describe the results of the year.",
            ),
        );
    }
    let stated = values.stated.as_deref().and_then(Judgment::from_code);
    if stated.is_none() {
        errors.add(
            "stated",
            lang.t("評価を選んでください。", "Choose the judgment."),
        );
    }
    let mut actuals = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.value.is_empty() {
            continue;
        }
        let Some(value) = parse_number(&r.value) else {
            errors.add(
                &format!("a{i}_value"),
                format!("「{}」は数値として読めません。 Not a number.", r.value),
            );
            continue;
        };
        let text = format!(
            "{} {}{}",
            r.indicator.trim(),
            fmt_number(value),
            r.unit.trim()
        )
        .trim()
        .to_string();
        actuals.push(Actual {
            indicator_id: None,
            fiscal_year: Some(fy),
            value: Some(value),
            measure_unit: Some(r.unit.clone()).filter(|u| !u.is_empty()),
            as_of: None::<Date>,
            text,
        });
    }
    let evaluation = Evaluation {
        fiscal_year: fy,
        results: values.results.clone(),
        stated: stated.unwrap_or(Judgment::Undetermined),
        remedy: Some(values.remedy.clone()).filter(|r| !r.is_empty()),
        explanation: Some(values.explanation.clone()).filter(|r| !r.is_empty()),
    };
    if stated.is_some() {
        for v in evaluation.violations() {
            errors.add(v.field, lang.t(v.message_ja, v.message_en));
        }
    }
    let sn = ctx.node();
    // Judged as it will be stored: this year's actuals replaced by the form's.
    let mut next = sn.clone();
    next.actuals
        .retain(|a| a.fiscal_year.is_some_and(|f| f != fy));
    next.actuals.extend(actuals.iter().cloned());
    let refs = References::load_all(&state.store, ctx.sp.plan.unit_id).await?;
    let c = refs.judge(&next, &evaluation);
    if stated.is_some() && evaluation.explanation.is_none() {
        if let Some(f) = c
            .findings
            .iter()
            .find(|f| f.code == "judgment_contradicts_figures")
        {
            errors.add(
                "explanation",
                format!(
                    "{} {}",
                    lang.t(&f.message_ja, &f.message_en),
                    lang.t("判定の理由を記入してください。", "Explain the judgment.")
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Ok(unprocessable(evaluation_form_page(
            &page,
            &ctx,
            fy,
            &values,
            &errors,
            None,
            Some(&c),
        ))
        .into_response());
    }
    let actor = who.login().unwrap_or("?").to_string();
    let node_id = sn.node.id;
    let saved = state
        .store
        .set_evaluation(&actor, node_id, version, &evaluation, Some(&actuals))
        .await;
    answer_save(
        &state,
        &ctx,
        lang,
        Phase::Evaluation,
        "results",
        saved,
        |ctx, version, errors, banner| {
            let v = EvaluationValues {
                version: version.unwrap_or(values.version),
                ..values.clone()
            };
            // Beside a stale save, what is stored now is shown instead of this judgment.
            let now = if banner.is_none() { Some(&c) } else { None };
            evaluation_form_page(&page, ctx, fy, &v, errors, banner, now)
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_targets_read_back_as_the_same_figures() {
        let fy = FiscalYear::new(2025).unwrap();
        for (ind, v, unit, cmp) in [
            ("窓口サービスの満足度", 90.0, "%", Comparator::AtLeast),
            ("待ち時間", 30.0, "分", Comparator::AtMost),
            ("講座の参加者数", 1200.0, "人", Comparator::AtLeast),
        ] {
            let s = target_sentence(ind, Some(fy), v, unit, cmp);
            let read = kpi::read_targets(&s, Some(fy));
            assert_eq!(read.len(), 1, "{s}");
            let t = &read[0];
            assert_eq!(t.indicator.as_deref(), Some(ind), "{s}");
            assert_eq!(t.value, Some(v), "{s}");
            assert!(
                t.fiscal_year.as_ref().is_some_and(|y| y.contains(2025)),
                "{s}"
            );
        }
        assert_eq!(
            target_sentence("満足度", Some(fy), 90.0, "%", Comparator::AtLeast),
            "満足度 令和7年度 90%以上"
        );
    }
}
