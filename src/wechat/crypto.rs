//! Decryption of WeChat "open data" (`encryptedData` + `iv`, spec §8).
//!
//! A pure function: Base64 → AES-128-CBC → strict PKCS#7 → UTF-8 JSON → watermark check. It
//! knows nothing of HTTP; the handler maps every [`CryptoError`] to `{code:250, msg:'解密报错'}`.
//! Errors name the cause only: no key, IV, ciphertext or plaintext ever ends up in one, and
//! nothing here logs.

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, KeyIvInit};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use secrecy::zeroize::Zeroizing;
use serde_json::Value;

type Aes128CbcDec = cbc::Decryptor<aes::Aes128>;

const BLOCK: usize = 16;

/// Why open data could not be decrypted. Every variant means "answer 250".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// An input is not standard Base64 (even after turning spaces back into `+`).
    #[error("{0} is not valid Base64")]
    BadBase64(&'static str),
    /// The session_key does not decode to 16 bytes.
    #[error("session_key decodes to {0} bytes, expected 16")]
    BadKeyLength(usize),
    /// The IV does not decode to 16 bytes.
    #[error("iv decodes to {0} bytes, expected 16")]
    BadIvLength(usize),
    /// The ciphertext is empty or not a whole number of 16-byte blocks.
    #[error("ciphertext is {0} bytes, expected a nonzero multiple of 16")]
    BadCiphertextLength(usize),
    /// The PKCS#7 padding is wrong: usually a stale or wrong session_key.
    #[error("bad PKCS#7 padding")]
    BadPadding,
    /// The plaintext is not UTF-8 JSON.
    #[error("plaintext is not JSON")]
    BadJson,
    /// `watermark.appid` is missing or names another app.
    #[error("watermark appid does not match")]
    AppidMismatch,
}

/// Decrypts WeChat open data (e.g. the legacy phone number) with the user's `session_key` and
/// checks that `watermark.appid` equals `expected_appid`. All three inputs are standard Base64
/// as WeChat produces them; if one fails to decode and contains spaces (a `+` lost in
/// form-urlencoding), it is retried with spaces turned into `+`.
///
/// The returned JSON is the user's data (phone number): do not log it.
pub fn decrypt_user_data(
    session_key_b64: &str,
    iv_b64: &str,
    encrypted_b64: &str,
    expected_appid: &str,
) -> Result<Value, CryptoError> {
    let plain = decrypt_plaintext(session_key_b64, iv_b64, encrypted_b64)?;
    let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::BadJson)?;
    let data: Value = serde_json::from_str(text).map_err(|_| CryptoError::BadJson)?;
    let appid = data
        .get("watermark")
        .and_then(|w| w.get("appid"))
        .and_then(Value::as_str);
    if appid != Some(expected_appid) {
        return Err(CryptoError::AppidMismatch);
    }
    Ok(data)
}

/// Steps 1–3 of spec §8: decode, check lengths, decrypt, strip the padding. The returned buffer
/// is wiped when dropped.
fn decrypt_plaintext(
    session_key_b64: &str,
    iv_b64: &str,
    encrypted_b64: &str,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let key = Zeroizing::new(decode("session_key", session_key_b64)?);
    let iv = decode("iv", iv_b64)?;
    let mut buf = Zeroizing::new(decode("encryptedData", encrypted_b64)?);
    let ct_len = buf.len();
    if key.len() != BLOCK {
        return Err(CryptoError::BadKeyLength(key.len()));
    }
    if iv.len() != BLOCK {
        return Err(CryptoError::BadIvLength(iv.len()));
    }
    if ct_len == 0 || ct_len % BLOCK != 0 {
        return Err(CryptoError::BadCiphertextLength(ct_len));
    }

    // Lengths were checked above, so neither step can fail; map anyway rather than unwrap.
    Aes128CbcDec::new_from_slices(&key, &iv)
        .map_err(|_| CryptoError::BadKeyLength(key.len()))?
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .map_err(|_| CryptoError::BadCiphertextLength(ct_len))?;
    let plain_len = strip_pkcs7(&buf)?.len();
    buf.truncate(plain_len);
    Ok(buf)
}

fn decode(field: &'static str, b64: &str) -> Result<Vec<u8>, CryptoError> {
    match STANDARD.decode(b64) {
        Ok(bytes) => Ok(bytes),
        Err(_) if b64.contains(' ') => STANDARD
            .decode(b64.replace(' ', "+"))
            .map_err(|_| CryptoError::BadBase64(field)),
        Err(_) => Err(CryptoError::BadBase64(field)),
    }
}

/// Strict PKCS#7: the last byte `p` is 1..=16 and the last `p` bytes all equal `p`.
fn strip_pkcs7(padded: &[u8]) -> Result<&[u8], CryptoError> {
    let p = usize::from(*padded.last().ok_or(CryptoError::BadPadding)?);
    if p == 0 || p > BLOCK || p > padded.len() {
        return Err(CryptoError::BadPadding);
    }
    let (plain, pad) = padded.split_at(padded.len() - p);
    if pad.iter().any(|&b| usize::from(b) != p) {
        return Err(CryptoError::BadPadding);
    }
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut};

    const APPID: &str = "wx4f4bc4dec97d474b";

    // Official WXBizDataCrypt sample (WECHAT.md §3).
    const OFFICIAL_KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
    const OFFICIAL_IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
    const OFFICIAL_DATA: &str = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==";
    const OFFICIAL_PLAIN: &str = r#"{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","watermark":{"timestamp":1477314187,"appid":"wx4f4bc4dec97d474b"}}"#;

    // Self-made phone vector (WECHAT.md §3; not official).
    const PHONE_KEY: &str = "cmFkYXItdGVzdC1rZXktMQ==";
    const PHONE_IV: &str = "cmFkYXItdGVzdC1pdi0wMQ==";
    const PHONE_DATA: &str = "4Yf/uasPx0ZbU9f9QpjEalWReAnysoZNhhaQCwh8I1r0MY86eYNfaR52hbPQJh4siw05sY9GzjLtLsHWtN3wr6t6rNX5TwSUj/S/MtUj5BBMfWx5DpOZ78l41+P5n23HKPG81czkaLt8N+FYmFW2uLdFf5JmzSPAJGZpJEtApHuSFpp1xpNFApq8RQvFdIys9XjheSMAZVbxxDgQhXUfsw==";

    /// Encrypts `plain` with the phone vector's key and IV; `pad` false leaves a broken padding.
    fn encrypt(plain: &[u8], pad: bool) -> String {
        type Enc = cbc::Encryptor<aes::Aes128>;
        let key = STANDARD.decode(PHONE_KEY).expect("test key");
        let iv = STANDARD.decode(PHONE_IV).expect("test iv");
        let mut buf = vec![0u8; plain.len() + BLOCK];
        buf[..plain.len()].copy_from_slice(plain);
        let enc = Enc::new_from_slices(&key, &iv).expect("16-byte key and iv");
        let ct = if pad {
            enc.encrypt_padded_mut::<Pkcs7>(&mut buf, plain.len())
        } else {
            // One block of plaintext ending in 0x00: never valid PKCS#7.
            enc.encrypt_padded_mut::<NoPadding>(&mut buf, plain.len())
        }
        .expect("buffer large enough");
        STANDARD.encode(ct)
    }

    #[test]
    fn the_official_sample_decrypts_to_the_exact_plaintext() {
        let data = decrypt_user_data(OFFICIAL_KEY, OFFICIAL_IV, OFFICIAL_DATA, APPID)
            .expect("official sample decrypts");
        assert_eq!(data["nickName"], "Band");
        assert_eq!(data["openId"], "oGZUI0egBJY1zhBYw2KhdUfwVJJE");
        let expected: Value = serde_json::from_str(OFFICIAL_PLAIN).expect("expected is JSON");
        assert_eq!(data, expected);
        // Byte-exact check of the plaintext (393 bytes), independent of JSON parsing.
        let plain = decrypt_plaintext(OFFICIAL_KEY, OFFICIAL_IV, OFFICIAL_DATA).expect("decrypts");
        assert_eq!(plain.as_slice(), OFFICIAL_PLAIN.as_bytes());
        assert_eq!(plain.len(), 393);
    }

    #[test]
    fn the_phone_vector_yields_the_phone_number() {
        let data = decrypt_user_data(PHONE_KEY, PHONE_IV, PHONE_DATA, APPID)
            .expect("phone vector decrypts");
        assert_eq!(data["phoneNumber"], "13800138000");
        assert_eq!(data["purePhoneNumber"], "13800138000");
        assert_eq!(data["countryCode"], "86");
    }

    #[test]
    fn spaces_instead_of_plus_are_repaired() {
        assert!(OFFICIAL_DATA.contains('+'));
        let mangled = OFFICIAL_DATA.replace('+', " ");
        let data = decrypt_user_data(OFFICIAL_KEY, OFFICIAL_IV, &mangled, APPID)
            .expect("retry with '+' succeeds");
        assert_eq!(data["nickName"], "Band");
    }

    #[test]
    fn failures_name_their_cause() {
        let short_key = STANDARD.encode([7u8; 8]);
        let short_iv = STANDARD.encode([7u8; 12]);
        let odd_ct = STANDARD.encode([7u8; 15]);
        let not_json = encrypt(b"not json at all", true);
        let bad_pad = encrypt(b"0123456789abcde\0", false);
        let no_watermark = encrypt(br#"{"phoneNumber":"13800138000"}"#, true);
        #[rustfmt::skip]
        let cases: &[(&str, &str, &str, &str, &str, CryptoError)] = &[
            ("wrong appid", PHONE_KEY, PHONE_IV, PHONE_DATA, "wx0000000000000000", CryptoError::AppidMismatch),
            ("no watermark", PHONE_KEY, PHONE_IV, no_watermark.as_str(), APPID, CryptoError::AppidMismatch),
            ("key not Base64", "!!!", PHONE_IV, PHONE_DATA, APPID, CryptoError::BadBase64("session_key")),
            ("iv not Base64", PHONE_KEY, "r7BX*", PHONE_DATA, APPID, CryptoError::BadBase64("iv")),
            ("data not Base64", PHONE_KEY, PHONE_IV, "abc$def", APPID, CryptoError::BadBase64("encryptedData")),
            ("truncated Base64", PHONE_KEY, PHONE_IV, &PHONE_DATA[..PHONE_DATA.len() - 3], APPID, CryptoError::BadBase64("encryptedData")),
            ("key 8 bytes", short_key.as_str(), PHONE_IV, PHONE_DATA, APPID, CryptoError::BadKeyLength(8)),
            ("iv 12 bytes", PHONE_KEY, short_iv.as_str(), PHONE_DATA, APPID, CryptoError::BadIvLength(12)),
            ("iv empty", PHONE_KEY, "", PHONE_DATA, APPID, CryptoError::BadIvLength(0)),
            ("ciphertext 15 bytes", PHONE_KEY, PHONE_IV, odd_ct.as_str(), APPID, CryptoError::BadCiphertextLength(15)),
            ("ciphertext empty", PHONE_KEY, PHONE_IV, "", APPID, CryptoError::BadCiphertextLength(0)),
            ("padding byte 0", PHONE_KEY, PHONE_IV, bad_pad.as_str(), APPID, CryptoError::BadPadding),
            ("plaintext not JSON", PHONE_KEY, PHONE_IV, not_json.as_str(), APPID, CryptoError::BadJson),
        ];
        for (name, key, iv, data, appid, expected) in cases {
            let got = decrypt_user_data(key, iv, data, appid);
            assert_eq!(got.as_ref().err(), Some(expected), "case {name}");
        }
    }

    #[test]
    fn a_wrong_session_key_fails_without_yielding_data() {
        // The phone vector's key on the official data: garbage plaintext, almost surely with a
        // bad padding; in the rare case the padding happens to look valid, JSON parsing fails.
        let got = decrypt_user_data(PHONE_KEY, OFFICIAL_IV, OFFICIAL_DATA, APPID);
        assert!(
            matches!(got, Err(CryptoError::BadPadding | CryptoError::BadJson)),
            "got {got:?}"
        );
    }

    #[test]
    fn strict_pkcs7_rejects_inconsistent_padding() {
        let mut block = [b'x'; BLOCK];
        block[BLOCK - 1] = 3;
        block[BLOCK - 2] = 3;
        block[BLOCK - 3] = 2; // should be 3
        assert_eq!(strip_pkcs7(&block), Err(CryptoError::BadPadding));
        block[BLOCK - 3] = 3;
        assert_eq!(strip_pkcs7(&block).map(<[u8]>::len), Ok(BLOCK - 3));
        assert_eq!(strip_pkcs7(&[17u8; BLOCK]), Err(CryptoError::BadPadding));
        assert_eq!(strip_pkcs7(&[16u8; BLOCK]).map(<[u8]>::len), Ok(0));
    }

    #[test]
    fn errors_carry_no_secret_material() {
        let err = decrypt_user_data(PHONE_KEY, PHONE_IV, PHONE_DATA, "wx0000000000000000")
            .expect_err("appid mismatch");
        let text = format!("{err} {err:?}");
        for secret in [PHONE_KEY, PHONE_IV, "13800138000", APPID] {
            assert!(!text.contains(secret), "error text leaks {secret}");
        }
    }
}
