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

/// An argon2 hash of a random password, made once with the same parameters as `hash`: logins
/// check unknown names (and accounts without a password) against it, so that an unknown name
/// costs as much as a wrong password and login names cannot be told apart by timing.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = format!("{:032x}", rand::random::<u128>());
        hash(&random).unwrap_or_default()
    })
}

/// The hash a login checks: the account's stored one, else `dummy_hash`.
pub fn stored_or_dummy(stored: Option<&str>) -> &str {
    stored
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| dummy_hash())
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
    fn unknown_logins_are_checked_against_an_argon2_dummy_like_real_ones() {
        let real = hash("Secret123").unwrap();
        let dummy = stored_or_dummy(None);
        assert_eq!(dummy, stored_or_dummy(Some("")));
        assert_eq!(stored_or_dummy(Some(&real)), real);
        // Same algorithm and cost parameters: the dummy check does the same work.
        let (d, r) = (
            PasswordHash::new(dummy).unwrap(),
            PasswordHash::new(&real).unwrap(),
        );
        assert_eq!(d.algorithm, r.algorithm);
        assert_eq!(d.params, r.params);
        assert_eq!(d.version, r.version);
        assert_eq!(verify("Secret123", dummy), Check::Wrong);
        assert_eq!(verify("", dummy), Check::Wrong);
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
