//! Helpers shared by the family readers: node ids, targets, references.

use crate::model::{Node, ParsedDocument, Reference, Section, Severity, Target, TargetKind};
use crate::text::{circled_value, fold_char, key, normalize};
use crate::years;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Builds a document: hands out node ids.
pub(crate) struct Builder {
    pub doc: ParsedDocument,
    /// The text ends with a line break (a missing one may mean truncation).
    pub ends_with_newline: bool,
    next: usize,
}

impl Builder {
    pub fn new(doc: ParsedDocument) -> Self {
        Builder {
            doc,
            ends_with_newline: true,
            next: 1,
        }
    }

    /// Add a node; returns its index in `doc.nodes`.
    pub fn add(&mut self, level: &str, number: Option<String>, title: &str, line: usize) -> usize {
        let id = format!("n{}", self.next);
        self.next += 1;
        self.doc
            .nodes
            .push(Node::new(id, level, number, title, line));
        self.doc.nodes.len() - 1
    }

    pub fn id(&self, idx: usize) -> String {
        self.doc
            .nodes
            .get(idx)
            .map(|n| n.id.clone())
            .unwrap_or_default()
    }

    pub fn node(&mut self, idx: usize) -> Option<&mut Node> {
        self.doc.nodes.get_mut(idx)
    }

    pub fn set_parent(&mut self, idx: usize, parent: Option<usize>) {
        if let Some(p) = parent {
            let pid = self.id(p);
            if let Some(n) = self.doc.nodes.get_mut(idx) {
                if !n.parent_ids.contains(&pid) {
                    n.parent_ids.push(pid);
                }
            }
        }
    }

    pub fn diag(
        &mut self,
        line: Option<usize>,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
    ) {
        self.doc.diag(line, severity, code, message, None);
    }

    pub fn diag_excerpt(
        &mut self,
        line: Option<usize>,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
        excerpt: &str,
    ) {
        self.doc
            .diag(line, severity, code, message, Some(excerpt.to_string()));
    }
}

/// Target kind from a section heading.
pub(crate) fn target_kind(heading: &str) -> Option<TargetKind> {
    let k = key(heading);
    if k.contains("めざす状態") || k.contains("目指す状態") {
        Some(TargetKind::DesiredState)
    } else if k.contains("成果目標") || k.contains("成果指標") {
        Some(TargetKind::Outcome)
    } else if k.contains("業績目標") || k.contains("業績指標") {
        Some(TargetKind::Output)
    } else if k.contains("目標") {
        Some(TargetKind::Goal)
    } else {
        None
    }
}

/// Split a target section into targets (labels ①-1 / ② / (1) / -1, bulleted lists,
/// yearly values 【平成29年度】) and append them to the node.
pub(crate) fn add_targets(node: &mut Node, section_index: usize, ctx: Option<i32>) {
    let Some(section) = node.sections.get(section_index) else {
        return;
    };
    let Some(heading) = section.heading.clone() else {
        return;
    };
    let Some(kind) = target_kind(&heading) else {
        return;
    };
    let line = section.line;
    let mut out = Vec::new();
    for para in section.text.split('\n') {
        let para = para.trim();
        if para.is_empty() {
            continue;
        }
        for (label, piece) in split_labelled(para) {
            let pieces: Vec<&str> = if label.is_none() && starts_with_bullet(piece) {
                split_bullets(piece)
            } else {
                vec![piece]
            };
            for piece in pieces {
                let piece = strip_bullet(piece);
                if piece.is_empty() {
                    continue;
                }
                push_yearly(
                    &mut out,
                    label.clone(),
                    piece,
                    kind,
                    &heading,
                    section_index,
                    line,
                    ctx,
                );
            }
        }
    }
    node.targets.extend(out);
}

#[allow(clippy::too_many_arguments)]
fn push_yearly(
    out: &mut Vec<Target>,
    label: Option<String>,
    text: &str,
    kind: TargetKind,
    heading: &str,
    section_index: usize,
    line: usize,
    ctx: Option<i32>,
) {
    // 【平成29年度】 markers split a series of yearly values under one indicator.
    let marks = year_brackets(text);
    let make = |t: &str, indicator: Option<String>, fy| Target {
        text: t.to_string(),
        normalized: normalize(t),
        label: label.clone(),
        indicator,
        fiscal_year: fy,
        kind,
        section: Some(heading.to_string()),
        section_index: Some(section_index),
        line,
        value: None,
        unit: None,
        comparator: None,
        reading: None,
    };
    if marks.is_empty() {
        out.push(make(text, None, None));
        return;
    }
    let indicator = text[..marks[0].0].trim();
    let indicator = (!indicator.is_empty()).then(|| indicator.to_string());
    for (i, (start, end, inner)) in marks.iter().enumerate() {
        let stop = marks.get(i + 1).map(|m| m.0).unwrap_or(text.len());
        let value = strip_bullet(text[*end..stop].trim());
        let fy = years::fiscal_year(inner, ctx, line);
        let shown = if value.is_empty() {
            &text[*start..*end]
        } else {
            value
        };
        out.push(make(shown, indicator.clone(), fy));
    }
}

/// 【…年度】 brackets: (start, end, inner).
fn year_brackets(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(s) = text[from..].find('【') {
        let start = from + s;
        let inner_start = start + '【'.len_utf8();
        let Some(e) = text[inner_start..].find('】') else {
            break;
        };
        let inner = &text[inner_start..inner_start + e];
        let end = inner_start + e + '】'.len_utf8();
        if inner.chars().count() <= 12 && inner.contains("年度") {
            out.push((start, end, inner));
        }
        from = end;
    }
    out
}

/// Split at target labels: "①-1 …", "②…", "(1) …", "-1 …" at the start or after a space.
pub(crate) fn split_labelled(p: &str) -> Vec<(Option<String>, &str)> {
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (label start, label end)
    let mut prev: Option<char> = None;
    for (i, c) in p.char_indices() {
        let at_boundary = prev.is_none_or(char::is_whitespace);
        prev = Some(c);
        if !at_boundary {
            continue;
        }
        let rest = &p[i..];
        if circled_value(c).is_some() {
            let mut end = i + c.len_utf8();
            // ①-1
            let after = &p[end..];
            let mut it = after.char_indices();
            if let Some((_, d)) = it.next() {
                if matches!(fold_char(d), '-') {
                    let digits: usize = after[d.len_utf8()..]
                        .chars()
                        .take_while(|x| fold_char(*x).is_ascii_digit())
                        .map(char::len_utf8)
                        .sum();
                    if digits > 0 {
                        end += d.len_utf8() + digits;
                    }
                }
            }
            cuts.push((i, end));
        } else if matches!(fold_char(c), '-') {
            let digits: usize = rest[c.len_utf8()..]
                .chars()
                .take_while(|x| fold_char(*x).is_ascii_digit())
                .map(char::len_utf8)
                .sum();
            let end = i + c.len_utf8() + digits;
            if digits > 0 && p[end..].starts_with(char::is_whitespace) {
                cuts.push((i, end));
            }
        } else if matches!(c, '(' | '（') {
            let digits: usize = rest[c.len_utf8()..]
                .chars()
                .take_while(|x| fold_char(*x).is_ascii_digit())
                .map(char::len_utf8)
                .sum();
            let close = i + c.len_utf8() + digits;
            if digits > 0 && digits <= 4 && p[close..].starts_with([')', '）']) {
                cuts.push((
                    i,
                    close + p[close..].chars().next().map(char::len_utf8).unwrap_or(1),
                ));
            }
        }
    }
    if cuts.is_empty() {
        return vec![(None, p)];
    }
    let mut out = Vec::new();
    let head = p[..cuts[0].0].trim();
    if !head.is_empty() {
        out.push((None, head));
    }
    for (k, (s, e)) in cuts.iter().enumerate() {
        let stop = cuts.get(k + 1).map(|c| c.0).unwrap_or(p.len());
        let body = p[*e..stop].trim();
        out.push((Some(p[*s..*e].to_string()), body));
    }
    out
}

pub(crate) fn starts_with_bullet(s: &str) -> bool {
    matches!(
        s.trim_start().chars().next(),
        Some('・' | '･' | '•' | '●' | '◆' | '◇' | '▪')
    )
}

pub(crate) fn strip_bullet(s: &str) -> &str {
    s.trim().trim_start_matches(['・', '･', '•', '▪']).trim()
}

/// Split "・a ・b" into ["・a", "・b"].
pub(crate) fn split_bullets(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_space = true;
    for (i, c) in s.char_indices() {
        if matches!(c, '・' | '･' | '•') && prev_space && i > start {
            let piece = s[start..i].trim();
            if !piece.is_empty() {
                out.push(piece);
            }
            start = i;
        }
        prev_space = c.is_whitespace();
    }
    let last = s[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// ※再掲2-1-2, 再掲1-1-2.
static REF_NUM_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"再掲\s*[:：]?\s*([0-9０-９]+(?:\s*[-－‐―]\s*[0-9０-９]+)+)").ok()
});
/// (取組項目8の再掲), (「…」P68の再掲).
static REF_OF_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"[(（]([^()（）]{1,80}?)の再掲[)）]").ok());

/// Cross-references written in `text`.
pub(crate) fn find_references(text: &str, line: usize) -> Vec<Reference> {
    let mut out = Vec::new();
    if !text.contains("再掲") {
        return out;
    }
    if let Some(re) = REF_NUM_RE.as_ref() {
        for c in re.captures_iter(text) {
            let (Some(all), Some(num)) = (c.get(0), c.get(1)) else {
                continue;
            };
            out.push(Reference {
                kind: "再掲".to_string(),
                text: all.as_str().to_string(),
                target_level: None,
                target_number: Some(key(num.as_str())),
                target_document: None,
                target_id: None,
                line,
            });
        }
    }
    if let Some(re) = REF_OF_RE.as_ref() {
        for c in re.captures_iter(text) {
            let (Some(all), Some(inner)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let inner_s = inner.as_str().trim();
            let k = key(inner_s);
            let digits_at = k.find(|ch: char| ch.is_ascii_digit());
            let (level, number, document) = match digits_at {
                Some(pos)
                    if k[pos..].chars().all(|ch| ch.is_ascii_digit() || ch == '-')
                        && k[..pos].chars().count() <= 8 =>
                {
                    let lv = k[..pos].to_string();
                    (
                        (!lv.is_empty()).then_some(lv),
                        Some(k[pos..].to_string()),
                        None,
                    )
                }
                _ => (None, None, Some(inner_s.to_string())),
            };
            out.push(Reference {
                kind: "再掲".to_string(),
                text: all.as_str().to_string(),
                target_level: level,
                target_number: number,
                target_document: document,
                target_id: None,
                line,
            });
        }
    }
    out
}

/// Collect references from a node's texts.
pub(crate) fn node_references(node: &Node) -> Vec<Reference> {
    let mut refs = Vec::new();
    for s in &node.sections {
        refs.extend(find_references(&s.text, s.line));
    }
    if let Some(e) = &node.evaluation {
        for t in [&e.results, &e.remedy].into_iter().flatten() {
            refs.extend(find_references(t, e.line));
        }
    }
    refs
}

/// Collect every node's references, with the line where each is written, and resolve
/// the ones whose target is in this document.
pub(crate) fn collect_references(b: &mut Builder, lines: &[crate::text::Line]) {
    for n in &mut b.doc.nodes {
        let mut refs = node_references(n);
        for r in &mut refs {
            // the section starts at r.line; the reference is on that line or a later one
            let start = lines.partition_point(|l| l.no < r.line);
            if let Some(l) = lines[start..]
                .iter()
                .take(400)
                .find(|l| l.raw.contains(r.text.as_str()))
            {
                r.line = l.no;
            }
        }
        n.references.extend(refs);
    }
    resolve_references(b);
}

/// Resolve references to nodes of this document by (level, number).
pub(crate) fn resolve_references(b: &mut Builder) {
    let mut by_number: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for n in &b.doc.nodes {
        if let Some(num) = &n.number {
            by_number
                .entry(key(num))
                .or_default()
                .push((key(&n.level), n.id.clone()));
        }
    }
    let mut unresolved = Vec::new();
    for n in &mut b.doc.nodes {
        for r in &mut n.references {
            let Some(num) = &r.target_number else {
                continue;
            };
            let cands: &[(String, String)] = by_number.get(num).map(Vec::as_slice).unwrap_or(&[]);
            let hit = cands.iter().find(|(lv, id)| {
                *id != n.id && r.target_level.as_ref().is_none_or(|want| lv == want)
            });
            match hit {
                Some((_, id)) => r.target_id = Some(id.clone()),
                None => unresolved.push((r.line, r.text.clone())),
            }
        }
    }
    for (line, text) in unresolved {
        b.diag(
            Some(line),
            Severity::Info,
            "reference_external",
            format!("参照先 {text} はこの文書にない(別文書の項目として参照を保持)"),
        );
    }
}

/// Append text to the section at `idx` (new paragraph).
pub(crate) fn append_para(section: &mut Section, text: &str) {
    if text.is_empty() {
        return;
    }
    if !section.text.is_empty() {
        section.text.push('\n');
    }
    section.text.push_str(text);
    // `normalized` is refreshed once at the end (see `refresh_normalized`)
}

/// Recompute every normalised form from its display text (once, after reading).
pub(crate) fn refresh_normalized(doc: &mut ParsedDocument) {
    for n in &mut doc.nodes {
        n.title_normalized = normalize(&n.title);
        for s in &mut n.sections {
            s.normalized = normalize(&s.text);
        }
    }
    for d in &mut doc.directory {
        d.duties_normalized = normalize(&d.duties);
    }
    for n in &mut doc.notes {
        n.normalized = normalize(&n.text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let v = split_labelled("①-1 委員の割合 70% ①-2 割合 85% ②委員を選定する。");
        let labels: Vec<_> = v.iter().map(|x| x.0.clone().unwrap_or_default()).collect();
        assert_eq!(labels, vec!["①-1", "①-2", "②"]);
        assert_eq!(v[2].1, "委員を選定する。");
        let v = split_labelled("-1 区政会議 29年度 60% -2 フィードバック 60%");
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].0.as_deref(), Some("-2"));
        let v = split_labelled("(1) 予算 (2) 区長公募制の導入");
        assert_eq!(v[1].0.as_deref(), Some("(2)"));
        assert_eq!(split_labelled("割合 70%(29年度 64%)").len(), 1);
    }

    #[test]
    fn references() {
        let r = find_references("一時保育の試行的実施（※再掲2-1-2）", 9);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].target_number.as_deref(), Some("2-1-2"));
        let r = find_references("ICT利活用(取組項目8の再掲) ・SNS", 1);
        assert_eq!(r[0].target_level.as_deref(), Some("取組項目"));
        assert_eq!(r[0].target_number.as_deref(), Some("8"));
        let r = find_references("徹底の促進(「市政改革プラン2.0」P68の再掲)", 1);
        assert_eq!(
            r[0].target_document.as_deref(),
            Some("「市政改革プラン2.0」P68")
        );
        assert!(find_references("ICTを活用したきっかけづくり(再掲)", 1).is_empty());
        assert!(REF_NUM_RE.is_some() && REF_OF_RE.is_some());
    }

    #[test]
    fn bullets() {
        assert_eq!(split_bullets("・a b ・c"), vec!["・a b", "・c"]);
        assert_eq!(split_bullets("a・b"), vec!["a・b"]);
    }
}
