//! PDF rendering checked from the outside: the PDF's text as `pdftotext` reads it, its
//! fonts (`pdffonts`) and pages and title (`pdfinfo`), all from Debian's poppler-utils.
//!
//! Without a Japanese font or without poppler-utils the tests print "skipped: ..." and
//! pass, unless `KUSEI_REQUIRE_PDF=1` is set (then they fail).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use kusei_pdf::{render_pdf, Fonts, PdfError, Renderer};
use kusei_report::doc::{Block, Cell, Report, Table};

const IPAEX: &str = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf";
const NOTO: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

fn required() -> bool {
    std::env::var("KUSEI_REQUIRE_PDF").is_ok_and(|v| v == "1")
}

fn skip(why: &str) {
    assert!(!required(), "KUSEI_REQUIRE_PDF=1 but {why}");
    eprintln!("skipped: {why}");
}

fn have_poppler() -> bool {
    ["pdftotext", "pdfinfo", "pdffonts"].iter().all(|tool| {
        Command::new(tool)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    })
}

/// The discovered font, when the tools to check a PDF are there too.
fn setup() -> Option<Fonts> {
    if !have_poppler() {
        skip("pdftotext/pdfinfo/pdffonts (poppler-utils) not installed");
        return None;
    }
    match Fonts::discover(None) {
        Ok(fonts) => Some(fonts),
        Err(e) => {
            skip(&format!("no Japanese font: {e}"));
            None
        }
    }
}

/// Every font the tests can use: the discovered one plus the Debian fonts present.
fn all_fonts() -> Vec<Fonts> {
    let Some(found) = setup() else {
        return Vec::new();
    };
    let mut fonts = vec![found];
    for path in [IPAEX, NOTO] {
        let path = Path::new(path);
        if path.is_file() && fonts.iter().all(|f| f.path() != Some(path)) {
            fonts.push(Fonts::from_path(path).unwrap());
        }
    }
    fonts
}

struct Pdf {
    path: PathBuf,
}

impl Pdf {
    fn write(name: &str, bytes: &[u8]) -> Pdf {
        let dir = std::env::temp_dir().join("kusei-pdf-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}-{}.pdf", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        Pdf { path }
    }

    fn run(&self, tool: &str, args: &[&str]) -> String {
        let out = Command::new(tool)
            .args(args)
            .arg(&self.path)
            .args(if tool == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The text in content-stream order (`-raw`): each cell's lines stay together.
    fn text(&self) -> String {
        self.run("pdftotext", &["-enc", "UTF-8", "-raw"])
    }

    fn info(&self, key: &str) -> String {
        let info = self.run("pdfinfo", &["-enc", "UTF-8"]);
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}:")))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("pdfinfo has no {key}: {info}"))
    }

    fn pages(&self) -> usize {
        self.info("Pages").parse().unwrap()
    }
}

impl Drop for Pdf {
    fn drop(&mut self) {
        // Kept for a look when the test failed.
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that every text occurs in the extracted text, in this order (whitespace
/// ignored on both sides: lines wrap inside cells).
fn assert_texts_in_order(extracted: &str, texts: &[&str]) {
    let hay = squash(extracted);
    let mut at = 0;
    for text in texts {
        let needle = squash(text);
        if needle.is_empty() {
            continue;
        }
        match hay[at..].find(&needle) {
            Some(i) => at += i + needle.len(),
            None => {
                let anywhere = hay.contains(&needle);
                panic!(
                    "{needle:?} {} in the extracted text:\n{extracted}",
                    if anywhere {
                        "is out of order"
                    } else {
                        "is missing"
                    }
                );
            }
        }
    }
}

const ESCAPES: [&str; 7] = [
    "#set page(paper: \"a5\")",
    "$x$ と $$ y^2 $$",
    "*bold* _emph_ `raw`",
    "<b>タグ</b> & <script>",
    "@ref 参照 mail@example.jp",
    "C:\\data\\計画.txt と \\n と \\",
    "[括弧] {波括弧} // コメント /* ブロック */ = 見出し - 箇条 + 番号 ~ ; 'quote'",
];

fn sample_report() -> Report {
    let mut blocks = vec![
        Block::Heading {
            level: 1,
            text: "令和7年度 中央区 区政運営計画".into(),
        },
        Block::Paragraph {
            text: "区民の安全・安心を守ります。\n次の行は改行のあとに続きます。".into(),
        },
        Block::Heading {
            level: 2,
            text: "① 基本情報 ☆重点".into(),
        },
        Block::Fields {
            rows: vec![
                ("事業名".into(), "防災訓練の充実（再掲）".into()),
                ("予算額".into(), "15,200千円".into()),
                ("達成率".into(), "3.5%".into()),
                ("全角数字".into(), "１２３".into()),
                ("複数行".into(), "一行目\n二行目\n三行目".into()),
            ],
        },
        Block::Heading {
            level: 3,
            text: "事業費の内訳".into(),
        },
        Block::Table(Table {
            caption: Some("表1 事業費（単位：千円）".into()),
            widths: vec![4, 2, 2],
            header: vec![
                vec![Cell::new("区分"), Cell::new("金額").span(2)],
                vec![
                    Cell::new(""),
                    Cell::new("令和6年度"),
                    Cell::new("令和7年度"),
                ],
            ],
            rows: vec![
                vec![
                    Cell::new("防災").row_header(),
                    Cell::new("12,000").numeric(),
                    Cell::new("15,200").numeric(),
                ],
                vec![
                    Cell::new("訓練（再掲）").row_header().indent(1),
                    Cell::new("3,000").numeric(),
                    Cell::new("3,500").numeric(),
                ],
                vec![
                    Cell::new("備蓄").row_header().indent(2),
                    Cell::new("該当なし").span(2),
                ],
                vec![Cell::new("短い行")],
            ],
        }),
        Block::Note {
            text: "注：金額は当初予算。出典：区財政課".into(),
        },
        Block::PageBreak,
        Block::Heading {
            level: 2,
            text: "記号のテスト".into(),
        },
    ];
    for text in ESCAPES {
        blocks.push(Block::Paragraph { text: text.into() });
    }
    blocks.push(Block::Table(Table {
        caption: Some("#table(columns: 2)[x]".into()),
        widths: vec![1, 1],
        header: vec![vec![Cell::new("$a$"), Cell::new("<h>")]],
        rows: vec![vec![Cell::new("*x*"), Cell::new("@y \\ z").numeric()]],
    }));
    Report {
        title: "令和7年度 中央区 区政運営計画 #1 <テスト>".into(),
        lang: "ja".into(),
        blocks,
    }
}

#[test]
fn renders_every_text_literally_in_reading_order() {
    for fonts in all_fonts() {
        let report = sample_report();
        let pdf = Pdf::write(
            &format!("sample-{}", fonts.families()[0].replace(' ', "_")),
            &render_pdf(&report, &fonts).unwrap(),
        );
        let text = pdf.text();
        // The title is in the footer of every page, so it comes after the first page's body.
        assert_texts_in_order(&text, &report.texts()[1..]);
        assert_texts_in_order(&text, &[&report.title]);
        for escaped in ESCAPES {
            assert!(
                squash(&text).contains(&squash(escaped)),
                "{escaped:?} not literal"
            );
        }
        // `\n` is a line break: each line ends a line of the extracted text (in `-raw`
        // order a value's first line shares its line with the label).
        for line in ["一行目", "二行目", "三行目", "区民の安全・安心を守ります。"]
        {
            assert!(
                text.lines().any(|l| l.trim().ends_with(line)),
                "{line} ends a line"
            );
        }
        // A4 (595 x 842 pt) even though a text says `#set page(paper: "a5")`.
        assert!(
            pdf.info("Page size").starts_with("595.276 x 841.89"),
            "{}",
            pdf.info("Page size")
        );
        assert_eq!(pdf.info("Title"), report.title);
        assert_eq!(pdf.pages(), 2, "the page break starts a second page");
        assert!(
            text.contains("1 / 2") && text.contains("2 / 2"),
            "page x / total"
        );
        assert_font_embedded(&pdf, &fonts);
    }
}

fn assert_font_embedded(pdf: &Pdf, fonts: &Fonts) {
    let bytes = std::fs::read(&pdf.path).unwrap();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(
        has(b"/FontFile2") || has(b"/FontFile3"),
        "font program embedded"
    );
    let listing = pdf.run("pdffonts", &[]);
    // name type encoding emb sub uni: `ABCDEF+IPAexGothic CID TrueType Identity-H yes yes yes`
    // The PostScript name: `IPAexGothic`, `NotoSansCJKjp-Regular`.
    let family = fonts.families()[0].replace(' ', "").to_lowercase();
    let embedded_subset = listing.lines().skip(2).any(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        let n = cols.len();
        n >= 6
            && cols[0].contains('+')
            && cols[0].to_lowercase().contains(&family)
            && cols[n - 4] == "yes"
            && cols[n - 3] == "yes"
    });
    assert!(
        embedded_subset,
        "an embedded subset of {family}:\n{listing}"
    );
}

const LEGEND: &str = "各列の説明：番号は通し番号、事業名は計画書に記載されたとおりの正式名称、\
予算は当初予算額（千円未満切り捨て）、達成率は年度末時点の実績値を目標値で割ったものです。";

fn long_table(rows: usize) -> Report {
    Report {
        title: "長い表".into(),
        lang: "ja".into(),
        blocks: vec![
            Block::Heading {
                level: 1,
                text: "全事業一覧".into(),
            },
            Block::Table(Table {
                caption: Some("事業一覧（300行）".into()),
                widths: vec![1, 5, 2, 2],
                header: vec![
                    vec![
                        Cell::new("番号"),
                        Cell::new("事業名"),
                        Cell::new("予算（千円）"),
                        Cell::new("達成率"),
                    ],
                    // Enough header text (> 240 bytes) for the template to measure it
                    // before repeating it.
                    vec![Cell::new(LEGEND).span(4)],
                ],
                rows: (1..=rows)
                    .map(|i| {
                        vec![
                            Cell::new(format!("{i}")).numeric(),
                            Cell::new(format!("事業{i}：地域の見守り活動 第{i}号"))
                                .indent((i % 3) as u8),
                            Cell::new(format!("{},{:03}", i * 3, i % 1000)).numeric(),
                            Cell::new(format!("{}.{}%", i % 100, i % 10)).numeric(),
                        ]
                    })
                    .collect(),
            }),
        ],
    }
}

#[test]
fn long_tables_break_across_pages_with_repeated_header() {
    let Some(fonts) = setup() else { return };
    let report = long_table(300);
    let pdf = Pdf::write("long", &Renderer::new(&fonts).render(&report).unwrap());
    let pages = pdf.pages();
    assert!(pages > 1, "300 rows on {pages} page(s)");
    let text = pdf.text();
    assert_texts_in_order(&text, &report.texts()[1..]);
    assert!(LEGEND.len() > 240);
    let headers = text.matches("予算（千円）").count();
    assert_eq!(headers, pages, "the header row is repeated on every page");
    assert!(text.contains(&format!("{pages} / {pages}")));
}

#[test]
fn a_huge_cell_breaks_across_pages() {
    let Some(fonts) = setup() else { return };
    let long: String = "長いセルの本文です。abc 123 ".repeat(1200); // 21,600 chars
    assert!(long.chars().count() >= 20_000);
    let report = Report {
        title: "巨大なセル".into(),
        lang: "ja".into(),
        blocks: vec![
            Block::Table(Table {
                caption: None,
                widths: vec![1, 4],
                header: vec![vec![Cell::new("項目"), Cell::new("内容")]],
                rows: vec![vec![
                    Cell::new("本文").row_header(),
                    Cell::new(long.clone()),
                ]],
            }),
            Block::Fields {
                rows: vec![("長い値".into(), long.clone())],
            },
        ],
    };
    let pdf = Pdf::write("huge", &render_pdf(&report, &fonts).unwrap());
    assert!(pdf.pages() > 2, "{} pages", pdf.pages());
    let text = squash(&pdf.text());
    assert!(text.matches("長いセルの本文です。").count() >= 2000);
}

#[test]
fn odd_input_does_not_fail() {
    let Some(fonts) = setup() else { return };
    let renderer = Renderer::new(&fonts);
    let odd = Report {
        title: String::new(),
        lang: "xx".into(),
        blocks: vec![
            Block::Heading {
                level: 0,
                text: "レベル0".into(),
            },
            Block::Heading {
                level: 9,
                text: "レベル9".into(),
            },
            Block::Paragraph {
                text: "\n\n".into(),
            },
            Block::Paragraph {
                text: "制御\t文字\u{0}\u{7}\r\nと絵文字😀と異体字葛\u{E0100}".into(),
            },
            Block::Fields { rows: vec![] },
            Block::Table(Table::default()),
            Block::Table(Table {
                caption: Some(String::new()),
                widths: vec![0, 1],
                header: vec![vec![Cell::default(), Cell::new("幅より広い").span(5)]],
                rows: vec![vec![], vec![Cell::default()]],
            }),
            Block::PageBreak,
            Block::PageBreak,
        ],
    };
    let pdf = Pdf::write("odd", &renderer.render(&odd).unwrap());
    let text = pdf.text();
    assert_texts_in_order(&text, &["レベル0", "レベル9", "制御", "文字", "幅より広い"]);
    assert!(
        !text.contains(['\u{0}', '\u{7}']),
        "control characters are dropped"
    );
    let empty = renderer.render(&Report::default()).unwrap();
    assert!(empty.starts_with(b"%PDF-"));
}

#[test]
fn one_renderer_renders_many_reports() {
    let Some(fonts) = setup() else { return };
    let renderer = Renderer::new(&fonts);
    for i in 0..3 {
        let mut report = sample_report();
        report.title = format!("区 {i}");
        let pdf = Pdf::write(&format!("many-{i}"), &renderer.render(&report).unwrap());
        assert_eq!(pdf.info("Title"), format!("区 {i}"));
    }
}

#[test]
fn a_configured_font_file_that_is_missing_is_named() {
    let missing = Path::new("/nonexistent/kusei/フォント.ttf");
    let err = Fonts::discover(Some(missing)).unwrap_err();
    assert!(matches!(err, PdfError::FontFile { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/nonexistent/kusei/フォント.ttf"),
        "{err}"
    );
}

#[test]
fn a_configured_file_that_is_not_a_font_is_named() {
    let path = std::env::temp_dir().join(format!("kusei-not-a-font-{}.ttf", std::process::id()));
    std::fs::write(&path, "not a font").unwrap();
    let err = Fonts::discover(Some(&path)).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    assert!(
        err.to_string().contains("not a TrueType/OpenType font"),
        "{err}"
    );
    assert!(matches!(
        Fonts::from_bytes(vec![0; 64]),
        Err(PdfError::FontData(_))
    ));
}

#[test]
fn a_font_without_japanese_is_refused() {
    let dejavu = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    if !dejavu.is_file() {
        eprintln!("skipped: no DejaVuSans.ttf to try");
        return;
    }
    let err = Fonts::from_path(dejavu).unwrap_err();
    assert!(err.to_string().contains("Japanese"), "{err}");
}

#[test]
fn no_japanese_font_says_what_to_install() {
    let text = PdfError::NoJapaneseFont.to_string();
    assert!(text.contains("fonts-ipaexfont"), "{text}");
    assert!(text.contains("fonts-noto-cjk"), "{text}");
    assert!(text.contains("pdf_font"), "{text}");
}

#[test]
fn a_header_taller_than_a_page_keeps_every_row() {
    let Some(fonts) = setup() else { return };
    // In a half-width column: about five pages of header.
    let long = "見出しが非常に長い場合。".repeat(500);
    let report = Report {
        title: "長い見出し".into(),
        lang: "ja".into(),
        blocks: vec![
            Block::Heading {
                level: 1,
                text: long.clone(),
            },
            Block::Table(Table {
                caption: Some(long.clone()),
                widths: vec![1, 1],
                header: vec![vec![Cell::new(long.clone()), Cell::new("値")]],
                rows: (0..50)
                    .map(|i| vec![Cell::new(format!("行{i}")), Cell::new("x")])
                    .collect(),
            }),
            Block::Fields {
                rows: vec![(long.clone(), "値".into())],
            },
        ],
    };
    let pdf = Pdf::write("tall-header", &render_pdf(&report, &fonts).unwrap());
    assert!(pdf.pages() > 5, "{} pages", pdf.pages());
    let rows: Vec<String> = (0..50).map(|i| format!("行{i}")).collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    assert_texts_in_order(&pdf.text(), &rows);
}
