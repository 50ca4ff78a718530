//! One user, for an administrator: roles added and removed, the display name, a new
//! one-time password, every session ended, disabled and re-enabled; and the security
//! event log. Every change is `kusei_app::accounts`' (the same functions as `kusei user`),
//! which asks the policy again about every municipality the user works in.

use crate::admin::{require_admin, require_administer, unit_path, City};
use crate::auth::{check_csrf, Who};
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::{japan_time_of, Lang};
use crate::layout::Page;
use crate::pages::parse_id;
use crate::policy::{Role, Scope};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use kusei_app::accounts;
use kusei_domain::model::{MunicipalityId, UnitId};
use kusei_store::{EventFilter, SecurityEvent, StoredUser};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct UserQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

fn municipality_of(q: Option<&str>) -> Result<MunicipalityId, WebError> {
    Ok(MunicipalityId(parse_id(q.unwrap_or(""), "municipality")?))
}

/// The user, when the viewer administers the municipality and the user works in it.
async fn the_user(
    state: &AppState,
    who: &Who,
    m: MunicipalityId,
    login: &str,
) -> Result<(City, StoredUser), WebError> {
    let city = require_administer(state, who, m).await?;
    let user = state
        .store
        .find_user(login)
        .await?
        .filter(|u| crate::admin::user_in(u, &city, crate::admin::is_system(who)))
        .ok_or_else(|| WebError::NotFound(format!("user {login}")))?;
    Ok((city, user))
}

fn role_label(lang: Lang, code: &str) -> &str {
    Role::from_code(code).map_or(code, |r| lang.t(r.label_ja(), r.label_en()))
}

fn scope_text(lang: Lang, scope: Scope, city: &City) -> String {
    match scope {
        Scope::System => lang.t("システム全体", "whole system").to_string(),
        Scope::Municipality(m) if m == city.m.id => city.m.name.clone(),
        Scope::Municipality(m) => format!("{} {m}", lang.t("自治体", "municipality")),
        Scope::Unit(u) => unit_path(lang, &city.m.name, &city.units, u),
    }
}

/// What a change just did, said on the page it returns to.
fn done_message(lang: Lang, code: &str) -> Option<&'static str> {
    Some(match code {
        "role_added" => lang.t("権限を追加しました。", "The role was added."),
        "role_removed" => lang.t(
            "権限を外しました。この利用者のサインインは終了しました。",
            "The role was removed; the user's sessions ended.",
        ),
        "renamed" => lang.t("氏名を変更しました。", "The name was changed."),
        "email_saved" => lang.t(
            "メールアドレスを保存しました。",
            "The e-mail address was saved.",
        ),
        "sessions_ended" => lang.t(
            "この利用者のサインインをすべて終了しました。",
            "Every session of this user ended.",
        ),
        "disabled" => lang.t(
            "利用を停止しました。この利用者はサインインできません。",
            "The user is disabled and cannot sign in.",
        ),
        "enabled" => lang.t("利用を再開しました。", "The user is enabled again."),
        _ => return None,
    })
}

async fn user_page(
    state: &AppState,
    page: &Page<'_>,
    city: &City,
    user: &StoredUser,
    errors: &FieldErrors,
    notice: Option<Markup>,
) -> Result<String, WebError> {
    let lang = page.lang;
    let m = city.m.id.0;
    let action = format!(
        "/admin/users/{}?municipality={m}&lang={}",
        user.login,
        lang.code()
    );
    let email = match errors.typed("email") {
        Some(t) => Some(t.to_string()),
        None => state.store.user_email(user.id).await?,
    };
    let (events, _) = state
        .store
        .security_events(&EventFilter {
            login: Some(user.login.clone()),
            limit: 20,
            ..EventFilter::default()
        })
        .await?;
    let err = |f: &str| {
        errors
            .get(f)
            .map(|e| html! { p.error role="alert" id={ "f-" (f) "-err" } { (e) } })
    };
    let button = |name: &str, ja: &str, en: &str| {
        html! {
            form method="post" action=(action) {
                (page.csrf_field())
                input type="hidden" name="action" value=(name);
                button type="submit" { (lang.t(ja, en)) }
            }
        }
    };
    let body = html! {
        p { a href={ "/admin?municipality=" (m) "&lang=" (lang.code()) } { (lang.t("← 管理へ戻る", "← Back to administration")) } }
        h1 { (user.display_name) " (" (user.login) ")" }
        @if let Some(n) = notice { (n) }
        @if let Some(e) = err("form") { (e) }
        dl {
            dt { (lang.t("状態", "Status")) }
            dd { @if let Some(at) = &user.disabled_at {
                strong { (lang.t("利用停止中", "Disabled")) } " (" (japan_time_of(lang, at)) ")"
            } @else { (lang.t("利用中", "Enabled")) } }
            @if let Some(exp) = &user.password_expires_at {
                dt { (lang.t("一時パスワードの有効期限", "One-time password expires")) }
                dd { (japan_time_of(lang, exp)) }
            }
        }
        section aria-labelledby="roles-h" {
            h2 #roles-h { (lang.t("権限", "Roles")) }
            @if user.roles.is_empty() { p { (lang.t("権限がありません。", "No role.")) } }
            ul { @for (i, (r, scope)) in user.roles.iter().enumerate() {
                li {
                    (role_label(lang, r)) (lang.t("（", " (")) (scope_text(lang, *scope, city)) (lang.t("） ", ") "))
                    form.inline method="post" action=(action) {
                        (page.csrf_field())
                        input type="hidden" name="action" value="remove_role";
                        input type="hidden" name="index" value=(i);
                        button type="submit" aria-label={ (lang.t("権限を外す: ", "Remove role: ")) (role_label(lang, r)) } { (lang.t("外す", "Remove")) }
                    }
                }
            } }
            h3 { (lang.t("権限を追加", "Add a role")) }
            form method="post" action=(action) novalidate {
                (page.csrf_field())
                input type="hidden" name="action" value="add_role";
                div.field {
                    label for="f-role" { (lang.t("権限", "Role")) }
                    select #f-role name="role" {
                        @let typed_role = errors.typed("role").unwrap_or(Role::WardEditor.code());
                        @for r in crate::admin::ROLE_ORDER.into_iter().filter(|r| crate::admin::is_system(page.who) || !r.is_system_wide()) {
                            option value=(r.code()) selected[typed_role == r.code()] { (lang.t(r.label_ja(), r.label_en())) }
                        }
                    }
                }
                div class={ "field" @if errors.get("unit").is_some() { " has-error" } } {
                    label for="f-unit" { (lang.t("対象の組織", "Unit")) }
                    @if let Some(e) = err("unit") { (e) }
                    (crate::admin::unit_options(lang, "unit", city, errors.get("unit").map(|_| "f-unit-err"), errors.typed("unit")))
                }
                button type="submit" { (lang.t("権限を追加", "Add the role")) }
            }
        }
        section aria-labelledby="name-h" {
            h2 #name-h { (lang.t("氏名", "Name")) }
            form method="post" action=(action) novalidate {
                (page.csrf_field())
                input type="hidden" name="action" value="rename";
                (crate::layout::text_field("display_name", lang.t("氏名", "Name"), Some(&user.display_name), errors, None, None))
                button type="submit" { (lang.t("氏名を保存", "Save the name")) }
            }
        }
        section aria-labelledby="email-h" {
            h2 #email-h { (lang.t("メールアドレス", "E-mail address")) }
            p { (lang.t("締切前のお知らせや承認・差し戻しなどの通知を送る宛先です（メールサーバーが設定されている場合）。空欄にすると、通知は受信箱にだけ表示されます。",
                "Where reminders before deadlines and workflow notifications are mailed (when a mail server is configured). Left blank, they are shown in the inbox only.")) }
            form method="post" action=(action) novalidate {
                (page.csrf_field())
                input type="hidden" name="action" value="email";
                (crate::layout::text_field("email", lang.t("メールアドレス", "E-mail address"), email.as_deref(), errors, None, None))
                button type="submit" { (lang.t("メールアドレスを保存", "Save the address")) }
            }
        }
        section aria-labelledby="access-h" {
            h2 #access-h { (lang.t("サインインとパスワード", "Sign-in and password")) }
            p { (lang.t("一時パスワードを再発行すると、今のパスワードは使えなくなり、この利用者のサインインはすべて終了します。一時パスワードは24時間有効で、最初のサインインで変更が必要です。",
                "A new one-time password replaces the current password and ends every session of this user. It works for 24 hours and must be changed at the first sign-in.")) }
            (button("reset", "一時パスワードを再発行", "Issue a new one-time password"))
            (button("end_sessions", "サインインをすべて終了", "End every session"))
            @if user.disabled_at.is_some() {
                (button("enable", "利用を再開", "Enable"))
            } @else if page.who.login() != Some(user.login.as_str()) {
                (button("disable", "利用を停止（サインイン不可）", "Disable (no sign-in)"))
            }
        }
        section aria-labelledby="events-h" {
            h2 #events-h { (lang.t("最近のセキュリティ記録", "Recent security events")) }
            (events_table(lang, &events))
            p { a href={ "/admin/security?municipality=" (m) "&login=" (user.login) "&lang=" (lang.code()) } { (lang.t("すべての記録", "Every event")) } }
        }
    };
    Ok(page.render(
        &format!("{} {}", user.login, lang.t("利用者", "User")),
        &format!("/admin/users/{}?municipality={m}", user.login),
        body,
    ))
}

/// GET /admin/users/{login}?municipality=
pub(crate) async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(login): Path<String>,
    Query(q): Query<UserQuery>,
) -> Result<Html<String>, WebError> {
    require_admin(&state, &who).await?;
    let m = municipality_of(q.municipality.as_deref())?;
    let (city, user) = the_user(&state, &who, m, &login).await?;
    let lang = q.lang.unwrap_or_default();
    let page = Page { lang, who: &who };
    let notice = q
        .done
        .as_deref()
        .and_then(|d| done_message(lang, d))
        .map(|t| html! { p.notice.success role="status" { (t) } });
    Ok(Html(
        user_page(&state, &page, &city, &user, &FieldErrors::default(), notice).await?,
    ))
}

/// A short fingerprint of a stored password hash: changes with every new password and
/// reveals nothing of it.
fn password_stamp(hash: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(hash.as_bytes());
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// POST /admin/users/{login}?municipality= with `action`.
pub(crate) async fn act(
    State(state): State<AppState>,
    who: Who,
    Path(login): Path<String>,
    Query(q): Query<UserQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData(form);
    check_csrf(&who, form.csrf())?;
    require_admin(&state, &who).await?;
    let m = municipality_of(q.municipality.as_deref())?;
    let (city, user) = the_user(&state, &who, m, &login).await?;
    let lang = q.lang.unwrap_or_default();
    let caller = who.caller();
    let store = &state.store;
    let again = |done: &str| {
        (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!(
                    "/admin/users/{}?municipality={}&lang={}&done={done}",
                    user.login,
                    m.0,
                    lang.code()
                ),
            )],
        )
            .into_response()
    };
    let refuse = |field: &str, ja: &str, en: &str| {
        let mut e = FieldErrors::default();
        e.add(field, lang.t(ja, en));
        e
    };
    // Disabling, a new password and removing a role are asked once more, saying what
    // they do (a click on the wrong row of the user table is not a lock-out).
    let confirmed = form.get("confirm") == Some("1");
    // The confirmation carries a stamp of the password it replaces: reloading the page
    // that shows a new one-time password posts the same stamp again, and is not a second
    // reset (which would silently invalidate the password just handed out).
    let stamp = password_stamp(&user.password_hash);
    let ask = |what_ja: &str, what_en: &str| -> Result<Response, WebError> {
        let page = Page { lang, who: &who };
        let title = lang.t("確認", "Please confirm");
        let body = html! {
            h1 { (user.display_name) " (" (user.login) ") — " (title) }
            p { (lang.t(what_ja, what_en)) }
            form method="post" action=(page.href(&format!("/admin/users/{}?municipality={}", user.login, m.0))) {
                (page.csrf_field())
                @for (k, v) in form.0.iter().filter(|(k, _)| k != "csrf" && k != "confirm") {
                    input type="hidden" name=(k) value=(v);
                }
                input type="hidden" name="confirm" value="1";
                input type="hidden" name="stamp" value=(stamp);
                button type="submit" { (lang.t("実行する", "Go ahead")) }
                " "
                a href=(page.href(&format!("/admin/users/{}?municipality={}", user.login, m.0))) { (lang.t("やめる", "Cancel")) }
            }
        };
        Ok(Html(page.render(title, &format!("/admin/users/{}", user.login), body)).into_response())
    };
    let errors = match form.get("action").unwrap_or("") {
        "reset" if !confirmed => {
            return ask(
                "一時パスワードを再発行します。今のパスワードは使えなくなり、サインイン中の画面はすべて終了します。",
                "A new one-time password is issued: the current password stops working and every session of the user ends.",
            )
        }
        "reset" if form.get("stamp").is_some_and(|s| s != stamp) => {
            let notice = html! {
                div.notice role="status" {
                    p { (lang.t("この一時パスワードはすでに発行され、一度だけ表示されました（ページの再読み込みでは発行し直しません）。もう一度発行するときは「一時パスワードを再発行」を押してください。",
                        "This one-time password was already issued and shown once (reloading the page does not issue another). To issue a new one, press \"Issue a new one-time password\" again.")) }
                }
            };
            let page = Page { lang, who: &who };
            let html = user_page(&state, &page, &city, &user, &FieldErrors::default(), Some(notice)).await?;
            return Ok(Html(html).into_response());
        }
        "reset" => {
            let password =
                accounts::reset_password(store, &caller, &user.login, state.clock.unix()).await?;
            let user = store.find_user(&login).await?.unwrap_or(user);
            let notice = html! {
                div.notice.success role="status" {
                    p { (lang.t("一時パスワードを再発行しました。一度だけ表示されます（24時間有効）:", "A new one-time password was issued. It is shown only once (valid for 24 hours):")) }
                    p { (lang.t("ログインID", "Login")) ": " code { (user.login) } " / " (lang.t("一時パスワード", "one-time password")) ": " code.otp { (password) } }
                }
            };
            let page = Page { lang, who: &who };
            let html = user_page(
                &state,
                &page,
                &city,
                &user,
                &FieldErrors::default(),
                Some(notice),
            )
            .await?;
            // The password is on this page only: not kept by the browser's cache.
            return Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response());
        }
        "end_sessions" => {
            accounts::end_sessions(store, &caller, &user.login).await?;
            return Ok(again("sessions_ended"));
        }
        "disable" | "enable" => {
            let disable = form.get("action") == Some("disable");
            if disable && who.login() == Some(user.login.as_str()) {
                refuse(
                    "form",
                    "自分自身の利用は停止できません。",
                    "You cannot disable yourself.",
                )
            } else if disable && !confirmed {
                return ask(
                    "この利用者の利用を停止します。サインインできなくなり、サインイン中の画面はすべて終了します（あとで再開できます）。",
                    "The user is disabled: no sign-in, and every session ends (it can be enabled again).",
                );
            } else {
                accounts::set_disabled(store, &caller, &user.login, disable).await?;
                return Ok(again(if disable { "disabled" } else { "enabled" }));
            }
        }
        "remove_role" => {
            let index = form
                .get("index")
                .and_then(|i| i.parse::<usize>().ok())
                .filter(|i| *i < user.roles.len());
            let own_admin = index.and_then(|i| user.roles.get(i)).is_some_and(|(r, _)| {
                who.login() == Some(user.login.as_str())
                    && matches!(
                        Role::from_code(r),
                        Some(Role::SystemAdmin | Role::CityAdmin)
                    )
            });
            match index {
                None => refuse("form", "外す権限が見つかりません。", "No such role."),
                Some(_) if own_admin => refuse(
                    "form",
                    "自分自身の管理者の権限は外せません（ほかの管理者に依頼してください）。",
                    "You cannot remove your own administration role (ask another administrator).",
                ),
                Some(_) if !confirmed => {
                    return ask(
                        "この権限を外します。利用者のサインイン中の画面はすべて終了します。",
                        "The role is removed, and every session of the user ends.",
                    )
                }
                Some(i) => {
                    accounts::remove_role(store, &caller, &user.login, i).await?;
                    return Ok(again("role_removed"));
                }
            }
        }
        "email" => {
            let email = form.text("email");
            match accounts::set_email(store, &caller, &user.login, email.as_deref()).await {
                Ok(()) => return Ok(again("email_saved")),
                Err(kusei_app::AppError::Fields(problems)) => {
                    let mut e = FieldErrors::default();
                    for p in problems {
                        e.add(p.field, match lang { Lang::Ja => p.ja, Lang::En => p.en });
                    }
                    e.keep_typed(&form, &["email"]);
                    e
                }
                Err(e) => return Err(e.into()),
            }
        }
        "rename" => {
            let name = form.text("display_name").unwrap_or_default();
            if name.is_empty() {
                refuse("display_name", "氏名を入力してください。", "Enter a name.")
            } else {
                match accounts::rename_user(store, &caller, &user.login, &name).await {
                    Ok(()) => return Ok(again("renamed")),
                    Err(kusei_app::AppError::Store(kusei_store::StoreError::Field {
                        message,
                        ..
                    })) => {
                        let mut e = FieldErrors::default();
                        e.add("display_name", message);
                        e
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        "add_role" => {
            let role = form.get("role").and_then(Role::from_code);
            let unit = form
                .text("unit")
                .map(|u| parse_id(&u, "unit").map(UnitId))
                .transpose()?;
            let scope = match (role, unit) {
                (None, _) => Err(refuse("form", "権限を選んでください。", "Choose a role.")),
                (Some(r), _) if r.is_system_wide() => Ok((r, Scope::System)),
                (Some(Role::CityAdmin), _) => Ok((Role::CityAdmin, Scope::Municipality(m))),
                (Some(_), None) => Err(refuse(
                    "unit",
                    "区・担当の権限には対象の組織を選んでください。",
                    "Choose the unit this role is for.",
                )),
                (Some(r), Some(u)) if city.units.iter().any(|x| x.id == u) => {
                    Ok((r, Scope::Unit(u)))
                }
                (Some(_), Some(_)) => Err(refuse(
                    "unit",
                    "この自治体の組織を選んでください。",
                    "Choose a unit of this municipality.",
                )),
            };
            match scope {
                Ok((role, scope))
                    if user
                        .roles
                        .iter()
                        .any(|(r, s)| r == role.code() && *s == scope) =>
                {
                    refuse(
                        "form",
                        "この権限はすでにあります。",
                        "The user has this role already.",
                    )
                }
                Ok((role, scope)) => {
                    match accounts::add_role(store, &caller, &user.login, role, scope).await {
                        Ok(()) => return Ok(again("role_added")),
                        Err(kusei_app::AppError::Store(kusei_store::StoreError::Field {
                            field,
                            message,
                        })) => {
                            let mut e = FieldErrors::default();
                            e.add(&field, crate::forms::one_language(lang, &message));
                            e
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(e) => e,
            }
        }
        _ => refuse("form", "操作を選んでください。", "Choose what to do."),
    };
    let page = Page { lang, who: &who };
    let html = user_page(&state, &page, &city, &user, &errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// An event's details as people read them: roles by name, times in Japan time, counts.
fn detail_text(lang: Lang, detail: &serde_json::Value) -> String {
    let Some(o) = detail.as_object() else {
        return String::new();
    };
    let mut parts = Vec::new();
    for (k, v) in o {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => continue,
            other => other.to_string(),
        };
        let part = match k.as_str() {
            "role" => {
                let r = Role::from_code(&text).map_or(text.clone(), |r| {
                    lang.t(r.label_ja(), r.label_en()).to_string()
                });
                format!("{}: {r}", lang.t("権限", "role"))
            }
            "expires_at" => format!(
                "{}: {}",
                lang.t("有効期限", "expires"),
                crate::i18n::japan_time_of(lang, &text)
            ),
            "until" => format!(
                "{}: {}",
                lang.t("待ち時間の終わり", "wait until"),
                crate::i18n::japan_time_of(lang, &text)
            ),
            "sessions" => format!("{}: {text}", lang.t("終了したサインイン", "sessions ended")),
            "unit" => format!("{}: {text}", lang.t("組織", "unit")),
            "plan_id" => format!("{}: {text}", lang.t("計画", "plan")),
            "reason" => format!("{}: {text}", lang.t("理由", "reason")),
            "scope" => continue,
            other => format!("{other}: {text}"),
        };
        parts.push(part);
    }
    parts.join(lang.t("、", "; "))
}

fn kind_label(lang: Lang, kind: &str) -> &str {
    let (ja, en) = match kind {
        "sign_in" => ("サインイン", "signed in"),
        "sign_out" => ("サインアウト", "signed out"),
        "sign_in_failed" => ("サインイン失敗", "failed sign-in"),
        "sign_in_throttled" => ("試行の制限", "attempts throttled"),
        "sign_in_refused" => (
            "サインイン拒否（停止中・期限切れ）",
            "sign-in refused (disabled or expired)",
        ),
        "password_changed" => ("パスワード変更", "password changed"),
        "password_reset" => ("一時パスワード再発行", "one-time password issued"),
        "user_created" => ("利用者の追加", "user added"),
        "user_disabled" => ("利用停止", "user disabled"),
        "user_enabled" => ("利用再開", "user enabled"),
        "role_added" => ("権限の追加", "role added"),
        "role_removed" => ("権限の削除", "role removed"),
        "sessions_ended" => ("サインインの終了", "sessions ended"),
        "plan_published" => ("計画の公表", "plan published"),
        other => (other, other),
    };
    lang.t(ja, en)
}

/// Every kind of event, for the filter.
const KINDS: [&str; 14] = [
    "sign_in",
    "sign_out",
    "sign_in_failed",
    "sign_in_throttled",
    "sign_in_refused",
    "password_changed",
    "password_reset",
    "user_created",
    "user_disabled",
    "user_enabled",
    "role_added",
    "role_removed",
    "sessions_ended",
    "plan_published",
];

fn events_table(lang: Lang, events: &[SecurityEvent]) -> Markup {
    html! {
        @if events.is_empty() { p { (lang.t("記録はありません。", "No events.")) } }
        @else {
            table {
                caption.visually-hidden { (lang.t("セキュリティ記録", "Security events")) }
                thead { tr {
                    th scope="col" { (lang.t("日時", "When")) }
                    th scope="col" { (lang.t("種類", "Event")) }
                    th scope="col" { (lang.t("ログインID", "Login")) }
                    th scope="col" { (lang.t("操作した人", "By")) }
                    th scope="col" { (lang.t("接続元", "Address")) }
                    th scope="col" { (lang.t("詳細", "Detail")) }
                } }
                tbody { @for e in events { tr {
                    td { (japan_time_of(lang, &e.at)) }
                    td { (kind_label(lang, &e.kind)) }
                    td { (e.login.as_deref().unwrap_or("")) }
                    td { (e.actor.as_deref().unwrap_or("")) }
                    td { (e.address.as_deref().unwrap_or("")) }
                    td { (detail_text(lang, &e.detail)) }
                } } }
            }
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct LogQuery {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

const PAGE: i64 = 100;

/// GET /admin/security?municipality=&kind=&login=&page=&format=csv: the security event
/// log. A city administrator reads its municipality's events; a system administrator
/// also the system-wide ones (unknown logins, system administrators).
pub(crate) async fn log(
    State(state): State<AppState>,
    who: Who,
    Query(q): Query<LogQuery>,
) -> Result<Response, WebError> {
    let (cities, system) = require_admin(&state, &who).await?;
    let lang = q.lang.unwrap_or_default();
    let selected = q
        .municipality
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse_id(s, "municipality").map(MunicipalityId))
        .transpose()?;
    if let Some(m) = selected {
        require_administer(&state, &who, m).await?;
    }
    let municipalities = match (selected, system) {
        (Some(m), _) => Some(vec![m]),
        (None, true) => None,
        (None, false) => Some(cities.iter().map(|c| c.m.id).collect()),
    };
    let kind = q.kind.clone().filter(|k| KINDS.contains(&k.as_str()));
    let login = q
        .login
        .clone()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    let csv = q.format.as_deref() == Some("csv");
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let filter = EventFilter {
        municipalities,
        kind: kind.clone(),
        login: login.clone(),
        limit: if csv { 10_000 } else { PAGE },
        offset: if csv { 0 } else { (page_no - 1) * PAGE },
    };
    let (events, total) = state.store.security_events(&filter).await?;
    if csv {
        let mut out = String::from("\u{feff}");
        let header = [
            lang.t("日時（日本時間）", "When (Japan time)"),
            lang.t("種類", "Event"),
            lang.t("ログインID", "Login"),
            lang.t("操作した人", "By"),
            lang.t("接続元", "Address"),
            lang.t("詳細", "Detail"),
        ];
        out.push_str(&kusei_report::open_data::csv_row(
            header.iter().map(|s| s.to_string()),
        ));
        for e in &events {
            out.push_str(&kusei_report::open_data::csv_row(
                [
                    japan_time_of(lang, &e.at),
                    e.kind.clone(),
                    e.login.clone().unwrap_or_default(),
                    e.actor.clone().unwrap_or_default(),
                    e.address.clone().unwrap_or_default(),
                    detail_text(lang, &e.detail),
                ]
                .into_iter(),
            ));
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"kusei-security-log.csv\"".to_string(),
                ),
            ],
            out,
        )
            .into_response());
    }
    let page = Page { lang, who: &who };
    let query = |p: i64| {
        let mut s = format!("/admin/security?lang={}&page={p}", lang.code());
        if let Some(m) = selected {
            s.push_str(&format!("&municipality={}", m.0));
        }
        if let Some(k) = &kind {
            s.push_str(&format!("&kind={k}"));
        }
        if let Some(l) = &login {
            s.push_str(&format!("&login={}", crate::forms::url_encode(l)));
        }
        s
    };
    let pages = (total + PAGE - 1) / PAGE;
    let body = html! {
        p { a href={ "/admin?lang=" (lang.code()) } { (lang.t("← 管理へ戻る", "← Back to administration")) } }
        h1 { (lang.t("セキュリティ記録", "Security event log")) }
        p { (lang.t("サインイン・試行の制限・利用者と権限の変更・パスワードの再発行・計画の公表の記録です。パスワードやトークンは記録しません。",
            "Sign-ins, throttling, user and role changes, password resets and publications. No password or token is ever recorded.")) }
        form method="get" action="/admin/security" {
            input type="hidden" name="lang" value=(lang.code());
            @if let Some(m) = selected { input type="hidden" name="municipality" value=(m.0); }
            div.field {
                label for="f-kind" { (lang.t("種類", "Event")) }
                select #f-kind name="kind" {
                    option value="" { (lang.t("すべて", "all")) }
                    @for k in KINDS { option value=(k) selected[kind.as_deref() == Some(k)] { (kind_label(lang, k)) } }
                }
            }
            div.field {
                label for="f-login" { (lang.t("ログインID", "Login")) }
                input #f-login type="text" name="login" value=(login.as_deref().unwrap_or(""));
            }
            button type="submit" { (lang.t("絞り込む", "Filter")) }
        }
        p role="status" { (lang.t("件数: ", "Events: ")) (total) }
        p { a href={ (query(1)) "&format=csv" } download { (lang.t("CSVでダウンロード（最新1万件）", "Download as CSV (newest 10,000)")) } }
        (events_table(lang, &events))
        @if pages > 1 {
            nav aria-label=(lang.t("ページ", "Pages")) { ul.pager {
                @if page_no > 1 { li { a href=(query(page_no - 1)) rel="prev" { (lang.t("← 新しい記録", "← Newer")) } } }
                li { (page_no) " / " (pages) }
                @if page_no < pages { li { a href=(query(page_no + 1)) rel="next" { (lang.t("古い記録 →", "Older →")) } } }
            } }
        }
    };
    Ok(Html(page.render(
        lang.t("セキュリティ記録", "Security event log"),
        "/admin/security",
        body,
    ))
    .into_response())
}
