//! Exports of plan records in every format Kusei writes, shared by the web downloads, the
//! JSON API and the CLI (`kusei export`): print HTML, PDF (embedded Japanese font), Excel
//! (form sheet + flat targets/actuals sheet), CSV (UTF-8 with BOM) and JSON (open data).

use kusei_domain::content::PlanRecord;
use kusei_report::{html, layout, open_data};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A format Kusei exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
    Pdf,
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Pdf,
        Format::Xlsx,
        Format::Csv,
        Format::Json,
        Format::Html,
    ];
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "xlsx" | "excel" => Some(Format::Xlsx),
            "pdf" => Some(Format::Pdf),
            "html" | "print" => Some(Format::Html),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
            Format::Html => "html",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
            Format::Html => "text/html; charset=utf-8",
        }
    }
    /// The label users see on download links.
    pub fn label(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Csv => "CSV",
            Format::Xlsx => "Excel",
            Format::Pdf => "PDF",
            Format::Html => "印刷用HTML",
        }
    }
    /// [`Format::label`] in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Format::Html => "HTML for printing",
            other => other.label(),
        }
    }
}

/// Why an export failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// No Japanese font: the message names the package to install.
    #[error("{0}")]
    NoFont(String),
    #[error("nothing to export: {0}")]
    Empty(String),
    #[error("export failed: {0}")]
    Failed(String),
}

impl ExportError {
    /// Stable error code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::NoFont(_) => "pdf_font_missing",
            ExportError::Empty(_) => "nothing_to_export",
            ExportError::Failed(_) => "export_failed",
        }
    }
}

/// What the exports need that is set up once per process: the PDF renderer (its font is
/// found on first use, then kept).
#[derive(Clone, Default)]
pub struct Exporter {
    /// A font file named by the `pdf_font` setting (else the system's Japanese fonts).
    pub font: Option<PathBuf>,
    pdf: Arc<OnceLock<Result<kusei_pdf::Renderer, String>>>,
}

impl std::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exporter")
            .field("font", &self.font)
            .field("pdf_ready", &self.pdf.get().map(|r| r.is_ok()))
            .finish()
    }
}

impl Exporter {
    pub fn new(font: Option<PathBuf>) -> Exporter {
        Exporter {
            font,
            pdf: Arc::default(),
        }
    }

    fn renderer(&self) -> Result<&kusei_pdf::Renderer, ExportError> {
        self.pdf
            .get_or_init(|| {
                let fonts =
                    kusei_pdf::Fonts::discover(self.font.as_deref()).map_err(|e| e.to_string())?;
                Ok(kusei_pdf::Renderer::new(&fonts))
            })
            .as_ref()
            .map_err(|e| ExportError::NoFont(e.clone()))
    }

    /// Whether PDFs can be made here (a Japanese font was found), else why not.
    pub fn pdf_status(&self) -> Result<(), String> {
        self.renderer().map(|_| ()).map_err(|e| e.to_string())
    }

    /// A report of Kusei's own layout (not a plan: the council's answers, say) as a PDF
    /// or a print page.
    pub fn report(
        &self,
        format: Format,
        report: &kusei_report::doc::Report,
    ) -> Result<Vec<u8>, ExportError> {
        match format {
            Format::Pdf => self
                .renderer()?
                .render(report)
                .map_err(|e| ExportError::Failed(e.to_string())),
            Format::Html => Ok(html::render(report, None).into_bytes()),
            other => Err(ExportError::Failed(format!(
                "a report is PDF or HTML, not {}",
                other.extension()
            ))),
        }
    }

    /// The bytes of `records` in `format`. `title` names the document (print title, PDF
    /// metadata); `municipality` heads the open-data JSON.
    pub fn export(
        &self,
        format: Format,
        title: &str,
        municipality: &str,
        records: &[PlanRecord],
    ) -> Result<Vec<u8>, ExportError> {
        if records.is_empty() && format != Format::Json && format != Format::Csv {
            return Err(ExportError::Empty(title.to_string()));
        }
        let report = || match records {
            [one] => layout::plan_report(one),
            many => layout::plans_report(title, many),
        };
        match format {
            Format::Json => {
                let v = open_data::to_json(municipality, records);
                serde_json::to_vec_pretty(&v).map_err(|e| ExportError::Failed(e.to_string()))
            }
            Format::Csv => Ok(open_data::to_csv(records).into_bytes()),
            Format::Html => Ok(html::render(&report(), None).into_bytes()),
            Format::Xlsx => {
                kusei_xlsx::write_workbook(records).map_err(|e| ExportError::Failed(e.to_string()))
            }
            Format::Pdf => self
                .renderer()?
                .render(&report())
                .map_err(|e| ExportError::Failed(e.to_string())),
        }
    }
}
