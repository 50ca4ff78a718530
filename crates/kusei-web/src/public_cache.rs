//! Public pages made once per published version: a citizen's plan page is a function of
//! the published snapshot, the language and the unit's recorded results (what relative
//! targets resolve against). Those make its key. The page is kept in the export cache
//! (bytes, oldest dropped first) and sent with an `ETag` of the key, so a repeat visit
//! or a proxy's revalidation (`If-None-Match`) costs one indexed read and a `304`.
//!
//! Only pages for signed-out readers are kept: a signed-in page has the viewer's name,
//! work count and CSRF token in its frame.

use crate::auth::Who;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::layout::Page;
use crate::AppState;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kusei_app::judge::References;
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::PlanId;
use maud::html;
use sha2::{Digest, Sha256};

/// Bytes as lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The strong validator of a kept page or file: a digest of what it is made of.
pub(crate) fn etag_of(key: &str) -> String {
    format!("\"{}\"", hex(&Sha256::digest(key.as_bytes())[..16]))
}

/// A page kept under `key` (made by `make` when it is not), sent with the key's ETag;
/// a revalidation that names it is a `304` before anything is made.
pub(crate) async fn kept_page<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    key: String,
    make: F,
) -> Result<Response, WebError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u8>, WebError>>,
{
    let etag = etag_of(&key);
    if not_modified(headers, &etag) {
        return Ok(validated(headers, &etag, || StatusCode::OK.into_response()));
    }
    let bytes = state.export_cache.get_or_make(key, make).await?;
    Ok(validated(headers, &etag, || {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            bytes.to_vec(),
        )
            .into_response()
    }))
}

/// Whether the request's `If-None-Match` names `etag` (or `*`); weak tags compare equal.
pub(crate) fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// `304 Not Modified` with the validator, or the response `make` gives with it.
pub(crate) fn validated(
    headers: &HeaderMap,
    etag: &str,
    make: impl FnOnce() -> Response,
) -> Response {
    let mut res = if not_modified(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        make()
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    // Kept by browsers and proxies, but asked again each time (a new publication shows
    // at once); the language may come from a cookie.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    res
}

/// A digest of the unit's results as read (fiscal year and text of each).
fn results_digest(rows: &[(FiscalYear, String)]) -> String {
    let mut h = Sha256::new();
    for (fy, text) in rows {
        h.update(fy.year().to_le_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    hex(&h.finalize()[..12])
}

/// A published plan page for a signed-out reader: the latest version, or `version`.
pub(crate) async fn plan_page(
    state: &AppState,
    who: &Who,
    lang: Lang,
    id: PlanId,
    version: Option<i64>,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    let store = &state.store;
    let missing = || match version {
        Some(v) => WebError::NotFound(format!("plan {id} version {v}")),
        None => WebError::NotFound(format!("plan {id}")),
    };
    let Some((unit, versions)) = store.published_head(id).await? else {
        return Err(missing());
    };
    let shown = match version {
        Some(v) if versions.iter().any(|pv| pv.version == v) => v,
        Some(_) => return Err(missing()),
        None => versions.first().map(|v| v.version).ok_or_else(missing)?,
    };
    let latest = versions.first().map_or(shown, |v| v.version);
    let rows = store.unit_results_before(unit, FiscalYear::MAX).await?;
    let path = match version {
        Some(v) => format!("/plans/{}/versions/{v}", id.0),
        None => format!("/plans/{}", id.0),
    };
    let key = format!(
        "page|plan|{}|{shown}|{latest}|{}|{path}|{}",
        id.0,
        lang.code(),
        results_digest(&rows)
    );
    kept_page(state, headers, key, || async {
        let Some(sp) = store.published_plan(id, Some(shown)).await? else {
            return Err(missing());
        };
        let refs = References::from_rows(&rows);
        let page = Page { lang, who };
        let body = html! {
            (crate::pages::versions_nav(&page, id, &versions, Some(shown)))
            (crate::pages::plan_body(&page, &sp, false, &refs))
        };
        Ok(page.render(&sp.plan.title, &path, body).into_bytes())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_weak_tags_and_star() {
        let tag = etag_of("page|plan|1|2");
        assert_eq!(tag.len(), 34);
        assert_ne!(tag, etag_of("page|plan|1|3"));
        let mut h = HeaderMap::new();
        assert!(!not_modified(&h, &tag));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"other\", W/{tag}")).unwrap(),
        );
        assert!(not_modified(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert!(!not_modified(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(not_modified(&h, &tag));
    }

    #[test]
    fn the_results_digest_changes_with_any_result() {
        let fy = FiscalYear::new(2024).unwrap();
        let a = vec![(fy, "120人".to_string())];
        let b = vec![(fy, "121人".to_string())];
        let c = vec![(FiscalYear::new(2023).unwrap(), "120人".to_string())];
        assert_ne!(results_digest(&a), results_digest(&b));
        assert_ne!(results_digest(&a), results_digest(&c));
        assert_eq!(results_digest(&a), results_digest(&a.clone()));
    }
}
