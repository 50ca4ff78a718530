//! Form bodies as ordered (name, value) pairs, and field errors shown at their field.

use std::collections::BTreeMap;

/// A submitted form (`application/x-www-form-urlencoded`), any number of fields.
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// The field, trimmed; `None` when missing or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|v| v.replace("\r\n", "\n").trim().to_string())
            .filter(|v| !v.is_empty())
    }
    pub fn csrf(&self) -> Option<&str> {
        self.get("csrf")
    }
}

/// Errors by field name; rendered next to the field with `aria-describedby`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Keeps what was typed in the fields of a refused form (shown again, never lost).
    /// Kept beside the errors under `=NAME`; only for a form that has an error.
    pub fn keep_typed(&mut self, form: &FormData, fields: &[&str]) {
        for f in fields {
            if let Some(v) = form.get(f) {
                self.0.insert(format!("={f}"), v.to_string());
            }
        }
    }
    /// What was typed in `field` of the refused form.
    pub fn typed(&self, field: &str) -> Option<&str> {
        self.0.get(&format!("={field}")).map(String::as_str)
    }
}

/// A `next` target after sign-in: a path on this site, or `None`. Refused: anything not
/// starting with one `/`, a second `/` or `\` after it (another host to a browser), and
/// any control character — browsers drop TAB, CR and LF, so `/\t/evil.example/` would
/// become `//evil.example/`.
pub fn local_path(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    if rest.starts_with(['/', '\\']) || next.contains('\\') || next.chars().any(|c| c.is_control())
    {
        return None;
    }
    Some(next)
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Parses a number as users type it: full-width digits, commas, spaces allowed.
pub fn parse_number(s: &str) -> Option<f64> {
    let t: String = s
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '．' => Some('.'),
            '－' | 'ー' | '−' => Some('-'),
            ',' | '，' | ' ' | '　' => None,
            c => Some(c),
        })
        .collect();
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The part of a two-language store message ("日本語。 English.") in the page language.
pub(crate) fn one_language(lang: crate::i18n::Lang, message: &str) -> String {
    let ascii_from = message
        .char_indices()
        .find(|(i, c)| {
            c.is_ascii_uppercase()
                && message[..*i].ends_with(' ')
                && !message[..*i].trim().is_empty()
        })
        .map(|(i, _)| i);
    match (lang, ascii_from) {
        (crate::i18n::Lang::Ja, Some(i)) => message[..i].trim().to_string(),
        (crate::i18n::Lang::En, Some(i)) => message[i..].trim().to_string(),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_store_messages() {
        assert_eq!(parse_number("１，２００"), Some(1200.0));
        assert_eq!(parse_number("12.5"), Some(12.5));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(url_encode("/plans/1?x=あ"), "/plans/1%3Fx%3D%E3%81%82");
        for bad in [
            "/\t/evil.example/",
            "/\n/evil.example",
            "/\r/evil",
            "//evil.example",
            "/\\evil.example",
            "/a\\b",
            "https://evil.example",
            "evil",
            "",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path("/plans/1?lang=en"), Some("/plans/1?lang=en"));
        assert_eq!(local_path("/"), Some("/"));
    }
}
