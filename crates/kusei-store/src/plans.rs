//! Plans and their nodes: written whole in one transaction, read whole for a page.

use crate::history::record;
use crate::tx::{BindFigure, WriteTx};
use crate::units::fiscal_year;
use crate::{now_utc, Actor, Store, StoreError};
use kusei_domain::calendar::{Date, FiscalYear, YearMonth};
use kusei_domain::content::{NodeContent, PlanContent};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{
    Actual, Comparator, Evaluation, Family, IndicatorId, Link, LinkKind, Milestone, MunicipalityId,
    Node, NodeId, Period, Phase, Plan, PlanId, PlanStatus, Review, Section, Target, UnitId, When,
};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// A plan row with what a list page shows beside it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlanSummary {
    pub plan: Plan,
    pub unit_name: String,
    pub node_count: i64,
}

/// A node with everything attached to it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredNode {
    pub node: Node,
    pub targets: Vec<Target>,
    pub actuals: Vec<Actual>,
    pub reviews: Vec<Review>,
    pub evaluations: Vec<Evaluation>,
    pub milestones: Vec<Milestone>,
}

/// A path segment with everything but unreserved characters percent-encoded.
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A whole plan as read back: nodes in document order and the links between them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredPlan {
    pub plan: Plan,
    pub unit_name: String,
    pub nodes: Vec<StoredNode>,
    pub links: Vec<Link>,
}

impl StoredPlan {
    /// The key of an item in its public address (`/plans/{id}/items/{key}`): its number
    /// where no other item of the plan has the same, else `id-{node id}`. Both stay the
    /// same across published versions while the item keeps its number.
    pub fn item_key(&self, node: &StoredNode) -> String {
        match &node.node.number {
            Some(n)
                if !n.is_empty()
                    && !n.starts_with("id-")
                    && self
                        .nodes
                        .iter()
                        .filter(|o| o.node.number.as_deref() == Some(n.as_str()))
                        .count()
                        == 1 =>
            {
                n.clone()
            }
            _ => format!("id-{}", node.node.id.0),
        }
    }

    /// The item a key names (see [`StoredPlan::item_key`]).
    pub fn find_item(&self, key: &str) -> Option<&StoredNode> {
        if let Some(id) = key.strip_prefix("id-").and_then(|s| s.parse::<i64>().ok()) {
            return self.nodes.iter().find(|n| n.node.id.0 == id);
        }
        let mut with = self
            .nodes
            .iter()
            .filter(|n| n.node.number.as_deref() == Some(key));
        match (with.next(), with.next()) {
            (Some(n), None) => Some(n),
            _ => None,
        }
    }

    /// The public page of an item: `/plans/{id}/items/{key}`, the key percent-encoded.
    pub fn item_path(&self, node: &StoredNode) -> String {
        format!(
            "/plans/{}/items/{}",
            self.plan.id.0,
            path_segment(&self.item_key(node))
        )
    }

    /// Display rows (depth first, 再掲 shown as a repeat) as indexes into `nodes`.
    pub fn tree_rows(&self) -> Vec<kusei_domain::content::TreeRow> {
        let index: HashMap<NodeId, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.node.id, i))
            .collect();
        let links: Vec<(usize, usize, i64, LinkKind)> = self
            .links
            .iter()
            .filter_map(|l| {
                Some((
                    *index.get(&l.parent)?,
                    *index.get(&l.child)?,
                    l.position,
                    l.kind,
                ))
            })
            .collect();
        kusei_domain::content::tree_rows(self.nodes.len(), &links)
    }
}

fn when_code(w: &When) -> String {
    match w {
        When::Month(ym) => format!("{:04}-{:02}", ym.year, ym.month),
        When::FiscalYear(fy) => format!("FY{}", fy.year()),
    }
}

fn parse_when(s: &str) -> Result<When, StoreError> {
    let bad = || StoreError::Corrupt(format!("milestone date {s:?}"));
    if let Some(y) = s.strip_prefix("FY") {
        let y: i64 = y.parse().map_err(|_| bad())?;
        return Ok(When::FiscalYear(fiscal_year(y)?));
    }
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    Ok(When::Month(YearMonth {
        year: y.parse().map_err(|_| bad())?,
        month: m.parse().map_err(|_| bad())?,
    }))
}

fn json_list(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("JSON list: {e}")))
}

/// A `node` row (id, plan_id, level, number, title, subtitle, marks, owner_unit_id,
/// version) without its sections.
fn node_from_row(r: &AnyRow) -> Result<Node, StoreError> {
    let marks: String = r.try_get("marks")?;
    Ok(Node {
        id: NodeId(r.try_get("id")?),
        plan_id: PlanId(r.try_get("plan_id")?),
        level: r.try_get("level")?,
        number: r.try_get("number")?,
        title: r.try_get("title")?,
        subtitle: r.try_get("subtitle")?,
        marks: json_list(&marks)?,
        owner_unit_id: r.try_get::<Option<i64>, _>("owner_unit_id")?.map(UnitId),
        sections: Vec::new(),
        version: r.try_get("version")?,
    })
}

pub(crate) fn plan_from_row(row: &AnyRow) -> Result<Plan, StoreError> {
    let family: String = row.try_get("family")?;
    let status: String = row.try_get("status")?;
    let level_names: String = row.try_get("level_names")?;
    Ok(Plan {
        id: PlanId(row.try_get("id")?),
        unit_id: UnitId(row.try_get("unit_id")?),
        period: Period::span(
            fiscal_year(row.try_get("fy_start")?)?,
            fiscal_year(row.try_get("fy_end")?)?,
        ),
        family: Family::from_code(&family)
            .ok_or_else(|| StoreError::Corrupt(format!("plan family {family:?}")))?,
        title: row.try_get("title")?,
        level_names: json_list(&level_names)?,
        status: PlanStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("plan status {status:?}")))?,
        version: row.try_get("version")?,
        is_sample: row.try_get::<i64, _>("is_sample")? != 0,
    })
}

pub(crate) fn target_from_row(r: &AnyRow) -> Result<Target, StoreError> {
    let start: Option<i64> = r.try_get("fy_start")?;
    let end: Option<i64> = r.try_get("fy_end")?;
    let period = match (start, end) {
        (Some(s), Some(e)) => Some(Period::span(fiscal_year(s)?, fiscal_year(e)?)),
        (Some(y), None) | (None, Some(y)) => Some(Period::year(fiscal_year(y)?)),
        (None, None) => None,
    };
    let comparator: Option<String> = r.try_get("comparator")?;
    Ok(Target {
        indicator_id: r
            .try_get::<Option<i64>, _>("indicator_id")?
            .map(IndicatorId),
        period,
        value: r.try_get("value")?,
        measure_unit: r.try_get("measure_unit")?,
        comparator: comparator.as_deref().and_then(Comparator::from_code),
        text: r.try_get("text")?,
        indicator_name: r.try_get("indicator_name")?,
        this_year: r.try_get::<i64, _>("this_year")? != 0,
    })
}

pub(crate) fn actual_from_row(r: &AnyRow) -> Result<Actual, StoreError> {
    let as_of: Option<String> = r.try_get("as_of")?;
    let as_of = as_of
        .map(|s| {
            s.parse::<Date>()
                .map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
        })
        .transpose()?;
    Ok(Actual {
        indicator_id: r
            .try_get::<Option<i64>, _>("indicator_id")?
            .map(IndicatorId),
        fiscal_year: r
            .try_get::<Option<i64>, _>("fiscal_year")?
            .map(fiscal_year)
            .transpose()?,
        value: r.try_get("value")?,
        measure_unit: r.try_get("measure_unit")?,
        as_of,
        text: r.try_get("text")?,
    })
}

pub(crate) fn review_from_row(r: &AnyRow) -> Result<Review, StoreError> {
    let imp: Option<String> = r.try_get("implementation")?;
    let ach: Option<String> = r.try_get("achievement")?;
    Ok(Review {
        fiscal_year: fiscal_year(r.try_get("fiscal_year")?)?,
        implementation: imp.as_deref().and_then(ImplementationProspect::from_code),
        achievement: ach.as_deref().and_then(AchievementProspect::from_code),
        remedy: r.try_get("remedy")?,
    })
}

pub(crate) fn evaluation_from_row(r: &AnyRow) -> Result<Evaluation, StoreError> {
    let stated: String = r.try_get("stated_judgment")?;
    Ok(Evaluation {
        fiscal_year: fiscal_year(r.try_get("fiscal_year")?)?,
        results: r.try_get("results")?,
        stated: Judgment::from_code(&stated)
            .ok_or_else(|| StoreError::Corrupt(format!("judgment {stated:?}")))?,
        remedy: r.try_get("remedy")?,
        explanation: r.try_get("explanation")?,
    })
}

pub(crate) fn milestone_from_row(r: &AnyRow) -> Result<Milestone, StoreError> {
    let from: Option<String> = r.try_get("date_from")?;
    let to: Option<String> = r.try_get("date_to")?;
    Ok(Milestone {
        from: from.as_deref().map(parse_when).transpose()?,
        to: to.as_deref().map(parse_when).transpose()?,
        open_ended: r.try_get::<i64, _>("open_ended")? != 0,
        text: r.try_get("text")?,
    })
}

pub(crate) const PLAN_COLUMNS: &str = "p.id, p.unit_id, p.fy_start, p.fy_end, p.family, p.title, \
    p.level_names, p.status, p.version, p.is_sample";

pub(crate) fn review_snapshot(r: &Review) -> Value {
    json!({
        "fiscal_year": r.fiscal_year.year(),
        "implementation": r.implementation.map(|i| i.code()),
        "achievement": r.achievement.map(|a| a.code()),
        "remedy": r.remedy,
    })
}

pub(crate) fn evaluation_snapshot(e: &Evaluation) -> Value {
    json!({
        "fiscal_year": e.fiscal_year.year(), "results": e.results,
        "stated_judgment": e.stated.code(), "remedy": e.remedy,
        "explanation": e.explanation,
    })
}

pub(crate) async fn insert_sections(
    tx: &mut WriteTx,
    node_id: i64,
    sections: &[Section],
) -> Result<(), StoreError> {
    for (pos, s) in sections.iter().enumerate() {
        sqlx::query(
            "INSERT INTO section (node_id, position, phase, heading, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(node_id)
        .bind(pos as i64)
        .bind(s.phase.code())
        .bind(&s.heading)
        .bind(&s.body)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn upsert_review(
    tx: &mut WriteTx,
    node_id: i64,
    r: &Review,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO review (node_id, fiscal_year, implementation, achievement, remedy) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (node_id, fiscal_year) DO UPDATE SET \
         implementation = excluded.implementation, achievement = excluded.achievement, \
         remedy = excluded.remedy",
    )
    .bind(node_id)
    .bind(i64::from(r.fiscal_year.year()))
    .bind(r.implementation.map(|i| i.code()))
    .bind(r.achievement.map(|a| a.code()))
    .bind(r.remedy.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn upsert_evaluation(
    tx: &mut WriteTx,
    node_id: i64,
    e: &Evaluation,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO evaluation (node_id, fiscal_year, results, stated_judgment, remedy, explanation) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (node_id, fiscal_year) DO UPDATE SET \
         results = excluded.results, stated_judgment = excluded.stated_judgment, \
         remedy = excluded.remedy, explanation = excluded.explanation",
    )
    .bind(node_id)
    .bind(i64::from(e.fiscal_year.year()))
    .bind(&e.results)
    .bind(e.stated.code())
    .bind(e.remedy.as_deref())
    .bind(e.explanation.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Stores a whole plan for a unit in one transaction, with its history.
    /// Nothing is stored when any part fails.
    #[tracing::instrument(skip_all, fields(nodes = content.nodes.len()))]
    pub async fn save_plan(
        &self,
        actor: Actor<'_>,
        unit_id: UnitId,
        content: &PlanContent,
    ) -> Result<PlanId, StoreError> {
        content
            .validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let at = now_utc();
        let mut tx = self.write().await?;
        let id = insert_plan(&mut tx, actor, &at, unit_id, content, None).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Plans, optionally of one unit and/or covering one fiscal year; newest first.
    #[tracing::instrument(skip_all)]
    pub async fn list_plans(
        &self,
        unit: Option<UnitId>,
        year: Option<FiscalYear>,
    ) -> Result<Vec<PlanSummary>, StoreError> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS}, u.name AS unit_name, \
             (SELECT COUNT(*) FROM node n WHERE n.plan_id = p.id) AS node_count \
             FROM plan p JOIN unit u ON u.id = p.unit_id \
             WHERE ($1 = 0 OR p.unit_id = $1) AND ($2 = 0 OR (p.fy_start <= $2 AND $2 <= p.fy_end)) \
             ORDER BY p.fy_end DESC, u.position, u.id, p.family, p.id"
        );
        let rows = sqlx::query(&sql)
            .bind(unit.map_or(0, |u| u.0))
            .bind(year.map_or(0, |y| i64::from(y.year())))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(PlanSummary {
                    plan: plan_from_row(row)?,
                    unit_name: row.try_get("unit_name")?,
                    node_count: row.try_get("node_count")?,
                })
            })
            .collect()
    }

    /// The fiscal years in which plans of municipality `m` end (the years a roll-up can
    /// be of), oldest first: one indexed read, however many plans the archive holds.
    pub async fn plan_years(&self, m: MunicipalityId) -> Result<Vec<FiscalYear>, StoreError> {
        let years: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT p.fy_end FROM plan p JOIN unit u ON u.id = p.unit_id \
             WHERE u.municipality_id = $1 AND p.withdrawn_at IS NULL ORDER BY p.fy_end",
        )
        .bind(m.0)
        .fetch_all(self.pool())
        .await?;
        years
            .into_iter()
            .map(|y| {
                i32::try_from(y)
                    .ok()
                    .and_then(|y| FiscalYear::new(y).ok())
                    .ok_or_else(|| StoreError::Corrupt(format!("fiscal year {y}")))
            })
            .collect()
    }

    /// The plans of these municipalities still in the workflow (draft, submitted,
    /// approved), not withdrawn: what the inbox reads on every staff page, through
    /// `plan_by_status`, so it costs the same however large the archive of published
    /// plans grows.
    pub async fn plans_in_workflow(
        &self,
        municipalities: &[MunicipalityId],
    ) -> Result<Vec<PlanSummary>, StoreError> {
        if municipalities.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=municipalities.len())
            .map(|i| format!("${i}"))
            .collect();
        let sql = format!(
            "SELECT {PLAN_COLUMNS}, u.name AS unit_name, CAST(0 AS BIGINT) AS node_count \
             FROM plan p JOIN unit u ON u.id = p.unit_id \
             WHERE p.status IN ('draft', 'submitted', 'approved') AND p.withdrawn_at IS NULL \
             AND u.municipality_id IN ({}) \
             ORDER BY p.fy_end DESC, u.position, u.id, p.family, p.id",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for m in municipalities {
            q = q.bind(m.0);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                Ok(PlanSummary {
                    plan: plan_from_row(row)?,
                    unit_name: row.try_get("unit_name")?,
                    node_count: row.try_get("node_count")?,
                })
            })
            .collect()
    }

    /// Reads a whole plan: one query per table, each by an indexed plan key.
    #[tracing::instrument(skip_all)]
    pub async fn load_plan(&self, id: PlanId) -> Result<StoredPlan, StoreError> {
        let pool = self.pool();
        let row = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS}, u.name AS unit_name FROM plan p JOIN unit u ON u.id = p.unit_id WHERE p.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("plan {id}")))?;
        let plan = plan_from_row(&row)?;
        let unit_name: String = row.try_get("unit_name")?;

        let node_rows = sqlx::query(
            "SELECT id, plan_id, level, number, title, subtitle, marks, owner_unit_id, version \
             FROM node WHERE plan_id = $1 ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?;
        let mut nodes = Vec::with_capacity(node_rows.len());
        let mut index: HashMap<i64, usize> = HashMap::new();
        for r in &node_rows {
            let node = node_from_row(r)?;
            index.insert(node.id.0, nodes.len());
            nodes.push(StoredNode {
                node,
                targets: Vec::new(),
                actuals: Vec::new(),
                reviews: Vec::new(),
                evaluations: Vec::new(),
                milestones: Vec::new(),
            });
        }
        let slot = |nid: i64| {
            index
                .get(&nid)
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("row of unknown node {nid}")))
        };

        for r in sqlx::query(
            "SELECT s.node_id, s.phase, s.heading, s.body FROM section s JOIN node n ON n.id = s.node_id \
             WHERE n.plan_id = $1 ORDER BY s.node_id, s.position",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?
        {
            let phase: String = r.try_get("phase")?;
            nodes[slot(r.try_get("node_id")?)?]
                .node
                .sections
                .push(Section {
                    phase: Phase::from_code(&phase)
                        .ok_or_else(|| StoreError::Corrupt(format!("phase {phase:?}")))?,
                    heading: r.try_get("heading")?,
                    body: r.try_get("body")?,
                });
        }
        for r in sqlx::query(
            "SELECT t.node_id, t.indicator_id, t.fy_start, t.fy_end, t.value, t.measure_unit, t.comparator, t.text, \
             t.indicator_name, t.this_year FROM target t JOIN node n ON n.id = t.node_id WHERE n.plan_id = $1 ORDER BY t.node_id, t.position",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?
        {
            nodes[slot(r.try_get("node_id")?)?]
                .targets
                .push(target_from_row(&r)?);
        }
        for r in sqlx::query(
            "SELECT a.node_id, a.indicator_id, a.fiscal_year, a.value, a.measure_unit, a.as_of, a.text \
             FROM actual a JOIN node n ON n.id = a.node_id WHERE n.plan_id = $1 ORDER BY a.node_id, a.position",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?
        {
            nodes[slot(r.try_get("node_id")?)?]
                .actuals
                .push(actual_from_row(&r)?);
        }
        for r in sqlx::query(
            "SELECT r.node_id, r.fiscal_year, r.implementation, r.achievement, r.remedy \
             FROM review r JOIN node n ON n.id = r.node_id WHERE n.plan_id = $1 ORDER BY r.node_id, r.fiscal_year",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?
        {
            nodes[slot(r.try_get("node_id")?)?]
                .reviews
                .push(review_from_row(&r)?);
        }
        for r in sqlx::query(
            "SELECT e.node_id, e.fiscal_year, e.results, e.stated_judgment, e.remedy, e.explanation \
             FROM evaluation e JOIN node n ON n.id = e.node_id WHERE n.plan_id = $1 ORDER BY e.node_id, e.fiscal_year",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?
        {
            nodes[slot(r.try_get("node_id")?)?]
                .evaluations
                .push(evaluation_from_row(&r)?);
        }
        for r in sqlx::query(
            "SELECT m.node_id, m.date_from, m.date_to, m.open_ended, m.text FROM milestone m \
             JOIN node n ON n.id = m.node_id WHERE n.plan_id = $1 ORDER BY m.node_id, m.position",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?
        {
            nodes[slot(r.try_get("node_id")?)?]
                .milestones
                .push(milestone_from_row(&r)?);
        }
        let mut links = Vec::new();
        for r in sqlx::query(
            "SELECT parent_id, child_id, position, kind FROM node_link WHERE plan_id = $1 ORDER BY parent_id, position",
        )
        .bind(id.0)
        .fetch_all(pool)
        .await?
        {
            let kind: String = r.try_get("kind")?;
            links.push(Link {
                parent: NodeId(r.try_get("parent_id")?),
                child: NodeId(r.try_get("child_id")?),
                position: r.try_get("position")?,
                kind: LinkKind::from_code(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("link kind {kind:?}")))?,
            });
        }
        Ok(StoredPlan {
            plan,
            unit_name,
            nodes,
            links,
        })
    }

    pub(crate) async fn node_for_update(
        tx: &mut WriteTx,
        node_id: NodeId,
    ) -> Result<Node, StoreError> {
        let r = sqlx::query(
            "SELECT id, plan_id, level, number, title, subtitle, marks, owner_unit_id, version \
             FROM node WHERE id = $1",
        )
        .bind(node_id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("node {node_id}")))?;
        let mut node = node_from_row(&r)?;
        for s in sqlx::query(
            "SELECT phase, heading, body FROM section WHERE node_id = $1 ORDER BY position",
        )
        .bind(node_id.0)
        .fetch_all(&mut **tx)
        .await?
        {
            let phase: String = s.try_get("phase")?;
            node.sections.push(Section {
                phase: Phase::from_code(&phase)
                    .ok_or_else(|| StoreError::Corrupt(format!("phase {phase:?}")))?,
                heading: s.try_get("heading")?,
                body: s.try_get("body")?,
            });
        }
        Ok(node)
    }
}

/// Inserts a plan with all its nodes inside a transaction, recording the history.
pub(crate) async fn insert_plan(
    tx: &mut WriteTx,
    actor: Actor<'_>,
    at: &str,
    unit_id: UnitId,
    content: &PlanContent,
    source_document_id: Option<i64>,
) -> Result<PlanId, StoreError> {
    // Reads the unit first: a missing unit is NotFound, not a foreign-key failure.
    let owners = OwnerCache::new(tx, unit_id).await?;
    let level_names = serde_json::to_string(&content.level_names)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let plan_id: i64 = sqlx::query_scalar(
        "INSERT INTO plan (unit_id, fy_start, fy_end, family, title, level_names, status, \
         is_sample, source_document_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $9) RETURNING id",
    )
    .bind(unit_id.0)
    .bind(i64::from(content.period.start.year()))
    .bind(i64::from(content.period.end.year()))
    .bind(content.family.code())
    .bind(&content.title)
    .bind(&level_names)
    .bind(i64::from(content.is_sample))
    .bind(source_document_id)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    let plan_after = json!({
        "unit_id": unit_id.0, "fy_start": content.period.start.year(),
        "fy_end": content.period.end.year(), "family": content.family.code(),
        "title": content.title, "level_names": content.level_names, "status": "draft",
        "source_document_id": source_document_id,
    });
    record(tx, actor, at, "plan", plan_id, None, Some(&plan_after)).await?;
    let mut ids = Vec::with_capacity(content.nodes.len());
    for (pos, n) in content.nodes.iter().enumerate() {
        let owner = owners.resolve(n.owner.as_deref());
        let node_id = insert_node(tx, plan_id, pos, n, owner).await?;
        insert_node_parts(tx, node_id, unit_id, n).await?;
        record(
            tx,
            actor,
            at,
            "node",
            node_id,
            None,
            Some(&content_snapshot(n, owner)),
        )
        .await?;
        ids.push(node_id);
    }
    insert_links(tx, plan_id, content, &ids).await?;
    Ok(PlanId(plan_id))
}

pub(crate) async fn unit_municipality(
    tx: &mut WriteTx,
    unit_id: UnitId,
) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT municipality_id FROM unit WHERE id = $1")
        .bind(unit_id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("unit {unit_id}")))
}

/// Resolves 担当 names to unit ids among the units under a plan's unit (never across the
/// city: another ward's section of the same name is not this plan's 担当). The first unit
/// of a name in tree order wins.
pub(crate) struct OwnerCache {
    by_name: HashMap<String, i64>,
}

impl OwnerCache {
    pub(crate) async fn new(tx: &mut WriteTx, plan_unit: UnitId) -> Result<Self, StoreError> {
        let municipality_id = unit_municipality(tx, plan_unit).await?;
        let rows = sqlx::query(
            "SELECT id, parent_id, name FROM unit WHERE municipality_id = $1 ORDER BY id",
        )
        .bind(municipality_id)
        .fetch_all(&mut **tx)
        .await?;
        let mut children: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for r in &rows {
            let parent: Option<i64> = r.try_get("parent_id")?;
            if let Some(p) = parent {
                children
                    .entry(p)
                    .or_default()
                    .push((r.try_get("id")?, r.try_get("name")?));
            }
        }
        let mut by_name = HashMap::new();
        let mut queue = std::collections::VecDeque::from([plan_unit.0]);
        let mut seen = std::collections::HashSet::new();
        while let Some(u) = queue.pop_front() {
            if !seen.insert(u) {
                continue;
            }
            for (id, name) in children.get(&u).into_iter().flatten() {
                by_name.entry(name.clone()).or_insert(*id);
                queue.push_back(*id);
            }
        }
        Ok(OwnerCache { by_name })
    }
    pub(crate) fn resolve(&self, name: Option<&str>) -> Option<i64> {
        name.and_then(|n| self.by_name.get(n).copied())
    }
}

pub(crate) async fn insert_node(
    tx: &mut WriteTx,
    plan_id: i64,
    position: usize,
    n: &NodeContent,
    owner: Option<i64>,
) -> Result<i64, StoreError> {
    insert_node_as(tx, None, plan_id, position, n, owner).await
}

/// [`insert_node`] under a given id (a deleted item restored under its own id, so links
/// to it and its history stay its own), when no item has that id now.
pub(crate) async fn insert_node_as(
    tx: &mut WriteTx,
    id: Option<i64>,
    plan_id: i64,
    position: usize,
    n: &NodeContent,
    owner: Option<i64>,
) -> Result<i64, StoreError> {
    let marks = serde_json::to_string(&n.marks).map_err(|e| StoreError::Invalid(e.to_string()))?;
    // The id to use: the one given when it is free; on SQLite, else, one above every id the
    // history has seen (SQLite would give the largest id + 1, so the id of the last item
    // deleted would be given again, and its history would belong to another item);
    // PostgreSQL's identity never hands out an id twice.
    let free = match id {
        Some(id) => sqlx::query_scalar::<_, i64>("SELECT id FROM node WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
            .then_some(id),
        None => None,
    };
    let id_sql = match (free, tx.backend()) {
        (Some(_), _) => "$10",
        (None, crate::Backend::Sqlite) => {
            "1 + MAX(COALESCE((SELECT MAX(id) FROM node), 0), \
             COALESCE((SELECT MAX(entity_id) FROM change_log WHERE entity = 'node'), 0))"
        }
        (None, crate::Backend::Postgres) => "DEFAULT",
    };
    let sql = format!(
        "INSERT INTO node (id, plan_id, position, level, number, title, subtitle, marks, \
         owner_unit_id, source_line) VALUES ({id_sql}, $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    );
    let mut q = sqlx::query_scalar(&sql)
        .bind(plan_id)
        .bind(position as i64)
        .bind(&n.level)
        .bind(n.number.as_deref())
        .bind(&n.title)
        .bind(n.subtitle.as_deref())
        .bind(&marks)
        .bind(owner)
        .bind(n.source_line.map(i64::from));
    if let Some(id) = free {
        q = q.bind(id);
    }
    Ok(q.fetch_one(&mut **tx).await?)
}

/// Sections, targets, actuals, reviews, evaluations and milestones of a node.
pub(crate) async fn insert_node_parts(
    tx: &mut WriteTx,
    node_id: i64,
    unit_id: UnitId,
    n: &NodeContent,
) -> Result<(), StoreError> {
    insert_sections(tx, node_id, &n.sections).await?;
    insert_targets(tx, node_id, unit_id, &n.targets).await?;
    insert_actuals(tx, node_id, unit_id, &n.actuals).await?;
    for r in &n.reviews {
        upsert_review(tx, node_id, r).await?;
    }
    for e in &n.evaluations {
        upsert_evaluation(tx, node_id, e).await?;
    }
    for (mpos, m) in n.milestones.iter().enumerate() {
        sqlx::query(
            "INSERT INTO milestone (node_id, position, date_from, date_to, open_ended, text) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(node_id)
        .bind(mpos as i64)
        .bind(m.from.as_ref().map(when_code))
        .bind(m.to.as_ref().map(when_code))
        .bind(i64::from(m.open_ended))
        .bind(&m.text)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert_targets(
    tx: &mut WriteTx,
    node_id: i64,
    unit_id: UnitId,
    targets: &[Target],
) -> Result<(), StoreError> {
    for (tpos, t) in targets.iter().enumerate() {
        sqlx::query(
            "INSERT INTO target (node_id, unit_id, indicator_id, position, fy_start, fy_end, \
             value, measure_unit, comparator, text, indicator_name, this_year) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(node_id)
        .bind(unit_id.0)
        .bind(t.indicator_id.map(|i| i.0))
        .bind(tpos as i64)
        .bind(t.period.map(|p| i64::from(p.start.year())))
        .bind(t.period.map(|p| i64::from(p.end.year())))
        .bind_figure(t.value)
        .bind(t.measure_unit.as_deref())
        .bind(t.comparator.map(|c| c.code()))
        .bind(&t.text)
        .bind(t.indicator_name.as_deref())
        .bind(i64::from(t.this_year))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert_actuals(
    tx: &mut WriteTx,
    node_id: i64,
    unit_id: UnitId,
    actuals: &[Actual],
) -> Result<(), StoreError> {
    for (apos, a) in actuals.iter().enumerate() {
        sqlx::query(
            "INSERT INTO actual (node_id, unit_id, indicator_id, position, fiscal_year, value, \
             measure_unit, as_of, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(node_id)
        .bind(unit_id.0)
        .bind(a.indicator_id.map(|i| i.0))
        .bind(apos as i64)
        .bind(a.fiscal_year.map(|f| i64::from(f.year())))
        .bind_figure(a.value)
        .bind(a.measure_unit.as_deref())
        .bind(a.as_of.map(|d| d.to_string()))
        .bind(&a.text)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Removes what [`insert_node_parts`] wrote, before writing a node's new content.
pub(crate) async fn delete_node_parts(tx: &mut WriteTx, node_id: i64) -> Result<(), StoreError> {
    for table in [
        "section",
        "target",
        "actual",
        "review",
        "evaluation",
        "milestone",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE node_id = $1"))
            .bind(node_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(crate) async fn insert_links(
    tx: &mut WriteTx,
    plan_id: i64,
    content: &PlanContent,
    ids: &[i64],
) -> Result<(), StoreError> {
    let mut positions: HashMap<usize, i64> = HashMap::new();
    for l in &content.links {
        let pos = positions.entry(l.parent).or_insert(0);
        sqlx::query(
            "INSERT INTO node_link (plan_id, parent_id, child_id, position, kind) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(plan_id)
        .bind(ids[l.parent])
        .bind(ids[l.child])
        .bind(*pos)
        .bind(l.kind.code())
        .execute(&mut **tx)
        .await?;
        *pos += 1;
    }
    Ok(())
}

/// The JSON a node's history entries hold: everything a document says about it.
pub(crate) fn content_snapshot(n: &NodeContent, owner: Option<i64>) -> Value {
    json!({
        "level": n.level, "number": n.number, "title": n.title,
        "subtitle": n.subtitle, "marks": n.marks, "owner_unit_id": owner,
        "sections": n.sections.iter().map(|s| json!({
            "phase": s.phase.code(), "heading": s.heading, "body": s.body,
        })).collect::<Vec<_>>(),
        "targets": n.targets.iter().map(|t| json!({
            "text": t.text, "fy_start": t.period.map(|p| p.start.year()),
            "fy_end": t.period.map(|p| p.end.year()), "value": t.value,
            "unit": t.measure_unit, "comparator": t.comparator.map(|c| c.code()),
            "indicator": t.indicator_name, "this_year": t.this_year,
        })).collect::<Vec<_>>(),
        "actuals": n.actuals.iter().map(|a| json!({
            "text": a.text, "fiscal_year": a.fiscal_year.map(|f| f.year()), "value": a.value,
            "unit": a.measure_unit, "as_of": a.as_of.map(|d| d.to_string()),
        })).collect::<Vec<_>>(),
        "reviews": n.reviews.iter().map(review_snapshot).collect::<Vec<_>>(),
        "evaluations": n.evaluations.iter().map(evaluation_snapshot).collect::<Vec<_>>(),
        "milestones": n.milestones.iter().map(|m| json!({
            "text": m.text, "from": m.from.as_ref().map(when_code),
            "to": m.to.as_ref().map(when_code), "open_ended": m.open_ended,
        })).collect::<Vec<_>>(),
    })
}

impl StoredNode {
    /// The node as content again (owner kept as its id in snapshots, not as a name).
    pub fn to_content(&self) -> NodeContent {
        NodeContent {
            level: self.node.level.clone(),
            number: self.node.number.clone(),
            title: self.node.title.clone(),
            subtitle: self.node.subtitle.clone(),
            marks: self.node.marks.clone(),
            owner: None,
            sections: self.node.sections.clone(),
            targets: self.targets.clone(),
            actuals: self.actuals.clone(),
            reviews: self.reviews.clone(),
            evaluations: self.evaluations.clone(),
            milestones: self.milestones.clone(),
            source_line: None,
        }
    }
}

impl Store {
    /// The results written for a unit's items in fiscal years before `before` (evaluation
    /// texts and final actuals, oldest first): the known figures that relative targets of
    /// later years (前年度以上, 29年度実績値に比べて…) resolve against.
    #[tracing::instrument(skip_all)]
    pub async fn unit_results_before(
        &self,
        unit: UnitId,
        before: FiscalYear,
    ) -> Result<Vec<(FiscalYear, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.fiscal_year AS fy, e.results AS text, 0 AS kind, n.id AS node, 0 AS pos \
             FROM evaluation e JOIN node n ON n.id = e.node_id JOIN plan p ON p.id = n.plan_id \
             WHERE p.unit_id = $1 AND e.fiscal_year < $2 \
             UNION ALL \
             SELECT a.fiscal_year AS fy, a.text AS text, 1 AS kind, a.node_id AS node, a.position AS pos \
             FROM actual a JOIN node n ON n.id = a.node_id JOIN plan p ON p.id = n.plan_id \
             WHERE p.unit_id = $1 AND a.fiscal_year < $2 AND a.as_of IS NULL \
             ORDER BY fy, node, kind, pos",
        )
        .bind(unit.0)
        .bind(i64::from(before.year()))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push((fiscal_year(r.try_get("fy")?)?, r.try_get("text")?));
        }
        Ok(out)
    }
}

/// An item whose 担当 is one of a list of units (a section editor's "my items").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedNode {
    pub plan_id: PlanId,
    pub plan_title: String,
    pub node_id: NodeId,
    pub level: String,
    pub number: Option<String>,
    pub title: String,
    pub owner: UnitId,
    /// The plan's fiscal years.
    pub period: Period,
}

impl Store {
    /// The items whose 担当 is one of `units`, by plan (newest plan first) and document
    /// order.
    pub async fn nodes_owned_by(&self, units: &[UnitId]) -> Result<Vec<OwnedNode>, StoreError> {
        self.nodes_owned_in(units, None).await
    }

    /// [`Store::nodes_owned_by`] in the plans whose years hold `year` (the inbox of every
    /// staff page: the same cost however many years the archive holds).
    pub async fn nodes_owned_in(
        &self,
        units: &[UnitId],
        year: Option<FiscalYear>,
    ) -> Result<Vec<OwnedNode>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=units.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT n.id, n.plan_id, n.level, n.number, n.title, n.owner_unit_id, p.title AS plan_title, \
             p.fy_start, p.fy_end \
             FROM node n JOIN plan p ON p.id = n.plan_id WHERE n.owner_unit_id IN ({}) \
             AND ({y} = 0 OR (p.fy_start <= {y} AND {y} <= p.fy_end)) \
             ORDER BY p.fy_start DESC, p.id DESC, n.position",
            marks.join(", "),
            // A year is a number, written into the query (never text from a request).
            y = year.map_or(0, |y| i64::from(y.year()))
        );
        let mut q = sqlx::query(&sql);
        for u in units {
            q = q.bind(u.0);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(OwnedNode {
                    plan_id: PlanId(r.try_get("plan_id")?),
                    plan_title: r.try_get("plan_title")?,
                    node_id: NodeId(r.try_get("id")?),
                    level: r.try_get("level")?,
                    number: r.try_get("number")?,
                    title: r.try_get("title")?,
                    owner: UnitId(r.try_get("owner_unit_id")?),
                    period: Period::span(
                        fiscal_year(r.try_get("fy_start")?)?,
                        fiscal_year(r.try_get("fy_end")?)?,
                    ),
                })
            })
            .collect()
    }
}
