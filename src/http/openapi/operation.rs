//! One operation per route: its path template, parameters, form/JSON body, security (the
//! signature triple), tag and `x-answer`.

use std::collections::BTreeMap;

use super::components::responses;
use super::model::{MediaType, Operation, Parameter, RequestBody, Schema};
use crate::http::routes::{Answer, In, Param, Route};

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

pub(super) fn operation(route: &Route) -> Operation {
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
