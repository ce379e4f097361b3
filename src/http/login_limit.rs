//! Login abuse limits (issue 8, New): failed radar and admin logins are counted per login name and
//! per client address in PostgreSQL, so every node sees the same counts. A key that reaches its
//! limit within `auth.login_window_secs` is refused for `auth.login_backoff_secs`, doubling with
//! each further failure up to `auth.login_max_backoff_secs`; a refused attempt answers
//! `{code:429, msg:'尝试次数过多,请稍后再试'}` without checking the password. A successful login
//! forgets its name's failures (not its address's: one good account must not reset a spray).
//!
//! Every attempt is counted **before** its password is checked (`admit` reserves it, as a failure
//! until it is given back): counting after the check let concurrent attempts all pass the check
//! of the count first (a black-box test had 29 of 30 concurrent guesses checked against a limit
//! of 5). The attempt that brings a key to its limit blocks it at once, before its own check, so
//! attempts racing it are refused; it is itself checked, as is the first attempt after a block
//! ends (which blocks again, twice as long). A successful login gives its address's reservation
//! back (lifting a block it set) and clears its name.

use std::net::IpAddr;

use actix_web::HttpRequest;

use crate::config::AuthSettings;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::login_attempt;

/// The answer to a refused attempt.
pub fn too_many() -> ApiError {
    ApiError::code(429, "尝试次数过多,请稍后再试")
}

/// One login attempt's keys: its name (per kind) and the client's address, and what `admit`
/// reserved of each.
#[derive(Debug, Clone)]
pub struct Attempt {
    kind: &'static str,
    login: String,
    address: Option<String>,
    /// (key, its count with this attempt, its limit), for each key `admit` reserved.
    reserved: Vec<(String, u32, u32)>,
}

impl Attempt {
    /// An attempt of `kind` (`radar`, `admin`) at `login` from the request's client.
    pub fn new(state: &AppState, req: &HttpRequest, kind: &'static str, login: &str) -> Attempt {
        Attempt {
            kind,
            login: format!("login:{kind}:{login}"),
            address: client_address(req, &state.settings.auth).map(|ip| format!("addr:{ip}")),
            reserved: Vec::new(),
        }
    }

    /// The keys that are limited, each with its limit (0 = the key is not limited).
    fn limits(&self, auth: &AuthSettings) -> Vec<(String, u32)> {
        std::iter::once((self.login.clone(), auth.login_max_failures))
            .chain(
                self.address
                    .clone()
                    .map(|a| (a, auth.login_max_failures_per_address)),
            )
            .filter(|(_, limit)| *limit > 0)
            .collect()
    }

    /// Counts the attempt against its name and address before the password is checked; refuses
    /// it (429) while either is blocked or when it is past a limit in a burst. The attempt that
    /// reaches a limit, or the first one after a block ended, blocks the key before its check.
    pub async fn admit(&mut self, state: &AppState) -> Result<(), ApiError> {
        let auth = &state.settings.auth;
        if auth.login_max_failures == 0 {
            return Ok(());
        }
        let db = state.db.get().await?;
        for (key, limit) in self.limits(auth) {
            let reserved = login_attempt::reserve(&db, &key, auth.login_window_secs).await?;
            let admitted = reserved.filter(|r| r.count <= limit || r.served_block);
            let Some(r) = admitted else {
                // Blocked, or past the limit while the attempt that reached it is being checked.
                crate::telemetry::metrics::login_rate_limited(self.kind);
                return Err(too_many());
            };
            if let Some(secs) = backoff_secs(auth, r.count, limit) {
                login_attempt::block(&db, &key, secs).await?;
            }
            self.reserved.push((key, r.count, limit));
        }
        Ok(())
    }

    /// The attempt failed (unknown name, wrong password, disabled account): it stays counted, and
    /// a key it brought to its limit stays blocked (again from now).
    pub async fn failed(&self, state: &AppState) -> Result<(), ApiError> {
        let auth = &state.settings.auth;
        if self.reserved.is_empty() {
            return Ok(());
        }
        let db = state.db.get().await?;
        for (key, count, limit) in &self.reserved {
            if let Some(secs) = backoff_secs(auth, *count, *limit) {
                login_attempt::block(&db, key, secs).await?;
            }
        }
        if rand::random::<u8>() == 0 {
            login_attempt::purge(&db).await?;
        }
        Ok(())
    }

    /// The login succeeded: its name's failures are forgotten, its address's reservation given
    /// back.
    pub async fn succeeded(&self, state: &AppState) -> Result<(), ApiError> {
        if self.reserved.is_empty() {
            return Ok(());
        }
        let db = state.db.get().await?;
        login_attempt::clear(&db, &self.login).await?;
        for (key, _, limit) in self.reserved.iter().filter(|(k, ..)| *k != self.login) {
            login_attempt::refund(&db, key, *limit).await?;
        }
        Ok(())
    }

    /// The password was never checked (the node was busy): every reservation is given back.
    pub async fn unchecked(&self, state: &AppState) -> Result<(), ApiError> {
        if self.reserved.is_empty() {
            return Ok(());
        }
        let db = state.db.get().await?;
        for (key, _, limit) in &self.reserved {
            login_attempt::refund(&db, key, *limit).await?;
        }
        Ok(())
    }
}

/// How long a key with `failures` failures is blocked (None: not yet at `limit`; 0 = no limit):
/// the base backoff at the limit, doubled for each failure past it, capped.
fn backoff_secs(auth: &AuthSettings, failures: u32, limit: u32) -> Option<u64> {
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
        assert_eq!(backoff_secs(&a, u32::MAX, 5), Some(3600));
        assert_eq!(backoff_secs(&a, 100, 0), None);
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
