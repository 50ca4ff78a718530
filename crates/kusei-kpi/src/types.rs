//! Public output types of the readers. All serialise with snake_case names.

use kusei_domain::model::{Comparator, Direction};
use serde::{Deserialize, Serialize};

/// Unit of a figure. Money is normalised to yen; the written unit is kept in `unit_text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// % (a share, or a relative change when followed by 増/減).
    Percent,
    /// ポイント: a percentage-point change.
    Point,
    /// 件
    Count,
    /// 回
    Times,
    /// 人 / 名
    Persons,
    /// 点 (a test score)
    Score,
    /// 円 / 千円 / 万円 / 億円, value in yen.
    Yen,
    /// ☆ marks or "N つ星".
    Stars,
    /// 分 / 時間, value in minutes (waiting times, response times).
    Minutes,
    /// 日 (days).
    Days,
}

impl Unit {
    /// The canonical way to write the unit (yen written as 円).
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Point => "ポイント",
            Unit::Count => "件",
            Unit::Times => "回",
            Unit::Persons => "人",
            Unit::Score => "点",
            Unit::Yen => "円",
            Unit::Stars => "☆",
            Unit::Minutes => "分",
            Unit::Days => "日",
        }
    }

    /// True for units whose figures are whole numbers (件, 回, 人, ☆).
    pub fn is_integral(self) -> bool {
        matches!(
            self,
            Unit::Count | Unit::Times | Unit::Persons | Unit::Stars
        )
    }

    /// How many stored (base) units one written unit is: 千円 → 1000, 億円 → 10^8, 時間 →
    /// 60; 1 for any other unit, known or not. Figures are stored in the base unit and
    /// shown in the unit as written.
    pub fn factor(written: &str) -> f64 {
        Unit::parse(written.trim()).map_or(1.0, |(_, f)| f)
    }

    /// Reads a written unit: the unit and the factor that turns the written number into
    /// the stored value (千円 → 1000).
    pub fn parse(s: &str) -> Option<(Unit, f64)> {
        Some(match s {
            "%" => (Unit::Percent, 1.0),
            "ポイント" => (Unit::Point, 1.0),
            // Counter words count things: 件, 団体, 世帯, 校, 社, 台, 冊, 施設, か所.
            "件" | "団体" | "世帯" | "校" | "社" | "台" | "冊" | "施設" | "か所" | "箇所"
            | "ヶ所" | "カ所" => (Unit::Count, 1.0),
            "回" => (Unit::Times, 1.0),
            "人" | "名" => (Unit::Persons, 1.0),
            "千人" => (Unit::Persons, 1_000.0),
            "点" => (Unit::Score, 1.0),
            "円" => (Unit::Yen, 1.0),
            "千円" => (Unit::Yen, 1_000.0),
            "万円" => (Unit::Yen, 10_000.0),
            "億円" => (Unit::Yen, 100_000_000.0),
            "つ星" | "☆" | "★" => (Unit::Stars, 1.0),
            "分" => (Unit::Minutes, 1.0),
            "時間" => (Unit::Minutes, 60.0),
            "日" => (Unit::Days, 1.0),
            _ => return None,
        })
    }
}

/// What the direction was inferred from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionBasis {
    /// 以上 / 以下 / 未満 / 超.
    Comparator,
    /// A relative target (x%減, 半減, 前年度以上 …).
    Relative,
    /// A verb in the sentence (減, 削減, 抑制, 増, 向上 …).
    Verb,
    /// Words of the indicator (不祥事, 事故 → lower; 割合, 率, 収入 → higher).
    IndicatorWords,
    /// The target is above (or below) its baseline.
    Baseline,
    /// Not inferred.
    None,
}

/// One fiscal year or a span of fiscal years (western start years).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalYears {
    /// First fiscal year (平成29年度 → 2017).
    pub start: i32,
    /// Last fiscal year; equal to `start` for a single year.
    pub end: i32,
    /// Display label ("平成29年度", "平成29年度～平成31年度").
    pub label: String,
    /// The expression as written (normalised).
    pub as_written: String,
    /// "…末までに" / "…までに": a deadline rather than the year of the figure.
    pub by_end: bool,
}

impl FiscalYears {
    /// Number of fiscal years covered (at least 1).
    pub fn len(&self) -> u32 {
        u32::try_from(self.end.saturating_sub(self.start).saturating_add(1))
            .unwrap_or(1)
            .max(1)
    }

    /// Always false: a span covers at least one year.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// True when `year` lies in the span.
    pub fn contains(&self, year: i32) -> bool {
        self.start <= year && year <= self.end
    }
}

/// An as-of date of an interim figure ("平成30年2月末現在" → 2018-02-28).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsOf {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// The fiscal year the date falls in.
    pub fiscal_year: i32,
    /// The expression as written (normalised).
    pub as_written: String,
}

impl AsOf {
    /// ISO 8601 date ("2018-02-28").
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A figure other than the target's own value: a baseline, a comparison or a reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// What the figure is about, when written ("区実績", "全市平均実績", an indicator name).
    pub label: Option<String>,
    /// Where the figure comes from, when written ("格付けアンケート").
    pub source: Option<String>,
    pub fiscal_year: Option<FiscalYears>,
    pub as_of: Option<AsOf>,
    pub value: f64,
    /// The number as written ("15,914", "☆☆").
    pub value_text: String,
    pub unit: Unit,
    /// The unit as written ("千円").
    pub unit_text: String,
}

/// Kind of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A figure to reach ("70%", "15,500千円", "☆☆以上", "3件から1件に減").
    Absolute,
    /// Defined from another figure (x%減, 半減, 前年度以上, 維持).
    Relative,
    /// Several conditions joined by かつ; see `parts`.
    Compound,
    /// Something to do, done or not done ("…を設置する").
    Milestone,
    /// To be set later ("※30・31年度の目標は、29年度の結果を踏まえて設定").
    Pending,
    /// Not understood; the sentence is kept verbatim.
    FreeText,
}

/// How a relative target is defined from its base figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum RelativeOp {
    /// base × (1 + percent/100): "2.5%増".
    IncreasePercent { percent: f64 },
    /// base × (1 − percent/100): "10%減".
    DecreasePercent { percent: f64 },
    /// base + points: "2ポイント増".
    IncreasePoints { points: f64 },
    /// base − points: "2ポイント減".
    DecreasePoints { points: f64 },
    /// base ÷ 2: "半減".
    Halve,
    /// at least the base: "前年度以上".
    AtLeastBase,
    /// at most the base: "前年度以下".
    AtMostBase,
    /// stay at the base, in the target's direction: "平成25年度電気使用量を維持".
    Maintain,
}

/// Definition of a relative target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relative {
    pub op: RelativeOp,
    /// Fiscal year whose figure is the base ("28年度件数" → 2016; "前年度" → the target's
    /// year − 1 when that is known).
    pub base_year: Option<FiscalYears>,
    /// "前年度": the base is the year before the target's year.
    pub base_is_previous_year: bool,
    /// What the base figure is, when written ("件数", "実績値", "電気使用量").
    pub base_label: Option<String>,
    /// The base figure when the sentence states it ("(6件)", "(3.08%)").
    pub base: Option<Figure>,
    /// The result the author wrote beside it ("(5件)", "(1.54%)"); kept for checking.
    pub stated_result: Option<Figure>,
    /// The relative expression as written (normalised).
    pub as_written: String,
}

/// Targets to be set later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// Years whose targets are pending (30・31年度 → 2018..=2019), when written.
    pub years: Option<FiscalYears>,
    /// The year whose results they will be based on, when written.
    pub based_on: Option<FiscalYears>,
    /// The note as written (normalised).
    pub as_written: String,
}

/// One target, read from a sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The whole sentence it came from, verbatim.
    pub text: String,
    /// The part of the (normalised) sentence this target was read from.
    pub segment: String,
    /// Label as written ("①-1", "②", "-1"), if any.
    pub label: Option<String>,
    pub kind: TargetKind,
    /// The noun phrase the figure is about ("収納率(現年度賦課分)", "独自収入").
    pub indicator: Option<String>,
    /// The sentence-level indicator when `indicator` names a sub-item of it
    /// (heading "…受検率及び理解度", indicator "受検率").
    pub heading: Option<String>,
    pub fiscal_year: Option<FiscalYears>,
    /// The value (money in yen, stars as a count).
    pub value: Option<f64>,
    /// The number as written ("15,500", "☆☆").
    pub value_text: Option<String>,
    pub unit: Option<Unit>,
    /// The unit as written ("千円", "つ星").
    pub unit_text: Option<String>,
    pub comparator: Comparator,
    /// Whether a higher or a lower figure is better; `None` ("unknown" in JSON) when
    /// nothing in the sentence says.
    #[serde(with = "kusei_domain::model::inferred_direction")]
    pub direction: Option<Direction>,
    pub direction_basis: DirectionBasis,
    /// The value is a total over the whole span ("平成29年度～平成31年度の3年間で6件").
    pub cumulative: bool,
    /// Baselines written with the target ("参考: 28年度実績85.54%", "(29年度 64%)").
    pub baselines: Vec<Figure>,
    pub relative: Option<Relative>,
    /// Conditions of a compound target (all must hold).
    pub parts: Vec<Target>,
    /// The action of a milestone target ("テーマ型団体への支援窓口を設置する").
    pub milestone: Option<String>,
    pub pending: Option<Pending>,
    /// Other notes written with the target (qualifiers, explanations, annotations).
    pub notes: Vec<String>,
}

/// Kind of an actual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActualKind {
    /// A figure ("85.1%", "15,914千円").
    Value,
    /// Only a change is given ("前年度比5件増").
    Change,
    /// Something was done ("…を設置した").
    Milestone,
    /// Not understood; kept verbatim.
    FreeText,
}

/// A change figure: "0.94ポイント増", "(17%減)".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Signed: negative for 減.
    pub value: f64,
    pub value_text: String,
    pub unit: Unit,
    pub unit_text: String,
    pub as_written: String,
}

/// One actual, read from a results text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    /// The whole text it came from, verbatim.
    pub text: String,
    /// The part of the (normalised) text this actual was read from.
    pub segment: String,
    pub kind: ActualKind,
    pub indicator: Option<String>,
    /// A header the figure sits under (【平成28年度最終実績収納率】), if any.
    pub heading: Option<String>,
    pub fiscal_year: Option<FiscalYears>,
    /// As-of date of an interim figure.
    pub as_of: Option<AsOf>,
    /// The figure is not final ("…現在").
    pub interim: bool,
    pub value: Option<f64>,
    pub value_text: Option<String>,
    pub unit: Option<Unit>,
    pub unit_text: Option<String>,
    pub change: Option<Change>,
    /// Figures given for comparison ("(28年度34件 27年度34件)", "(29年2月末現在 97.08%)").
    pub comparisons: Vec<Figure>,
    /// What was done, for a milestone ("テーマ型団体への支援窓口を設置した").
    pub done: Option<String>,
    pub notes: Vec<String>,
}

/// A target sentence split out of a (目標) block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSentence {
    /// Label as written ("①-1", "②", "-1"), if any.
    pub label: Option<String>,
    /// The sentence, markup removed, including its label.
    pub text: String,
}
