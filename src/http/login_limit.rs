//! Login abuse limits (issue 8, New): failed radar and admin logins are counted per login name and
//! per client address in PostgreSQL, so every node sees the same counts. A key that reaches its
//! limit within `auth.login_window_secs` is refused for `auth.login_backoff_secs`, doubling with
//! each further failure up to `auth.login_max_backoff_secs`; a refused attempt answers
//! `{code:429, msg:'尝试次数过多,请稍后再试'}` without checking the password. A successful login
//! forgets its name's failures (not its address's: one good account must not reset a spray).
//!
//! An attempt holds its name's and its address's turn (`turns`) from the count check to the
//! recording of its outcome: checked side by side, concurrent guesses all passed the count before
//! the first failure was written (a black-box test had 29 of 30 concurrent guesses checked against
//! a limit of 5). The turns are per node, so several nodes may each check one attempt of a key at
//! once; a node's other attempts wait, without a database connection, and then find the key
//! blocked. Legitimate concurrent logins (one account on two devices) simply wait their turn.

use std::net::IpAddr;
use std::sync::LazyLock;

use tokio::sync::{Mutex, OwnedMutexGuard};

use actix_web::HttpRequest;

use crate::config::AuthSettings;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::login_attempt;

/// The answer to a refused attempt.
pub fn too_many() -> ApiError {
    ApiError::code(429, "尝试次数过多,请稍后再试")
}

/// One login attempt's keys: its name (per kind) and the client's address, and the turns it holds.
#[derive(Debug)]
pub struct Attempt {
    kind: &'static str,
    login: String,
    address: Option<String>,
    /// Held from `admit` until the attempt is dropped (its outcome recorded).
    _turns: Vec<OwnedMutexGuard<()>>,
}

/// Stripes of per-key turns: a key waits on the stripe its hash picks (two keys sharing one only
/// wait for each other, and logins are rare), with a fixed memory whatever the keys.
const STRIPES: usize = 256;
static TURNS: LazyLock<Vec<std::sync::Arc<Mutex<()>>>> =
    LazyLock::new(|| (0..STRIPES).map(|_| Default::default()).collect());

fn stripe(key: &str) -> usize {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key) as usize % STRIPES
}

/// Waits for the turns of `keys`, taken in stripe order (so two attempts never wait on each other
/// crosswise).
async fn turns(keys: &[String]) -> Vec<OwnedMutexGuard<()>> {
    let mut stripes: Vec<usize> = keys.iter().map(|k| stripe(k)).collect();
    stripes.sort_unstable();
    stripes.dedup();
    let mut held = Vec::with_capacity(stripes.len());
    for i in stripes {
        held.push(TURNS[i].clone().lock_owned().await);
    }
    held
}

impl Attempt {
    /// An attempt of `kind` (`radar`, `admin`) at `login` from the request's client.
    pub fn new(state: &AppState, req: &HttpRequest, kind: &'static str, login: &str) -> Attempt {
        Attempt {
            kind,
            login: format!("login:{kind}:{login}"),
            address: client_address(req, &state.settings.auth).map(|ip| format!("addr:{ip}")),
            _turns: Vec::new(),
        }
    }

    fn keys(&self) -> Vec<String> {
        std::iter::once(self.login.clone())
            .chain(self.address.clone())
            .collect()
    }

    /// Waits for the turn of its name and address, then refuses the attempt (429) while either is
    /// blocked. The turn is held until the attempt is dropped.
    pub async fn admit(&mut self, state: &AppState) -> Result<(), ApiError> {
        if state.settings.auth.login_max_failures == 0 {
            return Ok(());
        }
        self._turns = turns(&self.keys()).await;
        let db = state.db.get().await?;
        if login_attempt::blocked(&db, &self.keys()).await? {
            crate::telemetry::metrics::login_rate_limited(self.kind);
            return Err(too_many());
        }
        Ok(())
    }

    /// Counts a failure (unknown name, wrong password, disabled account) against the name and the
    /// address, blocking either that reached its limit.
    pub async fn failed(&self, state: &AppState) -> Result<(), ApiError> {
        let auth = &state.settings.auth;
        if auth.login_max_failures == 0 {
            return Ok(());
        }
        let db = state.db.get().await?;
        let limits = [
            (Some(&self.login), auth.login_max_failures),
            (self.address.as_ref(), auth.login_max_failures_per_address),
        ];
        for (key, limit) in limits {
            let Some(key) = key else { continue };
            let failures = login_attempt::fail(&db, key, auth.login_window_secs).await?;
            if let Some(secs) = backoff_secs(auth, failures, limit) {
                login_attempt::block(&db, key, secs).await?;
            }
        }
        if rand::random::<u8>() == 0 {
            login_attempt::purge(&db).await?;
        }
        Ok(())
    }

    /// Forgets the name's failures after a successful login.
    pub async fn succeeded(&self, state: &AppState) -> Result<(), ApiError> {
        if state.settings.auth.login_max_failures == 0 {
            return Ok(());
        }
        let db = state.db.get().await?;
        login_attempt::clear(&db, &self.login).await?;
        Ok(())
    }
}

/// How long a key with `failures` failures is blocked (None: not yet at `limit`; 0 = no limit):
/// the base backoff at the limit, doubled for each failure past it, capped.
fn backoff_secs(auth: &AuthSettings, failures: i32, limit: u32) -> Option<u64> {
    let failures = u32::try_from(failures).ok()?;
    if limit == 0 || failures < limit {
        return None;
    }
    let doublings = (failures - limit).min(32);
    Some(
        auth.login_backoff_secs
            .saturating_mul(1u64 << doublings)
            .min(auth.login_max_backoff_secs.max(auth.login_backoff_secs)),
    )
}

/// The client's address: the peer's, or the `X-Real-IP` header's when the peer is one of
/// `auth.trusted_proxies` (the reverse proxy in front, see deploy/nginx).
fn client_address(req: &HttpRequest, auth: &AuthSettings) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let trusted = auth
        .trusted_proxies
        .split(',')
        .filter_map(|p| p.trim().parse::<IpAddr>().ok())
        .any(|p| p == peer);
    if !trusted {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get("x-real-ip")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    Some(forwarded.unwrap_or(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> AuthSettings {
        AuthSettings {
            timestamp_window_secs: 900,
            token_cache_secs: 30,
            login_max_failures: 5,
            login_max_failures_per_address: 20,
            login_window_secs: 900,
            login_backoff_secs: 60,
            login_max_backoff_secs: 3600,
            trusted_proxies: String::new(),
        }
    }

    #[test]
    fn the_backoff_starts_at_the_limit_and_doubles_up_to_the_cap() {
        let a = auth();
        assert_eq!(backoff_secs(&a, 4, 5), None);
        assert_eq!(backoff_secs(&a, 5, 5), Some(60));
        assert_eq!(backoff_secs(&a, 6, 5), Some(120));
        assert_eq!(backoff_secs(&a, 7, 5), Some(240));
        assert_eq!(backoff_secs(&a, 30, 5), Some(3600));
        assert_eq!(backoff_secs(&a, i32::MAX, 5), Some(3600));
        assert_eq!(backoff_secs(&a, 100, 0), None);
        assert_eq!(backoff_secs(&a, -1, 5), None);
    }

    #[test]
    fn the_forwarded_address_counts_only_behind_a_trusted_proxy() {
        use actix_web::test::TestRequest;
        let peer: std::net::SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let req = TestRequest::default()
            .peer_addr(peer)
            .insert_header(("X-Real-IP", "203.0.113.9"))
            .to_http_request();
        let mut a = auth();
        assert_eq!(client_address(&req, &a), Some(peer.ip()));
        a.trusted_proxies = "10.0.0.1, 127.0.0.1".to_owned();
        assert_eq!(
            client_address(&req, &a),
            Some("203.0.113.9".parse().unwrap())
        );
    }
}
