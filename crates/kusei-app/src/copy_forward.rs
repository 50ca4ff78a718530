//! Copy forward: next fiscal year's plan from this one (「次年度の計画を作成」).

use kusei_domain::calendar::FiscalYear;
use kusei_domain::content::{LinkContent, NodeContent, PlanContent};
use kusei_domain::model::{Comparator, Period, Phase, Target};
use kusei_kpi as kpi;
use kusei_store::StoredPlan;
use std::collections::HashMap;

/// Next fiscal year's plan: structure, texts and plan-phase sections carried; reviews,
/// evaluations, actuals and results left behind. Targets:
/// - a multi-year target that still covers the new year is carried as written;
/// - a figure for this year becomes the same figure for the new year;
/// - a relative target (前年度以上, 前年度比10%増) is resolved from this year's results
///   and written as a figure for the new year, with its derivation;
/// - anything else is carried as written.
///
/// Each target keeps its own years: a target already set for the new year stays as it is
/// and this year's target of the same indicator is not moved onto it (so no year gains a
/// second target for one indicator).
pub fn next_year_plan(sp: &StoredPlan) -> Result<PlanContent, String> {
    let this = sp.plan.period;
    let next = Period::span(
        this.start.checked_next().ok_or("no next fiscal year")?,
        this.end.checked_next().ok_or("no next fiscal year")?,
    );
    let title = if sp.plan.title.contains(&this.start.label()) {
        sp.plan
            .title
            .replace(&this.start.label(), &next.start.label())
    } else {
        sp.plan.title.clone()
    };
    let index: HashMap<_, _> = sp
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.node.id, i))
        .collect();
    let nodes = sp
        .nodes
        .iter()
        .map(|sn| {
            // This year's results are the references for relative targets.
            let mut refs = Vec::new();
            for e in sn
                .evaluations
                .iter()
                .filter(|e| this.start <= e.fiscal_year && e.fiscal_year <= this.end)
            {
                refs.extend(kpi::reference_figures(&e.results, e.fiscal_year));
            }
            for a in &sn.actuals {
                if let Some(fy) = a.fiscal_year {
                    refs.extend(kpi::reference_figures(&a.text, fy));
                }
            }
            NodeContent {
                level: sn.node.level.clone(),
                number: sn.node.number.clone(),
                title: sn.node.title.clone(),
                subtitle: sn.node.subtitle.clone(),
                marks: sn.node.marks.clone(),
                owner: None,
                sections: sn
                    .node
                    .sections
                    .iter()
                    .filter(|s| s.phase == Phase::Plan)
                    .cloned()
                    .collect(),
                targets: carry_targets(&sn.targets, this.end, next.end, &refs),
                ..NodeContent::default()
            }
        })
        .collect();
    let links = sp
        .links
        .iter()
        .filter_map(|l| {
            Some(LinkContent {
                parent: *index.get(&l.parent)?,
                child: *index.get(&l.child)?,
                kind: l.kind,
            })
        })
        .collect();
    Ok(PlanContent {
        family: sp.plan.family,
        title,
        period: next,
        level_names: sp.plan.level_names.clone(),
        nodes,
        links,
        is_sample: sp.plan.is_sample,
    })
}

/// What makes two targets targets of one indicator: the indicator named (by the target or
/// its sentence), the unit, and whether it is the form's 当年度 target.
fn indicator_key(t: &Target) -> (String, String, bool) {
    let name = t
        .indicator_name
        .clone()
        .or_else(|| {
            kpi::read_targets(&t.text, None)
                .first()
                .and_then(|k| k.indicator.clone())
        })
        .unwrap_or_default();
    // A named indicator is the same whatever unit a relative target (no value, no unit)
    // leaves out; without a name, the unit tells the figures apart.
    let unit = if name.is_empty() {
        t.measure_unit.clone().unwrap_or_default()
    } else {
        String::new()
    };
    (name, unit, t.this_year)
}

fn is_year(t: &Target, year: FiscalYear) -> bool {
    t.period.is_some_and(|p| p.start == year && p.end == year)
}

/// The new year's targets of one item (see [`next_year_plan`]).
fn carry_targets(
    targets: &[Target],
    this: FiscalYear,
    next: FiscalYear,
    refs: &[kpi::Figure],
) -> Vec<Target> {
    let set_for_next: Vec<(String, String, bool)> = targets
        .iter()
        .filter(|t| is_year(t, next))
        .map(indicator_key)
        .collect();
    let mut out: Vec<Target> = Vec::new();
    let mut moved: Vec<(String, String, bool)> = Vec::new();
    for t in targets {
        if is_year(t, this) {
            let key = indicator_key(t);
            // The new year has its own target for this indicator, or this year's was
            // moved already (a sentence written twice): this one stays behind.
            if set_for_next.contains(&key) || moved.contains(&key) {
                continue;
            }
            moved.push(key);
        }
        out.push(carry_target(t, this, next, refs));
    }
    out
}

fn carry_target(t: &Target, this: FiscalYear, next: FiscalYear, refs: &[kpi::Figure]) -> Target {
    if let Some(p) = t.period {
        if p.start <= next && next <= p.end && p.start != p.end {
            return t.clone();
        }
    }
    // A target of its own single year other than this one keeps that year.
    let year = match t.period {
        Some(p) if p.start == p.end && p.start != this => p.start,
        _ => next,
    };
    let read = kpi::read_targets(&t.text, Some(year));
    if let [k] = read.as_slice() {
        if k.kind == kpi::TargetKind::Relative {
            if let Ok(r) = kpi::resolve(k, refs) {
                let factor = kpi::Unit::factor(r.unit_text.as_deref().unwrap_or_default());
                let shown = (r.value / factor * 100.0).round() / 100.0;
                let unit = r.unit_text.clone().unwrap_or_default();
                let cmp = r.comparator;
                let base = format!(
                    "（{}実績 {}{}から）",
                    this.label(),
                    r.base.value_text,
                    r.base.unit_text
                );
                let indicator = k.indicator.clone().unwrap_or_default();
                return Target {
                    indicator_id: t.indicator_id,
                    period: Some(Period::year(year)),
                    // Stored in the base unit, as every figure is.
                    value: Some(shown * factor),
                    measure_unit: Some(unit.clone()).filter(|u| !u.is_empty()),
                    comparator: Some(cmp),
                    text: format!(
                        "{}{base}",
                        target_sentence(&indicator, Some(year), shown, &unit, cmp)
                    ),
                    indicator_name: t.indicator_name.clone().filter(|_| indicator.is_empty()),
                    this_year: t.this_year,
                };
            }
        }
    }
    match (t.period, t.value, t.comparator) {
        (Some(p), Some(v), Some(c)) if p.start == this && p.end == this => {
            let indicator = read
                .first()
                .and_then(|k| k.indicator.clone())
                .unwrap_or_default();
            let unit = t.measure_unit.clone().unwrap_or_default();
            // The sentence shows the figure as written in its unit (15,500千円, not the
            // stored 15,500,000 yen).
            let factor = kpi::Unit::factor(&unit);
            Target {
                period: Some(Period::year(next)),
                text: target_sentence(&indicator, Some(next), v / factor, &unit, c),
                ..t.clone()
            }
        }
        _ => t.clone(),
    }
}

/// The sentence of a structured target: "窓口サービスの満足度 令和7年度 90%以上".
pub fn target_sentence(
    indicator: &str,
    year: Option<FiscalYear>,
    value: f64,
    unit: &str,
    cmp: Comparator,
) -> String {
    let mut s = indicator.trim().to_string();
    if let Some(y) = year {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&y.label());
    }
    if !s.is_empty() {
        s.push(' ');
    }
    s.push_str(&kusei_report::plain_number(value));
    s.push_str(unit.trim());
    s.push_str(cmp.label_ja());
    s
}
