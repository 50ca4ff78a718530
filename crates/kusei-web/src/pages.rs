//! HTML pages (maud: checked at compile time, escapes every interpolated string).

use crate::error::WebError;
use crate::i18n::{Lang, LangQuery};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse};
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{LinkKind, Phase, PlanId};
use kusei_store::{StoredNode, StoredPlan};
use maud::{html, Markup, DOCTYPE};

fn layout(lang: Lang, title: &str, path: &str, body: Markup) -> String {
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | " (lang.t("区政 Kusei", "Kusei")) }
                link rel="stylesheet" href="/static/kusei.css";
            }
            body {
                a.skip-link href="#main" { (lang.t("本文へ移動", "Skip to content")) }
                header.site {
                    a.brand href={ "/?lang=" (lang.code()) } { (lang.t("区政 Kusei", "Kusei 区政")) }
                    nav aria-label=(lang.t("サイト", "Site")) {
                        ul {
                            li { a href={ "/?lang=" (lang.code()) } { (lang.t("計画一覧", "Plans")) } }
                            li {
                                a href={ (path) "?lang=" (other.code()) } lang=(other.code()) hreflang=(other.code()) {
                                    (other.t("日本語", "English"))
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
                footer.site {
                    p { (lang.t("区政運営のPDCAを支えるシステム", "The system for ward management plans and their PDCA cycle")) }
                }
            }
        }
    }
    .into_string()
}

/// A page with only a heading and a sentence (errors, not found).
pub(crate) fn message_page(lang: Lang, heading: &str, text: &str) -> String {
    layout(
        lang,
        heading,
        "/",
        html! { h1 { (heading) } p { (text) } p { a href="/" { (lang.t("計画一覧へ", "Back to plans")) } } },
    )
}

pub(crate) async fn not_found(uri: Uri) -> impl IntoResponse {
    tracing::debug!(path = %uri.path(), "no route");
    (
        StatusCode::NOT_FOUND,
        Html(message_page(
            Lang::Ja,
            "ページが見つかりません / Page not found",
            "お探しのページは存在しないか、移動しました。 The page you asked for does not exist.",
        )),
    )
}

fn judgment_badge(lang: Lang, j: Judgment) -> Markup {
    html! { span class={ "badge " (j.code()) } { (lang.t(j.label_ja(), j.label_en())) } }
}

/// Home: municipalities → units → plans.
pub(crate) async fn home(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let lang = q.lang();
    let store = &state.store;
    let plans = store.list_plans(None, None).await?;
    let mut sections = Vec::new();
    for m in store.list_municipalities().await? {
        let units = store.list_units(m.id).await?;
        sections.push((m, units));
    }
    let body = html! {
        h1 { (lang.t("区政運営方針・計画", "Management plans")) }
        @if sections.is_empty() {
            p { (lang.t("まだ自治体が登録されていません。", "No municipality has been set up yet.")) }
        }
        @for (m, units) in &sections {
            section aria-labelledby={ "m-" (m.id) } {
                h2 #{ "m-" (m.id) } {
                    (m.name)
                    @if m.is_sample { span.badge.sample { (lang.t("サンプル", "sample")) } }
                }
                @for u in units {
                    @let unit_plans: Vec<_> = plans.iter().filter(|p| p.plan.unit_id == u.id).collect();
                    @if !unit_plans.is_empty() || u.parent_id.is_none() || u.kind == kusei_domain::model::UnitKind::Ward {
                        h3 { (u.name) " " span.muted { "(" (u.kind.label_ja()) ")" } }
                        @if unit_plans.is_empty() {
                            p.muted { (lang.t("計画はまだありません。", "No plans yet.")) }
                        } @else {
                            table {
                                caption.muted { (u.name) " — " (lang.t("計画", "plans")) }
                                thead { tr {
                                    th scope="col" { (lang.t("年度", "Fiscal year")) }
                                    th scope="col" { (lang.t("計画", "Plan")) }
                                    th scope="col" { (lang.t("様式", "Form")) }
                                    th scope="col" { (lang.t("状態", "Status")) }
                                    th scope="col" { (lang.t("項目数", "Items")) }
                                } }
                                tbody {
                                    @for p in unit_plans {
                                        tr {
                                            td { (period_label(lang, &p.plan.period)) }
                                            td {
                                                a href={ "/plans/" (p.plan.id) "?lang=" (lang.code()) } { (p.plan.title) }
                                                @if p.plan.is_sample { span.badge.sample { (lang.t("サンプル", "sample")) } }
                                            }
                                            td { (p.plan.family.label_ja()) }
                                            td { (p.plan.status.label_ja()) }
                                            td { (p.node_count) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Html(layout(lang, lang.t("計画一覧", "Plans"), "/", body)))
}

fn period_label(lang: Lang, p: &kusei_domain::model::Period) -> String {
    match lang {
        Lang::Ja => {
            if p.start == p.end {
                p.start.label_with_western()
            } else {
                format!("{} ({}–{}年度)", p, p.start.year(), p.end.year())
            }
        }
        Lang::En => {
            if p.start == p.end {
                format!("FY{} ({})", p.start.year(), p.start.label())
            } else {
                format!("FY{}–{} ({})", p.start.year(), p.end.year(), p)
            }
        }
    }
}

/// A plan as its tree: every node with its texts and its PDCA phases.
pub(crate) async fn plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Html<String>, WebError> {
    let lang = q.lang();
    let id: i64 = id
        .parse()
        .map_err(|_| WebError::NotFound(format!("plan {id:?}")))?;
    let stored = state.store.load_plan(PlanId(id)).await?;
    let path = format!("/plans/{id}");
    let title = stored.plan.title.clone();
    Ok(Html(layout(lang, &title, &path, plan_body(lang, &stored))))
}

fn plan_body(lang: Lang, sp: &StoredPlan) -> Markup {
    let rows = sp.tree_rows();
    let p = &sp.plan;
    html! {
        p.muted { (sp.unit_name) " · " (period_label(lang, &p.period)) " · " (p.family.label_ja()) }
        h1 {
            (p.title)
            @if p.is_sample { span.badge.sample { (lang.t("サンプル", "sample")) } }
        }
        @if p.is_sample {
            p.notice { (lang.t(
                "これは Kusei が作成した架空のサンプルです。実在の計画ではありません。",
                "This is a fictitious sample written by Kusei, not a real plan.")) }
        }
        dl {
            dt { (lang.t("状態", "Status")) } dd { (p.status.label_ja()) " (" (lang.t("版", "version")) " " (p.version) ")" }
            dt { (lang.t("階層", "Levels")) } dd { (p.level_names.join(" → ")) }
        }
        @if rows.is_empty() {
            p { (lang.t("この計画にはまだ項目がありません。", "This plan has no items yet.")) }
        }
        nav aria-label=(lang.t("目次", "Contents")) {
            h2 { (lang.t("目次", "Contents")) }
            ul {
                @for row in rows.iter().filter(|r| r.kind == LinkKind::Primary && r.depth < 2) {
                    @let n = &sp.nodes[row.node].node;
                    li class={ "depth-" (row.depth) } {
                        a href={ "#node-" (n.id) } {
                            @if let Some(num) = &n.number { (n.level) " " (num) " " }
                            (n.title)
                        }
                    }
                }
            }
        }
        h2 { (lang.t("計画の内容", "The plan")) }
        @for row in &rows {
            @let sn = &sp.nodes[row.node];
            @if row.kind == LinkKind::Repeat {
                p class={ "repeat depth-" (row.depth.min(6)) } {
                    "（" (lang.t("再掲", "listed again")) "） "
                    a href={ "#node-" (sn.node.id) } { (sn.node.title) }
                }
            } @else {
                (node_view(lang, sn, row.depth))
            }
        }
    }
}

fn heading_level(depth: usize) -> usize {
    (depth + 3).min(6)
}

fn node_view(lang: Lang, sn: &StoredNode, depth: usize) -> Markup {
    let n = &sn.node;
    let h = heading_level(depth);
    let heading = html! {
        span.level { (n.level) }
        @if let Some(num) = &n.number { span.number { (num) } }
        @for m in &n.marks { span.marks aria-label=(mark_label(lang, m)) { (m) } }
        (n.title)
    };
    html! {
        article class={ "node level-" (depth) " depth-" (depth.min(6)) } id={ "node-" (n.id) } aria-labelledby={ "node-" (n.id) "-h" } {
            @match h {
                3 => h3 id={ "node-" (n.id) "-h" } { (heading) },
                4 => h4 id={ "node-" (n.id) "-h" } { (heading) },
                5 => h5 id={ "node-" (n.id) "-h" } { (heading) },
                _ => h6 id={ "node-" (n.id) "-h" } { (heading) },
            }
            @if let Some(sub) = &n.subtitle { p.subtitle { (sub) } }
            @for phase in [Phase::Plan, Phase::Review, Phase::Evaluation] {
                @let secs: Vec<_> = n.sections.iter().filter(|s| s.phase == phase).collect();
                @let has_review = phase == Phase::Review && !sn.reviews.is_empty();
                @let has_eval = phase == Phase::Evaluation && !sn.evaluations.is_empty();
                @let has_targets = phase == Phase::Plan && !sn.targets.is_empty();
                @if !secs.is_empty() || has_review || has_eval || has_targets {
                    section.phase aria-label=(lang.t(phase.label_ja(), phase_en(phase))) {
                        p { strong { (lang.t(phase.label_ja(), phase_en(phase))) } }
                        dl {
                            @for s in &secs { dt { (s.heading) } dd { (s.body) } }
                            @if has_targets {
                                dt { (lang.t("目標", "Targets")) }
                                dd { ul { @for t in &sn.targets { li { (t.text) } } } }
                            }
                            @if has_review {
                                @for r in &sn.reviews {
                                    dt { (lang.t("取組内容の実施見込み", "Will the activities be carried out?")) }
                                    dd { (r.implementation.map_or(lang.t("未記入", "not answered"), |i| i.label_ja())) }
                                    dt { (lang.t("目標の達成見込み", "Will the target be reached?")) }
                                    dd { (r.achievement.map_or(lang.t("未記入", "not answered"), |a| a.label_ja())) }
                                    @if let Some(rem) = &r.remedy { dt { (lang.t("課題と改善策", "Issues and remedies")) } dd { (rem) } }
                                }
                            }
                            @if has_eval {
                                @for e in &sn.evaluations {
                                    dt { (lang.t("当年度の取組実績及び目標の達成状況", "Results of the year")) " (" (e.fiscal_year.label()) ")" }
                                    dd { (e.results) }
                                    dt { (lang.t("評価", "Judgment")) }
                                    dd { (judgment_badge(lang, e.stated)) }
                                    @if let Some(rem) = &e.remedy { dt { (lang.t("課題と改善策", "Issues and remedies")) } dd { (rem) } }
                                }
                            }
                        }
                    }
                }
            }
            @if !sn.milestones.is_empty() {
                section.phase aria-label=(lang.t("主な実績", "Main results")) {
                    p { strong { (lang.t("主な実績", "Main results")) } }
                    ul { @for m in &sn.milestones { li { (m.text) } } }
                }
            }
        }
    }
}

fn phase_en(p: Phase) -> &'static str {
    match p {
        Phase::Plan => "Plan",
        Phase::Review => "Mid-year review",
        Phase::Evaluation => "Year-end evaluation",
    }
}

fn mark_label(lang: Lang, mark: &str) -> String {
    match mark {
        "☆" => lang
            .t("☆（重点実施予定）", "☆ (scheduled priority)")
            .to_string(),
        other => other.to_string(),
    }
}
