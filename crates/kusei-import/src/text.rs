//! Line preprocessing shared by all readers: HTML fragments → paragraphs, entities,
//! tab-separated cells, markdown prefixes, normalisation.

use unicode_normalization::UnicodeNormalization;

/// One line of the decoded text, split into cells (tabs) and paragraphs (HTML blocks).
#[derive(Debug, Clone)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub no: usize,
    /// The line as written.
    pub raw: &'a str,
    /// Cells (tab separated); empty cells are kept so columns line up.
    pub cells: Vec<Cell>,
}

/// A table cell: its paragraphs (display text, trimmed, empty ones dropped).
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub paras: Vec<String>,
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        self.paras.is_empty()
    }
    /// Paragraphs joined with "\n".
    pub fn text(&self) -> String {
        self.paras.join("\n")
    }
}

impl<'a> Line<'a> {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_empty)
    }
    /// Non-empty cells.
    pub fn filled(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(|c| !c.is_empty())
    }
    /// All paragraphs of all cells, joined with a space.
    pub fn joined(&self) -> String {
        let mut out = String::new();
        for c in self.filled() {
            for p in &c.paras {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(p);
            }
        }
        out
    }
    /// The single paragraph when the line holds exactly one (in one cell).
    pub fn single(&self) -> Option<&str> {
        let mut it = self.filled();
        let c = it.next()?;
        if it.next().is_some() || c.paras.len() != 1 {
            return None;
        }
        c.paras.first().map(String::as_str)
    }
}

/// Split decoded text into lines (\n, \r\n, \r) and preprocess them.
pub(crate) fn split_lines(text: &str) -> Vec<Line<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (i, raw) in split_raw_lines(text).into_iter().enumerate() {
        let no = i + 1;
        let cells = raw
            .split('\t')
            .map(|c| Cell {
                paras: strip_html(c),
            })
            .collect();
        out.push(Line { no, raw, cells });
    }
    out
}

/// Raw lines without terminators.
pub(crate) fn split_raw_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "li",
    "ul",
    "ol",
    "div",
    "tr",
    "td",
    "th",
    "table",
    "tbody",
    "thead",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
];
const INLINE_TAGS: &[&str] = &[
    "span", "b", "i", "u", "strong", "em", "font", "a", "sup", "sub", "small", "big", "s",
    "strike", "center", "code", "img", "label", "mark", "ins", "del", "abbr", "col", "colgroup",
    "caption", "nobr", "wbr", "tt", "o:p", "input", "select", "option", "textarea", "button",
    "form", "html", "body", "head", "meta", "style", "script", "title", "link",
];

/// Strip HTML from a cell: block tags become paragraph breaks, inline tags vanish,
/// checkboxes become ☐ / ☑, entities are decoded. Never keeps markup.
pub(crate) fn strip_html(cell: &str) -> Vec<String> {
    let mut paras = Vec::new();
    let mut cur = String::new();
    let mut rest = cell;
    // Content of <script>/<style> is dropped entirely.
    let mut skip_until: Option<&'static str> = None;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some((tag, len)) = parse_tag(rest) {
                rest = &rest[len..];
                if let Some(end) = skip_until {
                    if tag.closing && tag.name == end {
                        skip_until = None;
                    }
                    continue;
                }
                if !tag.closing && (tag.name == "script" || tag.name == "style") {
                    skip_until = Some(if tag.name == "script" {
                        "script"
                    } else {
                        "style"
                    });
                    continue;
                }
                if tag.name == "input" {
                    let attrs = tag.attrs.to_ascii_lowercase();
                    if attrs.contains("checkbox") || attrs.contains("radio") {
                        cur.push(' ');
                        cur.push(if attrs.contains("checked") {
                            '☑'
                        } else {
                            '☐'
                        });
                        cur.push(' ');
                    }
                } else if tag.name == "img" {
                    // keep nothing of the markup; an alt text is content
                    if let Some(alt) = attr_value(tag.attrs, "alt") {
                        cur.push_str(&decode_entities(alt));
                    }
                } else if BLOCK_TAGS.contains(&tag.name.as_str()) {
                    flush(&mut cur, &mut paras);
                }
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        if skip_until.is_some() {
            continue;
        }
        if c == '&' {
            if let Some((decoded, len)) = parse_entity(rest) {
                cur.push(decoded);
                rest = &rest[len..];
                continue;
            }
        }
        cur.push(c);
    }
    flush(&mut cur, &mut paras);
    paras
}

fn flush(cur: &mut String, paras: &mut Vec<String>) {
    let t = cur.trim();
    if !t.is_empty() {
        paras.push(collapse_inner_spaces(t));
    }
    cur.clear();
}

/// Collapse runs of ASCII spaces created by tag removal (keeps ideographic spaces).
fn collapse_inner_spaces(s: &str) -> String {
    if !s.contains("  ") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut prev_space = false;
    for c in s.chars() {
        if c == ' ' {
            if !prev_space {
                out.push(c);
            }
            prev_space = true;
        } else {
            out.push(c);
            prev_space = false;
        }
    }
    out
}

struct Tag<'a> {
    name: String,
    closing: bool,
    attrs: &'a str,
}

/// Parse `<tag ...>` at the start of `s`. Only known HTML element names count as tags,
/// so "<平成25年度実績>" or "a < b" stay text.
fn parse_tag(s: &str) -> Option<(Tag<'_>, usize)> {
    let body_start = 1;
    let end = s[body_start..].find(['>', '<'])? + body_start;
    if s.as_bytes().get(end) != Some(&b'>') || end > 2000 {
        return None;
    }
    let inner = &s[body_start..end];
    let (closing, inner2) = match inner.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    let name_len = inner2
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
        .unwrap_or(inner2.len());
    if name_len == 0 {
        return None;
    }
    let name = inner2[..name_len].to_ascii_lowercase();
    if !BLOCK_TAGS.contains(&name.as_str()) && !INLINE_TAGS.contains(&name.as_str()) {
        return None;
    }
    let attrs = inner2[name_len..].trim_end_matches('/');
    Some((
        Tag {
            name,
            closing,
            attrs,
        },
        end + 1,
    ))
}

fn attr_value<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let lower = attrs.to_ascii_lowercase();
    let pos = lower.find(&format!("{name}="))?;
    let rest = &attrs[pos + name.len() + 1..];
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let r = &rest[1..];
        let end = r.find(quote)?;
        Some(&r[..end])
    } else {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        Some(&rest[..end])
    }
}

/// Parse an entity after '&' (s starts after the '&'). Returns the char and bytes consumed.
fn parse_entity(s: &str) -> Option<(char, usize)> {
    let semi = s.char_indices().take(12).find(|(_, c)| *c == ';')?.0;
    let name = &s[..semi];
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ensp" | "emsp" | "thinsp" => ' ',
        "yen" => '¥',
        "times" => '×',
        "minus" => '−',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "middot" => '·',
        _ => {
            let num = name.strip_prefix('#')?;
            let v = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                num.parse::<u32>().ok()?
            };
            let c = char::from_u32(v)?;
            if c == '\0' {
                return None;
            }
            c
        }
    };
    Some((c, semi + 1))
}

/// Decode entities in a string (used for attribute values).
pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        if c == '&' {
            if let Some((d, len)) = parse_entity(rest) {
                out.push(d);
                rest = &rest[len..];
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// NFKC (radicals and old forms in their Japanese form: ⼾ → 戸, ⻑ → 長), whitespace
/// runs collapsed to one space, trimmed: the analysis form.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in kusei_kpi::nfkc_japanese(s) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// NFKC with all whitespace removed: the matching key for labels and titles.
pub(crate) fn key(s: &str) -> String {
    kusei_kpi::nfkc_japanese(s)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Fold one char: full-width ASCII → ASCII, ideographic space → space; others unchanged
/// (circled digits, roman numerals and marks are kept, unlike NFKC).
pub(crate) fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

/// `fold_char` over a string.
pub(crate) fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// If `s` starts with `label` (compared by key: NFKC, whitespace ignored), return the
/// label as written and the rest (trimmed at the start).
pub(crate) fn strip_key_prefix<'s>(s: &'s str, label: &str) -> Option<(&'s str, &'s str)> {
    // compare lazily (no allocation): most calls fail on the first character
    let mut want = label.nfkc().filter(|c| !c.is_whitespace()).peekable();
    want.peek()?;
    let trimmed = s.trim_start();
    let offset = s.len() - trimmed.len();
    for (i, c) in trimmed.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        let mut buf = [0u8; 4];
        let cs: &str = c.encode_utf8(&mut buf);
        for k in cs.nfkc() {
            if k.is_whitespace() {
                continue;
            }
            if want.next() != Some(k) {
                return None;
            }
        }
        if want.peek().is_none() {
            let end = i + c.len_utf8();
            return Some((&s[offset..offset + end], trimmed[end..].trim_start()));
        }
    }
    None
}

/// Strip markdown decoration at the start of a line: "- ", "* ", "#… ", "> ".
/// Returns (heading depth if a '#' heading, was a list item, rest).
pub(crate) fn strip_markdown(s: &str) -> (usize, bool, &str) {
    let mut rest = s.trim();
    let mut depth = 0;
    let mut list = false;
    loop {
        if let Some(r) = rest
            .strip_prefix("- ")
            .or_else(|| rest.strip_prefix("* "))
            .or_else(|| rest.strip_prefix("+ "))
        {
            list = true;
            rest = r.trim_start();
            continue;
        }
        if rest.starts_with('#') {
            let n = rest.chars().take_while(|c| *c == '#').count();
            let after = &rest[n..];
            if n <= 6
                && (after.starts_with(' ') || after.starts_with('\u{3000}') || after.is_empty())
            {
                depth = n;
                rest = after.trim_start();
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix("> ") {
            rest = r.trim_start();
            continue;
        }
        break;
    }
    (depth, list, rest)
}

/// True for lines made only of table rules / decoration ("----\t--\t--", "|---|---|").
pub(crate) fn is_rule_line(raw: &str) -> bool {
    let t = raw.trim();
    !t.is_empty()
        && t.contains(['-', '=', '_', '—', 'ー', '─'])
        && t.chars().all(|c| {
            matches!(
                c,
                '-' | '=' | '_' | '|' | ':' | '+' | '—' | '─' | '－' | ' ' | '\t'
            ) || (c == 'ー' && !t.chars().any(|x| x.is_alphanumeric() && x != 'ー'))
        })
}

/// Circled digits ①..⑳ → 1..20.
pub(crate) fn circled_value(c: char) -> Option<u32> {
    match c {
        '\u{2460}'..='\u{2473}' => Some(c as u32 - 0x2460 + 1),
        '\u{2776}'..='\u{277f}' => Some(c as u32 - 0x2776 + 1),
        '\u{24f5}'..='\u{24fe}' => Some(c as u32 - 0x24f5 + 1),
        _ => None,
    }
}

/// Roman numeral (ASCII "IV" or Unicode "Ⅳ") → value, for short numerals only.
pub(crate) fn roman_value(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 5 {
        return None;
    }
    let mut chars = s.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        match c {
            '\u{2160}'..='\u{216b}' => return Some(c as u32 - 0x2160 + 1),
            '\u{2170}'..='\u{217b}' => return Some(c as u32 - 0x2170 + 1),
            _ => {}
        }
    }
    let mut total = 0u32;
    let mut prev = 0u32;
    for c in s.chars().rev() {
        let v = match fold_char(c) {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    (total > 0).then_some(total)
}

/// Split a leading number off a title: "1 区の自律経営" → ("1", "区の自律経営"),
/// "II 区政改革" → ("II", …), "①区長への…" → ("①", …), "第1章 …" → ("第1章", …).
/// Returns (number as written, kind, rest).
pub(crate) fn split_leading_number(s: &str) -> Option<(&str, NumKind, &str)> {
    let s = s.trim_start();
    let first = s.chars().next()?;
    if circled_value(first).is_some() {
        let n = first.len_utf8();
        return Some((&s[..n], NumKind::Circled, s[n..].trim_start()));
    }
    if first == '第' {
        let rest = &s[first.len_utf8()..];
        let dl: usize = rest
            .chars()
            .take_while(|c| fold_char(*c).is_ascii_digit() || is_kanji_digit(*c))
            .map(char::len_utf8)
            .sum();
        if dl > 0 {
            let after = &rest[dl..];
            if let Some(unit) = after.chars().next() {
                if matches!(unit, '章' | '節' | '部' | '編' | '款') {
                    let end = first.len_utf8() + dl + unit.len_utf8();
                    return Some((&s[..end], NumKind::Chapter(unit), s[end..].trim_start()));
                }
            }
        }
        return None;
    }
    // Roman numerals: a run of I/V/X (ASCII/full-width/Unicode) followed by space or 、.
    let rl: usize = s
        .chars()
        .take_while(|c| {
            matches!(fold_char(*c), 'I' | 'V' | 'X') || ('\u{2160}'..='\u{216b}').contains(c)
        })
        .map(char::len_utf8)
        .sum();
    if rl > 0 {
        let after = &s[rl..];
        let sep = after.chars().next();
        if sep.is_none_or(|c| c.is_whitespace() || matches!(c, '.' | '．' | '、' | '　'))
            && roman_value(&s[..rl]).is_some()
        {
            let rest = after.trim_start_matches(['.', '．', '、']).trim_start();
            return Some((&s[..rl], NumKind::Roman, rest));
        }
        return None;
    }
    // Arabic: digits (ASCII or full-width), optionally dotted/hyphenated (4-1-1), then space.
    let dl: usize = s
        .chars()
        .take_while(|c| fold_char(*c).is_ascii_digit() || matches!(fold_char(*c), '-' | '.'))
        .map(char::len_utf8)
        .sum();
    if dl > 0 && fold_char(first).is_ascii_digit() {
        let num = s[..dl].trim_end_matches(['-', '.', '．']);
        let after = &s[dl..];
        let sep = after.chars().next();
        if sep.is_none_or(|c| c.is_whitespace() || matches!(c, '、' | '.' | '．' | ')' | '）')) {
            let rest = after
                .trim_start_matches(['、', '.', '．', ')', '）'])
                .trim_start();
            return Some((num, NumKind::Arabic, rest));
        }
    }
    None
}

/// How a number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumKind {
    Arabic,
    Roman,
    Circled,
    Chapter(char),
}

fn is_kanji_digit(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '〇'
    )
}

/// Sentence-final: the text ends a sentence (used when joining broken cells).
pub(crate) fn ends_sentence(s: &str) -> bool {
    s.trim_end().chars().last().is_some_and(|c| {
        matches!(
            c,
            '。' | '．' | '.' | '）' | ')' | '」' | '』' | '!' | '！' | '?' | '？'
        )
    })
}

/// Join a continuation to a text broken by a page/line break: directly when the
/// break is mid-sentence, with "\n" otherwise.
pub(crate) fn join_continuation(prev: &mut String, next: &str) {
    if next.is_empty() {
        return;
    }
    if prev.is_empty() {
        prev.push_str(next);
    } else if ends_sentence(prev) {
        prev.push('\n');
        prev.push_str(next);
    } else {
        prev.push_str(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_paragraphs_and_entities() {
        let p = strip_html("<p>(目標) a &lt;b&gt; &amp; c</p> <p style=\"x\">d</p>");
        assert_eq!(p, vec!["(目標) a <b> & c".to_string(), "d".to_string()]);
        let p = strip_html("<input type=\"checkbox\"/> 実施 <input type=\"checkbox\" checked/> 否");
        assert_eq!(p, vec!["☐ 実施 ☑ 否".to_string()]);
        // not a tag: stays text
        assert_eq!(
            strip_html("a <平成25年度> b"),
            vec!["a <平成25年度> b".to_string()]
        );
        assert_eq!(
            strip_html("<script>alert(1)</script>ok"),
            vec!["ok".to_string()]
        );
        assert_eq!(strip_html("&#x3042;&#12354;"), vec!["ああ".to_string()]);
    }

    #[test]
    fn numbers() {
        assert_eq!(
            split_leading_number("1 区の自律経営").map(|x| x.0),
            Some("1")
        );
        assert_eq!(
            split_leading_number("II 区政改革").map(|x| x.2),
            Some("区政改革")
        );
        assert_eq!(
            split_leading_number("Ⅲ 区役所").map(|x| x.1),
            Some(NumKind::Roman)
        );
        assert_eq!(split_leading_number("①区長").map(|x| x.2), Some("区長"));
        assert_eq!(
            split_leading_number("第2章 区役所").map(|x| x.0),
            Some("第2章")
        );
        assert_eq!(
            split_leading_number("4-1-1 職員").map(|x| x.0),
            Some("4-1-1")
        );
        assert!(split_leading_number("区役所").is_none());
        assert!(split_leading_number("Ideas").is_none());
        assert_eq!(roman_value("IV"), Some(4));
        assert_eq!(roman_value("Ⅳ"), Some(4));
    }

    #[test]
    fn key_prefix() {
        let (l, r) = strip_key_prefix(
            "当年度の取組実績及び目標の達成状況 ・平成29年度",
            "当年度の取組実績及び目標の達成状況",
        )
        .unwrap();
        assert_eq!(l, "当年度の取組実績及び目標の達成状況");
        assert_eq!(r, "・平成29年度");
        assert!(strip_key_prefix("課題", "課題と改善策").is_none());
        assert_eq!(strip_key_prefix("課 題", "課題").map(|x| x.1), Some(""));
    }

    #[test]
    fn rules() {
        assert!(is_rule_line("----\t--\t--"));
        assert!(is_rule_line("|-------------|-------------|"));
        assert!(!is_rule_line("- ・項目"));
        assert!(!is_rule_line(""));
    }
}
