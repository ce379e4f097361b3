//! [`Client`]: the calls Radar makes to WeChat's server API.
//!
//! In `Live` mode every call is one HTTP request to `api_base` (WeChat, or a wiremock server in
//! tests) under the configured timeout. In `Dev` mode the calls answer locally (see `dev`).
//! WeChat answers JSON, often labelled `text/plain`, so bodies are read as bytes and parsed here;
//! any nonzero `errcode` becomes [`WechatError::Api`]. Callers decide about retries and caching.

use std::{sync::Arc, time::Duration};

use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use super::{dev, WechatError};
use crate::config::{WechatMode, WechatSettings};

/// Upper bound of the connect phase; the whole request is bounded by `timeout_ms`.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// What code2session tells about one `wx.login` code.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user's id within this mini-program.
    pub openid: String,
    /// Key of the user's encrypted open data (standard Base64 of 16 bytes). Never leaves the
    /// server and is never logged.
    pub session_key: SecretString,
    /// The user's id across the Open Platform account, when the app is bound to one.
    pub unionid: Option<String>,
}

/// Handle to WeChat's server API. Cheap to clone (shares one connection pool).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    api_base: Arc<str>,
    mode: WechatMode,
}

impl Client {
    /// Builds the client. In `Dev` mode it warns loudly: logins are answered locally.
    pub fn new(settings: &WechatSettings) -> Result<Client, WechatError> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
            .user_agent(concat!("radar/", env!("CARGO_PKG_VERSION")))
            .build()?;
        if settings.mode == WechatMode::Dev {
            tracing::warn!(
                "WeChat dev mode: code2session answered locally, never use in production"
            );
        }
        Ok(Client {
            http,
            api_base: Arc::from(settings.api_base.trim_end_matches('/')),
            mode: settings.mode,
        })
    }

    /// Exchanges a `wx.login` code for the user's openid and session_key (direct mode:
    /// `GET /sns/jscode2session` with the app's own secret).
    #[tracing::instrument(skip_all, fields(appid = %appid))]
    pub async fn code2session(
        &self,
        appid: &str,
        secret: &SecretString,
        js_code: &str,
    ) -> Result<Session, WechatError> {
        if self.mode == WechatMode::Dev {
            return dev::code2session(js_code);
        }
        let request = self
            .http
            .get(format!("{}/sns/jscode2session", self.api_base))
            .query(&[
                ("appid", appid),
                ("secret", secret.expose_secret()),
                ("js_code", js_code),
                ("grant_type", "authorization_code"),
            ]);
        let body = json_body(request).await?;
        let openid = required_str(&body, "openid")?;
        let session_key = required_str(&body, "session_key")?;
        let unionid = body
            .get("unionid")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        tracing::debug!(has_unionid = unionid.is_some(), "code2session succeeded");
        Ok(Session {
            openid,
            session_key: SecretString::from(session_key),
            unionid,
        })
    }

    /// Fetches the app's access token and its lifetime in seconds via
    /// `POST /cgi-bin/stable_token`; `force_refresh` asks for a new token (WeChat: at most every
    /// 30 s, 20 a day). Not cached here: callers go through [`super::AccessTokens`].
    #[tracing::instrument(skip_all, fields(appid = %appid))]
    pub async fn access_token(
        &self,
        appid: &str,
        secret: &SecretString,
        force_refresh: bool,
    ) -> Result<(SecretString, u64), WechatError> {
        if self.mode == WechatMode::Dev {
            return Ok((
                SecretString::from(dev::DEV_ACCESS_TOKEN),
                dev::DEV_ACCESS_TOKEN_EXPIRES_IN,
            ));
        }
        let request = self
            .http
            .post(format!("{}/cgi-bin/stable_token", self.api_base))
            .json(&json!({
                "grant_type": "client_credential",
                "appid": appid,
                "secret": secret.expose_secret(),
                "force_refresh": force_refresh,
            }));
        let body = json_body(request).await?;
        let token = required_str(&body, "access_token")?;
        let expires_in = body
            .get("expires_in")
            .and_then(Value::as_u64)
            .ok_or_else(|| WechatError::BadResponse("missing expires_in".to_owned()))?;
        Ok((SecretString::from(token), expires_in))
    }

    /// Generates an unlimited mini-program code (`POST /wxa/getwxacodeunlimit`) and returns the
    /// image bytes. `page` is a page path such as `pages/index/index` (a leading `/` is dropped;
    /// no query: parameters travel in `scene`, at most 32 characters). `check_path` is false so
    /// unpublished pages work.
    #[tracing::instrument(skip_all, fields(page = %page))]
    pub async fn get_wxacode_unlimit(
        &self,
        access_token: &SecretString,
        scene: &str,
        page: &str,
    ) -> Result<Vec<u8>, WechatError> {
        if self.mode == WechatMode::Dev {
            return Ok(dev::PLACEHOLDER_PNG.to_vec());
        }
        let response = self
            .http
            .post(format!("{}/wxa/getwxacodeunlimit", self.api_base))
            .query(&[("access_token", access_token.expose_secret())])
            .json(&json!({
                "scene": scene,
                "page": page.trim_start_matches('/'),
                "check_path": false,
            }))
            .send()
            .await?
            .error_for_status()?;
        let is_json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.contains("json") || ct.starts_with("text/"));
        let bytes = response.bytes().await?;
        // Errors come as JSON; be lenient about the label and also sniff a leading '{'.
        if is_json || bytes.first() == Some(&b'{') {
            let body = parse_json(&bytes)?;
            check_errcode(&body)?;
            return Err(WechatError::BadResponse(
                "JSON without errcode instead of an image".to_owned(),
            ));
        }
        if bytes.is_empty() {
            return Err(WechatError::BadResponse("empty image".to_owned()));
        }
        tracing::debug!(bytes = bytes.len(), "mini-program code generated");
        Ok(bytes.to_vec())
    }
}

impl Client {
    /// Sends a legacy template message (`POST /cgi-bin/message/wxopen/template/send`, spec §6.5).
    /// `payload` holds `touser`, `template_id`, `form_id`, `page` and `data`. Dev mode: logged only.
    #[tracing::instrument(skip_all)]
    pub async fn send_template(
        &self,
        access_token: &SecretString,
        payload: &Value,
    ) -> Result<(), WechatError> {
        if self.mode == WechatMode::Dev {
            tracing::info!("dev mode: template message not sent");
            return Ok(());
        }
        let request = self
            .http
            .post(format!(
                "{}/cgi-bin/message/wxopen/template/send",
                self.api_base
            ))
            .query(&[("access_token", access_token.expose_secret())])
            .json(payload);
        json_body(request).await.map(|_| ())
    }
}

impl Client {
    /// The phone number behind a `getPhoneNumber` button's dynamic `code` (`POST
    /// /wxa/business/getuserphonenumber`): `phone_info.phoneNumber` (with country code as WeChat
    /// formats it), None when WeChat's answer holds none. Dev mode: `code` itself when it looks
    /// like a phone number (demos), else None. Never logged.
    #[tracing::instrument(skip_all)]
    pub async fn user_phone_number(
        &self,
        access_token: &SecretString,
        code: &str,
    ) -> Result<Option<String>, WechatError> {
        if self.mode == WechatMode::Dev {
            return dev::user_phone_number(code);
        }
        let request = self
            .http
            .post(format!("{}/wxa/business/getuserphonenumber", self.api_base))
            .query(&[("access_token", access_token.expose_secret())])
            .json(&json!({ "code": code }));
        let body = json_body(request).await?;
        Ok(body
            .get("phone_info")
            .and_then(|i| i.get("phoneNumber"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned))
    }
}

impl Client {
    /// Sends a subscribe message (`POST /cgi-bin/message/subscribe/send`): `payload` holds
    /// `touser`, `template_id`, `page` and `data`. Dev mode: logged only.
    #[tracing::instrument(skip_all)]
    pub async fn send_subscribe(
        &self,
        access_token: &SecretString,
        payload: &Value,
    ) -> Result<(), WechatError> {
        if self.mode == WechatMode::Dev {
            tracing::info!("dev mode: subscribe message not sent");
            return Ok(());
        }
        let request = self
            .http
            .post(format!("{}/cgi-bin/message/subscribe/send", self.api_base))
            .query(&[("access_token", access_token.expose_secret())])
            .json(payload);
        json_body(request).await.map(|_| ())
    }
}

/// Sends `request`, requires a 2xx status, parses the body as JSON and turns a nonzero
/// `errcode` into [`WechatError::Api`].
async fn json_body(request: reqwest::RequestBuilder) -> Result<Value, WechatError> {
    let bytes = request.send().await?.error_for_status()?.bytes().await?;
    let body = parse_json(&bytes)?;
    check_errcode(&body)?;
    Ok(body)
}

fn parse_json(bytes: &[u8]) -> Result<Value, WechatError> {
    // The serde error is dropped on purpose: its text can quote parts of the body.
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) if v.is_object() => Ok(v),
        _ => Err(WechatError::BadResponse(format!(
            "body is not a JSON object ({} bytes)",
            bytes.len()
        ))),
    }
}

fn check_errcode(body: &Value) -> Result<(), WechatError> {
    let errcode = body.get("errcode").and_then(Value::as_i64).unwrap_or(0);
    if errcode == 0 {
        return Ok(());
    }
    let errmsg = body
        .get("errmsg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    tracing::debug!(errcode, %errmsg, "WeChat refused the call");
    Err(WechatError::Api { errcode, errmsg })
}

fn required_str(body: &Value, field: &str) -> Result<String, WechatError> {
    body.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| WechatError::BadResponse(format!("missing {field}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcode_zero_or_absent_is_success_and_nonzero_is_an_api_error() {
        assert!(check_errcode(&json!({"openid": "o"})).is_ok());
        assert!(check_errcode(&json!({"errcode": 0, "errmsg": "ok"})).is_ok());
        let err = check_errcode(&json!({"errcode": -1, "errmsg": "system busy"}))
            .expect_err("nonzero errcode");
        assert!(
            matches!(err, WechatError::Api { errcode: -1, ref errmsg } if errmsg == "system busy")
        );
    }

    #[test]
    fn a_non_object_body_is_a_bad_response_that_does_not_quote_the_body() {
        for body in [&b"<html>busy</html>"[..], b"", b"\"session_key\"", b"[1]"] {
            let err = parse_json(body).expect_err("not an object");
            assert!(matches!(err, WechatError::BadResponse(_)));
            assert!(!err.to_string().contains("busy"));
        }
    }

    #[test]
    fn the_base_url_loses_its_trailing_slash() {
        let client = Client::new(&WechatSettings {
            mode: WechatMode::Live,
            api_base: "http://127.0.0.1:9/".to_owned(),
            timeout_ms: 1000,
            token_retry_after_ms: 1000,
        })
        .expect("client builds");
        assert_eq!(&*client.api_base, "http://127.0.0.1:9");
    }
}
