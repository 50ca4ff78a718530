//! Passwords (argon2id), session cookies and CSRF tokens.
//!
//! - The session cookie holds a random 256-bit token; the database holds only its SHA-256.
//!   Cookies are `HttpOnly; SameSite=Strict; Path=/` (plus `Secure` when configured).
//! - Every form that changes state carries a CSRF token: the session's token once signed
//!   in, or a pre-session cookie's value on the sign-in form (double submit). Handlers call
//!   [`check_csrf`] before anything else.
//! - Sign-in attempts are throttled per login and address, per login and per address
//!   (`kusei_app::accounts::throttle_keys`): growing waits, never a lock-out for good.
//! - The pre-session token of the sign-in form is signed with the server's key, so a
//!   cookie planted by someone else is refused.

use crate::policy::Grants;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use kusei_store::StoredUser;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "kusei_session";
pub const PRE_COOKIE: &str = "kusei_pre";
pub const SESSION_HOURS: i64 = 8;
/// A session also ends after this long without a request.
pub const IDLE_MINUTES: i64 = 60;
/// The idle deadline is moved forward at most this often (a write per request is not
/// needed to keep a session alive).
const TOUCH_EVERY_MINUTES: i64 = 5;

/// The idle deadline of a session used at `now_unix`.
pub fn idle_deadline(now_unix: i64) -> String {
    kusei_store::format_unix(now_unix + IDLE_MINUTES * 60)
}

pub use kusei_app::accounts::{hash_password, verify_password};

pub use kusei_app::accounts::dummy_hash;

/// The key that signs pre-session tokens (kept in the database, shared by instances).
async fn pre_session_key(state: &AppState) -> Result<&str, crate::WebError> {
    let key = state
        .pre_session_key
        .get_or_try_init(|| state.store.server_secret("pre_session", random_token))
        .await?;
    Ok(key.as_str())
}

fn sign(key: &str, nonce: &str) -> String {
    let mut h = Sha256::new();
    h.update(key.as_bytes());
    h.update(b"\0pre-session\0");
    h.update(nonce.as_bytes());
    format!("{:x}", h.finalize())
}

/// A new pre-session token: a random nonce and its signature by the server's key.
pub async fn new_pre_token(state: &AppState) -> Result<String, crate::WebError> {
    let nonce = random_token();
    let key = pre_session_key(state).await?;
    Ok(format!("{nonce}{}", sign(key, &nonce)))
}

/// True when a pre-session token was made by this server.
async fn pre_token_is_ours(state: &AppState, token: &str) -> Result<bool, crate::WebError> {
    if token.len() != 128 {
        return Ok(false);
    }
    let (nonce, mac) = token.split_at(64);
    let key = pre_session_key(state).await?;
    Ok(same_token(&sign(key, nonce), mac))
}

/// Where a request comes from: the peer's address, or (with `trust_forwarded_for`, behind
/// a proxy) the last address of `X-Forwarded-For`, the one the proxy added. "unknown"
/// when neither is known (requests made in process by tests).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .trust_forwarded_for
            .then(|| {
                // The last entry is the proxy's own; the ones before it the client wrote.
                let all: Vec<&str> = parts
                    .headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .collect();
                all.last()
                    .map(|a| a.trim())
                    .filter(|a| a.parse::<std::net::IpAddr>().is_ok())
                    .map(str::to_string)
            })
            .flatten();
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddress(
            forwarded.or(peer).unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// Rules for a new password: 12 to 128 characters, not the login, and not easy to guess:
/// zxcvbn (common passwords, names, words, repeats, sequences, keyboard patterns, dates)
/// must estimate more than 10^10 guesses (its score 3 of 4).
pub fn password_problem(pw: &str, login: &str) -> Option<(&'static str, &'static str)> {
    if pw.chars().count() < 12 {
        return Some((
            "パスワードは12文字以上にしてください。",
            "Use at least 12 characters.",
        ));
    }
    // A bound on the work each sign-in costs (a 200,000-character password is no use).
    if pw.chars().count() > 128 {
        return Some((
            "パスワードは128文字以内にしてください。",
            "Use at most 128 characters.",
        ));
    }
    if pw == login {
        return Some((
            "ログインIDと同じパスワードは使えません。",
            "The password must differ from the login.",
        ));
    }
    if zxcvbn::zxcvbn(pw, &[login]).score() < zxcvbn::Score::Three {
        return Some((
            "推測されやすいパスワードです（同じ文字や連番・よく使われる語の組み合わせなど）。関係のない語をいくつか組み合わせてください。",
            "This password is easy to guess (repeated characters, sequences or common words). Combine several unrelated words.",
        ));
    }
    None
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// The value of one cookie of a request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Compares two tokens without an early exit.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in user of a request, if any.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: StoredUser,
    pub grants: Grants,
    pub csrf: String,
    pub token_hash: String,
}

/// The extractor every page uses: `Option<Viewer>` plus the pre-session CSRF value.
#[derive(Debug, Clone)]
pub struct Who {
    pub viewer: Option<Viewer>,
    /// The pre-session cookie (sign-in form), when present.
    pub pre: Option<String>,
    /// How many things wait for the viewer (the home page's inbox), counted for the
    /// navigation of staff pages; `None` for the public and the API.
    pub work: Option<usize>,
}

impl Who {
    /// The CSRF token forms of this page must carry.
    pub fn csrf(&self) -> Option<&str> {
        self.viewer
            .as_ref()
            .map(|v| v.csrf.as_str())
            .or(self.pre.as_deref())
    }
    pub fn login(&self) -> Option<&str> {
        self.viewer.as_ref().map(|v| v.user.login.as_str())
    }
    pub fn grants(&self) -> Grants {
        self.viewer
            .as_ref()
            .map(|v| v.grants.clone())
            .unwrap_or_default()
    }
}

/// Why a request has no usable identity, answered in the way the route speaks: the JSON
/// API gets its JSON error (`password_change_required`, …), pages get their page.
#[derive(Debug)]
pub struct WhoRejection {
    error: crate::WebError,
    api: bool,
}

impl axum::response::IntoResponse for WhoRejection {
    fn into_response(self) -> axum::response::Response {
        if self.api {
            crate::api::ApiError::from(self.error).into_response()
        } else {
            self.error.into_response()
        }
    }
}

impl FromRequestParts<AppState> for Who {
    type Rejection = WhoRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let api = parts.uri.path().starts_with("/api/");
        Who::read(parts, state)
            .await
            .map_err(|error| WhoRejection { error, api })
    }
}

impl Who {
    /// The caller of the application layer: this user's name and roles.
    pub(crate) fn caller(&self) -> kusei_app::Caller {
        kusei_app::Caller::new(self.login().unwrap_or("?"), self.grants())
    }

    async fn read(parts: &Parts, state: &AppState) -> Result<Who, crate::WebError> {
        // Only a pre-session token this server signed counts (login CSRF).
        let pre = match cookie(&parts.headers, PRE_COOKIE) {
            Some(t) if pre_token_is_ours(state, &t).await? => Some(t),
            _ => None,
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(Who {
                viewer: None,
                pre,
                work: None,
            });
        };
        let hash = token_hash(&token);
        let now = state.clock.now_utc();
        let session = state.store.session(&hash, &now).await?;
        // Used: the idle deadline moves forward (at most every few minutes).
        if let Some(idle) = session.as_ref().and_then(|s| s.idle_until.as_deref()) {
            let now_unix = state.clock.unix();
            let stale =
                kusei_store::format_unix(now_unix + (IDLE_MINUTES - TOUCH_EVERY_MINUTES) * 60);
            if idle < stale.as_str() {
                state
                    .store
                    .touch_session(&hash, &idle_deadline(now_unix))
                    .await?;
            }
        }
        let viewer = session.map(|s| Viewer {
            grants: Grants::from_stored(&s.user.roles),
            user: s.user,
            csrf: s.csrf,
            token_hash: hash,
        });
        // A user with a one-time password sets their own before anything else.
        if viewer.as_ref().is_some_and(|v| v.user.must_change_password) {
            let path = parts.uri.path();
            if path != "/account/password" && path != "/logout" {
                return Err(crate::WebError::PasswordChange);
            }
        }
        let mut who = Who {
            viewer,
            pre,
            work: None,
        };
        // Every page counts it, also one a form post renders (a refused form, a
        // confirmation, the import preview); the API and static files do not.
        let page =
            !parts.uri.path().starts_with("/api/") && !parts.uri.path().starts_with("/static/");
        if page && who.viewer.is_some() {
            who.work = Some(crate::inbox::for_viewer(state, &who).await?.count());
        }
        Ok(who)
    }
}

/// Refuses a form whose CSRF token is missing or wrong.
pub fn check_csrf(who: &Who, submitted: Option<&str>) -> Result<(), crate::WebError> {
    match (who.csrf(), submitted) {
        (Some(expected), Some(got)) if same_token(expected, got) => Ok(()),
        _ => Err(crate::WebError::Forbidden(
            "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてやり直してください。 \
             The form expired or was not sent by this site; reload the page and try again."
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_tokens_are_random() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(password_problem(&"x1".repeat(100_000), "u").is_some());
        assert!(password_problem("correct horse battery", "u").is_none());
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("anything", dummy_hash()));
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(same_token(&a, &a) && !same_token(&a, &b) && !same_token("ab", "abc"));
    }

    #[test]
    fn cookies_are_read_strictly() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; kusei_session=abc123; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc123"));
        h.insert(header::COOKIE, "kusei_session=<script>".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), None);
        assert!(set_cookie("k", "v", 60, true).contains("HttpOnly; SameSite=Strict"));
        assert!(password_problem("short", "x").is_some());
        assert!(password_problem("long enough password", "x").is_none());
    }

    #[test]
    fn guessable_passwords_are_refused() {
        // The probe's: repeats, spaces, a sequence; and a common word with digits.
        for weak in [
            "aaaaaaaaaaaa",
            "            ",
            "123456789012",
            "password1234",
            "qwertyuiopas",
            "abcdefghijkl",
        ] {
            let (ja, en) = password_problem(weak, "editor1").unwrap_or_else(|| panic!("{weak:?}"));
            assert!(!ja.is_empty() && !en.is_empty());
        }
        // The login with a few digits is guessable too.
        assert!(password_problem("tanaka-editor-2025", "tanaka-editor").is_some());
        for strong in [
            "correct horse battery",
            "e2e-admin-password-1",
            "区政 会議の 春 2025",
        ] {
            assert!(password_problem(strong, "editor1").is_none(), "{strong:?}");
        }
        // The browser scenarios' own.
        for (login, pw) in [
            ("editor1", "e2e-editor-password-1"),
            ("director1", "e2e-director-password-1"),
            ("figures1", "e2e-figures-password-1"),
            ("admin", "e2e-admin-password-1"),
        ] {
            assert!(password_problem(pw, login).is_none(), "{pw:?}");
        }
    }
}
