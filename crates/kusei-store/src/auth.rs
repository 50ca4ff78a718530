//! Passwords and sessions (throttling lives in `security`).
//! Sessions are found by the SHA-256 of the cookie token; the token is never stored.

use crate::history::record;
use crate::{now_utc, Actor, Store, StoreError, StoredUser};
use kusei_domain::model::UserId;
use kusei_domain::policy::Scope;
use serde_json::json;
use sqlx::Row;

/// A signed-in user and the CSRF token of their session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: StoredUser,
    pub csrf: String,
    pub expires_at: String,
    /// The idle deadline (RFC 3339 UTC), when the session has one.
    pub idle_until: Option<String>,
}

impl Store {
    pub async fn user_login(&self, id: UserId) -> Result<String, StoreError> {
        sqlx::query_scalar("SELECT login FROM app_user WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {id}")))
    }

    /// Every user, by login.
    pub async fn list_users(&self) -> Result<Vec<StoredUser>, StoreError> {
        let logins: Vec<String> = sqlx::query_scalar("SELECT login FROM app_user ORDER BY login")
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(logins.len());
        for l in logins {
            if let Some(u) = self.find_user(&l).await? {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// Replaces a password hash (never recorded in the history) and ends the user's
    /// other sessions.
    pub async fn set_password(
        &self,
        actor: Actor<'_>,
        user: UserId,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE app_user SET password_hash = $1, must_change_password = $2, failed_logins = 0, \
             locked_until = NULL, password_expires_at = NULL WHERE id = $3",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM session WHERE user_id = $1 AND token_hash <> $2")
            .bind(user.0)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            &at,
            "user",
            user.0,
            Some(&json!({"password": "(set before)"})),
            Some(&json!({"password": "(changed)", "must_change_password": must_change})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a role to a user (recorded in the history).
    pub async fn add_role(
        &self,
        actor: Actor<'_>,
        user: UserId,
        role: &str,
        scope: Scope,
    ) -> Result<(), StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let row = crate::users::insert_role(&mut tx, user, role, scope).await?;
        record(
            &mut tx,
            actor,
            &at,
            "user",
            user.0,
            Some(&json!({})),
            Some(&json!({"role_added": row})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO session (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf)
        .bind(now_utc())
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The session of a token hash, when it exists and has not expired at `now`.
    pub async fn session(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<Session>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT u.login, s.csrf, s.expires_at, s.idle_until FROM session s JOIN app_user u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND u.disabled_at IS NULL AND s.expires_at > $2 AND (s.idle_until IS NULL OR s.idle_until > $2)",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let login: String = row.try_get("login")?;
        let Some(user) = self.find_user(&login).await? else {
            return Ok(None);
        };
        Ok(Some(Session {
            user,
            csrf: row.try_get("csrf")?,
            expires_at: row.try_get("expires_at")?,
            idle_until: row.try_get("idle_until")?,
        }))
    }

    /// Moves a session's idle deadline to `idle_until` (RFC 3339 UTC).
    pub async fn touch_session(
        &self,
        token_hash: &str,
        idle_until: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE session SET idle_until = $1 WHERE token_hash = $2")
            .bind(idle_until)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a session (sign-out); also drops every expired session.
    pub async fn delete_session(&self, token_hash: &str, now: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM session WHERE token_hash = $1 OR expires_at <= $2")
            .bind(token_hash)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
