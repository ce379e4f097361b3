//! Local answers for `WechatMode::Dev`: no network, deterministic per input.
//!
//! Dev mode serves the embedded default and demos, where no real mini-program exists. The same
//! `js_code` always yields the same openid and session_key, so a test or demo can log in twice as
//! the same customer and can compute the session_key it needs to build encrypted phone data
//! ([`dev_session_key`]). Never use it in production: anyone can log in as anyone.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use md5::{Digest, Md5};
use secrecy::SecretString;

use super::{Session, WechatError};

/// The access token dev mode hands out.
pub const DEV_ACCESS_TOKEN: &str = "dev_access_token";

/// The `expires_in` dev mode reports with [`DEV_ACCESS_TOKEN`] (WeChat's usual 7,200 s).
pub const DEV_ACCESS_TOKEN_EXPIRES_IN: u64 = 7200;

/// A 1×1 grey PNG that stands in for a mini-program code in dev mode.
pub const PLACEHOLDER_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0x0f, 0x00, 0x01,
    0x01, 0x01, 0x00, 0x1c, 0xb0, 0x8c, 0x99, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn md5_of(prefix: &str, js_code: &str) -> [u8; 16] {
    let mut h = Md5::new();
    h.update(prefix.as_bytes());
    h.update(js_code.as_bytes());
    h.finalize().into()
}

/// The openid dev mode answers for `js_code`: `"dev_"` + the first 24 hex digits of
/// md5(`"openid:" + js_code`).
pub fn dev_openid(js_code: &str) -> String {
    let mut hex = hex::encode(md5_of("openid:", js_code));
    hex.truncate(24);
    format!("dev_{hex}")
}

/// The session_key (standard Base64 of 16 bytes, like WeChat's) dev mode answers for `js_code`:
/// Base64 of md5(`"session:" + js_code`). Tests use it to encrypt phone-number data.
pub fn dev_session_key(js_code: &str) -> String {
    STANDARD.encode(md5_of("session:", js_code))
}

/// Dev-mode code2session. An empty `js_code` is refused like WeChat refuses a bad code
/// (`errcode 40029`), so the login failure path can be exercised without a network.
pub fn code2session(js_code: &str) -> Result<Session, WechatError> {
    if js_code.is_empty() {
        return Err(WechatError::Api {
            errcode: 40029,
            errmsg: "invalid code (dev mode)".to_owned(),
        });
    }
    Ok(Session {
        openid: dev_openid(js_code),
        session_key: SecretString::from(dev_session_key(js_code)),
        unionid: None,
    })
}

/// Dev-mode phone number by code: a code of 5 to 20 digits (an optional leading `+`) is taken as
/// the number itself, so demos and the simulator can share any number; anything else is refused
/// like WeChat refuses a bad code (`errcode 40029`).
pub fn user_phone_number(code: &str) -> Result<Option<String>, WechatError> {
    let digits = code.strip_prefix('+').unwrap_or(code);
    if (5..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(code.to_owned()));
    }
    Err(WechatError::Api {
        errcode: 40029,
        errmsg: "invalid code (dev mode)".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn the_same_code_gives_the_same_session_and_different_codes_differ() {
        let a = code2session("code-a").expect("dev mode answers");
        let a2 = code2session("code-a").expect("dev mode answers");
        let b = code2session("code-b").expect("dev mode answers");
        assert_eq!(a.openid, a2.openid);
        assert_eq!(
            a.session_key.expose_secret(),
            a2.session_key.expose_secret()
        );
        assert_ne!(a.openid, b.openid);
        assert_ne!(a.session_key.expose_secret(), b.session_key.expose_secret());
        assert_eq!(a.unionid, None);
    }

    #[test]
    fn openid_and_session_key_have_wechat_like_shapes() {
        let openid = dev_openid("x");
        assert!(openid.starts_with("dev_"));
        assert_eq!(openid.len(), 4 + 24);
        let key = STANDARD.decode(dev_session_key("x")).expect("valid Base64");
        assert_eq!(key.len(), 16);
        // Pinned (computed with Python's hashlib) so the scheme cannot drift unnoticed.
        assert_eq!(openid, "dev_a57aaaf113320bde2bf8127f");
        assert_eq!(dev_session_key("x"), "xBxVLdruZSh85yagdfRvhQ==");
    }

    #[test]
    fn an_empty_code_is_refused_like_an_invalid_code() {
        let err = code2session("").expect_err("empty code must fail");
        assert!(matches!(err, WechatError::Api { errcode: 40029, .. }));
    }

    #[test]
    fn a_phone_shaped_code_is_the_number_and_anything_else_is_refused() {
        assert_eq!(
            user_phone_number("13800138000").expect("digits"),
            Some("13800138000".to_owned())
        );
        assert!(user_phone_number("+8613800138000").is_ok());
        for bad in ["", "1234", "abc12345", "1".repeat(21).as_str(), "+"] {
            assert!(
                matches!(
                    user_phone_number(bad),
                    Err(WechatError::Api { errcode: 40029, .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_placeholder_is_a_png() {
        assert!(PLACEHOLDER_PNG.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(PLACEHOLDER_PNG.ends_with(b"IEND\xae\x42\x60\x82"));
    }
}
