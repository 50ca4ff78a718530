//! Import: xlsx bytes → records, every cell validated.

use crate::error::{a1, Problem, XlsxError};
use crate::layout::{
    self, col_index, header, Col, DCol, ICol, Measure, RowKind, TCol, DIRECTORY_COLUMNS,
    DIRECTORY_SHEET, INDICATORS_SHEET, INDICATOR_COLUMNS, ITEM_FAMILY, ITEM_LEVELS,
    ITEM_MUNICIPALITY, ITEM_PERIOD, ITEM_PLAN_KEY, ITEM_SAMPLE, ITEM_STATUS, ITEM_TITLE, ITEM_UNIT,
    ITEM_VERSION, LIST_SEPARATORS, PLAN_COLUMNS, PLAN_HEADER_ROW, REPEAT_SUFFIX,
    REPEAT_SUFFIX_ASCII, TARGETS_SHEET, TARGET_COLUMNS, TITLE_ITEMS,
};
use crate::{MAX_COLUMNS, MAX_ROWS};
use calamine::{Data, Range, Reader, Xlsx};
use kusei_domain::calendar::{parse_date, Date, FiscalYear, YearMonth};
use kusei_domain::content::{
    ContentError, DirectoryEntry, IndicatorRecord, LinkContent, NodeContent, PlanContent,
    PlanRecord,
};
use kusei_domain::model::{
    Actual, Comparator, Evaluation, IndicatorId, LinkKind, Milestone, Period, Review, Section,
    Target, When,
};
use std::collections::HashMap;
use std::io::Cursor;

/// How far down a plan sheet the title block and header are looked for.
const TITLE_SEARCH_ROWS: u32 = 200;

static EMPTY: Data = Data::Empty;

/// One worksheet's cells with its name, for reading and for error messages.
struct Sheet {
    name: String,
    range: Range<Data>,
}

/// A shown value of a cell for messages.
fn shown(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// An f64 that is a whole number within i64.
fn whole(f: f64) -> Option<i64> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let ok = f.is_finite() && f.fract() == 0.0 && f.abs() <= 9.007_199_254_740_992e15;
    #[allow(clippy::cast_possible_truncation)]
    ok.then_some(f as i64)
}

impl Sheet {
    fn get(&self, row: u32, col: u16) -> &Data {
        self.range
            .get_value((row, u32::from(col)))
            .unwrap_or(&EMPTY)
    }

    fn last_row(&self) -> Option<u32> {
        self.range.end().map(|(r, _)| r)
    }

    fn last_col(&self) -> u16 {
        self.range
            .end()
            .and_then(|(_, c)| u16::try_from(c).ok())
            .unwrap_or(0)
    }

    fn err(&self, row: u32, col: u16, problem: Problem) -> XlsxError {
        XlsxError::Cell {
            sheet: self.name.clone(),
            cell: a1(row, col),
            problem: Box::new(problem),
        }
    }

    fn is_empty(&self, row: u32, col: u16) -> bool {
        match self.get(row, col) {
            Data::Empty => true,
            Data::String(s) => s.is_empty(),
            _ => false,
        }
    }

    /// Text as written; a number typed into a text column is read as its digits.
    fn text(&self, row: u32, col: u16) -> Result<String, XlsxError> {
        match self.get(row, col) {
            Data::Empty => Ok(String::new()),
            Data::String(s) => Ok(s.clone()),
            Data::Float(f) => Ok(f.to_string()),
            Data::Int(i) => Ok(i.to_string()),
            Data::Error(e) => Err(self.err(
                row,
                col,
                Problem::ExcelError {
                    value: e.to_string(),
                },
            )),
            other => Err(self.err(
                row,
                col,
                Problem::NotText {
                    value: shown(other),
                },
            )),
        }
    }

    /// Text, `None` when the cell is empty.
    fn opt_text(&self, row: u32, col: u16) -> Result<Option<String>, XlsxError> {
        let t = self.text(row, col)?;
        Ok((!t.is_empty()).then_some(t))
    }

    fn required_text(&self, row: u32, col: u16, name: &str) -> Result<String, XlsxError> {
        self.opt_text(row, col)?.ok_or_else(|| {
            self.err(
                row,
                col,
                Problem::Required {
                    column: name.to_string(),
                },
            )
        })
    }

    /// A list written one entry per line; empty lines are dropped.
    fn list(&self, row: u32, col: u16) -> Result<Vec<String>, XlsxError> {
        Ok(self
            .text(row, col)?
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect())
    }

    fn number(&self, row: u32, col: u16) -> Result<Option<f64>, XlsxError> {
        let bad = |d: &Data| self.err(row, col, Problem::NotANumber { value: shown(d) });
        match self.get(row, col) {
            Data::Empty => Ok(None),
            Data::Float(f) => Ok(Some(*f)),
            #[allow(clippy::cast_precision_loss)]
            Data::Int(i) => Ok(Some(*i as f64)),
            Data::String(s) if s.is_empty() => Ok(None),
            d @ Data::String(s) => match s.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(bad(d)),
            },
            d => Err(bad(d)),
        }
    }

    fn integer(&self, row: u32, col: u16) -> Result<Option<i64>, XlsxError> {
        let bad = |d: &Data| self.err(row, col, Problem::NotAnInteger { value: shown(d) });
        match self.get(row, col) {
            Data::Empty => Ok(None),
            Data::Int(i) => Ok(Some(*i)),
            d @ Data::Float(f) => whole(*f).map(Some).ok_or_else(|| bad(d)),
            Data::String(s) if s.is_empty() => Ok(None),
            d @ Data::String(s) => s.trim().parse::<i64>().map(Some).map_err(|_| bad(d)),
            d => Err(bad(d)),
        }
    }

    /// A 要素キー: text or a whole number, trimmed, usable in a 親 list (no separators,
    /// not ending in （再掲）).
    fn key(&self, row: u32, col: u16) -> Result<Option<String>, XlsxError> {
        let key = self.plan_key(row, col)?;
        if let Some(k) = &key {
            if k.contains(LIST_SEPARATORS)
                || k.ends_with(REPEAT_SUFFIX)
                || k.ends_with(REPEAT_SUFFIX_ASCII)
            {
                return Err(self.err(row, col, Problem::BadKey { key: k.clone() }));
            }
        }
        Ok(key)
    }

    /// A 計画キー: text or a whole number, trimmed.
    fn plan_key(&self, row: u32, col: u16) -> Result<Option<String>, XlsxError> {
        let key = match self.get(row, col) {
            Data::Float(f) => match whole(*f) {
                Some(i) => i.to_string(),
                None => f.to_string(),
            },
            _ => self.text(row, col)?.trim().to_string(),
        };
        Ok((!key.is_empty()).then_some(key))
    }

    fn required_key(&self, row: u32, col: u16, name: &str) -> Result<String, XlsxError> {
        let key = if name == ITEM_PLAN_KEY {
            self.plan_key(row, col)?
        } else {
            self.key(row, col)?
        };
        key.ok_or_else(|| {
            self.err(
                row,
                col,
                Problem::Required {
                    column: name.to_string(),
                },
            )
        })
    }

    /// A code or label of `items`; `None` when empty.
    fn code<T: Copy>(
        &self,
        row: u32,
        col: u16,
        items: &[(T, &str, &str)],
        what_ja: &'static str,
        what_en: &'static str,
    ) -> Result<Option<T>, XlsxError> {
        let Some(t) = self.opt_text(row, col)? else {
            return Ok(None);
        };
        layout::lookup(&t, items).map(Some).ok_or_else(|| {
            self.err(
                row,
                col,
                Problem::UnknownCode {
                    what_ja,
                    what_en,
                    value: t,
                    allowed: layout::allowed(items),
                },
            )
        })
    }

    fn bool(
        &self,
        row: u32,
        col: u16,
        what_ja: &'static str,
        what_en: &'static str,
    ) -> Result<Option<bool>, XlsxError> {
        if let Data::Bool(b) = self.get(row, col) {
            return Ok(Some(*b));
        }
        let items = [(true, "true", layout::YES), (false, "false", layout::NO)];
        match self.opt_text(row, col)? {
            None => Ok(None),
            Some(t) => layout::parse_bool(&t).map(Some).ok_or_else(|| {
                self.err(
                    row,
                    col,
                    Problem::UnknownCode {
                        what_ja,
                        what_en,
                        value: t,
                        allowed: layout::allowed(&items),
                    },
                )
            }),
        }
    }

    fn fiscal_year(&self, row: u32, col: u16) -> Result<Option<FiscalYear>, XlsxError> {
        let bad = |value: String, reason: String| {
            self.err(row, col, Problem::BadFiscalYear { value, reason })
        };
        match self.get(row, col) {
            d @ (Data::Float(_) | Data::Int(_)) => {
                let y = self.integer(row, col)?.unwrap_or(0);
                let y = i32::try_from(y).unwrap_or(0);
                FiscalYear::new(y)
                    .map(Some)
                    .map_err(|e| bad(shown(d), e.to_string()))
            }
            _ => match self.opt_text(row, col)? {
                None => Ok(None),
                Some(t) => layout::parse_fy(&t).map(Some).map_err(|r| bad(t, r)),
            },
        }
    }

    fn period(&self, row: u32, col: u16) -> Result<Option<Period>, XlsxError> {
        if matches!(self.get(row, col), Data::Float(_) | Data::Int(_)) {
            return Ok(self.fiscal_year(row, col)?.map(Period::year));
        }
        match self.opt_text(row, col)? {
            None => Ok(None),
            Some(t) => layout::parse_period(&t)
                .map(Some)
                .map_err(|reason| self.err(row, col, Problem::BadFiscalYear { value: t, reason })),
        }
    }

    fn date(&self, row: u32, col: u16) -> Result<Option<Date>, XlsxError> {
        let bad = |d: &Data, reason: String| {
            self.err(
                row,
                col,
                Problem::BadDate {
                    value: shown(d),
                    reason,
                },
            )
        };
        match self.get(row, col) {
            Data::Empty => Ok(None),
            Data::String(s) if s.is_empty() => Ok(None),
            d @ Data::DateTime(dt) => {
                let (y, m, day, h, mi, s, ms) = dt.to_ymd_hms_milli();
                if (h, mi, s, ms) != (0, 0, 0, 0) {
                    return Err(bad(d, "時刻は書けません / a time is not allowed".into()));
                }
                Date::new(i32::from(y), m, day)
                    .map(Some)
                    .map_err(|e| bad(d, e.to_string()))
            }
            d @ (Data::String(s) | Data::DateTimeIso(s)) => parse_date(s, None)
                .map(Some)
                .map_err(|e| bad(d, e.to_string())),
            d => Err(bad(d, "日付ではありません / not a date".into())),
        }
    }

    fn when(&self, row: u32, col: u16) -> Result<Option<When>, XlsxError> {
        let bad =
            |value: String, reason: String| self.err(row, col, Problem::BadWhen { value, reason });
        match self.get(row, col) {
            Data::Float(_) | Data::Int(_) => Ok(self.fiscal_year(row, col)?.map(When::FiscalYear)),
            d @ Data::DateTime(dt) => {
                let (y, m, _, _, _, _, _) = dt.to_ymd_hms_milli();
                YearMonth::new(i32::from(y), m)
                    .map(|ym| Some(When::Month(ym)))
                    .map_err(|e| bad(shown(d), e.to_string()))
            }
            _ => match self.opt_text(row, col)? {
                None => Ok(None),
                Some(t) => layout::parse_when(&t).map(Some).map_err(|r| bad(t, r)),
            },
        }
    }

    /// Positions of `names` in the header row; `required[i]` columns must exist.
    fn columns(
        &self,
        header_row: u32,
        names: &[(&str, bool)],
    ) -> Result<Vec<Option<u16>>, XlsxError> {
        let mut found: Vec<Option<u16>> = vec![None; names.len()];
        for col in 0..=self.last_col() {
            let Data::String(h) = self.get(header_row, col) else {
                continue;
            };
            let h = h.trim();
            if let Some(i) = names.iter().position(|(n, _)| *n == h) {
                if found[i].is_some() {
                    return Err(self.err(
                        header_row,
                        col,
                        Problem::DuplicateColumn {
                            name: h.to_string(),
                        },
                    ));
                }
                found[i] = Some(col);
            }
        }
        for ((name, required), col) in names.iter().zip(&found) {
            if *required && col.is_none() {
                return Err(XlsxError::MissingColumn {
                    sheet: self.name.clone(),
                    column: (*name).to_string(),
                    row: header_row + 1,
                });
            }
        }
        Ok(found)
    }

    /// Is every one of `cols` empty on `row`?
    fn blank_row(&self, row: u32, cols: &[Option<u16>]) -> bool {
        cols.iter().flatten().all(|c| self.is_empty(row, *c))
    }
}

/// A plan sheet read so far, waiting for its targets, actuals and directory.
struct Draft {
    key: String,
    record: PlanRecord,
    node_keys: HashMap<String, usize>,
}

fn not_xlsx(e: impl std::fmt::Display) -> XlsxError {
    XlsxError::NotXlsx {
        detail: e.to_string(),
    }
}

/// One worksheet's values, read cell by cell: a value beyond [`MAX_ROWS`] or
/// [`MAX_COLUMNS`] is refused at its cell before the sheet's area is allocated (a single
/// value at XFD1048576 would otherwise ask for 17 billion cells). Empty cells are skipped.
fn read_sheet<RS: std::io::Read + std::io::Seek>(
    wb: &mut Xlsx<RS>,
    name: &str,
) -> Result<Sheet, XlsxError> {
    let mut reader = wb.worksheet_cells_reader(name).map_err(not_xlsx)?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(not_xlsx)? {
        let (row, col) = cell.get_position();
        let value = Data::from(cell.get_value().clone());
        if matches!(value, Data::Empty) {
            continue;
        }
        if row >= MAX_ROWS || col >= u32::from(MAX_COLUMNS) {
            return Err(XlsxError::Cell {
                sheet: name.to_string(),
                cell: a1(row, u16::try_from(col).unwrap_or(u16::MAX)),
                problem: Box::new(Problem::OutsideArea {
                    max_rows: MAX_ROWS,
                    max_columns: MAX_COLUMNS,
                }),
            });
        }
        cells.push(calamine::Cell::new((row, col), value));
    }
    Ok(Sheet {
        name: name.to_string(),
        range: Range::from_sparse(cells),
    })
}

/// The records of a workbook written by [`write_workbook`](crate::write_workbook) (and
/// possibly edited since). Every cell is checked; the first problem is returned and no
/// record is.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<PlanRecord>, XlsxError> {
    if let Some((ja, en)) = crate::zipsize::too_big(bytes) {
        return Err(XlsxError::TooBig { ja, en });
    }
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    let names = wb.sheet_names();
    for required in [TARGETS_SHEET, DIRECTORY_SHEET] {
        if !names.iter().any(|n| n == required) {
            return Err(XlsxError::MissingSheet {
                sheet: required.to_string(),
            });
        }
    }
    let mut sheet = |name: &str| read_sheet(&mut wb, name);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut plan_index: HashMap<String, usize> = HashMap::new();
    for name in &names {
        if name == TARGETS_SHEET || name == DIRECTORY_SHEET || name == INDICATORS_SHEET {
            continue;
        }
        let s = sheet(name)?;
        if let Some((draft, key_row)) = read_plan_sheet(&s)? {
            if plan_index.contains_key(&draft.key) {
                return Err(s.err(key_row, 1, Problem::DuplicateKey { key: draft.key }));
            }
            plan_index.insert(draft.key.clone(), drafts.len());
            drafts.push(draft);
        }
    }
    read_targets(&sheet(TARGETS_SHEET)?, &mut drafts, &plan_index)?;
    read_directory(&sheet(DIRECTORY_SHEET)?, &mut drafts, &plan_index)?;
    if names.iter().any(|n| n == INDICATORS_SHEET) {
        read_indicators(&sheet(INDICATORS_SHEET)?, &mut drafts, &plan_index)?;
    }
    Ok(drafts.into_iter().map(|d| d.record).collect())
}

/// One parsed non-node row of a plan sheet.
enum Item {
    Section(Section),
    Review(Review),
    Evaluation(Evaluation),
    Milestone(Milestone),
}

/// A plan sheet, or `None` if the sheet has no 計画キー item (not a plan sheet).
fn read_plan_sheet(s: &Sheet) -> Result<Option<(Draft, u32)>, XlsxError> {
    let Some(last) = s.last_row() else {
        return Ok(None);
    };
    let mut items: HashMap<&str, u32> = HashMap::new();
    let mut header_row = None;
    for row in 0..=last.min(TITLE_SEARCH_ROWS) {
        let has = |name: &str| {
            (0..=s.last_col()).any(|c| matches!(s.get(row, c), Data::String(h) if h.trim() == name))
        };
        let is_header = has(header(Col::Key)) && has(header(Col::Kind));
        if is_header {
            header_row = Some(row);
            break;
        }
        let Data::String(a) = s.get(row, 0) else {
            continue;
        };
        let a = a.trim();
        if let Some(item) = TITLE_ITEMS.iter().find(|i| **i == a) {
            if items.insert(item, row).is_some() {
                return Err(s.err(
                    row,
                    0,
                    Problem::DuplicateColumn {
                        name: a.to_string(),
                    },
                ));
            }
        }
    }
    if !items.contains_key(ITEM_PLAN_KEY) {
        return Ok(None);
    }
    let item_row = |item: &str| -> Result<u32, XlsxError> {
        items
            .get(item)
            .copied()
            .ok_or_else(|| XlsxError::MissingItem {
                sheet: s.name.clone(),
                item: item.to_string(),
            })
    };
    for item in TITLE_ITEMS {
        item_row(item)?;
    }
    let header_row = header_row.ok_or_else(|| XlsxError::MissingColumn {
        sheet: s.name.clone(),
        column: header(Col::Key).to_string(),
        row: PLAN_HEADER_ROW + 1,
    })?;

    let r = item_row(ITEM_FAMILY)?;
    let family = s
        .code(r, 1, &layout::families(), "様式", "family")?
        .ok_or_else(|| {
            s.err(
                r,
                1,
                Problem::Required {
                    column: ITEM_FAMILY.into(),
                },
            )
        })?;
    let r = item_row(ITEM_PERIOD)?;
    let period = s.period(r, 1)?.ok_or_else(|| {
        s.err(
            r,
            1,
            Problem::Required {
                column: ITEM_PERIOD.into(),
            },
        )
    })?;
    let r = item_row(ITEM_STATUS)?;
    let status = s
        .code(r, 1, &layout::statuses(), "状態", "status")?
        .ok_or_else(|| {
            s.err(
                r,
                1,
                Problem::Required {
                    column: ITEM_STATUS.into(),
                },
            )
        })?;
    let r = item_row(ITEM_VERSION)?;
    let version = s.integer(r, 1)?.ok_or_else(|| {
        s.err(
            r,
            1,
            Problem::Required {
                column: ITEM_VERSION.into(),
            },
        )
    })?;
    let r = item_row(ITEM_SAMPLE)?;
    let is_sample = s.bool(r, 1, "見本", "sample flag")?.ok_or_else(|| {
        s.err(
            r,
            1,
            Problem::Required {
                column: ITEM_SAMPLE.into(),
            },
        )
    })?;
    let key_row = item_row(ITEM_PLAN_KEY)?;
    let key = s.required_key(key_row, 1, ITEM_PLAN_KEY)?;

    let names: Vec<(&str, bool)> = PLAN_COLUMNS.iter().map(|(_, h, _)| (*h, true)).collect();
    let found = s.columns(header_row, &names)?;
    // Every column exists (checked above); map the layout's columns to the sheet's.
    let cols: HashMap<u16, u16> = found
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((u16::try_from(i).ok()?, (*c)?)))
        .collect();
    let at = |c: Col| -> u16 { cols.get(&col_index(c)).copied().unwrap_or(0) };

    let mut nodes: Vec<NodeContent> = Vec::new();
    let mut node_rows: Vec<u32> = Vec::new();
    let mut node_keys: HashMap<String, usize> = HashMap::new();
    let mut pending: Vec<(u32, String, Item)> = Vec::new();
    for row in header_row + 1..=last {
        if s.blank_row(row, &found) {
            continue;
        }
        let node_key = s.required_key(row, at(Col::Key), header(Col::Key))?;
        let kind_text = s.required_text(row, at(Col::Kind), header(Col::Kind))?;
        let kind = RowKind::parse(&kind_text).ok_or_else(|| {
            let items: Vec<(RowKind, &str, &str)> = RowKind::ALL
                .iter()
                .map(|k| (*k, k.code(), k.label()))
                .collect();
            s.err(
                row,
                at(Col::Kind),
                Problem::UnknownCode {
                    what_ja: "区分",
                    what_en: "row kind",
                    value: kind_text.clone(),
                    allowed: layout::allowed(&items),
                },
            )
        })?;
        for (col, name, _) in PLAN_COLUMNS {
            let used = matches!(col, Col::Key | Col::Kind) || kind.columns().contains(&col);
            if !used && !s.is_empty(row, at(col)) {
                return Err(s.err(
                    row,
                    at(col),
                    Problem::NotUsed {
                        column: name.to_string(),
                        kind: kind.label().to_string(),
                    },
                ));
            }
        }
        let item = match kind {
            RowKind::Node => {
                if node_keys.contains_key(&node_key) {
                    return Err(s.err(row, at(Col::Key), Problem::DuplicateKey { key: node_key }));
                }
                let source_line = match s.integer(row, at(Col::SourceLine))? {
                    None => None,
                    Some(v) => Some(u32::try_from(v).map_err(|_| {
                        s.err(
                            row,
                            at(Col::SourceLine),
                            Problem::NotAnInteger {
                                value: v.to_string(),
                            },
                        )
                    })?),
                };
                node_keys.insert(node_key, nodes.len());
                node_rows.push(row);
                nodes.push(NodeContent {
                    level: s.text(row, at(Col::Level))?,
                    number: s.opt_text(row, at(Col::Number))?,
                    title: s.text(row, at(Col::Title))?,
                    subtitle: s.opt_text(row, at(Col::Subtitle))?,
                    marks: s.list(row, at(Col::Marks))?,
                    owner: s.opt_text(row, at(Col::Owner))?,
                    source_line,
                    ..NodeContent::default()
                });
                continue;
            }
            RowKind::Section(phase) => Item::Section(Section {
                phase,
                heading: s.text(row, at(Col::Heading))?,
                body: s.text(row, at(Col::Body))?,
            }),
            RowKind::Review => Item::Review(Review {
                fiscal_year: required_fy(s, row, at(Col::Year))?,
                implementation: s.code(
                    row,
                    at(Col::Implementation),
                    &layout::implementations(),
                    "取組内容の実施見込み",
                    "implementation prospect",
                )?,
                achievement: s.code(
                    row,
                    at(Col::Achievement),
                    &layout::achievements(),
                    "目標の達成見込み",
                    "achievement prospect",
                )?,
                remedy: s.opt_text(row, at(Col::Remedy))?,
            }),
            RowKind::Evaluation => Item::Evaluation(Evaluation {
                fiscal_year: required_fy(s, row, at(Col::Year))?,
                results: s.text(row, at(Col::Body))?,
                stated: s
                    .code(
                        row,
                        at(Col::Judgment),
                        &layout::judgments(),
                        "判定",
                        "judgment",
                    )?
                    .ok_or_else(|| {
                        s.err(
                            row,
                            at(Col::Judgment),
                            Problem::Required {
                                column: header(Col::Judgment).into(),
                            },
                        )
                    })?,
                remedy: s.opt_text(row, at(Col::Remedy))?,
                explanation: s.opt_text(row, at(Col::Explanation))?,
            }),
            RowKind::Milestone => Item::Milestone(Milestone {
                from: s.when(row, at(Col::From))?,
                to: s.when(row, at(Col::To))?,
                open_ended: s
                    .bool(row, at(Col::OpenEnded), "継続", "open-ended flag")?
                    .unwrap_or(false),
                text: s.text(row, at(Col::Body))?,
            }),
        };
        pending.push((row, node_key, item));
    }
    for (row, key, item) in pending {
        let node = node_keys.get(&key).copied().ok_or_else(|| {
            s.err(
                row,
                at(Col::Key),
                Problem::UnknownNode {
                    key: key.clone(),
                    plan: s.name.clone(),
                },
            )
        })?;
        let n = &mut nodes[node];
        match item {
            Item::Section(x) => n.sections.push(x),
            Item::Review(x) => n.reviews.push(x),
            Item::Evaluation(x) => n.evaluations.push(x),
            Item::Milestone(x) => n.milestones.push(x),
        }
    }
    let links = read_links(
        s,
        &node_rows,
        &node_keys,
        at(Col::Parents),
        at(Col::LinkOrder),
    )?;

    let level_row = item_row(ITEM_LEVELS)?;
    let content = PlanContent {
        family,
        period,
        title: s.text(item_row(ITEM_TITLE)?, 1)?,
        level_names: s.list(level_row, 1)?,
        nodes,
        links,
        is_sample,
    };
    if let Err(e) = content.validate() {
        let (node, col, problem) = match e {
            ContentError::EmptyTitle(i) => (i, Col::Title, Problem::EmptyTitle),
            ContentError::SelfLink(i) => (i, Col::Parents, Problem::SelfLink),
            ContentError::Cycle(i) | ContentError::DanglingLink { node: i, .. } => {
                (i, Col::Parents, Problem::Cycle)
            }
            ContentError::TooLong { node, field, chars } => (
                node,
                too_long_column(field),
                Problem::TooLong { len: chars },
            ),
        };
        let row = node_rows.get(node).copied().unwrap_or(header_row);
        return Err(s.err(row, at(col), problem));
    }
    let record = PlanRecord {
        municipality: s.text(item_row(ITEM_MUNICIPALITY)?, 1)?,
        unit: s.text(item_row(ITEM_UNIT)?, 1)?,
        status,
        version,
        content,
        directory: Vec::new(),
        indicators: Vec::new(),
        item_pages: Vec::new(),
    };
    Ok(Some((
        Draft {
            key,
            record,
            node_keys,
        },
        key_row,
    )))
}

fn required_fy(s: &Sheet, row: u32, col: u16) -> Result<FiscalYear, XlsxError> {
    s.fiscal_year(row, col)?.ok_or_else(|| {
        s.err(
            row,
            col,
            Problem::Required {
                column: header(Col::Year).into(),
            },
        )
    })
}

fn split_list(t: &str) -> Vec<&str> {
    t.split(LIST_SEPARATORS)
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect()
}

/// Links from the 親 cells of node rows; ordered by リンク順 where given, the rest after
/// them in node order and then cell order.
fn read_links(
    s: &Sheet,
    node_rows: &[u32],
    node_keys: &HashMap<String, usize>,
    parents_col: u16,
    order_col: u16,
) -> Result<Vec<LinkContent>, XlsxError> {
    let mut numbered: Vec<(u64, LinkContent)> = Vec::new();
    let mut rest: Vec<LinkContent> = Vec::new();
    let mut seen_numbers: HashMap<u64, ()> = HashMap::new();
    for (child, &row) in node_rows.iter().enumerate() {
        let text = s.text(row, parents_col)?;
        let mut links = Vec::new();
        for entry in split_list(&text) {
            let (key, kind) = match entry
                .strip_suffix(REPEAT_SUFFIX)
                .or_else(|| entry.strip_suffix(REPEAT_SUFFIX_ASCII))
            {
                Some(k) => (k.trim(), LinkKind::Repeat),
                None => (entry, LinkKind::Primary),
            };
            let parent = node_keys.get(key).copied().ok_or_else(|| {
                s.err(
                    row,
                    parents_col,
                    Problem::UnknownNode {
                        key: key.to_string(),
                        plan: s.name.clone(),
                    },
                )
            })?;
            links.push(LinkContent {
                parent,
                child,
                kind,
            });
        }
        let bad = |ja: String, en: String| {
            s.err(
                row,
                order_col,
                Problem::LinkOrder {
                    reason_ja: ja,
                    reason_en: en,
                },
            )
        };
        let numbers: Vec<u64> = match s.get(row, order_col) {
            Data::Float(_) | Data::Int(_) => {
                let v = s.integer(row, order_col)?.unwrap_or(0);
                vec![u64::try_from(v).unwrap_or(0)]
            }
            _ => split_list(&s.text(row, order_col)?)
                .into_iter()
                .map(|t| t.parse::<u64>().unwrap_or(0))
                .collect(),
        };
        if numbers.is_empty() {
            rest.extend(links);
            continue;
        }
        if numbers.contains(&0) {
            return Err(bad(
                "番号は1以上の整数です".into(),
                "numbers are whole numbers from 1".into(),
            ));
        }
        if numbers.len() != links.len() {
            return Err(bad(
                format!("親は{}件、番号は{}件です", links.len(), numbers.len()),
                format!("{} parents but {} numbers", links.len(), numbers.len()),
            ));
        }
        for (n, l) in numbers.into_iter().zip(links) {
            if seen_numbers.insert(n, ()).is_some() {
                return Err(bad(
                    format!("番号 {n} が重複しています"),
                    format!("number {n} is used twice"),
                ));
            }
            numbered.push((n, l));
        }
    }
    numbered.sort_by_key(|(n, _)| *n);
    Ok(numbered.into_iter().map(|(_, l)| l).chain(rest).collect())
}

fn read_targets(
    s: &Sheet,
    drafts: &mut [Draft],
    plan_index: &HashMap<String, usize>,
) -> Result<(), XlsxError> {
    let names: Vec<(&str, bool)> = TARGET_COLUMNS
        .iter()
        .map(|(_, h, _, req)| (*h, *req))
        .collect();
    let found = s.columns(0, &names)?;
    let at = |c: TCol| -> u16 {
        TARGET_COLUMNS
            .iter()
            .position(|(t, _, _, _)| *t == c)
            .and_then(|i| found[i])
            .unwrap_or(0)
    };
    // Columns read when present (older workbooks do not have them).
    let present = |c: TCol| -> Option<u16> {
        TARGET_COLUMNS
            .iter()
            .position(|(t, _, _, _)| *t == c)
            .and_then(|i| found[i])
    };
    let Some(last) = s.last_row() else {
        return Ok(());
    };
    // Only the columns read on import decide whether a row is blank.
    let read_cols: Vec<Option<u16>> = TARGET_COLUMNS
        .iter()
        .zip(&found)
        .filter(|((_, _, _, req), _)| *req)
        .map(|(_, c)| *c)
        .collect();
    for row in 1..=last {
        if s.blank_row(row, &read_cols) {
            continue;
        }
        let (draft, node) = node_ref(s, row, at(TCol::Plan), at(TCol::Node), drafts, plan_index)?;
        let kind_text = s.required_text(row, at(TCol::Kind), "種別")?;
        let kind = Measure::parse(&kind_text).ok_or_else(|| {
            s.err(
                row,
                at(TCol::Kind),
                Problem::UnknownCode {
                    what_ja: "種別",
                    what_en: "kind (target or actual)",
                    value: kind_text.clone(),
                    allowed: "目標・実績".into(),
                },
            )
        })?;
        let value = s.number(row, at(TCol::Value))?;
        let measure_unit = s.opt_text(row, at(TCol::Unit))?;
        let text = s.text(row, at(TCol::Text))?;
        let indicator_id = s.integer(row, at(TCol::Indicator))?.map(IndicatorId);
        let n = &mut drafts[draft].record.content.nodes[node];
        match kind {
            Measure::Target => {
                if !s.is_empty(row, at(TCol::AsOf)) {
                    return Err(s.err(
                        row,
                        at(TCol::AsOf),
                        Problem::NotAllowed {
                            ja: "目標の行には時点を書けません".into(),
                            en: "a target row has no as-of date".into(),
                        },
                    ));
                }
                n.targets.push(Target {
                    indicator_id,
                    period: s.period(row, at(TCol::Year))?,
                    value,
                    measure_unit,
                    comparator: comparator(s, row, at(TCol::Comparator))?,
                    text,
                    indicator_name: match present(TCol::IndicatorName) {
                        Some(c) => s.opt_text(row, c)?,
                        None => None,
                    },
                    this_year: match present(TCol::ThisYear) {
                        Some(c) => s
                            .bool(row, c, "当年度", "this year's target")?
                            .unwrap_or(false),
                        None => false,
                    },
                });
            }
            Measure::Actual => {
                if !s.is_empty(row, at(TCol::Comparator)) {
                    return Err(s.err(
                        row,
                        at(TCol::Comparator),
                        Problem::NotAllowed {
                            ja: "実績の行には比較を書けません".into(),
                            en: "an actual row has no comparator".into(),
                        },
                    ));
                }
                let fiscal_year = match s.period(row, at(TCol::Year))? {
                    None => None,
                    Some(p) if p.start == p.end => Some(p.start),
                    Some(_) => {
                        return Err(s.err(
                            row,
                            at(TCol::Year),
                            Problem::BadFiscalYear {
                                value: s.text(row, at(TCol::Year))?,
                                reason: "実績の年度は1つです / an actual has one fiscal year"
                                    .into(),
                            },
                        ))
                    }
                };
                n.actuals.push(Actual {
                    indicator_id,
                    fiscal_year,
                    value,
                    measure_unit,
                    as_of: s.date(row, at(TCol::AsOf))?,
                    text,
                });
            }
        }
    }
    Ok(())
}

fn comparator(s: &Sheet, row: u32, col: u16) -> Result<Option<Comparator>, XlsxError> {
    let Some(t) = s.opt_text(row, col)? else {
        return Ok(None);
    };
    let items: Vec<(Comparator, &str, &str)> = layout::COMPARATORS
        .iter()
        .map(|c| (*c, c.code(), c.label_ja()))
        .filter(|(_, _, l)| !l.is_empty())
        .chain(std::iter::once((Comparator::Equal, "equal", "equal")))
        .collect();
    layout::lookup(&t, &items).map(Some).ok_or_else(|| {
        s.err(
            row,
            col,
            Problem::UnknownCode {
                what_ja: "比較コード",
                what_en: "comparator code",
                value: t,
                allowed: layout::comparator_codes(),
            },
        )
    })
}

/// The plan and node a row refers to by 計画キー and 要素キー.
fn node_ref(
    s: &Sheet,
    row: u32,
    plan_col: u16,
    node_col: u16,
    drafts: &[Draft],
    plan_index: &HashMap<String, usize>,
) -> Result<(usize, usize), XlsxError> {
    let draft = plan_ref(s, row, plan_col, plan_index)?;
    let key = s.required_key(row, node_col, "要素キー")?;
    let node = drafts[draft].node_keys.get(&key).copied().ok_or_else(|| {
        s.err(
            row,
            node_col,
            Problem::UnknownNode {
                key: key.clone(),
                plan: drafts[draft].key.clone(),
            },
        )
    })?;
    Ok((draft, node))
}

fn plan_ref(
    s: &Sheet,
    row: u32,
    plan_col: u16,
    plan_index: &HashMap<String, usize>,
) -> Result<usize, XlsxError> {
    let key = s.required_key(row, plan_col, ITEM_PLAN_KEY)?;
    plan_index
        .get(&key)
        .copied()
        .ok_or_else(|| s.err(row, plan_col, Problem::UnknownPlan { key }))
}

fn read_directory(
    s: &Sheet,
    drafts: &mut [Draft],
    plan_index: &HashMap<String, usize>,
) -> Result<(), XlsxError> {
    let names: Vec<(&str, bool)> = DIRECTORY_COLUMNS
        .iter()
        .map(|(_, h, _)| (*h, true))
        .collect();
    let found = s.columns(0, &names)?;
    let at = |c: DCol| -> u16 {
        DIRECTORY_COLUMNS
            .iter()
            .position(|(t, _, _)| *t == c)
            .and_then(|i| found[i])
            .unwrap_or(0)
    };
    let Some(last) = s.last_row() else {
        return Ok(());
    };
    for row in 1..=last {
        if s.blank_row(row, &found) {
            continue;
        }
        let draft = plan_ref(s, row, at(DCol::Plan), plan_index)?;
        let entry = DirectoryEntry {
            division: s.text(row, at(DCol::Division))?,
            section: s.opt_text(row, at(DCol::Section))?,
            phone: s.opt_text(row, at(DCol::Phone))?,
            fax: s.opt_text(row, at(DCol::Fax))?,
            duties: s.opt_text(row, at(DCol::Duties))?,
        };
        drafts[draft].record.directory.push(entry);
    }
    Ok(())
}

/// The 指標 sheet (written since indicators were; optional): what each indicator id of
/// the 目標と実績 rows is, so the workbook imports into another database by name.
fn read_indicators(
    s: &Sheet,
    drafts: &mut [Draft],
    plan_index: &HashMap<String, usize>,
) -> Result<(), XlsxError> {
    let names: Vec<(&str, bool)> = INDICATOR_COLUMNS
        .iter()
        .map(|(_, h, _, required)| (*h, *required))
        .collect();
    let found = s.columns(0, &names)?;
    let at = |c: ICol| -> Option<u16> {
        INDICATOR_COLUMNS
            .iter()
            .position(|(t, _, _, _)| *t == c)
            .and_then(|i| found[i])
    };
    let col = |c: ICol| at(c).unwrap_or(0);
    let Some(last) = s.last_row() else {
        return Ok(());
    };
    let directions = layout::directions();
    for row in 1..=last {
        if s.blank_row(row, &found) {
            continue;
        }
        let draft = plan_ref(s, row, col(ICol::Plan), plan_index)?;
        let required = |c: ICol, header: &str| {
            s.err(
                row,
                col(c),
                Problem::Required {
                    column: header.to_string(),
                },
            )
        };
        let id = s
            .integer(row, col(ICol::Id))?
            .ok_or_else(|| required(ICol::Id, "指標ID"))?;
        let direction = s
            .code(row, col(ICol::Direction), &directions, "方向", "direction")?
            .ok_or_else(|| required(ICol::Direction, "方向"))?;
        let opt = |c: ICol| match at(c) {
            Some(k) => s.opt_text(row, k),
            None => Ok(None),
        };
        let is_common = match at(ICol::Common) {
            Some(k) => s.bool(row, k, "共通指標", "common")?.unwrap_or(false),
            None => false,
        };
        drafts[draft].record.indicators.push(IndicatorRecord {
            id,
            name: s.text(row, col(ICol::Name))?,
            unit: s.text(row, col(ICol::Unit))?,
            direction,
            definition: opt(ICol::Definition)?,
            source: opt(ICol::Source)?,
            is_common,
            series: Vec::new(),
        });
    }
    Ok(())
}

/// The plan sheet column a too-long field of a node is written in.
pub(crate) fn too_long_column(field: &str) -> Col {
    match field {
        "title" => Col::Title,
        "subtitle" => Col::Subtitle,
        "remedy" => Col::Remedy,
        "explanation" => Col::Explanation,
        _ => Col::Body,
    }
}
