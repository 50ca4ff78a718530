//! Users and their role assignments. Passwords arrive here already hashed.

use crate::history::record;
use crate::{now_utc, Actor, Store, StoreError};
use kusei_domain::model::{UnitId, UserId};
use serde_json::json;
use sqlx::Row;

/// A user to create; `password_hash` is a PHC string (argon2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    /// (role, unit scope); scope `None` means the whole municipality.
    pub roles: Vec<(&'a str, Option<UnitId>)>,
}

/// A stored user. The hash is kept out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredUser {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub roles: Vec<(String, Option<UnitId>)>,
    /// Failed sign-ins since the last success.
    pub failed_logins: i64,
    /// RFC 3339 UTC; sign-in is refused until then.
    pub locked_until: Option<String>,
}

impl std::fmt::Debug for StoredUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredUser")
            .field("id", &self.id)
            .field("login", &self.login)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn create_user(
        &self,
        actor: Actor<'_>,
        user: &NewUser<'_>,
    ) -> Result<UserId, StoreError> {
        if user.login.trim().is_empty() {
            return Err(StoreError::Field {
                field: "login".into(),
                message: "must not be empty".into(),
            });
        }
        let at = now_utc();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO app_user (login, display_name, password_hash, must_change_password, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user.login)
        .bind(user.display_name)
        .bind(user.password_hash)
        .bind(i64::from(user.must_change_password))
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        for (role, unit) in &user.roles {
            sqlx::query("INSERT INTO role_assignment (user_id, role, unit_id) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(*role)
                .bind(unit.map(|u| u.0))
                .execute(&mut *tx)
                .await?;
        }
        // The history never holds the password hash.
        let after = json!({
            "login": user.login, "display_name": user.display_name,
            "roles": user.roles.iter().map(|(r, u)| json!({"role": r, "unit_id": u.map(|u| u.0)})).collect::<Vec<_>>(),
        });
        record(&mut tx, actor, &at, "user", id, None, Some(&after)).await?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM app_user")
            .fetch_one(self.pool())
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn find_user(&self, login: &str) -> Result<Option<StoredUser>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT id, login, display_name, password_hash, must_change_password, failed_logins, \
             locked_until FROM app_user WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let roles =
            sqlx::query("SELECT role, unit_id FROM role_assignment WHERE user_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("role")?,
                        r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId),
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(StoredUser {
            id: UserId(id),
            login: row.try_get("login")?,
            display_name: row.try_get("display_name")?,
            password_hash: row.try_get("password_hash")?,
            must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
            roles,
            failed_logins: row.try_get("failed_logins")?,
            locked_until: row.try_get("locked_until")?,
        }))
    }
}
