//! Snippets: the part of a stored text around the words found, with the words marked.
//! Matching is on the folded text (as the index matches), marking on the text as written.

use crate::query::UserQuery;
use crate::text::fold_with_map;

/// A piece of text to show: the text as written and the byte ranges (within `text`) of
/// the words found in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    pub text: String,
    /// Whether text was left out before and after.
    pub cut_before: bool,
    pub cut_after: bool,
    pub marks: Vec<std::ops::Range<usize>>,
}

impl Snippet {
    /// The pieces in order: (text, marked?).
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        let mut at = 0;
        for m in &self.marks {
            if m.start > at {
                out.push((&self.text[at..m.start], false));
            }
            out.push((&self.text[m.clone()], true));
            at = m.end;
        }
        if at < self.text.len() {
            out.push((&self.text[at..], false));
        }
        out
    }

    /// The marks as character offsets (what the API gives: JSON readers count characters).
    pub fn char_marks(&self) -> Vec<[usize; 2]> {
        let to_chars = |b: usize| self.text[..b].chars().count();
        self.marks
            .iter()
            .map(|m| [to_chars(m.start), to_chars(m.end)])
            .collect()
    }
}

/// Where the query's words occur in a text: original byte ranges, sorted, not overlapping.
pub fn occurrences(text: &str, q: &UserQuery) -> Vec<std::ops::Range<usize>> {
    let map = fold_with_map(text);
    let folded: Vec<char> = map.iter().map(|m| m.0).collect();
    let mut found = Vec::new();
    for term in &q.must {
        for run in &term.runs {
            let needle: Vec<char> = run.chars().collect();
            if needle.is_empty() || needle.len() > folded.len() {
                continue;
            }
            let mut i = 0;
            while i + needle.len() <= folded.len() {
                if folded[i..i + needle.len()] == needle[..] {
                    found.push(map[i].1.start..map[i + needle.len() - 1].1.end);
                    i += needle.len();
                } else {
                    i += 1;
                }
            }
        }
    }
    found.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(found.len());
    for r in found {
        match merged.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// The part of `text` that shows why it was found: the window of about `width`
/// characters with the most of the query's words, and when a word of the query is only
/// elsewhere, a second window around it, joined by " … " (so every word found is seen).
pub fn snippet(text: &str, q: &UserQuery, width: usize) -> Snippet {
    let first = window(text, q, width);
    let folded_marks: Vec<String> = first
        .marks
        .iter()
        .map(|m| crate::text::fold(&first.text[m.clone()]))
        .collect();
    let missing = q.must.iter().find_map(|t| {
        let run = t.runs.first()?;
        (!folded_marks.iter().any(|m| m.contains(run.as_str()))).then_some(run.clone())
    });
    let Some(run) = missing else {
        return first;
    };
    let only = UserQuery {
        must: vec![crate::query::Term {
            typed: run.clone(),
            runs: vec![run],
        }],
        not: Vec::new(),
    };
    if occurrences(text, &only).is_empty() {
        return first;
    }
    let second = window(text, &only, width / 2);
    let joiner = " … ";
    let offset = first.text.len() + joiner.len();
    let mut marks = first.marks.clone();
    marks.extend(
        second
            .marks
            .iter()
            .map(|m| m.start + offset..m.end + offset),
    );
    Snippet {
        text: format!("{}{joiner}{}", first.text, second.text),
        cut_before: first.cut_before,
        cut_after: second.cut_after,
        marks,
    }
}

fn window(text: &str, q: &UserQuery, width: usize) -> Snippet {
    let occ = occurrences(text, q);
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let total = starts.len();
    let byte_at = |ci: usize| starts.get(ci).copied().unwrap_or(text.len());
    let char_of = |b: usize| starts.partition_point(|&s| s < b);
    // The best window: the one starting at an occurrence that covers the most others.
    let mut best: Option<(usize, usize)> = None; // (count, first char)
    for (k, o) in occ.iter().enumerate() {
        let c0 = char_of(o.start);
        let end = byte_at(c0 + width);
        let count = occ[k..].iter().take_while(|x| x.end <= end).count();
        if best.is_none_or(|(n, _)| count > n) {
            best = Some((count, c0));
        }
    }
    let lead = width / 5;
    let first = best.map_or(0, |(_, c)| c.saturating_sub(lead));
    let last = (first + width).min(total);
    let first = last.saturating_sub(width).min(first);
    let (from, to) = (byte_at(first), byte_at(last));
    let marks = occ
        .iter()
        .filter(|o| o.start >= from && o.end <= to)
        .map(|o| o.start - from..o.end - from)
        .collect();
    Snippet {
        text: text[from..to].to_string(),
        cut_before: first > 0,
        cut_after: last < total,
        marks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    #[test]
    fn marks_the_words_as_written() {
        let q = parse("ict 区民").unwrap();
        let s = snippet("ＩＣＴを活用し、區民と対話する", &q, 40);
        let marked: Vec<&str> = s
            .pieces()
            .into_iter()
            .filter(|p| p.1)
            .map(|p| p.0)
            .collect();
        assert_eq!(marked, ["ＩＣＴ", "區民"]);
        assert_eq!(s.char_marks(), [[0, 3], [8, 10]]);
    }

    #[test]
    fn a_word_far_from_the_others_gets_its_own_window() {
        let text = format!("子育て相談を行う。{}窓口を広げる。", "あ".repeat(300));
        let s = snippet(&text, &parse("子育て 窓口").unwrap(), 60);
        let marked: Vec<&str> = s
            .pieces()
            .into_iter()
            .filter(|p| p.1)
            .map(|p| p.0)
            .collect();
        assert_eq!(marked, ["子育て", "窓口"]);
        assert!(s.text.contains(" … "));
    }

    #[test]
    fn the_window_goes_to_the_words() {
        let text = format!("{}防災訓練を行う。{}", "あ".repeat(300), "い".repeat(300));
        let s = snippet(&text, &parse("防災").unwrap(), 60);
        assert!(s.cut_before && s.cut_after);
        assert!(s.text.contains("防災訓練"));
        assert_eq!(s.text.chars().count(), 60);
        let none = snippet("短い文", &parse("防災").unwrap(), 60);
        assert_eq!(none.text, "短い文");
        assert!(none.marks.is_empty());
    }
}
