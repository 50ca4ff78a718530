//! The workbook format shared by writer and reader: sheet and column names, row kinds,
//! and how each value is written as text and read back.

use kusei_domain::calendar::{parse_year_month, FiscalYear, YearMonth};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_domain::model::{Comparator, Direction, Family, Period, PlanStatus, When};

/// The flat sheet of targets and actuals.
pub const TARGETS_SHEET: &str = "目標と実績";
/// The sheet of 業務一覧 rows.
pub const DIRECTORY_SHEET: &str = "業務一覧";
/// The indicators the figures use (optional on import: older workbooks have none).
pub const INDICATORS_SHEET: &str = "指標";

// ---------------------------------------------------------------------------------------
// Plan sheet
// ---------------------------------------------------------------------------------------

/// Items of a plan sheet's title block: label in column A, value in column B.
pub const ITEM_MUNICIPALITY: &str = "自治体";
pub const ITEM_UNIT: &str = "組織";
pub const ITEM_TITLE: &str = "計画名";
pub const ITEM_FAMILY: &str = "様式";
pub const ITEM_PERIOD: &str = "期間";
pub const ITEM_STATUS: &str = "状態";
pub const ITEM_VERSION: &str = "版";
pub const ITEM_LEVELS: &str = "階層名";
pub const ITEM_SAMPLE: &str = "見本";
pub const ITEM_PLAN_KEY: &str = "計画キー";

/// Title block items, top to bottom.
pub const TITLE_ITEMS: [&str; 10] = [
    ITEM_MUNICIPALITY,
    ITEM_UNIT,
    ITEM_TITLE,
    ITEM_FAMILY,
    ITEM_PERIOD,
    ITEM_STATUS,
    ITEM_VERSION,
    ITEM_LEVELS,
    ITEM_SAMPLE,
    ITEM_PLAN_KEY,
];

/// 0-based row of a plan sheet's column header (title block, one blank row, header).
pub const PLAN_HEADER_ROW: u32 = TITLE_ITEMS.len() as u32 + 1;

/// Columns of a plan sheet's node table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Key,
    Kind,
    Level,
    Number,
    Title,
    Subtitle,
    Marks,
    Owner,
    Parents,
    Heading,
    Body,
    Year,
    Implementation,
    Achievement,
    Judgment,
    Remedy,
    Explanation,
    From,
    To,
    OpenEnded,
    LinkOrder,
    SourceLine,
}

/// Plan sheet columns in order, with header and width.
pub const PLAN_COLUMNS: [(Col, &str, f64); 22] = [
    (Col::Key, "要素キー", 8.0),
    (Col::Kind, "区分", 14.0),
    (Col::Level, "階層", 10.0),
    (Col::Number, "番号", 8.0),
    (Col::Title, "名称", 32.0),
    (Col::Subtitle, "副題", 20.0),
    (Col::Marks, "印", 5.0),
    (Col::Owner, "担当", 14.0),
    (Col::Parents, "親（再掲を含む）", 12.0),
    (Col::Heading, "見出し", 20.0),
    (Col::Body, "内容", 60.0),
    (Col::Year, "年度", 12.0),
    (Col::Implementation, "取組内容の実施見込み", 16.0),
    (Col::Achievement, "目標の達成見込み", 16.0),
    (Col::Judgment, "判定", 12.0),
    (Col::Remedy, "課題と改善策", 40.0),
    (Col::Explanation, "判定の理由", 30.0),
    (Col::From, "開始", 12.0),
    (Col::To, "終了", 12.0),
    (Col::OpenEnded, "継続（～）", 8.0),
    (Col::LinkOrder, "リンク順", 8.0),
    (Col::SourceLine, "元の行", 8.0),
];

/// The header of a plan sheet column.
pub fn header(col: Col) -> &'static str {
    PLAN_COLUMNS
        .iter()
        .find(|(c, _, _)| *c == col)
        .map_or("", |(_, h, _)| h)
}

/// 0-based index of a plan sheet column as written.
pub fn col_index(col: Col) -> u16 {
    PLAN_COLUMNS
        .iter()
        .position(|(c, _, _)| *c == col)
        .and_then(|i| u16::try_from(i).ok())
        .unwrap_or(0)
}

/// What a row of a plan sheet holds (column 区分).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// 要素: the node itself.
    Node,
    /// 計画 / 中間振り返り / 自己評価: a text section of that phase.
    Section(kusei_domain::model::Phase),
    /// 中間振り返り（見込み）: a review.
    Review,
    /// 自己評価（判定）: an evaluation.
    Evaluation,
    /// 主な実績: a milestone.
    Milestone,
}

impl RowKind {
    pub const ALL: [RowKind; 7] = [
        RowKind::Node,
        RowKind::Section(kusei_domain::model::Phase::Plan),
        RowKind::Section(kusei_domain::model::Phase::Review),
        RowKind::Section(kusei_domain::model::Phase::Evaluation),
        RowKind::Review,
        RowKind::Evaluation,
        RowKind::Milestone,
    ];

    pub fn label(self) -> &'static str {
        match self {
            RowKind::Node => "要素",
            RowKind::Section(p) => p.label_ja(),
            RowKind::Review => "中間振り返り（見込み）",
            RowKind::Evaluation => "自己評価（判定）",
            RowKind::Milestone => "主な実績",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            RowKind::Node => "node",
            RowKind::Section(p) => p.code(),
            RowKind::Review => "review_result",
            RowKind::Evaluation => "evaluation_result",
            RowKind::Milestone => "milestone",
        }
    }

    /// Columns a row of this kind uses besides 要素キー and 区分; all others must be empty.
    pub fn columns(self) -> &'static [Col] {
        match self {
            RowKind::Node => &[
                Col::Level,
                Col::Number,
                Col::Title,
                Col::Subtitle,
                Col::Marks,
                Col::Owner,
                Col::Parents,
                Col::LinkOrder,
                Col::SourceLine,
            ],
            RowKind::Section(_) => &[Col::Heading, Col::Body],
            RowKind::Review => &[
                Col::Year,
                Col::Implementation,
                Col::Achievement,
                Col::Remedy,
            ],
            RowKind::Evaluation => &[
                Col::Year,
                Col::Body,
                Col::Judgment,
                Col::Remedy,
                Col::Explanation,
            ],
            RowKind::Milestone => &[Col::Body, Col::From, Col::To, Col::OpenEnded],
        }
    }

    pub fn parse(s: &str) -> Option<RowKind> {
        lookup(s, RowKind::ALL.map(|k| (k, k.code(), k.label())).as_slice())
    }
}

/// Marks a 再掲 entry in the 親 cell.
pub const REPEAT_SUFFIX: &str = "（再掲）";
/// Also accepted on import.
pub const REPEAT_SUFFIX_ASCII: &str = "(再掲)";
/// Separators of list cells (親, リンク順) accepted on import; the writer uses a line break.
pub const LIST_SEPARATORS: [char; 4] = ['\n', '、', ',', '，'];

// ---------------------------------------------------------------------------------------
// Flat sheets
// ---------------------------------------------------------------------------------------

/// Columns of the 目標と実績 sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TCol {
    Plan,
    Node,
    NumberRef,
    TitleRef,
    Kind,
    Value,
    Unit,
    Comparator,
    ComparatorRef,
    Year,
    AsOf,
    Text,
    Indicator,
    IndicatorName,
    ThisYear,
}

/// 目標と実績 columns: column, header, width, required on import (reference columns,
/// marked （参考）, are ignored on import and may be deleted; 指標名 and 当年度 are read
/// when present and may be missing in workbooks written before they existed).
pub const TARGET_COLUMNS: [(TCol, &str, f64, bool); 15] = [
    (TCol::Plan, "計画キー", 22.0, true),
    (TCol::Node, "要素キー", 8.0, true),
    (TCol::NumberRef, "番号（参考）", 8.0, false),
    (TCol::TitleRef, "名称（参考）", 30.0, false),
    (TCol::Kind, "種別", 6.0, true),
    (TCol::Value, "値", 12.0, true),
    (TCol::Unit, "単位", 8.0, true),
    (TCol::Comparator, "比較コード", 10.0, true),
    (TCol::ComparatorRef, "比較（参考）", 8.0, false),
    (TCol::Year, "年度", 22.0, true),
    (TCol::AsOf, "時点", 12.0, true),
    (TCol::Text, "記載", 60.0, true),
    (TCol::Indicator, "指標ID", 8.0, true),
    (TCol::IndicatorName, "指標名", 24.0, false),
    (TCol::ThisYear, "当年度", 8.0, false),
];

/// Columns of the 指標 sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ICol {
    Plan,
    Id,
    Name,
    Unit,
    Direction,
    Definition,
    Source,
    Common,
    SeriesRef,
}

/// 指標 columns: column, header, width, required on import (推移（参考） is ignored on
/// import: the figures come from the 目標と実績 sheet).
pub const INDICATOR_COLUMNS: [(ICol, &str, f64, bool); 9] = [
    (ICol::Plan, "計画キー", 22.0, true),
    (ICol::Id, "指標ID", 8.0, true),
    (ICol::Name, "指標名", 36.0, true),
    (ICol::Unit, "単位", 8.0, true),
    (ICol::Direction, "方向", 12.0, true),
    (ICol::Definition, "定義", 40.0, false),
    (ICol::Source, "出典", 20.0, false),
    (ICol::Common, "共通指標", 8.0, false),
    (ICol::SeriesRef, "推移（参考）", 60.0, false),
];

/// 方向 of an indicator: code, code, label.
pub fn directions() -> Vec<(Direction, &'static str, &'static str)> {
    vec![
        (Direction::HigherIsBetter, "higher", "高いほどよい"),
        (Direction::LowerIsBetter, "lower", "低いほどよい"),
    ]
}

/// Columns of the 業務一覧 sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DCol {
    Plan,
    Division,
    Section,
    Phone,
    Fax,
    Duties,
}

pub const DIRECTORY_COLUMNS: [(DCol, &str, f64); 6] = [
    (DCol::Plan, "計画キー", 22.0),
    (DCol::Division, "課", 16.0),
    (DCol::Section, "担当", 16.0),
    (DCol::Phone, "電話番号", 14.0),
    (DCol::Fax, "FAX番号", 14.0),
    (DCol::Duties, "主な業務内容", 60.0),
];

/// 種別 of a 目標と実績 row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Target,
    Actual,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::Target => "目標",
            Measure::Actual => "実績",
        }
    }
    pub fn parse(s: &str) -> Option<Measure> {
        lookup(
            s,
            &[
                (Measure::Target, "target", "目標"),
                (Measure::Actual, "actual", "実績"),
            ],
        )
    }
}

// ---------------------------------------------------------------------------------------
// Codes and labels
// ---------------------------------------------------------------------------------------

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Finds the item whose code or label equals `s`, ignoring whitespace.
pub fn lookup<T: Copy>(s: &str, items: &[(T, &str, &str)]) -> Option<T> {
    let s = squash(s);
    items
        .iter()
        .find(|(_, code, label)| s == *code || s == squash(label))
        .map(|(t, _, _)| *t)
}

/// "a・b・c" of labels, for error messages; aliases (code equal to label) are left out.
pub fn allowed<T>(items: &[(T, &str, &str)]) -> String {
    items
        .iter()
        .filter(|(_, code, label)| code != label)
        .map(|(_, _, label)| *label)
        .collect::<Vec<_>>()
        .join("・")
}

pub fn families() -> Vec<(Family, &'static str, &'static str)> {
    Family::ALL
        .iter()
        .map(|f| (*f, f.code(), f.label_ja()))
        .collect()
}

pub fn statuses() -> Vec<(PlanStatus, &'static str, &'static str)> {
    [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::Approved,
        PlanStatus::Published,
    ]
    .iter()
    .map(|s| (*s, s.code(), s.label_ja()))
    .collect()
}

pub fn judgments() -> Vec<(Judgment, &'static str, &'static str)> {
    let mut v: Vec<_> = [
        Judgment::Achieved,
        Judgment::NotAchieved,
        Judgment::Undetermined,
        Judgment::Unknown,
    ]
    .iter()
    .map(|j| (*j, j.code(), j.label_ja()))
    .collect();
    // Accepted on import as written on the forms (aliases: code equal to label).
    v.push((Judgment::Achieved, "①目標達成", "①目標達成"));
    v.push((Judgment::NotAchieved, "②目標未達成", "②目標未達成"));
    v.push((Judgment::Unknown, "不明", "不明"));
    v
}

pub fn implementations() -> Vec<(ImplementationProspect, &'static str, &'static str)> {
    [
        ImplementationProspect::Expected,
        ImplementationProspect::NotExpected,
    ]
    .iter()
    .map(|p| (*p, p.code(), p.label_ja()))
    .collect()
}

pub fn achievements() -> Vec<(AchievementProspect, &'static str, &'static str)> {
    [AchievementProspect::OnTrack, AchievementProspect::OffTrack]
        .iter()
        .map(|p| (*p, p.code(), p.label_ja()))
        .collect()
}

pub const COMPARATORS: [Comparator; 6] = [
    Comparator::AtLeast,
    Comparator::MoreThan,
    Comparator::AtMost,
    Comparator::LessThan,
    Comparator::Maintain,
    Comparator::Equal,
];

/// Comparators by code only (the label of `Equal` is empty).
pub fn comparator_codes() -> String {
    COMPARATORS
        .iter()
        .map(|c| {
            if c.label_ja().is_empty() {
                c.code().to_string()
            } else {
                format!("{}（{}）", c.code(), c.label_ja())
            }
        })
        .collect::<Vec<_>>()
        .join("・")
}

pub const YES: &str = "はい";
pub const NO: &str = "いいえ";

/// はい / いいえ (also true/false, and ～ for yes as in 継続（～）).
pub fn parse_bool(s: &str) -> Option<bool> {
    match squash(s).to_lowercase().as_str() {
        "はい" | "true" | "～" | "〜" | "~" => Some(true),
        "いいえ" | "false" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Calendar values as text
// ---------------------------------------------------------------------------------------

/// "令和7年度", or "令和7年度～令和9年度" for a span.
pub fn period_text(p: Period) -> String {
    if p.start == p.end {
        p.start.label()
    } else {
        format!("{}～{}", p.start.label(), p.end.label())
    }
}

/// Reads [`period_text`] (also "2025", "R7", "2025～2027", "令和7年度〜令和9年度"). The
/// start and end are kept as written, never swapped.
pub fn parse_period(s: &str) -> Result<Period, String> {
    let parts: Vec<&str> = s.split(['～', '〜', '~']).collect();
    match parts.as_slice() {
        [one] => parse_fy(one).map(Period::year),
        [a, b] => Ok(Period {
            start: parse_fy(a)?,
            end: parse_fy(b)?,
        }),
        _ => Err("「～」は1つまで / at most one ～".to_string()),
    }
}

/// A fiscal year as written by users: "令和7年度", "2025", "R7", "平成29年度".
pub fn parse_fy(s: &str) -> Result<FiscalYear, String> {
    FiscalYear::parse(s.trim(), None).map_err(|e| e.to_string())
}

/// "平成18年4月" or "平成21年度"; an invalid month cannot be written.
pub fn when_text(w: When) -> Result<String, String> {
    match w {
        When::FiscalYear(fy) => Ok(fy.label()),
        When::Month(ym) => YearMonth::new(ym.year, ym.month)
            .map(YearMonth::to_japanese)
            .map_err(|e| e.to_string()),
    }
}

/// Reads [`when_text`]: ending in 年度 it is a fiscal year, otherwise a month.
pub fn parse_when(s: &str) -> Result<When, String> {
    let t = s.trim();
    if t.ends_with("年度") {
        parse_fy(t).map(When::FiscalYear)
    } else {
        parse_year_month(t, None)
            .map(When::Month)
            .map_err(|e| e.to_string())
    }
}

// ---------------------------------------------------------------------------------------
// Sheet names
// ---------------------------------------------------------------------------------------

/// Short family names used in sheet names.
pub fn family_short(f: Family) -> &'static str {
    match f {
        Family::ReformItems => "改革取組",
        Family::ResultsTable => "取組成果",
        Family::PlanTree => "計画体系",
        Family::ManagementSheet => "運営方針",
    }
}

/// "R7", "H29", "R元" is written "R1".
pub fn fy_short(fy: FiscalYear) -> String {
    let ey = fy.era_year();
    format!("{}{}", ey.era.letter(), ey.year)
}

/// "R7" or "R7-R9".
pub fn period_short(p: Period) -> String {
    if p.start == p.end {
        fy_short(p.start)
    } else {
        format!("{}-{}", fy_short(p.start), fy_short(p.end))
    }
}

const SHEET_NAME_MAX: usize = 31;

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Cuts `s` so that its UTF-16 length is at most `max`.
fn cut(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if utf16_len(&out) + c.len_utf16() > max {
            break;
        }
        out.push(c);
    }
    out
}

/// A valid Excel sheet name: `[]:*?/\` replaced by `_`, no leading or trailing
/// apostrophe, at most 31 characters, not empty.
pub fn clean_sheet_name(raw: &str) -> String {
    let replaced: String = raw
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cut(replaced.trim().trim_matches('\''), SHEET_NAME_MAX);
    let trimmed = trimmed.trim().trim_matches('\'').to_string();
    if trimmed.is_empty() {
        "計画".to_string()
    } else {
        trimmed
    }
}

/// Sheet names of plans, derived from unit + family + period, unique in the workbook
/// (case-insensitively, as Excel compares them) and distinct from the fixed sheets.
pub fn plan_sheet_names<'a>(plans: impl Iterator<Item = (&'a str, Family, Period)>) -> Vec<String> {
    let mut taken: Vec<String> = vec![
        TARGETS_SHEET.to_lowercase(),
        DIRECTORY_SHEET.to_lowercase(),
        INDICATORS_SHEET.to_lowercase(),
        "history".to_string(),
    ];
    let mut names = Vec::new();
    for (unit, family, period) in plans {
        let suffix = format!(" {} {}", family_short(family), period_short(period));
        let unit_room = SHEET_NAME_MAX.saturating_sub(utf16_len(&suffix));
        let unit = cut(&clean_sheet_name(unit), unit_room);
        let base = clean_sheet_name(&format!("{unit}{suffix}"));
        let mut name = base.clone();
        let mut n = 2u32;
        while taken.contains(&name.to_lowercase()) {
            let tail = format!("({n})");
            name = format!(
                "{}{tail}",
                cut(&base, SHEET_NAME_MAX.saturating_sub(utf16_len(&tail)))
            );
            n += 1;
        }
        taken.push(name.to_lowercase());
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_unique_and_short() {
        let fy = FiscalYear::new(2025).unwrap();
        let p = Period::year(fy);
        let long = "とても長い名前の組織[テスト]:*?/\\とても長い名前の組織とても長い";
        let names = plan_sheet_names(
            [
                ("城東区", Family::ManagementSheet, p),
                ("城東区", Family::ManagementSheet, p),
                (long, Family::ReformItems, p),
                (long, Family::ReformItems, p),
                ("", Family::PlanTree, p),
                ("'目標と実績'", Family::PlanTree, p),
            ]
            .into_iter(),
        );
        assert_eq!(names[0], "城東区 運営方針 R7");
        assert_eq!(names[1], "城東区 運営方針 R7(2)");
        for n in &names {
            assert!(n.encode_utf16().count() <= 31, "{n}");
            assert!(!n.contains(['[', ']', ':', '*', '?', '/', '\\']), "{n}");
            assert!(!n.starts_with('\'') && !n.ends_with('\''), "{n}");
        }
        let mut lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), names.len());
    }

    #[test]
    fn periods_and_months_read_back() {
        for y in 1926..=2100 {
            let fy = FiscalYear::new(y).unwrap();
            assert_eq!(
                parse_period(&period_text(Period::year(fy))),
                Ok(Period::year(fy))
            );
            let w = When::FiscalYear(fy);
            assert_eq!(parse_when(&when_text(w).unwrap()), Ok(w));
            for ym in fy.months() {
                if YearMonth::new(ym.year, ym.month).is_ok() {
                    let w = When::Month(ym);
                    assert_eq!(parse_when(&when_text(w).unwrap()), Ok(w), "{ym}");
                }
            }
        }
        let a = FiscalYear::new(2027).unwrap();
        let b = FiscalYear::new(2025).unwrap();
        let reversed = Period { start: a, end: b };
        assert_eq!(parse_period(&period_text(reversed)), Ok(reversed));
        assert_eq!(
            parse_period("令和7年度〜令和9年度"),
            Ok(Period { start: b, end: a })
        );
        assert!(parse_period("令和7年度～").is_err());
        assert!(when_text(When::Month(YearMonth {
            year: 2025,
            month: 13
        }))
        .is_err());
    }
}
