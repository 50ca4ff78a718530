//! Workbooks for the Excel reader: Kusei's own exports of the corpus's documents, then
//! cells changed (as a person editing in Excel would, or worse) or bytes of the file.

use crate::mutate::Rng;
use calamine::{Data, Reader, Xlsx};
use kusei_domain::content::{DirectoryEntry, PlanRecord};
use kusei_domain::model::PlanStatus;
use std::io::Cursor;

/// A workbook as plain cell values: (sheet name, rows of cells).
pub(crate) type Grid = Vec<(String, Vec<Vec<Data>>)>;

/// One workbook per parsed document, and one with all of them.
pub(crate) fn seed_workbooks(docs: &[kusei_import::ParsedDocument]) -> Vec<Vec<u8>> {
    let mut records = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        // A document that does not say its year is stored for the year the user picks.
        let Some(period) = kusei_import::convert::document_period(doc).or_else(|| {
            kusei_domain::calendar::FiscalYear::new(2025)
                .ok()
                .map(kusei_domain::model::Period::year)
        }) else {
            continue;
        };
        let Ok(content) = kusei_import::convert::plan_content(doc, period) else {
            continue;
        };
        let directory: Vec<DirectoryEntry> = doc.directory.iter().map(|e| e.entry()).collect();
        records.push(PlanRecord {
            municipality: "試験市".into(),
            unit: format!("試験{i}区"),
            status: PlanStatus::Draft,
            version: 1,
            content,
            directory,
            indicators: Vec::new(),
            item_pages: Vec::new(),
        });
    }
    let mut out: Vec<Vec<u8>> = records
        .iter()
        .filter_map(|r| kusei_xlsx::write_workbook(std::slice::from_ref(r)).ok())
        .collect();
    if let Ok(all) = kusei_xlsx::write_workbook(&records) {
        out.push(all);
    }
    out
}

fn to_grid(bytes: &[u8]) -> Option<Grid> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).ok()?;
    let mut grid = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).ok()?;
        let (rows, cols) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
        let cells = (0..rows)
            .map(|r| {
                (0..cols)
                    .map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                    .collect()
            })
            .collect();
        grid.push((name, cells));
    }
    Some(grid)
}

fn from_grid(grid: &Grid) -> Option<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in grid {
        let ws = wb.add_worksheet();
        ws.set_name(name).ok()?;
        for (r, row) in rows.iter().enumerate() {
            let r = u32::try_from(r).ok()?;
            for (c, v) in row.iter().enumerate() {
                let c = u16::try_from(c).ok()?;
                let written = match v {
                    Data::String(s) => ws.write_string(r, c, s).map(|_| ()),
                    Data::Float(f) => ws.write_number(r, c, *f).map(|_| ()),
                    #[allow(clippy::cast_precision_loss)]
                    Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                    Data::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                    Data::DateTime(d) => ws.write_number(r, c, d.as_f64()).map(|_| ()),
                    _ => Ok(()),
                };
                // A value rust_xlsxwriter refuses (too long) is left out.
                let _ = written;
            }
        }
    }
    wb.save_to_buffer().ok()
}

const VALUES: &[&str] = &[
    "",
    "計画",
    "目標",
    "実績",
    "経営課題",
    "戦略",
    "具体的取組",
    "令和7年度",
    "R7",
    "2025",
    "2025-2027",
    "以上",
    "以下",
    "①",
    "②",
    "unknown",
    "draft",
    "approved",
    "%",
    "千円",
    "1-1-1",
    "(再掲)",
    "=1+1",
    "@SUM(A1)",
    "-1",
    "0",
    "1.5",
    "abc",
    "東区",
    "試験0区",
    "1、2",
    "a\nb",
    "\u{0}",
];

fn random_value(rng: &mut Rng, grid: &Grid) -> Data {
    match rng.below(7) {
        0 => Data::Empty,
        1 => Data::Float(match rng.below(5) {
            0 => 0.0,
            1 => -1.0,
            2 => 1e300,
            3 => 0.1,
            _ => f64::from(u32::try_from(rng.below(100_000)).unwrap_or(0)),
        }),
        2 => Data::Bool(rng.chance(2)),
        3 => {
            // A value copied from elsewhere in the workbook.
            let sheet = rng.pick(grid).map(|s| &s.1);
            let row = sheet.and_then(|rows| rng.pick(rows));
            row.and_then(|cells| rng.pick(cells))
                .cloned()
                .unwrap_or(Data::Empty)
        }
        4 => Data::String("長".repeat(1 + rng.below(40_000))),
        _ => Data::String(
            rng.pick(VALUES)
                .map_or_else(String::new, |s| (*s).to_string()),
        ),
    }
}

/// A workbook of the corpus with a few cells changed, rows dropped or doubled, or (one in
/// four) its bytes mutated.
pub(crate) fn mutated(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let Some(bytes) = rng.pick(corpus) else {
        return Vec::new();
    };
    if rng.chance(4) {
        let mut data = bytes.clone();
        for _ in 0..1 + rng.below(4) {
            let len = data.len();
            if len == 0 {
                break;
            }
            let i = rng.below(len);
            match rng.below(3) {
                0 => data[i] ^= 1 << rng.below(8),
                1 => data.truncate(i),
                _ => {
                    data.remove(i);
                }
            }
        }
        return data;
    }
    let Some(mut grid) = to_grid(bytes) else {
        return bytes.clone();
    };
    for _ in 0..1 + rng.below(5) {
        let value = random_value(rng, &grid);
        let sheet_i = rng.below(grid.len());
        let Some((_, rows)) = grid.get_mut(sheet_i) else {
            continue;
        };
        match rng.below(6) {
            0 if !rows.is_empty() => {
                let r = rng.below(rows.len());
                rows.remove(r);
            }
            1 if !rows.is_empty() => {
                let r = rng.below(rows.len());
                let row = rows[r].clone();
                rows.insert(r, row);
            }
            _ => {
                let r = rng.below(rows.len() + 2);
                while rows.len() <= r {
                    rows.push(Vec::new());
                }
                let width = rows.iter().map(Vec::len).max().unwrap_or(0);
                let c = rng.below(width + 2);
                let row = &mut rows[r];
                while row.len() <= c {
                    row.push(Data::Empty);
                }
                row[c] = value;
            }
        }
    }
    from_grid(&grid).unwrap_or_else(|| bytes.clone())
}
