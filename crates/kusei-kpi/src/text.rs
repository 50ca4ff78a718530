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
/// The CJK Radicals Supplement (U+2E81–U+2EF3) and the ideograph each stands for, from
/// Unicode's EquivalentUnifiedIdeograph.txt (U+2E80 has none). Sorted by radical.
const RADICAL_SUPPLEMENT: [(char, char); 114] = [
    ('\u{2e81}', '\u{5382}'),
    ('\u{2e82}', '\u{4e5b}'),
    ('\u{2e83}', '\u{4e5a}'),
    ('\u{2e84}', '\u{4e59}'),
    ('\u{2e85}', '\u{4ebb}'),
    ('\u{2e86}', '\u{5182}'),
    ('\u{2e87}', '\u{20628}'),
    ('\u{2e88}', '\u{5200}'),
    ('\u{2e89}', '\u{5202}'),
    ('\u{2e8a}', '\u{535c}'),
    ('\u{2e8b}', '\u{353e}'),
    ('\u{2e8c}', '\u{5c0f}'),
    ('\u{2e8d}', '\u{5c0f}'),
    ('\u{2e8e}', '\u{5140}'),
    ('\u{2e8f}', '\u{5c23}'),
    ('\u{2e90}', '\u{5c22}'),
    ('\u{2e91}', '\u{21bc2}'),
    ('\u{2e92}', '\u{5df3}'),
    ('\u{2e93}', '\u{5e7a}'),
    ('\u{2e94}', '\u{5f51}'),
    ('\u{2e95}', '\u{2b739}'),
    ('\u{2e96}', '\u{5fc4}'),
    ('\u{2e97}', '\u{5fc3}'),
    ('\u{2e98}', '\u{624c}'),
    ('\u{2e99}', '\u{6535}'),
    ('\u{2e9b}', '\u{65e1}'),
    ('\u{2e9c}', '\u{65e5}'),
    ('\u{2e9d}', '\u{6708}'),
    ('\u{2e9e}', '\u{6b7a}'),
    ('\u{2e9f}', '\u{6bcd}'),
    ('\u{2ea0}', '\u{6c11}'),
    ('\u{2ea1}', '\u{6c35}'),
    ('\u{2ea2}', '\u{6c3a}'),
    ('\u{2ea3}', '\u{706c}'),
    ('\u{2ea4}', '\u{722b}'),
    ('\u{2ea5}', '\u{722b}'),
    ('\u{2ea6}', '\u{4e2c}'),
    ('\u{2ea7}', '\u{725b}'),
    ('\u{2ea8}', '\u{72ad}'),
    ('\u{2ea9}', '\u{738b}'),
    ('\u{2eaa}', '\u{24d14}'),
    ('\u{2eab}', '\u{76ee}'),
    ('\u{2eac}', '\u{793a}'),
    ('\u{2ead}', '\u{793b}'),
    ('\u{2eae}', '\u{25ad7}'),
    ('\u{2eaf}', '\u{7cf9}'),
    ('\u{2eb0}', '\u{7e9f}'),
    ('\u{2eb1}', '\u{7f53}'),
    ('\u{2eb2}', '\u{7f52}'),
    ('\u{2eb3}', '\u{34c1}'),
    ('\u{2eb4}', '\u{5197}'),
    ('\u{2eb5}', '\u{2626b}'),
    ('\u{2eb6}', '\u{7f8a}'),
    ('\u{2eb7}', '\u{2634c}'),
    ('\u{2eb8}', '\u{2634b}'),
    ('\u{2eb9}', '\u{8002}'),
    ('\u{2eba}', '\u{8080}'),
    ('\u{2ebb}', '\u{807f}'),
    ('\u{2ebc}', '\u{8089}'),
    ('\u{2ebd}', '\u{26951}'),
    ('\u{2ebe}', '\u{8279}'),
    ('\u{2ebf}', '\u{8279}'),
    ('\u{2ec0}', '\u{8279}'),
    ('\u{2ec1}', '\u{864e}'),
    ('\u{2ec2}', '\u{8864}'),
    ('\u{2ec3}', '\u{8980}'),
    ('\u{2ec4}', '\u{897f}'),
    ('\u{2ec5}', '\u{89c1}'),
    ('\u{2ec6}', '\u{89d2}'),
    ('\u{2ec7}', '\u{278b2}'),
    ('\u{2ec8}', '\u{8ba0}'),
    ('\u{2ec9}', '\u{8d1d}'),
    ('\u{2eca}', '\u{27fb7}'),
    ('\u{2ecb}', '\u{8f66}'),
    ('\u{2ecc}', '\u{8fb6}'),
    ('\u{2ecd}', '\u{8fb6}'),
    ('\u{2ece}', '\u{8fb6}'),
    ('\u{2ecf}', '\u{9091}'),
    ('\u{2ed0}', '\u{9485}'),
    ('\u{2ed1}', '\u{9577}'),
    ('\u{2ed2}', '\u{9578}'),
    ('\u{2ed3}', '\u{957f}'),
    ('\u{2ed4}', '\u{95e8}'),
    ('\u{2ed5}', '\u{28e0f}'),
    ('\u{2ed6}', '\u{961d}'),
    ('\u{2ed7}', '\u{96e8}'),
    ('\u{2ed8}', '\u{9752}'),
    ('\u{2ed9}', '\u{97e6}'),
    ('\u{2eda}', '\u{9875}'),
    ('\u{2edb}', '\u{98ce}'),
    ('\u{2edc}', '\u{98de}'),
    ('\u{2edd}', '\u{98df}'),
    ('\u{2ede}', '\u{2967f}'),
    ('\u{2edf}', '\u{98e0}'),
    ('\u{2ee0}', '\u{9963}'),
    ('\u{2ee1}', '\u{29810}'),
    ('\u{2ee2}', '\u{9a6c}'),
    ('\u{2ee3}', '\u{9aa8}'),
    ('\u{2ee4}', '\u{9b3c}'),
    ('\u{2ee5}', '\u{9c7c}'),
    ('\u{2ee6}', '\u{9e1f}'),
    ('\u{2ee7}', '\u{5364}'),
    ('\u{2ee8}', '\u{9ea6}'),
    ('\u{2ee9}', '\u{9ec4}'),
    ('\u{2eea}', '\u{9efe}'),
    ('\u{2eeb}', '\u{6589}'),
    ('\u{2eec}', '\u{9f50}'),
    ('\u{2eed}', '\u{6b6f}'),
    ('\u{2eee}', '\u{9f7f}'),
    ('\u{2eef}', '\u{7adc}'),
    ('\u{2ef0}', '\u{9f99}'),
    ('\u{2ef1}', '\u{9f9c}'),
    ('\u{2ef2}', '\u{4e80}'),
    ('\u{2ef3}', '\u{9f9f}'),
];

/// The form a Japanese reader writes and searches for, of a character NFKC leaves in
/// another form: a CJK Radicals Supplement character (PDF fonts emit 「⻑」 for 長; NFKC
/// keeps it) becomes its ideograph, and the traditional forms NFKC gives for Kangxi
/// radicals (「⼾」 → 戶) and a few variants become the forms Japanese uses (戸, 高).
/// Applied after NFKC; a document's text is displayed as written.
pub fn japanese_form(c: char) -> char {
    let c = match RADICAL_SUPPLEMENT.binary_search_by_key(&c, |p| p.0) {
        Ok(i) => RADICAL_SUPPLEMENT[i].1,
        Err(_) => c,
    };
    match c {
        '戶' => '戸',
        '靑' => '青',
        '龜' | '龟' => '亀',
        '齊' => '斉',
        '齋' => '斎',
        '齒' => '歯',
        '黃' => '黄',
        '髙' => '高',
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
    #[test]
    fn every_supplement_radical_reads_as_its_ideograph() {
        assert!(
            RADICAL_SUPPLEMENT.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted"
        );
        assert_eq!(
            RADICAL_SUPPLEMENT.len(),
            0x2ef3 - 0x2e81 + 1 - 1,
            "U+2E81..U+2EF3 but U+2E9A (unassigned)"
        );
        for (radical, ideograph) in [
            ('⻑', '長'),
            ('⺅', '亻'),
            ('⻓', '长'),
            ('⻱', '亀'),
            ('⻫', '斉'),
        ] {
            assert_eq!(japanese_form(radical), ideograph, "{radical}");
        }
        assert_eq!(japanese_form('⺀'), '⺀', "U+2E80 has no equivalent");
    }

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
