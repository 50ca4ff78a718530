//! Sign-in, sign-out and password change.

use crate::auth::{
    check_csrf, cookie, idle_deadline, new_pre_token, password_problem, random_token, set_cookie,
    token_hash, ClientAddress, Who, PRE_COOKIE, SESSION_COOKIE, SESSION_HOURS,
};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::Lang;
use crate::layout::{text_field, Page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::accounts::{hash_password_blocking, verify_password_blocking, SignInRefusal};
use maud::html;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
pub(crate) struct LoginQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::forms::local_path)
        .unwrap_or("/")
        .to_string()
}

fn login_page(page: &Page<'_>, next: &str, login: &str, errors: &FieldErrors) -> String {
    let lang = page.lang;
    let body = html! {
        h1 { (lang.t("職員サインイン", "Staff sign-in")) }
        form method="post" action="/login" novalidate {
            (page.csrf_field())
            input type="hidden" name="next" value=(next);
            @if let Some(e) = errors.get("form") { p.error role="alert" id="login-err" { (e) } }
            (text_field("login", lang.t("ログインID", "Login"), Some(login), errors, None, None))
            div.field {
                label for="f-password" { (lang.t("パスワード", "Password")) }
                input #f-password type="password" name="password" autocomplete="current-password";
            }
            button type="submit" { (lang.t("サインイン", "Sign in")) }
        }
    };
    page.render(lang.t("サインイン", "Sign in"), "/login", body)
}

/// GET /login: the form, with a pre-session CSRF cookie (double submit).
pub(crate) async fn login_form(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let mut who = who;
    let mut headers = HeaderMap::new();
    if who.csrf().is_none() {
        let pre = new_pre_token(&state).await?;
        if let Ok(v) =
            HeaderValue::from_str(&set_cookie(PRE_COOKIE, &pre, 3600, state.secure_cookies))
        {
            headers.insert(header::SET_COOKIE, v);
        }
        who.pre = Some(pre);
    }
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    let next = safe_next(q.next.as_deref());
    Ok((
        headers,
        Html(login_page(&page, &next, "", &FieldErrors::default())),
    )
        .into_response())
}

/// POST /login. The decision is `kusei_app::accounts::sign_in` (throttling, the password,
/// the account's state, the security log); this makes the session.
pub(crate) async fn login(
    State(state): State<AppState>,
    who: Who,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let lang = q.lang.unwrap_or_default();
    let page = Page { lang, who: &who };
    let login = form.text("login").unwrap_or_default();
    let password = form.get("password").unwrap_or("").to_string();
    let next = safe_next(form.get("next"));
    let fail = |status: StatusCode, msg: &str| {
        let mut e = FieldErrors::default();
        e.add("form", msg);
        (status, Html(login_page(&page, &next, &login, &e))).into_response()
    };
    let now_unix = state.clock.unix();
    let user = match kusei_app::accounts::sign_in(
        &state.store,
        &login,
        &password,
        &address,
        now_unix,
    )
    .await?
    {
        Ok(user) => user,
        Err(SignInRefusal::Wrong) => {
            tracing::warn!(%address, "failed sign-in");
            return Ok(fail(
                StatusCode::UNAUTHORIZED,
                lang.t(
                    "ログインIDまたはパスワードが違います。",
                    "The login or the password is wrong.",
                ),
            ));
        }
        Err(SignInRefusal::Wait(until)) => {
            tracing::warn!(%address, "sign-in throttled");
            // Shown to the minute, so rounded up: at the time shown the wait is over.
            let when = crate::i18n::japan_time(lang, (until + 59).div_euclid(60) * 60);
            let msg = match lang {
                Lang::Ja => format!("サインインの試行が続いたため、しばらくお待ちください。{when} 以降にもう一度お試しください。"),
                Lang::En => format!("Too many sign-in attempts. Try again after {when}."),
            };
            let mut r = fail(StatusCode::TOO_MANY_REQUESTS, &msg);
            if let Ok(v) = HeaderValue::from_str(&(until - now_unix).max(1).to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(r);
        }
        Err(SignInRefusal::Disabled) => {
            return Ok(fail(
                StatusCode::FORBIDDEN,
                lang.t(
                    "このアカウントは利用停止中です。管理者にお問い合わせください。",
                    "This account is disabled. Ask your administrator.",
                ),
            ));
        }
        Err(SignInRefusal::Expired) => {
            return Ok(fail(
                StatusCode::FORBIDDEN,
                lang.t(
                    "一時パスワードの有効期限（発行から24時間）が切れています。管理者に再発行を依頼してください。",
                    "The one-time password expired (24 hours after it was issued). Ask your administrator for a new one.",
                ),
            ));
        }
    };
    let now = state.clock.now_utc();
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token_hash(&old), &now).await?;
    }
    let token = random_token();
    let expires = kusei_store::format_unix(now_unix + SESSION_HOURS * 3600);
    state
        .store
        .create_session(&token_hash(&token), user.id, &random_token(), &expires)
        .await?;
    state
        .store
        .touch_session(&token_hash(&token), &idle_deadline(now_unix))
        .await?;
    tracing::info!(login = %user.login, "signed in");
    let to = if user.must_change_password {
        "/account/password".to_string()
    } else {
        next
    };
    let mut h = HeaderMap::new();
    for c in [
        set_cookie(
            SESSION_COOKIE,
            &token,
            SESSION_HOURS * 3600,
            state.secure_cookies,
        ),
        set_cookie(PRE_COOKIE, "", 0, state.secure_cookies),
    ] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&to) {
        h.insert(header::LOCATION, v);
    }
    Ok((StatusCode::SEE_OTHER, h).into_response())
}

/// POST /logout.
pub(crate) async fn logout(
    State(state): State<AppState>,
    who: Who,
    ClientAddress(address): ClientAddress,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    if let Some(v) = &who.viewer {
        kusei_app::accounts::log_own(&state.store, &v.user, "sign_out", &address).await?;
        state
            .store
            .delete_session(&v.token_hash, &state.clock.now_utc())
            .await?;
    }
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies)) {
        h.insert(header::SET_COOKIE, v);
    }
    h.insert(header::LOCATION, HeaderValue::from_static("/"));
    Ok((StatusCode::SEE_OTHER, h).into_response())
}

fn password_page(page: &Page<'_>, errors: &FieldErrors) -> String {
    let lang = page.lang;
    let forced = page
        .who
        .viewer
        .as_ref()
        .is_some_and(|v| v.user.must_change_password);
    let body = html! {
        h1 { (lang.t("パスワードの変更", "Change your password")) }
        @if forced {
            p.notice role="status" { (lang.t("一時パスワードでサインインしました。続けるには新しいパスワードを設定してください。",
                "You signed in with a one-time password. Set your own password to continue.")) }
        }
        form method="post" action="/account/password" novalidate {
            (page.csrf_field())
            @for (name, ja, en, auto) in [
                ("current", "現在のパスワード", "Current password", "current-password"),
                ("new", "新しいパスワード（12文字以上）", "New password (12 characters or more)", "new-password"),
                ("confirm", "新しいパスワード（確認）", "New password again", "new-password"),
            ] {
                @let err = errors.get(name);
                div class={ "field" @if err.is_some() { " has-error" } } {
                    label for={ "f-" (name) } { (lang.t(ja, en)) }
                    @if let Some(e) = err { p.error id={ "f-" (name) "-err" } role="alert" { (e) } }
                    input id={ "f-" (name) } type="password" name=(name) autocomplete=(auto)
                        aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| format!("f-{name}-err"))];
                }
            }
            button type="submit" { (lang.t("変更する", "Change password")) }
        }
    };
    page.render(
        lang.t("パスワードの変更", "Change password"),
        "/account/password",
        body,
    )
}

pub(crate) async fn password_form(
    who: Who,
    Query(q): Query<LoginQuery>,
) -> Result<Html<String>, WebError> {
    if who.viewer.is_none() {
        return Err(WebError::SignIn {
            next: "/account/password".into(),
        });
    }
    let page = Page {
        lang: q.lang.unwrap_or_default(),
        who: &who,
    };
    Ok(Html(password_page(&page, &FieldErrors::default())))
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    who: Who,
    ClientAddress(address): ClientAddress,
    Query(q): Query<LoginQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    let Some(v) = &who.viewer else {
        return Err(WebError::SignIn {
            next: "/account/password".into(),
        });
    };
    let lang = q.lang.unwrap_or_default();
    let page = Page { lang, who: &who };
    let current = form.get("current").unwrap_or("");
    let new = form.get("new").unwrap_or("");
    let mut errors = FieldErrors::default();
    if !verify_password_blocking(current, &v.user.password_hash).await {
        errors.add(
            "current",
            lang.t(
                "現在のパスワードが違います。",
                "The current password is wrong.",
            ),
        );
    }
    if let Some((ja, en)) = password_problem(new, &v.user.login) {
        errors.add("new", lang.t(ja, en));
    } else if new == current {
        errors.add(
            "new",
            lang.t(
                "今と違うパスワードにしてください。",
                "Choose a password different from the current one.",
            ),
        );
    }
    if form.get("confirm").unwrap_or("") != new {
        errors.add(
            "confirm",
            lang.t(
                "確認用のパスワードが一致しません。",
                "The two new passwords differ.",
            ),
        );
    }
    if !errors.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(password_page(&page, &errors)),
        )
            .into_response());
    }
    let hash = hash_password_blocking(new)
        .await
        .map_err(WebError::Internal)?;
    state
        .store
        .set_password(&v.user.login, v.user.id, &hash, false, Some(&v.token_hash))
        .await?;
    kusei_app::accounts::log_own(&state.store, &v.user, "password_changed", &address).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/?lang={}", lang.code()))],
    )
        .into_response())
}
