//! The one error type of the web layer.

use crate::i18n::Lang;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use kusei_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => WebError::NotFound(what),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound(_) => (
                StatusCode::NOT_FOUND,
                Html(crate::pages::message_page(
                    Lang::Ja,
                    "ページが見つかりません / Page not found",
                    "お探しのページは存在しないか、移動しました。 The page you asked for does not exist.",
                )),
            )
                .into_response(),
            WebError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html(crate::pages::message_page(
                        Lang::Ja,
                        "エラーが発生しました / Something went wrong",
                        "しばらくしてからもう一度お試しください。 Please try again later.",
                    )),
                )
                    .into_response()
            }
        }
    }
}
