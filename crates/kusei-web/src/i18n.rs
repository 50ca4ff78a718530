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
