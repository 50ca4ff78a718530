//! The store's one error type; `sqlx::Error` is converted here and nowhere else.

/// What went wrong in the store. `Database` details are for logs, not for users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {url}: {reason}")]
    Config { url: String, reason: String },
    #[error("cannot connect to database {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("{0} not found")]
    NotFound(String),
    /// Someone else changed the record since it was read (optimistic locking).
    #[error(
        "{what} was changed by someone else (version {current}, you edited version {expected})"
    )]
    Conflict {
        what: String,
        expected: i64,
        current: i64,
    },
    /// A value broke a rule; the message is for the user.
    #[error("{0}")]
    Invalid(String),
    /// A form value broke a rule: the field it belongs to and the message for the user.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    /// A record with the same key exists already (a uniqueness constraint).
    #[error("already exists: {0}")]
    Duplicate(String),
    /// The plan's status does not allow the write (submitted or approved).
    #[error("{0}")]
    Refused(kusei_domain::workflow::Refusal),
    /// Stored data that cannot be read back (a bug or manual edits).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database is too busy to take the write now (waited for its turn and gave up);
    /// nothing was stored and trying again later may work.
    #[error("the database is busy; nothing was stored, try again")]
    Busy,
    #[error("database error: {0}")]
    Database(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound("record".into()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Duplicate(db.message().to_string())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Invalid(format!("refers to a missing record: {}", db.message()))
            }
            _ => StoreError::Database(one_line(&e)),
        }
    }
}

/// Formats an error and its sources on one line, without newlines.
pub(crate) fn one_line(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s.replace(['\n', '\r'], " ")
}
