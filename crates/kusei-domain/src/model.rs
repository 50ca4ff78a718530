//! The entities of an annual management plan, as plain data.
//!
//! A municipality has organisation units (city, ward, section/担当, …); a unit has one plan
//! per document family and period; a plan holds nodes whose hierarchy is given by links,
//! so that one node can be listed under several parents (再掲) without being copied.
//! Level names (経営課題 / 戦略 / 具体的取組, 取組項目, 重点分野 / ■ / ○ …) are data.

use crate::calendar::{Date, FiscalYear, YearMonth};
use crate::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }
    )*};
}
id_type!(
    MunicipalityId,
    UnitId,
    PlanId,
    NodeId,
    IndicatorId,
    TargetId,
    UserId,
    DocumentId
);

/// 自治体: a city, ward-less town or prefecture, identified by its 全国地方公共団体コード.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Municipality {
    pub id: MunicipalityId,
    /// 6-digit local government code (5 digits + check digit), kept as text.
    pub code: String,
    pub name: String,
    pub is_sample: bool,
}

/// Why a 全国地方公共団体コード cannot be right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    /// Not six half-width digits.
    Shape,
    /// The first two digits are no prefecture (01–47).
    Prefecture,
    /// The sixth digit is not the check digit of the first five (it would be `expected`).
    CheckDigit { expected: u32 },
}

impl CodeProblem {
    pub fn ja(self) -> String {
        match self {
            CodeProblem::Shape => {
                "団体コードは半角数字6桁で入力してください（例: 271004）。".into()
            }
            CodeProblem::Prefecture => "団体コードの上2桁は都道府県コード（01～47）です。".into(),
            CodeProblem::CheckDigit { expected } => format!(
                "団体コードの6桁目（検査数字）が合いません。上5桁からは {expected} になります。"
            ),
        }
    }
    pub fn en(self) -> String {
        match self {
            CodeProblem::Shape => "Enter the code as six digits (e.g. 271004).".into(),
            CodeProblem::Prefecture => "The first two digits are the prefecture (01 to 47).".into(),
            CodeProblem::CheckDigit { expected } => format!(
                "The sixth digit (the check digit) does not match: the first five give {expected}."
            ),
        }
    }
}

/// Checks a 6-digit 全国地方公共団体コード (JIS X 0402): a prefecture 01–47, and the sixth
/// digit the check digit of the first five (weights 6, 5, 4, 3, 2; 11 − the sum mod 11,
/// its last digit).
pub fn check_local_government_code(code: &str) -> Result<(), CodeProblem> {
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    if code.len() != 6 || digits.len() != 6 {
        return Err(CodeProblem::Shape);
    }
    let prefecture = digits[0] * 10 + digits[1];
    if !(1..=47).contains(&prefecture) {
        return Err(CodeProblem::Prefecture);
    }
    let sum: u32 = digits[..5]
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    let expected = (11 - sum % 11) % 10;
    if digits[5] != expected {
        return Err(CodeProblem::CheckDigit { expected });
    }
    Ok(())
}

/// Kinds of organisation unit. Stored as the stable code of [`UnitKind::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    City,
    Ward,
    Bureau,
    /// 課 (e.g. 総務課).
    Division,
    /// 担当 / 係 (e.g. 総合企画), the unit that owns initiatives and answers the phone.
    Section,
}

impl UnitKind {
    /// Whether a unit of this kind may sit under `parent` (`None`: at the top of its
    /// municipality). A city holds wards, bureaus and divisions; a ward or a bureau holds
    /// divisions and sections; a division holds sections; a section holds nothing. At the
    /// top: the city, a ward, a bureau, or a division (a town without wards).
    pub fn fits_under(self, parent: Option<UnitKind>) -> bool {
        use UnitKind::*;
        match parent {
            None => matches!(self, City | Ward | Bureau | Division),
            Some(City) => matches!(self, Ward | Bureau | Division),
            Some(Ward | Bureau) => matches!(self, Division | Section),
            Some(Division) => self == Section,
            Some(Section) => false,
        }
    }

    pub const ALL: [UnitKind; 5] = [
        UnitKind::City,
        UnitKind::Ward,
        UnitKind::Bureau,
        UnitKind::Division,
        UnitKind::Section,
    ];
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::City => "city",
            UnitKind::Ward => "ward",
            UnitKind::Bureau => "bureau",
            UnitKind::Division => "division",
            UnitKind::Section => "section",
        }
    }
    pub fn from_code(code: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == code)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            UnitKind::City => "市",
            UnitKind::Ward => "区",
            UnitKind::Bureau => "局",
            UnitKind::Division => "課",
            UnitKind::Section => "担当",
        }
    }
}

/// 組織: a unit with its contact data (as in a 業務一覧).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub municipality_id: MunicipalityId,
    pub parent_id: Option<UnitId>,
    pub kind: UnitKind,
    pub name: String,
    pub phone: Option<String>,
    pub fax: Option<String>,
    /// 主な業務内容.
    pub duties: Option<String>,
    /// When the unit was retired (廃止; RFC 3339 UTC), or `None` while in use. A retired
    /// unit keeps its history and the items it owned, but is offered for nothing new.
    #[serde(default)]
    pub retired_at: Option<String>,
}

/// The document family a plan follows; decides the form layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// 市政改革プランに基づく取組等: 取組項目 sheets (計画 / 中間振り返り / 自己評価).
    ReformItems,
    /// Multi-year results table (課題 / 具体的取組 / 取組目標 / 成果 / 主な実績).
    ResultsTable,
    /// Plan tree (重点分野 → ■ → ○ → item, ☆, 再掲).
    PlanTree,
    /// 区運営方針 sheet: 経営課題 → 戦略 → 具体的取組 (+ 業務一覧).
    ManagementSheet,
}

impl Family {
    pub const ALL: [Family; 4] = [
        Family::ReformItems,
        Family::ResultsTable,
        Family::PlanTree,
        Family::ManagementSheet,
    ];
    /// Stable code, the same as the `family` of the import JSON.
    pub fn code(self) -> &'static str {
        match self {
            Family::ReformItems => "reform_items",
            Family::ResultsTable => "results_table",
            Family::PlanTree => "plan_tree",
            Family::ManagementSheet => "management_sheet",
        }
    }
    pub fn from_code(code: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.code() == code)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Family::ReformItems => "市政改革プランに基づく取組",
            Family::ResultsTable => "取組成果一覧",
            Family::PlanTree => "改革計画体系",
            Family::ManagementSheet => "区運営方針",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Family::ReformItems => "Reform initiatives",
            Family::ResultsTable => "Results table",
            Family::PlanTree => "Reform plan tree",
            Family::ManagementSheet => "Ward management plan",
        }
    }
    /// The level names a new plan of this family starts with (data, may be changed per plan).
    pub fn default_levels(self) -> Vec<String> {
        let names: &[&str] = match self {
            Family::ReformItems => &["取組項目"],
            Family::ResultsTable => &["章", "課題", "具体的取組"],
            Family::PlanTree => &["章", "重点分野", "■", "○", "取組"],
            Family::ManagementSheet => &["経営課題", "戦略", "具体的取組"],
        };
        names.iter().map(|s| s.to_string()).collect()
    }
}

/// Workflow state of a plan version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Submitted,
    Approved,
    Published,
}

impl PlanStatus {
    pub fn code(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
            PlanStatus::Published => "published",
        }
    }
    pub fn from_code(code: &str) -> Option<PlanStatus> {
        [
            PlanStatus::Draft,
            PlanStatus::Submitted,
            PlanStatus::Approved,
            PlanStatus::Published,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            PlanStatus::Draft => "作成中",
            PlanStatus::Submitted => "承認待ち",
            PlanStatus::Approved => "承認済み",
            PlanStatus::Published => "公表済み",
        }
    }
}

/// A span of fiscal years; most plans cover one year, some a span like 平成19–22年度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub start: FiscalYear,
    pub end: FiscalYear,
}

impl Period {
    pub fn year(fy: FiscalYear) -> Period {
        Period { start: fy, end: fy }
    }
    /// A period whose end is before its start is swapped into order.
    pub fn span(a: FiscalYear, b: FiscalYear) -> Period {
        Period {
            start: a.min(b),
            end: a.max(b),
        }
    }
    pub fn contains(&self, fy: FiscalYear) -> bool {
        self.start <= fy && fy <= self.end
    }
    /// A fiscal year or a span as users write it: 「令和7年度」, 「2025」, 「令和2～4年度」
    /// (the end in the start's era), 「令和2年度～令和4年度」, 「2020-2022」, 「R2からR4」.
    /// An end before the start is refused, not swapped.
    pub fn parse(s: &str) -> Result<Period, String> {
        let t = s.trim();
        let cut = ["から", "～", "〜", "~", "－", "-", "―"]
            .iter()
            .filter_map(|sep| t.find(sep).map(|i| (i, sep.len())))
            .filter(|(i, _)| *i > 0)
            .min();
        let Some((i, len)) = cut else {
            return FiscalYear::parse(t, None)
                .map(Period::year)
                .map_err(|e| e.to_string());
        };
        let (a, b) = (t[..i].trim(), t[i + len..].trim().trim_end_matches("まで"));
        let start = FiscalYear::parse(a, None).map_err(|e| format!("{a}: {e}"))?;
        let end = FiscalYear::parse(b, Some(start)).map_err(|e| format!("{b}: {e}"))?;
        if end < start {
            return Err(format!(
                "{}は{}より前です（開始～終了の順に書いてください） / the end is before the start",
                end.label(),
                start.label()
            ));
        }
        Ok(Period { start, end })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start.label())
        } else {
            let end = self.end.label();
            write!(
                f,
                "{}～{}",
                self.start.label().trim_end_matches("年度"),
                end
            )
        }
    }
}

/// 運営方針・計画: one unit's plan of one family for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: PlanId,
    pub unit_id: UnitId,
    pub period: Period,
    pub family: Family,
    pub title: String,
    /// Names of the hierarchy's levels, top first, as the document writes them.
    pub level_names: Vec<String>,
    pub status: PlanStatus,
    pub version: i64,
    pub is_sample: bool,
}

/// How a node appears under a parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Where the node belongs.
    Primary,
    /// 再掲: the same node listed again under another parent.
    Repeat,
}

impl LinkKind {
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Primary => "primary",
            LinkKind::Repeat => "repeat",
        }
    }
    pub fn from_code(code: &str) -> Option<LinkKind> {
        match code {
            "primary" => Some(LinkKind::Primary),
            "repeat" => Some(LinkKind::Repeat),
            _ => None,
        }
    }
}

/// Parent → child edge of a plan's hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub parent: NodeId,
    pub child: NodeId,
    pub position: i64,
    pub kind: LinkKind,
}

/// Which phase of the PDCA year a text section belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 計画 (including 当年度の取組内容).
    Plan,
    /// 中間振り返り.
    Review,
    /// 自己評価 / 年度評価.
    Evaluation,
}

impl Phase {
    pub fn code(self) -> &'static str {
        match self {
            Phase::Plan => "plan",
            Phase::Review => "review",
            Phase::Evaluation => "evaluation",
        }
    }
    pub fn from_code(code: &str) -> Option<Phase> {
        match code {
            "plan" => Some(Phase::Plan),
            "review" => Some(Phase::Review),
            "evaluation" => Some(Phase::Evaluation),
            _ => None,
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Phase::Plan => "計画",
            Phase::Review => "中間振り返り",
            Phase::Evaluation => "自己評価",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Phase::Plan => "Plan",
            Phase::Review => "Mid-year review",
            Phase::Evaluation => "Year-end evaluation",
        }
    }
}

/// A titled text of a node, e.g. (趣旨・目的) or 《めざす状態》.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub phase: Phase,
    pub heading: String,
    pub body: String,
}

/// 計画要素: an element of a plan at some level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: NodeId,
    pub plan_id: PlanId,
    pub level: String,
    /// Number as written: `1`, `4-1`, `4-1-1`, `①`.
    pub number: Option<String>,
    pub title: String,
    pub subtitle: Option<String>,
    /// Marks such as ☆.
    pub marks: Vec<String>,
    /// 担当: the section that owns the node.
    pub owner_unit_id: Option<UnitId>,
    pub sections: Vec<Section>,
    /// Optimistic-locking version, bumped on every change.
    pub version: i64,
}

/// Whether a higher or a lower figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
        }
    }
    pub fn from_code(code: &str) -> Option<Direction> {
        match code {
            "higher" => Some(Direction::HigherIsBetter),
            "lower" => Some(Direction::LowerIsBetter),
            _ => None,
        }
    }
}

/// The serde form of a direction inferred from a sentence, `Option<Direction>` where
/// `None` means nothing in the sentence says: `"higher"`, `"lower"` or `"unknown"` (the
/// form of the import JSON's `reading.direction`). Use on a field with
/// `#[serde(with = "kusei_domain::model::inferred_direction")]`.
pub mod inferred_direction {
    use super::Direction;
    use serde::{Deserialize, Deserializer, Serializer};

    /// `"higher"`, `"lower"` or `"unknown"`.
    pub fn code(d: Option<Direction>) -> &'static str {
        d.map_or("unknown", Direction::code)
    }

    pub fn serialize<S: Serializer>(d: &Option<Direction>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(code(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Direction>, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "unknown" => Ok(None),
            other => Direction::from_code(other).map(Some).ok_or_else(|| {
                serde::de::Error::unknown_variant(other, &["higher", "lower", "unknown"])
            }),
        }
    }
}

/// 指標: a measured quantity, comparable across units and years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: IndicatorId,
    pub municipality_id: MunicipalityId,
    pub name: String,
    /// Measurement unit as written: %, 件, 千円, ☆ …
    pub unit: String,
    pub direction: Direction,
    pub definition: Option<String>,
    /// Where the figure comes from (区民アンケート, 住民基本台帳 …).
    pub source: Option<String>,
    /// 共通指標: set by the city for all wards.
    pub is_common: bool,
}

/// Comparators a target can state. `Equal` means none was written: the figure is to be
/// reached in the target's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// 以上
    AtLeast,
    /// 超 / を超える / を上回る
    MoreThan,
    /// 以下 / 以内
    AtMost,
    /// 未満 / を下回る
    LessThan,
    /// 維持: stay at (or better than) a baseline.
    Maintain,
    /// No comparator written: reach the figure in the target's direction.
    Equal,
}

impl Comparator {
    pub fn code(self) -> &'static str {
        match self {
            Comparator::AtLeast => "at_least",
            Comparator::MoreThan => "more_than",
            Comparator::AtMost => "at_most",
            Comparator::LessThan => "less_than",
            Comparator::Maintain => "maintain",
            Comparator::Equal => "equal",
        }
    }
    pub fn from_code(code: &str) -> Option<Comparator> {
        [
            Comparator::AtLeast,
            Comparator::MoreThan,
            Comparator::AtMost,
            Comparator::LessThan,
            Comparator::Maintain,
            Comparator::Equal,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Comparator::AtLeast => "以上",
            Comparator::MoreThan => "超",
            Comparator::AtMost => "以下",
            Comparator::LessThan => "未満",
            Comparator::Maintain => "維持",
            Comparator::Equal => "",
        }
    }
    /// Reads a comparator as written in a sentence (以上, を超える, 以内, を下回る, 維持 …).
    pub fn parse(s: &str) -> Option<Comparator> {
        Some(match s {
            "以上" => Comparator::AtLeast,
            "超" | "を超える" | "を上回る" => Comparator::MoreThan,
            "以下" | "以内" => Comparator::AtMost,
            "未満" | "を下回る" => Comparator::LessThan,
            "維持" | "を維持" => Comparator::Maintain,
            _ => return None,
        })
    }
    /// The direction a comparator implies, if any.
    pub fn direction(self) -> Option<Direction> {
        match self {
            Comparator::AtLeast | Comparator::MoreThan => Some(Direction::HigherIsBetter),
            Comparator::AtMost | Comparator::LessThan => Some(Direction::LowerIsBetter),
            Comparator::Maintain | Comparator::Equal => None,
        }
    }
}

/// 目標: a target of a node, structured where understood, always with its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub indicator_id: Option<IndicatorId>,
    pub period: Option<Period>,
    pub value: Option<f64>,
    pub measure_unit: Option<String>,
    pub comparator: Option<Comparator>,
    /// The sentence as written; never dropped.
    pub text: String,
    /// The indicator as the document names it beside the sentence, when the sentence does
    /// not name it itself (a table's series row: 「収納率 【平成29年度】 ・85.80%」 stores the
    /// sentence 「85.80%」 with the indicator 収納率).
    #[serde(default)]
    pub indicator_name: Option<String>,
    /// Written as this year's target (the 取組項目 form's 当年度の取組内容 column): judged
    /// before the multi-year targets of the same item.
    #[serde(default)]
    pub this_year: bool,
}

/// 実績: an actual figure, possibly interim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    pub indicator_id: Option<IndicatorId>,
    pub fiscal_year: Option<FiscalYear>,
    pub value: Option<f64>,
    pub measure_unit: Option<String>,
    /// Set when the figure is interim (平成30年2月末現在).
    pub as_of: Option<Date>,
    pub text: String,
}

/// 中間振り返り for one node and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub fiscal_year: FiscalYear,
    pub implementation: Option<ImplementationProspect>,
    pub achievement: Option<AchievementProspect>,
    /// 課題と改善策.
    pub remedy: Option<String>,
}

/// 自己評価 for one node and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub fiscal_year: FiscalYear,
    /// 当年度の取組実績及び目標の達成状況.
    pub results: String,
    pub stated: Judgment,
    /// 課題と改善策.
    pub remedy: Option<String>,
    /// Why the stated judgment differs from what the figures say (判定の理由); required
    /// by the forms when they contradict.
    #[serde(default)]
    pub explanation: Option<String>,
}

/// A point or span in time of a 主な実績 entry: "18年4月～", "(21年度～22年度)".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Month(YearMonth),
    FiscalYear(FiscalYear),
}

/// 主な実績: a dated milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub from: Option<When>,
    pub to: Option<When>,
    /// "～" with no end: still going.
    pub open_ended: bool,
    pub text: String,
}

#[cfg(test)]
mod tests {
    #[test]
    fn unit_kinds_fit_their_parents() {
        use super::UnitKind::*;
        assert!(Ward.fits_under(Some(City)) && Section.fits_under(Some(Division)));
        assert!(Division.fits_under(None) && Ward.fits_under(None));
        assert!(!Ward.fits_under(Some(Section)), "no ward under a section");
        assert!(!Ward.fits_under(Some(Ward)) && !City.fits_under(Some(Ward)));
        assert!(!Section.fits_under(None) && !Section.fits_under(Some(Section)));
    }

    #[test]
    fn local_government_codes_have_their_check_digit() {
        use super::{check_local_government_code as check, CodeProblem};
        // 大阪市, 札幌市, 千代田区, 堺市, 横浜市鶴見区: real codes.
        for ok in ["271004", "011002", "131016", "271403", "141011"] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        // Remainders 0 and 1 give 1 and 0.
        assert_eq!(
            check("271005"),
            Err(CodeProblem::CheckDigit { expected: 4 })
        );
        for bad in ["27100", "2710044", "27100a", "２７１００４", ""] {
            assert_eq!(check(bad), Err(CodeProblem::Shape), "{bad:?}");
        }
        assert_eq!(check("999997"), Err(CodeProblem::Prefecture));
        assert_eq!(check("001007"), Err(CodeProblem::Prefecture));
        // Every 5-digit code has exactly one check digit that passes.
        for five in [27100, 1100, 13101, 40130, 47201] {
            let passing = (0..10)
                .filter(|d| check(&format!("{five:05}{d}")).is_ok())
                .count();
            assert_eq!(passing, 1, "{five}");
        }
    }

    #[test]
    fn periods_as_users_write_them() {
        let fy = |y| FiscalYear::new(y).unwrap();
        for (s, a, b) in [
            ("令和7年度", 2025, 2025),
            ("2025", 2025, 2025),
            ("令和2～4年度", 2020, 2022),
            ("令和2年度～令和4年度", 2020, 2022),
            ("2020-2022", 2020, 2022),
            ("R2からR4まで", 2020, 2022),
            ("平成30～令和2年度", 2018, 2020),
        ] {
            assert_eq!(
                Period::parse(s),
                Ok(Period {
                    start: fy(a),
                    end: fy(b)
                }),
                "{s}"
            );
        }
        assert!(Period::parse("令和4～2年度").is_err());
        assert!(Period::parse("来年").is_err());
    }

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Read {
        #[serde(with = "inferred_direction")]
        direction: Option<Direction>,
    }

    #[test]
    fn inferred_direction_is_higher_lower_or_unknown() {
        for (d, code) in [
            (Some(Direction::HigherIsBetter), "higher"),
            (Some(Direction::LowerIsBetter), "lower"),
            (None, "unknown"),
        ] {
            let json = serde_json::to_string(&Read { direction: d }).unwrap();
            assert_eq!(json, format!(r#"{{"direction":"{code}"}}"#));
            assert_eq!(serde_json::from_str::<Read>(&json).unwrap().direction, d);
        }
        assert!(serde_json::from_str::<Read>(r#"{"direction":"higher_is_better"}"#).is_err());
        // An indicator's direction keeps its own serde form.
        assert_eq!(
            serde_json::to_string(&Direction::HigherIsBetter).unwrap(),
            r#""higher_is_better""#
        );
    }

    #[test]
    fn comparators_as_written() {
        assert_eq!(Comparator::parse("を超える"), Some(Comparator::MoreThan));
        assert_eq!(Comparator::parse("以内"), Some(Comparator::AtMost));
        assert_eq!(Comparator::parse("程度"), None);
        assert_eq!(
            Comparator::AtLeast.direction(),
            Some(Direction::HigherIsBetter)
        );
        assert_eq!(
            Comparator::LessThan.direction(),
            Some(Direction::LowerIsBetter)
        );
        assert_eq!(Comparator::Maintain.direction(), None);
    }
}
