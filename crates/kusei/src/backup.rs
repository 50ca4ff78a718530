//! `kusei backup` and `kusei restore` (SQLite; PostgreSQL uses pg_dump and pg_restore).

use crate::config::Config;
use anyhow::{anyhow, bail, Context, Result};
use kusei_store::{inspect_sqlite_file, redact_url, sqlite_path, BackupInfo, Store};
use std::path::{Path, PathBuf};

fn sqlite_file(config: &Config, what: &str) -> Result<PathBuf> {
    sqlite_path(&config.db).ok_or_else(|| {
        anyhow!(
            "{}: `kusei {what}` is for SQLite databases; for PostgreSQL use pg_dump and pg_restore (README, \"Backup and restore\")",
            redact_url(&config.db)
        )
    })
}

/// A temporary name beside `path` (same filesystem, so the final rename is atomic).
fn partial(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "kusei".into(), |n| n.to_string_lossy().to_string());
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

fn summary(info: &BackupInfo) -> String {
    format!(
        "{} municipality(ies), {} plan(s), {} user(s), schema {}",
        info.municipalities, info.plans, info.users, info.schema_version
    )
}

fn sync(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("{}: cannot flush to disk", path.display()))
}

/// Writes a consistent backup of the configured database to `output` (a new file).
pub async fn backup(config: &Config, output: &Path) -> Result<()> {
    let db = sqlite_file(config, "backup")?;
    if !db.is_file() {
        bail!("{}: no such database file", db.display());
    }
    if output.exists() || output.is_symlink() {
        bail!(
            "{}: exists already; a backup never overwrites, choose a new file name",
            output.display()
        );
    }
    let tmp = partial(output);
    let _ = std::fs::remove_file(&tmp);
    let store = Store::connect(&config.db).await?;
    let written = store.backup_into(&tmp).await;
    store.close().await;
    let checked = match written {
        Ok(()) => inspect_sqlite_file(&tmp).await.map_err(anyhow::Error::from),
        Err(e) => Err(anyhow::Error::from(e)),
    };
    let info = match checked.and_then(|info| sync(&tmp).map(|()| info)) {
        Ok(info) => info,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.context(format!("{}: backup failed", output.display())));
        }
    };
    std::fs::rename(&tmp, output).with_context(|| format!("{}: cannot write", output.display()))?;
    let bytes = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}: バックアップ完了 / backed up {}: {}, {bytes} bytes",
        output.display(),
        redact_url(&config.db),
        summary(&info)
    );
    Ok(())
}

/// Restores the configured database from a backup file, then brings it up to date.
pub async fn restore(config: &Config, file: &Path, replace: bool) -> Result<()> {
    let db = sqlite_file(config, "restore")?;
    let info = inspect_sqlite_file(file).await?;
    let newest = kusei_store::latest_schema_version();
    if info.schema_version > newest {
        bail!(
            "{}: written by a newer Kusei (schema {}, this one knows {newest}); restore it with that version",
            file.display(),
            info.schema_version
        );
    }
    if db.exists() && !replace {
        bail!(
            "{}: exists already; stop the server, then add --replace to replace it",
            db.display()
        );
    }
    let tmp = partial(&db);
    std::fs::copy(file, &tmp).with_context(|| format!("{}: cannot write", tmp.display()))?;
    sync(&tmp)?;
    // The old database's WAL and shared memory belong to the old file: left beside the
    // restored one, SQLite would replay them into it.
    for suffix in ["-wal", "-shm"] {
        let mut side = db.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(anyhow!(
                    "{}: cannot remove: {e}",
                    PathBuf::from(side).display()
                ));
            }
        }
    }
    std::fs::rename(&tmp, &db).with_context(|| format!("{}: cannot write", db.display()))?;
    let store = crate::serve::open(config).await?;
    store.close().await;
    println!(
        "{}: 復元完了 / restored from {}: {}",
        db.display(),
        file.display(),
        summary(&info)
    );
    Ok(())
}
