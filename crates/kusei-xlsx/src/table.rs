//! A report as a workbook: sheets of plain tables (a header row, then rows of text and
//! numbers), for the city's publication layouts (the roll-up). Text is always written as
//! text: a cell that starts with `=` stays the characters typed, never a formula.

use crate::XlsxError;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// One cell of a table sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum TableCell {
    Text(String),
    Number(f64),
    Empty,
}

/// One sheet: its name (cut to Excel's 31 characters), a title line, the header and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSheet {
    pub name: String,
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
}

fn xerr(e: rust_xlsxwriter::XlsxError) -> XlsxError {
    XlsxError::Write(e.to_string())
}

/// The workbook of these sheets (the same bytes for the same sheets).
pub fn table_workbook(sheets: &[TableSheet]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xDDE4EE))
        .set_text_wrap();
    for s in sheets {
        let ws = wb.add_worksheet();
        let name: String = s
            .name
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .take(31)
            .collect();
        ws.set_name(&name).map_err(xerr)?;
        ws.write_string_with_format(0, 0, &s.title, &bold)
            .map_err(xerr)?;
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, h, &header)
                .map_err(xerr)?;
            ws.set_column_width(c as u16, if c == 0 { 28 } else { 14 })
                .map_err(xerr)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 3;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    TableCell::Text(t) => ws.write_string(r, c as u16, t).map(|_| ()),
                    TableCell::Number(v) => ws.write_number(r, c as u16, *v).map(|_| ()),
                    TableCell::Empty => Ok(()),
                }
                .map_err(xerr)?;
            }
        }
        ws.set_freeze_panes(3, 1).map_err(xerr)?;
    }
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xerr)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    wb.save_to_buffer().map_err(xerr)
}
