//! The append-only change log. Every write of plan data calls [`record`] inside the
//! same transaction, so a change and its history are stored together or not at all.

use crate::tx::WriteTx;
use crate::{Actor, Store, StoreError};
use serde_json::Value;
use sqlx::Row;

/// One recorded change: who, when, what, before and after (JSON snapshots).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub(crate) async fn record(
    tx: &mut WriteTx,
    actor: Actor<'_>,
    at: &str,
    entity: &str,
    entity_id: i64,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<(), StoreError> {
    let action = match (before, after) {
        (None, _) => "create",
        (Some(_), Some(_)) => "update",
        (Some(_), None) => "delete",
    };
    sqlx::query(
        "INSERT INTO change_log (at, actor, entity, entity_id, action, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(at)
    .bind(actor)
    .bind(entity)
    .bind(entity_id)
    .bind(action)
    .bind(before.map(Value::to_string))
    .bind(after.map(Value::to_string))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn parse_json(text: Option<String>) -> Result<Option<Value>, StoreError> {
    text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

fn change_from_row(row: &sqlx::any::AnyRow) -> Result<Change, StoreError> {
    Ok(Change {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        action: row.try_get("action")?,
        before: parse_json(row.try_get("before")?)?,
        after: parse_json(row.try_get("after")?)?,
    })
}

impl Store {
    /// The changes of one entity, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn history(&self, entity: &str, entity_id: i64) -> Result<Vec<Change>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, entity, entity_id, action, before, after FROM change_log \
             WHERE entity = $1 AND entity_id = $2 ORDER BY id",
        )
        .bind(entity)
        .bind(entity_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    /// The latest changes of any entity, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn recent_changes(&self, limit: i64) -> Result<Vec<Change>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, entity, entity_id, action, before, after FROM change_log \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change_from_row).collect()
    }
}
