//! Reading a chosen answer among form options ("①:目標達成 ②:目標未達成",
//! "(i)実施見込み (ii)実施できない見込み", "☐ 実施見込み ☑ 実施できない見込み").
//!
//! Extraction from PDF often loses the symbol that marked the choice. The rule is to
//! never guess: a choice is read only when it is visible —
//! * exactly one option carries a "chosen" mark (☑ ■ ● ◉ ○ ✓ (✓) [x]);
//! * exactly one option still carries its number (①, (i)) while the others lost theirs;
//! * only one option is left in the text (and it is clearly the form's option).
//!
//! Otherwise the answer is unknown.

use crate::text::circled_value;

/// What precedes an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    Empty,
    Label(u32),
    Chosen,
}

/// The result of scanning a text for one option group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Choice<V> {
    /// The chosen value, when visible.
    pub value: Option<V>,
    /// Why.
    pub evidence: String,
    /// Byte range of the options (markers included) in the scanned text.
    pub start: usize,
    pub end: usize,
    /// More than one option visibly chosen.
    pub conflict: bool,
}

fn is_mark_char(c: char) -> bool {
    is_chosen_char(c)
        || is_empty_box(c)
        || circled_value(c).is_some()
        || ('\u{2170}'..='\u{217b}').contains(&c)
}

fn is_chosen_char(c: char) -> bool {
    matches!(
        c,
        '☑' | '☒'
            | '■'
            | '●'
            | '◉'
            | '○'
            | '〇'
            | '◯'
            | '◎'
            | '✓'
            | '✔'
            | '✅'
            | '✗'
            | '✘'
            | '⬛'
            | '◼'
    )
}

/// 「レ」, a check mark that survived extraction as katakana: a mark only where it stands
/// alone (at the start, or after a space, a colon or a box: 「□レ」), never inside a word
/// (「トイレ」).
fn is_check_katakana(text: &str, at: usize) -> bool {
    text[at..].starts_with('レ')
        && text[..at].chars().next_back().is_none_or(|p| {
            p.is_whitespace()
                || is_colon(p)
                || is_empty_box(p)
                || matches!(p, '(' | '（' | '[' | '［')
        })
}

fn is_empty_box(c: char) -> bool {
    matches!(c, '☐' | '□' | '◇' | '⬜' | '◻')
}

fn is_colon(c: char) -> bool {
    matches!(c, ':' | '：')
}

/// Parenthesised marker contents that may precede an option: "", "i", "ii", "✓", "○", "x".
fn paren_marker_ok(inner: &str) -> bool {
    inner.chars().count() <= 4
        && inner.chars().all(|c| {
            c.is_whitespace()
                || matches!(
                    c,
                    'i' | 'v' | 'x' | 'I' | 'V' | 'X' | 'ｉ' | 'ⅰ' | 'ⅱ' | 'ⅲ'
                )
                || is_chosen_char(c)
                || is_empty_box(c)
                || c == 'レ'
        })
}

/// Length in bytes of the marker region that ends at `end` (scanning backwards).
fn marker_region_start(text: &str, end: usize, floor: usize) -> usize {
    let mut pos = end;
    loop {
        let before = &text[floor..pos];
        let Some(c) = before.chars().next_back() else {
            return pos;
        };
        if c.is_whitespace()
            || is_colon(c)
            || is_mark_char(c)
            || (c == 'レ' && is_check_katakana(text, pos - c.len_utf8()))
        {
            pos -= c.len_utf8();
            continue;
        }
        if matches!(c, ')' | '）' | ']' | '］') {
            let open = if matches!(c, ']' | '］') {
                ['[', '［']
            } else {
                ['(', '（']
            };
            let inner_end = pos - c.len_utf8();
            // a marker's parentheses are short: look back a few characters only
            let mut lo = inner_end.saturating_sub(20).max(floor);
            while !text.is_char_boundary(lo) {
                lo += 1;
            }
            if let Some(open_pos) = text[lo..inner_end].rfind(open) {
                let open_pos = lo + open_pos;
                let open_len = text[open_pos..]
                    .chars()
                    .next()
                    .map(char::len_utf8)
                    .unwrap_or(1);
                let inner = &text[open_pos + open_len..inner_end];
                if paren_marker_ok(inner) {
                    pos = open_pos;
                    continue;
                }
            }
        }
        return pos;
    }
}

/// A hollow circle: the chosen mark of a form that marks one option only (「○実施見込み」),
/// the empty mark beside a filled one (「● 実施見込み ○ 実施できない見込み」).
fn is_hollow_circle(c: char) -> bool {
    matches!(c, '○' | '〇' | '◯')
}

/// A filled mark: beside it, a hollow circle is an empty option.
fn is_filled_mark(c: char) -> bool {
    is_chosen_char(c) && !is_hollow_circle(c) && c != '◎'
}

fn classify(region: &str, hollow_is_empty: bool) -> Mark {
    let mut label = None;
    let mut empty = false;
    let mut chars = region.chars().peekable();
    while let Some(c) = chars.next() {
        if hollow_is_empty && is_hollow_circle(c) {
            empty = true;
            continue;
        }
        if c == 'レ' {
            return Mark::Chosen;
        }
        if is_chosen_char(c) {
            return Mark::Chosen;
        }
        if is_empty_box(c) {
            empty = true;
        }
        if let Some(v) = circled_value(c) {
            label.get_or_insert(v);
        }
        if ('\u{2170}'..='\u{217b}').contains(&c) {
            label.get_or_insert(c as u32 - 0x2170 + 1);
        }
        if matches!(c, '(' | '（' | '[' | '［') {
            let mut inner = String::new();
            for d in chars.by_ref() {
                if matches!(d, ')' | '）' | ']' | '］') {
                    break;
                }
                inner.push(d);
            }
            let t = inner.trim();
            if t.is_empty() {
                empty = true;
            } else if t
                .chars()
                .any(|c| matches!(c, 'x' | 'X') && t.chars().count() == 1)
                || t.chars().any(is_chosen_char)
                || t == "レ"
            {
                return Mark::Chosen;
            } else if let Some(v) = crate::text::roman_value(&t.to_ascii_uppercase()) {
                label.get_or_insert(v);
            }
        }
    }
    match (label, empty) {
        (Some(v), _) => Mark::Label(v),
        (None, true) => Mark::Empty,
        (None, false) => Mark::None,
    }
}

/// An option occurrence.
struct Occ {
    index: usize, // option index (0-based)
    start: usize, // word start
    end: usize,   // word end
}

/// Scan `text` for the option group `options` (word, value). Returns the last group
/// found, or None when no option occurs as a form option.
pub(crate) fn find_choice<V: Copy>(text: &str, options: &[(&str, V)]) -> Option<Choice<V>> {
    let mut found: Vec<Occ> = Vec::new();
    for (index, (word, _)) in options.iter().enumerate() {
        for (start, _) in text.match_indices(word) {
            let end = start + word.len();
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let before_ok = before.is_none_or(|c| {
                c.is_whitespace()
                    || is_colon(c)
                    || is_mark_char(c)
                    || matches!(c, ')' | '）' | ']' | '］')
                    || (c == 'レ' && is_check_katakana(text, start - c.len_utf8()))
            });
            let after_ok = after.is_none_or(|c| {
                c.is_whitespace()
                    || is_colon(c)
                    || is_mark_char(c)
                    || matches!(c, '(' | '（' | '<' | '/' | '」')
            });
            if before_ok && after_ok {
                found.push(Occ { index, start, end });
            }
        }
    }
    // where one option's word contains another's, keep the longest match (one sweep)
    found.sort_by_key(|o| (o.start, std::cmp::Reverse(o.end)));
    let mut occs: Vec<Occ> = Vec::with_capacity(found.len());
    for o in found {
        if occs.last().is_none_or(|l| o.start >= l.end) {
            occs.push(o);
        }
    }
    if occs.is_empty() {
        return None;
    }
    occs.sort_by_key(|o| o.start);
    // Group into clusters: options separated only by marker regions.
    let mut clusters: Vec<Vec<Occ>> = Vec::new();
    for o in occs {
        let joins = clusters.last().and_then(|c| c.last()).is_some_and(|last| {
            last.end <= o.start && marker_region_start(text, o.start, last.end) == last.end
        });
        if joins {
            if let Some(c) = clusters.last_mut() {
                c.push(o);
            }
        } else {
            clusters.push(vec![o]);
        }
    }
    let cluster = clusters.pop()?;
    let first = cluster.first()?;
    let region_start = marker_region_start(text, first.start, 0);
    let mut regions = Vec::with_capacity(cluster.len());
    let mut prev_end = region_start;
    for o in &cluster {
        let from = if prev_end == region_start {
            region_start
        } else {
            prev_end
        };
        regions.push(&text[from..o.start]);
        prev_end = o.end;
    }
    // ●/○, ◉/○, ■/○: where a filled mark is used, the hollow circles are the empty ones.
    let hollow_is_empty = regions.iter().any(|r| r.chars().any(is_filled_mark));
    let marks: Vec<Mark> = regions
        .iter()
        .map(|r| classify(r, hollow_is_empty))
        .collect();
    let end = cluster.last().map(|o| o.end).unwrap_or(first.end);
    let distinct: std::collections::BTreeSet<usize> = cluster.iter().map(|o| o.index).collect();
    let single_option = distinct.len() == 1 && options.len() > 1;
    // A lone option must look like a form option (marker or colon before it, or alone).
    if single_option {
        let region = &text[region_start..first.start];
        let alone = text[..region_start].trim().is_empty() && text[end..].trim().is_empty();
        if region.trim().is_empty() && !alone {
            return None;
        }
    }
    let mut choice = Choice {
        value: None,
        evidence: String::new(),
        start: region_start,
        end,
        conflict: false,
    };
    let chosen: Vec<usize> = cluster
        .iter()
        .zip(&marks)
        .filter(|(_, m)| **m == Mark::Chosen)
        .map(|(o, _)| o.index)
        .collect();
    let labelled: Vec<(usize, u32)> = cluster
        .iter()
        .zip(&marks)
        .filter_map(|(o, m)| match m {
            Mark::Label(v) => Some((o.index, *v)),
            _ => None,
        })
        .collect();
    let word = |i: usize| options.get(i).map(|o| o.0).unwrap_or("");
    if chosen.len() == 1 {
        let i = chosen[0];
        choice.value = options.get(i).map(|o| o.1);
        choice.evidence = format!("「{}」に選択の印がある", word(i));
    } else if chosen.len() > 1 {
        choice.conflict = true;
        choice.evidence = "複数の選択肢に選択の印がある".to_string();
    } else if labelled.len() == 1
        && marks
            .iter()
            .all(|m| matches!(m, Mark::Label(_) | Mark::None))
        && !single_option
    {
        let (at, v) = labelled[0];
        // The surviving number names the option (①→first); fall back to its position.
        let i = if (v as usize) >= 1 && (v as usize) <= options.len() {
            v as usize - 1
        } else {
            at
        };
        choice.value = options.get(i).map(|o| o.1);
        choice.evidence = format!("番号の残っている選択肢は「{}」だけ", word(i));
    } else if single_option {
        let i = first.index;
        choice.value = options.get(i).map(|o| o.1);
        choice.evidence = format!("選択肢は「{}」だけが残っている", word(i));
    } else {
        choice.evidence = "選択肢は残っているが、選ばれた印が読み取れない".to_string();
    }
    Some(choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    const J: &[(&str, u8)] = &[("目標達成", 1), ("目標未達成", 2)];
    const IMPL: &[(&str, u8)] = &[("実施見込み", 1), ("実施できない見込み", 2)];

    fn v(t: &str, o: &[(&str, u8)]) -> Option<u8> {
        find_choice(t, o).and_then(|c| c.value)
    }

    #[test]
    fn lost_choices_stay_unknown() {
        assert_eq!(v(":目標達成 目標未達成", J), None);
        assert_eq!(v(":目標達成 :目標未達成", J), None);
        assert_eq!(v("①:目標達成 ②:目標未達成", J), None);
        assert_eq!(v("①: 目標達成 ②: 目標未達成", J), None);
        assert_eq!(v("(i)実施見込み (ii)実施できない見込み", IMPL), None);
        assert_eq!(v("() ()実施見込み ()実施できない見込み", IMPL), None);
        assert_eq!(v("☐ 実施見込み ☐ 実施できない見込み", IMPL), None);
        assert!(find_choice(":目標達成 目標未達成", J).is_some());
    }

    #[test]
    fn visible_choices() {
        assert_eq!(v("1件 ① :目標達成 :目標未達成", J), Some(1));
        assert_eq!(v("☐ 目標達成 ☑ 目標未達成", J), Some(2));
        assert_eq!(v("■目標達成 □目標未達成", J), Some(1));
        // "(i)" kept, "()" lost its number: ambiguous, not read
        assert_eq!(v("(i)実施見込み ()実施できない見込み", IMPL), None);
        assert_eq!(v("②:目標未達成", J), Some(2));
        assert_eq!(v("目標未達成", J), Some(2));
        let c = find_choice("☑目標達成 ☑目標未達成", J).unwrap();
        assert!(c.conflict && c.value.is_none());
    }

    #[test]
    fn a_filled_mark_beside_hollow_circles() {
        // ●/○ and ◉/○: the hollow circle is the empty option, not a second tick.
        assert_eq!(v("● 実施見込み ○ 実施できない見込み", IMPL), Some(1));
        assert_eq!(v("○実施見込み ●実施できない見込み", IMPL), Some(2));
        assert_eq!(v("◉目標達成 ○目標未達成", J), Some(1));
        assert_eq!(v("■目標達成 〇目標未達成", J), Some(2 - 1));
        // A hollow circle alone still marks the chosen option.
        assert_eq!(v("○実施見込み 実施できない見込み", IMPL), Some(1));
        // 「レ」 as a check mark, alone or in a box; inside a word it is no mark.
        assert_eq!(v("レ 実施見込み □ 実施できない見込み", IMPL), Some(1));
        assert_eq!(v("□実施見込み □レ実施できない見込み", IMPL), Some(2));
        assert_eq!(v("(レ)目標達成 ( )目標未達成", J), Some(1));
        assert_eq!(v("トイレ 実施見込み 実施できない見込み", IMPL), None);
        // Two hollow circles, or two filled ones: not told apart, never guessed.
        assert_eq!(v("○目標達成 ○目標未達成", J), None);
        let c = find_choice("●目標達成 ●目標未達成", J).unwrap();
        assert!(c.conflict && c.value.is_none());
    }

    #[test]
    fn prose_is_not_an_option() {
        assert!(find_choice("推移しており、目標達成が確実な状況である。", J).is_none());
        assert!(find_choice("取組内容の実施見込み", IMPL).is_none());
        // prose mention plus the real options: the options are read
        let t = "目標達成が確実である。 :目標達成 目標未達成";
        let c = find_choice(t, J).unwrap();
        assert_eq!(&t[c.start..c.end], " :目標達成 目標未達成");
    }
}
