//! The constructors the route tables are written with: parameters (`int("uid")`,
//! `text("name").opt()`, `path_int("id")`), the parameters many routes share, rows (`api`, `socket`,
//! `other`) and the families that sign them (`M`, `R`, `A`).

use super::{Answer, In, Method, Param, Route, Serve, Ty, When};
use crate::auth::Family;

pub(super) const fn param(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        at: In::Query,
        ty,
        required: true,
    }
}

/// A required integer query parameter.
pub(super) const fn int(name: &'static str) -> Param {
    param(name, Ty::Int)
}

/// A required text query parameter.
pub(super) const fn text(name: &'static str) -> Param {
    param(name, Ty::Text)
}

/// A required JSON-text query parameter.
pub(super) const fn json(name: &'static str) -> Param {
    param(name, Ty::Json)
}

/// A required integer `{name}` path segment.
pub(super) const fn path_int(name: &'static str) -> Param {
    Param {
        name,
        at: In::Path,
        ty: Ty::Int,
        required: true,
    }
}

/// A `{name}` path segment the handler ignores (legacy routes require it).
pub(super) const fn path_any(name: &'static str) -> Param {
    Param {
        name,
        at: In::Path,
        ty: Ty::Text,
        required: true,
    }
}

pub(super) const PAGE: Param = int("current_page").opt();
pub(super) const LENGTH: Param = int("length").opt();
pub(super) const ORDER: Param = text("order").opt();
/// The back office's target company (super-admins; others may name only their own).
pub(super) const COMPANY: Param = int("company_id").opt();

/// A route answering the envelope, always registered.
pub(super) const fn api(
    method: Method,
    path: &'static str,
    signed: Option<Family>,
    params: &'static [Param],
    summary: &'static str,
    handler: fn(actix_web::Route) -> actix_web::Route,
) -> Route {
    Route {
        method,
        path,
        signed,
        answer: Answer::Envelope,
        params,
        summary,
        when: When::Always,
        serve: Serve::Handler(handler),
    }
}

/// A websocket, always registered; `family` signs its frames.
pub(super) const fn socket(
    path: &'static str,
    family: Family,
    summary: &'static str,
    handler: fn(actix_web::Route) -> actix_web::Route,
) -> Route {
    Route {
        method: Method::Get,
        path,
        signed: Some(family),
        answer: Answer::Socket,
        params: &[],
        summary,
        when: When::Always,
        serve: Serve::Handler(handler),
    }
}

/// An unsigned GET that is not the envelope.
pub(super) const fn other(
    path: &'static str,
    answer: Answer,
    when: When,
    summary: &'static str,
    serve: Serve,
) -> Route {
    Route {
        method: Method::Get,
        path,
        signed: None,
        answer,
        params: &[],
        summary,
        when,
        serve,
    }
}

pub(super) use Family::{Admin, Customer, Radar};
pub(super) use Method::{Get, Post};

pub(super) const M: Option<Family> = Some(Customer);
pub(super) const R: Option<Family> = Some(Radar);
pub(super) const A: Option<Family> = Some(Admin);
