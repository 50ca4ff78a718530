//! Kusei's storage: one [`Store`] over SQLite (embedded, the default) or PostgreSQL,
//! chosen by the URL scheme.
//!
//! Invariants:
//! - Nothing above this crate sees `sqlx::Error`: driver errors are converted once, here.
//!   "No row" becomes [`StoreError::NotFound`]; other database failures stay internal.
//! - Every write to plan data happens in a transaction that also appends to `change_log`
//!   (who, when, before, after). `change_log` rejects UPDATE and DELETE (triggers).
//! - Migrations are embedded per backend and never edited after they shipped.

mod auth;
mod backup;
mod council;
mod edit;
mod error;
mod history;
mod import;
mod lists;
mod merge;
mod notify;
mod plans;
mod records;
mod search;
mod security;
mod structure;
mod time;
mod tx;
mod units;
mod users;
mod workflow;

pub use auth::Session;
pub use backup::{inspect_sqlite_file, sqlite_path, BackupInfo};
pub use council::{
    Answer, CouncilGroup, Meeting, NewMeeting, NewOpinion, Opinion, PublishedAnswer,
};
pub use edit::NodeEdit;
pub use error::StoreError;
pub use history::Change;
pub use import::{ImportOutcome, ImportTarget, ImportUnit, SourceDocument};
pub use lists::{ListedPlan, PlanCursor, PlanFilter};
pub use merge::Merge;
pub use notify::{NewNotification, Notification, Outgoing};
pub use plans::{path_segment, OwnedNode, PlanSummary, StoredNode, StoredPlan};
pub use records::{directory_of, Copy};
pub use search::ChangeRef;
pub use security::{
    throttle_delay, EventFilter, NewSecurityEvent, PendingImport, SecurityEvent, ThrottleKey,
};
pub use structure::{DeleteScope, DeletedItem, Move, NewNode};
pub use time::{format_unix, now_utc, parse_unix};
pub use units::{NewIndicator, NewUnit, SeriesPoint};
pub use users::{NewUser, StoredUser};
pub use workflow::{Decision, PublishedVersion, Transition, Window};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;
use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a URL names, or `None` for an unknown scheme.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The newest schema (migration) version this build knows, the same on both backends.
pub fn latest_schema_version() -> i64 {
    SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Who makes a change; recorded in the history.
pub type Actor<'a> = &'a str;

/// A connection pool to one Kusei database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    turns: tx::Turns,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

/// Hides a password in a database URL for messages and logs.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((creds, host)) = rest.rsplit_once('@') {
            let user = creds.split(':').next().unwrap_or("");
            if creds.contains(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

/// Every SQLite connection: foreign keys on, wait up to 5 s for another process's write
/// lock, WAL (readers never wait for the writer).
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

/// Why a URL of a known scheme cannot name a database, if it cannot: `sqlite://` without
/// a file, `postgres://` without a database (libpq's defaults are never guessed at).
fn incomplete(backend: Backend, url: &str) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => {
            let named = backup::sqlite_path(url).is_some() || url.contains(":memory:");
            (!named).then_some("no database file: use sqlite://FILE, e.g. sqlite://kusei.db")
        }
        Backend::Postgres => {
            let rest = url.split_once("://").map_or("", |(_, r)| r);
            let rest = rest.split('?').next().unwrap_or_default();
            let database = rest.split_once('/').map_or("", |(_, d)| d);
            database
                .is_empty()
                .then_some("no database name: use postgres://USER@HOST/DATABASE")
        }
    }
}

/// The reason a first connection failed, in words a person can act on.
fn plain_reason(e: &sqlx::Error, file: Option<&std::path::Path>) -> String {
    let raw = error::one_line(e);
    let code = match e {
        sqlx::Error::Database(db) => db.code().map(|c| c.to_string()),
        _ => None,
    };
    match code.as_deref() {
        Some("26") => format!("not a SQLite database, or a damaged one ({raw})"),
        Some("8" | "14") => match file.and_then(read_only_part) {
            Some(part) => format!(
                "the database is read-only ({part}) and Kusei must write it, also its -wal and -shm files beside it ({raw})"
            ),
            None => format!("the file cannot be opened or created ({raw})"),
        },
        _ => raw,
    }
}

/// Which part of an existing SQLite database cannot be written: the file, or the
/// directory where SQLite keeps its -wal and -shm files. `None` when both can.
fn read_only_part(file: &std::path::Path) -> Option<String> {
    if !file.is_file() {
        return None;
    }
    if std::fs::OpenOptions::new().write(true).open(file).is_err() {
        return Some(format!("the file {} cannot be written", file.display()));
    }
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let probe = dir.join(format!(".kusei-write-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(_) => Some(format!("the directory {} cannot be written", dir.display())),
    }
}

/// `sqlite://kusei.db` → create the file when missing, as users expect of a default.
fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

impl Store {
    /// Opens the database a URL names. SQLite files are created when missing.
    /// The error says which database and why, in one line.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::Config {
            url: redact_url(url),
            reason: "unknown scheme: use sqlite://FILE or postgres://HOST/DB".into(),
        })?;
        let full = match backend {
            Backend::Sqlite => sqlite_url_with_create(url),
            Backend::Postgres => url.to_string(),
        };
        if let Some(reason) = incomplete(backend, url) {
            return Err(StoreError::Config {
                url: redact_url(url),
                reason: reason.into(),
            });
        }
        let options = AnyConnectOptions::from_str(&full).map_err(|e| StoreError::Config {
            url: redact_url(url),
            reason: error::one_line(&e),
        })?;
        // One connection first, outside the pool: a damaged, read-only or unreachable
        // database fails here at once with its own reason (the pool would retry until its
        // timeout and then only say that it timed out).
        let cannot = |e: sqlx::Error| StoreError::Connect {
            url: redact_url(url),
            reason: plain_reason(&e, backup::sqlite_path(url).as_deref()),
        };
        let mut first = <sqlx::AnyConnection as sqlx::Connection>::connect_with(&options)
            .await
            .map_err(cannot)?;
        if backend == Backend::Sqlite {
            use sqlx::Executor;
            first.execute(SQLITE_PRAGMAS).await.map_err(cannot)?;
        }
        let _ = sqlx::Connection::close(first).await;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        use sqlx::Executor;
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Connect {
                url: redact_url(url),
                reason: error::one_line(&e),
            })?;
        Ok(Store {
            pool,
            backend,
            turns: tx::Turns::for_backend(backend),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the embedded migrations of this backend that are not yet applied.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migrate(error::one_line(&e)))?;
        self.fill_published_summaries().await
    }

    /// A cheap round trip, for the health endpoint.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the database takes a write now: rewrites the one health row in a write
    /// transaction, within `budget`. A full disk, a read-only file or a held lock fail here.
    pub async fn check_writable(&self, budget: Duration) -> Result<(), StoreError> {
        let probe = async {
            let mut tx = self.write().await?;
            sqlx::query("DELETE FROM health_check")
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO health_check (id, checked_at) VALUES (1, $1)")
                .bind(now_utc())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        };
        tokio::time::timeout(budget, probe)
            .await
            .map_err(|_| StoreError::Busy)?
    }

    /// Closes all connections (on shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_and_classified() {
        assert_eq!(
            redact_url("postgres://kusei:secret@db:5432/k"),
            "postgres://kusei:***@db:5432/k"
        );
        assert_eq!(redact_url("sqlite://kusei.db"), "sqlite://kusei.db");
        assert_eq!(Backend::of_url("sqlite://a.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgresql://x/y"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("mysql://x"), None);
        assert_eq!(
            sqlite_url_with_create("sqlite://a.db"),
            "sqlite://a.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url_with_create("sqlite://a.db?mode=ro"),
            "sqlite://a.db?mode=ro"
        );
    }
}
