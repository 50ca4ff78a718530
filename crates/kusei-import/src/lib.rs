//! Kusei importer: reads legacy ward-plan documents (text extracted from PDFs, often
//! Shift_JIS or UTF-16, with HTML fragments, tab-separated cells and markdown) into a
//! structured, versioned form ([`ParsedDocument`]) with diagnostics.
//!
//! Pure: no database and no IO except [`parse_file`], which reads one file.
//!
//! ```
//! let doc = kusei_import::parse_text("x.txt", "取組項目1\n\n【窓口の改善】\n\n計画\t(目標) 待ち時間を半減する。\n");
//! assert_eq!(doc.family, kusei_import::Family::ReformItems);
//! assert_eq!(doc.nodes[0].title, "窓口の改善");
//! assert_eq!(doc.nodes[0].targets[0].text, "待ち時間を半減する。");
//! ```
//!
//! The JSON shape is documented in `docs/import-format.md` and
//! `docs/schema/parsed-document.schema.json`.

mod choice;
mod common;
/// Conversion to the domain's plan content (written by the store/CLI side).
pub mod convert;
mod decode;
mod error;
pub mod figures;
mod furniture;
mod model;
mod plan_tree;
mod reform;
mod render;
mod sheet;
mod table;
mod text;
mod years;

pub use decode::decode;
pub use error::ImportError;
pub use model::*;
/// The normalised form of a text (NFKC, whitespace collapsed), as the JSON's `normalized` fields.
pub use text::normalize;

use common::Builder;
use text::{is_rule_line, key, split_lines, strip_markdown, Line};

/// Decode and parse. Errors for binary / empty / undecodable input and for documents
/// whose structure matches no known family.
pub fn parse_bytes(file_name: &str, bytes: &[u8]) -> Result<ParsedDocument, ImportError> {
    let (text, encoding) = decode(bytes).map_err(|e| e.with_file(file_name))?;
    let mut doc = parse_text(file_name, &text);
    doc.encoding = Some(encoding.to_string());
    if doc.family == Family::Unknown {
        let reason = doc
            .diagnostics
            .iter()
            .find(|d| d.code == "family_unrecognised")
            .map(|d| d.message.clone())
            .unwrap_or_else(|| "no known structure found".to_string());
        return Err(ImportError::Unrecognised {
            file: file_name.to_string(),
            reason,
        });
    }
    Ok(doc)
}

/// Read a file and parse it. A directory or unreadable path is an error naming the file.
pub fn parse_file(path: &std::path::Path) -> Result<ParsedDocument, ImportError> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(ImportError::IsDirectory { file: name });
    }
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        file: name.clone(),
        message: source.to_string(),
        source,
    })?;
    parse_bytes(&name, &bytes)
}

/// Parse already-decoded text. Never panics; an unrecognised document gives family
/// `unknown` and an error diagnostic `family_unrecognised`.
pub fn parse_text(file_name: &str, text: &str) -> ParsedDocument {
    // Form feeds are page breaks: noted by line, then removed (line numbers unchanged).
    let breaks: Vec<usize> = if text.contains('\u{c}') {
        text::split_raw_lines(text)
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains('\u{c}'))
            .map(|(i, _)| i + 1)
            .collect()
    } else {
        Vec::new()
    };
    let unbroken;
    let text = if breaks.is_empty() {
        text
    } else {
        unbroken = text.replace('\u{c}', "");
        unbroken.as_str()
    };
    let mut lines = split_lines(text);
    // Page furniture is read as nothing (and listed below).
    let furniture = furniture::find(&lines, &breaks);
    for r in &furniture {
        if let Some(l) = lines.get_mut(r.line - 1) {
            l.raw = "";
            l.cells.clear();
        }
    }
    let mut doc = ParsedDocument::empty(file_name, lines.len());
    document_years(&lines, &mut doc);
    let family = detect(&lines);
    doc.family = family;
    let mut b = Builder::new(doc);
    for r in &furniture {
        b.diag_excerpt(
            Some(r.line),
            Severity::Info,
            "page_furniture",
            r.message(),
            &r.text,
        );
    }
    b.ends_with_newline = text.ends_with('\n') || text.ends_with('\r');
    match family {
        Family::ReformItems => reform::parse(&lines, &mut b),
        Family::ResultsTable => table::parse(&lines, &mut b),
        Family::PlanTree => plan_tree::parse(&lines, &mut b),
        Family::ManagementSheet => sheet::parse(&lines, &mut b),
        Family::Unknown => {
            let non_blank = lines.iter().filter(|l| !l.is_blank()).count();
            let msg = if non_blank == 0 {
                "文書が空 (no text)".to_string()
            } else {
                "取組項目・経営課題/戦略・表の見出し行・■/○の体系のいずれの構造も見つからない (no 取組項目, 経営課題/戦略, results-table header or ■/○ outline found)".to_string()
            };
            b.diag(None, Severity::Error, "family_unrecognised", msg);
        }
    }
    // Any family: the text stops inside a markup tag ("<p sty") — cut off.
    if !b.ends_with_newline
        && !b
            .doc
            .diagnostics
            .iter()
            .any(|d| d.code == "truncated_input")
    {
        if let Some(last) = lines.iter().rev().find(|l| !l.is_blank()) {
            let open = last.raw.rfind('<');
            if open.is_some_and(|o| !last.raw[o..].contains('>')) {
                b.diag(
                    Some(last.no),
                    Severity::Warning,
                    "truncated_input",
                    "ファイルが途中で終わっている(最後の行がタグの途中で切れている)",
                );
            }
        }
    }
    common::refresh_normalized(&mut b.doc);
    let mut doc = b.doc;
    figures::enrich(&mut doc);
    doc.diagnostics.sort_by_key(|d| d.line.unwrap_or(0));
    doc
}

/// Which family the text's structure belongs to.
fn detect(lines: &[Line]) -> Family {
    let scores = [
        (Family::ReformItems, reform::score(lines)),
        (Family::ManagementSheet, sheet::score(lines)),
        (Family::ResultsTable, table::score(lines)),
        (Family::PlanTree, plan_tree::score(lines)),
    ];
    let mut best = (Family::Unknown, 0usize);
    for (f, s) in scores {
        if s > best.1 {
            best = (f, s);
        }
    }
    best.0
}

/// The document's fiscal year or period when the text states one (in the title lines or
/// under a 期間 label), and the context for era-less years.
fn document_years(lines: &[Line], doc: &mut ParsedDocument) {
    // Title lines: the first few short, single-cell lines.
    for l in lines.iter().filter(|l| !l.is_blank()).take(3) {
        let Some(t) = l.single() else {
            continue;
        };
        if t.chars().count() > 60 {
            continue;
        }
        let (_, _, t) = strip_markdown(t);
        if doc.period.is_none() {
            if let Some(p) = years::period(t, None, l.no) {
                doc.period = Some(p);
                continue;
            }
        }
        if doc.fiscal_year.is_none() {
            let explicit = years::fiscal_year_exprs(t)
                .into_iter()
                .find_map(|(_, _, w)| years::fiscal_year(w, None, l.no));
            if let Some(fy) = explicit {
                doc.fiscal_year = Some(fy);
            }
        }
    }
    // A 期間 label (計画期間, 対象期間) followed by a period on the same or next line.
    if doc.period.is_none() {
        'outer: for (i, l) in lines.iter().enumerate() {
            let j = l.joined();
            let (_, _, t) = strip_markdown(&j);
            let k = key(t);
            if !k.contains("期間") || k.chars().count() > 40 {
                continue;
            }
            let candidates = std::iter::once(l).chain(
                lines[i + 1..]
                    .iter()
                    .filter(|x| !x.is_blank() && !is_rule_line(x.raw))
                    .take(1),
            );
            for c in candidates {
                if let Some(p) = years::period(&c.joined(), None, c.no) {
                    doc.period = Some(p);
                    break 'outer;
                }
            }
        }
    }
    doc.era_context = if let Some(fy) = &doc.fiscal_year {
        Some(EraContext {
            year: fy.year,
            source: "fiscal_year".to_string(),
            line: fy.line,
        })
    } else if let Some(p) = &doc.period {
        Some(EraContext {
            year: p.from,
            source: "period".to_string(),
            line: p.line,
        })
    } else {
        // The median of the era-qualified years written in the text (robust against an
        // old founding year or a far target year).
        let mut found: Vec<(i32, usize)> = lines
            .iter()
            .filter_map(|l| years::first_explicit_year(&l.joined()).map(|(_, y)| (y, l.no)))
            .collect();
        found.sort();
        found.get(found.len() / 2).map(|(y, line)| EraContext {
            year: *y,
            source: "inferred".to_string(),
            line: *line,
        })
    };
}
