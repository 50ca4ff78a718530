//! Edits of one initiative (node): its texts and targets, the mid-year review, the
//! year-end evaluation with its actuals.
//!
//! Every edit:
//! - is version-checked in the same statement that bumps the version, so of two people
//!   who read the same version only the first save lands ([`StoreError::Conflict`]);
//! - is refused while the plan waits for approval (submitted / approved);
//! - on a published plan, starts a new draft version (the published snapshot never changes);
//! - records the node's whole content before and after, in one JSON shape for every kind of
//!   edit (the shape of import snapshots), so the history page can diff any two entries.

use crate::history::record;
use crate::plans::{
    actual_from_row, content_snapshot, evaluation_from_row, insert_actuals, insert_sections,
    insert_targets, milestone_from_row, review_from_row, target_from_row, upsert_evaluation,
    upsert_review,
};
use crate::tx::WriteTx;
use crate::{now_utc, Actor, Store, StoreError, StoredNode};
use kusei_domain::model::{
    Actual, Evaluation, NodeId, PlanId, PlanStatus, Review, Section, Target, UnitId,
};
use kusei_domain::workflow::Refusal;
use serde_json::json;
use sqlx::Row;

/// Editable texts of a node (the plan phase form). `targets: None` keeps the stored ones.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeEdit {
    pub title: String,
    pub subtitle: Option<String>,
    pub sections: Vec<Section>,
    pub targets: Option<Vec<Target>>,
}

enum Change<'a> {
    Texts(&'a NodeEdit),
    Review(&'a Review),
    Evaluation(&'a Evaluation, Option<&'a [Actual]>),
}

/// Reads one node with everything attached to it, inside a transaction.
pub(crate) async fn read_node(tx: &mut WriteTx, node_id: NodeId) -> Result<StoredNode, StoreError> {
    let node = Store::node_for_update(tx, node_id).await?;
    let id = node_id.0;
    let mut sn = StoredNode {
        node,
        targets: Vec::new(),
        actuals: Vec::new(),
        reviews: Vec::new(),
        evaluations: Vec::new(),
        milestones: Vec::new(),
    };
    for r in sqlx::query(
        "SELECT indicator_id, fy_start, fy_end, value, measure_unit, comparator, text, \
         indicator_name, this_year \
         FROM target WHERE node_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        sn.targets.push(target_from_row(&r)?);
    }
    for r in sqlx::query(
        "SELECT indicator_id, fiscal_year, value, measure_unit, as_of, text \
         FROM actual WHERE node_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        sn.actuals.push(actual_from_row(&r)?);
    }
    for r in sqlx::query(
        "SELECT fiscal_year, implementation, achievement, remedy FROM review \
         WHERE node_id = $1 ORDER BY fiscal_year",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        sn.reviews.push(review_from_row(&r)?);
    }
    for r in sqlx::query(
        "SELECT fiscal_year, results, stated_judgment, remedy, explanation FROM evaluation \
         WHERE node_id = $1 ORDER BY fiscal_year",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        sn.evaluations.push(evaluation_from_row(&r)?);
    }
    for r in sqlx::query(
        "SELECT date_from, date_to, open_ended, text FROM milestone WHERE node_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        sn.milestones.push(milestone_from_row(&r)?);
    }
    Ok(sn)
}

/// Refuses edits while a plan waits for approval; a published plan gets a new draft
/// version (its published snapshot stays as it was). Returns the plan's unit.
pub(crate) async fn open_plan_for_edit(
    tx: &mut WriteTx,
    actor: Actor<'_>,
    at: &str,
    plan_id: PlanId,
) -> Result<UnitId, StoreError> {
    let row = sqlx::query("SELECT unit_id, status, version FROM plan WHERE id = $1")
        .bind(plan_id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))?;
    let status: String = row.try_get("status")?;
    let version: i64 = row.try_get("version")?;
    let status = PlanStatus::from_code(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("plan status {status:?}")))?;
    match status {
        PlanStatus::Draft => {}
        PlanStatus::Submitted | PlanStatus::Approved => {
            return Err(StoreError::Refused(Refusal::Locked(status)))
        }
        PlanStatus::Published => {
            // Reopened once however many saves race for it: the status in the condition
            // makes a second writer (PostgreSQL re-reads the row after the first commits)
            // find it reopened already.
            let reopened = sqlx::query(
                "UPDATE plan SET status = 'draft', version = version + 1, updated_at = $1 \
                 WHERE id = $2 AND status = 'published' AND version = $3",
            )
            .bind(at)
            .bind(plan_id.0)
            .bind(version)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if reopened == 0 {
                let now: String = sqlx::query_scalar("SELECT status FROM plan WHERE id = $1")
                    .bind(plan_id.0)
                    .fetch_one(&mut **tx)
                    .await?;
                return match PlanStatus::from_code(&now) {
                    Some(PlanStatus::Draft) => Ok(UnitId(row.try_get("unit_id")?)),
                    Some(other) => Err(StoreError::Refused(Refusal::Locked(other))),
                    None => Err(StoreError::Corrupt(format!("plan status {now:?}"))),
                };
            }
            record(
                tx,
                actor,
                at,
                "plan",
                plan_id.0,
                Some(&json!({"status": "published", "version": version})),
                Some(&json!({"status": "draft", "version": version + 1})),
            )
            .await?;
        }
    }
    Ok(UnitId(row.try_get("unit_id")?))
}

impl Store {
    /// Changes a node's texts (and targets, when given) if nobody changed it since
    /// `expected_version` was read. Returns the new version.
    #[tracing::instrument(skip_all)]
    pub async fn update_node(
        &self,
        actor: Actor<'_>,
        node_id: NodeId,
        expected_version: i64,
        edit: &NodeEdit,
    ) -> Result<i64, StoreError> {
        if edit.title.trim().is_empty() {
            return Err(StoreError::Field {
                field: "title".into(),
                message: "名称を入力してください。 The title must not be empty.".into(),
            });
        }
        let overlong = std::iter::once(("title", edit.title.as_str()))
            .chain(edit.subtitle.as_deref().map(|s| ("subtitle", s)))
            .chain(edit.sections.iter().map(|s| ("sections", s.body.as_str())))
            .chain(
                edit.targets
                    .iter()
                    .flatten()
                    .map(|t| ("targets", t.text.as_str())),
            )
            .find(|(_, t)| kusei_domain::content::too_long(t));
        if let Some((field, _)) = overlong {
            return Err(StoreError::Field {
                field: field.into(),
                message: "32,767文字以内で入力してください（表計算のセルに入る長さです）。 Use at most 32,767 characters (what a spreadsheet cell holds).".into(),
            });
        }
        self.change_node(actor, node_id, expected_version, Change::Texts(edit))
            .await
    }

    /// Stores a mid-year review after checking the form rules (remedy when (ii) or ②).
    #[tracing::instrument(skip_all)]
    pub async fn set_review(
        &self,
        actor: Actor<'_>,
        node_id: NodeId,
        expected_version: i64,
        review: &Review,
    ) -> Result<i64, StoreError> {
        if let Some(v) = review.violations().first() {
            return Err(StoreError::Field {
                field: v.field.to_string(),
                message: v.message_ja.to_string(),
            });
        }
        self.change_node(actor, node_id, expected_version, Change::Review(review))
            .await
    }

    /// Stores a year-end evaluation (and the year's actuals, when given) after checking
    /// the form rules (remedy when ②).
    #[tracing::instrument(skip_all)]
    pub async fn set_evaluation(
        &self,
        actor: Actor<'_>,
        node_id: NodeId,
        expected_version: i64,
        evaluation: &Evaluation,
        actuals: Option<&[Actual]>,
    ) -> Result<i64, StoreError> {
        if let Some(v) = evaluation.violations().first() {
            return Err(StoreError::Field {
                field: v.field.to_string(),
                message: v.message_ja.to_string(),
            });
        }
        self.change_node(
            actor,
            node_id,
            expected_version,
            Change::Evaluation(evaluation, actuals),
        )
        .await
    }

    async fn change_node(
        &self,
        actor: Actor<'_>,
        node_id: NodeId,
        expected_version: i64,
        change: Change<'_>,
    ) -> Result<i64, StoreError> {
        let at = now_utc();
        let mut tx = self.write().await?;
        let before = read_node(&mut tx, node_id).await?;
        // Saved on an older version: merged field by field with what was saved since
        // (crate::merge); stored only when no field was changed differently by both.
        let merged;
        let (expected_version, change) = match change {
            Change::Texts(edit) if before.node.version > expected_version => {
                let base = crate::merge::snapshot_at(&mut tx, node_id.0, expected_version).await?;
                let m = base.map(|b| crate::merge::merge(&b, &before, edit));
                match m {
                    Some(m) if m.conflicts.is_empty() => {
                        merged = m.edit;
                        (before.node.version, Change::Texts(&merged))
                    }
                    _ => {
                        return Err(StoreError::Conflict {
                            what: format!("node {node_id}"),
                            expected: expected_version,
                            current: before.node.version,
                        })
                    }
                }
            }
            other => (expected_version, other),
        };
        // The version check and the bump are one statement, so two concurrent saves
        // cannot both pass it.
        let updated =
            sqlx::query("UPDATE node SET version = version + 1 WHERE id = $1 AND version = $2")
                .bind(node_id.0)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if updated != 1 {
            return Err(StoreError::Conflict {
                what: format!("node {node_id}"),
                expected: expected_version,
                current: before.node.version,
            });
        }
        let unit = open_plan_for_edit(&mut tx, actor, &at, before.node.plan_id).await?;
        match change {
            Change::Texts(edit) => {
                sqlx::query("UPDATE node SET title = $1, subtitle = $2 WHERE id = $3")
                    .bind(&edit.title)
                    .bind(edit.subtitle.as_deref())
                    .bind(node_id.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM section WHERE node_id = $1")
                    .bind(node_id.0)
                    .execute(&mut *tx)
                    .await?;
                insert_sections(&mut tx, node_id.0, &edit.sections).await?;
                if let Some(targets) = &edit.targets {
                    sqlx::query("DELETE FROM target WHERE node_id = $1")
                        .bind(node_id.0)
                        .execute(&mut *tx)
                        .await?;
                    insert_targets(&mut tx, node_id.0, unit, targets).await?;
                }
            }
            Change::Review(r) => upsert_review(&mut tx, node_id.0, r).await?,
            Change::Evaluation(e, actuals) => {
                upsert_evaluation(&mut tx, node_id.0, e).await?;
                if let Some(actuals) = actuals {
                    sqlx::query("DELETE FROM actual WHERE node_id = $1 AND (fiscal_year = $2 OR fiscal_year IS NULL)")
                        .bind(node_id.0)
                        .bind(i64::from(e.fiscal_year.year()))
                        .execute(&mut *tx)
                        .await?;
                    insert_actuals(&mut tx, node_id.0, unit, actuals).await?;
                }
            }
        }
        let after = read_node(&mut tx, node_id).await?;
        let (was, now) = (node_state(&before), node_state(&after));
        if content_of(&was) == content_of(&now) {
            // Nothing changed (a form saved as it was opened): no new version, no history,
            // and a published plan stays published. Dropping the transaction undoes the
            // version bump above.
            drop(tx);
            return Ok(before.node.version);
        }
        record(
            &mut tx,
            actor,
            &at,
            "node",
            node_id.0,
            Some(&was),
            Some(&now),
        )
        .await?;
        tx.commit().await?;
        Ok(after.node.version)
    }

    /// The plan a node belongs to.
    pub async fn node_plan(&self, node_id: NodeId) -> Result<PlanId, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT plan_id FROM node WHERE id = $1")
            .bind(node_id.0)
            .fetch_optional(self.pool())
            .await?;
        id.map(PlanId)
            .ok_or_else(|| StoreError::NotFound(format!("node {node_id}")))
    }
}

/// A history snapshot without its version: what a person can change.
fn content_of(state: &serde_json::Value) -> serde_json::Value {
    let mut v = state.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("version");
    }
    v
}

/// The history snapshot of a stored node: the import shape plus its version.
fn node_state(sn: &StoredNode) -> serde_json::Value {
    let mut v = content_snapshot(&sn.to_content(), sn.node.owner_unit_id.map(|u| u.0));
    if let Some(o) = v.as_object_mut() {
        o.insert("version".into(), json!(sn.node.version));
    }
    v
}
