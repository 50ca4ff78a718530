//! Kusei's HTTP surface: the router, HTML pages and the health endpoint.
//!
//! Invariants:
//! - Every string that came from a document or a user is rendered through maud, which
//!   escapes it; nothing here uses `PreEscaped` on data.
//! - Every asset is served by Kusei itself (closed government networks): no CDN, no
//!   external fonts or scripts.
//! - 4xx bodies say what the user did wrong; 5xx bodies say nothing internal (the detail
//!   goes to the log).

mod error;
mod i18n;
mod pages;

pub use error::WebError;
pub use i18n::Lang;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use kusei_store::Store;
use tower_http::trace::TraceLayer;

/// Everything a handler needs.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
}

/// Builds the router; tests call it with `oneshot`, the server binds it to an address.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/plans/{id}", get(pages::plan))
        .route("/healthz", get(health))
        .route("/static/kusei.css", get(stylesheet))
        .fallback(pages::not_found)
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

/// Liveness and database reachability: 200 with `{"status":"ok"}`, or 503.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    match state.store.ping().await {
        Ok(()) => Json(serde_json::json!({"status": "ok", "database": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "error", "database": "unreachable"})),
            )
                .into_response()
        }
    }
}

const CSS: &str = include_str!("../assets/kusei.css");

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
