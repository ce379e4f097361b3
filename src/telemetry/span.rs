//! Spans: one per HTTP request (the [`middleware`]) and one per websocket ([`socket`]), carrying
//! what an operator needs to follow one client: a request id, the route *pattern*, and the
//! principal's kind and id once its signature was checked.
//!
//! Never recorded: tokens, session keys, passwords, `rand_str`, phone numbers, query strings or
//! bodies. The route is the pattern (`/chat/send_msg/{id}`), never the raw path, so neither a log
//! line nor a metric label carries client text. The middleware also records the HTTP metrics.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::field::Empty;
use tracing::{Instrument, Span};

use super::metrics::{names, UNMATCHED_ROUTE};

/// The request id header: taken from the client (a proxy) when well-formed, else generated, and
/// echoed on the response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Longest request id taken from a client.
const MAX_REQUEST_ID: usize = 64;

tokio::task_local! {
    /// The span of the request being served on this task (handlers add the principal to it).
    static REQUEST_SPAN: Span;
}

/// The per-request middleware (`actix_web::middleware::from_fn(telemetry::span::middleware)`):
/// opens the request span, answers with `x-request-id`, and counts the request by route and
/// status with its latency.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let id = request_id(&req);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        route = %route,
        principal = Empty,
        principal_id = Empty,
    );
    let served = REQUEST_SPAN.scope(span.clone(), next.call(req).instrument(span.clone()));
    let result = served.await;
    let status = match &result {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    let elapsed = started.elapsed();
    let code = status.as_u16().to_string();
    metrics::counter!(names::HTTP_REQUESTS, "route" => route.clone(), "code" => code).increment(1);
    metrics::histogram!(names::HTTP_DURATION, "route" => route).record(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::debug!(target: "radar::access", status = status.as_u16(), elapsed_ms = elapsed.as_secs_f64() * 1e3, "request finished");
    });
    let mut res = result?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}

/// The client's `x-request-id` if it is short and plain (letters, digits, `-_.`), else a new one.
fn request_id(req: &ServiceRequest) -> String {
    let given = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= MAX_REQUEST_ID
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    match given {
        Some(id) => id.to_owned(),
        None => uuid::Uuid::new_v4().simple().to_string(),
    }
}

/// Records the signed principal on the current request's span (no-op outside a request, e.g. in
/// a socket session: use [`record_principal`] on the socket's span there).
pub fn record_request_principal(kind: &'static str, id: i64) {
    let _ = REQUEST_SPAN.try_with(|span| record_principal(span, kind, id));
}

/// Records the principal (`customer`, `radar` or `admin`, and its id) on `span`.
pub fn record_principal(span: &Span, kind: &'static str, id: i64) {
    span.record("principal", kind);
    span.record("principal_id", id);
}

/// The span of one websocket session, for its whole life: the socket kind (`mini_program`,
/// `radar_chat`, `radar_badge`, `radar_contacts`), and the principal once the first valid frame
/// bound it ([`record_principal`]). Created during the upgrade, it is a child of that request's
/// span, so its lines carry the upgrade's request id too. Enter it around each frame's handling
/// (`span.in_scope(..)` or `.instrument(span.clone())`).
pub fn socket(kind: &'static str) -> Span {
    tracing::info_span!(
        "socket",
        kind,
        principal = Empty,
        principal_id = Empty,
        partner_id = Empty,
    )
}
