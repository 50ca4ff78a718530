//! Security headers on every response (issue 14, finding 10): a content security policy
//! that allows only Kusei's own assets (no script at all; inline styles for the print
//! layout and charts), no framing, no MIME sniffing, no referrer to other sites, and
//! `Cache-Control: no-store` on everything a signed-in request receives (drafts,
//! one-time passwords on the administration page).

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy: Kusei serves every asset itself (LGWAN) and needs no script.
pub const CSP: &str = "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

fn signed_in(req: &Request) -> bool {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| {
            c.split(';')
                .any(|kv| kv.trim().starts_with(crate::auth::SESSION_COOKIE))
        })
}

/// Adds the headers; a response that set its own `Cache-Control` (the stylesheet) keeps
/// it unless the request was signed in.
pub(crate) async fn security(req: Request, next: Next) -> Response {
    let private = signed_in(&req);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if private {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
