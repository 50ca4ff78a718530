//! Security bookkeeping: sign-in throttling, the security event log, server secrets,
//! uploads waiting for confirmation, and the account switches (disable, expiry, roles,
//! sessions) that administrators use to revoke access.

use crate::history::record;
use crate::{format_unix, now_utc, Actor, Store, StoreError};
use kusei_domain::model::{MunicipalityId, UserId};
use serde_json::json;
use sqlx::Row;

/// One throttling key and its rule: `free` attempts in a row are allowed, then each
/// further attempt waits 30 s × 2^k, at most `cap_secs`. Attempts restart after an hour
/// without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    pub key: String,
    pub free: i64,
    pub cap_secs: i64,
}

/// How long the attempt after `attempts` (counted since the last success) waits.
pub fn throttle_delay(attempts: i64, free: i64, cap_secs: i64) -> Option<i64> {
    if attempts < free {
        return None;
    }
    let k = (attempts - free).min(20);
    Some((30i64 << k).min(cap_secs))
}

/// An attempt restarts its count after this long without one.
const THROTTLE_WINDOW_SECS: i64 = 3600;

/// A logged security event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    pub id: i64,
    pub at: String,
    pub kind: String,
    pub login: Option<String>,
    pub actor: Option<String>,
    pub address: Option<String>,
    pub municipality: Option<MunicipalityId>,
    pub detail: serde_json::Value,
}

/// A security event to log. Never put a password or a token in `detail`.
#[derive(Debug, Clone, Default)]
pub struct NewSecurityEvent<'a> {
    pub kind: &'a str,
    pub login: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub address: Option<&'a str>,
    pub municipality: Option<MunicipalityId>,
    pub detail: serde_json::Value,
}

/// Which events to read: newest first.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// `None`: every event (a system administrator); else only these municipalities'.
    pub municipalities: Option<Vec<MunicipalityId>>,
    pub kind: Option<String>,
    pub login: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// An upload waiting for its import to be confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingImport {
    pub owner: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub created_at: i64,
}

impl Store {
    /// Counts one sign-in attempt under every key, atomically: `Ok(None)` when the attempt
    /// may go ahead; `Ok(Some(until))` (RFC 3339 UTC) when a key must wait, and then
    /// nothing is counted. Concurrent attempts are counted one after another (SQLite's
    /// write lock; PostgreSQL's row locks, taken in key order).
    pub async fn reserve_attempt(
        &self,
        keys: &[ThrottleKey],
        now_unix: i64,
    ) -> Result<Option<String>, StoreError> {
        let now = format_unix(now_unix);
        let restart = format_unix(now_unix - THROTTLE_WINDOW_SECS);
        let mut keys: Vec<&ThrottleKey> = keys.iter().collect();
        keys.sort_by(|a, b| a.key.cmp(&b.key));
        let mut tx = self.write().await?;
        let mut wait: Option<String> = None;
        let mut blocks = Vec::new();
        for k in keys {
            let row = sqlx::query(
                "INSERT INTO sign_in_throttle (key, attempts, blocked_until, updated_at) VALUES ($1, 1, NULL, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                   attempts = CASE \
                     WHEN sign_in_throttle.blocked_until IS NOT NULL AND sign_in_throttle.blocked_until > $2 \
                       THEN sign_in_throttle.attempts \
                     WHEN sign_in_throttle.updated_at < $3 THEN 1 \
                     ELSE sign_in_throttle.attempts + 1 END, \
                   updated_at = $2 \
                 RETURNING attempts, blocked_until",
            )
            .bind(&k.key)
            .bind(&now)
            .bind(&restart)
            .fetch_one(&mut *tx)
            .await?;
            let attempts: i64 = row.try_get("attempts")?;
            let blocked: Option<String> = row.try_get("blocked_until")?;
            if let Some(b) = blocked.filter(|b| *b > now) {
                if wait.as_ref().is_none_or(|w| b > *w) {
                    wait = Some(b);
                }
                continue;
            }
            if let Some(d) = throttle_delay(attempts, k.free, k.cap_secs) {
                blocks.push((k.key.clone(), format_unix(now_unix + d)));
            }
        }
        if wait.is_some() {
            // Rolled back: a refused attempt counts nothing.
            drop(tx);
            return Ok(wait);
        }
        for (key, until) in blocks {
            sqlx::query("UPDATE sign_in_throttle SET blocked_until = $1 WHERE key = $2")
                .bind(until)
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(None)
    }

    /// After a successful sign-in: `forget` keys start again; `undo` keys take back the
    /// attempt just counted (a client address keeps counting only its failures).
    pub async fn settle_attempt(
        &self,
        forget: &[String],
        undo: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for k in forget {
            sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1")
                .bind(k)
                .execute(&mut *tx)
                .await?;
        }
        for k in undo {
            sqlx::query(
                "UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
            )
            .bind(k)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lifts the waits of these keys and of every key starting with one of `prefixes`
    /// (an administrator's password reset lifts a login's waits from every address).
    pub async fn forget_attempts(
        &self,
        keys: &[String],
        prefixes: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for k in keys {
            sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1")
                .bind(k)
                .execute(&mut *tx)
                .await?;
        }
        for p in prefixes {
            let n = i64::try_from(p.chars().count()).unwrap_or(i64::MAX);
            sqlx::query("DELETE FROM sign_in_throttle WHERE substr(key, 1, $1) = $2")
                .bind(n)
                .bind(p)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Appends one event to the security log.
    pub async fn log_security(&self, e: &NewSecurityEvent<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO security_event (at, kind, login, actor, address, municipality_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now_utc())
        .bind(e.kind)
        .bind(e.login)
        .bind(e.actor)
        .bind(e.address)
        .bind(e.municipality.map(|m| m.0))
        .bind(e.detail.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Logged events, newest first, and how many match in all.
    pub async fn security_events(
        &self,
        f: &EventFilter,
    ) -> Result<(Vec<SecurityEvent>, i64), StoreError> {
        let mut clauses = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let ms: Vec<i64> = f.municipalities.iter().flatten().map(|m| m.0).collect();
        if f.municipalities.is_some() {
            if ms.is_empty() {
                return Ok((Vec::new(), 0));
            }
            let ps: Vec<String> = ms.iter().map(|_| next()).collect();
            clauses.push(format!("municipality_id IN ({})", ps.join(", ")));
        }
        if f.kind.is_some() {
            clauses.push(format!("kind = {}", next()));
        }
        if f.login.is_some() {
            let (a, b) = (next(), next());
            clauses.push(format!("(login = {a} OR actor = {b})"));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let (lim, off) = (next(), next());
        let count_sql = format!("SELECT COUNT(*) FROM security_event{filter}");
        let list_sql = format!(
            "SELECT id, at, kind, login, actor, address, municipality_id, detail FROM security_event{filter} \
             ORDER BY id DESC LIMIT {lim} OFFSET {off}"
        );
        macro_rules! bind_filter {
            ($q:expr) => {{
                let mut q = $q;
                for m in &ms {
                    q = q.bind(*m);
                }
                if let Some(k) = &f.kind {
                    q = q.bind(k.clone());
                }
                if let Some(l) = &f.login {
                    q = q.bind(l.clone()).bind(l.clone());
                }
                q
            }};
        }
        let total: i64 = bind_filter!(sqlx::query_scalar(&count_sql))
            .fetch_one(self.pool())
            .await?;
        let rows = bind_filter!(sqlx::query(&list_sql))
            .bind(f.limit.clamp(1, 10_000))
            .bind(f.offset.max(0))
            .fetch_all(self.pool())
            .await?;
        let events = rows
            .iter()
            .map(|r| {
                let detail: String = r.try_get("detail")?;
                Ok(SecurityEvent {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    login: r.try_get("login")?,
                    actor: r.try_get("actor")?,
                    address: r.try_get("address")?,
                    municipality: r
                        .try_get::<Option<i64>, _>("municipality_id")?
                        .map(MunicipalityId),
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((events, total))
    }

    /// A secret of the server (made once, kept in the database so that every instance
    /// shares it): `make` gives the value when there is none yet.
    pub async fn server_secret(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String, StoreError> {
        if let Some(v) = sqlx::query_scalar("SELECT value FROM server_secret WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?
        {
            return Ok(v);
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO server_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(make())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM server_secret WHERE name = $1")
                .bind(name)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Keeps an upload for confirmation under `token_hash`, after dropping uploads older
    /// than `expire_before` (Unix seconds), and, when the owner already has `per_owner`
    /// or more waiting (or all together hold more than `total_bytes`), the oldest ones.
    pub async fn keep_pending_import(
        &self,
        token_hash: &str,
        upload: &PendingImport,
        expire_before: i64,
        per_owner: i64,
        total_bytes: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM import_preview WHERE created_at < $1")
            .bind(expire_before)
            .execute(&mut *tx)
            .await?;
        let mine: Vec<String> = sqlx::query_scalar(
            "SELECT token_hash FROM import_preview WHERE owner = $1 ORDER BY created_at DESC, token_hash",
        )
        .bind(&upload.owner)
        .fetch_all(&mut *tx)
        .await?;
        for old in mine
            .iter()
            .skip(usize::try_from(per_owner - 1).unwrap_or(0))
        {
            sqlx::query("DELETE FROM import_preview WHERE token_hash = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        let size = i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX);
        let rows =
            sqlx::query("SELECT token_hash, size FROM import_preview ORDER BY created_at DESC")
                .fetch_all(&mut *tx)
                .await?;
        let mut held = size;
        for r in rows {
            let s: i64 = r.try_get("size")?;
            held += s;
            if held > total_bytes {
                let t: String = r.try_get("token_hash")?;
                sqlx::query("DELETE FROM import_preview WHERE token_hash = $1")
                    .bind(t)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query(
            "INSERT INTO import_preview (token_hash, owner, file_name, bytes, size, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(&upload.owner)
        .bind(&upload.file_name)
        .bind(upload.bytes.clone())
        .bind(size)
        .bind(upload.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upload kept under `token_hash`, if it is still there.
    pub async fn pending_import(
        &self,
        token_hash: &str,
    ) -> Result<Option<PendingImport>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT owner, file_name, bytes, created_at FROM import_preview WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(PendingImport {
            owner: r.try_get("owner")?,
            file_name: r.try_get("file_name")?,
            bytes: r.try_get("bytes")?,
            created_at: r.try_get("created_at")?,
        }))
    }

    /// Drops a kept upload (confirmed or abandoned).
    pub async fn drop_pending_import(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM import_preview WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Disables (`true`) or re-enables a user. Disabling ends every session of the user.
    pub async fn set_user_disabled(
        &self,
        actor: Actor<'_>,
        user: UserId,
        disabled: bool,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT disabled_at FROM app_user WHERE id = $1")
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("user {user}")))?;
        let after = if disabled {
            Some(before.clone().unwrap_or_else(|| at.clone()))
        } else {
            None
        };
        if before == after {
            return Ok(());
        }
        sqlx::query("UPDATE app_user SET disabled_at = $1 WHERE id = $2")
            .bind(&after)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM session WHERE user_id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            actor,
            &at,
            "user",
            user.0,
            Some(&json!({"disabled_at": before})),
            Some(&json!({"disabled_at": after})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of a user; returns how many there were.
    pub async fn end_sessions(&self, user: UserId) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM session WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Sets when a user's one-time password stops working (`None`: never).
    pub async fn set_password_expiry(
        &self,
        user: UserId,
        expires_at: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE app_user SET password_expires_at = $1 WHERE id = $2")
            .bind(expires_at)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes one role of a user (the `index`th as [`crate::StoredUser::roles`] lists
    /// them); recorded in the history.
    pub async fn remove_role(
        &self,
        actor: Actor<'_>,
        user: UserId,
        index: usize,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "SELECT id, role, unit_id, municipality_id FROM role_assignment WHERE user_id = $1 ORDER BY id",
        )
        .bind(user.0)
        .fetch_all(&mut *tx)
        .await?;
        let row = rows
            .get(index)
            .ok_or_else(|| StoreError::NotFound(format!("role {index} of user {user}")))?;
        let id: i64 = row.try_get("id")?;
        let removed = json!({
            "role": row.try_get::<String, _>("role")?,
            "unit_id": row.try_get::<Option<i64>, _>("unit_id")?,
            "municipality_id": row.try_get::<Option<i64>, _>("municipality_id")?,
        });
        sqlx::query("DELETE FROM role_assignment WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            &at,
            "user",
            user.0,
            Some(&json!({"role_removed": removed})),
            Some(&json!({})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a user's display name; recorded in the history.
    pub async fn rename_user(
        &self,
        actor: Actor<'_>,
        user: UserId,
        display_name: &str,
    ) -> Result<(), StoreError> {
        crate::units::usable_name("display_name", display_name)?;
        let at = now_utc();
        let mut tx = self.write().await?;
        let before: String = sqlx::query_scalar("SELECT display_name FROM app_user WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {user}")))?;
        if before == display_name {
            return Ok(());
        }
        sqlx::query("UPDATE app_user SET display_name = $1 WHERE id = $2")
            .bind(display_name)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            &at,
            "user",
            user.0,
            Some(&json!({"display_name": before})),
            Some(&json!({"display_name": display_name})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::throttle_delay;

    #[test]
    fn delays_grow_and_stop_at_their_cap() {
        assert_eq!(throttle_delay(4, 5, 900), None);
        assert_eq!(throttle_delay(5, 5, 900), Some(30));
        assert_eq!(throttle_delay(6, 5, 900), Some(60));
        assert_eq!(throttle_delay(9, 5, 900), Some(480));
        assert_eq!(throttle_delay(10, 5, 900), Some(900));
        assert_eq!(throttle_delay(10_000, 5, 900), Some(900));
    }
}
