//! Judgments, judgment scales and the rules of the PDCA forms.
//!
//! Scales are data: Osaka writes ①②, some forms ①②③, Nagoya A–D. Each grade maps to a
//! [`Judgment`] meaning so that roll-ups work across cities.

use crate::model::{Evaluation, Review};
use serde::{Deserialize, Serialize};

/// What a judgment means, whatever the scale writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgment {
    /// ①目標達成 / 概ね順調.
    Achieved,
    /// ②目標未達成 / 必ずしも順調ではない.
    NotAchieved,
    /// 未確定: the figure is interim or not yet known.
    Undetermined,
    /// The document no longer shows which answer was chosen; never guessed.
    Unknown,
}

impl Judgment {
    pub fn code(self) -> &'static str {
        match self {
            Judgment::Achieved => "achieved",
            Judgment::NotAchieved => "not_achieved",
            Judgment::Undetermined => "undetermined",
            Judgment::Unknown => "unknown",
        }
    }
    pub fn from_code(code: &str) -> Option<Judgment> {
        match code {
            "achieved" => Some(Judgment::Achieved),
            "not_achieved" => Some(Judgment::NotAchieved),
            "undetermined" => Some(Judgment::Undetermined),
            "unknown" => Some(Judgment::Unknown),
            _ => None,
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Judgment::Achieved => "目標達成",
            Judgment::NotAchieved => "目標未達成",
            Judgment::Undetermined => "未確定",
            Judgment::Unknown => "不明（原本で判読不能）",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Judgment::Achieved => "achieved",
            Judgment::NotAchieved => "not achieved",
            Judgment::Undetermined => "not yet determined",
            Judgment::Unknown => "unknown (not legible in the source)",
        }
    }
}

/// 取組内容の実施見込み: (i) / (ii).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImplementationProspect {
    /// (i) 実施見込み
    Expected,
    /// (ii) 実施できない見込み
    NotExpected,
}

impl ImplementationProspect {
    pub fn code(self) -> &'static str {
        match self {
            ImplementationProspect::Expected => "expected",
            ImplementationProspect::NotExpected => "not_expected",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "expected" => Some(Self::Expected),
            "not_expected" => Some(Self::NotExpected),
            _ => None,
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            ImplementationProspect::Expected => "(i) 実施見込み",
            ImplementationProspect::NotExpected => "(ii) 実施できない見込み",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            ImplementationProspect::Expected => "(i) will be carried out",
            ImplementationProspect::NotExpected => "(ii) will not be carried out",
        }
    }
}

/// 目標の達成見込み: ① / ②.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AchievementProspect {
    /// ① 達成見込み
    OnTrack,
    /// ② 達成できない見込み
    OffTrack,
}

impl AchievementProspect {
    pub fn code(self) -> &'static str {
        match self {
            AchievementProspect::OnTrack => "on_track",
            AchievementProspect::OffTrack => "off_track",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "on_track" => Some(Self::OnTrack),
            "off_track" => Some(Self::OffTrack),
            _ => None,
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            AchievementProspect::OnTrack => "① 達成見込み",
            AchievementProspect::OffTrack => "② 達成できない見込み",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            AchievementProspect::OnTrack => "① on track to be reached",
            AchievementProspect::OffTrack => "② not expected to be reached",
        }
    }
}

/// One grade of a scale: its code as written, its label and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    pub code: String,
    pub label: String,
    pub meaning: Judgment,
}

/// A judgment scale, set per city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgmentScale {
    pub name: String,
    pub grades: Vec<Grade>,
}

impl JudgmentScale {
    fn of(name: &str, grades: &[(&str, &str, Judgment)]) -> JudgmentScale {
        JudgmentScale {
            name: name.to_string(),
            grades: grades
                .iter()
                .map(|(code, label, meaning)| Grade {
                    code: code.to_string(),
                    label: label.to_string(),
                    meaning: *meaning,
                })
                .collect(),
        }
    }
    /// ①目標達成 / ②目標未達成 (Osaka's 自己評価).
    pub fn two_grades() -> JudgmentScale {
        JudgmentScale::of(
            "①②",
            &[
                ("①", "目標達成", Judgment::Achieved),
                ("②", "目標未達成", Judgment::NotAchieved),
            ],
        )
    }
    /// ①②③ with a middle grade that counts as not achieved.
    pub fn three_grades() -> JudgmentScale {
        JudgmentScale::of(
            "①②③",
            &[
                ("①", "目標達成", Judgment::Achieved),
                ("②", "概ね達成", Judgment::NotAchieved),
                ("③", "未達成", Judgment::NotAchieved),
            ],
        )
    }
    /// A–D (Nagoya style).
    pub fn a_to_d() -> JudgmentScale {
        JudgmentScale::of(
            "A–D",
            &[
                ("A", "達成", Judgment::Achieved),
                ("B", "概ね達成", Judgment::NotAchieved),
                ("C", "やや遅れ", Judgment::NotAchieved),
                ("D", "遅れ", Judgment::NotAchieved),
            ],
        )
    }
    pub fn grade(&self, code: &str) -> Option<&Grade> {
        self.grades.iter().find(|g| g.code == code)
    }
}

/// A broken form rule, naming the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleViolation {
    /// Field name as used by forms and the API: `remedy`, `results`, …
    pub field: &'static str,
    pub message_ja: &'static str,
    pub message_en: &'static str,
}

fn blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(|t| t.trim().is_empty())
}

const REMEDY_REQUIRED: RuleViolation = RuleViolation {
    field: "remedy",
    message_ja: "「②」または「(ii)」の場合は課題と改善策の記入が必須です。",
    message_en: "Issues and remedies are required when the answer is ② or (ii).",
};

/// A field longer than a field may hold ([`crate::content::MAX_TEXT_CHARS`]).
fn too_long(field: &'static str) -> RuleViolation {
    RuleViolation {
        field,
        message_ja: "32,767文字以内で入力してください（表計算のセルに入る長さです）。",
        message_en: "Use at most 32,767 characters (what a spreadsheet cell holds).",
    }
}

fn long(text: &Option<String>) -> bool {
    text.as_deref().is_some_and(crate::content::too_long)
}

impl Review {
    /// DOMAIN rule: 課題と改善策 is required when the answer is (ii) or ②.
    pub fn violations(&self) -> Vec<RuleViolation> {
        let off = self.implementation == Some(ImplementationProspect::NotExpected)
            || self.achievement == Some(AchievementProspect::OffTrack);
        let mut out = Vec::new();
        if off && blank(&self.remedy) {
            out.push(REMEDY_REQUIRED);
        }
        if long(&self.remedy) {
            out.push(too_long("remedy"));
        }
        out
    }
}

impl Evaluation {
    /// DOMAIN rule: 課題と改善策 is required when ②目標未達成.
    pub fn violations(&self) -> Vec<RuleViolation> {
        let mut out = Vec::new();
        if self.stated == Judgment::NotAchieved && blank(&self.remedy) {
            out.push(RuleViolation {
                field: "remedy",
                message_ja: "「②目標未達成」の場合は課題と改善策の記入が必須です。",
                message_en: "Issues and remedies are required when the target was not achieved.",
            });
        }
        if crate::content::too_long(&self.results) {
            out.push(too_long("results"));
        }
        if long(&self.remedy) {
            out.push(too_long("remedy"));
        }
        if long(&self.explanation) {
            out.push(too_long("explanation"));
        }
        out
    }
}
