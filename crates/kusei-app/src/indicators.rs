//! Indicators of imported plans: each target that names what it measures is linked to the
//! municipality's indicator of that name (created on import when there is none), and each
//! actual to the indicator of the target it answers, so a figure can be followed across
//! years and compared across wards.
//!
//! Names are compared normalised (NFKC, no spaces); units by what they measure (千円 and
//! 円 are both yen). A name whose unit differs from the indicator's is left unlinked
//! rather than mixed into its series.

use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{NodeContent, PlanContent};
use kusei_domain::model::{Direction, Indicator, IndicatorId, Target};
use kusei_kpi as kpi;
use std::collections::HashMap;

/// An indicator an import needs that the municipality does not have yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub name: String,
    /// The unit as the first target wrote it.
    pub unit: String,
    pub direction: Direction,
}

/// The name used to match indicators.
pub fn key(name: &str) -> String {
    kusei_import::normalize(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// What a unit measures (千円 → 円), for comparing units.
fn measure(unit: &str) -> String {
    kpi::Unit::parse(unit.trim())
        .map_or_else(|| unit.trim().to_string(), |(u, _)| u.symbol().to_string())
}

/// The indicator a target names, its unit and direction, read from the target.
fn named(t: &Target, year: FiscalYear) -> Option<Wanted> {
    let unit = t.measure_unit.clone().filter(|u| !u.trim().is_empty())?;
    t.value?;
    let read = kpi::read_targets(&kpi::target_sentence(t), Some(year));
    let first = read.first();
    let name = t
        .indicator_name
        .clone()
        .or_else(|| first.and_then(|k| k.indicator.clone()))
        .map(|n| n.trim().to_string())
        .filter(|n| n.chars().count() >= 2)?;
    let direction = match first.and_then(|k| k.direction) {
        Some(Direction::LowerIsBetter) => Direction::LowerIsBetter,
        _ => Direction::HigherIsBetter,
    };
    Some(Wanted {
        name,
        unit,
        direction,
    })
}

/// Links the targets to what `known` already has; returns the indicators still wanted
/// (once each).
pub fn link(content: &mut PlanContent, known: &[Indicator]) -> Vec<Wanted> {
    let by_key: HashMap<String, &Indicator> = known.iter().map(|i| (key(&i.name), i)).collect();
    let year = content.period.end;
    let mut wanted: Vec<Wanted> = Vec::new();
    for node in &mut content.nodes {
        for t in node.targets.iter_mut().filter(|t| t.indicator_id.is_none()) {
            let Some(w) = named(t, year) else { continue };
            match by_key.get(&key(&w.name)) {
                Some(i) if measure(&i.unit) == measure(&w.unit) => t.indicator_id = Some(i.id),
                Some(_) => {}
                None => {
                    if !wanted.iter().any(|x| key(&x.name) == key(&w.name)) {
                        wanted.push(w);
                    }
                }
            }
        }
    }
    wanted
}

/// Links every actual to the indicator of the target it answers; run once all targets
/// that can be linked are (an actual linked early could take the wrong one).
pub fn link_actuals(content: &mut PlanContent) {
    let year = content.period.end;
    for node in &mut content.nodes {
        link_node_actuals(node, year);
    }
}

/// The same content without indicator links (derived data, not what a person wrote): what
/// a revision is compared on.
pub fn unlinked(content: &PlanContent) -> PlanContent {
    let mut c = content.clone();
    for n in &mut c.nodes {
        for t in &mut n.targets {
            t.indicator_id = None;
        }
        for a in &mut n.actuals {
            a.indicator_id = None;
        }
    }
    c
}

/// Each actual of a node answers the node's target whose indicator it names (the most
/// similar name of the same measure), and takes that target's indicator.
fn link_node_actuals(node: &mut NodeContent, year: FiscalYear) {
    let targets: Vec<(String, String, IndicatorId)> = node
        .targets
        .iter()
        .filter_map(|t| {
            let id = t.indicator_id?;
            let w = named(t, year)?;
            Some((w.name, measure(&w.unit), id))
        })
        .collect();
    if targets.is_empty() {
        return;
    }
    for a in node.actuals.iter_mut().filter(|a| a.indicator_id.is_none()) {
        let Some(unit) = a.measure_unit.as_deref() else {
            continue;
        };
        let same_measure: Vec<&(String, String, IndicatorId)> = targets
            .iter()
            .filter(|(_, m, _)| *m == measure(unit))
            .collect();
        let mut ids: Vec<IndicatorId> = same_measure.iter().map(|t| t.2).collect();
        ids.sort_by_key(|i| i.0);
        ids.dedup();
        // The only indicator of its measure among the item's targets: the figure answers it
        // ("収入額 15,914千円" under the target 「独自収入 15,500千円以上」).
        if let [only] = ids.as_slice() {
            a.indicator_id = Some(*only);
            continue;
        }
        let read = kpi::read_actuals(&a.text, a.fiscal_year.or(Some(year)));
        let Some(name) = read.iter().find_map(|r| r.indicator.clone()) else {
            continue;
        };
        let best = same_measure
            .iter()
            .map(|(n, _, id)| (kpi::indicator_similarity(&name, n), *id))
            .max_by(|x, y| x.0.total_cmp(&y.0));
        if let Some((score, id)) = best {
            if score >= 0.6 {
                a.indicator_id = Some(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kusei_domain::model::{Actual, Comparator, MunicipalityId, Period};

    fn target(name: &str, value: f64, unit: &str) -> Target {
        Target {
            indicator_id: None,
            period: Some(Period::year(FiscalYear::new(2017).unwrap())),
            value: Some(value),
            measure_unit: Some(unit.into()),
            comparator: Some(Comparator::AtLeast),
            text: format!("{value}{unit}以上"),
            indicator_name: Some(name.into()),
            this_year: false,
        }
    }

    #[test]
    fn targets_link_to_indicators_by_name_and_actuals_to_their_target() {
        let fy = FiscalYear::new(2017).unwrap();
        let mut content = PlanContent {
            period: Period::year(fy),
            nodes: vec![NodeContent {
                targets: vec![
                    target("地域活動協議会を知っている区民の割合", 30.0, "%"),
                    target("独自収入", 15_500_000.0, "千円"),
                ],
                actuals: vec![Actual {
                    indicator_id: None,
                    fiscal_year: Some(fy),
                    value: Some(19.1),
                    measure_unit: Some("%".into()),
                    as_of: None,
                    text: "地域活動協議会を知っている区民の割合19.1%".into(),
                }],
                ..NodeContent::default()
            }],
            family: kusei_domain::model::Family::ReformItems,
            title: "t".into(),
            level_names: vec![],
            links: vec![],
            is_sample: false,
        };
        let known = vec![Indicator {
            id: IndicatorId(7),
            municipality_id: MunicipalityId(1),
            name: "独自収入".into(),
            unit: "円".into(),
            direction: Direction::HigherIsBetter,
            definition: None,
            source: None,
            is_common: false,
        }];
        let wanted = link(&mut content, &known);
        assert_eq!(
            content.nodes[0].targets[1].indicator_id,
            Some(IndicatorId(7)),
            "千円 is yen"
        );
        assert_eq!(wanted.len(), 1);
        assert_eq!(wanted[0].name, "地域活動協議会を知っている区民の割合");
        // Once created, a second pass links the target and its actual.
        let known = vec![
            known[0].clone(),
            Indicator {
                id: IndicatorId(8),
                name: wanted[0].name.clone(),
                unit: "%".into(),
                ..known[0].clone()
            },
        ];
        assert!(link(&mut content, &known).is_empty());
        link_actuals(&mut content);
        assert_eq!(
            content.nodes[0].targets[0].indicator_id,
            Some(IndicatorId(8))
        );
        assert_eq!(
            content.nodes[0].actuals[0].indicator_id,
            Some(IndicatorId(8))
        );
    }
}
