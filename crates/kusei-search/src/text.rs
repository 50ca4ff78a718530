//! Folding and bigrams: the one definition of "the same text" for the index, the query
//! and the snippet, so what is found is what is highlighted.
//!
//! - **Fold**: NFKC (full-width Ａ１ → A1, half-width ｶﾞ → ガ, Kangxi radicals ⼾ → 戶),
//!   then the Japanese forms of `kusei_kpi::japanese_form` (radicals supplement, 戶 → 戸,
//!   髙 → 高), then the old forms (旧字体) below, then lower case.
//! - **Runs**: letters, digits and kana/kanji form runs; anything else (spaces, 、。・「」,
//!   brackets) separates them and leaves a gap of one position, so a phrase never matches
//!   across a separator it does not have, and a bigram never spans one.
//! - **Tokens**: every pair of neighbouring characters of a run (区政, 政会, 会議) at its
//!   position, and the last character of each run alone (議), so one-character queries can
//!   find a run's end and a two-character run is one token.

use unicode_normalization::UnicodeNormalization;

/// Old forms (旧字体) and common variants → the forms used today (常用漢字), as written in
/// names of places and people in plans. Sorted by the old form (a test checks).
const OLD_FORMS: &[(char, char)] = &[
    ('亞', '亜'),
    ('佛', '仏'),
    ('來', '来'),
    ('假', '仮'),
    ('傳', '伝'),
    ('價', '価'),
    ('兒', '児'),
    ('內', '内'),
    ('兩', '両'),
    ('區', '区'),
    ('國', '国'),
    ('圍', '囲'),
    ('圓', '円'),
    ('圖', '図'),
    ('團', '団'),
    ('壓', '圧'),
    ('壞', '壊'),
    ('壯', '壮'),
    ('壽', '寿'),
    ('學', '学'),
    ('實', '実'),
    ('寫', '写'),
    ('將', '将'),
    ('專', '専'),
    ('對', '対'),
    ('屆', '届'),
    ('峯', '峰'),
    ('嶋', '島'),
    ('廣', '広'),
    ('廳', '庁'),
    ('彈', '弾'),
    ('從', '従'),
    ('德', '徳'),
    ('惠', '恵'),
    ('戰', '戦'),
    ('戶', '戸'),
    ('擔', '担'),
    ('擧', '挙'),
    ('數', '数'),
    ('晝', '昼'),
    ('會', '会'),
    ('條', '条'),
    ('榮', '栄'),
    ('樂', '楽'),
    ('櫻', '桜'),
    ('權', '権'),
    ('歲', '歳'),
    ('歷', '歴'),
    ('氣', '気'),
    ('淸', '清'),
    ('淺', '浅'),
    ('溪', '渓'),
    ('澤', '沢'),
    ('濱', '浜'),
    ('瀨', '瀬'),
    ('燈', '灯'),
    ('爲', '為'),
    ('獨', '独'),
    ('當', '当'),
    ('發', '発'),
    ('盡', '尽'),
    ('眞', '真'),
    ('硏', '研'),
    ('禮', '礼'),
    ('綠', '緑'),
    ('縣', '県'),
    ('總', '総'),
    ('繪', '絵'),
    ('續', '続'),
    ('聯', '連'),
    ('與', '与'),
    ('舊', '旧'),
    ('藝', '芸'),
    ('處', '処'),
    ('號', '号'),
    ('衞', '衛'),
    ('觀', '観'),
    ('證', '証'),
    ('變', '変'),
    ('豐', '豊'),
    ('轉', '転'),
    ('辯', '弁'),
    ('邉', '辺'),
    ('邊', '辺'),
    ('醫', '医'),
    ('釋', '釈'),
    ('鐵', '鉄'),
    ('關', '関'),
    ('險', '険'),
    ('隱', '隠'),
    ('靜', '静'),
    ('顯', '顕'),
    ('驛', '駅'),
    ('髙', '高'),
    ('黑', '黒'),
    ('齋', '斎'),
    ('﨑', '崎'),
];

fn old_form(c: char) -> char {
    if c < '\u{4E00}' {
        return c;
    }
    match OLD_FORMS.binary_search_by_key(&c, |p| p.0) {
        Ok(i) => OLD_FORMS[i].1,
        Err(_) => c,
    }
}

/// A mark that belongs to the character before it (voiced marks, combining accents):
/// folded together with it, so half-width ｶﾞ becomes one ガ.
fn joins_previous(c: char) -> bool {
    matches!(
        c,
        '\u{3099}' | '\u{309A}' | '\u{FF9E}' | '\u{FF9F}' | '\u{0300}'..='\u{036F}'
    )
}

fn fold_chunk(chunk: &str, out: &mut impl FnMut(char)) {
    for c in chunk.nfkc() {
        let c = old_form(kusei_kpi::japanese_form(c));
        for l in c.to_lowercase() {
            out(l);
        }
    }
}

/// Calls `f(original_byte_range, folded_char)` for every folded character, in order.
fn fold_each(s: &str, mut f: impl FnMut(std::ops::Range<usize>, char)) {
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if !joins_previous(d) {
                break;
            }
            end = j + d.len_utf8();
            chars.next();
        }
        start = start.max(i);
        let chunk = &s[start..end];
        fold_chunk(chunk, &mut |folded| f(start..end, folded));
        start = end;
    }
}

/// The folded form of a text (what the index and the query compare).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_each(s, |_, c| out.push(c));
    out
}

/// The folded characters, each with the byte range of the original text it came from.
pub fn fold_with_map(s: &str) -> Vec<(char, std::ops::Range<usize>)> {
    let mut out = Vec::with_capacity(s.len() / 2);
    fold_each(s, |r, c| out.push((c, r)));
    out
}

/// Whether a folded character belongs to a run (letters, digits, kana, kanji, ー).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, 'ー' | '々' | '〆' | 'ヶ')
}

/// One token: its text, its position, and the original text's byte range it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub position: usize,
    pub from: usize,
    pub to: usize,
}

/// The tokens of a text (see the module's description).
pub fn tokens(s: &str) -> Vec<Token> {
    let folded = fold_with_map(s);
    let mut out = Vec::with_capacity(folded.len() + 1);
    let mut position = 0usize;
    let mut i = 0;
    while i < folded.len() {
        if !is_word_char(folded[i].0) {
            i += 1;
            continue;
        }
        let start = i;
        while i < folded.len() && is_word_char(folded[i].0) {
            i += 1;
        }
        let run = &folded[start..i];
        for pair in run.windows(2) {
            out.push(Token {
                text: [pair[0].0, pair[1].0].iter().collect(),
                position,
                from: pair[0].1.start,
                to: pair[1].1.end,
            });
            position += 1;
        }
        if let Some(last) = run.last() {
            out.push(Token {
                text: last.0.to_string(),
                position,
                from: last.1.start,
                to: last.1.end,
            });
        }
        // The gap: a separator is one position wide, however long it is.
        position += 2;
    }
    out
}

/// The runs of a folded text (what a query word is made of).
pub fn runs(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !is_word_char(c))
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_forms_are_sorted_for_the_binary_search() {
        assert!(OLD_FORMS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(OLD_FORMS.iter().all(|(a, b)| a != b));
    }

    #[test]
    fn widths_radicals_and_old_forms_fold_to_one_form() {
        assert_eq!(fold("ＩＣＴ"), "ict");
        assert_eq!(fold("ｶﾞｲﾄﾞ"), "ガイド");
        assert_eq!(fold("戶籍"), "戸籍");
        assert_eq!(fold("⼾籍"), "戸籍", "the Kangxi radical ⼾");
        assert_eq!(fold("髙齢者"), "高齢者");
        assert_eq!(fold("區民"), "区民");
        assert_eq!(fold("１２３"), "123");
        assert_eq!(fold("防災"), "防災");
    }

    #[test]
    fn the_map_points_at_the_original_characters() {
        let s = "ｶﾞ防";
        let m = fold_with_map(s);
        assert_eq!(m.iter().map(|x| x.0).collect::<String>(), "ガ防");
        assert_eq!(&s[m[0].1.clone()], "ｶﾞ");
        assert_eq!(&s[m[1].1.clone()], "防");
    }

    #[test]
    fn bigrams_keep_positions_and_never_span_a_separator() {
        let t = tokens("区政会議、防災");
        let texts: Vec<(&str, usize)> = t.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(
            texts,
            [
                ("区政", 0),
                ("政会", 1),
                ("会議", 2),
                ("議", 3),
                ("防災", 5),
                ("災", 6)
            ]
        );
        assert!(!t.iter().any(|t| t.text == "議防"));
    }

    #[test]
    fn token_ranges_are_the_original_text() {
        let s = "区民ＩＣＴ";
        for t in tokens(s) {
            assert_eq!(fold(&s[t.from..t.to]), t.text);
        }
    }
}
