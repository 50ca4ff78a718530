//! Passwords: argon2id PHC strings.

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
