//! Passwords (Argon2id) and the sign-in policy: lock-out and rate limits.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};

/// Wrong passwords in a row before an account locks.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i64 = 15;
/// Failed sign-ins from one address within `WINDOW_MINUTES` before it gets 429s.
pub const MAX_ATTEMPTS_PER_IP: i64 = 20;
pub const WINDOW_MINUTES: i64 = 15;
pub const SESSION_HOURS: i64 = 12;

pub fn hash_password(password: &str) -> String {
    let hash: PasswordHash = Argon2::default().hash_password(password.as_bytes()).expect("argon2 hashing with default parameters");
    hash.to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// [`hash_password`] on a blocking thread: Argon2id takes tens of milliseconds of a core on
/// purpose, which on an async worker thread would stall every request queued behind it.
pub async fn hash_off_thread(password: String) -> String {
    match tokio::task::spawn_blocking(move || hash_password(&password)).await {
        Ok(h) => h,
        // Only a panic inside the hash gets here; re-raise it where it belongs.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// [`verify_password`] on a blocking thread (see [`hash_off_thread`]).
pub async fn verify_off_thread(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

/// A hash to verify against when the e-mail is unknown, so that a wrong address costs the same
/// time as a wrong password and does not reveal which addresses have accounts.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password-0000"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[tokio::test]
    async fn hashing_off_the_async_threads_gives_the_same_answers() {
        let h = hash_off_thread("correct horse battery".into()).await;
        assert!(verify_off_thread("correct horse battery".into(), h.clone()).await);
        assert!(!verify_off_thread("wrong".into(), h).await);
    }
}
