//! Accounts: argon2id passwords, signing in (throttled, logged), and the administration
//! of users (create, reset, disable, roles, sessions) behind one permission rule.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// True when `password` matches the stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// At most this many password hashes are computed at once (argon2id takes ~19 MiB and a
/// core for a moment): sign-in storms wait their turn instead of starving every other
/// request.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores.max(1))
    })
}

/// [`verify_password`] off the async workers (on the blocking pool, a bounded number at a
/// time), so pages keep answering while passwords are checked.
pub async fn verify_password_blocking(password: &str, phc: &str) -> bool {
    let Ok(_slot) = hashing_slots().acquire().await else {
        return false;
    };
    let (password, phc) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}

/// [`hash_password`] off the async workers, like [`verify_password_blocking`].
pub async fn hash_password_blocking(password: &str) -> Result<String, String> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|e| format!("cannot hash password: {e}"))?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| format!("cannot hash password: {e}"))?
}

// ---------------------------------------------------------------------------------------
// Signing in, and the administration of users: one function per use case, called by the
// browser's administration pages and by `kusei user …`.

use crate::{AppError, Caller};
use kusei_domain::model::{MunicipalityId, UserId};
use kusei_domain::policy::{allow, Action, Role, Scope, Tree};
use kusei_store::{NewSecurityEvent, NewUser, Store, StoredUser, ThrottleKey};
use serde_json::json;

/// A one-time password works for this long after it was issued.
pub const ONE_TIME_PASSWORD_HOURS: i64 = 24;
/// Attempts in a row (since the last success) from one address for one login, before
/// each further attempt waits (30 s, doubling, at most 15 minutes).
pub const FREE_ATTEMPTS: i64 = 5;
/// The same for one login from every address together (a slow attack from many
/// addresses; the wait stops at one minute, so the real user is only slowed down).
pub const FREE_ATTEMPTS_PER_LOGIN: i64 = 20;
/// The same for one client address over every login (password spraying).
pub const FREE_ATTEMPTS_PER_ADDRESS: i64 = 30;
/// The longest wait of an address, or of a login from one address.
pub const MAX_WAIT_SECS: i64 = 15 * 60;
/// The longest wait of a login over every address.
pub const MAX_WAIT_PER_LOGIN_SECS: i64 = 60;

/// The throttling keys of a sign-in attempt. They depend only on what was typed and
/// where from, never on whether the login exists, so an unknown login is answered
/// exactly like a known one.
pub fn throttle_keys(login: &str, address: &str) -> Vec<ThrottleKey> {
    vec![
        ThrottleKey {
            key: format!("p:{login}\n{address}"),
            free: FREE_ATTEMPTS,
            cap_secs: MAX_WAIT_SECS,
        },
        ThrottleKey {
            key: format!("l:{login}"),
            free: FREE_ATTEMPTS_PER_LOGIN,
            cap_secs: MAX_WAIT_PER_LOGIN_SECS,
        },
        ThrottleKey {
            key: format!("a:{address}"),
            free: FREE_ATTEMPTS_PER_ADDRESS,
            cap_secs: MAX_WAIT_SECS,
        },
    ]
}

/// Why a sign-in did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    /// The login or the password is wrong (the same for an unknown login).
    Wrong,
    /// Too many attempts: the next one is allowed at this instant (Unix seconds).
    Wait(i64),
    /// The password is right, but the user is disabled.
    Disabled,
    /// The password is right, but it was a one-time password that expired.
    Expired,
}

/// A password-checking attempt: throttled first (atomically counted), then the password
/// verified (against a dummy hash for an unknown login, so both take as long), then the
/// account's state. Every outcome goes to the security log.
pub async fn sign_in(
    store: &Store,
    login: &str,
    password: &str,
    address: &str,
    now_unix: i64,
) -> Result<Result<StoredUser, SignInRefusal>, AppError> {
    // Counted without regard to case, as logins are read: 「ADMIN」 and 「admin」 share
    // their attempts.
    let keys = throttle_keys(&login.to_ascii_lowercase(), address);
    let log = |kind: &'static str, municipality: Option<MunicipalityId>, detail| {
        let e = NewSecurityEvent {
            kind,
            login: Some(login),
            actor: None,
            address: Some(address),
            municipality,
            detail,
        };
        async move { store.log_security(&e).await }
    };
    if let Some(until) = store.reserve_attempt(&keys, now_unix).await? {
        log("sign_in_throttled", None, json!({"until": until})).await?;
        let at = kusei_store::parse_unix(&until).unwrap_or(now_unix + MAX_WAIT_SECS);
        return Ok(Err(SignInRefusal::Wait(at)));
    }
    // No password is this long (new ones are at most 128 characters): answered as a
    // wrong one after the same work.
    let typed = if password.len() > 4096 { "" } else { password };
    let user = store.find_user(login).await?;
    let phc = user
        .as_ref()
        .map_or(crate::accounts::dummy_hash(), |u| u.password_hash.as_str());
    let right = verify_password_blocking(typed, phc).await && user.is_some() && !typed.is_empty();
    let Some(user) = user.filter(|_| right) else {
        log("sign_in_failed", None, json!({})).await?;
        return Ok(Err(SignInRefusal::Wrong));
    };
    let home = home_municipality(store, &user).await?;
    if user.disabled_at.is_some() {
        log("sign_in_refused", home, json!({"reason": "disabled"})).await?;
        return Ok(Err(SignInRefusal::Disabled));
    }
    let now = kusei_store::format_unix(now_unix);
    if user
        .password_expires_at
        .as_deref()
        .is_some_and(|e| e <= now.as_str())
    {
        log(
            "sign_in_refused",
            home,
            json!({"reason": "one-time password expired"}),
        )
        .await?;
        return Ok(Err(SignInRefusal::Expired));
    }
    let [pair, per_login, per_address] = [0, 1, 2].map(|i| keys[i].key.clone());
    store
        .settle_attempt(&[pair, per_login], &[per_address])
        .await?;
    log("sign_in", home, json!({})).await?;
    Ok(Ok(user))
}

/// A hash to verify against when the login is unknown, so both cases take as long.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$a3VzZWlkdW1teXNhbHQ$V8sxPZ0SkSOwgpqkjWyZbpWEJt0Rq4bDw0gPfOgdHBs"
}

/// The municipality a user works in (their first role's), for the security log.
pub async fn home_municipality(
    store: &Store,
    user: &StoredUser,
) -> Result<Option<MunicipalityId>, AppError> {
    for (_, scope) in &user.roles {
        match *scope {
            Scope::Municipality(m) => return Ok(Some(m)),
            Scope::Unit(u) => return Ok(Some(store.get_unit(u).await?.municipality_id)),
            Scope::System => {}
        }
    }
    Ok(None)
}

/// Logs a security event of a signed-in person's own doing (sign-out, password change).
pub async fn log_own(
    store: &Store,
    user: &StoredUser,
    kind: &str,
    address: &str,
) -> Result<(), AppError> {
    let home = home_municipality(store, user).await?;
    store
        .log_security(&NewSecurityEvent {
            kind,
            login: Some(&user.login),
            actor: Some(&user.login),
            address: Some(address),
            municipality: home,
            detail: json!({}),
        })
        .await?;
    Ok(())
}

/// Refuses unless the caller may give `role` with `scope`: system administration only by
/// a system administrator, anything else by an administrator of the municipality the
/// scope lies in.
async fn may_grant(
    store: &Store,
    caller: &Caller,
    role: Role,
    scope: Scope,
) -> Result<(), AppError> {
    let refused = |d| AppError::Refused(kusei_domain::workflow::Refusal::Role(d));
    match scope {
        Scope::System => {
            allow(
                &caller.grants,
                &Tree::default(),
                Action::ManageMunicipalities,
            )
            .map_err(refused)?;
            if !role.is_system_wide() {
                return Err(AppError::Invalid(
                    "only the system administrator's role has no municipality".into(),
                ));
            }
        }
        Scope::Municipality(m) => {
            let tree = crate::guard::tree_of_municipality(store, m).await?;
            allow(&caller.grants, &tree, Action::Administer).map_err(refused)?;
            if role != Role::CityAdmin {
                return Err(AppError::Invalid(
                    "a role other than city administrator is for one unit".into(),
                ));
            }
        }
        Scope::Unit(u) => {
            let (tree, _) = crate::guard::tree_of(store, u).await?;
            allow(&caller.grants, &tree, Action::Administer).map_err(refused)?;
            if role == Role::CityAdmin || role.is_system_wide() {
                return Err(AppError::Invalid(
                    "this role is for a whole municipality or the system, not one unit".into(),
                ));
            }
            let kind = store.get_unit(u).await?.kind;
            if !role.fits_unit(kind) {
                let message = if role == Role::SectionEditor {
                    "担当の編集者には課または担当を選んでください（区全体には区の編集者を使います）。 A section editor is for a division or a section (a whole ward has a ward editor)."
                } else {
                    "この権限には区（または局・市）を選んでください（課・担当ではなく）。 This role is for a ward (or a bureau, or the city), not a division or a section."
                };
                return Err(AppError::Store(kusei_store::StoreError::Field {
                    field: "unit".into(),
                    message: message.into(),
                }));
            }
        }
    }
    Ok(())
}

/// Refuses unless the caller administers every grant the user holds (so a city
/// administrator manages its own people only, and nobody but a system administrator
/// manages a system administrator or a user without any role).
async fn may_manage(store: &Store, caller: &Caller, user: &StoredUser) -> Result<(), AppError> {
    if user.roles.is_empty() {
        let refused = |d| AppError::Refused(kusei_domain::workflow::Refusal::Role(d));
        allow(
            &caller.grants,
            &Tree::default(),
            Action::ManageMunicipalities,
        )
        .map_err(refused)?;
    }
    for (role, scope) in &user.roles {
        let role = Role::from_code(role).unwrap_or(Role::SystemAdmin);
        may_grant(store, caller, role, *scope).await?;
    }
    Ok(())
}

async fn user_named(store: &Store, login: &str) -> Result<StoredUser, AppError> {
    store
        .find_user(login)
        .await?
        .ok_or_else(|| AppError::Store(kusei_store::StoreError::NotFound(format!("user {login}"))))
}

async fn log_admin(
    store: &Store,
    caller: &Caller,
    user: &StoredUser,
    kind: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let home = home_municipality(store, user).await?;
    store
        .log_security(&NewSecurityEvent {
            kind,
            login: Some(&user.login),
            actor: Some(&caller.name),
            address: None,
            municipality: home,
            detail,
        })
        .await?;
    Ok(())
}

/// A new user and one role; returns the user and a one-time password (shown once; it
/// must be changed at first sign-in and expires after [`ONE_TIME_PASSWORD_HOURS`]).
pub async fn create_user(
    store: &Store,
    caller: &Caller,
    login: &str,
    display_name: &str,
    role: Role,
    scope: Scope,
    now_unix: i64,
) -> Result<(UserId, String), AppError> {
    may_grant(store, caller, role, scope).await?;
    if login.is_empty()
        || !login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(AppError::Invalid(
            "a login is letters, digits and . _ - only".into(),
        ));
    }
    // One login per person whatever the case: 「WARD1」 beside ward1 is refused.
    if store.find_user(login).await?.is_some() {
        return Err(AppError::Store(kusei_store::StoreError::Duplicate(
            format!("login {login}"),
        )));
    }
    let password = one_time_password();
    let hash = hash_password_blocking(&password)
        .await
        .map_err(AppError::Invalid)?;
    let id = store
        .create_user(
            &caller.name,
            &NewUser {
                login,
                display_name,
                password_hash: &hash,
                must_change_password: true,
                roles: vec![(role.code(), scope)],
            },
        )
        .await?;
    let expires = kusei_store::format_unix(now_unix + ONE_TIME_PASSWORD_HOURS * 3600);
    store.set_password_expiry(id, Some(&expires)).await?;
    let user = user_named(store, login).await?;
    log_admin(
        store,
        caller,
        &user,
        "user_created",
        json!({"role": role.code()}),
    )
    .await?;
    Ok((id, password))
}

/// A new one-time password for a user (shown once, expiring after
/// [`ONE_TIME_PASSWORD_HOURS`]); the user's sessions end, and any sign-in wait is lifted.
pub async fn reset_password(
    store: &Store,
    caller: &Caller,
    login: &str,
    now_unix: i64,
) -> Result<String, AppError> {
    let user = user_named(store, login).await?;
    may_manage(store, caller, &user).await?;
    let password = one_time_password();
    let hash = hash_password_blocking(&password)
        .await
        .map_err(AppError::Invalid)?;
    store
        .set_password(&caller.name, user.id, &hash, true, None)
        .await?;
    let expires = kusei_store::format_unix(now_unix + ONE_TIME_PASSWORD_HOURS * 3600);
    store.set_password_expiry(user.id, Some(&expires)).await?;
    store
        .forget_attempts(
            &[format!("l:{}", login.to_ascii_lowercase())],
            &[format!("p:{}\n", login.to_ascii_lowercase())],
        )
        .await?;
    log_admin(
        store,
        caller,
        &user,
        "password_reset",
        json!({"expires_at": expires}),
    )
    .await?;
    Ok(password)
}

/// Disables (no sign-in, every session ended) or re-enables a user. Nobody disables
/// themselves (a sole administrator would be left out; `kusei user` recovers that).
pub async fn set_disabled(
    store: &Store,
    caller: &Caller,
    login: &str,
    disabled: bool,
) -> Result<(), AppError> {
    let user = user_named(store, login).await?;
    may_manage(store, caller, &user).await?;
    if disabled && user.login == caller.name {
        return Err(AppError::Invalid("you cannot disable yourself".into()));
    }
    if (user.disabled_at.is_some()) == disabled {
        return Ok(());
    }
    store
        .set_user_disabled(&caller.name, user.id, disabled)
        .await?;
    let kind = if disabled {
        "user_disabled"
    } else {
        "user_enabled"
    };
    log_admin(store, caller, &user, kind, json!({})).await
}

/// Ends every session of a user (they must sign in again); returns how many ended.
pub async fn end_sessions(store: &Store, caller: &Caller, login: &str) -> Result<u64, AppError> {
    let user = user_named(store, login).await?;
    may_manage(store, caller, &user).await?;
    let n = store.end_sessions(user.id).await?;
    log_admin(
        store,
        caller,
        &user,
        "sessions_ended",
        json!({"sessions": n}),
    )
    .await?;
    Ok(n)
}

/// Adds a role to a user.
pub async fn add_role(
    store: &Store,
    caller: &Caller,
    login: &str,
    role: Role,
    scope: Scope,
) -> Result<(), AppError> {
    let user = user_named(store, login).await?;
    if !user.roles.is_empty() {
        may_manage(store, caller, &user).await?;
    }
    may_grant(store, caller, role, scope).await?;
    store
        .add_role(&caller.name, user.id, role.code(), scope)
        .await?;
    log_admin(
        store,
        caller,
        &user,
        "role_added",
        json!({"role": role.code(), "scope": scope_json(scope)}),
    )
    .await
}

/// Removes the `index`th role of a user (as [`StoredUser::roles`] lists them); the
/// user's sessions end, so the change holds at once.
pub async fn remove_role(
    store: &Store,
    caller: &Caller,
    login: &str,
    index: usize,
) -> Result<(), AppError> {
    let user = user_named(store, login).await?;
    may_manage(store, caller, &user).await?;
    let Some((role, scope)) = user.roles.get(index).cloned() else {
        return Err(AppError::Invalid(format!("{login} has no role {index}")));
    };
    // Nobody takes their own administration away (a sole administrator would be locked
    // out; `kusei user` recovers that, the browser need not cause it).
    if user.login == caller.name
        && matches!(
            Role::from_code(&role),
            Some(Role::SystemAdmin | Role::CityAdmin)
        )
    {
        return Err(AppError::Invalid(
            "you cannot remove your own administration role".into(),
        ));
    }
    store.remove_role(&caller.name, user.id, index).await?;
    store.end_sessions(user.id).await?;
    log_admin(
        store,
        caller,
        &user,
        "role_removed",
        json!({"role": role, "scope": scope_json(scope)}),
    )
    .await
}

/// Changes a user's display name.
pub async fn rename_user(
    store: &Store,
    caller: &Caller,
    login: &str,
    display_name: &str,
) -> Result<(), AppError> {
    let user = user_named(store, login).await?;
    may_manage(store, caller, &user).await?;
    store
        .rename_user(&caller.name, user.id, display_name)
        .await?;
    Ok(())
}

/// Whether an e-mail address can be mailed to (one `@`, a dot in the domain, no spaces).
pub fn email_problem(email: &str) -> Option<(&'static str, &'static str)> {
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.parse::<lettre::Address>().is_ok()
        && email
            .rsplit_once('@')
            .is_some_and(|(_, d)| d.contains('.') || d == "localhost");
    (!ok).then_some((
        "メールアドレスの形式が正しくありません（例: tanaka@city.example.lg.jp）。",
        "This is not an e-mail address (for example tanaka@city.example.lg.jp).",
    ))
}

/// Sets or clears the address a user's notifications are mailed to (administrators of
/// the user's municipality).
pub async fn set_email(
    store: &Store,
    caller: &Caller,
    login: &str,
    email: Option<&str>,
) -> Result<(), AppError> {
    let user = user_named(store, login).await?;
    may_manage(store, caller, &user).await?;
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    if let Some(e) = email {
        if let Some((ja, en)) = email_problem(e) {
            return Err(AppError::Fields(vec![
                kusei_domain::council::FieldProblem {
                    field: "email",
                    ja,
                    en,
                },
            ]));
        }
    }
    store.set_user_email(&caller.name, user.id, email).await?;
    Ok(())
}

fn scope_json(scope: Scope) -> serde_json::Value {
    match scope {
        Scope::System => json!("system"),
        Scope::Municipality(m) => json!({"municipality_id": m.0}),
        Scope::Unit(u) => json!({"unit_id": u.0}),
    }
}

/// A one-time password: 16 characters from an alphabet without look-alikes.
pub fn one_time_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}
