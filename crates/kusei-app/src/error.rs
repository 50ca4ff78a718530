//! The application layer's one error type.

use kusei_domain::workflow::Refusal;
use kusei_store::StoreError;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The write guard (role, plan status, schedule window) refused it; nothing changed.
    #[error("{0}")]
    Refused(Refusal),
    /// The input cannot be used (the message says what and where).
    #[error("{0}")]
    Invalid(String),
    /// Fields of a form refused, each with its message (a form shows each at its field).
    #[error("{}", .0.iter().map(|p| format!("{}: {} {}", p.field, p.ja, p.en)).collect::<Vec<_>>().join("; "))]
    Fields(Vec<kusei_domain::council::FieldProblem>),
    /// What the store said (not found, conflict, field errors, database failures).
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(r) => AppError::Refused(r),
            other => AppError::Store(other),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(r)
    }
}
