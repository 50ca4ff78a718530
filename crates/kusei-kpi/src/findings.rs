//! Consistency findings that can be computed from one node's sentences.

use crate::judge::{judge_node, resolve, NodeJudgment};
use crate::read::{read_actuals, read_targets};
use crate::split::split_targets;
use crate::text::indicator_similarity;
use crate::types::{Actual, Figure, Target, TargetKind};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::judgment::Judgment;
use kusei_domain::model::{Comparator, Direction};
use serde::{Deserialize, Serialize};

/// Answers of the mid-year review (中間振り返り), as decoded by the importer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MidYearReview {
    /// (i) 実施見込み → Some(true); (ii) 実施できない見込み → Some(false).
    pub implementation_expected: Option<bool>,
    /// ① 達成見込み → Some(true); ② 達成できない見込み → Some(false).
    pub achievement_expected: Option<bool>,
    /// 課題と改善策 of the review.
    pub remedy: Option<String>,
}

/// What one node (取組項目, 具体的取組) says about its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeFigures {
    /// The document's fiscal year.
    pub document_year: Option<FiscalYear>,
    /// Multi-year targets (取組の方針・目標内容 (目標)): whole blocks or single sentences.
    pub targets: Vec<String>,
    /// This year's targets (当年度の取組内容 (目標)): whole blocks or single sentences.
    pub this_year_targets: Vec<String>,
    /// 当年度の取組実績及び目標の達成状況.
    pub results: Option<String>,
    /// The stated year-end judgment (①/②); `Unknown` when the document does not show
    /// it (or there is no evaluation).
    pub stated: Judgment,
    /// 課題と改善策 of the year-end evaluation.
    pub remedy: Option<String>,
    /// The mid-year review, when filled in.
    pub review: Option<MidYearReview>,
    /// Known actuals of earlier years, for relative targets (前年度以上, 29年度実績値に比べて…).
    pub references: Vec<Figure>,
}

impl Default for NodeFigures {
    fn default() -> Self {
        NodeFigures {
            document_year: None,
            targets: Vec::new(),
            this_year_targets: Vec::new(),
            results: None,
            stated: Judgment::Unknown,
            remedy: None,
            review: None,
            references: Vec::new(),
        }
    }
}

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One consistency finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable code: `judgment_contradicts_figures`, `judgment_on_interim_figure`,
    /// `remedy_missing`, `target_without_year`, `target_mismatch_multi_year`,
    /// `unit_mismatch`.
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
    /// The target sentence concerned, when there is one.
    pub target: Option<String>,
}

fn finding(sev: Severity, code: &str, ja: String, en: String, target: Option<String>) -> Finding {
    Finding {
        severity: sev,
        code: code.to_string(),
        message_ja: ja,
        message_en: en,
        target,
    }
}

/// Everything computed for a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeEvaluation {
    pub targets: Vec<Target>,
    pub this_year_targets: Vec<Target>,
    pub actuals: Vec<Actual>,
    /// The targets that were judged: this year's targets, or (when there are none) the
    /// multi-year targets for the document's year.
    pub judged: Vec<Target>,
    pub judgment: NodeJudgment,
    pub findings: Vec<Finding>,
}

/// Reads every target of a list of blocks or sentences.
pub fn read_target_blocks(blocks: &[String], context: Option<FiscalYear>) -> Vec<Target> {
    blocks
        .iter()
        .flat_map(|b| split_targets(b))
        .flat_map(|s| read_targets(&s.text, context))
        .collect()
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|t| t.trim().is_empty())
}

fn describe(t: &Target) -> String {
    let mut s = String::new();
    if let Some(l) = &t.label {
        s.push_str(l);
        s.push(' ');
    }
    s.push_str(t.indicator.as_deref().unwrap_or(&t.segment));
    s
}

/// Target value and effective comparator, resolving relative targets.
fn value_of(t: &Target, refs: &[Figure]) -> Option<(f64, Option<crate::types::Unit>, Comparator)> {
    let eff = |c: Comparator| match (c, t.direction) {
        (Comparator::Equal, Some(Direction::HigherIsBetter)) => Comparator::AtLeast,
        (Comparator::Equal, Some(Direction::LowerIsBetter)) => Comparator::AtMost,
        (c, _) => c,
    };
    match t.kind {
        TargetKind::Absolute => Some((t.value?, t.unit, eff(t.comparator))),
        TargetKind::Relative => {
            let r = resolve(t, refs).ok()?;
            Some((r.value, r.unit, r.comparator))
        }
        _ => None,
    }
}

fn year_of(t: &Target, doc: Option<i32>) -> Option<i32> {
    match &t.fiscal_year {
        Some(y) if y.start == y.end => Some(y.start),
        Some(_) => None,
        None => doc,
    }
}

/// Reads, judges and checks one node.
pub fn evaluate(node: &NodeFigures) -> NodeEvaluation {
    let ctx = node.document_year;
    let doc = ctx.map(|f| f.year());
    let targets = read_target_blocks(&node.targets, ctx);
    let this_year = read_target_blocks(&node.this_year_targets, ctx);
    let actuals = node
        .results
        .as_deref()
        .map(|r| read_actuals(r, ctx))
        .unwrap_or_default();
    // Baselines written with the targets are known figures too.
    let mut refs = node.references.clone();
    for t in targets.iter().chain(this_year.iter()) {
        for b in &t.baselines {
            let mut f = b.clone();
            if f.label.is_none() {
                f.label = t.indicator.clone();
            }
            refs.push(f);
        }
    }
    let for_doc_year = |t: &&Target| match (&t.fiscal_year, doc) {
        (Some(y), Some(d)) => y.contains(d),
        _ => true,
    };
    let judged: Vec<Target> = if this_year.is_empty() {
        targets.iter().filter(for_doc_year).cloned().collect()
    } else {
        this_year.iter().filter(for_doc_year).cloned().collect()
    };
    let judgment = judge_node(&judged, &actuals, &refs, doc);
    let mut out: Vec<Finding> = Vec::new();

    // Stated judgment against the figures.
    let stated = node.stated;
    if stated != Judgment::Unknown {
        match (stated, judgment.judgment) {
            (Judgment::Achieved, Judgment::NotAchieved)
            | (Judgment::NotAchieved, Judgment::Achieved) => {
                let detail: Vec<String> = judged
                    .iter()
                    .zip(&judgment.targets)
                    .filter(|(_, j)| j.judgment != Judgment::Undetermined)
                    .map(|(t, j)| format!("{}: {}", describe(t), j.reason_ja))
                    .collect();
                out.push(finding(
                    Severity::Error,
                    "judgment_contradicts_figures",
                    format!(
                        "記載の判定「{}」が数値からの判定「{}」と一致しません（{}）",
                        stated.label_ja(),
                        judgment.judgment.label_ja(),
                        detail.join("、")
                    ),
                    format!(
                        "The stated judgment ({}) contradicts the figures, which say {}.",
                        stated.label_en(),
                        judgment.judgment.label_en()
                    ),
                    None,
                ));
            }
            (Judgment::Achieved | Judgment::NotAchieved, Judgment::Undetermined)
                if judgment.targets.iter().any(|j| j.interim) =>
            {
                out.push(finding(
                    Severity::Warning,
                    "judgment_on_interim_figure",
                    format!(
                        "中間値（未確定の数値）に基づいて「{}」と判定されています",
                        stated.label_ja()
                    ),
                    format!(
                        "The judgment ({}) is stated on an interim figure that is not final yet.",
                        stated.label_en()
                    ),
                    None,
                ));
            }
            _ => {}
        }
    }

    // Remedy required when not achieved (or ② / (ii) at mid-year).
    if blank(&node.remedy) {
        if stated == Judgment::NotAchieved {
            out.push(finding(
                Severity::Error,
                "remedy_missing",
                "「②目標未達成」の場合は課題と改善策の記入が必須です".to_string(),
                "Issues and remedies are required when the target was not achieved (②)."
                    .to_string(),
                None,
            ));
        } else if stated == Judgment::Unknown && judgment.judgment == Judgment::NotAchieved {
            out.push(finding(
                Severity::Warning,
                "remedy_missing",
                "数値からは目標未達成ですが、課題と改善策が記入されていません".to_string(),
                "The figures show the target was not achieved, but no issues and remedies are given."
                    .to_string(),
                None,
            ));
        }
    }
    if let Some(r) = &node.review {
        let off = r.implementation_expected == Some(false) || r.achievement_expected == Some(false);
        if off && blank(&r.remedy) {
            out.push(finding(
                Severity::Error,
                "remedy_missing",
                "中間振り返りで「(ii)」または「②」の場合は課題と改善策の記入が必須です".to_string(),
                "Issues and remedies are required when the mid-year answer is (ii) or ②."
                    .to_string(),
                None,
            ));
        }
    }

    // Targets without a year.
    let mut no_year: Vec<&Target> = targets
        .iter()
        .filter(|t| t.fiscal_year.is_none() && t.kind != TargetKind::FreeText)
        .collect();
    if doc.is_none() {
        no_year.extend(
            this_year
                .iter()
                .filter(|t| t.fiscal_year.is_none() && t.kind != TargetKind::FreeText),
        );
    }
    for t in no_year {
        out.push(finding(
            Severity::Warning,
            "target_without_year",
            format!("目標「{}」に年度が書かれていません", describe(t)),
            format!("The target \"{}\" states no fiscal year.", describe(t)),
            Some(t.text.clone()),
        ));
    }

    // This year's targets against the multi-year targets for the same year.
    if let Some(d) = doc {
        let multi: Vec<&Target> = targets
            .iter()
            .filter(|t| {
                t.fiscal_year
                    .as_ref()
                    .is_some_and(|y| y.start == y.end && y.start == d)
            })
            .filter(|t| matches!(t.kind, TargetKind::Absolute | TargetKind::Relative))
            .collect();
        let mut used = vec![false; multi.len()];
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (i, t) in this_year.iter().enumerate() {
            if year_of(t, doc) != Some(d) {
                continue;
            }
            for (k, m) in multi.iter().enumerate() {
                let score = match (&t.indicator, &m.indicator) {
                    (Some(a), Some(b)) => indicator_similarity(a, b),
                    (_, None) => 0.5,
                    _ => 0.0,
                };
                let both_absolute =
                    t.kind == TargetKind::Absolute && m.kind == TargetKind::Absolute;
                let needed = if both_absolute { 0.45 } else { 0.6 };
                if score >= needed && (t.unit.is_none() || m.unit.is_none() || t.unit == m.unit) {
                    pairs.push((score, i, k));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        let mut seen = vec![false; this_year.len()];
        for (_, i, k) in pairs {
            if seen[i] || used[k] {
                continue;
            }
            seen[i] = true;
            used[k] = true;
            let (t, m) = (&this_year[i], multi[k]);
            let (Some(a), Some(b)) = (value_of(t, &refs), value_of(m, &refs)) else {
                continue;
            };
            let differs = (a.0 - b.0).abs() > 1e-6 * b.0.abs().max(1.0) || a.1 != b.1 || a.2 != b.2;
            if differs {
                let show = |x: &(f64, Option<crate::types::Unit>, Comparator), tt: &Target| {
                    format!(
                        "{}{}",
                        crate::judge::fmt_value(x.0, x.1, tt.unit_text.as_deref()),
                        x.2.label_ja()
                    )
                };
                out.push(finding(
                    Severity::Warning,
                    "target_mismatch_multi_year",
                    format!(
                        "今年度の目標「{}」（{}）が複数年目標の同年度の値（{}）と異なります",
                        describe(t),
                        show(&a, t),
                        show(&b, m)
                    ),
                    format!(
                        "This year's target \"{}\" ({}) differs from the multi-year target for the same year ({}).",
                        describe(t),
                        show(&a, t),
                        show(&b, m)
                    ),
                    Some(t.text.clone()),
                ));
            }
        }
    }

    // Units of the actuals against the targets.
    for (t, j) in judged.iter().zip(&judgment.targets) {
        let leaves: Vec<(&Target, &crate::judge::TargetJudgment)> = if j.parts.is_empty() {
            vec![(t, j)]
        } else {
            t.parts.iter().zip(&j.parts).collect()
        };
        for (lt, lj) in leaves {
            if !lj.unit_mismatch {
                continue;
            }
            let a = lj.actual_index.and_then(|i| actuals.get(i));
            let au = a
                .and_then(|a| a.unit_text.clone())
                .unwrap_or_else(|| "?".to_string());
            let tu = lt.unit_text.clone().unwrap_or_else(|| "?".to_string());
            out.push(finding(
                Severity::Warning,
                "unit_mismatch",
                format!(
                    "目標「{}」は{}、実績は{}で、単位が異なるため比較できません",
                    describe(lt),
                    tu,
                    au
                ),
                format!(
                    "The target \"{}\" is in {} but its actual is in {}; they cannot be compared.",
                    describe(lt),
                    tu,
                    au
                ),
                Some(lt.text.clone()),
            ));
        }
    }

    NodeEvaluation {
        targets,
        this_year_targets: this_year,
        actuals,
        judged,
        judgment,
        findings: out,
    }
}

/// The consistency findings of one node.
pub fn findings(node: &NodeFigures) -> Vec<Finding> {
    evaluate(node).findings
}

/// Reads a stated judgment as written: "①", "①:目標達成", "目標達成" → achieved;
/// "②", "目標未達成" → not achieved; "未確定" → undetermined. Text that shows both
/// choices (":目標達成 目標未達成", the mark lost in extraction) gives None.
pub fn parse_stated(s: &str) -> Option<Judgment> {
    let n = crate::text::normalize(s);
    let has_achieved = n.replace("目標未達成", "").contains("目標達成");
    let has_not = n.contains("目標未達成") || n.contains("未達成");
    let c1 = n.contains('①');
    let c2 = n.contains('②');
    if n.contains("未確定") && !c1 && !c2 {
        return Some(Judgment::Undetermined);
    }
    match (c1, c2) {
        (true, false) if !(has_achieved && has_not) || n.trim_start().starts_with('①') => {
            return Some(Judgment::Achieved)
        }
        (false, true) if !(has_achieved && has_not) || n.trim_start().starts_with('②') => {
            return Some(Judgment::NotAchieved)
        }
        _ => {}
    }
    if c1 || c2 {
        return None;
    }
    match (has_achieved, has_not) {
        (true, false) => Some(Judgment::Achieved),
        (false, true) => Some(Judgment::NotAchieved),
        _ => None,
    }
}
