//! Lists read one page at a time, by keyset over an index (never "every plan"): the
//! plans of the country newest fiscal year first, filtered by municipality, unit and
//! year, each as its reader may see it (the working copy where the reader may read
//! drafts, else the latest published version's own summary). The cost of a page is
//! the page's rows, however large the archive.

use crate::plans::{plan_from_row, PlanSummary, PLAN_COLUMNS};
use crate::{Store, StoreError};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{MunicipalityId, PlanId, UnitId};
use sqlx::Row;
use std::collections::HashMap;

/// Where the next page starts: after the plan `id` ending in fiscal year `fy_end`
/// (plans come newest year first, then newest id first). Written `2025.123`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanCursor {
    pub fy_end: i32,
    pub id: i64,
}

impl PlanCursor {
    /// Reads `2025.123`; `None` for anything else.
    pub fn parse(s: &str) -> Option<PlanCursor> {
        let (y, id) = s.split_once('.')?;
        Some(PlanCursor {
            fy_end: y.parse().ok()?,
            id: id.parse().ok().filter(|i: &i64| *i > 0)?,
        })
    }
}

impl std::fmt::Display for PlanCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.fy_end, self.id)
    }
}

/// Which plans, and whose drafts the reader may read.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub municipality: Option<MunicipalityId>,
    pub unit: Option<UnitId>,
    /// Plans whose period covers this year.
    pub year: Option<FiscalYear>,
    /// Plans ending in this year or later.
    pub min_end: Option<FiscalYear>,
    /// The units whose working copies the reader may read (every other plan is listed
    /// only when it has a published version, as that version).
    pub drafts_of: Vec<UnitId>,
    /// The reader may read every working copy (a system administrator).
    pub drafts_everywhere: bool,
    pub after: Option<PlanCursor>,
    /// At most this many (1–500).
    pub limit: usize,
}

/// A plan as one reader may see it in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedPlan {
    /// The working copy's summary (`working`), else the published version's own.
    pub summary: PlanSummary,
    pub municipality_id: MunicipalityId,
    pub working: bool,
    pub published_version: Option<i64>,
}

impl Store {
    /// Every plan of the filter, page after page (for lists bounded by their filter:
    /// one municipality's latest years, one unit's plans).
    pub async fn plans_all(&self, f: &PlanFilter) -> Result<Vec<ListedPlan>, StoreError> {
        let mut f = f.clone();
        f.limit = 500;
        let mut out = Vec::new();
        loop {
            let (page, next) = self.plans_page(&f).await?;
            out.extend(page);
            match next {
                Some(c) => f.after = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// The municipalities with a plan the reader may see (a published one, or a draft of
    /// `drafts_of` / everywhere), by id.
    pub async fn municipalities_with_plans(
        &self,
        drafts_of: &[UnitId],
        drafts_everywhere: bool,
    ) -> Result<Vec<MunicipalityId>, StoreError> {
        let drafts = if drafts_everywhere {
            "1 = 1".to_string()
        } else if drafts_of.is_empty() {
            "1 = 0".to_string()
        } else {
            let marks: Vec<String> = (1..=drafts_of.len()).map(|i| format!("${i}")).collect();
            format!("p.unit_id IN ({})", marks.join(", "))
        };
        let sql = format!(
            "SELECT DISTINCT u.municipality_id AS m FROM plan p JOIN unit u ON u.id = p.unit_id \
             WHERE ({drafts}) OR (p.withdrawn_at IS NULL AND EXISTS \
                  (SELECT 1 FROM plan_version v WHERE v.plan_id = p.id)) ORDER BY m"
        );
        let mut q = sqlx::query(&sql);
        if !drafts_everywhere {
            for u in drafts_of {
                q = q.bind(u.0);
            }
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(MunicipalityId(r.try_get("m")?)))
            .collect()
    }

    /// The fiscal years covered by the published plans of municipality `m`, oldest first
    /// (one read of the plans' periods, not of their snapshots).
    pub async fn published_years(&self, m: MunicipalityId) -> Result<Vec<i32>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT p.fy_start AS a, p.fy_end AS b FROM plan p JOIN unit u ON u.id = p.unit_id \
             WHERE u.municipality_id = $1 AND p.withdrawn_at IS NULL \
             AND EXISTS (SELECT 1 FROM plan_version v WHERE v.plan_id = p.id)",
        )
        .bind(m.0)
        .fetch_all(self.pool())
        .await?;
        let mut years = std::collections::BTreeSet::new();
        for r in rows {
            let (a, b): (i64, i64) = (r.try_get("a")?, r.try_get("b")?);
            for y in a..=b.min(a + 100) {
                if let Ok(y) = i32::try_from(y) {
                    years.insert(y);
                }
            }
        }
        Ok(years.into_iter().collect())
    }

    /// The latest published version of each plan of municipality `m` (not withdrawn), by
    /// plan: what a comparison of the city's published plans is made of (one read).
    pub async fn latest_versions_of(
        &self,
        m: MunicipalityId,
    ) -> Result<Vec<(PlanId, i64)>, StoreError> {
        self.latest_versions("u.municipality_id = $1", m.0).await
    }

    /// The latest published version of each plan of unit `u` (not withdrawn), by plan.
    pub async fn latest_versions_of_unit(
        &self,
        u: UnitId,
    ) -> Result<Vec<(PlanId, i64)>, StoreError> {
        self.latest_versions("p.unit_id = $1", u.0).await
    }

    async fn latest_versions(
        &self,
        which: &str,
        id: i64,
    ) -> Result<Vec<(PlanId, i64)>, StoreError> {
        let sql = format!(
            "SELECT p.id AS plan, CAST(MAX(v.version) AS BIGINT) AS v FROM plan p \
             JOIN unit u ON u.id = p.unit_id JOIN plan_version v ON v.plan_id = p.id \
             WHERE {which} AND p.withdrawn_at IS NULL GROUP BY p.id ORDER BY p.id"
        );
        sqlx::query(&sql)
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((PlanId(r.try_get("plan")?), r.try_get("v")?)))
            .collect()
    }

    /// Refreshes the planner's statistics (`ANALYZE`): after a load in bulk, before
    /// anyone reads. A PostgreSQL database loaded in one go has none until autovacuum
    /// comes by, and its first plans are scans.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE").execute(self.pool()).await?;
        Ok(())
    }

    /// Where the change log stands: its newest id and how many rows the last 1,000 ids
    /// hold. Any committed write moves it, also one whose id was taken before a later
    /// one committed (PostgreSQL sequences): the count of the recent ids grows when it
    /// lands. Two indexed reads, for keys of what is made from everything stored.
    pub async fn change_epoch(&self) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS top FROM change_log")
            .fetch_one(self.pool())
            .await?;
        let top: i64 = row.try_get("top")?;
        let recent: i64 =
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM change_log WHERE id > $1")
                .bind(top - 1000)
                .fetch_one(self.pool())
                .await?;
        Ok((top, recent))
    }

    /// One page of plans and the cursor of the next page (`None` at the end).
    pub async fn plans_page(
        &self,
        f: &PlanFilter,
    ) -> Result<(Vec<ListedPlan>, Option<PlanCursor>), StoreError> {
        let limit = f.limit.clamp(1, 500);
        let mut binds: Vec<i64> = vec![
            f.municipality.map_or(0, |m| m.0),
            f.unit.map_or(0, |u| u.0),
            f.year.map_or(0, |y| i64::from(y.year())),
            f.after.map_or(0, |c| i64::from(c.fy_end)),
            f.after.map_or(0, |c| c.id),
            f.min_end.map_or(0, |y| i64::from(y.year())),
        ];
        let drafts = if f.drafts_everywhere {
            "1 = 1".to_string()
        } else if f.drafts_of.is_empty() {
            "1 = 0".to_string()
        } else {
            let marks: Vec<String> = f
                .drafts_of
                .iter()
                .map(|u| {
                    binds.push(u.0);
                    format!("${}", binds.len())
                })
                .collect();
            format!("p.unit_id IN ({})", marks.join(", "))
        };
        let sql = format!(
            "SELECT {PLAN_COLUMNS}, u.name AS unit_name, u.municipality_id AS municipality_id, \
             CAST(CASE WHEN {drafts} THEN 1 ELSE 0 END AS BIGINT) AS working, \
             CAST((SELECT MAX(v.version) FROM plan_version v WHERE v.plan_id = p.id \
              AND p.withdrawn_at IS NULL) AS BIGINT) AS published_version \
             FROM plan p JOIN unit u ON u.id = p.unit_id \
             WHERE ($1 = 0 OR u.municipality_id = $1) AND ($2 = 0 OR p.unit_id = $2) \
             AND ($3 = 0 OR (p.fy_start <= $3 AND $3 <= p.fy_end)) \
             AND ($4 = 0 OR p.fy_end < $4 OR (p.fy_end = $4 AND p.id < $5)) \
             AND ($6 = 0 OR p.fy_end >= $6) \
             AND (({drafts}) OR (p.withdrawn_at IS NULL AND EXISTS \
                  (SELECT 1 FROM plan_version v WHERE v.plan_id = p.id))) \
             ORDER BY p.fy_end DESC, p.id DESC LIMIT {}",
            limit + 1
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(*b);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let more = rows.len() > limit;
        let mut listed = Vec::with_capacity(limit);
        let mut wanted: Vec<(PlanId, i64)> = Vec::new();
        for row in rows.iter().take(limit) {
            let plan = plan_from_row(row)?;
            let working = row.try_get::<i64, _>("working")? == 1;
            let published_version: Option<i64> = row.try_get("published_version")?;
            if !working {
                if let Some(v) = published_version {
                    wanted.push((plan.id, v));
                }
            }
            listed.push(ListedPlan {
                summary: PlanSummary {
                    plan,
                    unit_name: row.try_get("unit_name")?,
                    node_count: 0,
                },
                municipality_id: MunicipalityId(row.try_get("municipality_id")?),
                working,
                published_version,
            });
        }
        let next = if more {
            listed.last().map(|l| PlanCursor {
                fy_end: l.summary.plan.period.end.year(),
                id: l.summary.plan.id.0,
            })
        } else {
            None
        };
        let published = self.summaries_of(&wanted).await?;
        let counts = self
            .node_counts(
                &listed
                    .iter()
                    .filter(|l| l.working)
                    .map(|l| l.summary.plan.id)
                    .collect::<Vec<_>>(),
            )
            .await?;
        for l in &mut listed {
            if l.working {
                l.summary.node_count = counts.get(&l.summary.plan.id).copied().unwrap_or(0);
            } else if let Some(s) = published.get(&l.summary.plan.id) {
                l.summary = s.clone();
            }
        }
        Ok((listed, next))
    }

    /// The list lines of these published versions (one read).
    async fn summaries_of(
        &self,
        wanted: &[(PlanId, i64)],
    ) -> Result<HashMap<PlanId, PlanSummary>, StoreError> {
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let marks: Vec<String> = (1..=wanted.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT plan_id, version, summary FROM published_summary WHERE plan_id IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (p, _) in wanted {
            q = q.bind(p.0);
        }
        let latest: HashMap<PlanId, i64> = wanted.iter().copied().collect();
        let mut out = HashMap::new();
        for r in q.fetch_all(self.pool()).await? {
            let id = PlanId(r.try_get("plan_id")?);
            let v: i64 = r.try_get("version")?;
            if latest.get(&id) != Some(&v) {
                continue;
            }
            let text: String = r.try_get("summary")?;
            let s: PlanSummary = serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("published summary of plan {id}: {e}")))?;
            out.insert(id, s);
        }
        Ok(out)
    }

    /// How many items each of these plans has (one read).
    async fn node_counts(&self, plans: &[PlanId]) -> Result<HashMap<PlanId, i64>, StoreError> {
        if plans.is_empty() {
            return Ok(HashMap::new());
        }
        let marks: Vec<String> = (1..=plans.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT plan_id, CAST(COUNT(*) AS BIGINT) AS n FROM node WHERE plan_id IN ({}) GROUP BY plan_id",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for p in plans {
            q = q.bind(p.0);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((PlanId(r.try_get("plan_id")?), r.try_get("n")?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_read_back_as_written() {
        let c = PlanCursor {
            fy_end: 2025,
            id: 123,
        };
        assert_eq!(c.to_string(), "2025.123");
        assert_eq!(PlanCursor::parse("2025.123"), Some(c));
        for bad in [
            "", "2025", "2025.", ".1", "x.1", "2025.0", "2025.-3", "2025.1.2",
        ] {
            assert_eq!(PlanCursor::parse(bad), None, "{bad:?}");
        }
    }
}
