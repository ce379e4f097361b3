//! Password hashing: argon2 (PHC strings), accepting the original's unsalted md5 hex once so the
//! caller can migrate it on login (spec §3.3).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Hashes `password` into an argon2id PHC string.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    Wrong,
    Right,
    /// Right, but stored as legacy md5: store this argon2 hash instead.
    RightUpgrade(String),
}

/// Checks `password` against `stored` (argon2 PHC or legacy md5 hex).
pub fn verify(password: &str, stored: &str) -> Check {
    if let Ok(parsed) = PasswordHash::new(stored) {
        return match Argon2::default().verify_password(password.as_bytes(), &parsed) {
            Ok(()) => Check::Right,
            Err(_) => Check::Wrong,
        };
    }
    let legacy = crate::auth::md5_hex(password);
    let same: bool = subtle::ConstantTimeEq::ct_eq(legacy.as_bytes(), stored.as_bytes()).into();
    match (same, hash(password)) {
        (true, Ok(h)) => Check::RightUpgrade(h),
        (true, Err(_)) => Check::Right,
        (false, _) => Check::Wrong,
    }
}

/// `verify` on the blocking thread pool: argon2 takes milliseconds of CPU, which must not stall
/// the HTTP worker's other requests.
pub async fn verify_off_thread(password: &str, stored: &str) -> Check {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    actix_web::web::block(move || verify(&password, &stored))
        .await
        .unwrap_or(Check::Wrong)
}

/// `hash` on the blocking thread pool.
pub async fn hash_off_thread(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    actix_web::web::block(move || hash(&password)).await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_hashes_verify() {
        let h = hash("Secret123").unwrap();
        assert_eq!(verify("Secret123", &h), Check::Right);
        assert_eq!(verify("secret123", &h), Check::Wrong);
    }

    #[test]
    fn legacy_md5_hashes_verify_once_and_ask_for_an_upgrade() {
        let legacy = crate::auth::md5_hex("Secret123");
        assert!(matches!(
            verify("Secret123", &legacy),
            Check::RightUpgrade(_)
        ));
        assert_eq!(verify("nope", &legacy), Check::Wrong);
    }
}
