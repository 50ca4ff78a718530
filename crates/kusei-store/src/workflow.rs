//! The year's schedule (when each phase is open), the approval workflow
//! (submit → approve | return → publish) and published versions.
//!
//! A published version is a JSON snapshot of the whole plan ([`StoredPlan`]) written once
//! at publication; triggers refuse UPDATE and DELETE on it. Later edits open a new draft
//! version of the plan (see `edit.rs`); the public reads snapshots only.

use crate::history::record;
use crate::units::fiscal_year;
use crate::{now_utc, Actor, PlanSummary, Store, StoreError, StoredPlan};
use kusei_domain::calendar::Date;
use kusei_domain::model::{MunicipalityId, Phase, PlanId, PlanStatus, UnitId};
pub use kusei_domain::workflow::{Transition, Window};
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

/// One recorded step of the workflow.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    pub version: i64,
    pub action: Transition,
    pub actor: String,
    pub comment: Option<String>,
    pub at: String,
}

/// A published version (without its snapshot).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublishedVersion {
    pub version: i64,
    pub published_at: String,
    pub published_by: String,
}

impl Store {
    /// Sets when a phase of a fiscal year is open for a municipality.
    pub async fn set_window(
        &self,
        actor: Actor<'_>,
        municipality: MunicipalityId,
        window: &Window,
    ) -> Result<(), StoreError> {
        if window.opens_on > window.closes_on {
            return Err(StoreError::Field {
                field: "closes_on".into(),
                message: "終了日は開始日以降にしてください。 The closing date must not be before the opening date."
                    .into(),
            });
        }
        let at = now_utc();
        let mut tx = self.write().await?;
        let fy = i64::from(window.fiscal_year.year());
        let before = sqlx::query(
            "SELECT opens_on, closes_on FROM schedule_window WHERE municipality_id = $1 AND fiscal_year = $2 AND phase = $3",
        )
        .bind(municipality.0)
        .bind(fy)
        .bind(window.phase.code())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| -> Result<_, StoreError> {
            Ok(json!({"opens_on": r.try_get::<String, _>("opens_on")?, "closes_on": r.try_get::<String, _>("closes_on")?}))
        })
        .transpose()?;
        sqlx::query(
            "INSERT INTO schedule_window (municipality_id, fiscal_year, phase, opens_on, closes_on) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (municipality_id, fiscal_year, phase) DO UPDATE SET \
             opens_on = excluded.opens_on, closes_on = excluded.closes_on",
        )
        .bind(municipality.0)
        .bind(fy)
        .bind(window.phase.code())
        .bind(window.opens_on.to_string())
        .bind(window.closes_on.to_string())
        .execute(&mut *tx)
        .await?;
        let after = json!({
            "fiscal_year": fy, "phase": window.phase.code(),
            "opens_on": window.opens_on.to_string(), "closes_on": window.closes_on.to_string(),
        });
        record(
            &mut tx,
            actor,
            &at,
            "schedule",
            municipality.0,
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A municipality's schedule, newest year first.
    pub async fn windows(&self, municipality: MunicipalityId) -> Result<Vec<Window>, StoreError> {
        let rows = sqlx::query(
            "SELECT fiscal_year, phase, opens_on, closes_on FROM schedule_window \
             WHERE municipality_id = $1 ORDER BY fiscal_year DESC, phase",
        )
        .bind(municipality.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let phase: String = r.try_get("phase")?;
                let date = |c: &str| -> Result<Date, StoreError> {
                    let s: String = r.try_get(c)?;
                    s.parse()
                        .map_err(|e| StoreError::Corrupt(format!("{c} {s:?}: {e}")))
                };
                Ok(Window {
                    fiscal_year: fiscal_year(r.try_get("fiscal_year")?)?,
                    phase: Phase::from_code(&phase)
                        .ok_or_else(|| StoreError::Corrupt(format!("phase {phase:?}")))?,
                    opens_on: date("opens_on")?,
                    closes_on: date("closes_on")?,
                })
            })
            .collect()
    }

    /// Moves a plan one step through the workflow. The step must start from the plan's
    /// current state (checked in the same statement that changes it); a return needs a
    /// comment. Publishing writes the snapshot of the plan as it is now.
    pub async fn transition(
        &self,
        actor: Actor<'_>,
        plan_id: PlanId,
        step: Transition,
        comment: Option<&str>,
    ) -> Result<PlanStatus, StoreError> {
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if step == Transition::Return && comment.is_none() {
            return Err(StoreError::Field {
                field: "comment".into(),
                message: "差戻しの理由を入力してください。 Say why the plan is returned.".into(),
            });
        }
        let (from, to) = step.rule();
        // The snapshot is read before the transaction; the status check below makes sure
        // nothing was edited in between (edits are refused while a plan is approved).
        let snapshot = if step == Transition::Publish {
            let mut sp = self.load_plan(plan_id).await?;
            sp.plan.status = PlanStatus::Published;
            let summary = self.summary_of(&sp).await?;
            Some((
                serde_json::to_string(&sp).map_err(|e| StoreError::Invalid(e.to_string()))?,
                summary,
            ))
        } else {
            None
        };
        let at = now_utc();
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT status, version FROM plan WHERE id = $1")
            .bind(plan_id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))?;
        let status: String = row.try_get("status")?;
        let version: i64 = row.try_get("version")?;
        let current = PlanStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("plan status {status:?}")))?;
        if !from.contains(&current) {
            return Err(StoreError::Refused(kusei_domain::workflow::Refusal::Step {
                status: current,
                step,
            }));
        }
        let changed = sqlx::query(
            "UPDATE plan SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4 AND version = $5",
        )
        .bind(to.code())
        .bind(&at)
        .bind(plan_id.0)
        .bind(current.code())
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Conflict {
                what: format!("plan {plan_id}"),
                expected: version,
                current: version,
            });
        }
        sqlx::query(
            "INSERT INTO plan_decision (plan_id, version, action, actor, comment, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(plan_id.0)
        .bind(version)
        .bind(step.code())
        .bind(actor)
        .bind(comment)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        if let Some((snapshot, summary)) = snapshot {
            sqlx::query(
                "INSERT INTO plan_version (plan_id, version, published_at, published_by, snapshot) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(plan_id.0)
            .bind(version)
            .bind(&at)
            .bind(actor)
            .bind(&snapshot)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO published_summary (plan_id, version, summary) VALUES ($1, $2, $3)",
            )
            .bind(plan_id.0)
            .bind(version)
            .bind(summary)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            actor,
            &at,
            "plan",
            plan_id.0,
            Some(&json!({"status": current.code(), "version": version})),
            Some(&json!({"status": to.code(), "version": version, "step": step.code(), "comment": comment})),
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// The workflow steps of a plan, oldest first.
    pub async fn decisions(&self, plan_id: PlanId) -> Result<Vec<Decision>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, action, actor, comment, at FROM plan_decision WHERE plan_id = $1 ORDER BY id",
        )
        .bind(plan_id.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let action: String = r.try_get("action")?;
                Ok(Decision {
                    version: r.try_get("version")?,
                    action: Transition::from_code(&action)
                        .ok_or_else(|| StoreError::Corrupt(format!("decision {action:?}")))?,
                    actor: r.try_get("actor")?,
                    comment: r.try_get("comment")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Published versions of a plan, newest first.
    pub async fn published_versions(
        &self,
        plan_id: PlanId,
    ) -> Result<Vec<PublishedVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, published_at, published_by FROM plan_version WHERE plan_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM plan WHERE id = $1 AND withdrawn_at IS NOT NULL) \
             ORDER BY version DESC",
        )
        .bind(plan_id.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PublishedVersion {
                    version: r.try_get("version")?,
                    published_at: r.try_get("published_at")?,
                    published_by: r.try_get("published_by")?,
                })
            })
            .collect()
    }

    /// The unit of a plan and its published versions, newest first, when it has one and
    /// is not withdrawn: what a public page needs to know before it reads any snapshot
    /// (one indexed read).
    pub async fn published_head(
        &self,
        plan_id: PlanId,
    ) -> Result<Option<(UnitId, Vec<PublishedVersion>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.unit_id, v.version, v.published_at, v.published_by \
             FROM plan p JOIN plan_version v ON v.plan_id = p.id \
             WHERE p.id = $1 AND p.withdrawn_at IS NULL ORDER BY v.version DESC",
        )
        .bind(plan_id.0)
        .fetch_all(self.pool())
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let unit = UnitId(first.try_get("unit_id")?);
        let versions = rows
            .iter()
            .map(|r| {
                Ok(PublishedVersion {
                    version: r.try_get("version")?,
                    published_at: r.try_get("published_at")?,
                    published_by: r.try_get("published_by")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some((unit, versions)))
    }

    /// The latest published version number of every plan that has one.
    /// The list line of a snapshot (JSON of [`PlanSummary`]).
    async fn summary_of(&self, sp: &StoredPlan) -> Result<String, StoreError> {
        let unit_name: String = sqlx::query_scalar("SELECT name FROM unit WHERE id = $1")
            .bind(sp.plan.unit_id.0)
            .fetch_optional(self.pool())
            .await?
            .unwrap_or_default();
        let summary = PlanSummary {
            plan: sp.plan.clone(),
            unit_name,
            node_count: i64::try_from(sp.nodes.len()).unwrap_or(i64::MAX),
        };
        serde_json::to_string(&summary).map_err(|e| StoreError::Invalid(e.to_string()))
    }

    /// Writes the list lines of versions published before they were kept (run after the
    /// migrations; does nothing once every version has one).
    pub(crate) async fn fill_published_summaries(&self) -> Result<(), StoreError> {
        let missing = sqlx::query(
            "SELECT pv.plan_id, pv.version FROM plan_version pv \
             JOIN plan p ON p.id = pv.plan_id AND p.withdrawn_at IS NULL \
             LEFT JOIN published_summary ps \
             ON ps.plan_id = pv.plan_id AND ps.version = pv.version WHERE ps.plan_id IS NULL",
        )
        .fetch_all(self.pool())
        .await?;
        for r in missing {
            let (plan, version): (i64, i64) = (r.try_get("plan_id")?, r.try_get("version")?);
            let Some(sp) = self.published_plan(PlanId(plan), Some(version)).await? else {
                continue;
            };
            let summary = self.summary_of(&sp).await?;
            let mut tx = self.write().await?;
            sqlx::query(
                "INSERT INTO published_summary (plan_id, version, summary) VALUES ($1, $2, $3) \
                 ON CONFLICT (plan_id, version) DO NOTHING",
            )
            .bind(plan)
            .bind(version)
            .bind(summary)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The latest published version of every published plan, as lists show it (its own
    /// title, period, family and item count, never the working copy's).
    pub async fn published_summaries(
        &self,
    ) -> Result<HashMap<PlanId, (i64, PlanSummary)>, StoreError> {
        let rows = sqlx::query(
            "SELECT ps.plan_id, ps.version, ps.summary FROM published_summary ps \
             JOIN (SELECT plan_id, MAX(version) AS v FROM published_summary GROUP BY plan_id) l \
             ON l.plan_id = ps.plan_id AND l.v = ps.version",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get("summary")?;
                let summary: PlanSummary = serde_json::from_str(&text)
                    .map_err(|e| StoreError::Corrupt(format!("published summary: {e}")))?;
                Ok((
                    PlanId(r.try_get("plan_id")?),
                    (r.try_get("version")?, summary),
                ))
            })
            .collect()
    }

    pub async fn latest_published(&self) -> Result<HashMap<PlanId, i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT pv.plan_id, MAX(pv.version) AS v FROM plan_version pv \
                JOIN plan p ON p.id = pv.plan_id AND p.withdrawn_at IS NULL GROUP BY pv.plan_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((PlanId(r.try_get("plan_id")?), r.try_get("v")?)))
            .collect()
    }

    /// A published version as it was published (the latest when `version` is `None`).
    pub async fn published_plan(
        &self,
        plan_id: PlanId,
        version: Option<i64>,
    ) -> Result<Option<StoredPlan>, StoreError> {
        let text: Option<String> = match version {
            Some(v) => {
                sqlx::query_scalar("SELECT snapshot FROM plan_version WHERE plan_id = $1 AND version = $2 \
                    AND NOT EXISTS (SELECT 1 FROM plan WHERE id = $1 AND withdrawn_at IS NOT NULL)")
                    .bind(plan_id.0)
                    .bind(v)
                    .fetch_optional(self.pool())
                    .await?
            }
            None => {
                sqlx::query_scalar(
                    "SELECT snapshot FROM plan_version WHERE plan_id = $1 \
                     AND NOT EXISTS (SELECT 1 FROM plan WHERE id = $1 AND withdrawn_at IS NOT NULL) \
                     ORDER BY version DESC LIMIT 1",
                )
                .bind(plan_id.0)
                .fetch_optional(self.pool())
                .await?
            }
        };
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| {
                StoreError::Corrupt(format!("published snapshot of plan {plan_id}: {e}"))
            })
        })
        .transpose()
    }
}
