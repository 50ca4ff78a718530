//! Plans as [`PlanRecord`]s: the shape every export (print, PDF, Excel, open data) reads.
//! Owner units and the 業務一覧 are given by name so a record means the same elsewhere.

use crate::plans::StoredPlan;
use crate::{Store, StoreError};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{
    DirectoryEntry, IndicatorRecord, LinkContent, PlanContent, PlanRecord, SeriesRecord,
};
use kusei_domain::model::{Indicator, IndicatorId, MunicipalityId, PlanId, Unit, UnitId, UnitKind};
use std::collections::HashMap;

impl StoredPlan {
    /// The plan as content again: nodes in order, owners by name (from `unit_names`),
    /// links by index in their stored order.
    pub fn to_plan_content(&self, unit_names: &HashMap<UnitId, String>) -> PlanContent {
        let index: HashMap<_, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.node.id, i))
            .collect();
        let mut links: Vec<_> = self.links.iter().collect();
        links.sort_by_key(|l| (index.get(&l.parent).copied(), l.position));
        PlanContent {
            family: self.plan.family,
            period: self.plan.period,
            title: self.plan.title.clone(),
            level_names: self.plan.level_names.clone(),
            nodes: self
                .nodes
                .iter()
                .map(|n| {
                    let mut c = n.to_content();
                    c.owner = n
                        .node
                        .owner_unit_id
                        .and_then(|u| unit_names.get(&u).cloned());
                    c
                })
                .collect(),
            links: links
                .into_iter()
                .filter_map(|l| {
                    Some(LinkContent {
                        parent: *index.get(&l.parent)?,
                        child: *index.get(&l.child)?,
                        kind: l.kind,
                    })
                })
                .collect(),
            is_sample: self.plan.is_sample,
        }
    }
}

/// A unit's 業務一覧: its divisions in order, each with its sections (a division without
/// sections is one row of its own).
pub fn directory_of(units: &[Unit], unit: UnitId) -> Vec<DirectoryEntry> {
    let children = |parent: UnitId| units.iter().filter(move |u| u.parent_id == Some(parent));
    let mut rows = Vec::new();
    for division in children(unit).filter(|u| u.kind == UnitKind::Division) {
        let mut sections = children(division.id)
            .filter(|u| u.kind == UnitKind::Section)
            .peekable();
        if sections.peek().is_none() {
            rows.push(DirectoryEntry {
                division: division.name.clone(),
                section: None,
                phone: division.phone.clone(),
                fax: division.fax.clone(),
                duties: division.duties.clone(),
            });
        }
        for s in sections {
            rows.push(DirectoryEntry {
                division: division.name.clone(),
                section: Some(s.name.clone()),
                phone: s.phone.clone(),
                fax: s.fax.clone(),
                duties: s.duties.clone(),
            });
        }
    }
    rows
}

/// Which copy of a plan an export reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    /// The latest published version (what citizens see); plans never published are left out.
    Published,
    /// The working copy (staff).
    Working,
}

impl Store {
    /// One plan as a record, from the chosen copy; `None` when `Published` is asked and
    /// the plan was never published.
    pub async fn plan_record(
        &self,
        plan: PlanId,
        copy: Copy,
    ) -> Result<Option<PlanRecord>, StoreError> {
        let stored = match copy {
            Copy::Published => match self.published_plan(plan, None).await? {
                Some(p) => p,
                None => return Ok(None),
            },
            Copy::Working => self.load_plan(plan).await?,
        };
        self.record_of(&stored, copy).await.map(Some)
    }

    /// A plan already read (the working copy or a published snapshot: `copy` says which)
    /// as a record.
    pub async fn record_of(
        &self,
        stored: &StoredPlan,
        copy: Copy,
    ) -> Result<PlanRecord, StoreError> {
        let unit = self.get_unit(stored.plan.unit_id).await?;
        let context = RecordContext::load(self, unit.municipality_id).await?;
        let mut record = context.record(stored);
        if copy == Copy::Published {
            record.item_pages = stored.nodes.iter().map(|n| stored.item_path(n)).collect();
        }
        self.add_indicators(&mut record, stored.plan.unit_id, copy, &mut HashMap::new())
            .await?;
        Ok(record)
    }

    /// The indicators a record's figures link to, under the ids they use, each with the
    /// unit's series when the record is of working copies (the series is read from the
    /// working copies: a published record carries none, so no unpublished figure is in
    /// it). `cache`: indicators already read in this export.
    async fn add_indicators(
        &self,
        record: &mut PlanRecord,
        unit: UnitId,
        copy: Copy,
        cache: &mut HashMap<IndicatorId, Option<Indicator>>,
    ) -> Result<(), StoreError> {
        let mut ids: Vec<IndicatorId> = record
            .content
            .nodes
            .iter()
            .flat_map(|n| {
                n.targets
                    .iter()
                    .filter_map(|t| t.indicator_id)
                    .chain(n.actuals.iter().filter_map(|a| a.indicator_id))
            })
            .collect();
        ids.sort_by_key(|i| i.0);
        ids.dedup();
        for id in ids {
            let ind = match cache.get(&id) {
                Some(found) => found.clone(),
                None => {
                    let found = self.get_indicator(id).await?;
                    cache.insert(id, found.clone());
                    found
                }
            };
            let Some(ind) = ind else { continue };
            let series = match copy {
                Copy::Working => self
                    .indicator_series_of_unit(ind.id, unit)
                    .await?
                    .into_iter()
                    .map(|p| SeriesRecord {
                        fiscal_year: p.fiscal_year,
                        target: p.target,
                        actual: p.actual,
                    })
                    .collect(),
                Copy::Published => Vec::new(),
            };
            record.indicators.push(IndicatorRecord {
                id: id.0,
                name: ind.name,
                unit: ind.unit,
                direction: ind.direction,
                definition: ind.definition,
                source: ind.source,
                is_common: ind.is_common,
                series,
            });
        }
        Ok(())
    }

    /// Records of every plan of a municipality (optionally of one unit and its sub-units,
    /// optionally covering one fiscal year), in list order.
    pub async fn plan_records(
        &self,
        municipality: MunicipalityId,
        unit: Option<UnitId>,
        year: Option<FiscalYear>,
        copy: Copy,
    ) -> Result<Vec<PlanRecord>, StoreError> {
        let context = RecordContext::load(self, municipality).await?;
        let published = match copy {
            Copy::Published => Some(
                self.published_scope_in(&context, unit, year)
                    .await?
                    .into_iter()
                    .collect::<HashMap<PlanId, i64>>(),
            ),
            Copy::Working => None,
        };
        let listed = match copy {
            // Which published plans cover the year is the published version's business.
            Copy::Published => self.list_plans(None, None).await?,
            Copy::Working => self.list_plans(None, year).await?,
        };
        let mut out = Vec::new();
        let mut cache = HashMap::new();
        for summary in listed {
            let p = &summary.plan;
            if !context.units.contains_key(&p.unit_id) {
                continue;
            }
            if let Some(u) = unit {
                if !context.within(p.unit_id, u) {
                    continue;
                }
            }
            let stored = match &published {
                Some(versions) => {
                    let Some(v) = versions.get(&p.id) else {
                        continue;
                    };
                    match self.published_plan(p.id, Some(*v)).await? {
                        Some(s) => s,
                        None => continue,
                    }
                }
                None => self.load_plan(p.id).await?,
            };
            let mut record = context.record(&stored);
            self.add_indicators(&mut record, p.unit_id, copy, &mut cache)
                .await?;
            out.push(record);
        }
        Ok(out)
    }
}

impl Store {
    /// The published plans (id, latest version) of a scope — a municipality, optionally
    /// one unit and its sub-units, optionally covering one fiscal year — by the published
    /// versions' own unit and period, sorted. The same scope and versions always give the
    /// same export, so this is also the export's cache key.
    pub async fn published_scope(
        &self,
        municipality: MunicipalityId,
        unit: Option<UnitId>,
        year: Option<FiscalYear>,
    ) -> Result<Vec<(PlanId, i64)>, StoreError> {
        let context = RecordContext::load(self, municipality).await?;
        self.published_scope_in(&context, unit, year).await
    }

    async fn published_scope_in(
        &self,
        context: &RecordContext,
        unit: Option<UnitId>,
        year: Option<FiscalYear>,
    ) -> Result<Vec<(PlanId, i64)>, StoreError> {
        let mut out: Vec<(PlanId, i64)> = self
            .published_summaries()
            .await?
            .into_iter()
            .filter(|(_, (_, s))| {
                let u = s.plan.unit_id;
                context.units.contains_key(&u)
                    && unit.is_none_or(|x| context.within(u, x))
                    && year.is_none_or(|y| s.plan.period.start <= y && y <= s.plan.period.end)
            })
            .map(|(id, (v, _))| (id, v))
            .collect();
        out.sort();
        Ok(out)
    }
}

/// Names a municipality's records need, read once per export.
struct RecordContext {
    municipality: String,
    units: HashMap<UnitId, Unit>,
    names: HashMap<UnitId, String>,
    list: Vec<Unit>,
}

impl RecordContext {
    async fn load(store: &Store, municipality: MunicipalityId) -> Result<Self, StoreError> {
        let name = store
            .list_municipalities()
            .await?
            .into_iter()
            .find(|m| m.id == municipality)
            .map(|m| m.name)
            .ok_or_else(|| StoreError::NotFound(format!("municipality {municipality}")))?;
        let list = store.list_units(municipality).await?;
        Ok(RecordContext {
            municipality: name,
            units: list.iter().map(|u| (u.id, u.clone())).collect(),
            names: list.iter().map(|u| (u.id, u.name.clone())).collect(),
            list,
        })
    }

    fn within(&self, mut unit: UnitId, ancestor: UnitId) -> bool {
        for _ in 0..32 {
            if unit == ancestor {
                return true;
            }
            match self.units.get(&unit).and_then(|u| u.parent_id) {
                Some(p) => unit = p,
                None => return false,
            }
        }
        false
    }

    fn record(&self, stored: &StoredPlan) -> PlanRecord {
        PlanRecord {
            municipality: self.municipality.clone(),
            unit: stored.unit_name.clone(),
            status: stored.plan.status,
            version: stored.plan.version,
            content: stored.to_plan_content(&self.names),
            directory: directory_of(&self.list, stored.plan.unit_id),
            indicators: Vec::new(),
            item_pages: Vec::new(),
        }
    }
}
