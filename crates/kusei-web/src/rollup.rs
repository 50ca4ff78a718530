//! The city's roll-up page (`/rollup/{municipality}`), its exports in the city's
//! publication layout (CSV, Excel, PDF), and the grading rules form
//! (`/admin/grading`) with a preview of how the roll-up changes before saving. Every
//! number comes from `kusei_app::rollup::compute`, as `kusei check --db` and the API read
//! it: the city's administrators see the plans as they stand, everyone else the
//! published versions.

use crate::admin::require_administer;
use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::Lang;
use crate::layout::{fy_label, Page};
use crate::pages::parse_id;
use crate::reports::{parse_year, scope_title};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::export::Format;
use kusei_app::rollup::{self as app, Counts, Rollup, RollupPhase};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{MunicipalityId, UnitId};
use kusei_kpi::{Band, Grade, GradingRules, Threshold};
use kusei_report::chart::fmt;
use maud::{html, Markup};
use serde::Deserialize;

/// `?year=&phase=&ward=&lang=`
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct RollupQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub ward: Option<String>,
    #[serde(default)]
    pub lang: Option<Lang>,
}

impl RollupQuery {
    fn phase(&self) -> Result<RollupPhase, WebError> {
        match self.phase.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(RollupPhase::Evaluation),
            Some(p) => RollupPhase::from_code(p).ok_or_else(|| {
                WebError::BadRequest(format!("phase: review / evaluation, not {p:?}"))
            }),
        }
    }
}

/// The years a municipality has plans of (the ends of their periods), newest last.
async fn plan_years(state: &AppState, m: MunicipalityId) -> Result<Vec<i32>, WebError> {
    Ok(state
        .store
        .plan_years(m)
        .await?
        .iter()
        .map(|y| y.year())
        .collect())
}

/// The year asked, else the latest year with plans up to this one.
fn year_of(state: &AppState, asked: Option<&str>, years: &[i32]) -> Result<FiscalYear, WebError> {
    if let Some(y) = asked.filter(|y| !y.is_empty()) {
        return parse_year(y);
    }
    let today = state.clock.today_jst().fiscal_year();
    let y = years
        .iter()
        .rev()
        .find(|y| **y <= today.year())
        .or(years.last())
        .copied()
        .unwrap_or(today.year());
    FiscalYear::new(y).map_err(|e| WebError::BadRequest(e.to_string()))
}

/// The roll-up the viewer may read.
pub(crate) async fn visible_rollup(
    state: &AppState,
    who: &Who,
    m: MunicipalityId,
    year: FiscalYear,
    phase: RollupPhase,
    rules: Option<&GradingRules>,
) -> Result<Rollup, WebError> {
    let caller = who.viewer.as_ref().map(|_| who.caller());
    let staff = app::reads_working_copies(&state.store, caller.as_ref(), m).await?;
    let stored;
    let rules = match rules {
        Some(r) => r,
        None => {
            stored = app::rules(&state.store, m).await?;
            &stored
        }
    };
    if staff {
        return Ok(app::compute(&state.store, m, year, phase, rules, false).await?);
    }
    // The public's roll-up judges every published item of the city: made once per
    // change of what is stored (the change log's epoch) and of the rules it grades by.
    let (top, recent) = state.store.change_epoch().await?;
    let key = format!(
        "{}|{}|{phase:?}|{top}.{recent}|{}",
        m.0,
        year.year(),
        serde_json::to_string(rules).map_err(|e| WebError::Internal(e.to_string()))?
    );
    if let Some(kept) = state.rollup_cache.get(&key) {
        return Ok((*kept).clone());
    }
    let made = app::compute(&state.store, m, year, phase, rules, true).await?;
    state.rollup_cache.put(key, made.clone());
    Ok(made)
}

/// The roll-up a query asks for (the year defaults to the latest with plans up to now).
pub(crate) async fn for_query(
    state: &AppState,
    who: &Who,
    m: MunicipalityId,
    q: &RollupQuery,
) -> Result<Rollup, WebError> {
    scope_title(state, m, None, None).await?;
    let years = plan_years(state, m).await?;
    let year = year_of(state, q.year.as_deref(), &years)?;
    visible_rollup(state, who, m, year, q.phase()?, None).await
}

fn phase_label(lang: Lang, p: RollupPhase) -> &'static str {
    match p {
        RollupPhase::Review => lang.t("中間振り返り", "Mid-year review"),
        RollupPhase::Evaluation => lang.t("自己評価（年度末）", "Year-end evaluation"),
    }
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| 100.0 * n as f64 / of as f64)
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(
        || "—".into(),
        |v| format!("{}%", fmt((v * 10.0).round() / 10.0)),
    )
}

/// The city's sentence: "of 64 outcome targets, 51 measurable; 31 ①, 20 ②".
pub(crate) fn summary_sentence(lang: Lang, r: &Rollup, c: &Counts) -> String {
    let grades: Vec<String> = c
        .grades
        .iter()
        .map(|g| match (lang, r.phase) {
            (Lang::Ja, RollupPhase::Evaluation) => format!("{}{} {}件", g.code, g.label, g.count),
            (Lang::Ja, RollupPhase::Review) => format!("{} {}件", g.label, g.count),
            (Lang::En, _) => format!("{} {}", g.code, g.count),
        })
        .collect();
    match (lang, r.phase) {
        (Lang::Ja, RollupPhase::Evaluation) => format!(
            "成果目標 {}件のうち、測定可能 {}件（{}）、測定不能 {}件。",
            c.targets,
            c.measurable,
            grades.join("、"),
            c.not_measurable
        ),
        (Lang::Ja, RollupPhase::Review) => format!(
            "取組 {}件のうち、実施見込み {}件、実施できない見込み {}件。目標のある取組 {}件のうち、{}、未入力 {}件。",
            c.activities,
            c.activities_expected,
            c.activities_not_expected,
            c.targets,
            grades.join("、"),
            c.not_measurable
        ),
        (Lang::En, RollupPhase::Evaluation) => format!(
            "Of {} outcome targets, {} measurable ({}), {} not measurable.",
            c.targets,
            c.measurable,
            grades.join(", "),
            c.not_measurable
        ),
        (Lang::En, RollupPhase::Review) => format!(
            "Of {} initiatives, {} expected to be carried out, {} not. Of {} with targets: {} expected to be met, {} not, {} not entered.",
            c.activities,
            c.activities_expected,
            c.activities_not_expected,
            c.targets,
            c.of(app::REVIEW_TARGET_LABELS[0]),
            c.of(app::REVIEW_TARGET_LABELS[1]),
            c.not_measurable
        ),
    }
}

/// The grade columns' headings in the page's language.
fn grade_heading(lang: Lang, r: &Rollup, code: &str, label: &str) -> String {
    match (lang, r.phase) {
        (Lang::Ja, RollupPhase::Evaluation) => format!("{code} {label}"),
        (Lang::Ja, RollupPhase::Review) => label.to_string(),
        (Lang::En, RollupPhase::Evaluation) => code.to_string(),
        (Lang::En, RollupPhase::Review) => {
            if code == app::REVIEW_TARGET_LABELS[0] {
                "targets expected to be met".into()
            } else {
                "targets not expected to be met".into()
            }
        }
    }
}

/// The columns of a counts row: (heading, value), shared by the page and the exports.
fn columns(lang: Lang, r: &Rollup, c: &Counts) -> Vec<(String, String)> {
    let mut out = vec![(
        lang.t("取組", "Initiatives").to_string(),
        c.items.to_string(),
    )];
    let mut push = |h: &str, v: usize| out.push((h.to_string(), v.to_string()));
    match r.phase {
        RollupPhase::Review => {
            push(
                lang.t("実施見込み", "expected to be carried out"),
                c.activities_expected,
            );
            push(
                lang.t("実施できない見込み", "not expected to be carried out"),
                c.activities_not_expected,
            );
            push(
                lang.t("中間振り返りが未入力", "review not entered"),
                c.items_not_entered,
            );
            push(lang.t("目標のある取組", "with targets"), c.targets);
        }
        RollupPhase::Evaluation => {
            push(
                lang.t("自己評価が未入力", "evaluation not entered"),
                c.items_not_entered,
            );
            push(lang.t("成果目標", "outcome targets"), c.targets);
            push(lang.t("測定可能", "measurable"), c.measurable);
        }
    }
    for g in &c.grades {
        out.push((
            grade_heading(lang, r, &g.code, &g.label),
            g.count.to_string(),
        ));
    }
    out.push((
        match r.phase {
            RollupPhase::Evaluation => lang.t("測定不能", "not measurable"),
            RollupPhase::Review => lang.t("目標の見込みが未入力", "target prospect not entered"),
        }
        .to_string(),
        c.not_measurable.to_string(),
    ));
    out
}

/// The share of the grades that count as on track among the measurable.
fn top_share(c: &Counts, on_track: &[String]) -> Option<f64> {
    share(on_track.iter().map(|t| c.of(t)).sum(), c.measurable)
}

fn ward_table(page: &Page<'_>, r: &Rollup, base: &str) -> Markup {
    let lang = page.lang;
    let heads: Vec<String> = columns(lang, r, &r.total)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    html! {
        table.numbers #wards {
            caption { (fy_label(lang, FiscalYear::new(r.fiscal_year).unwrap_or(FiscalYear::MIN))) " " (phase_label(lang, r.phase)) " — " (lang.t("区ごとの集計（件数）", "per ward (count)")) }
            thead { tr {
                th scope="col" { (lang.t("区", "Ward")) }
                @for h in &heads { th scope="col" { (h) } }
                th scope="col" { (lang.t("順調の割合", "On-track share")) }
                th scope="col" { (lang.t("前年度", "Year before")) }
            } }
            tbody {
                @for w in &r.wards {
                    tr {
                        th scope="row" { a href=(format!("{}#drill", page.href(&format!("{base}&ward={}", w.unit_id.0)))) { (w.unit) } }
                        @for (_, v) in columns(lang, r, &w.counts) { td.num { (v) } }
                        td.num { (pct(top_share(&w.counts, &r.on_track))) }
                        td.num { (pct(w.previous.as_ref().and_then(|p| top_share(p, &r.on_track)))) }
                    }
                }
            }
            tfoot { tr {
                th scope="row" { (lang.t("合計", "Total")) }
                @for (_, v) in columns(lang, r, &r.total) { td.num { (v) } }
                td.num { (pct(top_share(&r.total, &r.on_track))) }
                td.num { (pct(r.previous_total.as_ref().and_then(|p| top_share(p, &r.on_track)))) }
            } }
        }
    }
}

fn drill_down(page: &Page<'_>, r: &Rollup, ward: UnitId) -> Markup {
    let lang = page.lang;
    let Some(w) = r.wards.iter().find(|w| w.unit_id == ward) else {
        return html! { p #drill role="status" { (lang.t("この区の計画はこの年度にありません。", "This ward has no plan for this year.")) } };
    };
    let heads: Vec<String> = columns(lang, r, &w.counts)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    html! {
        section #drill aria-labelledby="drill-h" {
            h2 #drill-h { (w.unit) " — " (lang.t("経営課題・戦略・取組ごとの内訳", "by issue, strategy and initiative")) }
            table.numbers.drill {
                caption { (w.unit) " " (phase_label(lang, r.phase)) }
                thead { tr {
                    th scope="col" { (lang.t("項目", "Item")) }
                    @for h in &heads { th scope="col" { (h) } }
                } }
                tbody {
                    @for (k, row) in w.rows.iter().enumerate() {
                        @if w.plan_titles.len() > 1 && (k == 0 || w.rows[k - 1].plan_id != row.plan_id) {
                            tr.plan-row {
                                th scope="rowgroup" colspan=(1 + heads.len()) {
                                    a href=(page.href(&format!("/plans/{}", row.plan_id.0))) {
                                        (w.plan_titles.iter().find(|(id, _)| *id == row.plan_id).map_or("", |(_, t)| t.as_str()))
                                    }
                                }
                            }
                        }
                        tr class=(if row.item { "item" } else { "heading" }) {
                            th scope="row" style={ "padding-left:" (0.4 + row.depth as f32 * 1.2) "em" } {
                                span.muted { (row.level) " " (row.number.as_deref().unwrap_or("")) } " "
                                a href=(page.href(&format!("/nodes/{}", row.node_id.0))) { (row.title) }
                            }
                            @for (_, v) in columns(lang, r, &row.counts) { td.num { (v) } }
                        }
                    }
                }
            }
        }
    }
}

fn flagged_list(page: &Page<'_>, r: &Rollup) -> Markup {
    let lang = page.lang;
    let flagged: Vec<_> = r.flagged().collect();
    html! {
        section #flagged aria-labelledby="flagged-h" {
            h2 #flagged-h { (match r.phase {
                RollupPhase::Evaluation => lang.t("順調でない目標のある取組と改善策", "Initiatives with targets not on track, and their remedies"),
                RollupPhase::Review => lang.t("実施・達成できない見込みの取組と改善策", "Initiatives not expected to be carried out or met, and their remedies"),
            }) }
            @if flagged.is_empty() {
                p { (lang.t("該当する取組はありません。", "None.")) }
            } @else {
                table #flagged-table {
                    caption.visually-hidden { (lang.t("取組と改善策", "Initiatives and remedies")) }
                    thead { tr {
                        th scope="col" { (lang.t("区", "Ward")) }
                        th scope="col" { (lang.t("取組", "Initiative")) }
                        th scope="col" { (lang.t("評価区分", "Grades")) }
                        th scope="col" { (lang.t("課題と改善策", "Issues and remedies")) }
                    } }
                    tbody { @for (w, row) in &flagged { tr {
                        td { (w.unit) }
                        td { a href=(page.href(&format!("/nodes/{}", row.node_id.0))) { (row.number.as_deref().unwrap_or("")) " " (row.title) } }
                        td { (grades_text(lang, row)) }
                        td.pre { @match &row.remedy { Some(t) => (t), None => span.muted { (lang.t("（未入力）", "(not entered)")) } } }
                    } } }
                }
            }
        }
    }
}

fn grades_text(lang: Lang, row: &app::NodeRow) -> String {
    if !row.targets.is_empty() {
        return row
            .targets
            .iter()
            .map(|t| {
                t.grade
                    .clone()
                    .unwrap_or_else(|| lang.t("測定不能", "not measurable").into())
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut parts = Vec::new();
    if row.implementation == Some(kusei_domain::judgment::ImplementationProspect::NotExpected) {
        parts.push(lang.t("実施できない見込み", "not expected to be carried out"));
    }
    if row.achievement == Some(kusei_domain::judgment::AchievementProspect::OffTrack) {
        parts.push(lang.t("達成できない見込み", "targets not expected to be met"));
    }
    parts.join("、")
}

/// GET /rollup/{municipality}
pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(m): Path<String>,
    Query(q): Query<RollupQuery>,
) -> Result<Html<String>, WebError> {
    let lang = q.lang.unwrap_or_default();
    let page = Page { lang, who: &who };
    let mid = MunicipalityId(parse_id(&m, "municipality")?);
    let (city, _) = scope_title(&state, mid, None, None).await?;
    let years = plan_years(&state, mid).await?;
    let year = year_of(&state, q.year.as_deref(), &years)?;
    let phase = q.phase()?;
    let rules = app::rules(&state.store, mid).await?;
    let r = visible_rollup(&state, &who, mid, year, phase, Some(&rules)).await?;
    let ward = q
        .ward
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse_id(s, "ward").map(UnitId))
        .transpose()?;
    let title = format!(
        "{city} {} {}",
        fy_label(lang, year),
        lang.t("区の取組の集計", "roll-up of the wards")
    );
    let base = format!(
        "/rollup/{}?year={}&phase={}",
        mid.0,
        year.year(),
        phase.code()
    );
    let exports = |f: &str| {
        format!(
            "/rollup/{}/export/{f}?year={}&phase={}&lang={}",
            mid.0,
            year.year(),
            phase.code(),
            lang.code()
        )
    };
    let body = html! {
        h1 { (title) }
        form.year-switch method="get" action={ "/rollup/" (mid.0) } {
            input type="hidden" name="lang" value=(lang.code());
            label for="year" { (lang.t("年度", "Fiscal year")) }
            select #year name="year" {
                @for y in years.iter().rev() {
                    @if let Ok(f) = FiscalYear::new(*y) { option value=(y) selected[*y == year.year()] { (fy_label(lang, f)) } }
                }
                @if !years.contains(&year.year()) { option value=(year.year()) selected { (fy_label(lang, year)) } }
            }
            label for="phase" { (lang.t("段階", "Phase")) }
            select #phase name="phase" {
                @for p in [RollupPhase::Evaluation, RollupPhase::Review] {
                    option value=(p.code()) selected[p == phase] { (phase_label(lang, p)) }
                }
            }
            button type="submit" { (lang.t("表示", "Show")) }
        }
        p.muted {
            @if r.published_only { (lang.t("公表された計画から集計しています。", "Counted from published plans.")) }
            @else { (lang.t("作成中・承認待ちを含む、いまの計画から集計しています（市の担当者向け）。", "Counted from the plans as they stand now, drafts included (for the city's staff).")) }
            " "
            @if phase == RollupPhase::Evaluation { (lang.t("評価基準：", "Grading rules: ")) (rules_name(lang, &r.rules)) }
        }
        @if r.wards.is_empty() {
            p role="status" { (lang.t("この年度の計画はまだありません。", "There are no plans for this year yet.")) }
        } @else {
            p.summary #summary { (lang.t("市全体：", "City total: ")) (summary_sentence(lang, &r, &r.total)) }
            @if let Some(p) = &r.previous_total {
                p.muted { (lang.t("前年度：", "Year before: ")) (summary_sentence(lang, &r, p)) }
            }
            (ward_table(&page, &r, &base))
            @if !r.total.reasons.is_empty() {
                h2 { (lang.t("測定不能の理由", "Why targets were not measurable")) }
                ul { @for (why, n) in &r.total.reasons { li { (reason_label(lang, why)) (lang.t("：", ": ")) (n) (lang.t("件", "")) } } }
            }
            @if let Some(w) = ward { (drill_down(&page, &r, w)) }
            (flagged_list(&page, &r))
            p.downloads {
                (lang.t("ダウンロード：", "Download: "))
                a href=(exports("csv")) { "CSV" } " · "
                a href=(exports("xlsx")) { "Excel" } " · "
                a href=(exports("pdf")) { "PDF" } " · "
                a href=(format!("/api/v1/rollup/{}?year={}&phase={}", mid.0, year.year(), phase.code())) { "JSON" }
            }
        }
        @if who.viewer.is_some() && require_administer(&state, &who, mid).await.is_ok() {
            p { a href=(page.href(&format!("/admin/grading?municipality={}", mid.0))) { (lang.t("評価基準を変更する", "Change the grading rules")) } }
        }
        p { a href=(page.href(&format!("/dashboard/{}", mid.0))) { (lang.t("区の比較（共通指標）へ", "Ward comparison (common indicators)")) } }
    };
    Ok(Html(page.render(&title, &base, body)))
}

/// The name of the rules; the built-in default's in the page's language (a city's own
/// name is its data).
fn rules_name(lang: Lang, name: &str) -> String {
    if lang == Lang::En && name == GradingRules::osaka().name {
        "Osaka's method (progress of outcome targets)".into()
    } else {
        name.to_string()
    }
}

fn reason_label(lang: Lang, why: &str) -> String {
    match lang {
        Lang::Ja => why.to_string(),
        Lang::En => match why {
            "実績の単位が目標と異なる" => "the actual's unit differs from the target's",
            "数値の目標ではない" => "not a numeric target",
            "実績が未入力" => "no actual entered",
            "中間振り返りが未入力" => "mid-year review not entered",
            _ => "the progress rate cannot be computed",
        }
        .to_string(),
    }
}

/// The roll-up as a table report: per ward, the total, the flagged items.
fn report_rows(lang: Lang, r: &Rollup) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec![lang.t("区", "Ward").to_string()];
    header.extend(columns(lang, r, &r.total).into_iter().map(|(h, _)| h));
    let mut rows = Vec::new();
    for w in &r.wards {
        let mut row = vec![w.unit.clone()];
        row.extend(columns(lang, r, &w.counts).into_iter().map(|(_, v)| v));
        rows.push(row);
    }
    let mut total = vec![lang.t("合計", "Total").to_string()];
    total.extend(columns(lang, r, &r.total).into_iter().map(|(_, v)| v));
    rows.push(total);
    (header, rows)
}

/// GET /rollup/{municipality}/export/{format}: csv, xlsx, pdf.
pub(crate) async fn export(
    State(state): State<AppState>,
    who: Who,
    Path((m, format)): Path<(String, String)>,
    Query(q): Query<RollupQuery>,
) -> Result<Response, WebError> {
    let lang = q.lang.unwrap_or_default();
    let mid = MunicipalityId(parse_id(&m, "municipality")?);
    let format = crate::reports::parse_format(&format)?;
    let years = plan_years(&state, mid).await?;
    let year = year_of(&state, q.year.as_deref(), &years)?;
    let phase = q.phase()?;
    let r = visible_rollup(&state, &who, mid, year, phase, None).await?;
    // The files are the city's publication, in the forms' language (Japanese) for CSV.
    let rows_lang = if format == Format::Csv {
        Lang::Ja
    } else {
        lang
    };
    let (header, rows) = report_rows(rows_lang, &r);
    let stem = format!(
        "{}_{}_{}",
        r.municipality,
        fy_label(Lang::Ja, year)
            .split(' ')
            .next()
            .unwrap_or_default(),
        match phase {
            RollupPhase::Evaluation => lang.t("成果目標の評価集計", "rollup_evaluation"),
            RollupPhase::Review => lang.t("中間振り返り集計", "rollup_review"),
        }
    );
    let title = format!(
        "{} {} {}",
        r.municipality,
        fy_label(rows_lang, year),
        phase_label(rows_lang, phase)
    );
    let flagged_header = vec![
        rows_lang.t("区", "Ward").to_string(),
        rows_lang.t("番号", "Number").to_string(),
        rows_lang.t("取組", "Initiative").to_string(),
        rows_lang.t("評価区分", "Grades").to_string(),
        rows_lang
            .t("課題と改善策", "Issues and remedies")
            .to_string(),
    ];
    let flagged: Vec<Vec<String>> = r
        .flagged()
        .map(|(w, row)| {
            vec![
                w.unit.clone(),
                row.number.clone().unwrap_or_default(),
                row.title.clone(),
                grades_text(rows_lang, row),
                row.remedy.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = match format {
        Format::Csv => {
            let mut out = String::from("\u{feff}");
            out.push_str(&kusei_report::open_data::csv_row(header.iter().cloned()));
            for row in &rows {
                out.push_str(&kusei_report::open_data::csv_row(row.iter().cloned()));
            }
            out.into_bytes()
        }
        Format::Xlsx => {
            use kusei_xlsx::{TableCell, TableSheet};
            let cell = |s: &String| match s.parse::<f64>() {
                Ok(v) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => {
                    TableCell::Number(v)
                }
                _ => TableCell::Text(s.clone()),
            };
            kusei_xlsx::table_workbook(&[
                TableSheet {
                    name: lang.t("集計", "Roll-up").into(),
                    title: format!("{title} — {}", summary_sentence(lang, &r, &r.total)),
                    header: header.clone(),
                    rows: rows.iter().map(|r| r.iter().map(cell).collect()).collect(),
                },
                TableSheet {
                    name: lang.t("取組と改善策", "Remedies").into(),
                    title: title.clone(),
                    header: flagged_header.clone(),
                    rows: flagged
                        .iter()
                        .map(|r| r.iter().map(|s| TableCell::Text(s.clone())).collect())
                        .collect(),
                },
            ])
            .map_err(|e| WebError::Internal(e.to_string()))?
        }
        Format::Pdf => {
            use kusei_report::doc::{Block, Cell, Report, Table};
            let cells = |row: &[String], first_header: bool| -> Vec<Cell> {
                row.iter()
                    .enumerate()
                    .map(|(i, t)| Cell {
                        text: t.clone(),
                        colspan: 1,
                        row_header: first_header && i == 0,
                        ..Cell::default()
                    })
                    .collect()
            };
            let n = header.len();
            let report = Report {
                title: title.clone(),
                lang: lang.code().into(),
                blocks: vec![
                    Block::Heading {
                        level: 1,
                        text: title.clone(),
                    },
                    Block::Paragraph {
                        text: summary_sentence(lang, &r, &r.total),
                    },
                    Block::Table(Table {
                        caption: Some(lang.t("区ごとの集計（件数）", "per ward (count)").into()),
                        widths: std::iter::once(3)
                            .chain(std::iter::repeat_n(2, n - 1))
                            .collect(),
                        header: vec![cells(&header, false)],
                        rows: rows.iter().map(|r| cells(r, true)).collect(),
                    }),
                    Block::Heading {
                        level: 2,
                        text: flagged_header[2].clone() + " / " + &flagged_header[4],
                    },
                    Block::Table(Table {
                        caption: None,
                        widths: vec![2, 1, 4, 2, 6],
                        header: vec![cells(&flagged_header, false)],
                        rows: flagged.iter().map(|r| cells(r, false)).collect(),
                    }),
                    Block::Note {
                        text: if r.published_only {
                            lang.t("公表された計画から集計。", "Counted from published plans.")
                                .into()
                        } else {
                            lang.t(
                                "作成中を含むいまの計画から集計。",
                                "Counted from the plans as they stand.",
                            )
                            .into()
                        },
                    },
                ],
            };
            let exporter = state.exporter.clone();
            let _slot = crate::reports::heavy_slot(Format::Pdf).await?;
            tokio::task::spawn_blocking(move || exporter.report(Format::Pdf, &report))
                .await
                .map_err(|e| WebError::Internal(e.to_string()))?
                .map_err(crate::reports::export_failure)?
        }
        _ => {
            return Err(WebError::BadRequest(
                "format: csv, xlsx or pdf (JSON: /api/v1/rollup/{municipality})".into(),
            ))
        }
    };
    Ok(crate::reports::download(format, &stem, bytes))
}

// ---------------------------------------------------------------------------------------
// The grading rules form.

const GRADE_ROWS: usize = 6;
const BAND_ROWS: usize = 4;
const THRESHOLD_ROWS: usize = 3;

/// A rate as the form shows it: a percentage with up to two decimals.
fn rate_text(rate: f64) -> String {
    fmt((rate * 10000.0).round() / 100.0)
}

/// The rules the form describes. A threshold whose percentage was not changed keeps its
/// exact stored rate (66.67% stays 2/3): saving an unchanged form changes nothing.
fn rules_from_form(form: &FormData, errors: &mut FieldErrors) -> GradingRules {
    let mut scale = Vec::new();
    for i in 0..GRADE_ROWS {
        let code = form.text(&format!("g{i}_code")).unwrap_or_default();
        let label = form.text(&format!("g{i}_label")).unwrap_or_default();
        if code.is_empty() && label.is_empty() {
            continue;
        }
        let meaning = match form.get(&format!("g{i}_meaning")) {
            Some("achieved") => Judgment::Achieved,
            _ => Judgment::NotAchieved,
        };
        scale.push(Grade {
            code,
            label,
            meaning,
        });
    }
    let mut bands = Vec::new();
    for i in 0..BAND_ROWS {
        let min = form.text(&format!("b{i}_min"));
        let Some(min) = min else { continue };
        let years = |s: &str| {
            s.trim()
                .trim_end_matches('年')
                .parse::<u32>()
                .ok()
                .filter(|y| *y >= 1)
        };
        let Some(min_years) = years(&min) else {
            errors.add("bands", "目標期間は1以上の年数で入力してください。|Enter the period in whole years (1 or more).");
            continue;
        };
        let max_years = match form.text(&format!("b{i}_max")) {
            None => None,
            Some(s) => match years(&s) {
                Some(y) => Some(y),
                None => {
                    errors.add("bands", "目標期間は1以上の年数で入力してください。|Enter the period in whole years (1 or more).");
                    continue;
                }
            },
        };
        let mut thresholds = Vec::new();
        for j in 0..THRESHOLD_ROWS {
            let grade = form.text(&format!("b{i}_t{j}_grade")).unwrap_or_default();
            let Some(rate) = form.text(&format!("b{i}_t{j}_rate")) else {
                continue;
            };
            if grade.is_empty() {
                continue;
            }
            let was = form
                .get(&format!("b{i}_t{j}_was"))
                .and_then(|s| s.parse::<f64>().ok());
            let min_rate = match was {
                Some(w) if rate_text(w) == rate.trim_end_matches('%') => w,
                _ => match crate::forms::parse_number(rate.trim_end_matches(['%', '％'])) {
                    Some(v) => v / 100.0,
                    None => {
                        errors.add("bands", "進捗率の基準は数値（％）で入力してください。|Enter the thresholds as numbers (%).");
                        continue;
                    }
                },
            };
            thresholds.push(Threshold { min_rate, grade });
        }
        let otherwise = form.text(&format!("b{i}_otherwise")).unwrap_or_default();
        bands.push(Band {
            min_years,
            max_years,
            thresholds,
            otherwise,
        });
    }
    GradingRules {
        name: form.text("name").unwrap_or_default(),
        scale,
        bands,
        unmeasurable: form.text("unmeasurable"),
    }
}

fn preset(name: &str) -> Option<GradingRules> {
    match name {
        "osaka" => Some(GradingRules::osaka()),
        "three" => Some(GradingRules::three_grades()),
        "nagoya" => Some(GradingRules::nagoya_like()),
        _ => None,
    }
}

/// `?municipality=&lang=&done=&year=`
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct GradingQuery {
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    year: Option<String>,
}

fn field_error(lang: Lang, errors: &FieldErrors, field: &str) -> Option<Markup> {
    errors.get(field).map(|m| {
        let text = match (lang, m.split_once('|')) {
            (Lang::Ja, Some((ja, _))) => ja,
            (Lang::En, Some((_, en))) => en,
            (_, None) => m,
        };
        html! { p.error id={ "e-" (field) } { (text) } }
    })
}

#[allow(clippy::too_many_arguments)]
async fn grading_page(
    state: &AppState,
    page: &Page<'_>,
    m: MunicipalityId,
    city: &str,
    rules: &GradingRules,
    stored: &GradingRules,
    errors: &FieldErrors,
    preview: bool,
    year: FiscalYear,
    done: bool,
) -> Result<String, WebError> {
    let lang = page.lang;
    let grade_codes: Vec<&str> = rules.scale.iter().map(|g| g.code.as_str()).collect();
    let select = |name: String, chosen: &str, blank: Option<&str>, label: Option<String>| {
        html! {
            select id={ "f-" (name) } name=(name) aria-label=[label] {
                @if let Some(b) = blank { option value="" selected[chosen.is_empty()] { (b) } }
                @for c in &grade_codes { option value=(c) selected[*c == chosen] { (c) } }
                @if !chosen.is_empty() && !grade_codes.contains(&chosen) { option value=(chosen) selected { (chosen) } }
            }
        }
    };
    let invalid = |f: &str| errors.get(f).is_some().then_some("true");
    let described = |f: &str| errors.get(f).map(|_| format!("e-{f}"));
    let versions = crate::admin::setting_versions(state, m, "grading").await?;
    let mut comparison = None;
    if preview && errors.is_empty() {
        let now = app::compute(
            &state.store,
            m,
            year,
            RollupPhase::Evaluation,
            stored,
            false,
        )
        .await?;
        let then =
            app::compute(&state.store, m, year, RollupPhase::Evaluation, rules, false).await?;
        comparison = Some((now, then));
    }
    let body = html! {
        h1 { (city) " " (lang.t("評価基準（成果目標の進捗）", "Grading rules (progress of outcome targets)")) }
        @if done { p.notice role="status" { (lang.t("評価基準を保存しました。", "The grading rules were saved.")) } }
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (lang.t("入力を確認してください", "Please check the form")) }
                ul { @for f in errors.0.keys().filter(|k| !k.starts_with('=')) {
                    li { a href={ "#f-" (f) } { (field_error(lang, errors, f).map(|m| m.into_string()).map(maud::PreEscaped).unwrap_or(maud::PreEscaped(String::new()))) } }
                } }
            }
        }
        p { (lang.t("進捗率（実績÷目標）が基準以上なら、その評価区分になります。目標の期間（年数）ごとに基準を決められます。測定できない目標は、区分を選ばなければ集計から除き、別に数えます。",
            "A target whose progress rate (actual ÷ target) reaches a threshold gets that grade. Each band of target periods (in years) has its own thresholds. Targets that cannot be measured are left out and counted apart unless a grade is chosen for them.")) }
        form method="post" action="/admin/grading" novalidate {
            (page.csrf_field())
            input type="hidden" name="municipality" value=(m.0);
            input type="hidden" name="lang" value=(lang.code());
            fieldset {
                legend { (lang.t("ひな形から始める", "Start from a preset")) }
                button type="submit" name="preset" value="osaka" { (lang.t("大阪市（①②、3年目標 66.7％）", "Osaka (①②, 66.7% for 3-year targets)")) }
                " " button type="submit" name="preset" value="three" { "①②③" }
                " " button type="submit" name="preset" value="nagoya" { "A–D" }
            }
            div class={ "field" @if errors.get("name").is_some() { " has-error" } } {
                label for="f-name" { (lang.t("基準の名前", "Name of the rules")) }
                @if let Some(e) = field_error(lang, errors, "name") { (e) }
                input #f-name name="name" value=(rules.name) aria-invalid=[invalid("name")] aria-describedby=[described("name")];
            }
            fieldset #f-scale aria-describedby=[described("scale")] {
                legend { (lang.t("評価区分", "Grades (the scale)")) }
                @if let Some(e) = field_error(lang, errors, "scale") { (e) }
                table {
                    thead { tr {
                        th scope="col" { (lang.t("記号", "Code")) }
                        th scope="col" { (lang.t("名前", "Label")) }
                        th scope="col" { (lang.t("意味", "Means")) }
                    } }
                    tbody { @for i in 0..GRADE_ROWS {
                        @let g = rules.scale.get(i);
                        tr {
                            td { input name={ "g" (i) "_code" } size="4" value=(g.map_or("", |g| g.code.as_str())) aria-label={ (lang.t("記号", "Code")) " " (i + 1) }; }
                            td { input name={ "g" (i) "_label" } value=(g.map_or("", |g| g.label.as_str())) aria-label={ (lang.t("名前", "Label")) " " (i + 1) }; }
                            td { select name={ "g" (i) "_meaning" } aria-label={ (lang.t("意味", "Means")) " " (i + 1) } {
                                option value="achieved" selected[g.is_some_and(|g| g.meaning == Judgment::Achieved)] { (lang.t("順調（達成）", "on track")) }
                                option value="not_achieved" selected[g.is_none_or(|g| g.meaning != Judgment::Achieved)] { (lang.t("順調でない", "not on track")) }
                            } }
                        }
                    } }
                }
            }
            fieldset #f-bands aria-describedby=[described("bands")] {
                legend { (lang.t("目標の期間ごとの基準", "Thresholds per target period")) }
                @if let Some(e) = field_error(lang, errors, "bands") { (e) }
                @for i in 0..BAND_ROWS {
                    @let b = rules.bands.get(i);
                    div.band {
                        label for={ "f-b" (i) "_min" } { (lang.t("期間", "Period")) " " (i + 1) (lang.t("：", ": ")) }
                        input id={ "f-b" (i) "_min" } name={ "b" (i) "_min" } size="3" inputmode="numeric" value=(b.map(|b| b.min_years.to_string()).unwrap_or_default());
                        label for={ "f-b" (i) "_max" } { (lang.t("年から", " to ")) }
                        input id={ "f-b" (i) "_max" } name={ "b" (i) "_max" } size="3" inputmode="numeric" value=(b.and_then(|b| b.max_years).map(|y| y.to_string()).unwrap_or_default());
                        span { (lang.t("年まで（空欄は上限なし）", " years (blank: no limit)")) }
                        ul { @for j in 0..THRESHOLD_ROWS {
                            @let t = b.and_then(|b| b.thresholds.get(j));
                            li {
                                label for={ "f-b" (i) "_t" (j) "_rate" } { (lang.t("進捗率", "Progress")) }
                                input id={ "f-b" (i) "_t" (j) "_rate" } name={ "b" (i) "_t" (j) "_rate" } size="6" inputmode="decimal" value=(t.map(|t| rate_text(t.min_rate)).unwrap_or_default());
                                @if let Some(t) = t { input type="hidden" name={ "b" (i) "_t" (j) "_was" } value=(t.min_rate); }
                                span { (lang.t("％以上なら", "% or more: ")) }
                                (select(format!("b{i}_t{j}_grade"), t.map_or("", |t| t.grade.as_str()), Some(lang.t("（なし）", "(none)")), Some(format!("{} {} {} {}", lang.t("期間", "Period"), i + 1, lang.t("の評価区分", "grade"), j + 1))))
                            }
                        } }
                        label for={ "f-b" (i) "_otherwise" } { (lang.t("どれにも届かなければ", "Otherwise")) }
                        (select(format!("b{i}_otherwise"), b.map_or("", |b| b.otherwise.as_str()), Some(lang.t("（なし）", "(none)")), None))
                    }
                }
            }
            div.field {
                label for="f-unmeasurable" { (lang.t("測定できない目標の区分", "Grade of targets that cannot be measured")) }
                (select("unmeasurable".into(), rules.unmeasurable.as_deref().unwrap_or(""), Some(lang.t("集計から除いて別に数える", "left out, counted apart")), None))
            }
            div.field {
                label for="f-year" { (lang.t("プレビューする年度", "Year to preview")) }
                input #f-year name="year" size="6" value=(year.year());
            }
            button type="submit" name="action" value="preview" { (lang.t("集計の変化をプレビュー", "Preview the roll-up")) }
            " "
            button type="submit" name="action" value="save" { (lang.t("保存する", "Save")) }
        }
        @if let Some((now, then)) = &comparison {
            section #preview aria-labelledby="preview-h" {
                h2 #preview-h { (lang.t("プレビュー：", "Preview: ")) (fy_label(lang, year)) " " (lang.t("の集計（まだ保存されていません）", "(not saved yet)")) }
                p { (lang.t("いまの基準：", "Rules now: ")) (summary_sentence(lang, now, &now.total)) }
                p { (lang.t("この基準：", "These rules: ")) (summary_sentence(lang, then, &then.total)) }
                table.numbers {
                    caption { (lang.t("区ごとの評価区分（いま → この基準）", "grades per ward (now → these rules)")) }
                    thead { tr {
                        th scope="col" { (lang.t("区", "Ward")) }
                        th scope="col" { (lang.t("いま", "Now")) }
                        th scope="col" { (lang.t("この基準", "These rules")) }
                    } }
                    tbody { @for (a, b) in now.wards.iter().zip(&then.wards) { tr {
                        th scope="row" { (a.unit) }
                        td { (a.counts.grades.iter().map(|g| format!("{} {}", g.code, g.count)).collect::<Vec<_>>().join(" / ")) }
                        td { (b.counts.grades.iter().map(|g| format!("{} {}", g.code, g.count)).collect::<Vec<_>>().join(" / ")) }
                    } } }
                }
            }
        }
        section aria-labelledby="versions-h" {
            h2 #versions-h { (lang.t("変更の履歴", "Earlier versions")) }
            @if versions.is_empty() {
                p { (lang.t("まだ変更されていません（既定：大阪市の基準）。", "Never changed (the default: Osaka's rules).")) }
            } @else {
                ol reversed { @for c in versions.iter().rev() {
                    li { (crate::i18n::japan_time_of(lang, &c.at)) " — " (c.actor) (lang.t("：", ": "))
                        (c.after.as_ref().and_then(|a| a.get("grading")).and_then(|g| g.get("name")).and_then(|n| n.as_str()).unwrap_or("—")) }
                } }
            }
        }
        p { a href=(page.href(&format!("/rollup/{}?year={}", m.0, year.year()))) { (lang.t("集計を見る", "See the roll-up")) } }
    };
    Ok(page.render(lang.t("評価基準", "Grading rules"), "/admin/grading", body))
}

/// GET /admin/grading?municipality=
pub(crate) async fn grading_form(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<GradingQuery>,
) -> Result<Html<String>, WebError> {
    let lang = q.lang.unwrap_or_default();
    let city = crate::admin::chosen_city(&state, &who, q.municipality.as_deref()).await?;
    let page = Page { lang, who: &who };
    let rules = app::rules(&state.store, city.m.id).await?;
    let years = plan_years(&state, city.m.id).await?;
    let year = year_of(&state, q.year.as_deref(), &years)?;
    Ok(Html(
        grading_page(
            &state,
            &page,
            city.m.id,
            &city.m.name,
            &rules,
            &rules,
            &FieldErrors::default(),
            false,
            year,
            q.done.as_deref() == Some("saved"),
        )
        .await?,
    ))
}

/// POST /admin/grading: a preset, a preview, or a save.
pub(crate) async fn grading_save(
    State(state): State<AppState>,
    who: Who,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = match form.get("lang") {
        Some("en") => Lang::En,
        _ => Lang::Ja,
    };
    let mid = MunicipalityId(parse_id(
        form.get("municipality").unwrap_or(""),
        "municipality",
    )?);
    let city = require_administer(&state, &who, mid).await?;
    let page = Page { lang, who: &who };
    let stored = app::rules(&state.store, mid).await?;
    let years = plan_years(&state, mid).await?;
    let year =
        year_of(&state, form.get("year"), &years).or_else(|_| year_of(&state, None, &years))?;
    let mut errors = FieldErrors::default();
    let (rules, preview) = match form.get("preset").and_then(preset) {
        Some(p) => (p, true),
        None => (
            rules_from_form(&form, &mut errors),
            form.get("action") != Some("save"),
        ),
    };
    if errors.is_empty() {
        for p in app::rule_problems(&rules) {
            errors.add(p.field, format!("{}|{}", p.ja, p.en));
        }
    }
    if !errors.is_empty() || preview {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let html = grading_page(
            &state,
            &page,
            mid,
            &city.m.name,
            &rules,
            &stored,
            &errors,
            true,
            year,
            false,
        )
        .await?;
        return Ok((status, Html(html)).into_response());
    }
    app::set_rules(&state.store, &who.caller(), mid, &rules).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!(
                "/admin/grading?municipality={}&lang={}&done=saved&year={}",
                mid.0,
                lang.code(),
                year.year()
            ),
        )],
    )
        .into_response())
}
