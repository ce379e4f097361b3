//! `GET /openapi.json`: an OpenAPI 3.0 description of every route, generated from the route table
//! (`http::routes`), so it cannot drift from what is served.
//!
//! Built from the small typed structs below with serde rather than a crate: the OpenAPI crates
//! (utoipa, okapi) derive a description from annotated handlers and typed extractors, while these
//! legacy routes read loose query/form fields through `Params` and are listed in one table; the
//! subset of OpenAPI the table needs is a few structs.
//!
//! What it says: the signature triple as three `apiKey` query schemes required together (plus
//! `x-signed-by`: the family whose table holds `user_id`), the legacy envelope `{code,msg,data,note}`
//! with its codes (spec §1) as the response of every envelope route, and `x-answer` on each
//! operation (`envelope`, `socket`, `html`, `json`, `text`, `file`) for test tools.
//!
//! - `model`      — the document's types (the subset of OpenAPI 3.0 the table needs).
//! - `operation`  — one operation per route: its parameters, body, security and tag.
//! - `components` — what operations share: the responses of each kind of answer, the `Envelope`
//!   schema with its codes, and the signature's security schemes.
//! - here: the handler, the document's info and tags.

mod components;
mod model;
mod operation;

pub use model::{
    Components, Document, Info, MediaType, Operation, Parameter, PathItem, RequestBody, Response,
    Schema, SecurityScheme, Tag,
};
pub use operation::{answer_label, openapi_path};

use components::components;
use operation::operation;

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};

use super::routes::{Method, Mount};
use crate::config::MetricsBind;
use crate::state::AppState;

const DESCRIPTION: &str = "The legacy Zhuge Radar API: the mini-program (`/zhugeleida/xiaochengxu`), \
the radar side (`/zhugeleida/qiyeweixin`), the back office (`/zhugeleida/admin`), their websockets, \
and the operations endpoints.\n\n\
**Signature.** A signed route takes three query parameters, all required together: `user_id` (the \
principal's id in the table of the family named by `x-signed-by`: customers, radar users or admin \
users), `timestamp` (milliseconds since the epoch, within `auth.timestamp_window_secs` of the \
server clock) and `rand_str` = lowercase hex `md5(timestamp + token)`, `+` being string \
concatenation. Any failure answers exactly `{\"code\":400,\"msg\":\"token异常\",\"data\":{},\"note\":{}}`. \
Sockets carry the same three fields in every JSON frame.\n\n\
**Envelope.** Routes with `x-answer: envelope` answer HTTP 200 with `{code, msg, data, note}`, the \
outcome being in `code` (see the `Envelope` schema); 413 (same envelope) for a body over \
`server.max_body_bytes`, 408 for one still arriving after `server.body_timeout_secs`. A wrong method answers `{code:402, msg:'请求方式异常'}`, an unknown path \
HTTP 404 `{code:404, msg:'非法请求'}`. POST fields may be sent form-urlencoded or as a JSON object; \
every route accepts a trailing slash.";

/// GET /openapi.json: the description of the routes this node serves.
pub async fn document(state: web::Data<AppState>) -> HttpResponse {
    let mount = Mount {
        test_mode: state.settings.login.test_mode,
        metrics_here: state.settings.metrics.resolved() == MetricsBind::Main,
        statics: Default::default(),
    };
    HttpResponse::Ok().json(build(&mount))
}

/// The description of the rows served under `mount`.
pub fn build(mount: &Mount) -> Document {
    let mut paths: BTreeMap<String, PathItem> = BTreeMap::new();
    for route in super::routes::served(mount) {
        let item = paths.entry(openapi_path(route.path)).or_default();
        let op = Some(operation(route));
        match route.method {
            Method::Get => item.get = op,
            Method::Post => item.post = op,
        }
    }
    Document {
        openapi: "3.0.3",
        info: Info {
            title: "Radar (诸葛雷达) legacy API",
            version: env!("CARGO_PKG_VERSION"),
            description: DESCRIPTION,
        },
        tags: vec![
            tag(
                "mini-program",
                "`/zhugeleida/xiaochengxu`, signed by customers",
            ),
            tag("radar", "`/zhugeleida/qiyeweixin`, signed by radar users"),
            tag("admin", "`/zhugeleida/admin`, signed by admin users"),
            tag("sockets", "websocket upgrades; every frame is signed"),
            tag("operations", "health, readiness, metrics, this document"),
            tag("console", "the radar console and the customer simulator"),
        ],
        paths,
        components: components(),
    }
}

fn tag(name: &'static str, description: &'static str) -> Tag {
    Tag { name, description }
}
