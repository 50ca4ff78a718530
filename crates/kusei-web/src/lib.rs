//! Kusei's HTTP surface: the router, HTML pages, sign-in and the health endpoint.
//!
//! Invariants:
//! - Every string that came from a document or a user is rendered through maud, which
//!   escapes it; nothing here uses `PreEscaped` on data.
//! - Every asset is served by Kusei itself (closed government networks): no CDN, no
//!   external fonts or scripts. Pages ship no JavaScript at all.
//! - Every state-changing route is a POST that checks the CSRF token first, then asks
//!   [`policy::allow`] (roles × unit tree), then the schedule, then writes through the
//!   store (which checks versions and form rules). Refusals say why, at the field.
//! - 4xx bodies say what the user did wrong; 5xx bodies say nothing internal (the detail
//!   goes to the log).

mod account;
mod admin;
mod api;
pub mod auth;
mod council;
mod error;
mod form_settings;
mod forms;
mod headers;
mod history;
mod i18n;
mod inbox;
mod indicators;
mod layout;
mod node;
mod pages;
mod progress;
mod public_cache;
mod rollup;
mod search;
pub use kusei_domain::policy;
pub mod reports;
mod structure;
mod upload;
mod users;
mod workflow;

pub use error::WebError;
pub use i18n::Lang;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use kusei_store::Store;
use tower_http::trace::TraceLayer;

pub use kusei_app::Clock;

/// Everything a handler needs.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    /// Adds `Secure` to cookies (set when Kusei is served over HTTPS).
    pub secure_cookies: bool,
    /// PDF/Excel/CSV/JSON exports (the PDF font is found once, on first use).
    pub exporter: kusei_app::export::Exporter,
    /// Read the client's address from `X-Forwarded-For` (set behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// Exports of published versions, made once.
    pub export_cache: std::sync::Arc<reports::ExportCache>,
    /// Ward comparisons, made once per change of the published plans they compare.
    pub dashboard_cache: std::sync::Arc<reports::DashboardCache>,
    /// The public's roll-ups, made once per change of what is stored.
    pub rollup_cache: std::sync::Arc<reports::Kept<kusei_app::rollup::Rollup>>,
    /// The search index (kept current from the change log; in memory unless a directory
    /// is given).
    pub search: kusei_app::search::Search,
    /// The key that signs pre-session tokens (read from the database once).
    pub(crate) pre_session_key: std::sync::Arc<tokio::sync::OnceCell<String>>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            clock: Clock::System,
            secure_cookies: false,
            exporter: kusei_app::export::Exporter::default(),
            trust_forwarded_for: false,
            export_cache: std::sync::Arc::default(),
            dashboard_cache: std::sync::Arc::default(),
            rollup_cache: std::sync::Arc::default(),
            search: kusei_app::search::Search::in_memory()
                .unwrap_or_else(|e| panic_free_search(&e)),
            pre_session_key: std::sync::Arc::default(),
        }
    }
    /// Uses this search index (a directory of the server's).
    pub fn with_search(mut self, search: kusei_app::search::Search) -> AppState {
        self.search = search;
        self
    }
    pub fn with_trust_forwarded_for(mut self, trust: bool) -> AppState {
        self.trust_forwarded_for = trust;
        self
    }
    /// Names the font file PDFs use (the `pdf_font` setting); else the system's fonts.
    pub fn with_pdf_font(mut self, font: Option<std::path::PathBuf>) -> AppState {
        self.exporter = kusei_app::export::Exporter::new(font);
        self
    }
    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }
    pub fn with_secure_cookies(mut self, secure: bool) -> AppState {
        self.secure_cookies = secure;
        self
    }
}

/// An in-memory index cannot fail to open but for a lack of memory; say so and stop.
fn panic_free_search(e: &kusei_app::AppError) -> kusei_app::search::Search {
    tracing::error!(error = %e, "the search index cannot be made in memory");
    std::process::abort()
}

/// Builds the router; tests call it with `oneshot`, the server binds it to an address.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route(
            "/plans/new",
            get(structure::new_form).post(structure::create),
        )
        .route("/plans/{id}", get(pages::plan))
        .route(
            "/plans/{id}/structure",
            get(structure::page).post(structure::change),
        )
        .route("/plans/{id}/progress", get(progress::page))
        .route("/plans/{id}/items/{key}", get(search::item_page))
        .route("/search", get(search::page))
        .route("/units/{id}/directory", get(search::directory_page))
        .route("/plans/{id}/history", get(history::plan_page))
        .route(
            "/nodes/{id}/delete",
            get(structure::delete_form).post(structure::delete),
        )
        .route(
            "/plans/{id}/versions/{version}",
            get(pages::published_version),
        )
        .route("/plans/{id}/workflow", post(workflow::step))
        .route("/plans/{id}/copy-forward", post(workflow::copy_forward))
        .route("/plans/{id}/opinions", post(council::give))
        .route("/plans/{id}/opinions/new", get(council::opinion_form))
        .route("/council/{ward}", get(council::page))
        .route("/council/{ward}/opinions", post(council::enter_opinion))
        .route("/council/{ward}/meetings", post(council::add_meeting))
        .route("/council/{ward}/settings", post(council::save_settings))
        .route("/council/{ward}/publish", post(council::publish))
        .route("/council/{ward}/groups", post(council::add_group))
        .route(
            "/council/{ward}/groups/{group}",
            post(council::set_group_members),
        )
        .route(
            "/council/meetings/{id}/minutes",
            get(council::minutes_file).post(council::attach_minutes),
        )
        .route("/council/{ward}/export", get(council::export))
        .route(
            "/opinions/{id}",
            get(council::opinion_page).post(council::act),
        )
        .route("/plans/{id}/print", get(reports::print))
        .route("/plans/{id}/export/{format}", get(reports::plan_export))
        .route("/open-data", get(reports::open_data_page))
        .route(
            "/open-data/{municipality}/export",
            get(reports::scope_export),
        )
        .route("/dashboard/{municipality}", get(reports::dashboard_page))
        .route("/rollup/{municipality}", get(rollup::page))
        .route(
            "/rollup/{municipality}/export/{format}",
            get(rollup::export),
        )
        .route("/nodes/{id}", get(node::page))
        .route("/nodes/{id}/history", get(history::page))
        .route(
            "/nodes/{id}/plan",
            get(node::plan_form).post(node::save_plan),
        )
        .route(
            "/nodes/{id}/review",
            get(node::review_form).post(node::save_review),
        )
        .route(
            "/nodes/{id}/evaluation",
            get(node::evaluation_form).post(node::save_evaluation),
        )
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/admin", get(admin::page))
        .route("/admin/schedule", post(admin::save_window))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/{login}", get(users::page).post(users::act))
        .route("/admin/security", get(users::log))
        .route("/admin/units", post(admin::create_unit))
        .route(
            "/admin/units/{id}",
            get(admin::unit_form).post(admin::save_unit),
        )
        .route("/admin/municipalities", post(admin::create_municipality))
        .route("/admin/municipalities/remove", post(admin::remove_sample))
        .route(
            "/admin/municipalities/rename",
            post(admin::rename_municipality),
        )
        .route(
            "/admin/forms",
            get(form_settings::form).post(form_settings::save),
        )
        .route(
            "/admin/grading",
            get(rollup::grading_form).post(rollup::grading_save),
        )
        .route(
            "/admin/indicators",
            get(indicators::list).post(indicators::create),
        )
        .route(
            "/admin/indicators/{id}",
            get(indicators::form).post(indicators::save),
        )
        .route("/admin/indicators/{id}/merge", post(indicators::merge))
        .route("/import", get(upload::form).post(upload::preview))
        .route("/import/confirm", post(upload::confirm))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/municipalities", get(api::municipalities))
        .route("/api/v1/municipalities/{id}/units", get(api::units))
        .route("/api/v1/plans", get(api::plans))
        .route("/api/v1/plans/{id}", get(api::plan))
        .route(
            "/api/v1/plans/{id}/versions/{version}",
            get(api::plan_version),
        )
        .route("/api/v1/plans/{id}/open-data", get(api::plan_open_data))
        .route("/api/v1/plans/{id}/opinions", get(api::plan_opinions))
        .route("/api/v1/nodes/{id}", get(api::node))
        .route("/api/v1/nodes/{id}/history", get(api::node_history))
        .route("/api/v1/indicators/{id}/series", get(api::indicator_series))
        .route("/api/v1/dashboard/{municipality}", get(api::dashboard))
        .route("/api/v1/rollup/{municipality}", get(api::rollup))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/open-data/{municipality}", get(api::open_data))
        .route("/api/{*rest}", get(api::not_found))
        .route("/healthz", get(health))
        .route("/static/kusei.css", get(stylesheet))
        .route("/static/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            i18n::language,
        ))
        .layer(axum::middleware::from_fn(headers::security))
        .layer(DefaultBodyLimit::max(20 * 1024 * 1024))
        .layer(
            // One span per request, named by the route template, never the raw URL.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let route = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map(MatchedPath::as_str)
                    .unwrap_or("unmatched");
                tracing::info_span!("request", method = %req.method(), route)
            }),
        )
        .with_state(state)
}

/// Liveness, and whether the database can be read and written: 200 with
/// `{"status":"ok","database":"ok"}`, or 503 with `database` = `unreachable` (no read) or
/// `read_only` (reads work, a write does not: a full disk, a read-only file, a held lock).
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    let unavailable = |database: &str| {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "error", "database": database})),
        )
            .into_response()
    };
    if let Err(e) = state.store.ping().await {
        tracing::error!(error = %e, "health check: database unreachable");
        return unavailable("unreachable");
    }
    match state
        .store
        .check_writable(std::time::Duration::from_secs(5))
        .await
    {
        Ok(()) => Json(serde_json::json!({"status": "ok", "database": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database cannot write");
            unavailable("read_only")
        }
    }
}

const CSS: &str = include_str!("../assets/kusei.css");
const FAVICON: &str = include_str!("../assets/favicon.svg");

/// The site's icon (browsers ask for /favicon.ico on every page; a 404 there is noise).
async fn favicon() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        FAVICON,
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        CSS,
    )
}
