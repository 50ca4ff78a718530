//! The city's comparison of its wards for one fiscal year, computed from plan records:
//! each common indicator's target and actual per ward, how many initiatives per ward are
//! achieved / not achieved / not yet determined, and each indicator's trend over the years
//! (mean, lowest and highest ward). Pure; pages and the API render the same value.

use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::PlanRecord;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::IndicatorId;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A common indicator as the dashboard needs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorInfo {
    pub id: IndicatorId,
    pub name: String,
    pub unit: String,
    pub higher_is_better: bool,
}

/// One ward's figures of one indicator in the dashboard's year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WardFigure {
    pub unit: String,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    /// Whether the actual meets the target (None when either is missing).
    pub met: Option<bool>,
}

/// One indicator across the wards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorComparison {
    pub indicator: IndicatorInfo,
    pub wards: Vec<WardFigure>,
}

/// Judgments of one ward's initiatives in the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct WardCounts {
    pub unit: String,
    pub achieved: usize,
    pub not_achieved: usize,
    /// 未確定: judged undetermined, or not evaluated yet.
    pub undetermined: usize,
    pub total: usize,
}

/// One year of an indicator's trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub fiscal_year: i32,
    pub label: String,
    pub wards: usize,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// An indicator's actuals over the years.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub indicator: IndicatorInfo,
    pub points: Vec<TrendPoint>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub fiscal_year: i32,
    pub label: String,
    pub units: Vec<String>,
    pub indicators: Vec<IndicatorComparison>,
    pub counts: Vec<WardCounts>,
    pub trends: Vec<Trend>,
}

/// Target and actual of one unit, indicator and year.
type Figures = (Option<f64>, Option<f64>);

/// Last actual (final, not interim) and target of an indicator in a record for a year.
fn figures_of(r: &PlanRecord, id: IndicatorId, fy: FiscalYear) -> (Option<f64>, Option<f64>) {
    let mut target = None;
    let mut actual = None;
    for n in &r.content.nodes {
        for t in n.targets.iter().filter(|t| t.indicator_id == Some(id)) {
            if t.period.is_some_and(|p| p.end == fy) && t.value.is_some() {
                target = t.value;
            }
        }
        for a in n.actuals.iter().filter(|a| a.indicator_id == Some(id)) {
            if a.fiscal_year == Some(fy) && a.as_of.is_none() && a.value.is_some() {
                actual = a.value;
            }
        }
    }
    (target, actual)
}

/// Builds the comparison for `year` from the records of the municipality (all years; a
/// record counts for every year its period covers). Units appear in first-seen order.
pub fn build(records: &[PlanRecord], indicators: &[IndicatorInfo], year: FiscalYear) -> Dashboard {
    let mut units: Vec<String> = Vec::new();
    for r in records {
        if r.content.period.contains(year) && !units.contains(&r.unit) {
            units.push(r.unit.clone());
        }
    }
    let years: BTreeSet<i32> = records
        .iter()
        .flat_map(|r| r.content.period.start.year()..=r.content.period.end.year())
        .collect();
    // (unit, indicator, year) → (target, actual)
    let mut table: HashMap<(String, IndicatorId, i32), Figures> = HashMap::new();
    for r in records {
        for y in r.content.period.start.year()..=r.content.period.end.year() {
            let Ok(fy) = FiscalYear::new(y) else { continue };
            for ind in indicators {
                let (t, a) = figures_of(r, ind.id, fy);
                let e = table.entry((r.unit.clone(), ind.id, y)).or_default();
                e.0 = t.or(e.0);
                e.1 = a.or(e.1);
            }
        }
    }
    let comparisons = indicators
        .iter()
        .map(|ind| IndicatorComparison {
            indicator: ind.clone(),
            wards: units
                .iter()
                .map(|u| {
                    let (target, actual) = table
                        .get(&(u.clone(), ind.id, year.year()))
                        .copied()
                        .unwrap_or_default();
                    WardFigure {
                        unit: u.clone(),
                        target,
                        actual,
                        met: target.zip(actual).map(|(t, a)| {
                            if ind.higher_is_better {
                                a >= t
                            } else {
                                a <= t
                            }
                        }),
                    }
                })
                .collect(),
        })
        .collect();
    let trends = indicators
        .iter()
        .map(|ind| Trend {
            indicator: ind.clone(),
            points: years
                .iter()
                .map(|&y| {
                    let values: Vec<f64> = table
                        .iter()
                        .filter(|((_, i, yy), _)| *i == ind.id && *yy == y)
                        .filter_map(|(_, (_, a))| *a)
                        .collect();
                    let n = values.len();
                    TrendPoint {
                        fiscal_year: y,
                        label: FiscalYear::new(y).map(|f| f.label()).unwrap_or_default(),
                        wards: n,
                        mean: (n > 0).then(|| values.iter().sum::<f64>() / n as f64),
                        min: values.iter().copied().reduce(f64::min),
                        max: values.iter().copied().reduce(f64::max),
                    }
                })
                .collect(),
        })
        .collect();
    Dashboard {
        fiscal_year: year.year(),
        label: year.label(),
        counts: units.iter().map(|u| counts(records, u, year)).collect(),
        units,
        indicators: comparisons,
        trends,
    }
}

/// Judgments of a unit's initiatives (leaf items) in `year`.
fn counts(records: &[PlanRecord], unit: &str, year: FiscalYear) -> WardCounts {
    let mut c = WardCounts {
        unit: unit.to_string(),
        ..WardCounts::default()
    };
    for r in records
        .iter()
        .filter(|r| r.unit == unit && r.content.period.contains(year))
    {
        let mut has_children = vec![false; r.content.nodes.len()];
        for l in &r.content.links {
            if let Some(h) = has_children.get_mut(l.parent) {
                *h = true;
            }
        }
        for (n, _) in r
            .content
            .nodes
            .iter()
            .zip(&has_children)
            .filter(|(_, h)| !**h)
        {
            c.total += 1;
            match n
                .evaluations
                .iter()
                .rev()
                .find(|e| e.fiscal_year == year)
                .map(|e| e.stated)
            {
                Some(Judgment::Achieved) => c.achieved += 1,
                Some(Judgment::NotAchieved) => c.not_achieved += 1,
                _ => c.undetermined += 1,
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{city_records, INDICATORS};

    fn fy(y: i32) -> FiscalYear {
        FiscalYear::new(y).unwrap_or_else(|_| unreachable!())
    }

    fn infos() -> Vec<IndicatorInfo> {
        INDICATORS
            .iter()
            .enumerate()
            .map(|(i, s)| IndicatorInfo {
                id: IndicatorId(i as i64 + 1),
                name: s.name.into(),
                unit: s.unit.into(),
                higher_is_better: s.higher_is_better,
            })
            .collect()
    }

    #[test]
    fn compares_every_ward_on_every_common_indicator_and_counts_judgments() {
        let ids: Vec<IndicatorId> = (1..=5).map(IndicatorId).collect();
        let years = [fy(2023), fy(2024), fy(2025)];
        let recs = city_records("見本市", 24, &years, 40, &ids, fy(2025));
        let d = build(&recs, &infos(), fy(2024));
        assert_eq!(d.units.len(), 24);
        assert_eq!(d.indicators.len(), 5);
        for c in &d.indicators {
            assert_eq!(c.wards.len(), 24);
            // 2024 is a complete year: every ward has a figure
            assert!(c
                .wards
                .iter()
                .all(|w| w.actual.is_some() && w.target.is_some()));
        }
        // counts add up, and agree with the stated judgments in the records
        for c in &d.counts {
            assert_eq!(c.total, 40);
            assert_eq!(c.achieved + c.not_achieved + c.undetermined, 40);
            let rec = recs
                .iter()
                .find(|r| r.unit == c.unit && r.content.period.end == fy(2024))
                .unwrap_or_else(|| unreachable!());
            let achieved = rec
                .content
                .nodes
                .iter()
                .flat_map(|n| &n.evaluations)
                .filter(|e| e.stated == Judgment::Achieved)
                .count();
            assert_eq!(c.achieved, achieved);
        }
        // the trend has the three years; mean lies between min and max
        for t in &d.trends {
            assert_eq!(
                t.points.iter().map(|p| p.fiscal_year).collect::<Vec<_>>(),
                [2023, 2024, 2025]
            );
            for p in &t.points {
                let (lo, m, hi) = (
                    p.min.unwrap_or(0.0),
                    p.mean.unwrap_or(0.0),
                    p.max.unwrap_or(0.0),
                );
                assert!(lo <= m && m <= hi, "{p:?}");
            }
        }
        // the current year has undetermined items
        let now = build(&recs, &infos(), fy(2025));
        assert!(now.counts.iter().map(|c| c.undetermined).sum::<usize>() > 0);
        assert!(now
            .indicators
            .iter()
            .any(|c| c.wards.iter().any(|w| w.actual.is_none())));
    }

    #[test]
    fn met_follows_the_indicator_direction() {
        let ids: Vec<IndicatorId> = (1..=5).map(IndicatorId).collect();
        let recs = city_records("見本市", 3, &[fy(2024)], 8, &ids, fy(2025));
        let d = build(&recs, &infos(), fy(2024));
        let waiting = &d.indicators[1]; // 待ち時間: lower is better
        for w in &waiting.wards {
            let (t, a) = (w.target.unwrap_or(0.0), w.actual.unwrap_or(0.0));
            assert_eq!(w.met, Some(a <= t));
        }
    }
}
