//! A report as a renderer-neutral document: headings, paragraphs, label/value lists and
//! tables. The form layouts ([`crate::layout`]) build it once; the print HTML
//! ([`crate::html`]) and the PDF (`kusei-pdf`) render the same value, so both say the same.
//!
//! Texts are plain text (never markup); `\n` separates lines/paragraphs.

use serde::{Deserialize, Serialize};

/// A whole report: one or more plans, each starting on a new page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Report {
    /// Document title (PDF metadata, HTML `<title>`).
    pub title: String,
    /// Language of the texts (`ja` or `en`).
    pub lang: String,
    pub blocks: Vec<Block>,
}

/// One block of a report, in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A heading; level 1 is the plan's title, 2 a form section, 3 an item inside it.
    Heading { level: u8, text: String },
    /// A paragraph of text (`\n` breaks lines).
    Paragraph { text: String },
    /// A small print note (注, source line, generated-at).
    Note { text: String },
    /// Label/value rows (a two-column table with the labels as row headers).
    Fields { rows: Vec<(String, String)> },
    /// A table. `widths` are relative column widths (one per column, same length as the
    /// widest row); header rows are repeated on each printed page.
    Table(Table),
    /// Start a new page here (between items of a sheet form).
    PageBreak,
}

/// A table with header rows and body rows of cells.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    /// Caption read before the table (also its accessible name).
    pub caption: Option<String>,
    pub widths: Vec<u16>,
    pub header: Vec<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Cell {
    pub text: String,
    /// Columns this cell spans (1 = one).
    pub colspan: u16,
    /// A row header (the first column of a row naming it).
    pub row_header: bool,
    /// Indentation steps (tree depth), rendered as leading space.
    pub indent: u8,
    /// Figures are set flush right.
    pub numeric: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            colspan: 1,
            ..Cell::default()
        }
    }
    pub fn span(mut self, columns: u16) -> Cell {
        self.colspan = columns.max(1);
        self
    }
    pub fn row_header(mut self) -> Cell {
        self.row_header = true;
        self
    }
    pub fn indent(mut self, steps: u8) -> Cell {
        self.indent = steps;
        self
    }
    pub fn numeric(mut self) -> Cell {
        self.numeric = true;
        self
    }
}

impl Report {
    /// Every text of the report in reading order (what a text extraction should find).
    pub fn texts(&self) -> Vec<&str> {
        let mut out = vec![self.title.as_str()];
        for b in &self.blocks {
            match b {
                Block::Heading { text, .. } | Block::Paragraph { text } | Block::Note { text } => {
                    out.push(text)
                }
                Block::Fields { rows } => {
                    for (l, v) in rows {
                        out.push(l);
                        out.push(v);
                    }
                }
                Block::Table(t) => {
                    out.extend(t.caption.as_deref());
                    for row in t.header.iter().chain(&t.rows) {
                        out.extend(row.iter().map(|c| c.text.as_str()));
                    }
                }
                Block::PageBreak => {}
            }
        }
        out
    }
}
