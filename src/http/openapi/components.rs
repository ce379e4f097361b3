//! What the operations share: the responses of each kind of answer, the `Envelope` and
//! `FieldErrors` schemas (with the legacy codes), and the signature's three security schemes.

use std::collections::BTreeMap;

use super::model::{Components, MediaType, Response, Schema, SecurityScheme};
use crate::http::routes::{Answer, Ty};

const CODES: &str = "200 success · 199 socket register accepted · 202 read receipt (socket) · \
250 phone decryption failed · 270 socket keep-alive ack · 301 validation failed (msg holds the \
field errors, or a text) · 302 no such record / already done / empty list · 303 form error (back \
office) · 304 has children · 305 may not change oneself · 400 `token异常` (bad signature) · \
401 wrong account or password · 402 wrong method or invalid input (`请求异常`, errors in data) · \
403 account expired · 404 illegal request · 413 body too large · 429 too many attempts · \
500 internal error (never details) · a WeChat errcode passed through by some back-office calls";
fn content(media: &'static str, schema: Schema) -> BTreeMap<&'static str, MediaType> {
    BTreeMap::from([(media, MediaType { schema })])
}

fn envelope() -> BTreeMap<&'static str, MediaType> {
    content(
        "application/json",
        Schema::reference("#/components/schemas/Envelope"),
    )
}

pub(super) fn responses(answer: Answer) -> BTreeMap<&'static str, Response> {
    let response = |description, content| Response {
        description,
        content,
    };
    let too_large = response("the body is over server.max_body_bytes", envelope());
    let too_slow = response(
        "the body did not arrive within server.body_timeout_secs (the connection is closed)",
        envelope(),
    );
    match answer {
        Answer::Envelope => BTreeMap::from([
            (
                "200",
                response("the legacy envelope; the outcome is in `code`", envelope()),
            ),
            ("408", too_slow),
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

pub(super) fn components() -> Components {
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
