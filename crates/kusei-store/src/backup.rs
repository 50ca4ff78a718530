//! Backup and restore of a SQLite database (PostgreSQL has its own tools: pg_dump and
//! pg_restore, see the README).
//!
//! A backup is `VACUUM INTO`: one consistent copy of the whole database as one transaction
//! sees it, what is still in the WAL included, taken while the server keeps serving.
//! A copy of `kusei.db` with `cp` misses every save still in `kusei.db-wal`.

use crate::{error::one_line, Backend, Store, StoreError};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a backup file holds, read without changing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// The newest migration applied to it.
    pub schema_version: i64,
    pub municipalities: i64,
    pub plans: i64,
    pub users: i64,
}

/// The file a `sqlite:` URL names (`sqlite://kusei.db?mode=rwc` → `kusei.db`), if any.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or_default();
    (!file.is_empty() && file != ":memory:").then(|| PathBuf::from(file))
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `path`, which must not exist.
    pub async fn backup_into(&self, path: &Path) -> Result<(), StoreError> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "PostgreSQL: use pg_dump (see the README, \"Backup and restore\")".into(),
            ));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Invalid(format!("{}: not a UTF-8 path", path.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// Checks that `path` is a whole Kusei SQLite database and says what it holds. The file
/// is opened read-only and left as it is.
pub async fn inspect_sqlite_file(path: &Path) -> Result<BackupInfo, StoreError> {
    let shown = path.display().to_string();
    let bad = |reason: String| StoreError::Invalid(format!("{shown}: {reason}"));
    if !path.is_file() {
        return Err(bad("no such file".into()));
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&format!("sqlite://{shown}"))
        .map_err(|e| bad(one_line(&e)))?
        .read_only(true)
        .immutable(true)
        .log_statements(tracing::log::LevelFilter::Off);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| bad(one_line(&e)))?;
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| bad(format!("not a readable SQLite database ({})", one_line(&e))))?;
    if check != "ok" {
        return Err(bad(format!("the database is damaged ({check})")));
    }
    let schema_version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .map_err(|_| bad("not a Kusei database (no migrations table)".into()))?;
    let count = |table: &'static str| format!("SELECT COUNT(*) FROM {table}");
    let mut counts = Vec::new();
    for table in ["municipality", "plan", "app_user"] {
        let n: i64 = sqlx::query_scalar(&count(table))
            .fetch_one(&mut conn)
            .await
            .map_err(|_| bad(format!("not a Kusei database (no {table} table)")))?;
        counts.push(n);
    }
    let _ = conn.close().await;
    Ok(BackupInfo {
        schema_version: schema_version
            .ok_or_else(|| bad("not a Kusei database (no migration applied)".into()))?,
        municipalities: counts[0],
        plans: counts[1],
        users: counts[2],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://kusei.db"),
            Some(PathBuf::from("kusei.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/kusei/k.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/kusei/k.db"))
        );
        assert_eq!(sqlite_path("sqlite:k.db"), Some(PathBuf::from("k.db")));
        assert_eq!(sqlite_path("sqlite://"), None);
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }
}
