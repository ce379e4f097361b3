//! The types of the document: the subset of OpenAPI 3.0 the route table needs, serialized with
//! serde.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::http::routes::Ty;

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
    pub(super) fn of(ty: &'static str) -> Schema {
        Schema {
            ty: Some(ty),
            ..Schema::default()
        }
    }

    pub(super) fn reference(to: &'static str) -> Schema {
        Schema {
            reference: Some(to),
            ..Schema::default()
        }
    }

    pub(super) fn described(self, description: &'static str) -> Schema {
        Schema {
            description: Some(description),
            ..self
        }
    }

    pub(super) fn param(ty: Ty) -> Schema {
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
