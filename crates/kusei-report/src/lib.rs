//! Kusei's reports, pure functions of [`PlanRecord`](kusei_domain::content::PlanRecord)s:
//!
//! - [`doc`]: a report as a renderer-neutral document (headings, fields, tables).
//! - [`layout`]: the official layouts of each form family built as such a document.
//! - [`html`]: print-ready HTML of a document (A4, tables repeat their headers).
//! - [`open_data`]: CSV (UTF-8 with BOM) and JSON (the import schema) of plans.
//! - [`chart`]: SVG bar and line charts with a text alternative.

pub mod chart;
pub mod dashboard;
pub mod doc;
pub mod html;
pub mod layout;
pub mod open_data;
pub mod sample;

/// A figure as plain text: whole numbers without a decimal point (15200), others as they
/// are (3.5). Sentences, CSV cells and forms all write figures this way.
pub fn plain_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

use kusei_domain::content::PlanRecord;
use kusei_domain::model::{Period, PlanStatus};
use kusei_import::convert::{document_period, plan_content, ConvertError};
use kusei_import::ParsedDocument;

/// A parsed document as the record it becomes once imported for `unit` of `municipality`
/// (period: the document's own, else `fallback`). Used by tests and by previews.
pub fn record_from_document(
    doc: &ParsedDocument,
    municipality: &str,
    unit: &str,
    fallback: Period,
) -> Result<PlanRecord, ConvertError> {
    let period = document_period(doc).unwrap_or(fallback);
    Ok(PlanRecord {
        municipality: municipality.to_string(),
        unit: unit.to_string(),
        status: PlanStatus::Draft,
        version: 1,
        content: plan_content(doc, period)?,
        directory: doc.directory.iter().map(|e| e.entry()).collect(),
        indicators: Vec::new(),
        item_pages: Vec::new(),
    })
}
