//! Password hashing: argon2 (PHC strings), accepting the original's unsalted md5 hex once so the
//! caller can migrate it on login (spec §3.3).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::ApiError;

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

/// argon2 runs at once on this node, each on a thread of its own (`threads`). Each run holds its
/// ~19 MiB of memory cost, and the blocking pool would run hundreds side by side: 300 concurrent
/// logins with unknown names took a node from 1.8 to 5.7 GB (black-box test, 2026-12-03). More
/// runs than cores finish no sooner.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(cores()))
}

type Job = Box<dyn FnOnce() + Send>;

/// The threads argon2 runs on, one per slot. Always the same few threads: glibc keeps a freed
/// run's memory in the arena of the thread that used it, and runs spread over the blocking pool's
/// many threads left ~20 MiB cached in each of them (a 300-login burst still peaked at 690 MB).
fn threads() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    static THREADS: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> =
        std::sync::OnceLock::new();
    THREADS.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..cores() {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || loop {
                    let job = rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|rx| rx.recv().map_err(|_| ()));
                    match job {
                        Ok(job) => job(),
                        Err(()) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password thread");
            }
        }
        std::sync::Mutex::new(tx)
    })
}

/// How long a password check waits for a free slot before the node answers busy.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs `work` on a password thread once a slot is free (at most [`SLOT_WAIT`]); else
/// `ApiError::Busy` (`{code:429, msg:'服务器繁忙,请稍后重试'}`).
async fn in_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _slot = tokio::time::timeout(SLOT_WAIT, slots().acquire())
        .await
        .map_err(|_| ApiError::Busy)?
        .map_err(|_| ApiError::Busy)?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(work());
    });
    let sent = threads()
        .lock()
        .map_err(|_| ())
        .and_then(|tx| tx.send(job).map_err(|_| ()));
    let lost = || ApiError::Internal(anyhow::anyhow!("password thread unavailable"));
    sent.map_err(|()| lost())?;
    answer.await.map_err(|_| lost())
}

/// `verify` off the HTTP worker (argon2 takes milliseconds of CPU, which must not stall the
/// worker's other requests), within the node's slots.
pub async fn verify_off_thread(password: &str, stored: &str) -> Result<Check, ApiError> {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    in_slot(move || verify(&password, &stored)).await
}

/// `hash` off the HTTP worker, within the node's slots.
pub async fn hash_off_thread(password: &str) -> Result<String, ApiError> {
    let password = password.to_owned();
    Ok(in_slot(move || hash(&password)).await??)
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

    #[tokio::test]
    async fn a_check_waits_for_a_free_slot_and_answers_busy_when_none_frees_in_time() {
        let all = slots().available_permits() as u32;
        let held = slots().acquire_many(all).await.unwrap();
        let started = std::time::Instant::now();
        let busy = verify_off_thread("Secret123", dummy_hash()).await;
        assert!(matches!(busy, Err(ApiError::Busy)), "{busy:?}");
        assert!(started.elapsed() >= SLOT_WAIT);
        drop(held);
        let checked = verify_off_thread("Secret123", dummy_hash()).await;
        assert!(matches!(checked, Ok(Check::Wrong)), "{checked:?}");
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
