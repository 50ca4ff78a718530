//! Text normalisation shared by the readers.
//!
//! The readers work on a normalised copy of a sentence: markup removed, HTML entities
//! decoded, NFKC applied (full-width digits and brackets become ASCII) except for the
//! circled numbers ①..⑳ and the star marks ☆★ (NFKC would turn ① into "1"), and all
//! whitespace collapsed to single spaces. The verbatim sentence is always kept beside it.

use unicode_normalization::UnicodeNormalization;

/// Decodes the few HTML entities that survive PDF extraction.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Removes markup tags (`<p ...>`, `</p>`, `<input ...>`), replacing each by a space.
/// Only ASCII tags that start with a letter or '/' are removed, so a decoded "<平成25年度…>"
/// note survives.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let is_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
        match (is_tag, after.find('>')) {
            (true, Some(j)) if after[..j].is_ascii() => {
                out.push(' ');
                rest = &after[j + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn keep_as_is(c: char) -> bool {
    ('\u{2460}'..='\u{2473}').contains(&c) || c == '☆' || c == '★'
}

/// NFKC, except for circled numbers and star marks.
/// The form a Japanese reader writes and searches for, of a character NFKC leaves in
/// another form: the CJK Radicals Supplement (PDF fonts emit 「⻑」 for 長; NFKC keeps
/// it), and the traditional forms NFKC gives for Kangxi radicals (「⼾」 → 戶 → 戸) and a
/// few variants (髙 → 高). Applied after NFKC; a document's text is displayed as written.
pub fn japanese_form(c: char) -> char {
    match c {
        '戶' => '戸',
        '靑' | '⻘' => '青',
        '龜' | '⻲' | '⻳' | '龟' => '亀',
        '齊' | '⻫' => '斉',
        '齋' | '⻬' => '斎',
        '齒' | '⻭' => '歯',
        '黃' | '⻩' => '黄',
        '髙' => '高',
        '⻑' => '長',
        '⻄' | '⻃' => '西',
        '⻝' => '食',
        '⻨' => '麦',
        '⻯' => '竜',
        '⺠' => '民',
        '⻤' => '鬼',
        '⻣' => '骨',
        '⻁' => '虎',
        '⻆' => '角',
        '⻊' => '足',
        '⻗' => '雨',
        '⺮' => '竹',
        '⺯' => '糸',
        '⺩' => '王',
        '⺧' => '牛',
        '⺜' => '日',
        '⺝' | '⺼' => '月',
        '⺻' => '聿',
        '⺽' => '臼',
        '⺬' => '示',
        '⺒' => '巳',
        '⺓' => '幺',
        '⺪' => '疋',
        '⺎' => '兀',
        _ => c,
    }
}

/// NFKC, then [`japanese_form`] of every character.
pub fn nfkc_japanese(s: &str) -> impl Iterator<Item = char> + '_ {
    s.nfkc().map(japanese_form)
}

pub(crate) fn nfkc_keep_marks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut buf = String::new();
    for c in s.chars() {
        if keep_as_is(c) {
            out.extend(buf.nfkc().map(japanese_form));
            buf.clear();
            out.push(c);
        } else {
            buf.push(c);
        }
    }
    out.extend(buf.nfkc().map(japanese_form));
    out
}

/// Collapses every run of whitespace into one ASCII space and trims.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending = true;
        } else {
            if pending && !out.is_empty() {
                out.push(' ');
            }
            pending = false;
            out.push(c);
        }
    }
    out
}

/// Markup removed, entities decoded, whitespace collapsed; characters otherwise as written.
pub(crate) fn clean(s: &str) -> String {
    collapse_ws(&strip_tags(&decode_entities(s)))
}

/// The normalised form the readers parse.
pub(crate) fn normalize(s: &str) -> String {
    let t = nfkc_keep_marks(&clean(s));
    // NFKC leaves a few look-alikes; unify them.
    let t: String = t
        .chars()
        .map(|c| match c {
            '〜' | '～' => '~',
            '−' | '–' | '—' | '―' => '-',
            '･' => '・',
            _ => c,
        })
        .collect();
    collapse_ws(&t)
}

/// Punctuation and spacing trimmed from both ends of an extracted phrase.
pub(crate) fn trim_phrase(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '、' | ',' | '。' | ':' | ';' | '・' | '[' | ']' | '|' | '/' | '-' | '~' | '*'
            )
    })
}

/// True when `s` is empty or only punctuation, spaces and brackets.
pub(crate) fn is_blank(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '、' | ','
                    | '。'
                    | ':'
                    | ';'
                    | '・'
                    | '['
                    | ']'
                    | '('
                    | ')'
                    | '「'
                    | '」'
                    | '<'
                    | '>'
                    | '|'
                    | '/'
                    | '-'
                    | '~'
                    | '*'
                    | '※'
                    | '.'
            )
    })
}

/// Removes parentheses that are left unbalanced at the edges of a phrase and trims.
pub(crate) fn tidy_phrase(s: &str) -> String {
    let mut t = trim_phrase(s).to_string();
    loop {
        let before = t.clone();
        let opens = t.matches('(').count();
        let closes = t.matches(')').count();
        if t.ends_with('(') || (t.ends_with(')') && closes > opens) {
            t.pop();
        }
        if t.starts_with(')') || (t.starts_with('(') && opens > closes) {
            t.remove(0);
        }
        if t.starts_with('「') && !t.contains('」') {
            t.remove(0);
        }
        if t.ends_with('」') && !t.contains('「') {
            t.pop();
        }
        t = trim_phrase(&t).to_string();
        if t == before {
            return t;
        }
    }
}

/// Key used to compare indicator names: normalised, without spaces, punctuation,
/// quotes, "(再掲)" notes and the word 目標.
pub(crate) fn indicator_key(s: &str) -> String {
    let n = normalize(s);
    let n = n.replace("(再掲)", "").replace("目標", "");
    n.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '、' | ','
                        | '。'
                        | ':'
                        | '・'
                        | '「'
                        | '」'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '"'
                        | '\''
                )
        })
        .collect()
}

fn bigrams(s: &str) -> Vec<(char, char)> {
    let cs: Vec<char> = s.chars().collect();
    if cs.len() == 1 {
        return vec![(cs[0], cs[0])];
    }
    cs.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Similarity of two indicator names in 0..=1: the mean of the Dice coefficient and the
/// containment (overlap ÷ smaller size) of their character bigrams, plus a bonus when one
/// name ends with the other.
pub fn indicator_similarity(a: &str, b: &str) -> f64 {
    let (ka, kb) = (indicator_key(a), indicator_key(b));
    if ka.is_empty() || kb.is_empty() {
        return 0.0;
    }
    if ka == kb {
        return 1.0;
    }
    let ba = bigrams(&ka);
    let mut bb = bigrams(&kb);
    let (na, nb) = (ba.len(), bb.len());
    let mut common = 0usize;
    for g in &ba {
        if let Some(i) = bb.iter().position(|h| h == g) {
            bb.swap_remove(i);
            common += 1;
        }
    }
    let dice = 2.0 * common as f64 / (na + nb) as f64;
    let containment = common as f64 / na.min(nb) as f64;
    let suffix = if ka.ends_with(&kb) || kb.ends_with(&ka) {
        0.15
    } else {
        0.0
    };
    ((dice + containment) / 2.0 + suffix).min(0.99)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_full_width_and_keeps_circled_numbers() {
        assert_eq!(
            normalize("①-1　割合　７０％（２９年度）"),
            "①-1 割合 70%(29年度)"
        );
        assert_eq!(normalize("☆☆以上"), "☆☆以上");
        assert_eq!(normalize("&lt;平成25年度&gt; <p>x</p>"), "<平成25年度> x");
        assert_eq!(normalize("平成29年度～平成31年度"), "平成29年度~平成31年度");
    }

    #[test]
    fn tidy_removes_unbalanced_brackets() {
        assert_eq!(
            tidy_phrase("区民モニターアンケートの実施("),
            "区民モニターアンケートの実施"
        );
        assert_eq!(tidy_phrase("[回答率:"), "回答率");
        assert_eq!(tidy_phrase("件数(公表ベース)"), "件数(公表ベース)");
    }

    #[test]
    fn similarity_prefers_the_closer_name() {
        let t = "収納率(現年度賦課分)";
        assert!(
            indicator_similarity(t, "現年度分収納率") > indicator_similarity(t, "滞納繰越分収納率")
        );
        assert!(indicator_similarity("独自収入", "収入額") > 0.3);
        assert_eq!(indicator_similarity("", "x"), 0.0);
    }
}
