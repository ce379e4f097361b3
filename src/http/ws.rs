//! The websocket endpoints (spec §6.6), at both the code's and the document's paths. Each upgrade
//! starts one `chat::session::Session` actor; its response stream is counted so the session's
//! outbound queue stays bounded. A request to a socket path that is no valid upgrade gets the
//! handshake's status (400, or 426 naming the version) with the legacy envelope.

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use actix_web_actors::ws;

use crate::chat::protocol::SocketFamily;
use crate::chat::session::outbound::{Counted, FlushCounter};
use crate::chat::session::socket::ConnSocket;
use crate::chat::session::Session;
use crate::error::Envelope;
use crate::state::AppState;

fn start(
    family: SocketFamily,
    req: &HttpRequest,
    payload: web::Payload,
    state: &web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let mut response = match ws::handshake(req) {
        Ok(response) => response,
        Err(refused) => return Ok(handshake_refused(refused)),
    };
    let counter = Arc::new(FlushCounter::default());
    let socket = req.conn_data::<ConnSocket>().copied();
    // The session shares the node's chat core (one pointer, not a copy per socket).
    let session = Session::new(family, state.chat.clone(), counter.clone(), socket);
    let codec = actix_http::ws::Codec::new().max_size(state.settings.chat.max_frame_bytes);
    let frames = ws::WebsocketContext::with_codec(session, payload, codec);
    Ok(response.streaming(Counted::new(frames, counter)))
}

/// The answer to a request on a socket path that is no websocket upgrade (a plain GET, a missing
/// key, an unsupported version): the handshake's status and headers, with
/// `{code:301, msg:'需要WebSocket连接'}` instead of an empty body.
fn handshake_refused(refused: ws::HandshakeError) -> HttpResponse {
    let plain = actix_http::Response::<actix_web::body::BoxBody>::from(refused);
    let mut answer = HttpResponse::build(plain.status());
    for (name, value) in plain.headers() {
        answer.insert_header((name.clone(), value.clone()));
    }
    answer.json(Envelope::new(
        301,
        "需要WebSocket连接",
        serde_json::json!({}),
    ))
}

/// WS-M `/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat` (and the document's path).
pub async fn mini_program_chat(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    start(SocketFamily::MiniProgram, &req, payload, &state)
}

/// WS-R1 `/zhugeleida/qiyeweixin/websocket/leida_chat` (and the document's path).
pub async fn radar_chat(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    start(SocketFamily::RadarChat, &req, payload, &state)
}

/// WS-R2 `/zhugeleida/qiyeweixin/websocket/leida_query_info_num`.
pub async fn radar_badge(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    start(SocketFamily::RadarBadge, &req, payload, &state)
}

/// WS-R3 `/zhugeleida/qiyeweixin/websocket/leida_query_contact_list`.
pub async fn radar_contacts(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    start(SocketFamily::RadarContacts, &req, payload, &state)
}
