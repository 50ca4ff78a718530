//! Print-ready HTML of a [`Report`]: one self-contained page (styles inline, no scripts,
//! no external fonts) for A4 printing — table headers repeat on each page, rows do not
//! split, items start on new pages. Every text is escaped (maud).

use crate::doc::{Block, Cell, Report, Table};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// Styles of the print page. System Japanese fonts only (nothing downloaded).
pub const PRINT_CSS: &str = r#"
@page { size: A4; margin: 15mm 15mm 18mm; }
:root { color: #111; background: #fff; }
body { font-family: "IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif;
  font-size: 10pt; line-height: 1.55; margin: 0 auto; max-width: 190mm; padding: 1em; }
h1 { font-size: 16pt; margin: 0 0 .5em; border-bottom: 2px solid #333; }
h2 { font-size: 13pt; margin: 1.2em 0 .4em; border-left: 6px solid #333; padding-left: .4em; }
h3 { font-size: 11pt; margin: 1em 0 .3em; }
h4 { font-size: 10.5pt; margin: .8em 0 .3em; }
p { margin: .3em 0; white-space: pre-wrap; }
p.note { font-size: 9pt; color: #333; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 .8em; }
caption { text-align: left; font-weight: bold; padding: .2em 0; }
th, td { border: 1px solid #555; padding: .25em .4em; vertical-align: top; white-space: pre-wrap; text-align: left; }
thead th { background: #e6e6e6; }
th[scope=row] { background: #f2f2f2; font-weight: normal; }
td.num { text-align: right; }
table.fields th { width: 22%; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.page-break { break-before: page; }
.toolbar { margin: 0 0 1em; }
@media print { .toolbar { display: none; } body { padding: 0; max-width: none; } }
"#;

/// The whole print page. `back` is an optional link shown on screen only (never printed).
pub fn render(report: &Report, back: Option<(&str, &str)>) -> String {
    let page: Markup = html! {
        (DOCTYPE)
        html lang=(report.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (report.title) }
                style { (PreEscaped(PRINT_CSS)) }
            }
            body {
                @if let Some((href, label)) = back {
                    nav.toolbar aria-label="印刷用ページの操作" { a href=(href) { (label) } }
                }
                main { (blocks(&report.blocks)) }
            }
        }
    };
    page.into_string()
}

/// The blocks alone (to embed a report in another page).
pub fn blocks(blocks: &[Block]) -> Markup {
    // Each block with whether a page break comes right before it.
    let mut marked = Vec::with_capacity(blocks.len());
    let mut pending = false;
    for b in blocks {
        if matches!(b, Block::PageBreak) {
            pending = true;
        } else {
            marked.push((std::mem::take(&mut pending), b));
        }
    }
    html! {
        @for (brk, b) in marked {
            (block(b, brk.then_some("page-break")))
        }
    }
}

fn block(b: &Block, class: Option<&str>) -> Markup {
    html! {
        @match b {
            Block::Heading { level, text } => {
                @match level {
                    1 => h1 class=[class] { (text) },
                    2 => h2 class=[class] { (text) },
                    3 => h3 class=[class] { (text) },
                    _ => h4 class=[class] { (text) },
                }
            }
            Block::Paragraph { text } => p class=[class] { (text) },
            Block::Note { text } => div class=[class] { p.note { (text) } },
            Block::Fields { rows } => {
                table.fields class=[class] {
                    tbody {
                        @for (label, value) in rows {
                            tr { th scope="row" { (label) } td { (value) } }
                        }
                    }
                }
            }
            Block::Table(t) => (table(t, class)),
            Block::PageBreak => {}
        }
    }
}

fn cell(c: &Cell, header_row: bool) -> Markup {
    let style = (c.indent > 0).then(|| format!("padding-left: {}em", 0.4 + f32::from(c.indent)));
    let colspan = (c.colspan > 1).then_some(c.colspan);
    html! {
        @if header_row {
            th scope="col" colspan=[colspan] { (c.text) }
        } @else if c.row_header {
            th scope="row" colspan=[colspan] style=[style] { (c.text) }
        } @else {
            td colspan=[colspan] style=[style] class=[c.numeric.then_some("num")] { (c.text) }
        }
    }
}

fn table(t: &Table, class: Option<&str>) -> Markup {
    let total: u32 = t.widths.iter().map(|w| u32::from(*w)).sum::<u32>().max(1);
    html! {
        table class=[class] {
            @if let Some(c) = &t.caption { caption { (c) } }
            @if !t.widths.is_empty() {
                colgroup {
                    @for w in &t.widths {
                        col style=(format!("width: {:.1}%", f64::from(*w) * 100.0 / f64::from(total)));
                    }
                }
            }
            @if !t.header.is_empty() {
                thead { @for row in &t.header { tr { @for c in row { (cell(c, true)) } } } }
            }
            tbody { @for row in &t.rows { tr { @for c in row { (cell(c, false)) } } } }
        }
    }
}
