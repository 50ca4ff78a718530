//! Japanese first, English second: every label is written as a pair at its use site.

use serde::Deserialize;

/// A page's language. Read leniently from `?lang=`: `en` is English, anything else
/// (`ja`, `JA`, `fr`, empty) is Japanese, never an error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(from = "String")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl From<String> for Lang {
    fn from(s: String) -> Lang {
        if s.trim().eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Ja
        }
    }
}

impl Lang {
    /// The words the domain writes field names in for this page.
    pub fn words(self) -> kusei_domain::revision::Words {
        match self {
            Lang::Ja => kusei_domain::revision::Words::Ja,
            Lang::En => kusei_domain::revision::Words::En,
        }
    }
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

/// The language a request asked for: `?lang=` first, then the `lang` cookie.
fn lang_of(query: Option<&str>) -> Option<Lang> {
    query?.split('&').find_map(|kv| match kv {
        "lang=ja" => Some(Lang::Ja),
        "lang=en" => Some(Lang::En),
        _ => None,
    })
}

fn cookie_lang(headers: &axum::http::HeaderMap) -> Option<Lang> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| match c.trim() {
            "lang=ja" => Some(Lang::Ja),
            "lang=en" => Some(Lang::En),
            _ => None,
        })
}

/// An error page waiting for its language: the handler's error says what happened; this
/// layer knows the request's language and writes the page in it, with what to do next.
#[derive(Debug, Clone)]
pub(crate) struct ErrorPage {
    pub status: axum::http::StatusCode,
    /// A message as the error carried it (one language, or "日本語。 English.").
    pub message: Option<String>,
}

/// The language of every page, kept across pages and form posts: a request without
/// `?lang=` gets the `lang` cookie's (the URI is given the query, so every handler reads
/// one place); a `?lang=` sets the cookie. Error pages are written here, in that language.
pub(crate) async fn language(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue, Uri};
    use axum::response::IntoResponse;
    let asked = lang_of(req.uri().query());
    let kept = cookie_lang(req.headers());
    let lang = asked.or(kept).unwrap_or_default();
    if asked.is_none() && kept == Some(Lang::En) {
        let pq = match req.uri().query() {
            Some(q) if !q.is_empty() => format!("{}?{q}&lang=en", req.uri().path()),
            _ => format!("{}?lang=en", req.uri().path()),
        };
        if let Ok(uri) = pq.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    let is_api = req.uri().path().starts_with("/api/");
    // The cookies, kept to know who is asking should the answer be an error page (the
    // session is read only then).
    let mut asked_with = axum::http::HeaderMap::new();
    for v in req.headers().get_all(header::COOKIE) {
        asked_with.append(header::COOKIE, v.clone());
    }
    let mut res = next.run(req).await;
    if let Some(e) = res.extensions().get::<ErrorPage>().cloned() {
        if !is_api {
            let headers = res.headers().clone();
            let mut parts = axum::http::Request::new(()).into_parts().0;
            parts.headers = asked_with;
            let who = <crate::auth::Who as axum::extract::FromRequestParts<crate::AppState>>::from_request_parts(&mut parts, &state)
                .await
                .ok();
            res = (
                e.status,
                axum::response::Html(crate::error::error_page(lang, &e, who.as_ref())),
            )
                .into_response();
            for (k, v) in headers.iter() {
                if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
                    res.headers_mut().append(k, v.clone());
                }
            }
        }
    }
    if let Some(a) = asked.filter(|a| Some(*a) != kept) {
        let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", a.code());
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
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
