//! The legacy request signature (spec §2.2), pure functions only.
//!
//! `rand_str = md5(timestamp + token)` (lowercase hex). Tokens are `md5(now_ms + md5(secret))`.
//! New: compared in constant time, and `timestamp` (ms) must be fresh unless the window is 0.

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

/// Lowercase hex md5 of `s`.
pub fn md5_hex(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// Whether `rand_str` is `md5(timestamp + token)`, compared in constant time.
pub fn signature_matches(timestamp: &str, token: &str, rand_str: &str) -> bool {
    let expected = md5_hex(&format!("{timestamp}{token}"));
    expected
        .as_bytes()
        .ct_eq(rand_str.to_ascii_lowercase().as_bytes())
        .into()
}

/// Whether the client's `timestamp` (ms) lies within `window_secs` of `now_ms`. Window 0 = off.
pub fn timestamp_fresh(timestamp: &str, now_ms: i64, window_secs: u64) -> bool {
    if window_secs == 0 {
        return true;
    }
    match timestamp.trim().parse::<i64>() {
        // `abs_diff`: `now_ms - ts` overflows for a client's `ts` near i64::MIN.
        Ok(ts) => now_ms.abs_diff(ts) <= window_secs.saturating_mul(1000),
        Err(_) => false,
    }
}

/// A new principal token: `md5(str(now_ms) + md5(secret))` (spec §2.1), plus randomness so two
/// tokens made in the same millisecond differ.
pub fn new_token(secret: &str) -> String {
    let salt: u64 = rand::random();
    md5_hex(&format!("{}{}{salt}", now_ms(), md5_hex(secret)))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correct_signature_matches_and_others_do_not() {
        let rand = md5_hex("1700000000000tok");
        assert!(signature_matches("1700000000000", "tok", &rand));
        assert!(signature_matches(
            "1700000000000",
            "tok",
            &rand.to_uppercase()
        ));
        assert!(!signature_matches("1700000000001", "tok", &rand));
        assert!(!signature_matches("1700000000000", "tok", ""));
    }

    #[test]
    fn timestamps_must_be_fresh_while_the_window_is_on() {
        let now = 1_700_000_000_000;
        assert!(timestamp_fresh("1700000000000", now, 900));
        assert!(timestamp_fresh(&(now - 899_000).to_string(), now, 900));
        assert!(!timestamp_fresh(&(now - 901_000).to_string(), now, 900));
        assert!(!timestamp_fresh(&(now + 901_000).to_string(), now, 900));
        assert!(!timestamp_fresh("", now, 900));
        assert!(!timestamp_fresh("abc", now, 900));
        assert!(timestamp_fresh("", now, 0));
    }

    #[test]
    fn tokens_are_32_hex_chars_and_unique() {
        let (a, b) = (new_token("x"), new_token("x"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
