//! The one error type of the web layer.

use crate::i18n::Lang;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use kusei_app::AppError;
use kusei_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found: {0}")]
    NotFound(String),
    /// A page that does not exist for a reason the reader may know (this form has no
    /// such phase): a 404 that says why.
    #[error("not found: {0}")]
    NotHere(String),
    /// Signed in, but not allowed (the message says why).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The page needs a signed-in user: redirect to the sign-in form.
    #[error("sign-in required")]
    SignIn { next: String },
    /// The user must set a new password before anything else.
    #[error("password change required")]
    PasswordChange,
    /// Someone else changed the record since it was read; nothing was stored.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A request that cannot be understood (the message says what).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A capability missing on this server (e.g. no Japanese font for PDF); the message
    /// says what to install. Everything else keeps working.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => WebError::NotFound(what),
            StoreError::Invalid(m) => WebError::BadRequest(m),
            StoreError::Field { field, message } => {
                WebError::BadRequest(format!("{field}: {message}"))
            }
            StoreError::Duplicate(_) => {
                WebError::BadRequest("同じものがすでにあります。 It already exists.".into())
            }
            StoreError::Refused(r) => WebError::Forbidden(r.to_string()),
            e @ StoreError::Conflict { .. } => WebError::Conflict(e.to_string()),
            StoreError::Busy => WebError::Unavailable(
                "データベースが混み合っていたため保存していません。しばらくしてからもう一度お試しください。 \
                 The database was busy, so nothing was stored; try again shortly."
                    .into(),
            ),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Refused(r) => WebError::Forbidden(r.to_string()),
            AppError::Invalid(m) => WebError::BadRequest(m),
            // Forms show each problem at its field; elsewhere the Japanese, then the
            // English (so the page keeps one of them).
            AppError::Fields(problems) => WebError::BadRequest(format!(
                "{} {}",
                problems.iter().map(|p| p.ja).collect::<String>(),
                problems.iter().map(|p| p.en).collect::<Vec<_>>().join(" ")
            )),
            AppError::Store(s) => s.into(),
        }
    }
}

/// An error page for the language layer to write ([`crate::i18n::language`]); the body
/// here is the Japanese page, for a response that never passes the layer.
fn page(status: StatusCode, message: Option<String>) -> Response {
    let e = crate::i18n::ErrorPage { status, message };
    let mut res = (status, Html(error_page(Lang::Ja, &e, None))).into_response();
    res.extensions_mut().insert(e);
    res
}

/// The page of an error in one language: what happened, and what to do next.
pub(crate) fn error_page(
    lang: Lang,
    e: &crate::i18n::ErrorPage,
    who: Option<&crate::auth::Who>,
) -> String {
    let said = e
        .message
        .as_deref()
        .map(|m| crate::forms::one_language(lang, m));
    let (heading, text) = match e.status {
        StatusCode::NOT_FOUND => (
            lang.t("ページが見つかりません", "Page not found"),
            lang.t(
                "お探しのページは存在しないか、移動・削除されたか、まだ公表されていません。",
                "The page you asked for does not exist, was moved or deleted, or is not published yet.",
            ),
        ),
        StatusCode::FORBIDDEN => (
            lang.t("この操作はできません", "Not allowed"),
            lang.t(
                "この操作を行う権限がありません。必要な場合は、自治体の管理者に権限の追加を依頼してください。",
                "You do not have the role for this. If you need it, ask your municipality's administrator to add it.",
            ),
        ),
        StatusCode::CONFLICT => (
            lang.t("ほかの人が先に変更しました", "Changed by someone else"),
            lang.t(
                "読み込んだ後にほかの人が変更しました。もう一度開いて確かめてください。",
                "Someone else changed it after you opened it; open it again and check.",
            ),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            lang.t("このページは直接開けません", "This page cannot be opened directly"),
            lang.t(
                "フォームを送ったあとに表示されるページです。ブラウザの「戻る」で前のページに戻るか、計画一覧からやり直してください。",
                "It is shown after a form is sent. Go back with the browser's Back button, or start again from the plans.",
            ),
        ),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => (
            lang.t("入力を確認してください", "Please check the request"),
            lang.t(
                "ブラウザの「戻る」で前のページに戻り、入力を確かめてからもう一度お試しください。",
                "Go back with the browser's Back button, check what was entered and try again.",
            ),
        ),
        _ => (
            lang.t("エラーが発生しました", "Something went wrong"),
            lang.t(
                "しばらくしてからもう一度お試しください。続く場合はシステムの管理者に連絡してください。",
                "Please try again later. If it goes on, tell the system's administrator.",
            ),
        ),
    };
    let body = maud::html! {
        h1 { (heading) }
        @if let Some(m) = said.filter(|m| !m.is_empty()) { p role="alert" { (m) } }
        p { (text) }
        ul {
            li { a href={ "/?lang=" (lang.code()) } { (lang.t("計画一覧（トップページ）へ", "Go to the plans (home page)")) } }
            @if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND {
                li { a href={ "/login?lang=" (lang.code()) } { (lang.t("別の利用者でサインインする", "Sign in as another user")) } }
            }
        }
    };
    // With the viewer known, the page keeps the signed-in header (name, sign-out).
    match who {
        Some(who) => crate::layout::Page { lang, who }.render(heading, "/", body),
        None => crate::layout::message_page_body(lang, heading, body),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound(_) => page(StatusCode::NOT_FOUND, None),
            WebError::NotHere(why) => page(StatusCode::NOT_FOUND, Some(why)),
            WebError::Forbidden(why) => page(StatusCode::FORBIDDEN, Some(why)),
            WebError::SignIn { next } => {
                let next = crate::forms::local_path(&next).unwrap_or("/");
                let location = format!("/login?next={}", crate::forms::url_encode(next));
                (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
            }
            WebError::PasswordChange => (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, "/account/password".to_string())],
            )
                .into_response(),
            WebError::BadRequest(why) => page(StatusCode::BAD_REQUEST, Some(why)),
            WebError::Conflict(_) => page(StatusCode::CONFLICT, None),
            WebError::Unavailable(why) => crate::reports::unavailable(&why),
            WebError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                page(StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        }
    }
}
