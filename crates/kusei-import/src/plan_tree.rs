//! Family `plan_tree`: an outline — chapters (第N章), numbered sections, a table of
//! focus areas (重点分野), roman-numbered areas (I–IV, also Ⅲ Ⅳ), ■ groups, ○
//! subgroups and items marked ☆ (or ・ = no mark); "（再掲）" lists an item again under
//! another parent (the same node gets a second parent id, no copy); 注1/注2 are notes.
//!
//! Nesting follows the numbering style, not the markdown depth (extracted markdown
//! depths are unreliable): an element whose style is already open becomes its
//! sibling, a new style becomes a child. Unnumbered headings nest by markdown depth.

use crate::common::{append_para, Builder};
use crate::model::{Appearance, Note, Section, Severity};
use crate::text::{is_rule_line, key, split_leading_number, strip_markdown, Line, NumKind};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Chapter,
    Roman,
    Arabic,
    Circled,
    Square,
    Circle,
    Item,
    Plain,
}

struct Open {
    idx: usize,
    style: Style,
    depth: usize,
}

const GROUP_MARKS: &[char] = &['■', '□', '◆', '◇'];
const SUBGROUP_MARKS: &[char] = &['○', '◯', '〇', '●'];
const ITEM_MARKS: &[char] = &['☆', '★', '◎', '※'];
const NO_MARK: &[char] = &['・', '･'];
/// Level words, longest first: a heading "改革重点分野" names the level 重点分野.
const LEVEL_WORDS: &[&str] = &[
    "具体的取組",
    "重点分野",
    "経営課題",
    "基本目標",
    "重点施策",
    "取組項目",
    "分野",
    "課題",
    "戦略",
    "施策",
    "目標",
    "方針",
    "事業",
    "柱",
];

/// Structural score.
pub(crate) fn score(lines: &[Line]) -> usize {
    let mut groups = 0;
    let mut items = 0;
    let mut headings = 0;
    for l in lines {
        let Some(t) = l.single() else {
            continue;
        };
        let (depth, list, rest) = strip_markdown(t);
        if depth > 0 {
            headings += 1;
        }
        let first = rest.chars().next();
        if first.is_some_and(|c| GROUP_MARKS.contains(&c) || SUBGROUP_MARKS.contains(&c)) {
            groups += 1;
        } else if list && first.is_some_and(|c| ITEM_MARKS.contains(&c)) {
            items += 1;
        }
    }
    if groups == 0 {
        return 0;
    }
    groups * 3 + items + headings
}

fn level_name(heading_title: &str) -> String {
    let k = key(heading_title);
    LEVEL_WORDS
        .iter()
        .find(|w| k.ends_with(*w))
        .map(|w| w.to_string())
        .unwrap_or_else(|| heading_title.trim().to_string())
}

/// Strip "（再掲）" / "(再掲)" / "【再掲】" at the end of a title.
fn strip_repeat(t: &str) -> Option<&str> {
    let t = t.trim_end();
    for suffix in [
        "（再掲）",
        "(再掲)",
        "【再掲】",
        "［再掲］",
        "[再掲]",
        "※再掲",
        "再掲",
    ] {
        if let Some(r) = t.strip_suffix(suffix) {
            return Some(r.trim_end());
        }
    }
    None
}

struct Tree<'b> {
    b: &'b mut Builder,
    stack: Vec<Open>,
    /// nodes made from a table, by title key (a heading with the same title is the same node)
    table_nodes: HashMap<String, usize>,
    /// 再掲 placeholders: node index → as written
    repeats: Vec<(usize, String)>,
    last_note: Option<usize>,
}

/// Read the document.
pub(crate) fn parse(lines: &[Line], b: &mut Builder) {
    let mut t = Tree {
        b,
        stack: Vec::new(),
        table_nodes: HashMap::new(),
        repeats: Vec::new(),
        last_note: None,
    };
    let mut seen_content = false;
    let mut table_header_seen = false;
    // The list item opened on the line before (node index, line), which an indented line
    // right under it continues.
    let mut last_item: Option<(usize, usize)> = None;
    for l in lines {
        if l.is_blank() {
            t.last_note = None;
            last_item = None;
            continue;
        }
        let raw = l.joined();
        let (depth, list, rest) = strip_markdown(&raw);
        let rest = rest.trim();
        // 「- ☆番号札の導入と案内表示の」 / 「  改善」: an item wrapped onto an indented line
        // (no marker of its own) is one title.
        if let Some((idx, at)) = last_item.take() {
            let indented =
                l.raw.starts_with("  ") || l.raw.starts_with('\u{3000}') || l.raw.starts_with('\t');
            let first = rest.chars().next().unwrap_or(' ');
            let marked = ITEM_MARKS.contains(&first)
                || NO_MARK.contains(&first)
                || GROUP_MARKS.contains(&first)
                || SUBGROUP_MARKS.contains(&first)
                || rest.starts_with('|');
            if at + 1 == l.no && indented && depth == 0 && !list && !marked && !rest.is_empty() {
                if let Some(n) = t.b.node(idx) {
                    n.title.push_str(rest);
                    n.title_normalized = crate::text::normalize(&n.title);
                }
                last_item = Some((idx, l.no));
                continue;
            }
        }
        // tables: "| a | b |" (possibly after a list marker)
        if rest.starts_with('|') {
            if is_rule_line(rest) {
                continue;
            }
            let cells: Vec<&str> = rest.trim_matches('|').split('|').map(str::trim).collect();
            if !table_header_seen && cells.iter().all(|c| c.is_empty()) {
                table_header_seen = true;
                continue;
            }
            t.table_row(&cells, l.no);
            seen_content = true;
            continue;
        }
        table_header_seen = false;
        if is_rule_line(l.raw) {
            continue;
        }
        if rest.is_empty() {
            continue;
        }
        // the document title: a first-level heading before anything else
        if !seen_content && depth == 1 && t.b.doc.title.is_none() {
            t.b.doc.title = Some(crate::model::LineText::new(rest, l.no));
            seen_content = true;
            continue;
        }
        seen_content = true;
        // notes 注1 …
        if let Some(label) = note_label(rest) {
            let text = rest[label.len()..].trim().to_string();
            t.b.doc
                .notes
                .push(Note::new(Some(label.to_string()), text, l.no));
            t.last_note = Some(t.b.doc.notes.len() - 1);
            continue;
        }
        if let Some(n) = t.last_note.and_then(|i| t.b.doc.notes.get_mut(i)) {
            if depth == 0 && !list {
                n.text.push('\n');
                n.text.push_str(rest);
                n.normalized = crate::text::normalize(&n.text);
                continue;
            }
        }
        t.last_note = None;
        let before = t.b.doc.nodes.len();
        t.element(rest, depth, list, l.no);
        let opened = t.b.doc.nodes.len() > before;
        if let Some(top) = t.stack.last().filter(|o| opened && o.style == Style::Item) {
            last_item = Some((top.idx, l.no));
        }
    }
    t.finish();
}

fn note_label(s: &str) -> Option<&str> {
    let after = s.strip_prefix('注')?;
    let digits: usize = after
        .chars()
        .take_while(|c| crate::text::fold_char(*c).is_ascii_digit())
        .map(char::len_utf8)
        .sum();
    if digits == 0 {
        return None;
    }
    let end = '注'.len_utf8() + digits;
    let next = s[end..].chars().next();
    next.is_none_or(|c| c.is_whitespace() || matches!(c, ':' | '：' | ')' | '）' | '.' | '．'))
        .then(|| &s[..end])
}

impl Tree<'_> {
    fn top(&self) -> Option<&Open> {
        self.stack.last()
    }

    fn parent_for(&mut self, style: Style, depth: usize) -> Option<usize> {
        if style == Style::Plain {
            while self.top().is_some_and(|o| o.depth >= depth) {
                self.stack.pop();
            }
        } else if let Some(pos) = self.stack.iter().rposition(|o| o.style == style) {
            self.stack.truncate(pos);
        } else {
            while self.top().is_some_and(|o| o.style == Style::Item) {
                self.stack.pop();
            }
        }
        self.top().map(|o| o.idx)
    }

    fn element(&mut self, text: &str, depth: usize, list: bool, line: usize) {
        let first = text.chars().next().unwrap_or(' ');
        // ■ group / ○ subgroup
        if GROUP_MARKS.contains(&first) || SUBGROUP_MARKS.contains(&first) {
            let style = if GROUP_MARKS.contains(&first) {
                Style::Square
            } else {
                Style::Circle
            };
            let title = text[first.len_utf8()..].trim();
            let level = first.to_string();
            self.open(style, depth, &level, None, title, text, Vec::new(), line);
            return;
        }
        // items ☆ / ・ under a group
        let under_group = self
            .stack
            .iter()
            .rev()
            .find(|o| o.style != Style::Item)
            .is_some_and(|o| matches!(o.style, Style::Square | Style::Circle | Style::Roman));
        if (list || depth == 0)
            && under_group
            && (ITEM_MARKS.contains(&first) || NO_MARK.contains(&first) || list)
        {
            let marks: Vec<String> = text
                .chars()
                .take_while(|c| ITEM_MARKS.contains(c) || NO_MARK.contains(c))
                .filter(|c| ITEM_MARKS.contains(c))
                .map(|c| c.to_string())
                .collect();
            let title = text
                .trim_start_matches(|c| ITEM_MARKS.contains(&c) || NO_MARK.contains(&c))
                .trim();
            self.open(Style::Item, 99, "項目", None, title, text, marks, line);
            return;
        }
        // numbered headings (or short numbered lines)
        if depth > 0 || (!list && text.chars().count() <= 40 && !text.ends_with('。')) {
            if let Some((num, kind, title)) = split_leading_number(text) {
                let (style, level) = match kind {
                    NumKind::Chapter(u) => (Style::Chapter, u.to_string()),
                    NumKind::Roman => (Style::Roman, "区分".to_string()),
                    NumKind::Arabic => (Style::Arabic, "節".to_string()),
                    NumKind::Circled => (Style::Circled, "項".to_string()),
                };
                let num = match kind {
                    NumKind::Chapter(_) => num
                        .trim_start_matches('第')
                        .trim_end_matches(|c: char| !crate::text::fold_char(c).is_ascii_digit())
                        .to_string(),
                    _ => num.to_string(),
                };
                if !title.is_empty() {
                    self.open(
                        style,
                        depth,
                        &level,
                        Some(num),
                        title,
                        text,
                        Vec::new(),
                        line,
                    );
                    return;
                }
            }
            if depth > 0 {
                self.open(
                    Style::Plain,
                    depth,
                    "見出し",
                    None,
                    text,
                    text,
                    Vec::new(),
                    line,
                );
                return;
            }
        }
        // body text of the current node
        self.body(text, line);
    }

    #[allow(clippy::too_many_arguments)]
    fn open(
        &mut self,
        style: Style,
        depth: usize,
        level: &str,
        number: Option<String>,
        title: &str,
        as_written: &str,
        marks: Vec<String>,
        line: usize,
    ) {
        let parent = self.parent_for(style, depth);
        // the same node as a table entry (重点分野 "1 市民サービスの向上" = "I 市民サービスの向上")
        if let Some(&idx) = self.table_nodes.get(&key(title)) {
            let pid = parent.map(|p| self.b.id(p));
            self.b.set_parent(idx, parent);
            if let Some(n) = self.b.node(idx) {
                n.appearances.push(Appearance {
                    kind: "alias".to_string(),
                    parent_id: pid,
                    number: number.clone(),
                    as_written: as_written.to_string(),
                    marks: marks.clone(),
                    line,
                });
            }
            self.stack.push(Open { idx, style, depth });
            return;
        }
        let (title, repeat) = match strip_repeat(title) {
            Some(t) => (t, true),
            None => (title, false),
        };
        let idx = self.b.add(level, number, title, line);
        self.b.set_parent(idx, parent);
        if let Some(n) = self.b.node(idx) {
            n.marks = marks;
        }
        if repeat {
            self.repeats.push((idx, as_written.to_string()));
        }
        self.stack.push(Open { idx, style, depth });
    }

    fn table_row(&mut self, cells: &[&str], line: usize) {
        let parent = self
            .stack
            .iter()
            .rev()
            .find(|o| o.style != Style::Item)
            .map(|o| o.idx);
        let level = parent
            .and_then(|p| self.b.doc.nodes.get(p))
            .map(|n| level_name(&n.title))
            .unwrap_or_else(|| "項目".to_string());
        for c in cells.iter().filter(|c| !c.is_empty()) {
            match split_leading_number(c) {
                Some((num, _, title)) if !title.is_empty() => {
                    let idx = self.b.add(&level, Some(num.to_string()), title, line);
                    self.b.set_parent(idx, parent);
                    self.table_nodes.insert(key(title), idx);
                }
                _ => self.body(c, line),
            }
        }
    }

    fn body(&mut self, text: &str, line: usize) {
        // attach to the nearest open node that is not an item
        let target = self
            .stack
            .iter()
            .rev()
            .find(|o| o.style != Style::Item)
            .or(self.top())
            .map(|o| o.idx);
        match target.and_then(|i| self.b.node(i)) {
            Some(n) => match n.sections.last_mut() {
                Some(s) if s.heading.is_none() => append_para(s, text),
                _ => n
                    .sections
                    .push(Section::new(None, None, text.to_string(), line)),
            },
            None => self
                .b
                .doc
                .notes
                .push(Note::new(None, text.to_string(), line)),
        }
    }

    fn finish(mut self) {
        self.resolve_repeats();
        // headings with nothing under them (e.g. a figure lost in extraction)
        let with_children: std::collections::HashSet<String> = self
            .b
            .doc
            .nodes
            .iter()
            .flat_map(|n| n.parent_ids.iter().cloned())
            .collect();
        let empty: Vec<(usize, String)> = self
            .b
            .doc
            .nodes
            .iter()
            .filter(|n| {
                n.level != "項目"
                    && n.sections.is_empty()
                    && !with_children.contains(&n.id)
                    && n.appearances.is_empty()
            })
            .map(|n| (n.line, n.title.clone()))
            .collect();
        for (line, title) in empty {
            self.b.diag(
                Some(line),
                Severity::Info,
                "empty_heading",
                format!(
                    "見出し「{title}」の下に本文がない(図表など、抽出されなかった内容の可能性)"
                ),
            );
        }
    }

    /// Link each （再掲） entry to the item it repeats: the original gets the entry's
    /// parent as a second parent id; the entry is not kept as a copy.
    fn resolve_repeats(&mut self) {
        let repeat_ids: std::collections::HashSet<usize> =
            self.repeats.iter().map(|r| r.0).collect();
        let mut by_title: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, n) in self.b.doc.nodes.iter().enumerate() {
            if !repeat_ids.contains(&i) {
                by_title
                    .entry((n.level.clone(), key(&n.title)))
                    .or_default()
                    .push(i);
            }
        }
        let mut remove = Vec::new();
        let mut moved: HashMap<String, String> = HashMap::new();
        let repeats = std::mem::take(&mut self.repeats);
        for (idx, as_written) in repeats {
            let Some(rep) = self.b.doc.nodes.get(idx).cloned() else {
                continue;
            };
            let cands: &[usize] = by_title
                .get(&(rep.level.clone(), key(&rep.title)))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            // prefer the nearest original before the entry (candidates are in order)
            let before = cands.partition_point(|&c| c < idx);
            let orig = match before {
                0 => cands.first(),
                k => cands.get(k - 1),
            }
            .copied();
            match orig {
                Some(o) => {
                    let parent = rep.parent_ids.first().cloned();
                    let orig_marks = self
                        .b
                        .doc
                        .nodes
                        .get(o)
                        .map(|n| n.marks.clone())
                        .unwrap_or_default();
                    if orig_marks != rep.marks {
                        self.b.diag(
                            Some(rep.line),
                            Severity::Info,
                            "repeat_marks_differ",
                            format!(
                                "再掲「{}」の印({})が元の項目の印({})と違う。元の項目の印を使う",
                                rep.title,
                                mark_text(&rep.marks),
                                mark_text(&orig_marks)
                            ),
                        );
                    }
                    if let Some(n) = self.b.doc.nodes.get_mut(o) {
                        if let Some(p) = &parent {
                            if !n.parent_ids.contains(p) {
                                n.parent_ids.push(p.clone());
                            }
                        }
                        n.appearances.push(Appearance {
                            kind: "repeat".to_string(),
                            parent_id: parent,
                            number: rep.number.clone(),
                            as_written,
                            marks: rep.marks.clone(),
                            line: rep.line,
                        });
                    }
                    // children of the entry (rare) move to the original
                    moved.insert(rep.id.clone(), self.b.id(o));
                    remove.push(idx);
                }
                None => {
                    self.b.diag(
                        Some(rep.line),
                        Severity::Warning,
                        "repeat_target_not_found",
                        format!(
                            "（再掲）「{}」の元の項目が見つからない。この位置の項目として残した",
                            rep.title
                        ),
                    );
                    if let Some(n) = self.b.node(idx) {
                        n.appearances.push(Appearance {
                            kind: "repeat".to_string(),
                            parent_id: rep.parent_ids.first().cloned(),
                            number: rep.number.clone(),
                            as_written,
                            marks: rep.marks.clone(),
                            line: rep.line,
                        });
                    }
                }
            }
        }
        if !moved.is_empty() {
            for n in &mut self.b.doc.nodes {
                for p in &mut n.parent_ids {
                    if let Some(o) = moved.get(p) {
                        *p = o.clone();
                    }
                }
                let mut seen = std::collections::HashSet::new();
                n.parent_ids.retain(|p| seen.insert(p.clone()));
            }
        }
        let remove: std::collections::HashSet<usize> = remove.into_iter().collect();
        let mut i = 0;
        self.b.doc.nodes.retain(|_| {
            i += 1;
            !remove.contains(&(i - 1))
        });
    }
}

fn mark_text(m: &[String]) -> String {
    if m.is_empty() {
        "なし".to_string()
    } else {
        m.join("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(level_name("改革重点分野"), "重点分野");
        assert_eq!(level_name("取り組み内容"), "取り組み内容");
        assert_eq!(
            strip_repeat("戸籍事務の電算化（再掲）"),
            Some("戸籍事務の電算化")
        );
        assert_eq!(note_label("注1 区役所が"), Some("注1"));
        assert_eq!(note_label("注意事項"), None);
    }
}
