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
            AppError::Store(s) => s.into(),
        }
    }
}

fn page(status: StatusCode, heading: &str, text: &str) -> Response {
    (
        status,
        Html(crate::layout::message_page(Lang::Ja, heading, text)),
    )
        .into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound(_) => page(
                StatusCode::NOT_FOUND,
                "ページが見つかりません / Page not found",
                "お探しのページは存在しないか、移動しました。 The page you asked for does not exist.",
            ),
            WebError::Forbidden(why) => page(
                StatusCode::FORBIDDEN,
                "この操作はできません / Not allowed",
                &why,
            ),
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
            WebError::BadRequest(why) => page(
                StatusCode::BAD_REQUEST,
                "入力を確認してください / Please check the request",
                &why,
            ),
            WebError::Conflict(_) => page(
                StatusCode::CONFLICT,
                "ほかの人が先に変更しました / Changed by someone else",
                "読み込んだ後にほかの人が変更しました。もう一度開いて確かめてください。 Someone else changed it after you opened it; open it again and check.",
            ),
            WebError::Unavailable(why) => crate::reports::unavailable(&why),
            WebError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "エラーが発生しました / Something went wrong",
                    "しばらくしてからもう一度お試しください。 Please try again later.",
                )
            }
        }
    }
}
