//! Reports on the web: a plan's print page and downloads, the open-data page (a city's,
//! a ward's, a year's plans as CSV / JSON / Excel / PDF) and the city's comparison
//! dashboard. Signed-out visitors get published versions only; staff who may read a
//! plan's working copy get that copy from the plan's own links.

use crate::auth::Who;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::layout::Page;
use crate::pages::{parse_id, unit_tree};
use crate::policy::{allow, Action};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use kusei_app::export::{ExportError, Format};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::PlanRecord;
use kusei_domain::model::{Direction, MunicipalityId, PlanId, Unit, UnitId};
use kusei_report::chart::{bar_chart_in, fmt, line_chart_in, Bar, Series};
use kusei_report::dashboard::{self, Dashboard, IndicatorInfo};
use kusei_store::Copy;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::BTreeSet;

/// A plan as the viewer may see it: the working copy for staff who may read it, else the
/// latest published version (not found when never published).
pub(crate) async fn visible_record(
    state: &AppState,
    who: &Who,
    id: PlanId,
) -> Result<(PlanRecord, Copy), WebError> {
    let plan = state.store.load_plan(id).await?;
    let (tree, _) = unit_tree(&state.store, plan.plan.unit_id).await?;
    let working = allow(
        &who.grants(),
        &tree,
        Action::ReadDraft {
            plan_unit: plan.plan.unit_id,
        },
    )
    .is_ok();
    if working {
        return Ok((
            state.store.record_of(&plan, Copy::Working).await?,
            Copy::Working,
        ));
    }
    let published = state
        .store
        .published_plan(id, None)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("plan {id}")))?;
    Ok((
        state.store.record_of(&published, Copy::Published).await?,
        Copy::Published,
    ))
}

/// The download links of one plan.
pub(crate) fn plan_downloads(lang: Lang, id: PlanId) -> Markup {
    html! {
        nav.downloads aria-label=(lang.t("印刷・ダウンロード", "Print and download")) {
            h2 { (lang.t("印刷・ダウンロード", "Print and download")) }
            ul {
                li { a href={ "/plans/" (id.0) "/print" } { (lang.t("印刷用ページ（様式）", "Print view (official form)")) } }
                @for f in [Format::Pdf, Format::Xlsx, Format::Csv, Format::Json] {
                    li { a href={ "/plans/" (id.0) "/export/" (f.extension()) } download { (lang.t(f.label(), f.label_en())) } }
                }
            }
        }
    }
}

/// The print page of a plan (official layout, A4).
pub(crate) async fn print(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let id = PlanId(parse_id(&id, "plan")?);
    let (record, _) = visible_record(&state, &who, id).await?;
    let report = kusei_report::layout::plan_report(&record);
    let back = format!("/plans/{}", id.0);
    Ok(Html(kusei_report::html::render(
        &report,
        Some((&back, "← 計画のページへ戻る / Back to the plan")),
    )))
}

pub(crate) fn download(format: Format, stem: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition(stem, format)),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) fn export_failure(e: ExportError) -> WebError {
    match e {
        ExportError::NoFont(m) => WebError::Unavailable(m),
        ExportError::Empty(m) => WebError::NotFound(m),
        ExportError::Failed(m) => WebError::Internal(m),
    }
}

pub(crate) fn parse_format(s: &str) -> Result<Format, WebError> {
    Format::parse(s).ok_or_else(|| {
        WebError::BadRequest(format!(
            "形式「{s}」には対応していません（pdf, xlsx, csv, json, html） / unknown format {s:?}: use pdf, xlsx, csv, json or html"
        ))
    })
}

/// One plan in a format.
pub(crate) async fn plan_export(
    State(state): State<AppState>,
    who: Who,
    Path((id, format)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let id = PlanId(parse_id(&id, "plan")?);
    let format = parse_format(&format)?;
    let (record, copy) = visible_record(&state, &who, id).await?;
    let title = kusei_report::layout::report_title(&record);
    let stem = kusei_report::open_data::file_stem(&record);
    let municipality = record.municipality.clone();
    let version = record.version;
    let make = || async {
        let _slot = heavy_slot(format).await?;
        run_export(&state, format, &title, &municipality, vec![record]).await
    };
    match copy {
        // A published version never changes: made once, then served from the cache, and
        // revalidated by its ETag.
        Copy::Published => {
            let key = format!("plan|{}|{}|{version}", format.extension(), id.0);
            let etag = crate::public_cache::etag_of(&key);
            if crate::public_cache::not_modified(&headers, &etag) {
                return Ok(crate::public_cache::validated(&headers, &etag, || {
                    StatusCode::OK.into_response()
                }));
            }
            let bytes = state.export_cache.get_or_make(key, make).await?;
            Ok(crate::public_cache::validated(&headers, &etag, || {
                download(format, &stem, bytes.to_vec())
            }))
        }
        Copy::Working => Ok(download(format, &stem, make().await?)),
    }
}

/// Renders off the async threads (PDF and Excel of a city year take a while).
pub(crate) async fn run_export(
    state: &AppState,
    format: Format,
    title: &str,
    municipality: &str,
    records: Vec<PlanRecord>,
) -> Result<Vec<u8>, WebError> {
    let exporter = state.exporter.clone();
    let (title, municipality) = (title.to_string(), municipality.to_string());
    tokio::task::spawn_blocking(move || exporter.export(format, &title, &municipality, &records))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(export_failure)
}

/// PDF and Excel take seconds and hundreds of MiB for a whole city: at most one per core
/// at a time, taken before the plans are read, so waiting requests hold no memory.
pub(crate) async fn heavy_slot(
    format: Format,
) -> Result<Option<tokio::sync::SemaphorePermit<'static>>, WebError> {
    match format {
        Format::Pdf | Format::Xlsx => Ok(Some(
            heavy_export_slots()
                .acquire()
                .await
                .map_err(|e| WebError::Internal(e.to_string()))?,
        )),
        _ => Ok(None),
    }
}

fn heavy_export_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores.max(1))
    })
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct ScopeQuery {
    pub unit: Option<String>,
    pub year: Option<String>,
    pub format: Option<String>,
}

/// A fiscal year as users write it in a query: 2025, 令和7, R7.
pub(crate) fn parse_year(s: &str) -> Result<FiscalYear, WebError> {
    s.trim().parse::<FiscalYear>().map_err(|_| {
        WebError::BadRequest(format!(
            "年度「{s}」を読めません（例: 2025、令和7） / cannot read fiscal year {s:?} (e.g. 2025)"
        ))
    })
}

/// A scope's municipality name and title (「テスト市 東区 令和7年度 計画（公表版）」):
/// not found when the municipality does not exist or the unit is not one of its own.
pub(crate) async fn scope_title(
    state: &AppState,
    municipality: MunicipalityId,
    unit: Option<UnitId>,
    year: Option<FiscalYear>,
) -> Result<(String, String), WebError> {
    let m = state
        .store
        .list_municipalities()
        .await?
        .into_iter()
        .find(|m| m.id == municipality)
        .ok_or_else(|| WebError::NotFound(format!("municipality {municipality}")))?;
    let mut title = m.name.clone();
    if let Some(u) = unit {
        let found = state.store.get_unit(u).await?;
        if found.municipality_id != municipality {
            return Err(WebError::NotFound(format!("unit {}", found.id)));
        }
        title.push(' ');
        title.push_str(&found.name);
    }
    if let Some(y) = year {
        title.push(' ');
        title.push_str(&y.label());
    }
    title.push_str(" 計画（公表版）");
    Ok((m.name, title))
}

/// The published plans of a scope (city, optionally one unit and one year).
pub(crate) async fn scope_records(
    state: &AppState,
    municipality: MunicipalityId,
    unit: Option<UnitId>,
    year: Option<FiscalYear>,
) -> Result<Vec<PlanRecord>, WebError> {
    Ok(state
        .store
        .plan_records(municipality, unit, year, Copy::Published)
        .await?)
}

/// The unit and year of a scope query (`unit=`, `year=`; empty means none).
pub(crate) fn scope_of(q: &ScopeQuery) -> Result<(Option<UnitId>, Option<FiscalYear>), WebError> {
    let unit = q
        .unit
        .as_deref()
        .filter(|u| !u.is_empty())
        .map(|u| parse_id(u, "unit").map(UnitId))
        .transpose()?;
    let year = q
        .year
        .as_deref()
        .filter(|y| !y.is_empty())
        .map(parse_year)
        .transpose()?;
    Ok((unit, year))
}

/// Open data of a scope: `/open-data/{municipality}/export?unit=&year=&format=`.
pub(crate) async fn scope_export(
    State(state): State<AppState>,
    Path(m): Path<String>,
    Query(q): Query<ScopeQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let m = MunicipalityId(parse_id(&m, "municipality")?);
    let format = parse_format(q.format.as_deref().unwrap_or("csv"))?;
    let (unit, year) = scope_of(&q)?;
    // The file is made of the scope's published versions: they name it.
    let versions = state.store.published_scope(m, unit, year).await?;
    let etag = crate::public_cache::etag_of(&format!(
        "scope|{}|{}|{unit:?}|{:?}|{versions:?}",
        format.extension(),
        m.0,
        year.map(|y| y.year())
    ));
    if crate::public_cache::not_modified(&headers, &etag) {
        return Ok(crate::public_cache::validated(&headers, &etag, || {
            StatusCode::OK.into_response()
        }));
    }
    let (title, bytes) = scope_file(&state, m, &q, format).await?;
    Ok(crate::public_cache::validated(&headers, &etag, || {
        download(format, &title.replace(' ', "_"), bytes.to_vec())
    }))
}

/// The published plans of a scope in a format, and the scope's title. Published versions
/// never change: the same scope and versions give the same file, made once (also when
/// many ask at the same moment) and then served from the cache.
pub(crate) async fn scope_file(
    state: &AppState,
    m: MunicipalityId,
    q: &ScopeQuery,
    format: Format,
) -> Result<(String, std::sync::Arc<Vec<u8>>), WebError> {
    let (unit, year) = scope_of(q)?;
    let (name, title) = scope_title(state, m, unit, year).await?;
    let versions = state.store.published_scope(m, unit, year).await?;
    let key = format!(
        "scope|{}|{}|{unit:?}|{:?}|{versions:?}",
        format.extension(),
        m.0,
        year.map(|y| y.year())
    );
    let bytes = state
        .export_cache
        .get_or_make(key, || async {
            let _slot = heavy_slot(format).await?;
            let records = scope_records(state, m, unit, year).await?;
            run_export(state, format, &title, &name, records).await
        })
        .await?;
    Ok((title, bytes))
}

fn scope_links(lang: Lang, m: MunicipalityId, unit: Option<UnitId>, year: Option<i32>) -> Markup {
    let mut query = String::new();
    if let Some(u) = unit {
        query.push_str(&format!("unit={}&", u.0));
    }
    if let Some(y) = year {
        query.push_str(&format!("year={y}&"));
    }
    html! {
        @for f in Format::ALL {
            a.download href={ "/open-data/" (m.0) "/export?" (query) "format=" (f.extension()) } download { (lang.t(f.label(), f.label_en())) }
            " "
        }
    }
}

/// `/open-data?municipality=&year=`: what the open-data page lists.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct OpenDataQuery {
    pub lang: Option<Lang>,
    pub municipality: Option<String>,
    pub year: Option<String>,
    pub page: Option<String>,
}

/// The open-data page, navigated: the municipalities with published plans (a page at a
/// time; a single one is shown at once), then one municipality's fiscal years, and for
/// one year (the newest unless chosen) the downloads of the whole city and of each unit
/// (published plans only), with links to the comparison and the councils.
pub(crate) async fn open_data_page(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<OpenDataQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    let lang = page.lang;
    let store = &state.store;
    let chosen = crate::pages::given(&q.municipality)
        .map(|m| parse_id(m, "municipality").map(MunicipalityId))
        .transpose()?;
    let page_no = crate::pages::page_number(&q.page);
    // Published plans only: open data is what the public may read.
    let with_plans = store.municipalities_with_plans(&[], false).await?;
    let municipalities: Vec<_> = store
        .list_municipalities()
        .await?
        .into_iter()
        .filter(|m| with_plans.contains(&m.id))
        .collect();
    let chosen = chosen.or_else(|| {
        (municipalities.len() == 1)
            .then(|| municipalities.first().map(|m| m.id))
            .flatten()
    });
    let city = match chosen {
        Some(m) => {
            let Some(muni) = municipalities.iter().find(|x| x.id == m) else {
                return Err(WebError::NotFound(format!("municipality {m}")));
            };
            let years = store.published_years(m).await?;
            let year = match crate::pages::given(&q.year) {
                Some(y) => {
                    let fy = kusei_domain::calendar::FiscalYear::parse(y, None)
                        .map_err(|_| WebError::NotFound(format!("fiscal year {y:?}")))?;
                    if !years.contains(&fy.year()) {
                        return Err(WebError::NotFound(format!("fiscal year {y:?}")));
                    }
                    Some(fy.year())
                }
                None => years.last().copied(),
            };
            let mut units_of_year: Vec<Unit> = Vec::new();
            if let Some(y) = year {
                let listed = store
                    .plans_all(&kusei_store::PlanFilter {
                        municipality: Some(m),
                        year: FiscalYear::new(y).ok(),
                        ..Default::default()
                    })
                    .await?;
                // A row per unit only where it has a published plan of the year, as
                // published (a link to an empty file is a dead end).
                let units = store.list_units(m).await?;
                units_of_year = units
                    .into_iter()
                    .filter(|u| {
                        listed.iter().any(|l| {
                            let p = &l.summary.plan;
                            p.unit_id == u.id
                                && (p.period.start.year()..=p.period.end.year()).contains(&y)
                        })
                    })
                    .collect();
            }
            Some((muni.clone(), years, year, units_of_year))
        }
        None => None,
    };
    let per_page = crate::pages::MUNICIPALITIES_PER_PAGE;
    let pages = municipalities.len().div_ceil(per_page).max(1);
    let body = html! {
        h1 { (lang.t("オープンデータ", "Open data")) }
        p { (lang.t(
            "公表された計画を、CSV（UTF-8、BOM付き。Excelでそのまま開けます）、JSON（Kusei の取込形式の文書。そのまま取り込めます）、Excel、PDFでダウンロードできます。",
            "Published plans as CSV (UTF-8 with BOM, opens in Excel), JSON (documents in Kusei's import format, which can be imported as they are), Excel and PDF.")) }
        p { (lang.t("同じデータはJSON APIからも取得できます：", "The same data is available from the JSON API: "))
            a href="/api/openapi.json" { "/api/openapi.json" } }
        @if municipalities.is_empty() {
            p { (lang.t("公表された計画はまだありません。", "No plan has been published yet.")) }
        }
        @if let Some((m, years, year, units)) = &city {
            @if municipalities.len() > 1 {
                p { a href=(page.href("/open-data")) { (lang.t("← 自治体の一覧", "← All municipalities")) } }
            }
            section aria-labelledby={ "od-" (m.id) } {
                h2 #{ "od-" (m.id) } { (m.name) }
                p { a href=(page.href(&format!("/dashboard/{}", m.id))) { (lang.t("区の比較（ダッシュボード）", "Ward comparison (dashboard)")) } }
                @if !units.is_empty() {
                    p { (lang.t("区政会議の意見と対応状況（CSV・JSON・PDF）: ", "Ward councils' opinions and answers (CSV, JSON, PDF): "))
                        @for (i, u) in units.iter().enumerate() {
                            @if i > 0 { " · " }
                            a href=(page.href(&format!("/council/{}", u.id.0))) { (u.name) }
                        }
                    }
                }
                nav aria-label=(lang.t("年度", "Fiscal years")) {
                    h3 { (lang.t("年度", "Fiscal years")) }
                    ul.years {
                        @for y in years.iter().rev() {
                            @let label = FiscalYear::new(*y).map(|f| crate::layout::fy_label(lang, f)).unwrap_or_default();
                            li {
                                @if Some(*y) == *year {
                                    strong aria-current="page" { (label) }
                                } @else {
                                    a href=(page.href(&format!("/open-data?municipality={}&year={y}", m.id))) { (label) }
                                }
                            }
                        }
                    }
                }
                table {
                    caption { (m.name) " — " (lang.t("年度・組織ごとのダウンロード", "Downloads by year and unit")) }
                    thead { tr {
                        th scope="col" { (lang.t("範囲", "Scope")) }
                        th scope="col" { (lang.t("ダウンロード", "Download")) }
                    } }
                    tbody {
                        tr { th scope="row" { (lang.t("全年度・全組織", "All years, all units")) } td { (scope_links(lang, m.id, None, None)) } }
                        @if let Some(y) = year {
                            @let fy = FiscalYear::new(*y).map(|f| crate::layout::fy_label(lang, f)).unwrap_or_default();
                            tr { th scope="row" { (fy) " " (lang.t("全組織", "all units")) } td { (scope_links(lang, m.id, None, Some(*y))) } }
                            @for u in units {
                                tr { th scope="row" { (fy) " " (u.name) } td { (scope_links(lang, m.id, Some(u.id), Some(*y))) } }
                            }
                        }
                    }
                }
            }
        } @else if !municipalities.is_empty() {
            section aria-labelledby="od-municipalities" {
                h2 #od-municipalities { (lang.t("自治体", "Municipalities")) " "
                    span.muted { "(" (municipalities.len()) (lang.t("団体", "")) ")" } }
                ul.municipalities {
                    @for m in municipalities.iter().skip((page_no - 1) * per_page).take(per_page) {
                        li { a href=(page.href(&format!("/open-data?municipality={}", m.id))) { (m.name) } }
                    }
                }
                (crate::pages::municipality_pager(&page, "/open-data", page_no, pages))
            }
        }
    };
    Ok(Html(page.render(
        lang.t("オープンデータ", "Open data"),
        "/open-data",
        body,
    )))
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct DashboardQuery {
    pub year: Option<String>,
    pub lang: Option<Lang>,
}

/// The comparison of a municipality's wards for a year (default: the latest year with
/// published plans), from published plans.
pub(crate) async fn dashboard_data(
    state: &AppState,
    m: MunicipalityId,
    year: Option<&str>,
) -> Result<(String, Vec<i32>, Dashboard), WebError> {
    use sha2::{Digest, Sha256};
    let store = &state.store;
    let (name, _) = scope_title(state, m, None, None).await?;
    // What the comparison is made of: the city's published versions, its units, its
    // indicators and their merges, and (for the default year) today's fiscal year. Each
    // is one small read; the comparison itself decodes every published snapshot of the
    // city, so it is made once per change of these and kept.
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    for (p, v) in store.latest_versions_of(m).await? {
        h.update(format!("p{}v{v};", p.0).as_bytes());
    }
    for u in store.list_units(m).await? {
        h.update(format!("{u:?};").as_bytes());
    }
    for i in store.list_indicators(m).await? {
        h.update(format!("{i:?};").as_bytes());
    }
    for (a, b) in store.merged_indicators(m).await? {
        h.update(format!("m{}>{};", a.0, b.0).as_bytes());
    }
    let digest = crate::public_cache::hex(&h.finalize()[..16]);
    let key = format!(
        "{}|{}|{}|{digest}",
        m.0,
        year.unwrap_or(""),
        state.clock.today_jst().fiscal_year().year()
    );
    if let Some(kept) = state.dashboard_cache.get(&key) {
        return Ok((*kept).clone());
    }
    let made = dashboard_made(state, m, year, name).await?;
    state.dashboard_cache.put(key, made.clone());
    Ok(made)
}

/// The comparison, made from the city's published records.
async fn dashboard_made(
    state: &AppState,
    m: MunicipalityId,
    year: Option<&str>,
    name: String,
) -> Result<(String, Vec<i32>, Dashboard), WebError> {
    let mut records = scope_records(state, m, None, None).await?;
    // A snapshot published before two indicators were merged names the merged one: its
    // figures count for the indicator it became (a ward's history joins the common one).
    let merged: std::collections::HashMap<_, _> = state
        .store
        .merged_indicators(m)
        .await?
        .into_iter()
        .collect();
    if !merged.is_empty() {
        for r in &mut records {
            for n in &mut r.content.nodes {
                for id in n
                    .targets
                    .iter_mut()
                    .map(|t| &mut t.indicator_id)
                    .chain(n.actuals.iter_mut().map(|a| &mut a.indicator_id))
                {
                    if let Some(to) = id.and_then(|i| merged.get(&i)) {
                        *id = Some(*to);
                    }
                }
            }
        }
    }
    let years: Vec<i32> = records
        .iter()
        .flat_map(|r| r.content.period.start.year()..=r.content.period.end.year())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let year = match year.filter(|y| !y.is_empty()) {
        Some(y) => parse_year(y)?,
        // The latest year up to this one (next year's plan, published early, has no
        // results yet), else the latest.
        None => match years
            .iter()
            .rev()
            .find(|y| **y <= state.clock.today_jst().fiscal_year().year())
            .or(years.last())
        {
            Some(y) => FiscalYear::new(*y).map_err(|e| WebError::Internal(e.to_string()))?,
            None => return Err(WebError::NotFound(format!("no published plans of {name}"))),
        },
    };
    let indicators: Vec<IndicatorInfo> = state
        .store
        .list_indicators(m)
        .await?
        .into_iter()
        .filter(|i| i.is_common)
        .map(|i| IndicatorInfo {
            id: i.id,
            name: i.name,
            unit: i.unit,
            higher_is_better: i.direction != Direction::LowerIsBetter,
        })
        .collect();
    Ok((name, years, dashboard::build(&records, &indicators, year)))
}

fn opt(v: Option<f64>) -> String {
    v.map(fmt).unwrap_or_else(|| "—".into())
}

/// `/dashboard/{municipality}?year=`.
pub(crate) async fn dashboard_page(
    State(state): State<AppState>,
    who: Who,
    Path(m): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, WebError> {
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    let lang = page.lang;
    let mid = MunicipalityId(parse_id(&m, "municipality")?);
    // An unknown municipality is a 404; a known one without published plans says so.
    let (city, _) = scope_title(&state, mid, None, None).await?;
    let (name, years, d) = match dashboard_data(&state, mid, q.year.as_deref()).await {
        Err(WebError::NotFound(_)) if q.year.as_deref().is_none_or(str::is_empty) => {
            let title = format!("{city} {}", lang.t("区の比較", "ward comparison"));
            let body = html! {
                h1 { (title) }
                p role="status" { (lang.t("まだ公表された計画がありません。計画が公表されると、ここで区ごとの達成状況と共通指標を比べられます。",
                    "No plan has been published yet. Once plans are published, this page compares the wards' results and common indicators.")) }
                p { a href=(page.href("/")) { (lang.t("トップページへ", "Back to the home page")) } }
            };
            return Ok(Html(page.render(
                &title,
                &format!("/dashboard/{}", mid.0),
                body,
            )));
        }
        other => other?,
    };
    let dl = FiscalYear::new(d.fiscal_year)
        .map(|f| crate::layout::fy_label(lang, f))
        .unwrap_or_else(|_| d.label.clone());
    let title = format!("{name} {} {}", dl, lang.t("区の比較", "ward comparison"));
    let year_labels: Vec<String> = d
        .trends
        .first()
        .map(|t| {
            t.points
                .iter()
                .map(|p| match lang {
                    // The chart's x axis: the year as the table beside it heads it.
                    Lang::Ja => p.label.clone(),
                    Lang::En => format!("FY{}", p.fiscal_year),
                })
                .collect()
        })
        .unwrap_or_default();
    // The ward council's year per ward (区政会議: opinions, answers, reflection).
    let mut council = Vec::new();
    if let Ok(fy) = FiscalYear::new(d.fiscal_year) {
        let opinions = state.store.municipality_opinions(mid, fy).await?;
        let meetings = state.store.municipality_meetings(mid, fy).await?;
        for u in state.store.list_units(mid).await? {
            // A public page: answers count as published (see ward_measures).
            let mine = kusei_app::council::counted_as(
                opinions
                    .iter()
                    .filter(|o| o.unit_id == u.id)
                    .cloned()
                    .collect(),
                true,
            );
            if mine.is_empty() {
                continue;
            }
            let held: Vec<_> = meetings
                .iter()
                .filter(|m| m.unit_id == u.id)
                .cloned()
                .collect();
            council.push((u, kusei_app::council::measures_of(&mine, &held)));
        }
    }
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{}%", fmt(v)));
    let body = html! {
        h1 { (title) }
        form.year-switch method="get" action={ "/dashboard/" (mid.0) } {
            input type="hidden" name="lang" value=(lang.code());
            label for="year" { (lang.t("年度", "Fiscal year")) }
            select #year name="year" {
                @for y in years.iter().rev() {
                    @let label = FiscalYear::new(*y).map(|f| crate::layout::fy_label(lang, f)).unwrap_or_default();
                    option value=(y) selected[*y == d.fiscal_year] { (label) }
                }
            }
            button type="submit" { (lang.t("表示", "Show")) }
        }
        p { (lang.t("公表された計画から集計しています。", "Computed from published plans. "))
            a href=(format!("/api/v1/dashboard/{}?year={}", mid.0, d.fiscal_year)) { "JSON" } }
        p { a href=(page.href(&format!("/rollup/{}?year={}", mid.0, d.fiscal_year))) { (lang.t("成果目標の評価区分の集計（市の集計）", "Grades of outcome targets (the city's roll-up)")) } }
        nav.toc aria-label=(lang.t("目次", "Contents")) {
            ul {
                li { a href="#judgments" { (lang.t("取組の達成状況", "Judgments per ward")) } }
                @for (i, c) in d.indicators.iter().enumerate() {
                    li { a href={ "#ind-" (i) } { (c.indicator.name) } }
                }
            }
        }
        @if !council.is_empty() {
            section #council aria-labelledby="council-h" {
                h2 #council-h { (lang.t("区政会議の意見と対応", "Ward councils: opinions and answers")) }
                table.numbers {
                    caption { (dl) " " (lang.t("区政会議の意見への回答と反映（件数）", "answers to council opinions and their reflection (count)")) }
                    thead { tr {
                        th scope="col" { (lang.t("区", "Ward")) }
                        th scope="col" { (lang.t("意見", "Opinions")) }
                        th scope="col" { (lang.t("回答", "Answered")) }
                        th scope="col" { (lang.t("回答率", "Answered share")) }
                        th scope="col" { (lang.t("反映", "Reflected")) }
                        th scope="col" { (lang.t("反映率", "Reflected share")) }
                        th scope="col" { (lang.t("回答までの日数（中央値）", "Days to answer (median)")) }
                    } }
                    tbody { @for (u, m) in &council { tr {
                        th scope="row" { a href=(page.href(&format!("/council/{}?year={}", u.id.0, d.fiscal_year))) { (u.name) } }
                        td.num { (m.received) }
                        td.num { (m.answered) }
                        td.num { (pct(m.answered_share)) }
                        td.num { (m.reflected) }
                        td.num { (pct(m.reflected_share)) }
                        td.num { @if let Some(x) = m.median_days { (x) } @else { "—" } }
                    } } }
                }
            }
        }
        section #judgments aria-labelledby="judgments-h" {
            h2 #judgments-h { (lang.t("区ごとの取組の達成状況", "Initiatives per ward: achieved / not achieved / not yet determined")) }
            table.numbers {
                caption { (dl) " " (lang.t("具体的取組の自己評価（件数）", "year-end judgments of initiatives (count)")) }
                thead { tr {
                    th scope="col" { (lang.t("区", "Ward")) }
                    th scope="col" { (lang.t("達成", "Achieved")) }
                    th scope="col" { (lang.t("未達成", "Not achieved")) }
                    th scope="col" { (lang.t("未確定", "Not yet determined")) }
                    th scope="col" { (lang.t("合計", "Total")) }
                    th scope="col" { (lang.t("達成率", "Achieved share")) }
                } }
                tbody {
                    @for c in &d.counts {
                        tr {
                            th scope="row" { (c.unit) }
                            td.num { (c.achieved) }
                            td.num { (c.not_achieved) }
                            td.num { (c.undetermined) }
                            td.num { (c.total) }
                            td.num { @if c.total > 0 { (fmt(100.0 * c.achieved as f64 / c.total as f64)) "%" } @else { (lang.t("未評価", "not evaluated")) } }
                        }
                    }
                }
            }
            (bar_chart_in(lang == Lang::En, "chart-achieved", &format!("{} {}", dl, lang.t("達成した取組の割合", "share of initiatives achieved")), "%",
                &d.counts.iter().map(|c| Bar { label: c.unit.clone(), value: (c.total > 0).then(|| 100.0 * c.achieved as f64 / c.total as f64) }).collect::<Vec<_>>()))
        }
        @if d.indicators.is_empty() {
            p { (lang.t("共通指標が登録されていません。", "No common indicators are defined.")) }
        }
        @for (i, c) in d.indicators.iter().enumerate() {
            section.indicator id={ "ind-" (i) } aria-labelledby={ "ind-" (i) "-h" } {
                h2 id={ "ind-" (i) "-h" } { (c.indicator.name) " (" (c.indicator.unit) ")" }
                p.muted { (if c.indicator.higher_is_better { lang.t("高いほど良い指標", "higher is better") } else { lang.t("低いほど良い指標", "lower is better") }) }
                div.chart-pair {
                    (bar_chart_in(lang == Lang::En, &format!("chart-bar-{i}"), &format!("{} {} {}", c.indicator.name, dl, lang.t("実績", "actual")), &c.indicator.unit,
                        &c.wards.iter().map(|w| Bar { label: w.unit.clone(), value: w.actual }).collect::<Vec<_>>()))
                    table.numbers {
                        caption { (c.indicator.name) " " (dl) " — " (lang.t("区ごとの目標と実績", "target and actual per ward")) }
                        thead { tr {
                            th scope="col" { (lang.t("区", "Ward")) }
                            th scope="col" { (lang.t("目標", "Target")) }
                            th scope="col" { (lang.t("実績", "Actual")) }
                            th scope="col" { (lang.t("達成", "Met")) }
                        } }
                        tbody {
                            @for w in &c.wards {
                                tr {
                                    th scope="row" { (w.unit) }
                                    td.num { (opt(w.target)) }
                                    td.num { (opt(w.actual)) }
                                    td { (match w.met { Some(true) => lang.t("達成", "yes"), Some(false) => lang.t("未達成", "no"), None => "—" }) }
                                }
                            }
                        }
                    }
                }
                @if let Some(t) = d.trends.get(i) {
                    h3 { (lang.t("経年変化", "Trend over the years")) }
                    div.chart-pair {
                        (line_chart_in(lang == Lang::En, &format!("chart-line-{i}"), &format!("{}{}", c.indicator.name, lang.t("の推移（全区）", " — all wards")), &c.indicator.unit, &year_labels, &[
                            Series { name: lang.t("平均", "mean").into(), values: t.points.iter().map(|p| p.mean).collect() },
                            Series { name: lang.t("最大", "highest").into(), values: t.points.iter().map(|p| p.max).collect() },
                            Series { name: lang.t("最小", "lowest").into(), values: t.points.iter().map(|p| p.min).collect() },
                        ]))
                        table.numbers {
                            caption { (c.indicator.name) " — " (lang.t("年度ごとの実績（全区）", "actuals per year, all wards")) }
                            thead { tr {
                                th scope="col" { (lang.t("年度", "Year")) }
                                th scope="col" { (lang.t("区の数", "Wards")) }
                                th scope="col" { (lang.t("平均", "Mean")) }
                                th scope="col" { (lang.t("最小", "Lowest")) }
                                th scope="col" { (lang.t("最大", "Highest")) }
                            } }
                            tbody {
                                @for p in &t.points {
                                    tr {
                                        th scope="row" { (p.label) }
                                        td.num { (p.wards) }
                                        td.num { (opt(p.mean)) }
                                        td.num { (opt(p.min)) }
                                        td.num { (opt(p.max)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let path = format!("/dashboard/{}?year={}", mid.0, d.fiscal_year);
    Ok(Html(page.render(&title, &path, body)))
}

/// 503 with the reason (e.g. no Japanese font for PDF): the rest of Kusei keeps working.
pub(crate) fn unavailable(why: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(crate::layout::message_page(
            Lang::Ja,
            "PDFを作成できません / Cannot make the PDF",
            why,
        )),
    )
        .into_response()
}

/// `Content-Disposition` for a download named `stem.ext` (Japanese names kept, RFC 6266).
pub fn disposition(stem: &str, format: Format) -> String {
    let name = format!("{stem}.{}", format.extension());
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_file_name(stem, format),
        crate::forms::url_encode(&name)
    )
}

/// The ASCII fallback of a file name for old clients: an ASCII name as it is; a name with
/// Japanese becomes `kusei` and its ASCII runs (城東区_令和7年度_区運営方針 → kusei_7.pdf).
fn ascii_file_name(stem: &str, format: Format) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    if stem.chars().all(safe) && !stem.is_empty() {
        return format!("{stem}.{}", format.extension());
    }
    let runs: Vec<String> = stem
        .split(|c: char| !safe(c))
        .map(|r| r.trim_matches(|c| c == '_' || c == '.' || c == '-'))
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    if runs.is_empty() {
        format!("kusei.{}", format.extension())
    } else {
        format!("kusei_{}.{}", runs.join("_"), format.extension())
    }
}

#[cfg(test)]
mod file_name_tests {
    use super::*;

    #[test]
    fn the_ascii_fallback_keeps_what_it_can() {
        assert_eq!(
            ascii_file_name("城東区_令和7年度_区運営方針", Format::Pdf),
            "kusei_7.pdf"
        );
        assert_eq!(ascii_file_name("区政会議", Format::Csv), "kusei.csv");
        assert_eq!(
            ascii_file_name("report-2025", Format::Csv),
            "report-2025.csv"
        );
        assert_eq!(
            ascii_file_name("北区_R7_council", Format::Json),
            "kusei_R7_council.json"
        );
        let d = disposition("城東区_令和7年度", Format::Pdf);
        assert!(
            d.contains("filename=\"kusei_7.pdf\"") && d.contains("filename*=UTF-8''%E5%9F%8E"),
            "{d}"
        );
    }
}

/// Exports of published versions, kept by what they are made of (format, scope, the
/// versions): a published version never changes, so a kept file is never stale. Requests
/// for the same file at the same moment wait for one making of it. At most
/// [`CACHE_BYTES`] in all (the oldest go first); a file over [`CACHE_ENTRY_BYTES`] is
/// not kept.
#[derive(Debug, Default)]
pub struct ExportCache {
    inner: std::sync::Mutex<CacheInner>,
}

type Cell = std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<Vec<u8>>>>;

#[derive(Debug, Default)]
struct CacheInner {
    cells: std::collections::HashMap<String, Cell>,
    /// Kept files, oldest first, with their sizes.
    kept: std::collections::VecDeque<(String, usize)>,
    bytes: usize,
}

pub const CACHE_BYTES: usize = 256 * 1024 * 1024;
pub const CACHE_ENTRY_BYTES: usize = 64 * 1024 * 1024;

impl ExportCache {
    /// The file under `key`, made by `make` when it is not kept.
    pub(crate) async fn get_or_make<F, Fut>(
        &self,
        key: String,
        make: F,
    ) -> Result<std::sync::Arc<Vec<u8>>, WebError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Vec<u8>, WebError>>,
    {
        let cell = {
            let mut inner = self
                .inner
                .lock()
                .map_err(|e| WebError::Internal(e.to_string()))?;
            inner.cells.entry(key.clone()).or_default().clone()
        };
        let made = std::sync::atomic::AtomicBool::new(false);
        let result = cell
            .get_or_try_init(|| async {
                made.store(true, std::sync::atomic::Ordering::Relaxed);
                make().await.map(std::sync::Arc::new)
            })
            .await
            .cloned();
        let mut inner = self
            .inner
            .lock()
            .map_err(|e| WebError::Internal(e.to_string()))?;
        match &result {
            Err(_) => {
                if !cell.initialized() {
                    inner.cells.remove(&key);
                }
            }
            Ok(bytes) if made.load(std::sync::atomic::Ordering::Relaxed) => {
                let size = bytes.len();
                if size > CACHE_ENTRY_BYTES {
                    inner.cells.remove(&key);
                } else {
                    inner.kept.push_back((key, size));
                    inner.bytes += size;
                    while inner.bytes > CACHE_BYTES {
                        let Some((old, n)) = inner.kept.pop_front() else {
                            break;
                        };
                        inner.cells.remove(&old);
                        inner.bytes -= n;
                    }
                }
            }
            Ok(_) => {}
        }
        result
    }

    /// How many files are kept (for tests and the health of the cache).
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.kept.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

type DashboardData = (String, Vec<i32>, Dashboard);

/// Ward comparisons already made, by what they were made of (see [`dashboard_data`]).
pub type DashboardCache = Kept<DashboardData>;

/// Results already made, by a key naming everything they were made of: at most
/// [`KEPT`] of a kind, the oldest dropped first.
#[derive(Debug)]
pub struct Kept<T> {
    inner: std::sync::Mutex<KeptInner<T>>,
}

/// The kept values by key, and their keys oldest first.
type KeptInner<T> = (
    std::collections::HashMap<String, std::sync::Arc<T>>,
    std::collections::VecDeque<String>,
);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept {
            inner: std::sync::Mutex::new(Default::default()),
        }
    }
}

pub const KEPT: usize = 64;

impl<T> Kept<T> {
    pub(crate) fn get(&self, key: &str) -> Option<std::sync::Arc<T>> {
        self.inner.lock().ok()?.0.get(key).cloned()
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.0.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn put(&self, key: String, value: T) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let (map, order) = &mut *inner;
        if map
            .insert(key.clone(), std::sync::Arc::new(value))
            .is_none()
        {
            order.push_back(key);
        }
        while order.len() > KEPT {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }
}
