//! Export: records → xlsx bytes.

use crate::error::{a1, Problem, XlsxError};
use crate::layout::{
    self, col_index, Col, DCol, ICol, Measure, RowKind, TCol, DIRECTORY_COLUMNS, DIRECTORY_SHEET,
    INDICATORS_SHEET, INDICATOR_COLUMNS, ITEM_FAMILY, ITEM_LEVELS, ITEM_MUNICIPALITY, ITEM_PERIOD,
    ITEM_PLAN_KEY, ITEM_SAMPLE, ITEM_STATUS, ITEM_TITLE, ITEM_UNIT, ITEM_VERSION, NO, PLAN_COLUMNS,
    PLAN_HEADER_ROW, REPEAT_SUFFIX, TARGETS_SHEET, TARGET_COLUMNS, YES,
};
use kusei_domain::calendar::Date;
use kusei_domain::content::{ContentError, NodeContent, PlanRecord};
use kusei_domain::model::{LinkKind, Phase};
use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet,
};

/// Excel's limit of characters (UTF-16 units) in one cell.
pub const MAX_CELL_CHARS: usize = 32767;
/// Integers up to this size are written as numbers; larger ones as text (f64 would round).
const MAX_EXACT_INT: i64 = 1 << 53;
/// Last row index Excel allows; data validations cover the columns down to it.
const LAST_ROW: u32 = 1_048_575;

fn xerr(e: rust_xlsxwriter::XlsxError) -> XlsxError {
    XlsxError::Write(e.to_string())
}

struct Formats {
    header: Format,
    label: Format,
    value: Format,
    value_wrap: Format,
    text: Format,
    num: Format,
    date: Format,
    node_text: Format,
    node_title: Format,
    node_num: Format,
}

impl Formats {
    fn new() -> Formats {
        let top = Format::new().set_align(FormatAlign::Top);
        let text = top.clone().set_num_format("@").set_text_wrap();
        let node_fill = Color::RGB(0x00DD_EBF7);
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0x00D9_D9D9))
                .set_border(FormatBorder::Thin),
            label: top
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0x00F2_F2F2)),
            value: top.clone().set_num_format("@"),
            value_wrap: text.clone(),
            text: text.clone(),
            num: top.clone(),
            date: top.clone().set_num_format("yyyy-mm-dd"),
            node_text: text.clone().set_background_color(node_fill),
            node_title: text.set_bold().set_background_color(node_fill),
            node_num: top.set_background_color(node_fill),
        }
    }
}

/// A worksheet being written, with its name for error messages.
struct Out {
    ws: Worksheet,
    name: String,
}

impl Out {
    fn new(name: &str) -> Result<Out, XlsxError> {
        let mut ws = Worksheet::new();
        ws.set_name(name).map_err(xerr)?;
        Ok(Out {
            ws,
            name: name.to_string(),
        })
    }

    fn cell_err(&self, row: u32, col: u16, problem: Problem) -> XlsxError {
        XlsxError::Cell {
            sheet: self.name.clone(),
            cell: a1(row, col),
            problem: Box::new(problem),
        }
    }

    /// Text, always as a string (never a formula); empty text is a blank cell.
    fn text(&mut self, row: u32, col: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
        let len = s.encode_utf16().count();
        if len > MAX_CELL_CHARS {
            return Err(self.cell_err(row, col, Problem::TooLong { len }));
        }
        if s.is_empty() {
            self.ws.write_blank(row, col, f).map_err(xerr)?;
        } else {
            self.ws
                .write_string_with_format(row, col, s, f)
                .map_err(xerr)?;
        }
        Ok(())
    }

    fn opt_text(
        &mut self,
        row: u32,
        col: u16,
        s: Option<&str>,
        f: &Format,
    ) -> Result<(), XlsxError> {
        self.text(row, col, s.unwrap_or(""), f)
    }

    fn number(&mut self, row: u32, col: u16, v: f64, f: &Format) -> Result<(), XlsxError> {
        if !v.is_finite() {
            return Err(self.cell_err(row, col, Problem::NotFinite));
        }
        self.ws
            .write_number_with_format(row, col, v, f)
            .map_err(xerr)?;
        Ok(())
    }

    /// An integer: a number when f64 holds it exactly, else text.
    fn int(&mut self, row: u32, col: u16, v: i64, f: &Format) -> Result<(), XlsxError> {
        if (-MAX_EXACT_INT..=MAX_EXACT_INT).contains(&v) {
            #[allow(clippy::cast_precision_loss)] // exact in this range
            self.number(row, col, v as f64, f)
        } else {
            self.text(row, col, &v.to_string(), f)
        }
    }

    fn date(&mut self, row: u32, col: u16, d: Date, f: &Format) -> Result<(), XlsxError> {
        let year = u16::try_from(d.year()).map_err(|_| {
            self.cell_err(
                row,
                col,
                Problem::BadDate {
                    value: d.to_string(),
                    reason: "out of range".into(),
                },
            )
        })?;
        let dt = ExcelDateTime::from_ymd(year, d.month(), d.day()).map_err(xerr)?;
        self.ws
            .write_datetime_with_format(row, col, &dt, f)
            .map_err(xerr)?;
        Ok(())
    }

    /// A list written one entry per line; entries must be non-empty and single-line so
    /// that the list reads back as written.
    fn list(&mut self, row: u32, col: u16, items: &[String], f: &Format) -> Result<(), XlsxError> {
        if let Some(bad) = items.iter().find(|i| i.is_empty() || i.contains('\n')) {
            return Err(self.cell_err(row, col, Problem::BadListEntry { value: bad.clone() }));
        }
        self.text(row, col, &items.join("\n"), f)
    }

    fn headers(&mut self, row: u32, headers: &[(&str, f64)], f: &Format) -> Result<(), XlsxError> {
        for (i, (h, width)) in headers.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            self.ws.set_column_width(col, *width).map_err(xerr)?;
            self.text(row, col, h, f)?;
        }
        self.ws.set_freeze_panes(row + 1, 0).map_err(xerr)?;
        Ok(())
    }

    fn finish_table(
        &mut self,
        header_row: u32,
        last_row: u32,
        cols: usize,
    ) -> Result<(), XlsxError> {
        let last_col = u16::try_from(cols.saturating_sub(1)).unwrap_or(u16::MAX);
        self.ws
            .autofilter(header_row, 0, last_row.max(header_row + 1), last_col)
            .map_err(xerr)?;
        Ok(())
    }

    /// A drop-down of `choices` on `col` below `header_row`; other values stay allowed
    /// (codes are accepted on import), so no error alert.
    fn dropdown(&mut self, header_row: u32, col: u16, choices: &[&str]) -> Result<(), XlsxError> {
        let dv = DataValidation::new()
            .allow_list_strings(choices)
            .map_err(xerr)?
            .show_error_message(false);
        self.ws
            .add_data_validation(header_row + 1, col, LAST_ROW, col, &dv)
            .map_err(xerr)?;
        Ok(())
    }
}

/// The workbook of `records`; see the crate documentation for the layout.
pub fn write_workbook(records: &[PlanRecord]) -> Result<Vec<u8>, XlsxError> {
    let names = layout::plan_sheet_names(
        records
            .iter()
            .map(|r| (r.unit.as_str(), r.content.family, r.content.period)),
    );
    let f = Formats::new();
    let mut wb = Workbook::new();
    // A constant creation date keeps the bytes a pure function of the records.
    let created = ExcelDateTime::from_ymd(1980, 1, 1).map_err(xerr)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title("区政運営計画 / Kusei plans")
            .set_author("Kusei"),
    );
    for (r, name) in records.iter().zip(&names) {
        wb.push_worksheet(plan_sheet(r, name, &f)?);
    }
    wb.push_worksheet(targets_sheet(records, &names, &f)?);
    wb.push_worksheet(directory_sheet(records, &names, &f)?);
    wb.push_worksheet(indicators_sheet(records, &names, &f)?);
    wb.save_to_buffer().map_err(xerr)
}

/// Are links grouped by child in node order (the order the plan sheet gives without
/// リンク順 numbers)?
fn links_in_sheet_order(r: &PlanRecord) -> bool {
    r.content.links.windows(2).all(|w| w[0].child <= w[1].child)
}

fn plan_sheet(r: &PlanRecord, name: &str, f: &Formats) -> Result<Worksheet, XlsxError> {
    let c = &r.content;
    let len = c.nodes.len();
    for (index, l) in c.links.iter().enumerate() {
        for node in [l.parent, l.child] {
            if node >= len {
                return Err(XlsxError::InvalidRecord {
                    plan: name.to_string(),
                    problem: Box::new(Problem::DanglingLink { index, node, len }),
                });
            }
        }
    }
    let mut out = Out::new(name)?;

    // Title block.
    let items: [(&str, String); 10] = [
        (ITEM_MUNICIPALITY, r.municipality.clone()),
        (ITEM_UNIT, r.unit.clone()),
        (ITEM_TITLE, c.title.clone()),
        (ITEM_FAMILY, c.family.label_ja().to_string()),
        (ITEM_PERIOD, layout::period_text(c.period)),
        (ITEM_STATUS, r.status.label_ja().to_string()),
        (ITEM_VERSION, String::new()),
        (ITEM_LEVELS, String::new()),
        (ITEM_SAMPLE, if c.is_sample { YES } else { NO }.to_string()),
        (ITEM_PLAN_KEY, name.to_string()),
    ];
    for (row, (label, value)) in (0u32..).zip(items.iter()) {
        out.text(row, 0, label, &f.label)?;
        match *label {
            ITEM_VERSION => out.int(row, 1, r.version, &f.num)?,
            ITEM_LEVELS => out.list(row, 1, &c.level_names, &f.value_wrap)?,
            _ => out.text(row, 1, value, &f.value)?,
        }
    }

    // Node table.
    let hdr = PLAN_HEADER_ROW;
    let headers: Vec<(&str, f64)> = PLAN_COLUMNS.iter().map(|(_, h, w)| (*h, *w)).collect();
    for (i, (col, _, _)) in PLAN_COLUMNS.iter().enumerate() {
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        if !matches!(col, Col::Key | Col::LinkOrder | Col::SourceLine) {
            out.ws.set_column_format(i, &f.text).map_err(xerr)?;
        }
    }
    out.headers(hdr, &headers, &f.header)?;
    let numbered = !links_in_sheet_order(r);
    let mut row = hdr + 1;
    let mut node_rows = Vec::with_capacity(len);
    for (i, n) in c.nodes.iter().enumerate() {
        node_rows.push(row);
        write_node_row(&mut out, row, i, n, r, numbered, f)?;
        row += 1;
        row = write_node_texts(&mut out, row, i + 1, n, f)?;
    }
    let last = row.saturating_sub(1);
    out.finish_table(hdr, last, PLAN_COLUMNS.len())?;
    let kinds: Vec<&str> = RowKind::ALL.iter().map(|k| k.label()).collect();
    out.dropdown(hdr, col_index(Col::Kind), &kinds)?;
    out.dropdown(
        hdr,
        col_index(Col::Implementation),
        &labels(&layout::implementations()),
    )?;
    out.dropdown(
        hdr,
        col_index(Col::Achievement),
        &labels(&layout::achievements()),
    )?;
    out.dropdown(
        hdr,
        col_index(Col::Judgment),
        &labels(&layout::judgments())[..4],
    )?;
    out.dropdown(hdr, col_index(Col::OpenEnded), &[YES, NO])?;

    // What the reader will check: titles, no self links, no cycles. (A text too long
    // for a cell is refused where it is written, naming that cell.)
    if let Err(e) = c.validate().or_else(|e| match e {
        ContentError::TooLong { .. } => Ok(()),
        e => Err(e),
    }) {
        let (node, col, problem) = match e {
            ContentError::EmptyTitle(i) => (i, Col::Title, Problem::EmptyTitle),
            ContentError::SelfLink(i) => (i, Col::Parents, Problem::SelfLink),
            ContentError::Cycle(i) => (i, Col::Parents, Problem::Cycle),
            ContentError::TooLong { .. } => return Ok(out.ws),
            ContentError::DanglingLink { index, node, len } => {
                return Err(XlsxError::InvalidRecord {
                    plan: name.to_string(),
                    problem: Box::new(Problem::DanglingLink { index, node, len }),
                })
            }
        };
        let row = node_rows.get(node).copied().unwrap_or(hdr + 1);
        return Err(out.cell_err(row, col_index(col), problem));
    }
    Ok(out.ws)
}

fn labels<T>(v: &[(T, &'static str, &'static str)]) -> Vec<&'static str> {
    v.iter().map(|(_, _, l)| *l).collect()
}

fn write_node_row(
    out: &mut Out,
    row: u32,
    index: usize,
    n: &NodeContent,
    r: &PlanRecord,
    numbered: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut parents = Vec::new();
    let mut order = Vec::new();
    for (li, l) in r.content.links.iter().enumerate() {
        if l.child == index {
            let key = (l.parent + 1).to_string();
            parents.push(match l.kind {
                LinkKind::Primary => key,
                LinkKind::Repeat => key + REPEAT_SUFFIX,
            });
            order.push((li + 1).to_string());
        }
    }
    for (col, _, _) in PLAN_COLUMNS {
        let ci = col_index(col);
        match col {
            Col::Key => out.int(
                row,
                ci,
                i64::try_from(index + 1).unwrap_or(i64::MAX),
                &f.node_num,
            )?,
            Col::Kind => out.text(row, ci, RowKind::Node.label(), &f.node_text)?,
            Col::Level => out.text(row, ci, &n.level, &f.node_text)?,
            Col::Number => out.opt_text(row, ci, n.number.as_deref(), &f.node_text)?,
            Col::Title => out.text(row, ci, &n.title, &f.node_title)?,
            Col::Subtitle => out.opt_text(row, ci, n.subtitle.as_deref(), &f.node_text)?,
            Col::Marks => out.list(row, ci, &n.marks, &f.node_text)?,
            Col::Owner => out.opt_text(row, ci, n.owner.as_deref(), &f.node_text)?,
            Col::Parents => out.text(row, ci, &parents.join("\n"), &f.node_text)?,
            Col::LinkOrder if numbered => out.text(row, ci, &order.join("\n"), &f.node_text)?,
            Col::SourceLine => match n.source_line {
                Some(line) => out.int(row, ci, i64::from(line), &f.node_num)?,
                None => out.text(row, ci, "", &f.node_num)?,
            },
            _ => out.text(row, ci, "", &f.node_text)?,
        }
    }
    Ok(())
}

/// Sections in their order, reviews before the first 自己評価 section, then
/// evaluations and milestones. Returns the next free row.
fn write_node_texts(
    out: &mut Out,
    mut row: u32,
    key: usize,
    n: &NodeContent,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let key = i64::try_from(key).unwrap_or(i64::MAX);
    let start = |out: &mut Out, row: u32, kind: RowKind| -> Result<(), XlsxError> {
        out.int(row, col_index(Col::Key), key, &f.num)?;
        out.text(row, col_index(Col::Kind), kind.label(), &f.text)
    };
    let mut reviews_done = false;
    let write_reviews = |out: &mut Out, row: &mut u32| -> Result<(), XlsxError> {
        for rv in &n.reviews {
            start(out, *row, RowKind::Review)?;
            out.text(*row, col_index(Col::Year), &rv.fiscal_year.label(), &f.text)?;
            let imp = rv.implementation.map(|p| p.label_ja());
            out.opt_text(*row, col_index(Col::Implementation), imp, &f.text)?;
            let ach = rv.achievement.map(|p| p.label_ja());
            out.opt_text(*row, col_index(Col::Achievement), ach, &f.text)?;
            out.opt_text(*row, col_index(Col::Remedy), rv.remedy.as_deref(), &f.text)?;
            *row += 1;
        }
        Ok(())
    };
    for s in &n.sections {
        if s.phase == Phase::Evaluation && !reviews_done {
            write_reviews(out, &mut row)?;
            reviews_done = true;
        }
        start(out, row, RowKind::Section(s.phase))?;
        out.text(row, col_index(Col::Heading), &s.heading, &f.text)?;
        out.text(row, col_index(Col::Body), &s.body, &f.text)?;
        row += 1;
    }
    if !reviews_done {
        write_reviews(out, &mut row)?;
    }
    for e in &n.evaluations {
        start(out, row, RowKind::Evaluation)?;
        out.text(row, col_index(Col::Year), &e.fiscal_year.label(), &f.text)?;
        out.text(row, col_index(Col::Body), &e.results, &f.text)?;
        out.text(row, col_index(Col::Judgment), e.stated.label_ja(), &f.text)?;
        out.opt_text(row, col_index(Col::Remedy), e.remedy.as_deref(), &f.text)?;
        out.opt_text(
            row,
            col_index(Col::Explanation),
            e.explanation.as_deref(),
            &f.text,
        )?;
        row += 1;
    }
    for m in &n.milestones {
        start(out, row, RowKind::Milestone)?;
        out.text(row, col_index(Col::Body), &m.text, &f.text)?;
        for (col, when) in [(Col::From, m.from), (Col::To, m.to)] {
            let text = match when {
                Some(w) => layout::when_text(w).map_err(|reason| {
                    out.cell_err(
                        row,
                        col_index(col),
                        Problem::BadWhen {
                            value: format!("{w:?}"),
                            reason,
                        },
                    )
                })?,
                None => String::new(),
            };
            out.text(row, col_index(col), &text, &f.text)?;
        }
        let open = if m.open_ended { YES } else { NO };
        out.text(row, col_index(Col::OpenEnded), open, &f.text)?;
        row += 1;
    }
    Ok(row)
}

fn tcol(c: TCol) -> u16 {
    TARGET_COLUMNS
        .iter()
        .position(|(t, _, _, _)| *t == c)
        .and_then(|i| u16::try_from(i).ok())
        .unwrap_or(0)
}

fn targets_sheet(
    records: &[PlanRecord],
    names: &[String],
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut out = Out::new(TARGETS_SHEET)?;
    let headers: Vec<(&str, f64)> = TARGET_COLUMNS.iter().map(|(_, h, w, _)| (*h, *w)).collect();
    for c in [
        TCol::Plan,
        TCol::NumberRef,
        TCol::TitleRef,
        TCol::Kind,
        TCol::Unit,
        TCol::Comparator,
        TCol::ComparatorRef,
        TCol::Year,
        TCol::Text,
        TCol::IndicatorName,
        TCol::ThisYear,
    ] {
        out.ws.set_column_format(tcol(c), &f.text).map_err(xerr)?;
    }
    out.headers(0, &headers, &f.header)?;
    let mut row = 1u32;
    for (r, plan) in records.iter().zip(names) {
        for (i, n) in r.content.nodes.iter().enumerate() {
            let key = i64::try_from(i + 1).unwrap_or(i64::MAX);
            let start = |out: &mut Out, row: u32, kind: Measure| -> Result<(), XlsxError> {
                out.text(row, tcol(TCol::Plan), plan, &f.text)?;
                out.int(row, tcol(TCol::Node), key, &f.num)?;
                out.opt_text(row, tcol(TCol::NumberRef), n.number.as_deref(), &f.text)?;
                out.text(row, tcol(TCol::TitleRef), &n.title, &f.text)?;
                out.text(row, tcol(TCol::Kind), kind.label(), &f.text)
            };
            for t in &n.targets {
                start(&mut out, row, Measure::Target)?;
                if let Some(v) = t.value {
                    out.number(row, tcol(TCol::Value), v, &f.num)?;
                }
                out.opt_text(row, tcol(TCol::Unit), t.measure_unit.as_deref(), &f.text)?;
                if let Some(c) = t.comparator {
                    out.text(row, tcol(TCol::Comparator), c.code(), &f.text)?;
                    out.text(row, tcol(TCol::ComparatorRef), c.label_ja(), &f.text)?;
                }
                if let Some(p) = t.period {
                    out.text(row, tcol(TCol::Year), &layout::period_text(p), &f.text)?;
                }
                out.text(row, tcol(TCol::Text), &t.text, &f.text)?;
                if let Some(id) = t.indicator_id {
                    out.int(row, tcol(TCol::Indicator), id.0, &f.num)?;
                }
                out.opt_text(
                    row,
                    tcol(TCol::IndicatorName),
                    t.indicator_name.as_deref(),
                    &f.text,
                )?;
                if t.this_year {
                    out.text(row, tcol(TCol::ThisYear), YES, &f.text)?;
                }
                row += 1;
            }
            for a in &n.actuals {
                start(&mut out, row, Measure::Actual)?;
                if let Some(v) = a.value {
                    out.number(row, tcol(TCol::Value), v, &f.num)?;
                }
                out.opt_text(row, tcol(TCol::Unit), a.measure_unit.as_deref(), &f.text)?;
                if let Some(fy) = a.fiscal_year {
                    out.text(row, tcol(TCol::Year), &fy.label(), &f.text)?;
                }
                if let Some(d) = a.as_of {
                    out.date(row, tcol(TCol::AsOf), d, &f.date)?;
                }
                out.text(row, tcol(TCol::Text), &a.text, &f.text)?;
                if let Some(id) = a.indicator_id {
                    out.int(row, tcol(TCol::Indicator), id.0, &f.num)?;
                }
                row += 1;
            }
        }
    }
    out.finish_table(0, row.saturating_sub(1), TARGET_COLUMNS.len())?;
    out.dropdown(
        0,
        tcol(TCol::Kind),
        &[Measure::Target.label(), Measure::Actual.label()],
    )?;
    let codes: Vec<&str> = layout::COMPARATORS.iter().map(|c| c.code()).collect();
    out.dropdown(0, tcol(TCol::Comparator), &codes)?;
    Ok(out.ws)
}

fn dcol(c: DCol) -> u16 {
    DIRECTORY_COLUMNS
        .iter()
        .position(|(t, _, _)| *t == c)
        .and_then(|i| u16::try_from(i).ok())
        .unwrap_or(0)
}

fn directory_sheet(
    records: &[PlanRecord],
    names: &[String],
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut out = Out::new(DIRECTORY_SHEET)?;
    let headers: Vec<(&str, f64)> = DIRECTORY_COLUMNS.iter().map(|(_, h, w)| (*h, *w)).collect();
    for i in 0..DIRECTORY_COLUMNS.len() {
        out.ws
            .set_column_format(u16::try_from(i).unwrap_or(0), &f.text)
            .map_err(xerr)?;
    }
    out.headers(0, &headers, &f.header)?;
    let mut row = 1u32;
    for (r, plan) in records.iter().zip(names) {
        for e in &r.directory {
            out.text(row, dcol(DCol::Plan), plan, &f.text)?;
            out.text(row, dcol(DCol::Division), &e.division, &f.text)?;
            out.opt_text(row, dcol(DCol::Section), e.section.as_deref(), &f.text)?;
            out.opt_text(row, dcol(DCol::Phone), e.phone.as_deref(), &f.text)?;
            out.opt_text(row, dcol(DCol::Fax), e.fax.as_deref(), &f.text)?;
            out.opt_text(row, dcol(DCol::Duties), e.duties.as_deref(), &f.text)?;
            row += 1;
        }
    }
    out.finish_table(0, row.saturating_sub(1), DIRECTORY_COLUMNS.len())?;
    Ok(out.ws)
}

fn icol(c: ICol) -> u16 {
    INDICATOR_COLUMNS
        .iter()
        .position(|(t, _, _, _)| *t == c)
        .and_then(|i| u16::try_from(i).ok())
        .unwrap_or(0)
}

/// A figure of a series in the indicator's unit as written (15,500,000 円 of a 千円
/// indicator → 15,500千円).
fn series_figure(v: f64, unit: &str) -> String {
    let written = v / kusei_kpi::Unit::factor(unit);
    let s = format!("{written:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

/// The 指標 sheet: per plan, the indicators its figures link to (the id the 目標と実績
/// rows use, what the indicator is) and, to read, the unit's series by year.
fn indicators_sheet(
    records: &[PlanRecord],
    names: &[String],
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut out = Out::new(INDICATORS_SHEET)?;
    let headers: Vec<(&str, f64)> = INDICATOR_COLUMNS
        .iter()
        .map(|(_, h, w, _)| (*h, *w))
        .collect();
    for (c, ..) in INDICATOR_COLUMNS {
        if c != ICol::Id {
            out.ws.set_column_format(icol(c), &f.text).map_err(xerr)?;
        }
    }
    out.headers(0, &headers, &f.header)?;
    let directions = layout::directions();
    let mut row = 1u32;
    for (r, plan) in records.iter().zip(names) {
        for i in &r.indicators {
            out.text(row, icol(ICol::Plan), plan, &f.text)?;
            out.int(row, icol(ICol::Id), i.id, &f.num)?;
            out.text(row, icol(ICol::Name), &i.name, &f.text)?;
            out.text(row, icol(ICol::Unit), &i.unit, &f.text)?;
            let label = directions
                .iter()
                .find(|d| d.0 == i.direction)
                .map_or("", |d| d.2);
            out.text(row, icol(ICol::Direction), label, &f.text)?;
            out.opt_text(
                row,
                icol(ICol::Definition),
                i.definition.as_deref(),
                &f.text,
            )?;
            out.opt_text(row, icol(ICol::Source), i.source.as_deref(), &f.text)?;
            out.text(
                row,
                icol(ICol::Common),
                if i.is_common { YES } else { NO },
                &f.text,
            )?;
            let series: Vec<String> = i
                .series
                .iter()
                .map(|p| {
                    let mut s = p.fiscal_year.label();
                    if let Some(t) = p.target {
                        s.push_str(&format!(" 目標 {}", series_figure(t, &i.unit)));
                    }
                    if let Some(a) = p.actual {
                        s.push_str(&format!(" 実績 {}", series_figure(a, &i.unit)));
                    }
                    s
                })
                .collect();
            if !series.is_empty() {
                out.text(row, icol(ICol::SeriesRef), &series.join("、"), &f.text)?;
            }
            row += 1;
        }
    }
    out.finish_table(0, row.saturating_sub(1), INDICATOR_COLUMNS.len())?;
    let labels: Vec<&str> = directions.iter().map(|d| d.2).collect();
    out.dropdown(0, icol(ICol::Direction), &labels)?;
    out.dropdown(0, icol(ICol::Common), &[YES, NO])?;
    Ok(out.ws)
}
