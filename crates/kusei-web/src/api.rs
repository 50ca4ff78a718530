//! The JSON API (`/api/v1/…`): what the pages show, as JSON, with the same access rules
//! (signed-out callers read published versions only; the session cookie of a signed-in
//! user gives what that user may see). Described by `/api/openapi.json`.
//!
//! Errors are `{"error": {"code", "message"}}` with a stable `code`: `not_found`,
//! `unauthorized`, `forbidden`, `password_change_required`, `bad_request`,
//! `pdf_font_missing`, `internal`.

use crate::auth::Who;
use crate::error::WebError;
use crate::pages::{parse_id, unit_tree};
use crate::policy::{allow, Action};
use crate::reports::{
    dashboard_data, parse_format, parse_year, run_export, visible_record, DashboardQuery,
    ScopeQuery,
};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kusei_app::export::Format;
use kusei_domain::model::{MunicipalityId, PlanId, UnitId};
use serde::Deserialize;
use serde_json::{json, Value};

/// An API error: HTTP status, stable code, message.
#[derive(Debug)]
pub(crate) struct ApiError(WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<kusei_app::AppError> for ApiError {
    fn from(e: kusei_app::AppError) -> Self {
        ApiError(e.into())
    }
}

impl From<kusei_store::StoreError> for ApiError {
    fn from(e: kusei_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match &self.0 {
            WebError::NotFound(what) | WebError::NotHere(what) => (
                StatusCode::NOT_FOUND,
                "not_found",
                format!("見つかりません / not found: {what}"),
            ),
            WebError::SignIn { .. } => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "サインインが必要です / sign-in required".into(),
            ),
            WebError::PasswordChange => (
                StatusCode::FORBIDDEN,
                "password_change_required",
                "パスワードを変更してください / change your password first".into(),
            ),
            WebError::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", why.clone()),
            WebError::BadRequest(why) => (StatusCode::BAD_REQUEST, "bad_request", why.clone()),
            WebError::Conflict(why) => (StatusCode::CONFLICT, "conflict", why.clone()),
            WebError::Unavailable(why) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "pdf_font_missing",
                why.clone(),
            ),
            WebError::Internal(detail) => {
                tracing::error!(%detail, "api request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "内部エラー / internal error".into(),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        (
            status,
            Json(json!({"error": {"code": code, "message": message}})),
        )
            .into_response()
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError(WebError::Internal(e.to_string())))
}

/// `GET /api/v1/municipalities`
pub(crate) async fn municipalities(State(state): State<AppState>) -> ApiResult {
    let list = state.store.list_municipalities().await?;
    Ok(Json(json!({ "municipalities": list.iter().map(|m| json!({
        "id": m.id.0, "code": m.code, "name": m.name, "is_sample": m.is_sample,
    })).collect::<Vec<_>>() })))
}

/// `GET /api/v1/municipalities/{id}/units`
pub(crate) async fn units(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = MunicipalityId(parse_id(&id, "municipality")?);
    if !state
        .store
        .list_municipalities()
        .await?
        .iter()
        .any(|m| m.id == id)
    {
        return Err(WebError::NotFound(format!("municipality {id}")).into());
    }
    let units = state.store.list_units(id).await?;
    Ok(Json(json!({ "units": units.iter().map(|u| json!({
        "id": u.id.0, "parent_id": u.parent_id.map(|p| p.0), "kind": u.kind.code(),
        "kind_label": u.kind.label_ja(), "name": u.name, "phone": u.phone, "fax": u.fax,
        "duties": u.duties,
    })).collect::<Vec<_>>() })))
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct PlansQuery {
    pub municipality: Option<String>,
    pub unit: Option<String>,
    pub year: Option<String>,
    /// Words the plan's title (or its unit's name) must have, folded as the search
    /// folds them; a search of the plans' contents is `/api/v1/search`.
    pub q: Option<String>,
    /// How many plans in one answer (1–500, 100 unless given).
    pub limit: Option<String>,
    /// The `next` of the previous answer.
    pub after: Option<String>,
}

/// The plans one answer of `/api/v1/plans` holds unless `limit` says otherwise.
pub(crate) const PLANS_PER_PAGE: usize = 100;

/// `GET /api/v1/plans?municipality=&unit=&year=&q=&limit=&after=` — the plans the
/// caller may see, newest fiscal year first, a page at a time: `next` is the cursor of
/// the following page (`after=`), `null` on the last.
pub(crate) async fn plans(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<PlansQuery>,
) -> ApiResult {
    let store = &state.store;
    let given = |v: &Option<String>| crate::pages::given(v).map(str::to_string);
    let unit = given(&q.unit)
        .map(|u| parse_id(&u, "unit"))
        .transpose()?
        .map(UnitId);
    let year = given(&q.year).map(|y| parse_year(&y)).transpose()?;
    let municipality = given(&q.municipality)
        .map(|m| parse_id(&m, "municipality"))
        .transpose()?
        .map(MunicipalityId);
    let limit = match given(&q.limit) {
        None => PLANS_PER_PAGE,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| {
                WebError::BadRequest(format!("limit {l:?}: a whole number from 1 to 500"))
            })?,
    };
    let after = given(&q.after)
        .map(|a| {
            kusei_store::PlanCursor::parse(&a).ok_or_else(|| {
                WebError::BadRequest(format!("after {a:?}: the `next` of an earlier answer"))
            })
        })
        .transpose()?;
    let words: Vec<String> =
        q.q.as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(kusei_search::text::fold)
            .collect();
    let (drafts_of, drafts_everywhere) =
        crate::inbox::readable_drafts(store, &who.grants()).await?;
    let mut filter = kusei_store::PlanFilter {
        municipality,
        unit,
        year,
        drafts_of,
        drafts_everywhere,
        after,
        min_end: None,
        limit,
    };
    let mut out = Vec::new();
    let mut last = None;
    let mut next = None;
    'pages: loop {
        let (page, more) = store.plans_page(&filter).await?;
        for l in page {
            let p = &l.summary;
            // The words are matched after the read: read on until the page is full.
            if !words.iter().all(|w| {
                kusei_search::text::fold(&format!("{} {}", p.plan.title, p.unit_name)).contains(w)
            }) {
                continue;
            }
            if out.len() == limit {
                next = last;
                break 'pages;
            }
            last = Some(kusei_store::PlanCursor {
                fy_end: p.plan.period.end.year(),
                id: p.plan.id.0,
            });
            out.push(json!({
                "id": p.plan.id.0,
                "municipality_id": l.municipality_id.0,
                "unit_id": p.plan.unit_id.0,
                "unit_name": p.unit_name,
                "title": p.plan.title,
                "family": p.plan.family.code(),
                "family_label": p.plan.family.label_ja(),
                "period": {"start": p.plan.period.start.year(), "end": p.plan.period.end.year(),
                           "label": kusei_report::layout::period_text(&p.plan.period)},
                "status": if l.working { Some(p.plan.status.code()) } else { None },
                "published_version": l.published_version,
                "node_count": p.node_count,
                "is_sample": p.plan.is_sample,
                "links": {
                    "self": format!("/api/v1/plans/{}", p.plan.id.0),
                    "html": format!("/plans/{}", p.plan.id.0),
                    "print": format!("/plans/{}/print", p.plan.id.0),
                    "pdf": format!("/plans/{}/export/pdf", p.plan.id.0),
                    "xlsx": format!("/plans/{}/export/xlsx", p.plan.id.0),
                    "csv": format!("/plans/{}/export/csv", p.plan.id.0),
                    "json": format!("/plans/{}/export/json", p.plan.id.0),
                },
            }));
        }
        match more {
            Some(c) => filter.after = Some(c),
            None => break,
        }
    }
    let next_link = next.map(|c| {
        let mut link = format!("/api/v1/plans?limit={limit}&after={c}");
        for (k, v) in [
            ("municipality", municipality.map(|m| m.0.to_string())),
            ("unit", unit.map(|u| u.0.to_string())),
            ("year", year.map(|y| y.year().to_string())),
            ("q", q.q.clone().filter(|w| !w.trim().is_empty())),
        ] {
            if let Some(v) = v {
                link.push_str(&format!("&{k}={}", kusei_app::search::path_segment(&v)));
            }
        }
        link
    });
    Ok(Json(json!({
        "plans": out,
        "next": next.map(|c| c.to_string()),
        "links": { "next": next_link },
    })))
}

/// `GET /api/v1/plans/{id}` — the plan with its nodes (ids included) and links, as the
/// plan page shows it; `copy` says which copy (`working` or `published`).
pub(crate) async fn plan(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> ApiResult {
    let id = PlanId(parse_id(&id, "plan")?);
    let live = state.store.load_plan(id).await?;
    let (tree, _) = unit_tree(&state.store, live.plan.unit_id).await?;
    let working = allow(
        &who.grants(),
        &tree,
        Action::ReadDraft {
            plan_unit: live.plan.unit_id,
        },
    )
    .is_ok();
    let versions = state.store.published_versions(id).await?;
    if working {
        let decisions = state.store.decisions(id).await?;
        let opinions = state.store.opinions(id).await?;
        return Ok(Json(json!({
            "copy": "working", "plan": to_value(&live)?, "published_versions": to_value(&versions)?,
            "decisions": to_value(&decisions)?, "opinions": to_value(&opinions)?,
        })));
    }
    let published = state
        .store
        .published_plan(id, None)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("plan {id}")))?;
    Ok(Json(
        json!({ "copy": "published", "plan": to_value(&published)?, "published_versions": to_value(&versions)? }),
    ))
}

/// `GET /api/v1/plans/{id}/versions/{version}` — a published version, for anyone.
pub(crate) async fn plan_version(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> ApiResult {
    let id = PlanId(parse_id(&id, "plan")?);
    let version = parse_id(&version, "version")?;
    let sp = state
        .store
        .published_plan(id, Some(version))
        .await?
        .ok_or_else(|| WebError::NotFound(format!("plan {id} version {version}")))?;
    Ok(Json(json!({ "copy": "published", "plan": to_value(&sp)? })))
}

/// `GET /api/v1/nodes/{id}` — an item with the judgments Kusei computes from its figures
/// (staff who may read the plan's working copy).
pub(crate) async fn node(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> ApiResult {
    let ctx = crate::node::load(&state, &id).await?;
    crate::node::require_read(&who, &ctx, &format!("/nodes/{id}"))?;
    let sn = ctx.node();
    let refs = kusei_app::judge::References::load_all(&state.store, ctx.sp.plan.unit_id).await?;
    let computed: Vec<Value> = sn
        .evaluations
        .iter()
        .map(|e| {
            let c = refs.judge(sn, e);
            json!({
                "fiscal_year": e.fiscal_year.year(),
                "stated": e.stated.code(),
                "computed": to_value(&c.judgment).unwrap_or(Value::Null),
                "findings": to_value(&c.findings).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(Json(json!({
        "plan_id": ctx.sp.plan.id.0, "node": to_value(sn)?, "computed_judgments": computed,
    })))
}

/// `GET /api/v1/nodes/{id}/history` — every recorded change of an item (staff).
pub(crate) async fn node_history(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> ApiResult {
    let ctx = crate::node::load(&state, &id).await?;
    crate::node::require_read(&who, &ctx, &format!("/nodes/{id}/history"))?;
    let changes = state.store.history("node", ctx.node().node.id.0).await?;
    Ok(Json(
        json!({ "node_id": ctx.node().node.id.0, "changes": to_value(&changes)? }),
    ))
}

/// `GET /api/v1/dashboard/{municipality}?year=` — the ward comparison (published plans).
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    Path(m): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> ApiResult {
    let m = MunicipalityId(parse_id(&m, "municipality")?);
    let (name, years, d) = dashboard_data(&state, m, q.year.as_deref()).await?;
    Ok(Json(
        json!({ "municipality": name, "years": years, "dashboard": to_value(&d)? }),
    ))
}

/// `GET /api/v1/rollup/{municipality}?year=&phase=review|evaluation` — the city's
/// roll-up of its wards, the numbers of the roll-up page and of `kusei check --db`.
pub(crate) async fn rollup(
    State(state): State<AppState>,
    who: Who,
    Path(m): Path<String>,
    Query(q): Query<crate::rollup::RollupQuery>,
) -> ApiResult {
    let m = MunicipalityId(parse_id(&m, "municipality")?);
    let r = crate::rollup::for_query(&state, &who, m, &q).await?;
    Ok(Json(kusei_app::rollup::to_json(&r)))
}

/// `GET /api/v1/search?q=…&municipality=&unit=&fiscal_year=&family=&level=&judgment=&owner=&kind=&page=`
/// — the search of the `/search` page as JSON (published versions for the public; the
/// working copies of the caller's units for staff).
pub(crate) async fn search(
    State(state): State<AppState>,
    who: Who,
    Query(p): Query<crate::search::SearchParams>,
) -> ApiResult {
    let lang = p.language();
    let r = crate::search::read(&p).map_err(|problems| {
        WebError::BadRequest(
            problems
                .iter()
                .map(|x| format!("{}: {} / {}", x.field, x.ja, x.en))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    if r.query.is_empty() {
        return Err(WebError::BadRequest(
            "q: 検索語を入れてください / give the words to search for".into(),
        )
        .into());
    }
    let found = crate::search::run(&state, &who, &r).await?;
    let names = crate::search::Names::of(&state, &found).await?;
    Ok(Json(crate::search::to_json(lang, &found, &names)))
}

/// `GET /api/v1/open-data/{municipality}?unit=&year=&format=json|csv` — published plans of
/// a scope as open data (JSON by default).
pub(crate) async fn open_data(
    State(state): State<AppState>,
    Path(m): Path<String>,
    Query(q): Query<ScopeQuery>,
) -> Result<Response, ApiError> {
    let m = MunicipalityId(parse_id(&m, "municipality")?);
    let format = parse_format(q.format.as_deref().unwrap_or("json"))?;
    if !matches!(format, Format::Json | Format::Csv) {
        return Err(WebError::BadRequest(format!(
            "the API gives json or csv; {} is at /open-data/{}/export",
            format.extension(),
            m.0
        ))
        .into());
    }
    let (_, bytes) = crate::reports::scope_file(&state, m, &q, format).await?;
    Ok((
        [(header::CONTENT_TYPE, format.content_type())],
        bytes.to_vec(),
    )
        .into_response())
}

/// `GET /api/v1/plans/{id}/open-data?format=json|csv` — one plan as open data (the copy
/// the caller may see).
pub(crate) async fn plan_open_data(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<ScopeQuery>,
) -> Result<Response, ApiError> {
    let id = PlanId(parse_id(&id, "plan")?);
    let format = parse_format(q.format.as_deref().unwrap_or("json"))?;
    if !matches!(format, Format::Json | Format::Csv) {
        return Err(WebError::BadRequest(format!(
            "the API gives json or csv; {} is at /plans/{}/export/{}",
            format.extension(),
            id.0,
            format.extension()
        ))
        .into());
    }
    let (record, _) = visible_record(&state, &who, id).await?;
    let title = kusei_report::layout::report_title(&record);
    let m = record.municipality.clone();
    let bytes = run_export(&state, format, &title, &m, vec![record]).await?;
    Ok(([(header::CONTENT_TYPE, format.content_type())], bytes).into_response())
}

/// `GET /api/v1/plans/{id}/opinions` — the council's opinions on a plan and its items
/// with the ward's answers: the published ones for everyone, all of them for the ward's
/// staff and its council.
pub(crate) async fn plan_opinions(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
) -> ApiResult {
    let id = PlanId(parse_id(&id, "plan")?);
    Ok(Json(
        crate::council::plan_opinions_json(&state, &who, id).await?,
    ))
}

/// Unknown `/api/…` paths answer JSON too.
pub(crate) async fn not_found() -> ApiError {
    ApiError(WebError::NotFound("no such API endpoint".into()))
}

/// `GET /api/openapi.json`
pub(crate) async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        OPENAPI,
    )
        .into_response()
}

/// The OpenAPI 3.1 document (kept in a file so it is reviewed like code; a test checks
/// that every route under `/api/v1` is described and every described path answers).
pub const OPENAPI: &str = include_str!("../assets/openapi.json");

#[derive(Debug, Deserialize)]
pub(crate) struct SeriesQuery {
    unit: Option<String>,
}

/// `GET /api/v1/indicators/{id}/series?unit=ID` — an indicator's target and actual per
/// unit and fiscal year (staff: working copies; only the units the caller may read), in
/// the indicator's unit as written.
pub(crate) async fn indicator_series(
    State(state): State<AppState>,
    who: Who,
    Path(id): Path<String>,
    Query(q): Query<SeriesQuery>,
) -> ApiResult {
    let path = format!("/api/v1/indicators/{id}/series");
    let id = kusei_domain::model::IndicatorId(parse_id(&id, "indicator")?);
    if who.viewer.is_none() {
        return Err(WebError::SignIn { next: path }.into());
    }
    let indicator = state
        .store
        .get_indicator(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("indicator {}", id.0)))?;
    let units = state.store.list_units(indicator.municipality_id).await?;
    let tree = kusei_domain::policy::Tree::new(indicator.municipality_id, &units);
    let only = match q.unit.as_deref().filter(|u| !u.is_empty()) {
        Some(u) => Some(UnitId(u.parse().map_err(|_| {
            WebError::BadRequest(format!("unit: 「{u}」は番号ではありません / not a unit id"))
        })?)),
        None => None,
    };
    let points = match only {
        Some(u) => state.store.indicator_series_of_unit(id, u).await?,
        None => state.store.indicator_series(id).await?,
    };
    let factor = kusei_kpi::Unit::factor(&indicator.unit);
    let names: std::collections::HashMap<UnitId, &str> =
        units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let visible: Vec<Value> = points
        .iter()
        .filter(|p| {
            allow(
                &who.grants(),
                &tree,
                Action::ReadDraft {
                    plan_unit: p.unit_id,
                },
            )
            .is_ok()
        })
        .map(|p| {
            json!({
                "unit_id": p.unit_id.0,
                "unit_name": names.get(&p.unit_id).copied().unwrap_or_default(),
                "fiscal_year": p.fiscal_year.year(),
                "fiscal_year_label": p.fiscal_year.label(),
                "target": p.target.map(|v| v / factor),
                "actual": p.actual.map(|v| v / factor),
            })
        })
        .collect();
    Ok(Json(json!({
        "indicator": {
            "id": indicator.id.0,
            "name": indicator.name,
            "unit": indicator.unit,
            "direction": indicator.direction.code(),
            "definition": indicator.definition,
            "source": indicator.source,
            "is_common": indicator.is_common,
        },
        "points": visible,
    })))
}
