//! A plan's progress: every item × phase (計画 / 中間振り返り / 自己評価) as 未入力 /
//! 入力済み / 改善策が必要 / 確認事項あり, filterable by 担当, each cell a link to the
//! form that fills it (`/plans/{id}/progress?owner=&year=`).

use crate::auth::Who;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::layout::Page;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use kusei_app::judge::{progress, Progress, References};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{Phase, UnitId};
use maud::html;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ProgressQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    year: Option<String>,
}

/// GET /plans/{id}/progress
pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<ProgressQuery>,
) -> Result<Html<String>, WebError> {
    let lang = q.lang.unwrap_or_default();
    let (sp, below, _) = crate::structure::load(&state, &who, &id, lang).await?;
    let page = Page { lang, who: &who };
    let period = sp.plan.period;
    let this_year = state.clock.today_jst().fiscal_year();
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.parse::<FiscalYear>().ok())
        .filter(|y| period.start <= *y && *y <= period.end)
        .unwrap_or(if period.start <= this_year && this_year <= period.end {
            this_year
        } else {
            period.start
        });
    let owner = q
        .owner
        .as_deref()
        .and_then(|o| o.parse::<i64>().ok())
        .map(UnitId);
    let refs = References::load(&state.store, sp.plan.unit_id, year).await?;
    let before = refs.before(year);
    // The phases the city's form of this family has (its form settings).
    let unit = state.store.get_unit(sp.plan.unit_id).await?;
    let forms = kusei_app::forms::settings(&state.store, unit.municipality_id).await?;
    let used: Vec<usize> = [Phase::Plan, Phase::Review, Phase::Evaluation]
        .iter()
        .enumerate()
        .filter(|(_, p)| forms.uses(sp.plan.family, **p))
        .map(|(i, _)| i)
        .collect();
    // The items that go through the year's forms; the others are headings, shown for
    // their place in the tree when nothing is filtered.
    let rows: Vec<_> = kusei_app::judge::tracked_items(&sp)
        .into_iter()
        .filter_map(|(index, depth, tracked)| {
            let sn = &sp.nodes[index];
            let shown = owner.is_none_or(|o| sn.node.owner_unit_id == Some(o));
            match (tracked, shown) {
                (true, true) => Some((sn, depth, Some(progress(sn, year, &before)))),
                (false, _) if owner.is_none() => Some((sn, depth, None)),
                _ => None,
            }
        })
        .collect();
    let open: usize = rows
        .iter()
        .filter_map(|(_, _, p)| p.as_ref())
        .map(|p| used.iter().filter(|i| p[**i] != Progress::Done).count())
        .sum();
    let tracked = rows.iter().filter(|(_, _, p)| p.is_some()).count();
    let owner_name = |u: Option<UnitId>| {
        u.and_then(|u| below.iter().find(|x| x.0.id == u))
            .map_or_else(|| lang.t("未設定", "not set").to_string(), |x| x.1.clone())
    };
    let id = sp.plan.id.0;
    let body = html! {
        p { a href={ "/plans/" (id) "?lang=" (lang.code()) } { (lang.t("← 計画のページへ", "← Back to the plan")) } }
        h1 { (sp.plan.title) " — " (lang.t("入力の状況", "Progress")) }
        form method="get" action={ "/plans/" (id) "/progress" } {
            input type="hidden" name="lang" value=(lang.code());
            div.field {
                label for="f-owner" { (lang.t("担当で絞り込む", "Filter by section")) }
                select #f-owner name="owner" {
                    option value="" { (lang.t("すべての担当", "every section")) }
                    @for (u, path) in below.iter().filter(|(u, _)| u.retired_at.is_none() || owner == Some(u.id)) { option value=(u.id.0) selected[owner == Some(u.id)] { (path) } }
                }
            }
            @if period.start != period.end {
                div.field {
                    label for="f-year" { (lang.t("年度", "Fiscal year")) }
                    select #f-year name="year" {
                        @for y in period.start.year()..=period.end.year() {
                            @if let Ok(fy) = FiscalYear::new(y) {
                                option value=(y) selected[fy == year] { (crate::layout::fy_label(lang, fy)) }
                            }
                        }
                    }
                }
            }
            button type="submit" { (lang.t("表示", "Show")) }
        }
        p role="status" {
            (crate::layout::fy_label(lang, year)) " · "
            @if open == 0 && tracked > 0 { (lang.t("すべて入力済みです。", "Everything is entered.")) }
            @else { (lang.t("未完了の欄: ", "Cells still open: ")) (open) }
        }
        @if tracked == 0 { p { (lang.t("該当する項目はありません。", "No item.")) } }
        @else {
            div.table-scroll { table.progress {
                caption.visually-hidden { (lang.t("項目ごとの入力の状況", "Progress by item")) }
                thead { tr {
                    th scope="col" { (lang.t("項目", "Item")) }
                    th scope="col" { (lang.t("担当", "Section")) }
                    @for i in &used {
                        th scope="col" { (match i { 0 => lang.t("計画", "Plan"), 1 => lang.t("中間振り返り", "Mid-year review"), _ => lang.t("自己評価", "Evaluation") }) }
                    }
                } }
                tbody { @for (sn, depth, p) in &rows {
                    @let n = &sn.node;
                    @let depth = if owner.is_some() { 0 } else { (*depth).min(6) };
                    @if let Some(p) = p {
                        tr {
                            th scope="row" class={ "depth-" (depth) } { a href={ "/nodes/" (n.id.0) "?lang=" (lang.code()) } {
                                (n.level) @if let Some(num) = &n.number { " " (num) } " " (n.title)
                            } }
                            td { (owner_name(n.owner_unit_id)) }
                            @for (i, form) in ["plan", "review", "evaluation"].into_iter().enumerate().filter(|(i, _)| used.contains(i)) {
                                td class={ "progress-" (p[i].code()) } {
                                    a href={ "/nodes/" (n.id.0) "/" (form) "?lang=" (lang.code()) } { (lang.t(p[i].label_ja(), p[i].label_en())) }
                                }
                            }
                        }
                    } @else {
                        tr.heading-row {
                            th scope="rowgroup" colspan=(2 + used.len()) class={ "depth-" (depth) } { a href={ "/nodes/" (n.id.0) "?lang=" (lang.code()) } {
                                (n.level) @if let Some(num) = &n.number { " " (num) } " " (n.title)
                            } }
                        }
                    }
                } }
            } }
        }
    };
    Ok(Html(page.render(
        &format!("{} {}", sp.plan.title, lang.t("入力の状況", "progress")),
        &format!("/plans/{id}/progress"),
        body,
    )))
}
