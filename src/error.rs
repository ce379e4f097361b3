//! `ApiError` and the legacy response envelope `{code, msg, data, note}` (spec §1).
//!
//! This is the only place that knows the legacy codes' HTTP mapping: every answer is HTTP 200 with
//! an envelope, except a body over the limit (413) and an internal failure (500, generic text).

use std::borrow::Cow;

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The legacy envelope. `code` is never 0.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub code: u16,
    pub msg: Value,
    pub data: Value,
    pub note: Value,
}

impl Envelope {
    /// `{code:200, msg, data:{}, note:{}}`.
    pub fn ok(msg: &str) -> Envelope {
        Envelope::new(200, msg, json!({}))
    }

    /// `{code:200, msg, data, note:{}}`.
    pub fn ok_data(msg: &str, data: Value) -> Envelope {
        Envelope::new(200, msg, data)
    }

    /// Any code with a text message and data.
    pub fn new(code: u16, msg: &str, data: Value) -> Envelope {
        Envelope {
            code,
            msg: Value::String(msg.to_owned()),
            data,
            note: json!({}),
        }
    }

    /// Sets the `note` glossary (contact and diary lists).
    pub fn with_note(mut self, note: Value) -> Envelope {
        self.note = note;
        self
    }
}

/// Writes `{code:200, msg, data, note:{}}` (the [`Envelope`] of `data`) with `data` serialized
/// from its own type, not through a `Value` tree: for large typed answers.
pub fn write_envelope<T: Serialize>(
    out: &mut Vec<u8>,
    msg: &str,
    data: &T,
) -> serde_json::Result<()> {
    #[derive(Serialize)]
    struct Typed<'a, T> {
        code: u16,
        msg: &'a str,
        data: &'a T,
        note: Empty,
    }
    #[derive(Serialize)]
    struct Empty {}
    serde_json::to_writer(
        out,
        &Typed {
            code: 200,
            msg,
            data,
            note: Empty {},
        },
    )
}

impl actix_web::Responder for Envelope {
    type Body = actix_web::body::BoxBody;
    fn respond_to(self, _req: &actix_web::HttpRequest) -> HttpResponse {
        HttpResponse::Ok().json(self)
    }
}

/// Django-style form errors: `{"<field>": [{"message": "<text>", "code": "required|invalid"}]}`.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Map<String, Value>);

impl FormErrors {
    /// Django's text for a missing field.
    pub const REQUIRED: &'static str = "This field is required.";
    /// Django's text for a non-integer in an integer field.
    pub const NOT_INT: &'static str = "Enter a whole number.";

    /// Records a missing field with Django's default text.
    pub fn required(&mut self, field: &str) {
        self.add(field, Self::REQUIRED, "required");
    }

    /// Records a field with an invalid value.
    pub fn invalid(&mut self, field: &str, message: &str) {
        self.add(field, message, "invalid");
    }

    /// Records any error.
    pub fn add(&mut self, field: &str, message: &str, code: &str) {
        let entry = self
            .0
            .entry(field.to_owned())
            .or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(list) = entry {
            list.push(json!({"message": message, "code": code}));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The error object as JSON.
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// A single-field error set.
    pub fn single(field: &str, message: &str, code: &str) -> FormErrors {
        let mut e = FormErrors::default();
        e.add(field, message, code);
        e
    }

    /// `{code, msg:<errors>}` — the most common shape.
    pub fn in_msg(self, code: u16) -> ApiError {
        ApiError::Form {
            code,
            errors: self,
            text: None,
        }
    }

    /// `{code, msg:text, data:<errors>}` — the shape of the `'请求异常'` answers.
    pub fn in_data(self, code: u16, text: &'static str) -> ApiError {
        ApiError::Form {
            code,
            errors: self,
            text: Some(text),
        }
    }
}

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A business answer: `{code, msg}` with empty data.
    #[error("{code}: {msg}")]
    Code { code: u16, msg: Cow<'static, str> },
    /// A validation failure in Django's shape; errors go in `msg`, or in `data` when `text` is set.
    #[error("form errors ({code})")]
    Form {
        code: u16,
        errors: FormErrors,
        text: Option<&'static str>,
    },
    /// Signature failure: exactly `{code:400, msg:'token异常'}` (spec §1.2).
    #[error("token异常")]
    BadSignature,
    /// The route exists but not for this HTTP method: `{code:402, msg:'请求方式异常'}`.
    #[error("请求方式异常")]
    WrongMethod,
    /// Body over the configured limit: HTTP 413 with `{code:301, msg:'请求过大'}`.
    #[error("请求过大")]
    TooLarge,
    /// New: the body did not arrive within `server.body_timeout_secs` (a client trickling bytes
    /// to hold the connection): HTTP 408 with `{code:301, msg:'请求体读取超时'}`, then the
    /// connection is closed.
    #[error("请求体读取超时")]
    SlowBody,
    /// New: more sends than the node can commit right now; nothing was stored. HTTP 200,
    /// `{code:429, msg:'服务器繁忙,请稍后重试'}` (distinct from a socket's own rate limit).
    #[error("服务器繁忙,请稍后重试")]
    Busy,
    /// New: the database cannot be reached (outage, restart). HTTP 200,
    /// `{code:503, msg:'服务暂时不可用,请稍后重试'}`: retry later, nothing was changed.
    #[error("服务暂时不可用,请稍后重试")]
    Unavailable,
    /// Anything unexpected. Logged with its cause chain where the response is built; never shown.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// `{code, msg}` with a static or owned text.
    pub fn code(code: u16, msg: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError::Code {
            code,
            msg: msg.into(),
        }
    }

    /// `{code:302, msg}` — "no such record" in the legacy table.
    pub fn not_found(msg: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError::code(302, msg)
    }

    /// The envelope this error answers with.
    pub fn envelope(&self) -> Envelope {
        match self {
            ApiError::Code { code, msg } => Envelope::new(*code, msg, json!({})),
            ApiError::Form {
                code,
                errors,
                text: None,
            } => Envelope {
                code: *code,
                msg: errors.to_value(),
                data: json!({}),
                note: json!({}),
            },
            ApiError::Form {
                code,
                errors,
                text: Some(text),
            } => Envelope::new(*code, text, errors.to_value()),
            ApiError::BadSignature => Envelope::new(400, "token异常", json!({})),
            ApiError::WrongMethod => Envelope::new(402, "请求方式异常", json!({})),
            ApiError::TooLarge => Envelope::new(301, "请求过大", json!({})),
            ApiError::SlowBody => Envelope::new(301, "请求体读取超时", json!({})),
            ApiError::Busy => Envelope::new(429, "服务器繁忙,请稍后重试", json!({})),
            ApiError::Unavailable => Envelope::new(503, "服务暂时不可用,请稍后重试", json!({})),
            ApiError::Internal(cause) if cause_unavailable(cause) => {
                ApiError::Unavailable.envelope()
            }
            ApiError::Internal(_) => Envelope::new(500, "服务器内部错误", json!({})),
        }
    }
}

/// Whether a database error means "cannot reach the database now" (retry later) rather than a
/// fault of this query: a lost or refused connection, a server shutting down or not yet accepting.
pub fn db_unavailable(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        None => true,
        Some(state) => {
            let code = state.code();
            code.starts_with("08") || code.starts_with("57P") || code == "53300" || code == "55000"
        }
    }
}

/// Whether an error that travelled as `anyhow` was a database outage underneath.
pub fn cause_unavailable(cause: &anyhow::Error) -> bool {
    cause.chain().any(|c| {
        c.downcast_ref::<tokio_postgres::Error>()
            .is_some_and(db_unavailable)
            || c.downcast_ref::<deadpool_postgres::PoolError>().is_some()
    })
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        if db_unavailable(&e) {
            tracing::warn!(error = %e, "database unavailable");
            ApiError::Unavailable
        } else {
            ApiError::Internal(e.into())
        }
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        // Every pool failure (timeout, refused or failed connect, closed pool) means no connection.
        tracing::warn!(error = %e, "database unavailable");
        ApiError::Unavailable
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::SlowBody => StatusCode::REQUEST_TIMEOUT,
            ApiError::Internal(cause) if !cause_unavailable(cause) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::OK,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) if cause_unavailable(cause) => {
                tracing::warn!(error = format!("{cause:#}"), "database unavailable")
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error")
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::SlowBody) {
            // The rest of the body may still be trickling in: never read it, never reuse the
            // connection.
            response.force_close();
        }
        response.json(self.envelope())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_errors_use_the_django_shape_in_msg() {
        let mut e = FormErrors::default();
        e.required("uid");
        let env = e.in_msg(301).envelope();
        assert_eq!(env.code, 301);
        assert_eq!(
            env.msg,
            json!({"uid": [{"message": "This field is required.", "code": "required"}]})
        );
        assert_eq!(env.data, json!({}));
    }

    #[test]
    fn form_errors_can_go_in_data_with_a_text_message() {
        let e = FormErrors::single("u_id", FormErrors::NOT_INT, "invalid").in_data(402, "请求异常");
        let env = e.envelope();
        assert_eq!((env.code, env.msg.as_str()), (402, Some("请求异常")));
        assert_eq!(env.data["u_id"][0]["code"], "invalid");
    }

    #[test]
    fn a_signature_failure_is_exactly_token_yichang() {
        let v = serde_json::to_value(ApiError::BadSignature.envelope()).unwrap();
        assert_eq!(
            v,
            json!({"code": 400, "msg": "token异常", "data": {}, "note": {}})
        );
    }

    #[test]
    fn internal_errors_never_show_their_cause() {
        let e = ApiError::Internal(anyhow::anyhow!("connection refused to 10.0.0.1"));
        let v = serde_json::to_value(e.envelope()).unwrap();
        assert!(!v.to_string().contains("refused"));
    }
}
