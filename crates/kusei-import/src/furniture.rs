//! Page furniture: what a PDF extraction leaves of the page layout between the content —
//! page-number lines (「- 3 -」, 「3 / 12」, 「P.3」, 「3ページ」), form feeds, and the
//! document's running header repeated at the top of the next page. Found before the
//! family readers run, so it never becomes a node or lands in a section (a page number
//! in 課題と改善策 could hide a missing remedy). Every line removed is listed, with its
//! text, as an `info` diagnostic `page_furniture`: nothing disappears silently.
//!
//! Conservative by construction: a line is furniture only when its whole text is a
//! page-number form, or when it repeats one of the document's first lines right after a
//! page break. A bare number on its own line is content (a table cell).

use crate::text::Line;
use regex::Regex;
use std::sync::LazyLock;

/// Why a line was taken for page furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    PageNumber,
    FormFeed,
    RunningHeader,
}

/// A line taken for page furniture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removed {
    /// 1-based line number.
    pub line: usize,
    /// The line as written (form feeds removed).
    pub text: String,
    pub kind: Kind,
}

impl Removed {
    pub fn message(&self) -> String {
        let what = match self.kind {
            Kind::PageNumber => "ページ番号の行",
            Kind::FormFeed => "改ページ",
            Kind::RunningHeader => "改ページ後に繰り返された文書の見出し",
        };
        format!(
            "{what}を読み飛ばした: 「{}」 (page furniture skipped)",
            self.text
        )
    }
}

static PAGE_NUMBER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let d = "[0-9０-９]{1,4}";
    let dash = "[-‐－―ー—–−]";
    Regex::new(&format!(
        r"^(?:{dash}\s*{d}\s*{dash}|{d}\s*[/／]\s*{d}|[(（]\s*{d}\s*[/／]\s*{d}\s*[)）]|[PpＰｐ][.．]?\s*{d}|{d}\s*(?:ページ|頁)|(?:ページ|page|Page)\s*{d}(?:\s*[/／]\s*{d})?)$"
    ))
    .ok()
});

/// How many of the document's first non-blank lines can be a running header.
const HEADER_LINES: usize = 3;
/// How many lines after a page break are looked at for a repeated header.
const AFTER_BREAK: usize = 3;

fn page_number(s: &str) -> bool {
    PAGE_NUMBER.as_ref().is_some_and(|re| re.is_match(s))
}

/// The furniture of `lines`; `breaks` are the line numbers that held a form feed.
pub(crate) fn find(lines: &[Line<'_>], breaks: &[usize]) -> Vec<Removed> {
    let text = |l: &Line<'_>| l.raw.replace('\u{c}', "").trim().to_string();
    // The running header: the first lines of the first page.
    let first_page: Vec<&Line<'_>> = lines
        .iter()
        .take_while(|l| !breaks.contains(&l.no) && !page_number(&text(l)))
        .filter(|l| !text(l).is_empty())
        .take(HEADER_LINES)
        .collect();
    let header: Vec<String> = first_page
        .iter()
        .map(|l| text(l))
        .filter(|t| t.chars().count() >= 4)
        .collect();
    let header_lines: Vec<usize> = first_page.iter().map(|l| l.no).collect();
    let mut out = Vec::new();
    // Lines left to look at for a running header after the last page break.
    let mut after_break = 0usize;
    for l in lines {
        let t = text(l);
        if breaks.contains(&l.no) {
            after_break = AFTER_BREAK;
            if t.is_empty() {
                out.push(Removed {
                    line: l.no,
                    text: String::new(),
                    kind: Kind::FormFeed,
                });
                continue;
            }
        }
        if t.is_empty() {
            continue;
        }
        if page_number(&t) {
            out.push(Removed {
                line: l.no,
                text: t,
                kind: Kind::PageNumber,
            });
            after_break = AFTER_BREAK;
            continue;
        }
        // Right after a break, the header's lines (one to three, as at the top of the
        // document); the first other line ends it.
        if after_break > 0 {
            after_break -= 1;
            if header.contains(&t) && !header_lines.contains(&l.no) {
                out.push(Removed {
                    line: l.no,
                    text: t,
                    kind: Kind::RunningHeader,
                });
                continue;
            }
            after_break = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::split_lines;

    fn found(text: &str) -> Vec<(usize, Kind)> {
        let breaks: Vec<usize> = text
            .split('\n')
            .enumerate()
            .filter(|(_, l)| l.contains('\u{c}'))
            .map(|(i, _)| i + 1)
            .collect();
        find(&split_lines(text), &breaks)
            .into_iter()
            .map(|r| (r.line, r.kind))
            .collect()
    }

    #[test]
    fn page_numbers_in_their_usual_forms() {
        for s in [
            "- 3 -",
            "－３－",
            "3 / 12",
            "３／１２",
            "(3/12)",
            "P.3",
            "p 12",
            "3ページ",
            "12頁",
            "Page 3",
            "ページ 3/12",
        ] {
            assert_eq!(
                found(&format!("見出し\n本文\n{s}\n続き\n")),
                [(3, Kind::PageNumber)],
                "{s}"
            );
        }
    }

    #[test]
    fn content_is_never_taken_for_furniture() {
        for s in [
            "3",
            "2025",
            "-1 平均待ち時間 30分",
            "3/12 に説明会を開催",
            "(1)",
            "第3ページの表",
            "P68の再掲",
        ] {
            assert!(found(&format!("見出し\n本文\n{s}\n")).is_empty(), "{s}");
        }
    }

    #[test]
    fn the_running_header_after_a_page_break() {
        let text = "令和7年度 城東区運営方針\n経営課題1\n本文\n- 1 -\n令和7年度 城東区運営方針\n経営課題2\n令和7年度 城東区運営方針\n";
        // The header repeated right after the page number is furniture; the same line far
        // from a break is content.
        assert_eq!(
            found(text),
            [(4, Kind::PageNumber), (5, Kind::RunningHeader)]
        );
        let ff = "令和7年度 城東区運営方針\n本文\n\u{c}令和7年度 城東区運営方針\n続き\n\u{c}\n";
        assert_eq!(found(ff), [(3, Kind::RunningHeader), (5, Kind::FormFeed)]);
    }
}
