//! Users and their role assignments. Passwords arrive here already hashed.

use crate::history::record;
use crate::{now_utc, Actor, Store, StoreError};
use kusei_domain::model::{MunicipalityId, UnitId, UserId};
use kusei_domain::policy::Scope;
use serde_json::json;
use sqlx::Row;

/// A user to create; `password_hash` is a PHC string (argon2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    /// (role code, scope). The store keeps what it is given; which role may have which
    /// scope is `kusei_domain::policy`'s business (`Grants::from_stored`).
    pub roles: Vec<(&'a str, Scope)>,
}

/// A stored user. The hash is kept out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredUser {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub roles: Vec<(String, Scope)>,
    /// RFC 3339 UTC: when the user was disabled (no sign-in, no session); `None` when
    /// enabled.
    pub disabled_at: Option<String>,
    /// RFC 3339 UTC: when a one-time password stops working; `None` for the user's own.
    pub password_expires_at: Option<String>,
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
        crate::units::usable_name("login", user.login)?;
        crate::units::usable_name("display_name", user.display_name)?;
        let at = now_utc();
        let mut tx = self.write().await?;
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
        let mut roles = Vec::with_capacity(user.roles.len());
        for (role, scope) in &user.roles {
            roles.push(insert_role(&mut tx, UserId(id), role, *scope).await?);
        }
        // The history never holds the password hash.
        let after = json!({
            "login": user.login, "display_name": user.display_name, "roles": roles,
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
        // Logins are read without regard to case (「Ward1」 is ward1); a login stored in
        // two cases (made before this rule) is found as typed first.
        let exact = sqlx::query(
            "SELECT id, login, display_name, password_hash, must_change_password, disabled_at, \
             password_expires_at FROM app_user WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(self.pool())
        .await?;
        let row = match exact {
            Some(r) => Some(r),
            None => {
                sqlx::query(
                    "SELECT id, login, display_name, password_hash, must_change_password, disabled_at, \
                     password_expires_at FROM app_user WHERE lower(login) = lower($1) ORDER BY id LIMIT 1",
                )
                .bind(login)
                .fetch_optional(self.pool())
                .await?
            }
        };
        let Some(row) = row else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let roles = sqlx::query(
            "SELECT role, unit_id, municipality_id FROM role_assignment WHERE user_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let unit = r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId);
            let municipality = r
                .try_get::<Option<i64>, _>("municipality_id")?
                .map(MunicipalityId);
            let scope = match (unit, municipality) {
                (Some(u), _) => Scope::Unit(u),
                (None, Some(m)) => Scope::Municipality(m),
                (None, None) => Scope::System,
            };
            Ok((r.try_get::<String, _>("role")?, scope))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(StoredUser {
            id: UserId(id),
            login: row.try_get("login")?,
            display_name: row.try_get("display_name")?,
            password_hash: row.try_get("password_hash")?,
            must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
            roles,
            disabled_at: row.try_get("disabled_at")?,
            password_expires_at: row.try_get("password_expires_at")?,
        }))
    }
}

/// Inserts one role row: a unit scope also stores the unit's municipality (a unit that
/// does not exist is `NotFound`), a municipality scope its municipality, a system scope
/// neither. Returns the row as the history records it.
pub(crate) async fn insert_role(
    tx: &mut crate::tx::WriteTx,
    user: UserId,
    role: &str,
    scope: Scope,
) -> Result<serde_json::Value, StoreError> {
    let (unit, municipality) = match scope {
        Scope::System => (None, None),
        Scope::Municipality(m) => {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM municipality WHERE id = $1")
                    .bind(m.0)
                    .fetch_optional(&mut **tx)
                    .await?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!("municipality {m}")));
            }
            (None, Some(m.0))
        }
        Scope::Unit(u) => {
            let m: i64 = sqlx::query_scalar("SELECT municipality_id FROM unit WHERE id = $1")
                .bind(u.0)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("unit {u}")))?;
            (Some(u.0), Some(m))
        }
    };
    sqlx::query(
        "INSERT INTO role_assignment (user_id, role, unit_id, municipality_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(user.0)
    .bind(role)
    .bind(unit)
    .bind(municipality)
    .execute(&mut **tx)
    .await?;
    Ok(json!({"role": role, "unit_id": unit, "municipality_id": municipality}))
}
