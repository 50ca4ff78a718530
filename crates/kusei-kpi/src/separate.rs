//! Separating a sentence that states several targets of its own (「現年度分目標収納率 88.80%
//! 滞納繰越分目標収納率 25.07%」, 「独自収入 15,500千円以上 参加者数 120人から20人増」) into
//! one verbatim piece per target, so that each is stored with its own indicator, value,
//! unit and year. Pure: the reader decides where the targets are; this only finds the
//! same places in the text as written, and keeps the sentence whole when any piece would
//! read differently alone.

use crate::read::read_targets;
use crate::text::normalize;
use crate::types::{Target, TargetKind};
use kusei_domain::calendar::FiscalYear;

/// Longest sentence looked at (bytes); a longer one is kept whole.
const MAX_LEN: usize = 4_000;
/// Most places tried for one cut.
const MAX_CANDIDATES: usize = 200;

/// One target's part of a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetPiece<'a> {
    /// The piece as written (a slice of the sentence without the spaces, bullets and
    /// commas that separated it from the others).
    pub text: &'a str,
    /// The indicator the piece belongs to when the piece does not name it (an earlier part
    /// of the sentence did: 「受検率 29年度 80% 30年度 90%」 → 「30年度 90%」 of 受検率).
    pub indicator: Option<String>,
}

/// A target with a figure of its own: a value, a relative figure, conditions or a
/// target set later. Free text and milestones go with the figure they are written beside.
fn has_figure(t: &Target) -> bool {
    matches!(
        t.kind,
        TargetKind::Absolute | TargetKind::Relative | TargetKind::Compound | TargetKind::Pending
    )
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '・' | '･' | '。' | '、')
}

/// A piece without the separators around it; a sentence's closing 。 stays.
fn trim(s: &str) -> &str {
    s.trim_start_matches(is_separator)
        .trim_end_matches(|c: char| c != '。' && is_separator(c))
}

/// The figure of a target, for comparing a piece read alone with the whole sentence.
fn same_figure(a: &Target, b: &Target) -> bool {
    a.kind == b.kind
        && a.value == b.value
        && a.unit == b.unit
        && a.comparator == b.comparator
        && a.fiscal_year.as_ref().map(|f| (f.start, f.end))
            == b.fiscal_year.as_ref().map(|f| (f.start, f.end))
        && a.relative.is_some() == b.relative.is_some()
        && a.pending.is_some() == b.pending.is_some()
}

/// The pieces of `sentence`, one per target with a figure, in order; the whole sentence
/// as one piece when it states one target, or when the pieces cannot be told apart
/// exactly (every piece, read alone with its indicator, must give the same target as in
/// the whole sentence, and nothing else with a figure).
pub fn separate_targets(sentence: &str, context: Option<FiscalYear>) -> Vec<TargetPiece<'_>> {
    let whole = vec![TargetPiece {
        text: sentence,
        indicator: None,
    }];
    if sentence.len() > MAX_LEN {
        return whole;
    }
    let read: Vec<Target> = read_targets(sentence, context)
        .into_iter()
        .filter(has_figure)
        .collect();
    if read.len() < 2 {
        return whole;
    }
    // Where each target after the first starts in the text as written: the first place
    // after a separator from which the text reads (normalised) as the target's clause.
    let candidates: Vec<usize> = sentence
        .char_indices()
        .zip(sentence.chars().skip(1))
        .filter(|((_, c), next)| is_separator(*c) && !is_separator(*next))
        .map(|((i, c), _)| i + c.len_utf8())
        .collect();
    let mut cuts = vec![0usize];
    for t in &read[1..] {
        let needle = normalize(trim(&t.segment));
        if needle.is_empty() {
            return whole;
        }
        let last = cuts.last().copied().unwrap_or(0);
        let found = candidates
            .iter()
            .copied()
            .filter(|&p| p > last)
            .take(MAX_CANDIDATES)
            .find(|&p| normalize(sentence.get(p..).unwrap_or_default()).starts_with(&needle));
        match found {
            Some(p) => cuts.push(p),
            None => return whole,
        }
    }
    cuts.push(sentence.len());
    let mut pieces = Vec::with_capacity(read.len());
    for (k, w) in cuts.windows(2).enumerate() {
        let text = trim(sentence.get(w[0]..w[1]).unwrap_or_default());
        let Some(t) = read.get(k) else {
            return whole;
        };
        let normalized = normalize(text);
        let indicator = t
            .indicator
            .clone()
            .filter(|i| !normalized.contains(i.as_str()));
        let alone = match &indicator {
            Some(i) => format!("{i} {text}"),
            None => text.to_string(),
        };
        let again: Vec<Target> = read_targets(&alone, context)
            .into_iter()
            .filter(has_figure)
            .collect();
        if again.len() != 1 || !same_figure(&again[0], t) {
            return whole;
        }
        pieces.push(TargetPiece { text, indicator });
    }
    pieces
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fy(y: i32) -> Option<FiscalYear> {
        FiscalYear::new(y).ok()
    }

    fn texts(s: &str) -> Vec<&str> {
        separate_targets(s, fy(2017))
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn two_rates_with_their_own_names_are_two_pieces() {
        assert_eq!(
            texts("現年度分目標収納率 88.80% 滞納繰越分目標収納率 25.07%"),
            ["現年度分目標収納率 88.80%", "滞納繰越分目標収納率 25.07%"]
        );
    }

    #[test]
    fn a_money_target_then_a_count_with_its_own_baseline_and_increase() {
        let s = "独自収入 15,500千円以上 講座の参加者数 28年度(120人)から10%増";
        let p = separate_targets(s, fy(2017));
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].text, "独自収入 15,500千円以上");
        assert_eq!(p[1].text, "講座の参加者数 28年度(120人)から10%増");
        assert_eq!(p[1].indicator, None);
        assert_eq!(
            texts("独自収入 15,500千円以上 満足と答えた区民の割合 28年度実績値に比べて5ポイント増"),
            [
                "独自収入 15,500千円以上",
                "満足と答えた区民の割合 28年度実績値に比べて5ポイント増"
            ]
        );
    }

    #[test]
    fn bulleted_targets_in_one_paragraph() {
        let s = "・会議への出席率80%以上 ・出演者と地域とのマッチング回数:35回";
        assert_eq!(
            texts(s),
            [
                "会議への出席率80%以上",
                "出演者と地域とのマッチング回数:35回"
            ]
        );
    }

    #[test]
    fn one_target_with_its_baseline_stays_whole() {
        for s in [
            "27年度(実績)97.53% 29年度(目標)97.60%",
            "受検率100% かつ 理解度全員95点以上",
            "区政会議の参加者が区政会議での内容が区政に反映されていると感じている割合 50%以上",
            "独自収入 15,500千円",
        ] {
            assert_eq!(texts(s), [s], "{s}");
        }
    }

    #[test]
    fn the_pieces_are_the_sentence_as_written() {
        let s = "現年度分目標収納率　８８．８０％　滞納繰越分目標収納率　２５．０７％";
        let p = texts(s);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().all(|x| s.contains(x)));
        assert_eq!(p[1], "滞納繰越分目標収納率　２５．０７％");
    }

    #[test]
    fn a_later_year_of_the_same_indicator_carries_its_name() {
        let p = separate_targets("eラーニングの受検率 29年度 80% 30年度 90%", fy(2017));
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[1].text, "30年度 90%");
        assert_eq!(p[1].indicator.as_deref(), Some("eラーニングの受検率"));
    }
}
