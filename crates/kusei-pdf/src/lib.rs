//! Kusei reports as PDF.
//!
//! # Design
//!
//! A [`kusei_report::doc::Report`] is typeset by [typst](https://typst.app),
//! compiled in process; nothing is downloaded and no typst package is resolved (the
//! world below answers only two files).
//!
//! - **Data-driven template.** The report is not turned into typst markup. It is
//!   serialised to JSON and handed to a fixed template (`src/report.typ`, compiled into
//!   the binary) as the virtual file `/data.json`; the template reads it with
//!   `json("/data.json")` and walks the blocks, inserting every text as a *string value*.
//!   So no text is ever parsed as markup: `#`, `$`, `*`, `_`, `<`, `@`, `\` print as
//!   themselves and there is nothing to escape. `\n` inside a text becomes a forced line
//!   break (not a source newline, which typst would show as a space between Japanese
//!   sentences).
//! - **Layout.** A4 portrait, 17 mm margins, 10 pt, `lang: "ja"` line breaking; headings
//!   (also PDF bookmarks) sized by level; label/value lists as a two-column table with a
//!   shaded label column; tables with thin rules, header rows repeated on every page,
//!   colspans, flush-right figures, indentation as left padding; rows break across pages
//!   (a header taller than a third of a page is set once, as ordinary rows, since header
//!   rows cannot break). Control characters other than line ends are dropped.
//!   The footer carries the report title and `page / total`; the PDF title metadata is
//!   the report title.
//! - **Fonts.** A Japanese font is loaded from a file at run time (see
//!   [`Fonts::discover`]) and embedded in the PDF as a subset. Discovery order: the
//!   configured file (`pdf_font`), then the Debian/Ubuntu package locations
//!   (`fonts-ipaexfont` IPAex Gothic, then `fonts-noto-cjk` Noto Sans CJK, also their
//!   Fedora/Arch places, then the `fonts-japanese-gothic.ttf` alternative), then a scan of
//!   `/usr/share/fonts` and `/usr/local/share/fonts` for `ipaexg.ttf`, `ipag*.ttf`,
//!   `NotoSansJP*`, `NotoSansCJKjp*`, `NotoSansCJK-Regular.ttc`. A font counts only if it
//!   has kana and kanji glyphs.
//! - **Reuse.** [`Renderer`] holds the parsed template, the font book and the typst
//!   standard library; build it once and call [`Renderer::render`] per report (it is
//!   `Send + Sync`). [`render_pdf`] is a one-shot convenience. Discover the font once
//!   at start-up: it reads the whole font file (6 MB for IPAex, 19 MB for Noto CJK).
//! - **Checking.** `pdftotext -raw` (content-stream order) gives the texts back in
//!   reading order, each table row on a line; the default layout mode reads tables
//!   column by column.

use std::fmt;
use std::path::{Path, PathBuf};

use kusei_report::doc::Report;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Array, Bytes, Datetime, Dict, Duration, Smart, Value};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The typst template that lays out a report (reads `/data.json`).
const TEMPLATE: &str = include_str!("report.typ");
const TEMPLATE_PATH: &str = "/kusei-report.typ";
const DATA_PATH: &str = "/data.json";

/// Characters a font must have to count as Japanese (hiragana, katakana, kanji).
const JAPANESE_PROBE: [char; 3] = ['あ', 'ア', '漢'];

/// Known font files, in order of preference.
const KNOWN_FONT_FILES: &[&str] = &[
    // Debian/Ubuntu fonts-ipaexfont(-gothic)
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    // Debian/Ubuntu fonts-noto-cjk, Arch noto-fonts-cjk, Fedora google-noto-sans-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    // Debian's alternative pointing at whichever Japanese gothic is installed
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
];

/// Directories scanned (a few levels deep) when no known file exists.
const SCAN_DIRS: &[&str] = &["/usr/share/fonts", "/usr/local/share/fonts"];

/// Errors of font discovery and PDF rendering.
#[derive(Debug)]
pub enum PdfError {
    /// No Japanese font was found on the system (and none was configured).
    NoJapaneseFont,
    /// A font file (configured, or given) cannot be used.
    FontFile { path: PathBuf, problem: FontProblem },
    /// Font data given as bytes is not a usable Japanese font.
    FontData(FontProblem),
    /// typst failed to lay out the report (a bug in the template, not in the data).
    Typeset(String),
}

/// Why a font file or font data cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FontProblem {
    /// The file does not exist.
    Missing,
    /// The file cannot be read.
    Unreadable(String),
    /// The data is not a TrueType/OpenType font (collection).
    NotAFont,
    /// The font has no kana/kanji glyphs.
    NotJapanese,
}

impl fmt::Display for FontProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FontProblem::Missing => f.write_str("ファイルがありません / file not found"),
            FontProblem::Unreadable(e) => write!(f, "読み込めません / cannot be read: {e}"),
            FontProblem::NotAFont => f.write_str(
                "TrueType/OpenType フォントではありません / not a TrueType/OpenType font",
            ),
            FontProblem::NotJapanese => {
                f.write_str("日本語の文字がありません / has no Japanese glyphs")
            }
        }
    }
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::NoJapaneseFont => f.write_str(
                "日本語フォントが見つかりません。Debian/Ubuntu では「apt-get install fonts-ipaexfont」\
                 (または fonts-noto-cjk) を実行するか、設定 pdf_font にフォントファイルを指定してください \
                 / No Japanese font found: install the Debian package fonts-ipaexfont \
                 (or fonts-noto-cjk), or set pdf_font to a font file",
            ),
            PdfError::FontFile { path, problem } => write!(
                f,
                "フォントファイル {0} を使えません: {1} / cannot use font file {0}: {1}",
                path.display(),
                problem
            ),
            PdfError::FontData(problem) => {
                write!(f, "フォントデータを使えません / unusable font data: {problem}")
            }
            PdfError::Typeset(msg) => write!(f, "PDF を組版できません / PDF typesetting failed: {msg}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// A loaded Japanese font (all faces of one font file) and the family to set text in.
#[derive(Clone)]
pub struct Fonts {
    faces: Vec<Font>,
    /// Families in order of preference (the Japanese family first).
    families: Vec<String>,
    path: Option<PathBuf>,
}

impl fmt::Debug for Fonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fonts")
            .field("families", &self.families)
            .field("faces", &self.faces.len())
            .field("path", &self.path)
            .finish()
    }
}

impl Fonts {
    /// Finds a Japanese font: `setting` (a font file path from the configuration) if
    /// given — an error naming that path if it is missing or unusable, no fallback —
    /// else the known package locations, else a scan of the system font directories
    /// (see the crate documentation for the order); else [`PdfError::NoJapaneseFont`].
    pub fn discover(setting: Option<&Path>) -> Result<Fonts, PdfError> {
        if let Some(path) = setting {
            return Fonts::from_path(path);
        }
        let known: Vec<&Path> = KNOWN_FONT_FILES.iter().map(Path::new).collect();
        let dirs: Vec<&Path> = SCAN_DIRS.iter().map(Path::new).collect();
        discover_in(&known, &dirs)
    }

    /// Loads a font file (`.ttf`, `.otf`, `.ttc`); it must contain Japanese glyphs.
    pub fn from_path(path: &Path) -> Result<Fonts, PdfError> {
        let data = std::fs::read(path).map_err(|e| PdfError::FontFile {
            path: path.to_path_buf(),
            problem: if e.kind() == std::io::ErrorKind::NotFound {
                FontProblem::Missing
            } else {
                FontProblem::Unreadable(e.to_string())
            },
        })?;
        let mut fonts = Fonts::from_bytes(data).map_err(|e| match e {
            PdfError::FontData(problem) => PdfError::FontFile {
                path: path.to_path_buf(),
                problem,
            },
            other => other,
        })?;
        fonts.path = Some(path.to_path_buf());
        Ok(fonts)
    }

    /// Loads font data (a font or a font collection); it must contain Japanese glyphs.
    pub fn from_bytes(data: Vec<u8>) -> Result<Fonts, PdfError> {
        let faces: Vec<Font> = Font::iter(Bytes::new(data)).collect();
        if faces.is_empty() {
            return Err(PdfError::FontData(FontProblem::NotAFont));
        }
        let japanese = |font: &Font| {
            JAPANESE_PROBE
                .iter()
                .all(|&c| font.info().coverage.contains(c as u32))
        };
        // Prefer a Japanese (JP) proportional face of a CJK collection, then any face
        // with Japanese glyphs in file order.
        let mut families: Vec<String> = Vec::new();
        let mut ranked: Vec<(u8, &Font)> = faces
            .iter()
            .filter(|f| japanese(f))
            .map(|f| {
                let name = &f.info().family;
                let rank = match (name.contains("JP"), name.contains("Mono")) {
                    (true, false) => 0,
                    (true, true) => 2,
                    _ => 1,
                };
                (rank, f)
            })
            .collect();
        ranked.sort_by_key(|(rank, _)| *rank);
        for (_, f) in ranked {
            if !families.contains(&f.info().family) {
                families.push(f.info().family.clone());
            }
        }
        if families.is_empty() {
            return Err(PdfError::FontData(FontProblem::NotJapanese));
        }
        Ok(Fonts {
            faces,
            families,
            path: None,
        })
    }

    /// The font families text is set in, preferred first.
    pub fn families(&self) -> &[String] {
        &self.families
    }

    /// The file the font was loaded from (`None` for [`Fonts::from_bytes`]).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// Discovery over explicit candidate files and scan directories (testable).
fn discover_in(known: &[&Path], scan_dirs: &[&Path]) -> Result<Fonts, PdfError> {
    for path in known {
        if path.is_file() {
            if let Ok(fonts) = Fonts::from_path(path) {
                return Ok(fonts);
            }
        }
    }
    let mut found: Vec<(u8, PathBuf)> = Vec::new();
    for dir in scan_dirs {
        scan_fonts(dir, 4, &mut found);
    }
    found.sort();
    for (_, path) in found {
        if let Ok(fonts) = Fonts::from_path(&path) {
            return Ok(fonts);
        }
    }
    Err(PdfError::NoJapaneseFont)
}

/// Preference of a font file found by scanning (lower is better), `None` if not wanted.
fn scan_rank(file_name: &str) -> Option<u8> {
    let lower = file_name.to_ascii_lowercase();
    let font_ext = [".ttf", ".otf", ".ttc"].iter().any(|e| lower.ends_with(e));
    if !font_ext {
        return None;
    }
    if lower == "ipaexg.ttf" {
        Some(0)
    } else if lower.starts_with("ipag") {
        Some(1)
    } else if lower.starts_with("notosansjp") {
        Some(2)
    } else if lower.starts_with("notosanscjkjp") {
        Some(3)
    } else if lower == "notosanscjk-regular.ttc" {
        Some(4)
    } else {
        None
    }
}

fn scan_fonts(dir: &Path, depth: u8, found: &mut Vec<(u8, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if depth > 0 {
                scan_fonts(&path, depth - 1, found);
            }
        } else if let Some(rank) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(scan_rank)
        {
            // Prefer regular weights among several files of a family.
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let weight_penalty = u8::from(!(name.contains("Regular") || rank <= 1));
            found.push((rank * 2 + weight_penalty, path));
        }
    }
}

/// Renders reports to PDF; holds the parsed template, the font book and the typst
/// library so that many reports can be rendered without setting them up again.
pub struct Renderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    template: Source,
    data_id: FileId,
}

impl Renderer {
    /// Sets up typst with `fonts` (cheap to call; the font data is shared, not copied).
    pub fn new(fonts: &Fonts) -> Renderer {
        let mut inputs = Dict::new();
        let families: Array = fonts
            .families
            .iter()
            .map(|f| Value::Str(f.as_str().into()))
            .collect();
        inputs.insert("fonts".into(), Value::Array(families));
        let library = Library::builder().with_inputs(inputs).build();
        let mut book = FontBook::new();
        for face in &fonts.faces {
            book.push(face.info().clone());
        }
        Renderer {
            library: LazyHash::new(library),
            book: LazyHash::new(book),
            fonts: fonts.faces.clone(),
            template: Source::new(file_id(TEMPLATE_PATH), TEMPLATE.to_string()),
            data_id: file_id(DATA_PATH),
        }
    }

    /// Lays out `report` and returns the PDF file.
    pub fn render(&self, report: &Report) -> Result<Vec<u8>, PdfError> {
        let data = serde_json::to_vec(report)
            .map_err(|e| PdfError::Typeset(format!("report to JSON: {e}")))?;
        let world = RenderWorld {
            renderer: self,
            data: Bytes::new(data),
        };
        let compiled = typst::compile::<PagedDocument>(&world).output;
        // Keep typst's memo cache from growing over many reports: drop what the last
        // few renders did not use.
        typst::comemo::evict(3);
        let document = compiled.map_err(|diags| PdfError::Typeset(describe(&diags[..])))?;
        let options = typst_pdf::PdfOptions {
            creator: Smart::Custom(Some("Kusei".into())),
            ..typst_pdf::PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options).map_err(|diags| PdfError::Typeset(describe(&diags[..])))
    }
}

/// Renders one report with `fonts` (sets typst up each time; use a [`Renderer`] for
/// many reports).
pub fn render_pdf(report: &Report, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    Renderer::new(fonts).render(report)
}

fn file_id(path: &str) -> FileId {
    // Both paths are constant, absolute and valid.
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| unreachable!("bad virtual path"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

fn describe(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let mut s = d.message.to_string();
            for hint in &d.hints {
                s.push_str(" (hint: ");
                s.push_str(&hint.v);
                s.push(')');
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The typst world of one render: the template, the report data, the fonts.
struct RenderWorld<'a> {
    renderer: &'a Renderer,
    data: Bytes,
}

impl World for RenderWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.renderer.template.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.renderer.template.id() {
            Ok(self.renderer.template.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.renderer.data_id {
            Ok(self.data.clone())
        } else if id == self.renderer.template.id() {
            Ok(Bytes::from_string(self.renderer.template.clone()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderer_and_fonts_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Renderer>();
        shared::<Fonts>();
    }

    #[test]
    fn scan_ranks_prefer_ipaex_then_ipa_then_noto() {
        assert_eq!(scan_rank("ipaexg.ttf"), Some(0));
        assert_eq!(scan_rank("ipagp.ttf"), Some(1));
        assert_eq!(scan_rank("NotoSansJP-Regular.otf"), Some(2));
        assert_eq!(scan_rank("NotoSansCJKjp-Regular.otf"), Some(3));
        assert_eq!(scan_rank("NotoSansCJK-Regular.ttc"), Some(4));
        assert_eq!(scan_rank("DejaVuSans.ttf"), None);
        assert_eq!(scan_rank("ipaexg.txt"), None);
    }

    #[test]
    fn nothing_found_is_no_japanese_font() {
        let dir = std::env::temp_dir().join(format!("kusei-pdf-empty-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let missing = dir.join("ipaexg.ttf");
        let err = discover_in(&[missing.as_path()], &[dir.as_path()]);
        assert!(matches!(err, Err(PdfError::NoJapaneseFont)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
