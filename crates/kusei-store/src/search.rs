//! What the search index reads of the database: the change log from a point on (the
//! index follows it), and the few lookups that turn a change into what to index again.

use crate::{Store, StoreError};
use kusei_domain::model::{PlanId, UnitId};
use sqlx::Row;

/// One change-log row, as the index follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRef {
    pub id: i64,
    pub at: String,
    pub entity: String,
    pub entity_id: i64,
}

impl Store {
    /// The newest change-log row's id (0 when nothing was ever written).
    pub async fn last_change_id(&self) -> Result<i64, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM change_log")
            .fetch_one(self.pool())
            .await?;
        Ok(id.unwrap_or(0))
    }

    /// The newest change-log row written before `at` (RFC 3339 UTC), or 0.
    pub async fn last_change_before(&self, at: &str) -> Result<i64, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM change_log WHERE at < $1")
            .bind(at)
            .fetch_one(self.pool())
            .await?;
        Ok(id.unwrap_or(0))
    }

    /// Change-log rows after `after`, oldest first, at most `limit` (who and what changed,
    /// not the snapshots).
    pub async fn changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ChangeRef>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, entity, entity_id FROM change_log WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ChangeRef {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                })
            })
            .collect()
    }

    /// The plan a node belongs to, `None` when the node is gone.
    pub async fn plan_of_node(&self, node: i64) -> Result<Option<PlanId>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT plan_id FROM node WHERE id = $1")
            .bind(node)
            .fetch_optional(self.pool())
            .await?;
        Ok(id.map(PlanId))
    }

    /// The plan an opinion is about, `None` when there is no such opinion.
    pub async fn plan_of_opinion(&self, opinion: i64) -> Result<Option<PlanId>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT plan_id FROM opinion WHERE id = $1")
            .bind(opinion)
            .fetch_optional(self.pool())
            .await?;
        Ok(id.map(PlanId))
    }

    /// Every plan's id, oldest first (what a rebuild of the index reads).
    pub async fn all_plan_ids(&self) -> Result<Vec<PlanId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM plan ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        Ok(ids.into_iter().map(PlanId).collect())
    }

    /// The plans of a unit, oldest first.
    pub async fn plan_ids_of_unit(&self, unit: UnitId) -> Result<Vec<PlanId>, StoreError> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM plan WHERE unit_id = $1 ORDER BY id")
                .bind(unit.0)
                .fetch_all(self.pool())
                .await?;
        Ok(ids.into_iter().map(PlanId).collect())
    }

    /// Whether any plan of the unit has a published version.
    pub async fn unit_has_published(&self, unit: UnitId) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM plan_version v JOIN plan p ON p.id = v.plan_id \
             WHERE p.unit_id = $1",
        )
        .bind(unit.0)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// Every unit that plans are written for (the wards), with its municipality.
    pub async fn plan_units(&self) -> Result<Vec<UnitId>, StoreError> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT DISTINCT unit_id FROM plan ORDER BY unit_id")
                .fetch_all(self.pool())
                .await?;
        Ok(ids.into_iter().map(UnitId).collect())
    }
}
