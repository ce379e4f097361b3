//! The legacy HTTP API: the route table (`routes`, registered by `configure`), and one module
//! per spec area. Handlers receive `AppState` and reach each core through its handle
//! (`state.chat`, `state.posters`, `state.avatars`, `state.card_views`).
//!
//! - `routes` — every route, its parameters and handler; `openapi` — `/openapi.json` from it.
//! - `params` — strict query/form/JSON decoding and Django-style validation; `paging` —
//!   `current_page`/`length`.
//! - `auth`   — reads the signature triple from the query string (checked by `crate::auth`);
//!   `login_limit` — failed-login counting of radar and admin logins.
//! - the mini-program side (`/zhugeleida/xiaochengxu`): `login`, `card`, `product`, `phone`,
//!   `subscribe`, `poster` (the poster page, and the pair files made on first request),
//!   `test_login`, `extra` (the undocumented endpoints of §5.9); `case`, `diary` — the case library
//!   (spec §5.7).
//! - chat over HTTP: `chat` (M5–M9; also the HTTP mapping of a failed send), `radar_chat` (R1–R5),
//!   `longpoll` (their `wait`), `ws` (the websocket upgrades into `chat::session`).
//! - the radar side (`/zhugeleida/qiyeweixin`): `radar` (its login), `radar_feed` (R6),
//!   `radar_extra` (what the console needs beyond the spec).
//! - `admin`  — the back office (`/zhugeleida/admin`, spec §9.1–§9.5).
//! - `health` — `/healthz`, `/readyz`, `/metrics`.
//! - the console (`crate::console`, `/console/`) is mounted here too.
//!
//! Every route accepts a trailing slash (NormalizePath) and answers a wrong method with
//! `{code:402, msg:'请求方式异常'}`. Error answers the framework makes itself (a static path it
//! cannot parse, …) get the legacy envelope too (`legacy_error_bodies`).

pub mod admin;
pub mod auth;
pub mod card;
pub mod case;
pub mod chat;
pub mod diary;
pub mod extra;
pub mod health;
pub mod login;
pub mod login_limit;
pub mod longpoll;
pub mod openapi;
pub mod paging;
pub mod params;
pub mod phone;
pub mod poster;
pub mod product;
pub mod radar;
pub mod radar_chat;
pub mod radar_extra;
pub mod radar_feed;
pub mod routes;
pub mod subscribe;
pub mod test_login;
pub mod ws;

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpResponse};

use crate::error::{ApiError, Envelope};
use routes::{Mount, Serve};

async fn wrong_method() -> Result<HttpResponse, ApiError> {
    Err(ApiError::WrongMethod)
}

/// Unknown paths: HTTP 404 with the legacy envelope.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(not_found_envelope())
}

fn not_found_envelope() -> Envelope {
    Envelope::new(404, "非法请求", serde_json::json!({}))
}

/// Middleware: every 4xx/5xx answer whose body is not JSON — the ones actix and actix-files make
/// themselves (400 for a `/statics` path with an encoded `/`), and the bare statuses of the
/// `/statics` and console fallbacks — gets the legacy envelope for its status, headers kept: 404
/// `{code:404, msg:'非法请求'}`, 503 `{code:503, msg:'服务暂时不可用,请稍后重试'}`, other 5xx
/// `{code:500, msg:'服务器内部错误'}`, any other `{code:301, msg:'请求格式错误'}`. Bad input always reads as
/// `{code, msg}` (spec §1); the handlers' own answers are JSON already and pass unchanged.
pub fn legacy_error_bodies<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(as_envelope)
}

fn as_envelope<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let envelope = match res.status() {
        StatusCode::NOT_FOUND => not_found_envelope(),
        StatusCode::SERVICE_UNAVAILABLE => ApiError::Unavailable.envelope(),
        status if status.is_server_error() => {
            Envelope::new(500, "服务器内部错误", serde_json::json!({}))
        }
        _ => Envelope::new(301, "请求格式错误", serde_json::json!({})),
    };
    let body =
        serde_json::to_string(&envelope).map_err(actix_web::error::ErrorInternalServerError)?;
    let (req, res) = res.into_parts();
    let mut res = res.set_body(body).map_into_boxed_body();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, res).map_into_right_body(),
    ))
}

/// Registers every row of [`routes::ROUTES`] served under `mount`: each path answers its method,
/// and `{code:402, msg:'请求方式异常'}` to any other.
pub fn configure(cfg: &mut web::ServiceConfig, mount: &Mount) {
    for route in routes::served(mount) {
        let handler = match route.serve {
            Serve::Handler(handler) => handler,
            Serve::Statics => {
                let prefix = route.path.split("/{").next().unwrap_or(route.path);
                // A pair's code or poster missing on disk is made on this first request.
                cfg.service(
                    actix_files::Files::new(prefix, &mount.statics)
                        .default_handler(actix_web::dev::fn_service(poster::lazy_pair_file)),
                );
                continue;
            }
        };
        let resource = web::resource(route.path)
            .route(handler(route.method.actix()))
            .default_service(web::to(wrong_method));
        if route.path.starts_with("/console") {
            cfg.service(resource.wrap(crate::console::headers()));
        } else {
            cfg.service(resource);
        }
    }
}
