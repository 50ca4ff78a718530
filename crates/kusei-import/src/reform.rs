//! Family `reform_items`: 取組項目 sheets (「市政改革プラン」に基づく取組等).
//!
//! Each item: "取組項目 N", 【title】 (possibly over two lines), an optional subtitle
//! line, then three blocks whose row labels and cells may come out of order:
//! 計画 (labelled texts (趣旨・目的) (取組の概要) (目標) (取組の内容) (目標)),
//! 中間振り返り (two option groups and 課題と改善策) and the evaluation (自己評価 /
//! 年度評価 / 評価 / 直前評価: results, ①目標達成 / ②目標未達成, 課題と改善策).
//! Block membership is decided by the form's labels, not by line positions.

use crate::choice::{find_choice, Choice};
use crate::common::{add_targets, append_para, collect_references, Builder};
use crate::model::{Evaluation, Note, Prospect, Review, Section, Severity};
use crate::text::{fold_char, is_rule_line, key, strip_key_prefix, strip_markdown, Line};
use kusei_domain::judgment::Judgment;

const POLICY_HEADER: &str = "取組の方針・目標内容";
const YEAR_HEADER: &str = "当年度の取組内容";
pub(crate) const RESULTS_LABELS: &[&str] = &[
    "当年度の取組実績及び目標の達成状況",
    "取組実績及び目標の達成状況",
    "当年度の取組実績",
];
pub(crate) const REMEDY_LABELS: &[&str] = &["課題と改善策", "課題及び改善策"];
pub(crate) const REVIEW_LABELS: &[&str] = &["取組内容の実施見込み", "目標の達成見込み"];

pub(crate) const JUDGMENT: &[(&str, Judgment)] = &[
    ("目標達成", Judgment::Achieved),
    ("目標未達成", Judgment::NotAchieved),
];
pub(crate) const IMPLEMENTATION: &[(&str, Prospect)] = &[
    ("実施見込み", Prospect::Expected),
    ("実施できない見込み", Prospect::NotExpected),
];
pub(crate) const ACHIEVEMENT: &[(&str, Prospect)] = &[
    ("達成見込み", Prospect::Expected),
    ("達成できない見込み", Prospect::NotExpected),
];
pub(crate) const UNDETERMINED: &[&str] = &[
    "未確定",
    "確定しない",
    "確定していない",
    "確定せず",
    "確定できない",
    "達成か未達成か不明",
    "判定できない",
    "判断できない",
];

/// Structural score: how much the text looks like this family.
pub(crate) fn score(lines: &[Line]) -> usize {
    let items = lines.iter().filter(|l| item_start(l).is_some()).count();
    if items == 0 {
        return 0;
    }
    let labels = lines
        .iter()
        .filter(|l| {
            l.filled()
                .flat_map(|c| c.paras.iter())
                .any(|p| phase_label(p).is_some() || strip_any(p, RESULTS_LABELS).is_some())
        })
        .count();
    items * 50 + labels
}

/// "取組項目 N" (optionally followed by 【title】): (number as written, rest).
pub(crate) fn item_start(line: &Line) -> Option<(String, String)> {
    let mut filled = line.filled();
    let cell = filled.next()?;
    let p = cell.paras.first()?;
    let (_, _, t) = strip_markdown(p);
    let (_, rest) = strip_key_prefix(t, "取組項目")?;
    let digits: String = rest
        .chars()
        .take_while(|c| fold_char(*c).is_ascii_digit())
        .collect();
    if digits.is_empty() {
        return None;
    }
    let after = rest[digits.len()..].trim_start();
    let after = after
        .trim_start_matches([':', '：', '.', '．'])
        .trim_start();
    if !after.is_empty() && !after.starts_with('【') {
        return None;
    }
    let mut extra = after.to_string();
    for p in cell
        .paras
        .iter()
        .skip(1)
        .chain(filled.flat_map(|c| c.paras.iter()))
    {
        extra.push(' ');
        extra.push_str(p);
    }
    Some((digits, extra.trim().to_string()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Plan,
    Review,
    Eval,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Results,
    Remedy,
}

/// Phase row label: 計画, 中間振り返り, …評価.
pub(crate) fn phase_label(p: &str) -> Option<Phase> {
    // row labels are short; skip the normalisation of long paragraphs
    if p.len() > 40 {
        return None;
    }
    let k = key(p);
    let (_, _, k2) = strip_markdown(&k);
    let k = k2;
    if k == "計画" {
        return Some(Phase::Plan);
    }
    if k == "中間振り返り" || k == "中間振返り" || k == "中間ふりかえり" {
        return Some(Phase::Review);
    }
    let n = k.chars().count();
    if k.ends_with("評価") && (2..=6).contains(&n) && !k.contains('の') {
        return Some(Phase::Eval);
    }
    None
}

pub(crate) fn strip_any<'s>(p: &'s str, labels: &[&str]) -> Option<(&'s str, &'s str)> {
    labels.iter().find_map(|l| strip_key_prefix(p, l))
}

/// "※左記が「②」の場合は必須" (the remedy column's instruction).
pub(crate) fn strip_instruction(p: &str) -> Option<&str> {
    let t = p.trim_start().trim_start_matches(['※', '*']).trim_start();
    let (_, r) = strip_key_prefix(t, "左記が")?;
    let idx = r.find("の場合は必須")?;
    if r[..idx].chars().count() > 40 {
        return None;
    }
    Some(r[idx + "の場合は必須".len()..].trim_start())
}

/// A parenthesised section label at byte `i` of `p`: (inner as written, end byte).
fn label_at(p: &str, i: usize) -> Option<(&str, usize)> {
    let c = p[i..].chars().next()?;
    if !matches!(c, '(' | '（') {
        return None;
    }
    let inner_start = i + c.len_utf8();
    let close = p[inner_start..]
        .char_indices()
        .take(14)
        .find(|(_, d)| matches!(d, ')' | '）'))?
        .0
        + inner_start;
    let inner = &p[inner_start..close];
    if !is_section_label(inner) {
        return None;
    }
    let close_len = p[close..].chars().next().map(char::len_utf8).unwrap_or(1);
    Some((inner.trim(), close + close_len))
}

const LABEL_WORDS: &[&str] = &[
    "目的", "目標", "概要", "内容", "戦略", "方針", "趣旨", "背景", "成果", "指標", "課題",
];

fn is_section_label(inner: &str) -> bool {
    let k = key(inner);
    let n = k.chars().count();
    n > 0
        && n <= 10
        && !k.chars().any(|c| c.is_ascii_digit())
        && !k.contains("再掲")
        && LABEL_WORDS.iter().any(|w| k.contains(w))
}

/// Section labels in a paragraph (at its start or after whitespace).
/// The labels of a paragraph in order, never overlapping: a "(" inside a label's own
/// parentheses ("(盙内容 (戦略)") does not start another.
fn labels_in(p: &str) -> Vec<(usize, usize, &str)> {
    let mut out: Vec<(usize, usize, &str)> = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in p.char_indices() {
        let free = out.last().is_none_or(|l| i >= l.1);
        if free && prev.is_none_or(char::is_whitespace) && matches!(c, '(' | '（') {
            if let Some((inner, end)) = label_at(p, i) {
                out.push((i, end, inner));
            }
        }
        prev = Some(c);
    }
    out
}

/// Is this a line that belongs to the form rather than a subtitle?
fn is_structural(p: &str) -> bool {
    phase_label(p).is_some()
        || strip_any(p, &[POLICY_HEADER, YEAR_HEADER]).is_some()
        || strip_any(p, RESULTS_LABELS).is_some()
        || strip_any(p, REMEDY_LABELS).is_some()
        || strip_any(p, REVIEW_LABELS).is_some()
        || labels_in(p).first().is_some_and(|l| l.0 == 0)
        || p.trim_start().starts_with('【')
}

struct Item {
    idx: usize,
    phase: Phase,
    policy_header: Option<String>,
    year_header: Option<String>,
    cur_section: Option<usize>,
    // review
    review_heading: Option<String>,
    review_line: Option<usize>,
    implementation: Option<Choice<Prospect>>,
    implementation_text: Option<String>,
    achievement: Option<Choice<Prospect>>,
    achievement_text: Option<String>,
    review_remedy: Vec<String>,
    // evaluation
    eval_heading: Option<String>,
    eval_line: Option<usize>,
    judgment: Option<Choice<Judgment>>,
    judgment_text: Option<String>,
    judgment_line: Option<usize>,
    judgment_seen: bool,
    results: Vec<String>,
    remedy: Vec<String>,
}

impl Item {
    fn new(idx: usize) -> Self {
        Item {
            idx,
            phase: Phase::Plan,
            policy_header: None,
            year_header: None,
            cur_section: None,
            review_heading: None,
            review_line: None,
            implementation: None,
            implementation_text: None,
            achievement: None,
            achievement_text: None,
            review_remedy: Vec::new(),
            eval_heading: None,
            eval_line: None,
            judgment: None,
            judgment_text: None,
            judgment_line: None,
            judgment_seen: false,
            results: Vec::new(),
            remedy: Vec::new(),
        }
    }

    fn enter(&mut self, phase: Phase, line: usize) {
        self.phase = phase;
        match phase {
            Phase::Review => {
                self.review_line.get_or_insert(line);
            }
            Phase::Eval => {
                self.eval_line.get_or_insert(line);
            }
            Phase::Plan => {}
        }
    }
}

/// Read the document.
pub(crate) fn parse(lines: &[Line], b: &mut Builder) {
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| item_start(l).is_some())
        .map(|(i, _)| i)
        .collect();
    // Preamble: title and notes.
    let first = starts.first().copied().unwrap_or(lines.len());
    preamble(&lines[..first], b);
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        parse_item(&lines[s..end], b);
    }
    check_numbers(b);
    collect_references(b, lines);
}

fn preamble(lines: &[Line], b: &mut Builder) {
    for l in lines {
        if l.is_blank() || is_rule_line(l.raw) {
            continue;
        }
        let text = l.joined();
        let (_, _, t) = strip_markdown(&text);
        let t = t.to_string();
        if b.doc.title.is_none() {
            b.doc.title = Some(crate::model::LineText::new(&t, l.no));
        } else {
            b.doc.notes.push(Note::new(None, t, l.no));
        }
    }
}

fn parse_item(lines: &[Line], b: &mut Builder) {
    let Some(head) = lines.first() else {
        return;
    };
    let Some((number, inline)) = item_start(head) else {
        return;
    };
    let idx = b.add("取組項目", Some(number.clone()), "", head.no);
    let mut pos = 1;
    // Title: 【…】, possibly continued over lines.
    let mut title_src = inline;
    if title_src.is_empty() {
        while pos < lines.len() && lines[pos].is_blank() {
            pos += 1;
        }
        if let Some(l) = lines.get(pos) {
            let t = l.joined();
            let (_, _, t) = strip_markdown(&t);
            if t.starts_with('【') {
                title_src = t.to_string();
                pos += 1;
                while !title_src.contains('】') && pos < lines.len() && pos < 6 {
                    let more = lines[pos].joined();
                    if more.is_empty() || is_structural(&more) && !more.contains('】') {
                        break;
                    }
                    title_src.push_str(more.trim());
                    pos += 1;
                }
            }
        }
    }
    let (title, after_title) = split_title(&title_src);
    if title.is_empty() {
        b.diag(
            Some(head.no),
            Severity::Warning,
            "title_missing",
            format!("取組項目{number}: 【】で囲まれた題名が見つからない"),
        );
    }
    if let Some(n) = b.node(idx) {
        n.title = title.clone();
        n.title_normalized = crate::text::normalize(&title);
    }
    // Subtitle: the line under the title when it is not part of the form.
    let mut subtitle = (!after_title.is_empty()).then(|| after_title.clone());
    if subtitle.is_none() {
        let mut p2 = pos;
        while p2 < lines.len() && lines[p2].is_blank() {
            p2 += 1;
        }
        if let Some(l) = lines.get(p2) {
            if let Some(t) = l.single() {
                let (_, _, t) = strip_markdown(t);
                if !is_structural(t)
                    && !t.is_empty()
                    && t.chars().count() <= 80
                    && !is_rule_line(l.raw)
                {
                    subtitle = Some(t.trim().to_string());
                    pos = p2 + 1;
                }
            }
        }
    }
    if let Some(n) = b.node(idx) {
        n.subtitle = subtitle;
    }
    let mut item = Item::new(idx);
    for l in &lines[pos.min(lines.len())..] {
        if l.is_blank() || is_rule_line(l.raw) {
            continue;
        }
        for cell in l.filled() {
            let mut slot: Option<Slot> = None;
            let mut header_hint: Option<String> = None;
            for p in &cell.paras {
                para(b, &mut item, p, l.no, &mut slot, &mut header_hint);
            }
        }
    }
    finish(b, item, &number);
}

/// Split "【title】rest" → (title, rest).
fn split_title(s: &str) -> (String, String) {
    let s = s.trim();
    let Some(inner) = s.strip_prefix('【') else {
        return (String::new(), s.to_string());
    };
    match inner.rfind('】') {
        Some(e) => (
            inner[..e].trim().to_string(),
            inner[e + '】'.len_utf8()..].trim().to_string(),
        ),
        None => (inner.trim().to_string(), String::new()),
    }
}

fn para(
    b: &mut Builder,
    it: &mut Item,
    p: &str,
    line: usize,
    slot: &mut Option<Slot>,
    hint: &mut Option<String>,
) {
    let p = p.trim();
    if p.is_empty() {
        return;
    }
    if let Some(ph) = phase_label(p) {
        it.enter(ph, line);
        let written = p.trim().to_string();
        match ph {
            Phase::Review => {
                it.review_heading.get_or_insert(written);
            }
            Phase::Eval => {
                it.eval_heading.get_or_insert(written);
            }
            Phase::Plan => {}
        }
        return;
    }
    if let Some((lab, rest)) = strip_any(p, &[POLICY_HEADER]) {
        it.enter(Phase::Plan, line);
        it.policy_header.get_or_insert(lab.to_string());
        *hint = Some(lab.to_string());
        return para(b, it, rest, line, slot, hint);
    }
    if let Some((lab, rest)) = strip_any(p, &[YEAR_HEADER]) {
        it.enter(Phase::Plan, line);
        it.year_header.get_or_insert(lab.to_string());
        *hint = Some(lab.to_string());
        return para(b, it, rest, line, slot, hint);
    }
    if let Some((_, rest)) = strip_any(p, REVIEW_LABELS) {
        if it.phase != Phase::Review {
            it.enter(Phase::Review, line);
        }
        return para(b, it, rest, line, slot, hint);
    }
    if let Some((_, rest)) = strip_any(p, RESULTS_LABELS) {
        if it.phase != Phase::Eval {
            it.enter(Phase::Eval, line);
        }
        *slot = Some(Slot::Results);
        return para(b, it, rest, line, slot, hint);
    }
    if let Some((lab, rest)) = strip_any(p, REMEDY_LABELS) {
        if it.phase == Phase::Plan {
            // a remedy column outside review/evaluation: keep it as a plan section
            plan_new_section(b, it, Some(lab.to_string()), None, line);
        } else {
            *slot = Some(Slot::Remedy);
        }
        let rest = strip_instruction(rest).unwrap_or(rest);
        return para(b, it, rest, line, slot, hint);
    }
    if let Some(rest) = strip_instruction(p) {
        if it.phase != Phase::Plan {
            *slot = Some(Slot::Remedy);
        }
        return para(b, it, rest, line, slot, hint);
    }
    match it.phase {
        Phase::Plan => plan_text(b, it, p, line, hint.clone()),
        Phase::Review => review_text(it, p),
        Phase::Eval => eval_text(it, p, line, *slot),
    }
}

fn group_for(it: &Item, b: &Builder, heading: &str, hint: Option<String>) -> Option<String> {
    let k = key(heading);
    let policy = || {
        it.policy_header
            .clone()
            .unwrap_or_else(|| POLICY_HEADER.to_string())
    };
    let year = || {
        it.year_header
            .clone()
            .unwrap_or_else(|| YEAR_HEADER.to_string())
    };
    if ["趣旨", "目的", "戦略", "概要", "方針", "背景"]
        .iter()
        .any(|w| k.contains(w))
    {
        return Some(policy());
    }
    if k.contains("内容") {
        return Some(year());
    }
    // (目標) etc.: the group of the section it follows, else the cell's header.
    let prev = it
        .cur_section
        .and_then(|s| b.doc.nodes.get(it.idx).and_then(|n| n.sections.get(s)))
        .and_then(|s| s.group.clone());
    prev.or(hint).or_else(|| Some(policy()))
}

fn plan_new_section(
    b: &mut Builder,
    it: &mut Item,
    heading: Option<String>,
    group: Option<String>,
    line: usize,
) {
    if let Some(n) = b.node(it.idx) {
        n.sections
            .push(Section::new(heading, group, String::new(), line));
        it.cur_section = Some(n.sections.len() - 1);
    }
}

fn plan_append(b: &mut Builder, it: &mut Item, text: &str, line: usize, hint: Option<String>) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if it.cur_section.is_none() {
        plan_new_section(b, it, None, hint.or_else(|| it.policy_header.clone()), line);
    }
    if let (Some(s), Some(n)) = (it.cur_section, b.doc.nodes.get_mut(it.idx)) {
        if let Some(sec) = n.sections.get_mut(s) {
            append_para(sec, text);
        }
    }
}

fn plan_text(b: &mut Builder, it: &mut Item, p: &str, line: usize, hint: Option<String>) {
    let labels = labels_in(p);
    let head_end = labels.first().map(|l| l.0).unwrap_or(p.len());
    plan_append(b, it, &p[..head_end], line, hint.clone());
    for (k, (_, end, inner)) in labels.iter().enumerate() {
        let stop = labels.get(k + 1).map(|l| l.0).unwrap_or(p.len());
        let group = group_for(it, b, inner, hint.clone());
        plan_new_section(b, it, Some(inner.to_string()), group, line);
        plan_append(b, it, &p[*end..stop], line, hint.clone());
    }
}

fn review_text(it: &mut Item, p: &str) {
    let mut rest = p.to_string();
    if let Some(c) = find_choice(&rest, IMPLEMENTATION) {
        it.implementation_text = Some(rest[c.start..c.end].trim().to_string());
        rest = format!("{} {}", &rest[..c.start], &rest[c.end..]);
        it.implementation = Some(c);
    }
    if let Some(c) = find_choice(&rest, ACHIEVEMENT) {
        it.achievement_text = Some(rest[c.start..c.end].trim().to_string());
        rest = format!("{} {}", &rest[..c.start], &rest[c.end..]);
        it.achievement = Some(c);
    }
    let rest = rest.trim();
    if rest.is_empty() || is_bare_markers(rest) {
        return;
    }
    // the review's only free-text field is 課題と改善策
    it.review_remedy.push(rest.to_string());
}

/// Only option markers left ("()", "① ②", ":").
pub(crate) fn is_bare_markers(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '(' | ')' | '（' | '）' | ':' | '：' | '☐' | '□' | '[' | ']'
            )
            || crate::text::circled_value(c).is_some()
            || matches!(c, 'i' | 'v' | 'x')
    })
}

fn eval_text(it: &mut Item, p: &str, line: usize, slot: Option<Slot>) {
    let default_slot = |seen: bool| if seen { Slot::Remedy } else { Slot::Results };
    let push = |it: &mut Item, s: Slot, t: &str| {
        let t = t.trim();
        if t.is_empty() || is_bare_markers(t) {
            return;
        }
        match s {
            Slot::Results => it.results.push(t.to_string()),
            Slot::Remedy => it.remedy.push(t.to_string()),
        }
    };
    match find_choice(p, JUDGMENT) {
        Some(c) => {
            let before = &p[..c.start];
            let after = &p[c.end..];
            push(it, slot.unwrap_or(default_slot(it.judgment_seen)), before);
            it.judgment_text = Some(p[c.start..c.end].trim().to_string());
            it.judgment_line = Some(line);
            it.judgment_seen = true;
            // keep the first visible choice; a later blank repetition does not erase it
            if it.judgment.as_ref().is_none_or(|j| j.value.is_none()) {
                it.judgment = Some(c);
            }
            push(it, slot.unwrap_or(Slot::Remedy), after);
        }
        None => push(it, slot.unwrap_or(default_slot(it.judgment_seen)), p),
    }
}

fn finish(b: &mut Builder, it: Item, number: &str) {
    let ctx = b.doc.era_context.as_ref().map(|c| c.year);
    // Targets from the (目標) sections.
    if let Some(n) = b.node(it.idx) {
        for i in 0..n.sections.len() {
            add_targets(n, i, ctx);
        }
        n.sections
            .retain(|s| !s.text.is_empty() || s.heading.is_some());
    }
    let empty_plan = b
        .doc
        .nodes
        .get(it.idx)
        .is_none_or(|n| n.sections.is_empty());
    let line0 = b.doc.nodes.get(it.idx).map(|n| n.line).unwrap_or(0);
    if empty_plan {
        b.diag(
            Some(line0),
            Severity::Warning,
            "plan_missing",
            format!("取組項目{number}: 計画の記載が見つからない"),
        );
    }
    // Review.
    let impl_v = it
        .implementation
        .as_ref()
        .and_then(|c| c.value)
        .unwrap_or(Prospect::Unknown);
    let ach_v = it
        .achievement
        .as_ref()
        .and_then(|c| c.value)
        .unwrap_or(Prospect::Unknown);
    let review_remedy = join(&it.review_remedy);
    // Options that are there but whose answer cannot be read: two marked, or lost where
    // the rest of the review was filled in — unknown, and said so (the review is not
    // dropped silently). A review with nothing filled in is a blank form (plan stage).
    let filled =
        impl_v != Prospect::Unknown || ach_v != Prospect::Unknown || review_remedy.is_some();
    for (choice, text, what) in [
        (
            &it.implementation,
            &it.implementation_text,
            "取組内容の実施見込み",
        ),
        (&it.achievement, &it.achievement_text, "目標の達成見込み"),
    ] {
        if let Some(c) = choice
            .as_ref()
            .filter(|c| c.value.is_none() && (c.conflict || filled))
        {
            let why = if c.conflict {
                "複数の選択肢に印がある"
            } else {
                "どれが選ばれたか読み取れない"
            };
            b.diag(
                Some(it.review_line.unwrap_or(line0)),
                Severity::Warning,
                "review_not_visible",
                format!(
                    "取組項目{number}: 中間振り返りの{what}「{}」は、{why}(unknown)",
                    text.clone().unwrap_or_default()
                ),
            );
        }
    }
    if impl_v != Prospect::Unknown || ach_v != Prospect::Unknown || review_remedy.is_some() {
        let line = it.review_line.unwrap_or(line0);
        if (impl_v == Prospect::NotExpected || ach_v == Prospect::NotExpected)
            && review_remedy.is_none()
        {
            b.diag(
                Some(line),
                Severity::Warning,
                "remedy_missing",
                format!("取組項目{number}: 中間振り返りが(ii)/②なのに課題と改善策がない"),
            );
        }
        if let Some(n) = b.node(it.idx) {
            n.review = Some(Review {
                heading: it.review_heading.clone(),
                implementation: impl_v,
                implementation_text: it.implementation_text.clone(),
                achievement: ach_v,
                achievement_text: it.achievement_text.clone(),
                remedy: review_remedy,
                line,
            });
        }
    }
    // Evaluation.
    let results = join(&it.results);
    let remedy = join(&it.remedy);
    let mut judgment = it
        .judgment
        .as_ref()
        .and_then(|c| c.value)
        .unwrap_or(Judgment::Unknown);
    let mut evidence = it
        .judgment
        .as_ref()
        .map(|c| c.evidence.clone())
        .unwrap_or_else(|| "選択肢の記載がない".to_string());
    if judgment == Judgment::Unknown {
        let all = key(&format!(
            "{} {}",
            results.clone().unwrap_or_default(),
            remedy.clone().unwrap_or_default()
        ));
        if let Some(w) = UNDETERMINED.iter().find(|w| all.contains(*w)) {
            judgment = Judgment::Undetermined;
            evidence = format!("本文に「{w}」とある(結果が確定していない)");
        }
    }
    if results.is_none() && remedy.is_none() && judgment == Judgment::Unknown {
        // blank evaluation (plan-stage document): nothing to report
        if let Some(h) = &it.eval_heading {
            heading_variant(b, h, it.eval_line.unwrap_or(line0));
        }
        return;
    }
    let line = it.eval_line.or(it.judgment_line).unwrap_or(line0);
    if let Some(h) = &it.eval_heading {
        heading_variant(b, h, line);
    }
    match (&it.judgment, judgment) {
        (Some(c), _) if c.conflict => b.diag(
            Some(it.judgment_line.unwrap_or(line)),
            Severity::Warning,
            "judgment_conflict",
            format!("取組項目{number}: 目標達成と目標未達成の両方に印がある"),
        ),
        (Some(_), Judgment::Unknown) => b.diag(
            Some(it.judgment_line.unwrap_or(line)),
            Severity::Warning,
            "judgment_not_visible",
            format!(
                "取組項目{number}: 評価の選択肢「{}」は残っているが、どちらが選ばれたか読み取れない(unknown)",
                it.judgment_text.clone().unwrap_or_default()
            ),
        ),
        (None, Judgment::Unknown) => b.diag(
            Some(line),
            Severity::Warning,
            "judgment_absent",
            format!("取組項目{number}: 評価に目標達成/目標未達成の記載がない"),
        ),
        _ => {}
    }
    if judgment == Judgment::NotAchieved && remedy.is_none() {
        b.diag(
            Some(line),
            Severity::Warning,
            "remedy_missing",
            format!("取組項目{number}: 目標未達成なのに課題と改善策がない"),
        );
    }
    if let Some(n) = b.node(it.idx) {
        n.evaluation = Some(Evaluation {
            heading: it.eval_heading.clone(),
            stated_judgment: judgment,
            judgment_text: it.judgment_text.clone(),
            judgment_evidence: evidence,
            results,
            remedy,
            line,
            computed_judgment: None,
            computed_reason: None,
            findings: Vec::new(),
        });
    }
}

pub(crate) fn heading_variant(b: &mut Builder, h: &str, line: usize) {
    let k = key(h);
    if !["自己評価", "年度評価", "評価"].contains(&k.as_str()) {
        b.diag(
            Some(line),
            Severity::Info,
            "heading_variant",
            format!("評価欄の見出し「{h}」を年度末評価として読んだ"),
        );
    }
}

pub(crate) fn join(v: &[String]) -> Option<String> {
    let t = v.join("\n");
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Duplicate and missing item numbers.
fn check_numbers(b: &mut Builder) {
    let mut nums: Vec<(u32, usize)> = b
        .doc
        .nodes
        .iter()
        .filter(|n| n.level == "取組項目")
        .filter_map(|n| {
            n.number
                .as_deref()
                .map(key)
                .and_then(|k| k.parse::<u32>().ok())
                .map(|v| (v, n.line))
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut dups = Vec::new();
    for (v, line) in &nums {
        if !seen.insert(*v) {
            dups.push((*v, *line));
        }
    }
    for (v, line) in dups.into_iter().take(50) {
        b.diag(
            Some(line),
            Severity::Warning,
            "duplicate_number",
            format!("取組項目{v} が複数ある"),
        );
    }
    nums.sort();
    nums.dedup_by_key(|x| x.0);
    let mut gaps = Vec::new();
    for w in nums.windows(2) {
        if w[1].0 > w[0].0 + 1 {
            gaps.push((w[0].0, w[1].0, w[1].1));
        }
    }
    for (a, z, line) in gaps.into_iter().take(50) {
        b.diag(
            Some(line),
            Severity::Info,
            "number_gap",
            format!("取組項目{a} の次が {z}: 間の項目が欠けている可能性"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(is_section_label("趣旨・目的"));
        assert!(is_section_label("取組の内容"));
        assert!(!is_section_label("29年度 35%設定"));
        assert!(!is_section_label("再掲"));
        assert!(!is_section_label("公表ベース"));
        let p = "(趣旨・目的) a (取組の概要) b 29年度(目標)97.60% (目標) c";
        let l: Vec<_> = labels_in(p).into_iter().map(|x| x.2).collect();
        assert_eq!(l, vec!["趣旨・目的", "取組の概要", "目標"]);
        assert_eq!(phase_label("直前評価"), Some(Phase::Eval));
        assert_eq!(phase_label("評価を直接受ける"), None);
        assert_eq!(strip_instruction("※左記が「②」の場合は必須 x"), Some("x"));
        assert_eq!(strip_instruction("左記が「 ☐ 」の場合は必須"), Some(""));
    }
}
