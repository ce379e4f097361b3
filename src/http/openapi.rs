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

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::routes::{Answer, In, Method, Mount, Param, Route, Ty};
use crate::config::MetricsBind;
use crate::state::AppState;

/// The document (the subset of OpenAPI 3.0 the table needs).
#[derive(Debug, Serialize)]
pub struct Document {
    pub openapi: &'static str,
    pub info: Info,
    pub tags: Vec<Tag>,
    pub paths: BTreeMap<String, PathItem>,
    pub components: Components,
}

#[derive(Debug, Serialize)]
pub struct Info {
    pub title: &'static str,
    pub version: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Tag {
    pub name: &'static str,
    pub description: &'static str,
}

/// The operations of one path.
#[derive(Debug, Default, Serialize)]
pub struct PathItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub get: Option<Operation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<Operation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub operation_id: String,
    pub summary: &'static str,
    pub tags: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    pub responses: BTreeMap<&'static str, Response>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security: Vec<BTreeMap<&'static str, [&'static str; 0]>>,
    /// `customer`, `radar` or `admin`: whose token signs it (query string, or socket frames).
    #[serde(rename = "x-signed-by", skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<&'static str>,
    /// What it answers: `envelope`, `socket`, `html`, `json`, `text` or `file`.
    #[serde(rename = "x-answer")]
    pub answer: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Parameter {
    pub name: &'static str,
    #[serde(rename = "in")]
    pub at: &'static str,
    pub required: bool,
    pub schema: Schema,
}

#[derive(Debug, Serialize)]
pub struct RequestBody {
    pub required: bool,
    pub content: BTreeMap<&'static str, MediaType>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaType {
    pub schema: Schema,
}

#[derive(Debug, Serialize)]
pub struct Response {
    pub description: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub content: BTreeMap<&'static str, MediaType>,
}

/// A JSON Schema (the OpenAPI 3.0 dialect), only the keywords used here.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<&'static str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<&'static str, Schema>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<Schema>,
}

impl Schema {
    fn of(ty: &'static str) -> Schema {
        Schema {
            ty: Some(ty),
            ..Schema::default()
        }
    }

    fn reference(to: &'static str) -> Schema {
        Schema {
            reference: Some(to),
            ..Schema::default()
        }
    }

    fn described(self, description: &'static str) -> Schema {
        Schema {
            description: Some(description),
            ..self
        }
    }

    fn param(ty: Ty) -> Schema {
        match ty {
            Ty::Int => Schema {
                format: Some("int64"),
                ..Schema::of("integer")
            },
            Ty::Text => Schema::of("string"),
            Ty::Date => Schema {
                format: Some("date"),
                ..Schema::of("string")
            },
            Ty::Json => Schema::of("string").described("JSON text"),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    pub schemas: BTreeMap<&'static str, Schema>,
    pub security_schemes: BTreeMap<&'static str, SecurityScheme>,
}

/// One field of the signature triple (`type: apiKey, in: query`).
#[derive(Debug, Serialize)]
pub struct SecurityScheme {
    #[serde(rename = "type")]
    pub ty: &'static str,
    #[serde(rename = "in")]
    pub at: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

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
`server.max_body_bytes`. A wrong method answers `{code:402, msg:'请求方式异常'}`, an unknown path \
HTTP 404 `{code:404, msg:'非法请求'}`. POST fields may be sent form-urlencoded or as a JSON object; \
every route accepts a trailing slash.";

const CODES: &str = "200 success · 199 socket register accepted · 202 read receipt (socket) · \
250 phone decryption failed · 270 socket keep-alive ack · 301 validation failed (msg holds the \
field errors, or a text) · 302 no such record / already done / empty list · 303 form error (back \
office) · 304 has children · 305 may not change oneself · 400 `token异常` (bad signature) · \
401 wrong account or password · 402 wrong method or invalid input (`请求异常`, errors in data) · \
403 account expired · 404 illegal request · 413 body too large · 429 too many attempts · \
500 internal error (never details) · a WeChat errcode passed through by some back-office calls";

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

/// `/a/{id}` stays; `/console/{path:.+}` becomes `/console/{path}`.
pub fn openapi_path(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let (mut in_brace, mut in_regex) = (false, false);
    for c in pattern.chars() {
        match c {
            '{' => {
                in_brace = true;
                out.push(c);
            }
            '}' if in_brace => {
                (in_brace, in_regex) = (false, false);
                out.push(c);
            }
            ':' if in_brace => in_regex = true,
            _ if in_regex => {}
            _ => out.push(c),
        }
    }
    out
}

fn operation(route: &Route) -> Operation {
    let signed_http = route.signed.is_some() && route.answer != Answer::Socket;
    let mut parameters = Vec::new();
    let mut body = Schema::of("object");
    for p in route.params {
        match p.at {
            In::Body => {
                body.properties.insert(p.name, Schema::param(p.ty));
                if p.required {
                    body.required.push(p.name);
                }
            }
            In::Query | In::Path => parameters.push(parameter(p)),
        }
    }
    let request_body = (!body.properties.is_empty()).then(|| {
        let media = MediaType { schema: body };
        RequestBody {
            required: !media.schema.required.is_empty(),
            content: BTreeMap::from([
                ("application/x-www-form-urlencoded", media.clone()),
                ("application/json", media),
            ]),
        }
    });
    Operation {
        operation_id: format!(
            "{}{}",
            route.method.lower(),
            openapi_path(route.path).replace(['/', '{', '}', '.'], "_")
        ),
        summary: route.summary,
        tags: vec![tag_of(route)],
        parameters,
        request_body,
        responses: responses(route.answer),
        security: if signed_http {
            vec![BTreeMap::from([
                ("user_id", []),
                ("timestamp", []),
                ("rand_str", []),
            ])]
        } else {
            vec![]
        },
        signed_by: route.signed.map(|f| f.label()),
        answer: answer_label(route.answer),
    }
}

fn parameter(p: &Param) -> Parameter {
    Parameter {
        name: p.name,
        at: if p.at == In::Path { "path" } else { "query" },
        required: p.required || p.at == In::Path,
        schema: Schema::param(p.ty),
    }
}

fn tag_of(route: &Route) -> &'static str {
    let p = route.path;
    if route.answer == Answer::Socket {
        "sockets"
    } else if p.starts_with("/zhugeleida/xiaochengxu") {
        "mini-program"
    } else if p.starts_with("/zhugeleida/qiyeweixin") {
        "radar"
    } else if p.starts_with("/zhugeleida/admin") {
        "admin"
    } else if p.starts_with("/console") {
        "console"
    } else {
        "operations"
    }
}

/// The label of `answer` in `x-answer`.
pub fn answer_label(answer: Answer) -> &'static str {
    match answer {
        Answer::Envelope => "envelope",
        Answer::Socket => "socket",
        Answer::Html => "html",
        Answer::Json => "json",
        Answer::Text => "text",
        Answer::File => "file",
    }
}

fn content(media: &'static str, schema: Schema) -> BTreeMap<&'static str, MediaType> {
    BTreeMap::from([(media, MediaType { schema })])
}

fn envelope() -> BTreeMap<&'static str, MediaType> {
    content(
        "application/json",
        Schema::reference("#/components/schemas/Envelope"),
    )
}

fn responses(answer: Answer) -> BTreeMap<&'static str, Response> {
    let response = |description, content| Response {
        description,
        content,
    };
    let too_large = response("the body is over server.max_body_bytes", envelope());
    match answer {
        Answer::Envelope => BTreeMap::from([
            (
                "200",
                response("the legacy envelope; the outcome is in `code`", envelope()),
            ),
            ("413", too_large),
        ]),
        Answer::Socket => BTreeMap::from([
            (
                "101",
                response("upgraded to a websocket (spec §6.6)", BTreeMap::new()),
            ),
            (
                "400",
                response("not a websocket handshake", BTreeMap::new()),
            ),
        ]),
        Answer::Html => {
            let mut both = content("text/html", Schema::of("string"));
            both.extend(envelope());
            BTreeMap::from([(
                "200",
                response("the page, or the envelope when the input is refused", both),
            )])
        }
        Answer::Json => BTreeMap::from([
            (
                "200",
                response(
                    "plain JSON (not the envelope)",
                    content("application/json", Schema::of("object")),
                ),
            ),
            (
                "404",
                response("switched off (the envelope 404)", envelope()),
            ),
            (
                "503",
                response(
                    "not ready: the reasons",
                    content("application/json", Schema::of("object")),
                ),
            ),
        ]),
        Answer::Text => BTreeMap::from([(
            "200",
            response(
                "Prometheus text exposition 0.0.4",
                content("text/plain", Schema::of("string")),
            ),
        )]),
        Answer::File => BTreeMap::from([
            (
                "200",
                response("the file", content("*/*", Schema::of("string"))),
            ),
            (
                "304",
                response("the client's copy is current", BTreeMap::new()),
            ),
            ("404", response("no such file", BTreeMap::new())),
        ]),
    }
}

fn components() -> Components {
    let object = || Schema::of("object");
    let field_errors = Schema::of("object").described(
        "Django-style field errors: {\"<field>\": [{\"message\": \"<text>\", \"code\": \"required|invalid|…\"}]}",
    );
    let envelope = Schema {
        required: vec!["code", "msg", "data", "note"],
        properties: BTreeMap::from([
            ("code", Schema::param(Ty::Int).described(CODES)),
            (
                "msg",
                Schema {
                    one_of: vec![
                        Schema::of("string"),
                        Schema::reference("#/components/schemas/FieldErrors"),
                    ],
                    ..Schema::default()
                }
                .described("a text, or the field errors of a refused form"),
            ),
            (
                "data",
                Schema {
                    one_of: vec![object(), Schema::of("array")],
                    ..Schema::default()
                },
            ),
            (
                "note",
                object().described("a field glossary some lists carry; clients ignore it"),
            ),
        ]),
        ..object().described("The legacy envelope (spec §1).")
    };
    let key = |name, description| SecurityScheme {
        ty: "apiKey",
        at: "query",
        name,
        description,
    };
    Components {
        schemas: BTreeMap::from([("Envelope", envelope), ("FieldErrors", field_errors)]),
        security_schemes: BTreeMap::from([
            (
                "user_id",
                key(
                    "user_id",
                    "the principal's id in the table of the operation's `x-signed-by` family",
                ),
            ),
            (
                "timestamp",
                key(
                    "timestamp",
                    "milliseconds since the epoch, near the server's clock",
                ),
            ),
            (
                "rand_str",
                key("rand_str", "lowercase hex md5(timestamp + token)"),
            ),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actix_patterns_become_openapi_templates() {
        assert_eq!(openapi_path("/a/{id}/b"), "/a/{id}/b");
        assert_eq!(openapi_path("/console/{path:.+}"), "/console/{path}");
        assert_eq!(openapi_path("/healthz"), "/healthz");
    }
}
