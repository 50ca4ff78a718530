//! Family `results_table`: a tab-separated table with a header row (課題 / 具体的取組 /
//! 取組目標 / 5年間の取組成果 / 主な実績 …) that repeats after page breaks.
//!
//! * chapter rows (only a roman-numbered first cell, "II 区政改革") → level 章;
//! * a numbered first cell ("1 区の自律経営") starts an issue, carried down to following
//!   rows whose first cell is empty;
//! * the second column ("①区長への権限の移譲") starts an initiative;
//! * a row whose first two cells are empty continues the previous row's cells (a cell
//!   broken by a page break under a repeated header);
//! * columns whose header mentions 実績 are split into dated milestones.

use crate::common::{
    add_targets, append_para, collect_references, split_bullets, strip_bullet, Builder,
};
use crate::model::{Milestone, Note, Section, Severity};
use crate::text::{
    ends_sentence, is_rule_line, join_continuation, key, normalize, split_leading_number,
    strip_markdown, Line, NumKind,
};
use crate::years;
use std::collections::HashMap;

const HEADER_WORDS: &[&str] = &[
    "課題", "取組", "目標", "成果", "実績", "内容", "項目", "指標", "事業", "施策", "予算", "評価",
];

/// A header row: ≥3 short label cells, at least two of them header words.
fn header_of(line: &Line) -> Option<Vec<String>> {
    if line.cells.len() < 3 {
        return None;
    }
    let mut names = Vec::new();
    let mut hits = 0;
    for c in &line.cells {
        if c.paras.len() > 1 {
            return None;
        }
        let t = c.paras.first().map(String::as_str).unwrap_or("");
        if t.chars().count() > 24 {
            return None;
        }
        let k = key(t);
        if k.chars().count() > 16 || k.contains("電話") || k.contains('。') {
            return None;
        }
        if HEADER_WORDS.iter().any(|w| k.contains(w)) {
            hits += 1;
        }
        names.push(t.trim().to_string());
    }
    // A results table has at least four named columns (a 取組項目 sheet's
    // "計画 / 取組の方針・目標内容 / 当年度の取組内容" row is not one).
    (hits >= 2 && names.iter().filter(|n| !n.is_empty()).count() >= 4).then_some(names)
}

/// Structural score.
pub(crate) fn score(lines: &[Line]) -> usize {
    let mut headers = 0;
    let mut rows = 0;
    let mut width = 0;
    for l in lines {
        if let Some(h) = header_of(l) {
            headers += 1;
            width = h.len();
        } else if headers > 0
            && width > 0
            && l.cells.len() >= width.saturating_sub(1)
            && l.cells.len() >= 3
        {
            rows += 1;
        }
    }
    if headers == 0 || rows == 0 {
        return 0;
    }
    headers * 10 + rows * 2
}

struct Col {
    name: String,
    key: String,
}

/// Read the document.
pub(crate) fn parse(lines: &[Line], b: &mut Builder) {
    let Some(first) = lines.iter().position(|l| header_of(l).is_some()) else {
        return;
    };
    let header = header_of(&lines[first]).unwrap_or_default();
    let cols: Vec<Col> = header
        .iter()
        .map(|n| Col {
            name: n.clone(),
            key: key(n),
        })
        .collect();
    let issue_level = cols
        .first()
        .map(|c| c.key.clone())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "課題".to_string());
    let init_col = cols
        .iter()
        .position(|c| {
            c.key.contains("取組")
                && !["目標", "成果", "実績", "内容"]
                    .iter()
                    .any(|w| c.key.contains(w))
        })
        .unwrap_or(1);
    let init_level = cols
        .get(init_col)
        .map(|c| c.key.clone())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "具体的取組".to_string());

    // preamble before the header: title / notes
    for l in &lines[..first] {
        if l.is_blank() || is_rule_line(l.raw) {
            continue;
        }
        let j = l.joined();
        let (_, _, t) = strip_markdown(&j);
        if b.doc.title.is_none() {
            b.doc.title = Some(crate::model::LineText::new(t, l.no));
        } else {
            b.doc.notes.push(Note::new(None, t.to_string(), l.no));
        }
    }

    let mut chapter: Option<usize> = None;
    let mut issue: Option<usize> = None;
    // the node that received the last row's cells, and its section per column
    let mut row_node: Option<usize> = None;
    let mut row_sections: HashMap<usize, usize> = HashMap::new();
    let mut after_break = false;
    let mut last_line = 0;
    for l in &lines[first + 1..] {
        if l.is_blank() || is_rule_line(l.raw) {
            continue;
        }
        last_line = l.no;
        if let Some(h) = header_of(l) {
            if h.iter()
                .map(|x| key(x))
                .eq(cols.iter().map(|c| c.key.clone()))
            {
                after_break = true;
                continue;
            }
        }
        let cell = |i: usize| l.cells.get(i).map(|c| c.text()).unwrap_or_default();
        // cells beyond the header width belong to the last column
        let mut texts: Vec<String> = (0..cols.len()).map(cell).collect();
        if l.cells.len() > cols.len() && !cols.is_empty() {
            let extra: Vec<String> = l.cells[cols.len()..]
                .iter()
                .map(|c| c.text())
                .filter(|t| !t.is_empty())
                .collect();
            if !extra.is_empty() {
                if let Some(last) = texts.last_mut() {
                    for e in extra {
                        join_continuation(last, &e);
                    }
                }
                b.diag(
                    Some(l.no),
                    Severity::Info,
                    "extra_cells",
                    "見出し行より多いセルを最後の列に含めた",
                );
            }
        }
        let c0 = texts.first().cloned().unwrap_or_default();
        let c_init = texts.get(init_col).cloned().unwrap_or_default();
        let others_filled = texts
            .iter()
            .enumerate()
            .any(|(i, t)| i != 0 && i != init_col && !t.is_empty());

        if c0.is_empty() && c_init.is_empty() {
            // continuation of the previous row's cells
            match row_node {
                Some(n) => {
                    for (i, t) in texts.iter().enumerate() {
                        if t.is_empty() || i == 0 || i == init_col {
                            continue;
                        }
                        continue_cell(b, n, &mut row_sections, i, &cols, t, l.no);
                    }
                    if !after_break {
                        b.diag(
                            Some(l.no),
                            Severity::Info,
                            "cell_continuation",
                            "前の行のセルの続きとして読んだ",
                        );
                    }
                }
                None => {
                    let text = texts
                        .iter()
                        .filter(|t| !t.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("\n");
                    b.diag_excerpt(
                        Some(l.no),
                        Severity::Warning,
                        "orphan_continuation",
                        "前ページから続くセル(元の行がこの文書にない)。どの取組にも結びつけられない",
                        &text,
                    );
                }
            }
            after_break = false;
            continue;
        }
        after_break = false;
        row_sections.clear();
        if !c0.is_empty() {
            let (num, kind, title) = match split_leading_number(&c0) {
                Some((n, k, t)) => (Some(n.to_string()), Some(k), t.to_string()),
                None => (None, None, c0.clone()),
            };
            let is_chapter = c_init.is_empty()
                && !others_filled
                && matches!(kind, Some(NumKind::Roman) | Some(NumKind::Chapter(_)));
            if is_chapter {
                let idx = b.add("章", num, &title, l.no);
                chapter = Some(idx);
                issue = None;
                row_node = Some(idx);
                continue;
            }
            let idx = b.add(&issue_level, num, &title, l.no);
            b.set_parent(idx, chapter);
            issue = Some(idx);
            row_node = Some(idx);
        }
        if !c_init.is_empty() {
            let (num, title) = match split_leading_number(&c_init) {
                Some((n, _, t)) => (Some(n.to_string()), t.to_string()),
                None => (None, c_init.clone()),
            };
            let idx = b.add(&init_level, num, &title, l.no);
            b.set_parent(idx, issue.or(chapter));
            row_node = Some(idx);
        }
        if let Some(n) = row_node {
            for (i, t) in texts.iter().enumerate() {
                if t.is_empty() || i == 0 || i == init_col {
                    continue;
                }
                continue_cell(b, n, &mut row_sections, i, &cols, t, l.no);
            }
        }
    }
    truncation(b, lines, last_line);
    finish(b, &cols, lines);
}

fn continue_cell(
    b: &mut Builder,
    n: usize,
    row_sections: &mut HashMap<usize, usize>,
    col: usize,
    cols: &[Col],
    t: &str,
    line: usize,
) {
    let Some(node) = b.node(n) else {
        return;
    };
    match row_sections
        .get(&col)
        .and_then(|s| node.sections.get_mut(*s))
    {
        Some(sec) => {
            join_continuation(&mut sec.text, t);
        }
        None => {
            let heading = cols
                .get(col)
                .map(|c| c.name.clone())
                .filter(|h| !h.is_empty());
            let mut sec = Section::new(heading, None, String::new(), line);
            append_para(&mut sec, t);
            node.sections.push(sec);
            row_sections.insert(col, node.sections.len() - 1);
        }
    }
}

/// The file ends mid-row: no final newline and the last cell stops mid-sentence.
fn truncation(b: &mut Builder, lines: &[Line], last_line: usize) {
    if b.ends_with_newline || last_line == 0 {
        return;
    }
    let Some(l) = lines.iter().find(|l| l.no == last_line) else {
        return;
    };
    let last_text = l
        .filled()
        .last()
        .and_then(|c| c.paras.last())
        .cloned()
        .unwrap_or_default();
    if !ends_sentence(&last_text) {
        let tail: String = {
            let v: Vec<char> = last_text.chars().collect();
            v[v.len().saturating_sub(30)..].iter().collect()
        };
        b.diag(
            Some(last_line),
            Severity::Warning,
            "truncated_input",
            format!("ファイルが行の途中で終わっている(末尾「…{tail}」)。最後の行は読めた部分だけを取り込んだ"),
        );
    }
}

fn finish(b: &mut Builder, cols: &[Col], lines: &[Line]) {
    let ctx = b.doc.era_context.as_ref().map(|c| c.year);
    let inferred = b
        .doc
        .era_context
        .as_ref()
        .filter(|c| c.source == "inferred")
        .map(|c| (c.year, c.line));
    let milestone_cols: Vec<String> = cols
        .iter()
        .filter(|c| c.key.contains("実績"))
        .map(|c| c.name.clone())
        .collect();
    let mut unresolved = Vec::new();
    let mut used_context: Option<String> = None;
    for n in &mut b.doc.nodes {
        for i in 0..n.sections.len() {
            add_targets(n, i, ctx);
        }
        let mut ms = Vec::new();
        for s in &n.sections {
            if s.heading
                .as_ref()
                .is_some_and(|h| milestone_cols.contains(h))
            {
                for piece in split_milestones(&s.text) {
                    let date = match years::milestone_date(&piece, ctx) {
                        Some(Ok(d)) => {
                            if !has_era(&d.as_written) && used_context.is_none() {
                                used_context = Some(d.as_written.clone());
                            }
                            Some(d)
                        }
                        Some(Err(w)) => {
                            unresolved.push((s.line, w));
                            None
                        }
                        None => None,
                    };
                    ms.push(Milestone {
                        normalized: normalize(&piece),
                        text: piece,
                        date,
                        line: s.line,
                    });
                }
            }
        }
        n.milestones = ms;
    }
    for (line, w) in unresolved {
        b.diag(
            Some(line),
            Severity::Warning,
            "date_unresolved",
            format!("日付「{w}」を読めない(年号がなく、文書の年度も分からない)"),
        );
    }
    if let (Some(example), Some((y, line))) = (used_context, inferred) {
        b.diag(
            Some(line),
            Severity::Info,
            "era_context_inferred",
            format!("年号のない年(「{example}」など)は、文書中の年号付きの年(line {line}, {y}年度)に近い年号で読んだ"),
        );
    }
    collect_references(b, lines);
}

fn has_era(s: &str) -> bool {
    let k = key(s);
    ["平成", "令和", "昭和", "H", "R", "S"]
        .iter()
        .any(|e| k.starts_with(e))
        || k.chars().take_while(char::is_ascii_digit).count() == 4
}

/// Split a 主な実績 cell into milestones: by bullets (・) when present, else after
/// each parenthesised date.
fn split_milestones(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let para = para.trim();
        if para.is_empty() {
            continue;
        }
        let bullets = split_bullets(para);
        if bullets.len() > 1 || crate::common::starts_with_bullet(para) {
            out.extend(
                bullets
                    .into_iter()
                    .map(|p| strip_bullet(p).to_string())
                    .filter(|p| !p.is_empty()),
            );
            continue;
        }
        let mut start = 0;
        for (_, e) in years::date_paren_ranges(para) {
            let after = &para[e..];
            if after.is_empty()
                || after.starts_with(char::is_whitespace)
                || after.starts_with(['、', '，', ',', '。'])
            {
                let piece = para[start..e]
                    .trim()
                    .trim_start_matches(['、', '，', ',', '。'])
                    .trim();
                if !piece.is_empty() {
                    out.push(piece.to_string());
                }
                start = e;
            }
        }
        let tail = para[start..]
            .trim()
            .trim_start_matches(['、', '，', ',', '。'])
            .trim();
        if !tail.is_empty() {
            out.push(tail.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milestones_split() {
        let v = split_milestones(
            "休日発行(18年9月)、戸籍の休日発行(23年3月) 市税事務所の開設(19年10月) 検討中",
        );
        assert_eq!(
            v,
            vec![
                "休日発行(18年9月)",
                "戸籍の休日発行(23年3月)",
                "市税事務所の開設(19年10月)",
                "検討中"
            ]
        );
        let v = split_milestones(" ・公募を実施（18年4月～） 18年度：1名 ・改正（18年11月）");
        assert_eq!(
            v,
            vec!["公募を実施（18年4月～） 18年度：1名", "改正（18年11月）"]
        );
    }
}
