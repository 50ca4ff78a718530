//! The read-only item sheet (GET /nodes/{id}) and the pieces of it the forms reuse.

use super::{load, phase_open, require_read};
use crate::auth::Who;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::layout::{period_label, Page};
use crate::pages::{judgment_badge, mark_label, phase_en};
use crate::policy::{allow, Action};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use kusei_app::judge::References;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{Phase, Section};
use kusei_kpi as kpi;
use kusei_store::{StoredNode, StoredPlan};
use maud::{html, Markup};
use serde::Deserialize;

pub(super) fn judgment_label(lang: Lang, j: Judgment) -> &'static str {
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
                            dt { (lang.t("取組内容の実施見込み", "Will the activities be carried out?")) " (" (crate::layout::fy_label(lang, r.fiscal_year)) ")" }
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
                            dt { (lang.t("当年度の取組実績及び目標の達成状況", "Results of the year")) " (" (crate::layout::fy_label(lang, e.fiscal_year)) ")" }
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

pub(crate) fn node_heading(lang: Lang, sp: &StoredPlan, sn: &StoredNode) -> Markup {
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
    if require_read(&who, &ctx, &path).is_err() {
        return public_item(&state, &page, &ctx, &path).await;
    }
    let sn = ctx.node();
    // The schedule and the unit's earlier results are read once for the three phases.
    let windows = state.store.windows(ctx.municipality).await?;
    let refs = References::load_all(&state.store, ctx.sp.plan.unit_id).await?;
    let today = state.clock.today_jst();
    // The series of each indicator this item measures, in this unit.
    let mut indicator_ids: Vec<kusei_domain::model::IndicatorId> = sn
        .targets
        .iter()
        .filter_map(|t| t.indicator_id)
        .chain(sn.actuals.iter().filter_map(|a| a.indicator_id))
        .collect();
    indicator_ids.sort_by_key(|i| i.0);
    indicator_ids.dedup();
    let mut series = Vec::new();
    for id in indicator_ids {
        if let Some(ind) = state.store.get_indicator(id).await? {
            let points = state
                .store
                .indicator_series_of_unit(id, ctx.sp.plan.unit_id)
                .await?;
            series.push((ind, own_years(points, sn, id, ctx.sp.plan.period)));
        }
    }
    let mut phases = Vec::new();
    for (phase, slug) in [
        (Phase::Plan, "plan"),
        (Phase::Review, "review"),
        (Phase::Evaluation, "evaluation"),
    ] {
        // A phase the city's form of this family does not have is not offered at all.
        if ctx.forms.uses(ctx.sp.plan.family, phase) {
            phases.push((phase, slug, phase_open(&who, &ctx, phase, &windows, today)));
        }
    }
    // The items before and after this one in the plan's order (its primary place).
    let order: Vec<&kusei_store::StoredNode> = ctx
        .sp
        .tree_rows()
        .into_iter()
        .filter(|r| r.kind == kusei_domain::model::LinkKind::Primary)
        .map(|r| &ctx.sp.nodes[r.node])
        .collect();
    let at = order.iter().position(|n| n.node.id == sn.node.id);
    let prev = at.and_then(|i| i.checked_sub(1)).and_then(|i| order.get(i));
    let next = at.and_then(|i| order.get(i + 1));
    let item_text = |n: &kusei_store::StoredNode| {
        let mut t = n.node.level.clone();
        if let Some(num) = &n.node.number {
            t.push(' ');
            t.push_str(num);
        }
        format!("{t} {}", n.node.title)
    };
    let pager = html! {
        nav.pager aria-label=(lang.t("前後の項目", "Previous and next items")) {
            @if let Some(p) = prev {
                a rel="prev" href=(page.href(&format!("/nodes/{}", p.node.id))) { "← " (lang.t("前の項目: ", "Previous: ")) (item_text(p)) }
            } @else { span {} }
            a href=(page.href(&format!("/plans/{}", ctx.sp.plan.id.0))) { (lang.t("計画の目次", "The plan's contents")) }
            @if let Some(n) = next {
                a rel="next" href=(page.href(&format!("/nodes/{}", n.node.id))) { (lang.t("次の項目: ", "Next: ")) (item_text(n)) " →" }
            } @else { span {} }
        }
    };
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
            @let same_refusal = phases.iter().all(|(_, _, c)| c.is_err())
                && phases.windows(2).all(|w| match (&w[0].2, &w[1].2) {
                    (Err(a), Err(b)) => a.ja() == b.ja(),
                    _ => false,
                });
            @if same_refusal {
                @if let Some((_, _, Err(why))) = phases.first() { p.muted { (lang.t(&why.ja(), &why.en())) } }
            }
            ul {
                @for (phase, slug, check) in phases.iter().filter(|_| !same_refusal) {
                    li {
                        @match check {
                            Ok(fy) => {
                                a href=(page.href(&format!("{path}/{slug}"))) {
                                    (lang.t(phase.label_ja(), phase_en(*phase))) (lang.t("を編集", ": edit"))
                                }
                                " (" (crate::layout::fy_label(lang, *fy)) ")"
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
        @if !series.is_empty() {
            section.series aria-labelledby="series-h" {
                h2 id="series-h" { (lang.t("指標の推移", "Indicators over the years")) }
                @for (ind, points) in &series {
                    (series_view(lang, ind, points))
                }
            }
        }
        (crate::council::item_section(
            &state,
            &page,
            sn.node.id,
            ctx.sp.plan.unit_id,
            allow(&who.grants(), &ctx.tree, Action::ReadCouncil { ward: ctx.sp.plan.unit_id }).is_ok(),
            allow(&who.grants(), &ctx.tree, Action::Comment { plan_unit: ctx.sp.plan.unit_id })
                .is_ok()
                .then_some(ctx.sp.plan.id),
        )
        .await?)
        (pager)
    };
    Ok(Html(page.render(&sn.node.title, &path, body)))
}

/// The public page of an item: the item as its plan's latest published version has it,
/// with the council's published opinions and answers. Not published: not found.
async fn public_item(
    state: &AppState,
    page: &Page<'_>,
    ctx: &super::NodeCtx,
    path: &str,
) -> Result<Html<String>, WebError> {
    let lang = page.lang;
    let id = ctx.node().node.id;
    let published = state
        .store
        .published_plan(ctx.sp.plan.id, None)
        .await?
        .ok_or_else(|| WebError::NotFound(path.to_string()))?;
    let sn = published
        .nodes
        .iter()
        .find(|n| n.node.id == id)
        .ok_or_else(|| WebError::NotFound(path.to_string()))?;
    let refs = References::load_all(&state.store, published.plan.unit_id).await?;
    let body = html! {
        (node_heading(lang, &published, sn))
        (phases_view(lang, sn, &refs))
        (crate::council::item_section(state, page, id, published.plan.unit_id, false, None).await?)
        p { a href={ (page.href(&format!("/plans/{}", published.plan.id.0))) "#node-" (id.0) } { (lang.t("計画の中で見る", "See it in its plan")) } }
    };
    Ok(Html(page.render(&sn.node.title, path, body)))
}

/// The unit's series of an indicator with the years of this plan showing this item's own
/// figures: another item of the unit measuring the same indicator in the same year has
/// its own page (earlier years are the unit's, as the history holds them).
fn own_years(
    mut points: Vec<kusei_store::SeriesPoint>,
    sn: &kusei_store::StoredNode,
    id: kusei_domain::model::IndicatorId,
    period: kusei_domain::model::Period,
) -> Vec<kusei_store::SeriesPoint> {
    let max = |a: Option<f64>, b: f64| Some(a.map_or(b, |a| a.max(b)));
    for p in &mut points {
        if p.fiscal_year < period.start || p.fiscal_year > period.end {
            continue;
        }
        p.target = None;
        p.actual = None;
        for t in sn.targets.iter().filter(|t| t.indicator_id == Some(id)) {
            if let (Some(v), Some(per)) = (t.value, t.period) {
                if per.end == p.fiscal_year {
                    p.target = max(p.target, v);
                }
            }
        }
        for a in sn.actuals.iter().filter(|a| a.indicator_id == Some(id)) {
            if let (Some(v), Some(fy), None) = (a.value, a.fiscal_year, a.as_of) {
                if fy == p.fiscal_year {
                    p.actual = max(p.actual, v);
                }
            }
        }
    }
    points.retain(|p| p.target.is_some() || p.actual.is_some());
    points
}

/// One indicator's targets and actuals by year, in its unit as written: a small chart
/// (target dashed, actual solid) and the same figures as a table, which is what a
/// screen reader reads.
fn series_view(
    lang: Lang,
    ind: &kusei_domain::model::Indicator,
    points: &[kusei_store::SeriesPoint],
) -> Markup {
    let factor = kpi::Unit::factor(&ind.unit);
    let shown = |v: Option<f64>| v.map(|v| v / factor);
    type Row = (String, Option<f64>, Option<f64>);
    let rows: Vec<Row> = points
        .iter()
        .map(|p| (p.fiscal_year.label(), shown(p.target), shown(p.actual)))
        .collect();
    let max = rows
        .iter()
        .flat_map(|r| [r.1, r.2])
        .flatten()
        .fold(0.0_f64, f64::max);
    let (w, h, pad) = (320.0_f64, 120.0_f64, 16.0_f64);
    let n = rows.len().max(1);
    #[allow(clippy::cast_precision_loss)]
    let x = |i: usize| {
        pad + (w - 2.0 * pad)
            * if n == 1 {
                0.5
            } else {
                i as f64 / (n - 1) as f64
            }
    };
    let y = |v: f64| h - pad - (h - 2.0 * pad) * if max > 0.0 { v / max } else { 0.0 };
    let line = |pick: fn(&Row) -> Option<f64>| -> String {
        rows.iter()
            .enumerate()
            .filter_map(|(i, r)| pick(r).map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let targets = line(|r| r.1);
    let actuals = line(|r| r.2);
    let fmt = |v: Option<f64>| {
        v.map(kusei_report::plain_number)
            .unwrap_or_else(|| "—".into())
    };
    html! {
        figure.series {
            figcaption { (ind.name) " (" (ind.unit) ")" }
            @if rows.len() > 1 {
                svg width=(w) height=(h) viewBox={ "0 0 " (w) " " (h) } role="img"
                    aria-label=(lang.t("目標（破線）と実績（実線）の推移。数値は下の表のとおり。", "Target (dashed) and actual (solid) over the years; the figures are in the table below.")) {
                    line x1=(pad) y1=(h - pad) x2=(w - pad) y2=(h - pad) stroke="#767676" stroke-width="1" {}
                    @if !targets.is_empty() {
                        polyline points=(targets) fill="none" stroke="#555555" stroke-width="2" stroke-dasharray="5 4" {}
                    }
                    @if !actuals.is_empty() {
                        polyline points=(actuals) fill="none" stroke="#0b5cad" stroke-width="2" {}
                    }
                }
            }
            table {
                caption { (ind.name) (lang.t("の目標と実績", ": targets and actuals")) }
                thead { tr {
                    th scope="col" { (lang.t("年度", "Fiscal year")) }
                    th scope="col" { (lang.t("目標", "Target")) }
                    th scope="col" { (lang.t("実績", "Actual")) }
                } }
                tbody {
                    @for (year, t, a) in &rows {
                        tr { th scope="row" { (year) } td { (fmt(*t)) } td { (fmt(*a)) } }
                    }
                }
            }
        }
    }
}

/// A stale save: the message, the user's text kept in the form, and what is stored now.
pub(super) fn conflict_banner(
    lang: Lang,
    current: &StoredNode,
    phase: Phase,
    refs: &References,
) -> Markup {
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
