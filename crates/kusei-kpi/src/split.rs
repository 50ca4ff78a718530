//! Splitting a (目標) block into its numbered target sentences.

use crate::text::clean;
use crate::types::TargetSentence;

fn is_circled(c: char) -> bool {
    ('\u{2460}'..='\u{2473}').contains(&c)
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '－' | '‐' | '−')
}

/// Where a label starts in `s` (cleaned, not NFKC), with the label's end.
fn labels(s: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let prev = if k == 0 { None } else { Some(chars[k - 1].1) };
        let at_start = prev.is_none_or(|p| p.is_whitespace() || matches!(p, '。' | ')' | '）'));
        if !at_start {
            continue;
        }
        if is_circled(c) {
            // ①, ①-1
            let mut end = k + 1;
            if chars.get(end).is_some_and(|x| is_dash(x.1))
                && chars
                    .get(end + 1)
                    .is_some_and(|x| x.1.is_ascii_digit() || ('０'..='９').contains(&x.1))
            {
                end += 2;
                while chars
                    .get(end)
                    .is_some_and(|x| x.1.is_ascii_digit() || ('０'..='９').contains(&x.1))
                {
                    end += 1;
                }
            }
            let e = chars.get(end).map_or(s.len(), |x| x.0);
            out.push((i, e));
        } else if is_dash(c) {
            // "-1 " where the circled number was lost in extraction.
            let mut end = k + 1;
            while chars
                .get(end)
                .is_some_and(|x| x.1.is_ascii_digit() || ('０'..='９').contains(&x.1))
            {
                end += 1;
            }
            if end > k + 1 && end <= k + 3 && chars.get(end).is_some_and(|x| x.1.is_whitespace()) {
                let e = chars.get(end).map_or(s.len(), |x| x.0);
                out.push((i, e));
            }
        }
    }
    out
}

/// Split points after a pending note followed by an unlabelled next target
/// ("…29年度の結果を踏まえて設定 地域活動協議会からの推薦を…").
fn after_pending_notes(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, _) in s.match_indices("を踏まえて設定") {
        let mut end = i + "を踏まえて設定".len();
        for tail in ["する", "。"] {
            if s.get(end..).is_some_and(|r| r.starts_with(tail)) {
                end += tail.len();
            }
        }
        let rest = s.get(end..).unwrap_or_default();
        let trimmed = rest.trim_start();
        if trimmed.len() < rest.len()
            && trimmed
                .chars()
                .next()
                .is_some_and(|c| !matches!(c, '【' | '(' | '（' | '※' | ')' | '）'))
        {
            out.push(end);
        }
    }
    out
}

fn strip_header(s: &str) -> &str {
    let t = s.trim();
    for h in ["(目標)", "（目標）", "(目 標)", "【目標】"] {
        if let Some(r) = t.strip_prefix(h) {
            return r.trim();
        }
    }
    t
}

/// The paragraphs of a block: split at `<p…>`, `</p>`, `<br…>` (any case) and line
/// breaks. Linear: each marker's next place is searched again only once passed.
fn paragraphs(block: &str) -> Vec<&str> {
    const MARKERS: [&str; 4] = ["<p", "</p", "<br", "\n"];
    let lower = block.to_ascii_lowercase();
    let find_from = |m: &str, pos: usize| {
        lower
            .get(pos..)
            .and_then(|rest| rest.find(m))
            .map(|i| i + pos)
    };
    let mut next: [Option<usize>; 4] = MARKERS.map(|m| find_from(m, 0));
    let mut out = Vec::new();
    let mut pos = 0usize;
    loop {
        for (k, m) in MARKERS.iter().enumerate() {
            if next[k].is_some_and(|i| i < pos) {
                next[k] = find_from(m, pos);
            }
        }
        let Some((at, k)) = next
            .iter()
            .enumerate()
            .filter_map(|(k, i)| i.map(|i| (i, k)))
            .min()
        else {
            out.push(block.get(pos..).unwrap_or_default());
            return out;
        };
        out.push(block.get(pos..at).unwrap_or_default());
        let skip = if MARKERS[k] == "\n" {
            1
        } else {
            block
                .get(at..)
                .and_then(|after| after.find('>'))
                .map_or(block.len() - at, |j| j + 1)
        };
        pos = at + skip;
    }
}

/// Splits a (目標) block into individual target sentences, keeping their labels
/// (①-1, ②, -1 where the circle was lost). Paragraphs (`<p>`, `<br>`, line breaks) also
/// separate sentences, and so does a pending note ("…を踏まえて設定") followed by more
/// text. The "(目標)" header is dropped. Sentences keep their characters as written
/// (markup removed, entities decoded, whitespace collapsed).
pub fn split_targets(block: &str) -> Vec<TargetSentence> {
    let paragraphs = paragraphs(block);
    let mut out = Vec::new();
    for p in paragraphs {
        let c = clean(p);
        let c = strip_header(&c).to_string();
        if c.is_empty() {
            continue;
        }
        let mut cuts: Vec<usize> = labels(&c).into_iter().map(|x| x.0).collect();
        cuts.extend(after_pending_notes(&c));
        cuts.push(0);
        cuts.push(c.len());
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let piece = c.get(w[0]..w[1]).unwrap_or_default().trim();
            let piece = strip_header(piece);
            if piece.is_empty() {
                continue;
            }
            let label = labels(piece)
                .first()
                .filter(|x| x.0 == 0)
                .and_then(|x| piece.get(x.0..x.1))
                .map(|l| l.replace(['－', '‐', '−'], "-"));
            out.push(TargetSentence {
                label,
                text: piece.to_string(),
            });
        }
    }
    out
}
