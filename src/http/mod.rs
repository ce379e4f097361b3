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
//! `{code:402, msg:'请求方式异常'}`.

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

use actix_web::{web, HttpResponse};

use crate::error::{ApiError, Envelope};
use routes::{Mount, Serve};

async fn wrong_method() -> Result<HttpResponse, ApiError> {
    Err(ApiError::WrongMethod)
}

/// Unknown paths: HTTP 404 with the legacy envelope.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(Envelope::new(404, "非法请求", serde_json::json!({})))
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
