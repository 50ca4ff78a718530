//! Grading rules: a city's judgment scale and progress-rate thresholds, as data.

use crate::judge::TargetJudgment;
use kusei_domain::judgment::Judgment;
use serde::{Deserialize, Serialize};

/// One grade of a scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    /// Code as written ("①", "A").
    pub code: String,
    /// Label ("概ね順調", "達成").
    pub label: String,
    /// What the grade means for roll-ups (never `unknown`: a grade is computed).
    pub meaning: Judgment,
}

/// One threshold: a progress rate at or above `min_rate` earns `grade`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// Progress rate (1.0 = 100 %).
    pub min_rate: f64,
    /// Grade code.
    pub grade: String,
}

/// Thresholds for targets whose period is `min_years..=max_years` fiscal years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub min_years: u32,
    /// None: no upper bound.
    pub max_years: Option<u32>,
    /// Checked from the highest `min_rate` down; the first met wins.
    pub thresholds: Vec<Threshold>,
    /// Grade when no threshold is met.
    pub otherwise: String,
}

/// A city's grading rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradingRules {
    pub name: String,
    pub scale: Vec<Grade>,
    pub bands: Vec<Band>,
    /// Grade for targets that cannot be measured (not numeric, no actual, unit
    /// mismatch). None: such targets are excluded from the roll-up and counted apart.
    pub unmeasurable: Option<String>,
}

/// A grading rule set that does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradingError {
    #[error("grade code {0} is used by a threshold but not in the scale")]
    UnknownGrade(String),
    #[error("no band covers a period of {0} year(s)")]
    Uncovered(u32),
    #[error("the scale is empty")]
    EmptyScale,
    #[error("grade {0} means unknown, but a computed grade is always known")]
    UnknownMeaning(String),
}

/// The grade a target earns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeOutcome {
    /// None when the target is excluded (not measurable and no grade for that).
    pub grade: Option<Grade>,
    pub progress: Option<f64>,
    /// The threshold that was met (or the lowest that was missed).
    pub threshold: Option<f64>,
    pub reason_ja: String,
}

fn grade(code: &str, label: &str, meaning: Judgment) -> Grade {
    Grade {
        code: code.to_string(),
        label: label.to_string(),
        meaning,
    }
}

fn th(min_rate: f64, g: &str) -> Threshold {
    Threshold {
        min_rate,
        grade: g.to_string(),
    }
}

impl GradingRules {
    /// Osaka's published method for outcome targets: progress = actual ÷ target;
    /// ① 概ね順調 when it reaches 90 % for one- and two-year targets, 66.7 % for targets of
    /// three years or more; otherwise ② 必ずしも順調ではない. Unmeasurable targets are
    /// excluded and counted apart.
    pub fn osaka() -> GradingRules {
        GradingRules {
            name: "大阪市（成果目標の進捗）".to_string(),
            scale: vec![
                grade("①", "概ね順調", Judgment::Achieved),
                grade("②", "必ずしも順調ではない", Judgment::NotAchieved),
            ],
            bands: vec![
                Band {
                    min_years: 1,
                    max_years: Some(2),
                    thresholds: vec![th(0.9, "①")],
                    otherwise: "②".to_string(),
                },
                Band {
                    min_years: 3,
                    max_years: None,
                    // 66.7 %: two years of three on track.
                    thresholds: vec![th(2.0 / 3.0, "①")],
                    otherwise: "②".to_string(),
                },
            ],
            unmeasurable: None,
        }
    }

    /// A three-grade scale (①目標達成 ≥ 100 %, ②概ね達成 ≥ 80 %, ③未達成), with
    /// unmeasurable targets excluded.
    pub fn three_grades() -> GradingRules {
        GradingRules {
            name: "①②③".to_string(),
            scale: vec![
                grade("①", "目標達成", Judgment::Achieved),
                grade("②", "概ね達成", Judgment::NotAchieved),
                grade("③", "未達成", Judgment::NotAchieved),
            ],
            bands: vec![Band {
                min_years: 1,
                max_years: None,
                thresholds: vec![th(1.0, "①"), th(0.8, "②")],
                otherwise: "③".to_string(),
            }],
            unmeasurable: None,
        }
    }

    /// A Nagoya-like A–D default: A 達成 (≥ 100 %), B 概ね達成 (≥ 80 %), C やや遅れ
    /// (≥ 50 %), D 遅れ (< 50 %). The percentages are a default to be set per city.
    pub fn nagoya_like() -> GradingRules {
        GradingRules {
            name: "A–D".to_string(),
            scale: vec![
                grade("A", "達成", Judgment::Achieved),
                grade("B", "概ね達成", Judgment::NotAchieved),
                grade("C", "やや遅れ", Judgment::NotAchieved),
                grade("D", "遅れ", Judgment::NotAchieved),
            ],
            bands: vec![Band {
                min_years: 1,
                max_years: None,
                thresholds: vec![th(1.0, "A"), th(0.8, "B"), th(0.5, "C")],
                otherwise: "D".to_string(),
            }],
            unmeasurable: None,
        }
    }

    /// The grade with this code.
    pub fn grade_by_code(&self, code: &str) -> Option<&Grade> {
        self.scale.iter().find(|g| g.code == code)
    }

    /// Checks that every code used exists and that periods of 1 to 5 years are covered.
    pub fn validate(&self) -> Result<(), GradingError> {
        if self.scale.is_empty() {
            return Err(GradingError::EmptyScale);
        }
        if let Some(g) = self.scale.iter().find(|g| g.meaning == Judgment::Unknown) {
            return Err(GradingError::UnknownMeaning(g.code.clone()));
        }
        for b in &self.bands {
            for c in b
                .thresholds
                .iter()
                .map(|t| t.grade.as_str())
                .chain(std::iter::once(b.otherwise.as_str()))
            {
                if self.grade_by_code(c).is_none() {
                    return Err(GradingError::UnknownGrade(c.to_string()));
                }
            }
        }
        if let Some(c) = &self.unmeasurable {
            if self.grade_by_code(c).is_none() {
                return Err(GradingError::UnknownGrade(c.clone()));
            }
        }
        for y in 1..=5 {
            if self.band(y).is_none() {
                return Err(GradingError::Uncovered(y));
            }
        }
        Ok(())
    }

    fn band(&self, years: u32) -> Option<&Band> {
        self.bands
            .iter()
            .find(|b| b.min_years <= years && b.max_years.is_none_or(|m| years <= m))
    }

    /// Grades a progress rate for a target of `period_years` years.
    pub fn grade_rate(&self, progress: f64, period_years: u32) -> GradeOutcome {
        let Some(band) = self.band(period_years.max(1)) else {
            return GradeOutcome {
                grade: None,
                progress: Some(progress),
                threshold: None,
                reason_ja: format!("{period_years}年の目標に適用する基準がない"),
            };
        };
        let mut ths: Vec<&Threshold> = band.thresholds.iter().collect();
        ths.sort_by(|a, b| {
            b.min_rate
                .partial_cmp(&a.min_rate)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let pct = |r: f64| format!("{}%", crate::judge::fmt_num(r * 100.0));
        for t in &ths {
            if progress + 1e-9 >= t.min_rate {
                return GradeOutcome {
                    grade: self.grade_by_code(&t.grade).cloned(),
                    progress: Some(progress),
                    threshold: Some(t.min_rate),
                    reason_ja: format!(
                        "進捗率 {} ≧ {}（{}年の目標）",
                        pct(progress),
                        pct(t.min_rate),
                        period_years
                    ),
                };
            }
        }
        let lowest = ths.last().map(|t| t.min_rate);
        GradeOutcome {
            grade: self.grade_by_code(&band.otherwise).cloned(),
            progress: Some(progress),
            threshold: lowest,
            reason_ja: match lowest {
                Some(l) => format!(
                    "進捗率 {} < {}（{}年の目標）",
                    pct(progress),
                    pct(l),
                    period_years
                ),
                None => format!("進捗率 {}", pct(progress)),
            },
        }
    }

    /// Grades a judged target by its progress rate (interim figures included, as in
    /// the city's mid-year check). Targets without a rate get the `unmeasurable` grade
    /// or none (excluded).
    pub fn grade(&self, j: &TargetJudgment) -> GradeOutcome {
        let progress = if j.parts.is_empty() {
            j.progress
        } else {
            // A compound target is as far as its least advanced condition.
            j.parts
                .iter()
                .map(|p| p.progress)
                .try_fold(f64::INFINITY, |m, p| p.map(|v| m.min(v)))
        };
        match progress {
            Some(p) if p.is_finite() => self.grade_rate(p, j.period_years),
            _ => GradeOutcome {
                grade: self
                    .unmeasurable
                    .as_deref()
                    .and_then(|c| self.grade_by_code(c))
                    .cloned(),
                progress: None,
                threshold: None,
                reason_ja: format!("測定不能のため集計対象外（{}）", j.reason_ja),
            },
        }
    }
}
