//! Resolving relative targets, matching actuals to targets and judging achievement.

use crate::text::indicator_similarity;
use crate::types::{Actual, ActualKind, Figure, RelativeOp, Target, TargetKind, Unit};
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{Comparator, Direction};
use serde::{Deserialize, Serialize};

/// A relative target turned into a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    /// The resolved target value (yen for money).
    pub value: f64,
    pub unit: Option<Unit>,
    pub unit_text: Option<String>,
    /// The comparator to apply to the resolved value.
    pub comparator: Comparator,
    /// The base figure used.
    pub base: Figure,
    /// How it was derived, e.g. "6件 × (1 − 10%) = 5.4 → 5件以下".
    pub derivation: String,
}

/// Why a relative target could not be resolved.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum ResolveError {
    #[error("not a relative target")]
    NotRelative,
    #[error("the base figure ({what}) is not known yet")]
    MissingBase { what: String },
    #[error("the base figure is in {base}, the change in {change}")]
    UnitMismatch { base: String, change: String },
}

const EPS: f64 = 1e-9;

/// Formats a number for display: up to 2 decimals, trailing zeros trimmed, thousands
/// separators.
pub(crate) fn fmt_num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let neg = r < 0.0;
    let a = r.abs();
    let int = a.trunc();
    let frac = ((a - int) * 100.0).round();
    let (int, frac) = if frac >= 100.0 {
        (int + 1.0, 0.0)
    } else {
        (int, frac)
    };
    let digits = format!("{int:.0}");
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let mut s = if neg { format!("-{grouped}") } else { grouped };
    if frac > 0.0 {
        let f = format!("{:02}", frac as u32);
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

/// Formats a value in a unit as written ("15,914千円", "☆☆", "85.1%").
pub(crate) fn fmt_value(v: f64, unit: Option<Unit>, unit_text: Option<&str>) -> String {
    match unit {
        Some(Unit::Stars) => {
            let n = v.round().clamp(0.0, 20.0) as usize;
            "☆".repeat(n)
        }
        Some(u) => {
            let ut = unit_text.unwrap_or(u.symbol());
            let factor = Unit::parse(ut).map_or(1.0, |(_, f)| f);
            format!("{}{}", fmt_num(v / factor), ut)
        }
        None => fmt_num(v),
    }
}

fn fig_text(f: &Figure) -> String {
    if f.unit == Unit::Stars {
        return fmt_value(f.value, Some(f.unit), None);
    }
    format!("{}{}", f.value_text, f.unit_text)
}

/// Resolves a relative target into a number. The base is the figure written in the
/// sentence ("28年度件数(6件)から…") or, failing that, the best match among `references`
/// (known actuals: same base year, similar indicator, same unit).
pub fn resolve(target: &Target, references: &[Figure]) -> Result<Resolution, ResolveError> {
    let Some(rel) = &target.relative else {
        return Err(ResolveError::NotRelative);
    };
    let base = match &rel.base {
        Some(b) => b.clone(),
        None => find_reference(target, references).ok_or_else(|| ResolveError::MissingBase {
            what: match &rel.base_year {
                Some(y) => format!("{}実績", y.label),
                None => "基準年度の実績".to_string(),
            },
        })?,
    };
    let unit = Some(base.unit);
    let unit_text = Some(base.unit_text.clone());
    let b = base.value;
    let bt = fig_text(&base);
    let (raw, expr, cmp) = match rel.op {
        RelativeOp::DecreasePercent { percent } => (
            b * (1.0 - percent / 100.0),
            format!("{bt} × (1 − {}%)", fmt_num(percent)),
            Comparator::AtMost,
        ),
        RelativeOp::IncreasePercent { percent } => (
            b * (1.0 + percent / 100.0),
            format!("{bt} × (1 + {}%)", fmt_num(percent)),
            Comparator::AtLeast,
        ),
        RelativeOp::DecreasePoints { points } | RelativeOp::IncreasePoints { points } => {
            if base.unit != Unit::Percent && base.unit != Unit::Point {
                return Err(ResolveError::UnitMismatch {
                    base: base.unit_text.clone(),
                    change: "ポイント".to_string(),
                });
            }
            let down = matches!(rel.op, RelativeOp::DecreasePoints { .. });
            (
                if down { b - points } else { b + points },
                format!(
                    "{bt} {} {}ポイント",
                    if down { "−" } else { "+" },
                    fmt_num(points)
                ),
                if down {
                    Comparator::AtMost
                } else {
                    Comparator::AtLeast
                },
            )
        }
        RelativeOp::Halve => (b / 2.0, format!("{bt} の半減"), Comparator::AtMost),
        RelativeOp::AtLeastBase => (b, format!("{bt} 以上"), Comparator::AtLeast),
        RelativeOp::AtMostBase => (b, format!("{bt} 以下"), Comparator::AtMost),
        RelativeOp::Maintain => (
            b,
            format!("{bt} を維持"),
            match target.direction {
                Some(Direction::HigherIsBetter) => Comparator::AtLeast,
                Some(Direction::LowerIsBetter) => Comparator::AtMost,
                None => Comparator::Maintain,
            },
        ),
    };
    let integral = base.unit.is_integral();
    let value = if integral {
        match cmp {
            Comparator::AtMost | Comparator::LessThan => (raw + EPS).floor(),
            Comparator::AtLeast | Comparator::MoreThan => (raw - EPS).ceil(),
            _ => raw,
        }
    } else {
        raw
    };
    let shown = fmt_value(value, unit, unit_text.as_deref());
    let raw_shown = if base.unit == Unit::Yen {
        fmt_value(raw, unit, unit_text.as_deref())
    } else {
        fmt_num(raw)
    };
    let mut derivation = match rel.op {
        RelativeOp::AtLeastBase | RelativeOp::AtMostBase => {
            format!("{}{}", shown, cmp.label_ja())
        }
        RelativeOp::Maintain => format!("{expr} → {shown}{}", cmp.label_ja()),
        _ if integral && (raw - value).abs() > EPS => {
            format!("{expr} = {raw_shown} → {shown}{}", cmp.label_ja())
        }
        _ => format!("{expr} = {shown}{}", cmp.label_ja()),
    };
    if let Some(by) = &base.fiscal_year {
        derivation = format!("{}: {derivation}", by.label);
    }
    if let Some(s) = &rel.stated_result {
        if s.unit == base.unit && (s.value - value).abs() > 0.005 * value.abs().max(1.0) {
            derivation.push_str(&format!("（記載値 {} と不一致）", fig_text(s)));
        }
    }
    Ok(Resolution {
        value,
        unit,
        unit_text,
        comparator: cmp,
        base,
        derivation,
    })
}

fn find_reference(target: &Target, references: &[Figure]) -> Option<Figure> {
    let rel = target.relative.as_ref()?;
    let year = rel.base_year.as_ref().map(|y| y.end);
    let name = target
        .indicator
        .as_deref()
        .or(target.heading.as_deref())
        .unwrap_or_default();
    let mut best: Option<(f64, &Figure)> = None;
    for f in references {
        if let (Some(y), Some(fy)) = (year, &f.fiscal_year) {
            if !fy.contains(y) {
                continue;
            }
        }
        if year.is_some() && f.fiscal_year.is_none() {
            continue;
        }
        if year.is_none() && references.len() > 1 {
            continue;
        }
        if let Some(u) = target.unit {
            if u != f.unit {
                continue;
            }
        }
        let score = match &f.label {
            Some(l) if !name.is_empty() => indicator_similarity(name, l),
            _ => 0.5,
        };
        if score < 0.3 {
            continue;
        }
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, f));
        }
    }
    best.map(|(_, f)| f.clone())
}

/// The judgment of one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetJudgment {
    pub judgment: Judgment,
    /// Why, in short Japanese.
    pub reason_ja: String,
    pub label: Option<String>,
    pub indicator: Option<String>,
    /// Index of the actual used, in the slice given.
    pub actual_index: Option<usize>,
    /// The target value compared against (resolved for relative targets).
    pub target_value: Option<f64>,
    pub actual_value: Option<f64>,
    /// The comparator applied (direction filled in for "none written").
    pub comparator: Option<Comparator>,
    pub resolution: Option<Resolution>,
    /// actual ÷ target (target ÷ actual when lower is better), when both are numbers in
    /// the same unit; computed for interim figures too.
    pub progress: Option<f64>,
    /// Number of fiscal years the target spans (for grading thresholds).
    pub period_years: u32,
    /// The actual is in a different unit than the target.
    pub unit_mismatch: bool,
    /// The actual is an interim figure.
    pub interim: bool,
    /// Judgments of the conditions of a compound target.
    pub parts: Vec<TargetJudgment>,
}

impl TargetJudgment {
    fn new(t: &Target, judgment: Judgment, reason: impl Into<String>) -> TargetJudgment {
        TargetJudgment {
            judgment,
            reason_ja: reason.into(),
            label: t.label.clone(),
            indicator: t.indicator.clone(),
            actual_index: None,
            target_value: None,
            actual_value: None,
            comparator: None,
            resolution: None,
            progress: None,
            period_years: t.fiscal_year.as_ref().map_or(1, |y| y.len()),
            unit_mismatch: false,
            interim: false,
            parts: Vec::new(),
        }
    }
}

/// Score of an actual for a target leaf; None when it cannot be the target's actual.
fn match_score(t: &Target, a: &Actual, year: Option<i32>) -> Option<f64> {
    if let (Some(y), Some(ay)) = (year, &a.fiscal_year) {
        let ok = match &t.fiscal_year {
            Some(ty) => ty.contains(ay.end) || ay.contains(ty.end),
            None => ay.contains(y),
        };
        if !ok {
            return None;
        }
    }
    match t.kind {
        TargetKind::Milestone => {
            if a.kind != ActualKind::Milestone {
                return None;
            }
            let m = t.milestone.as_deref().unwrap_or_default();
            let d = a.done.as_deref().unwrap_or_default();
            Some(indicator_similarity(m, d))
        }
        TargetKind::Absolute | TargetKind::Relative => {
            if a.kind != ActualKind::Value {
                return None;
            }
            let mut s = 0.0f64;
            for n in [t.indicator.as_deref(), t.heading.as_deref()]
                .into_iter()
                .flatten()
            {
                for m in [a.indicator.as_deref(), a.heading.as_deref()]
                    .into_iter()
                    .flatten()
                {
                    s = s.max(indicator_similarity(n, m));
                }
            }
            match (t.unit, a.unit) {
                (Some(u), Some(v)) if u == v => s += 0.1,
                (Some(_), Some(_)) => s -= 0.2,
                _ => {}
            }
            Some(s)
        }
        _ => None,
    }
}

/// Leaves of a target (the target itself, or the parts of a compound).
fn leaves(t: &Target) -> Vec<&Target> {
    if t.kind == TargetKind::Compound && !t.parts.is_empty() {
        t.parts.iter().flat_map(leaves).collect()
    } else {
        vec![t]
    }
}

const MIN_SCORE: f64 = 0.3;

/// Assigns actuals to the leaf targets of `targets` one-to-one (best indicator match
/// first). Returns, per target, per leaf, the index of its actual.
pub fn match_actuals(
    targets: &[Target],
    actuals: &[Actual],
    year: Option<i32>,
) -> Vec<Vec<Option<usize>>> {
    let shape: Vec<Vec<&Target>> = targets.iter().map(leaves).collect();
    let mut result: Vec<Vec<Option<usize>>> = shape.iter().map(|l| vec![None; l.len()]).collect();
    let mut pairs: Vec<(f64, usize, usize, usize)> = Vec::new();
    for (ti, ls) in shape.iter().enumerate() {
        for (li, leaf) in ls.iter().enumerate() {
            for (ai, a) in actuals.iter().enumerate() {
                if let Some(s) = match_score(leaf, a, year) {
                    if s >= MIN_SCORE {
                        pairs.push((s, ti, li, ai));
                    }
                }
            }
        }
    }
    pairs.sort_by(|x, y| {
        y.0.partial_cmp(&x.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(x.1.cmp(&y.1))
            .then(x.2.cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    let mut used = vec![false; actuals.len()];
    for (_, ti, li, ai) in pairs {
        if used[ai] || result[ti][li].is_some() {
            continue;
        }
        used[ai] = true;
        result[ti][li] = Some(ai);
    }
    result
}

/// Judges one target against actuals. With several actuals, each leaf takes its best
/// match by indicator; a single target given a single numeric actual takes it whatever its
/// name (so "独自収入" can be judged with "収入額"). `references` resolve relative targets;
/// `year` is the document's fiscal year (western), used when the target has none.
pub fn judge(
    target: &Target,
    actuals: &[Actual],
    references: &[Figure],
    year: Option<i32>,
) -> TargetJudgment {
    let mut assignment = match_actuals(std::slice::from_ref(target), actuals, year)
        .into_iter()
        .next()
        .unwrap_or_default();
    let values: Vec<usize> = actuals
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind == ActualKind::Value)
        .map(|(i, _)| i)
        .collect();
    if assignment.len() == 1 && assignment[0].is_none() {
        if let [ai] = values.as_slice() {
            if match_score(target, &actuals[*ai], year).is_some() {
                assignment[0] = Some(*ai);
            }
        }
    }
    judge_assigned(target, &assignment, actuals, references, year)
}

/// Judges a target with a given assignment of actuals to its leaves.
pub(crate) fn judge_assigned(
    target: &Target,
    assignment: &[Option<usize>],
    actuals: &[Actual],
    references: &[Figure],
    year: Option<i32>,
) -> TargetJudgment {
    if target.kind == TargetKind::Compound && !target.parts.is_empty() {
        let mut k = 0usize;
        let mut parts = Vec::new();
        for p in &target.parts {
            let n = leaves(p).len();
            let sub: Vec<Option<usize>> = (k..k + n)
                .map(|i| assignment.get(i).copied().flatten())
                .collect();
            k += n;
            parts.push(judge_assigned(p, &sub, actuals, references, year));
        }
        let j = roll_up(parts.iter().map(|p| p.judgment));
        let reason = match j {
            Judgment::Achieved => "すべての条件を満たす".to_string(),
            Judgment::NotAchieved => "満たさない条件がある".to_string(),
            // roll_up never gives Unknown.
            Judgment::Undetermined | Judgment::Unknown => "判定できない条件がある".to_string(),
        };
        let mut tj = TargetJudgment::new(target, j, reason);
        tj.unit_mismatch = parts.iter().any(|p| p.unit_mismatch);
        tj.interim = parts.iter().any(|p| p.interim);
        tj.parts = parts;
        return tj;
    }
    let ai = assignment.first().copied().flatten();
    let actual = ai.and_then(|i| actuals.get(i));
    let dated = with_year(target, year);
    let mut tj = judge_leaf(dated.as_ref().unwrap_or(target), actual, references, year);
    tj.actual_index = ai;
    tj
}

/// A target without a written year is for the document's year; a "前年度" base is then
/// the year before.
fn with_year(t: &Target, year: Option<i32>) -> Option<Target> {
    let y = year?;
    if t.fiscal_year.is_some() {
        return None;
    }
    let mut c = t.clone();
    c.fiscal_year = Some(crate::years::single(y, "", false));
    if let Some(r) = &mut c.relative {
        if r.base_is_previous_year && r.base_year.is_none() {
            r.base_year = Some(crate::years::single(y.saturating_sub(1), "前年度", false));
        }
    }
    Some(c)
}

/// Rolls judgments up: achieved only when all are achieved; any not achieved → not
/// achieved; otherwise undetermined. An empty list is undetermined. Never `Unknown`.
pub fn roll_up(js: impl IntoIterator<Item = Judgment>) -> Judgment {
    let mut any = false;
    let mut all_achieved = true;
    let mut not = false;
    for j in js {
        any = true;
        match j {
            Judgment::Achieved => {}
            Judgment::NotAchieved => {
                not = true;
                all_achieved = false;
            }
            // kpi never computes Unknown; a stated one counts as not known yet.
            Judgment::Undetermined | Judgment::Unknown => all_achieved = false,
        }
    }
    if not {
        Judgment::NotAchieved
    } else if any && all_achieved {
        Judgment::Achieved
    } else {
        Judgment::Undetermined
    }
}

fn compare(actual: f64, cmp: Comparator, target: f64) -> bool {
    let tol = EPS * target.abs().max(1.0);
    match cmp {
        Comparator::AtLeast => actual >= target - tol,
        Comparator::MoreThan => actual > target + tol,
        Comparator::AtMost => actual <= target + tol,
        Comparator::LessThan => actual < target - tol,
        Comparator::Maintain | Comparator::Equal => (actual - target).abs() <= tol,
    }
}

fn effective(cmp: Comparator, dir: Option<Direction>) -> Option<Comparator> {
    match (cmp, dir) {
        (Comparator::Equal | Comparator::Maintain, Some(Direction::HigherIsBetter)) => {
            Some(Comparator::AtLeast)
        }
        (Comparator::Equal | Comparator::Maintain, Some(Direction::LowerIsBetter)) => {
            Some(Comparator::AtMost)
        }
        (Comparator::Equal | Comparator::Maintain, None) => None,
        (c, _) => Some(c),
    }
}

fn symbol(c: Comparator, ok: bool) -> &'static str {
    match (c, ok) {
        (Comparator::AtLeast, true) => "≧",
        (Comparator::AtLeast, false) => "<",
        (Comparator::MoreThan, true) => ">",
        (Comparator::MoreThan, false) => "≦",
        (Comparator::AtMost, true) => "≦",
        (Comparator::AtMost, false) => ">",
        (Comparator::LessThan, true) => "<",
        (Comparator::LessThan, false) => "≧",
        (_, true) => "=",
        (_, false) => "≠",
    }
}

/// Progress rate: actual ÷ target, or target ÷ actual when lower is better. Where the
/// denominator is 0 the rate is 1 if the target is met and 0 otherwise. An unknown
/// direction (`None`) counts as higher is better.
pub fn progress_rate(actual: f64, target: f64, direction: Option<Direction>) -> Option<f64> {
    let (num, den) = match direction {
        Some(Direction::LowerIsBetter) => (target, actual),
        _ => (actual, target),
    };
    if den.abs() < EPS {
        let met = match direction {
            Some(Direction::LowerIsBetter) => actual <= target + EPS,
            _ => actual >= target - EPS,
        };
        return Some(if met { 1.0 } else { 0.0 });
    }
    let r = num / den;
    r.is_finite().then_some(r.max(0.0))
}

fn judge_leaf(
    t: &Target,
    actual: Option<&Actual>,
    references: &[Figure],
    year: Option<i32>,
) -> TargetJudgment {
    let u = Judgment::Undetermined;
    match t.kind {
        TargetKind::FreeText => {
            return TargetJudgment::new(t, u, "目標を数値として読み取れないため判定不可")
        }
        TargetKind::Pending => {
            let what = t
                .fiscal_year
                .as_ref()
                .map_or(String::new(), |y| format!("{}の", y.label));
            return TargetJudgment::new(t, u, format!("{what}目標は未設定（後日設定）"));
        }
        TargetKind::Milestone => {
            return match actual {
                Some(a) if a.kind == ActualKind::Milestone => TargetJudgment::new(
                    t,
                    Judgment::Achieved,
                    format!("「{}」と記載あり", a.done.as_deref().unwrap_or_default()),
                ),
                _ => TargetJudgment::new(t, u, "完了の記載が見当たらない"),
            };
        }
        TargetKind::Compound => {
            return TargetJudgment::new(t, u, "条件を読み取れないため判定不可");
        }
        TargetKind::Absolute | TargetKind::Relative => {}
    }
    // The target's number.
    let (tv, tunit, tunit_text, cmp, resolution) = if t.kind == TargetKind::Relative {
        match resolve(t, references) {
            Ok(r) => (r.value, r.unit, r.unit_text.clone(), r.comparator, Some(r)),
            Err(e) => {
                let reason = match &e {
                    ResolveError::MissingBase { what } => {
                        format!("基準値（{what}）が不明のため未確定")
                    }
                    ResolveError::UnitMismatch { .. } => "基準値の単位が合わない".to_string(),
                    ResolveError::NotRelative => "相対目標を解決できない".to_string(),
                };
                return TargetJudgment::new(t, u, reason);
            }
        }
    } else {
        match t.value {
            Some(v) => (v, t.unit, t.unit_text.clone(), t.comparator, None),
            None => return TargetJudgment::new(t, u, "目標値がない"),
        }
    };
    let mut tj = TargetJudgment::new(t, u, "");
    tj.target_value = Some(tv);
    tj.resolution = resolution;
    let target_text = match (&tj.resolution, &t.value_text, &t.unit_text) {
        (None, Some(v), Some(u)) if t.unit != Some(Unit::Stars) => format!("{v}{u}"),
        _ => fmt_value(tv, tunit, tunit_text.as_deref()),
    };
    let Some(a) = actual else {
        tj.reason_ja = "実績の記載なし".to_string();
        return tj;
    };
    let (Some(av), Some(aunit)) = (a.value, a.unit) else {
        tj.reason_ja = "実績が数値でない".to_string();
        return tj;
    };
    tj.actual_value = Some(av);
    tj.interim = a.interim;
    let actual_text = match (&a.value_text, &a.unit_text) {
        (Some(v), Some(u)) if aunit != Unit::Stars => format!("{v}{u}"),
        _ => fmt_value(av, Some(aunit), a.unit_text.as_deref()),
    };
    if let Some(tu) = tunit {
        if tu != aunit {
            tj.unit_mismatch = true;
            tj.reason_ja = format!(
                "単位が異なるため判定不可（目標 {}、実績 {}）",
                tunit_text.as_deref().unwrap_or(tu.symbol()),
                a.unit_text.as_deref().unwrap_or(aunit.symbol())
            );
            return tj;
        }
    }
    let Some(eff) = effective(cmp, t.direction) else {
        tj.reason_ja = "目標の向き（増減）が不明のため判定不可".to_string();
        return tj;
    };
    tj.comparator = Some(eff);
    let dir = match eff {
        Comparator::AtMost | Comparator::LessThan => Some(Direction::LowerIsBetter),
        Comparator::AtLeast | Comparator::MoreThan => Some(Direction::HigherIsBetter),
        _ => t.direction,
    };
    tj.progress = progress_rate(av, tv, dir);
    let ok = compare(av, eff, tv);
    let cmp_text = format!("実績 {actual_text} {} 目標 {target_text}", symbol(eff, ok));
    if let Some(d) = &a.as_of {
        tj.reason_ja = format!(
            "{}時点の中間値のため未確定（{cmp_text}）",
            d.as_written
                .trim_end_matches("現在")
                .trim_end_matches("時点")
        );
        return tj;
    }
    if a.interim {
        tj.reason_ja = format!("中間値のため未確定（{cmp_text}）");
        return tj;
    }
    // A cumulative target judged before its last year is still under way.
    if let Some(ty) = &t.fiscal_year {
        let actual_end = a.fiscal_year.as_ref().map(|y| y.end).or(year);
        if t.cumulative && ty.start != ty.end {
            let covers = a
                .fiscal_year
                .as_ref()
                .is_some_and(|y| y.start <= ty.start && y.end >= ty.end);
            let met_early = ok && dir == Some(Direction::HigherIsBetter);
            if !(covers || met_early) {
                tj.reason_ja = format!("{}の累計目標の期間中（{cmp_text}）", ty.label);
                return tj;
            }
        }
        if let Some(ae) = actual_end {
            if ty.end > ae && ty.by_end && !ok {
                tj.reason_ja = format!("{}までの目標の期間中（{cmp_text}）", ty.label);
                return tj;
            }
        }
    }
    tj.judgment = if ok {
        Judgment::Achieved
    } else {
        Judgment::NotAchieved
    };
    tj.reason_ja = cmp_text;
    tj
}

/// Judgment of a node (one initiative) from its targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeJudgment {
    pub judgment: Judgment,
    pub reason_ja: String,
    pub targets: Vec<TargetJudgment>,
}

/// Judges all targets of a node against its actuals (matched one-to-one by indicator)
/// and rolls the results up: achieved only when all targets are achieved; any not
/// achieved → not achieved; otherwise undetermined.
pub fn judge_node(
    targets: &[Target],
    actuals: &[Actual],
    references: &[Figure],
    year: Option<i32>,
) -> NodeJudgment {
    let mut assignment = match_actuals(targets, actuals, year);
    // A single numeric target and a single numeric actual belong together.
    let values: Vec<usize> = actuals
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind == ActualKind::Value)
        .map(|(i, _)| i)
        .collect();
    let numeric: Vec<usize> = targets
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.kind, TargetKind::Absolute | TargetKind::Relative))
        .map(|(i, _)| i)
        .collect();
    if let ([ti], [ai]) = (numeric.as_slice(), values.as_slice()) {
        let fits = match_score(&targets[*ti], &actuals[*ai], year).is_some();
        if let Some(slot) = assignment.get_mut(*ti).and_then(|l| l.first_mut()) {
            if slot.is_none() && fits {
                *slot = Some(*ai);
            }
        }
    }
    let judged: Vec<TargetJudgment> = targets
        .iter()
        .zip(assignment.iter())
        .map(|(t, asg)| judge_assigned(t, asg, actuals, references, year))
        .collect();
    let j = roll_up(judged.iter().map(|t| t.judgment));
    let count = |k: Judgment| judged.iter().filter(|t| t.judgment == k).count();
    let reason_ja = format!(
        "目標{}件: 達成{}件、未達成{}件、未確定{}件",
        judged.len(),
        count(Judgment::Achieved),
        count(Judgment::NotAchieved),
        count(Judgment::Undetermined)
    );
    NodeJudgment {
        judgment: j,
        reason_ja,
        targets: judged,
    }
}

/// Final (not interim) figures written in a results text of fiscal year `fy`: the
/// references for relative targets of later years (前年度以上, 29年度実績値に比べて…).
pub fn reference_figures(text: &str, fy: kusei_domain::calendar::FiscalYear) -> Vec<Figure> {
    crate::read::read_actuals(text, Some(fy))
        .into_iter()
        .filter(|a| !a.interim)
        .filter_map(|a| {
            Some(Figure {
                label: a.indicator.clone(),
                source: None,
                fiscal_year: a.fiscal_year.clone().or_else(|| {
                    Some(crate::types::FiscalYears {
                        start: fy.year(),
                        end: fy.year(),
                        label: fy.label(),
                        as_written: fy.label(),
                        by_end: false,
                    })
                }),
                as_of: None,
                value: a.value?,
                value_text: a.value_text.clone().unwrap_or_default(),
                unit: a.unit?,
                unit_text: a.unit_text.clone().unwrap_or_default(),
            })
        })
        .collect()
}
