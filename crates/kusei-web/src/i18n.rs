//! Japanese first, English second: every label is written as a pair at its use site.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    /// Picks the Japanese or English text.
    pub fn t<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

/// The `?lang=` query of every page.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    pub lang: Option<Lang>,
}

impl LangQuery {
    pub fn lang(self) -> Lang {
        self.lang.unwrap_or_default()
    }
}

/// An instant as people in Japan read it: 「令和8年12月2日 14:05」, or
/// "2026-12-02 14:05 (Japan time)" in English. `unix` is seconds since the epoch.
pub fn japan_time(lang: Lang, unix: i64) -> String {
    let s = kusei_store::format_unix(unix + 9 * 3600);
    let (date, time) = (s.get(..10).unwrap_or(""), s.get(11..16).unwrap_or(""));
    match lang {
        Lang::Ja => {
            let d = date
                .parse::<kusei_domain::calendar::Date>()
                .map_or_else(|_| date.to_string(), |d| d.to_japanese());
            format!("{d} {time}")
        }
        Lang::En => format!("{date} {time} (Japan time)"),
    }
}

/// [`japan_time`] of a stored RFC 3339 UTC timestamp (shown as stored if unreadable).
pub fn japan_time_of(lang: Lang, stored: &str) -> String {
    kusei_store::parse_unix(stored).map_or_else(|| stored.to_string(), |t| japan_time(lang, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_in_japan_time() {
        // 2026-12-02T05:05:00Z is 14:05 in Japan.
        let t = kusei_store::parse_unix("2026-12-02T05:05:00Z").unwrap();
        assert_eq!(japan_time(Lang::Ja, t), "令和8年12月2日 14:05");
        assert_eq!(japan_time(Lang::En, t), "2026-12-02 14:05 (Japan time)");
        // Past midnight in Japan, the date moves on.
        assert_eq!(
            japan_time_of(Lang::Ja, "2026-12-31T15:30:00Z"),
            "令和9年1月1日 00:30"
        );
    }
}
