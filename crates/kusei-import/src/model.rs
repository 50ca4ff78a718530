//! The parsed-document model: the versioned, documented JSON shape
//! (`docs/import-format.md`, `docs/schema/parsed-document.schema.json`).
//!
//! Every field is always present in the JSON (empty arrays and `null` rather than
//! missing keys), so consumers can rely on the shape.

use kusei_domain::content::DirectoryEntry;
use kusei_domain::judgment::Judgment;
use serde::{Deserialize, Serialize};

/// Version of the JSON shape. Bump on any incompatible change (renamed or removed
/// field, changed meaning or type); adding a new optional field or a new diagnostic
/// code is compatible and does not bump it. See `docs/import-format.md`.
pub const SCHEMA_VERSION: u32 = 2;

/// The document families the importer recognises (by structure, never by file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// 「市政改革プラン」に基づく取組等: 取組項目 sheets (plan / mid-year review / evaluation).
    ReformItems,
    /// A results table (課題 / 具体的取組 / 取組目標 / 成果 / 主な実績) continued over pages.
    ResultsTable,
    /// An outline / plan tree (chapters, 重点分野, ■ groups, ○ subgroups, items, 再掲).
    PlanTree,
    /// A ward management sheet (経営課題 → 戦略 → 具体的取組), optionally with a section directory.
    ManagementSheet,
    /// Not recognised: see the `family_unrecognised` diagnostic.
    Unknown,
}

impl Family {
    /// The JSON name of the family (`reform_items`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Family::ReformItems => "reform_items",
            Family::ResultsTable => "results_table",
            Family::PlanTree => "plan_tree",
            Family::ManagementSheet => "management_sheet",
            Family::Unknown => "unknown",
        }
    }
}

/// A piece of text with the line it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineText {
    /// Display text (markup stripped, entities decoded).
    pub text: String,
    /// NFKC, whitespace collapsed.
    pub normalized: String,
    /// 1-based line number in the decoded text.
    pub line: usize,
}

/// A fiscal year as read from the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiscalYearRef {
    /// Western year in which the fiscal year starts (平成29年度 → 2017).
    pub year: i32,
    /// Display label (e.g. "平成29年度").
    pub label: String,
    /// The expression as written in the text.
    pub as_written: String,
    /// Line it came from.
    pub line: usize,
}

/// A period of fiscal years (e.g. 平成19年度から平成22年度まで).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodRef {
    /// First fiscal year (western start year).
    pub from: i32,
    /// Last fiscal year (western start year).
    pub to: i32,
    /// Display label of the first fiscal year.
    pub from_label: String,
    /// Display label of the last fiscal year.
    pub to_label: String,
    /// The expression as written.
    pub as_written: String,
    /// Line it came from.
    pub line: usize,
}

/// The fiscal year used to resolve era-less years ("18年4月") and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EraContext {
    /// Fiscal year (western start year) used as context.
    pub year: i32,
    /// `fiscal_year` | `period` | `inferred` (first era-qualified year in the text).
    pub source: String,
    /// Line of the expression the context was taken from.
    pub line: usize,
}

/// One parsed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedDocument {
    /// Version of this JSON shape ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// File name as given by the caller.
    pub file_name: String,
    /// Encoding detected (`UTF-8`, `UTF-16LE`, `UTF-16BE`, `Shift_JIS`, `EUC-JP`);
    /// `null` when the caller passed already-decoded text.
    pub encoding: Option<String>,
    /// Document family, recognised by structure.
    pub family: Family,
    /// Document title (first heading / caption) when there is one.
    pub title: Option<LineText>,
    /// The document's fiscal year when the text states it.
    pub fiscal_year: Option<FiscalYearRef>,
    /// The document's period when the text states one (計画期間 …).
    pub period: Option<PeriodRef>,
    /// The context used to resolve era-less years, when one was needed and found.
    pub era_context: Option<EraContext>,
    /// Number of lines in the decoded text.
    pub line_count: usize,
    /// All nodes, flat, in document order. The tree is given by `parent_ids`.
    pub nodes: Vec<Node>,
    /// Heading of the section directory (e.g. "城東区役所の業務一覧"), when present.
    pub directory_title: Option<LineText>,
    /// Section directory rows (業務一覧), when the document has one.
    pub directory: Vec<DirectoryRowRead>,
    /// Document-level notes (注1, 注2, preamble text not belonging to a node).
    pub notes: Vec<Note>,
    /// What could not be read or looks wrong.
    pub diagnostics: Vec<Diagnostic>,
}

/// A node of the plan hierarchy (取組項目, 経営課題, 戦略, 具体的取組, 課題, 重点分野, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Identifier, unique within the document (`n1`, `n2`, … in document order).
    pub id: String,
    /// Parents, primary first. Two or more when the node is listed again (再掲) under another parent.
    pub parent_ids: Vec<String>,
    /// The level's name as written (取組項目, 経営課題, 戦略, 具体的取組, 課題, 重点分野, 章, …).
    pub level: String,
    /// Number as written (`1`, `4-1`, `4-1-1`, `①`, `II`), or null.
    pub number: Option<String>,
    /// Title as written (brackets 【】 removed).
    pub title: String,
    /// Title, NFKC and whitespace collapsed.
    pub title_normalized: String,
    /// The line under the title, when present.
    pub subtitle: Option<String>,
    /// Marks such as "☆" ("・" is "no mark" and is not listed).
    pub marks: Vec<String>,
    /// Ordered labelled texts. Headings may repeat (e.g. two (目標)), hence an array.
    pub sections: Vec<Section>,
    /// Targets (目標, 成果目標, めざす状態, 取組目標 …) split from the sections.
    pub targets: Vec<Target>,
    /// Mid-year review (中間振り返り); null when blank.
    pub review: Option<Review>,
    /// Year-end evaluation (自己評価 / 年度評価 / 評価 / 直前評価); null when blank.
    pub evaluation: Option<Evaluation>,
    /// Dated milestones (主な実績).
    pub milestones: Vec<Milestone>,
    /// Cross-references (再掲 of another item, possibly in another document).
    pub references: Vec<Reference>,
    /// Other places where this same node is written (再掲 listings, the same 重点分野 heading).
    pub appearances: Vec<Appearance>,
    /// 1-based line where the node starts.
    pub line: usize,
    /// Consistency findings of the node (see [`Finding`]).
    #[serde(default)]
    pub findings: Vec<Finding>,
}

/// One labelled text of a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Heading as written without brackets ("趣旨・目的", "目標", "めざす状態"); null for untitled text.
    pub heading: Option<String>,
    /// A qualifier written with the heading ("概ね10～20年間を設定"), or null.
    pub qualifier: Option<String>,
    /// Enclosing group or column ("取組の方針・目標内容", "当年度の取組内容", "めざす成果"), or null.
    pub group: Option<String>,
    /// Display text; paragraphs separated by "\n".
    pub text: String,
    /// NFKC, whitespace collapsed.
    pub normalized: String,
    /// Line where the section starts.
    pub line: usize,
}

/// What a target is, from the heading it was written under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// (目標), 取組目標: an initiative's target.
    Goal,
    /// 《成果目標》: an outcome target.
    Outcome,
    /// 業績目標: an output target.
    Output,
    /// 《めざす状態》: the desired state.
    DesiredState,
}

/// A target sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The target as written (bullet removed).
    pub text: String,
    /// NFKC, whitespace collapsed.
    pub normalized: String,
    /// Label as written ("①-1", "②", "(1)", "-1"), or null.
    pub label: Option<String>,
    /// The indicator sentence the yearly values belong to, when the target is one year of a series.
    pub indicator: Option<String>,
    /// The fiscal year the target is for, when written as 【平成29年度】 etc.
    pub fiscal_year: Option<FiscalYearRef>,
    /// Kind, from the section heading.
    pub kind: TargetKind,
    /// Heading of the section it came from.
    pub section: Option<String>,
    /// Index into `sections` of the section it came from.
    pub section_index: Option<usize>,
    /// Line.
    pub line: usize,
    /// Target value in the base unit (yen for 円/千円/億円, stars for ☆), or null.
    #[serde(default)]
    pub value: Option<f64>,
    /// Unit as written (%, 件, 千円, ポイント, ☆ …), or null.
    #[serde(default)]
    pub unit: Option<String>,
    /// `at_least`, `more_than`, `at_most`, `less_than`, `maintain`, `equal`, or null when
    /// the sentence was not understood.
    #[serde(default)]
    pub comparator: Option<String>,
    /// The rest of what the target reader understood (null when nothing beyond the text).
    #[serde(default)]
    pub reading: Option<TargetReading>,
}

/// The figure a target sentence states. Whatever is not understood stays only in `text`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetReading {
    /// `absolute`, `relative`, `compound`, `milestone`, `pending` or `free_text`.
    pub kind: String,
    /// The number as written ("15,500", "☆☆"), or null.
    pub value_text: Option<String>,
    /// `higher` or `lower` is better.
    pub direction: String,
    /// First and last fiscal year the target is for (Western years), or null.
    pub fiscal_year_start: Option<i32>,
    pub fiscal_year_end: Option<i32>,
    /// Whether the value is a total over the years.
    pub cumulative: bool,
}

/// Mid-year prospect ((i)/(ii), ①/②).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prospect {
    /// (i)実施見込み / ①達成見込み.
    Expected,
    /// (ii)実施できない見込み / ②達成できない見込み.
    NotExpected,
    /// Not visible.
    Unknown,
}

/// The JSON names of 目標の達成見込み (see [`Review::achievement`]).
pub mod achievement_code {
    use super::Prospect;
    use serde::{Deserialize, Deserializer, Serializer};

    /// `on_track`, `off_track` or `unknown`.
    pub fn code(p: Prospect) -> &'static str {
        match p {
            Prospect::Expected => "on_track",
            Prospect::NotExpected => "off_track",
            Prospect::Unknown => "unknown",
        }
    }

    pub fn serialize<S: Serializer>(p: &Prospect, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(code(*p))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Prospect, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "on_track" | "expected" => Ok(Prospect::Expected),
            "off_track" | "not_expected" => Ok(Prospect::NotExpected),
            "unknown" => Ok(Prospect::Unknown),
            other => Err(serde::de::Error::custom(format!(
                "achievement {other:?}: expected on_track, off_track or unknown"
            ))),
        }
    }
}

/// Year-end evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Heading as written (自己評価, 年度評価, 評価, 直前評価 …), or null if none was found.
    pub heading: Option<String>,
    /// The stated judgment (`achieved`, `not_achieved`, `undetermined` when the text
    /// states 未確定). Never guessed: `unknown` when the choice is not visible in the text
    /// (symbols lost in extraction) or absent.
    pub stated_judgment: Judgment,
    /// The answer options as written (":目標達成 目標未達成"), or null.
    pub judgment_text: Option<String>,
    /// Why the judgment was read as it was (human-readable).
    pub judgment_evidence: String,
    /// 当年度の取組実績及び目標の達成状況 (display text), or null.
    pub results: Option<String>,
    /// 課題と改善策, or null.
    pub remedy: Option<String>,
    /// Line of the evaluation block.
    pub line: usize,
    /// The judgment Kusei computes from the figures: `achieved`, `not_achieved`,
    /// `undetermined` (interim or missing figures), or null before enrichment.
    #[serde(default)]
    pub computed_judgment: Option<String>,
    /// Why, in words (Japanese).
    #[serde(default)]
    pub computed_reason: Option<String>,
    /// The node's consistency findings (the same list as the node's `findings`).
    #[serde(default)]
    pub findings: Vec<Finding>,
}

/// A consistency finding about a node's figures and judgments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// `error` or `warning`.
    pub severity: String,
    /// Stable code: `judgment_contradicts_figures`, `judgment_on_interim_figure`,
    /// `remedy_missing`, `target_without_year`, `target_mismatch_multi_year`, `unit_mismatch`.
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
    /// The target sentence concerned, or null.
    pub target: Option<String>,
}

/// Mid-year review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Heading as written (中間振り返り), or null.
    pub heading: Option<String>,
    /// 取組内容の実施見込み.
    pub implementation: Prospect,
    /// The implementation options as written.
    pub implementation_text: Option<String>,
    /// 目標の達成見込み: `on_track` (①達成見込み), `off_track` (②達成できない見込み) or
    /// `unknown` — the names Kusei uses everywhere else (schema version 2; version 1 wrote
    /// `expected` / `not_expected`, still read).
    #[serde(with = "achievement_code")]
    pub achievement: Prospect,
    /// The achievement options as written.
    pub achievement_text: Option<String>,
    /// 課題と改善策 (any free text of the review block: the form's only free field), or null.
    pub remedy: Option<String>,
    /// Line of the review block.
    pub line: usize,
}

/// A point in time of a milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearMonthRef {
    /// Western year (for `fiscal_year` precision: the fiscal year's start year).
    pub year: i32,
    /// Month 1-12, or null for fiscal-year precision.
    pub month: Option<u32>,
}

/// The date of a milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneDate {
    /// As written ("18年4月～").
    pub as_written: String,
    /// `month` or `fiscal_year`.
    pub precision: String,
    /// Start.
    pub from: YearMonthRef,
    /// End, when a range is written.
    pub to: Option<YearMonthRef>,
    /// True when written open-ended ("～" with no end).
    pub open_ended: bool,
}

/// A dated milestone (主な実績).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// The milestone as written.
    pub text: String,
    /// NFKC, whitespace collapsed.
    pub normalized: String,
    /// Its date, or null when none is written or it could not be read.
    pub date: Option<MilestoneDate>,
    /// Line.
    pub line: usize,
}

/// A cross-reference (※再掲2-1-2, (取組項目8の再掲), (「…」P68の再掲)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// Kind as written (再掲).
    pub kind: String,
    /// The reference as written.
    pub text: String,
    /// Level of the target when written (取組項目), or null.
    pub target_level: Option<String>,
    /// Number of the target ("2-1-2", "8"), or null.
    pub target_number: Option<String>,
    /// Another document named as the source, or null.
    pub target_document: Option<String>,
    /// Node id when the target is in this document, else null.
    pub target_id: Option<String>,
    /// Line.
    pub line: usize,
}

/// Another place where the same node is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appearance {
    /// `repeat` (listed again, 再掲) or `alias` (the same node under another number/heading).
    pub kind: String,
    /// The parent it is listed under there.
    pub parent_id: Option<String>,
    /// The number used there, when different.
    pub number: Option<String>,
    /// The line as written there.
    pub as_written: String,
    /// Marks written there.
    pub marks: Vec<String>,
    /// Line.
    pub line: usize,
}

/// A row of a section directory (業務一覧) as read from a document: the versioned
/// import JSON's shape (`DirectoryEntry` in docs/schema), with its lines and the
/// normalised duties. What the row means is the domain's
/// [`kusei_domain::content::DirectoryEntry`]: see [`DirectoryRowRead::entry`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryRowRead {
    /// Section (課), carried down from the previous row when its cell is empty.
    pub unit: String,
    /// Sub-section (担当 / 係), or null.
    pub subunit: Option<String>,
    /// Phone number as written, or null.
    pub phone: Option<String>,
    /// Fax number as written, or null.
    pub fax: Option<String>,
    /// Main duties; continuation lines joined with "\n".
    pub duties: String,
    /// NFKC, whitespace collapsed.
    pub duties_normalized: String,
    /// First line of the row.
    pub line: usize,
    /// Last line of the row (continuations included).
    pub end_line: usize,
}

impl DirectoryRowRead {
    /// The row as the domain keeps it: 課 = `unit`, 担当 = `subunit`; blank duties are
    /// no duties.
    pub fn entry(&self) -> DirectoryEntry {
        DirectoryEntry {
            division: self.unit.clone(),
            section: self.subunit.clone(),
            phone: self.phone.clone(),
            fax: self.fax.clone(),
            duties: Some(self.duties.clone()).filter(|d| !d.is_empty()),
        }
    }

    /// A stored row written in the import schema (open data), at `line` (a stored row
    /// has no line of its own).
    pub fn of_entry(e: &DirectoryEntry, line: usize) -> DirectoryRowRead {
        let duties = e.duties.clone().unwrap_or_default();
        DirectoryRowRead {
            unit: e.division.clone(),
            subunit: e.section.clone(),
            phone: e.phone.clone(),
            fax: e.fax.clone(),
            duties_normalized: crate::text::normalize(&duties),
            duties,
            line,
            end_line: line,
        }
    }
}

/// A document-level note (注1 …) or preamble text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Label as written ("注1"), or null.
    pub label: Option<String>,
    /// Text.
    pub text: String,
    /// NFKC, whitespace collapsed.
    pub normalized: String,
    /// Line.
    pub line: usize,
}

/// Severity of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information (e.g. an unusual heading that was understood).
    Info,
    /// Something was not recovered or needs a human check.
    Warning,
    /// The document (or a large part) could not be read.
    Error,
}

/// What could not be read, with a stable code (see docs/import-format.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// 1-based line, or null for the whole document.
    pub line: Option<usize>,
    /// Severity.
    pub severity: Severity,
    /// Stable code (`judgment_not_visible`, `truncated_input`, …).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Text concerned, when it was not attached anywhere else (so nothing is lost).
    pub excerpt: Option<String>,
}

impl ParsedDocument {
    pub(crate) fn empty(file_name: &str, line_count: usize) -> Self {
        ParsedDocument {
            schema_version: SCHEMA_VERSION,
            file_name: file_name.to_string(),
            encoding: None,
            family: Family::Unknown,
            title: None,
            fiscal_year: None,
            period: None,
            era_context: None,
            line_count,
            nodes: Vec::new(),
            directory_title: None,
            directory: Vec::new(),
            notes: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The JSON form (the documented, versioned format).
    /// Object keys are in alphabetical order whatever serde_json features the build
    /// enables (a stable, documented form for snapshots, diffs and exports).
    pub fn to_json(&self) -> serde_json::Value {
        sorted(serde_json::to_value(self).unwrap_or(serde_json::Value::Null))
    }

    /// True when a diagnostic of severity `error` is present.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Node by id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Nodes of a level (as written).
    pub fn nodes_of_level<'a>(&'a self, level: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes.iter().filter(move |n| n.level == level)
    }

    /// Children of a node (any parent link), in document order.
    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes
            .iter()
            .filter(move |n| n.parent_ids.iter().any(|p| p == id))
    }

    pub(crate) fn diag(
        &mut self,
        line: Option<usize>,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
        excerpt: Option<String>,
    ) {
        self.diagnostics.push(Diagnostic {
            line,
            severity,
            code: code.to_string(),
            message: message.into(),
            excerpt,
        });
    }
}

/// Rebuild objects with their keys in alphabetical order.
fn sorted(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

impl Node {
    pub(crate) fn new(
        id: String,
        level: &str,
        number: Option<String>,
        title: &str,
        line: usize,
    ) -> Self {
        Node {
            id,
            parent_ids: Vec::new(),
            level: level.to_string(),
            number,
            title: title.to_string(),
            title_normalized: crate::text::normalize(title),
            subtitle: None,
            marks: Vec::new(),
            sections: Vec::new(),
            targets: Vec::new(),
            review: None,
            evaluation: None,
            milestones: Vec::new(),
            references: Vec::new(),
            appearances: Vec::new(),
            line,
            findings: Vec::new(),
        }
    }

    /// Sections with this heading, in order.
    pub fn sections_headed<'a>(
        &'a self,
        heading: &'a str,
    ) -> impl Iterator<Item = &'a Section> + 'a {
        self.sections
            .iter()
            .filter(move |s| s.heading.as_deref() == Some(heading))
    }
}

impl Section {
    pub(crate) fn new(
        heading: Option<String>,
        group: Option<String>,
        text: String,
        line: usize,
    ) -> Self {
        let normalized = crate::text::normalize(&text);
        Section {
            heading,
            qualifier: None,
            group,
            text,
            normalized,
            line,
        }
    }
}

impl Note {
    pub(crate) fn new(label: Option<String>, text: String, line: usize) -> Self {
        let normalized = crate::text::normalize(&text);
        Note {
            label,
            text,
            normalized,
            line,
        }
    }
}

impl LineText {
    pub(crate) fn new(text: &str, line: usize) -> Self {
        LineText {
            text: text.to_string(),
            normalized: crate::text::normalize(text),
            line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_row_is_a_domain_entry_and_back() {
        let row = DirectoryRowRead {
            unit: "総務課".into(),
            subunit: Some("総合企画".into()),
            phone: Some("06-6930-9625".into()),
            fax: None,
            duties: "区政運営に関すること。".into(),
            duties_normalized: crate::text::normalize("区政運営に関すること。"),
            line: 1,
            end_line: 1,
        };
        let e = row.entry();
        assert_eq!(e.division, "総務課");
        assert_eq!(e.section.as_deref(), Some("総合企画"));
        assert_eq!(e.duties.as_deref(), Some("区政運営に関すること。"));
        assert_eq!(DirectoryRowRead::of_entry(&e, 1), row);
        let blank = DirectoryRowRead {
            duties: String::new(),
            duties_normalized: String::new(),
            ..row
        };
        assert_eq!(blank.entry().duties, None);
    }
}
