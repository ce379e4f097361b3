//! The route table: every HTTP route of the main listener, once.
//!
//! [`configure`](super::configure) registers exactly these rows; `/openapi.json`, the auth matrix
//! and the fuzz tests read them, so none of them can drift from what is served.
//!
//! To add a route: write the handler, then add one [`Route`] to its area's table (below) with its
//! method, legacy path (actix pattern, no trailing slash), the family that signs it (`None`:
//! unsigned), what it answers, its parameters (`int("uid")`, `text("name").opt()`, `.body()` for
//! POST fields, `path_int("id")` for `{id}`) and `handler: |r| r.to(module::handler)`. The signature
//! triple (`user_id`, `timestamp`, `rand_str`) of a signed route is implied, not listed.
//!
//! The rows live by area, each table in registration order; [`ROUTES`] lists the areas one after
//! the other:
//! - `ops`          — the operations endpoints and `/openapi.json` (first), the console and the
//!   generated pictures (last).
//! - `mini_program` — `/zhugeleida/xiaochengxu` (spec §5, with the mini-program's sockets).
//! - `radar`        — `/zhugeleida/qiyeweixin` (spec §7), its sockets, and the document's socket
//!   paths (spec §10).
//! - `admin`        — the back office, `/zhugeleida/admin` (spec §9), with its shared forms.
//! - `row`          — the constructors the tables are written with (`api`, `socket`, `int`, …).

mod admin;
mod mini_program;
mod ops;
mod radar;
mod row;

use actix_web::web;

use crate::auth::Family;

/// One HTTP route.
#[derive(Clone, Copy)]
pub struct Route {
    pub method: Method,
    /// The actix path pattern, e.g. `/zhugeleida/xiaochengxu/chat/send_msg/{id}`.
    pub path: &'static str,
    /// The family whose signature protects it: in the query string, or in every frame of a socket.
    pub signed: Option<Family>,
    pub answer: Answer,
    /// What the client sends (the signature triple excepted).
    pub params: &'static [Param],
    /// One line for the API description.
    pub summary: &'static str,
    pub when: When,
    pub serve: Serve,
}

/// The HTTP method a route answers (any other answers `{code:402, msg:'请求方式异常'}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// `get` or `post`.
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }

    pub(super) fn actix(self) -> actix_web::Route {
        match self {
            Method::Get => web::get(),
            Method::Post => web::post(),
        }
    }
}

/// What a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The legacy envelope `{code, msg, data, note}` (spec §1), HTTP 200 (413 for an oversized
    /// body, 500 for an internal error).
    Envelope,
    /// A websocket upgrade (spec §6.6); frames are `{code, msg[, data]}`.
    Socket,
    /// An HTML page.
    Html,
    /// Plain JSON that is not the envelope (operations endpoints, the console's helper).
    Json,
    /// Text (Prometheus exposition).
    Text,
    /// A file (embedded console assets, generated pictures).
    File,
}

/// When a route is registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// Only with `login.test_mode` (the test_login family).
    TestMode,
    /// Only when `/metrics` is served on the main listener (`metrics.bind` unset).
    MetricsHere,
}

/// How a route is served.
#[derive(Clone, Copy)]
pub enum Serve {
    /// A handler: `|r| r.to(handler)` on the route's method.
    Handler(fn(actix_web::Route) -> actix_web::Route),
    /// The generated files under `<data_dir>/statics` (actix-files), at the path's prefix.
    Statics,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    Query,
    /// A form-urlencoded (or JSON object) body field; handlers also accept it in the query.
    Body,
    Path,
}

/// A parameter's type as the handler reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Int,
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// JSON text (an object, or a list of ids).
    Json,
}

/// One parameter of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub at: In,
    pub ty: Ty,
    pub required: bool,
}

impl Param {
    /// Optional: absent or empty is fine.
    pub const fn opt(self) -> Param {
        Param {
            required: false,
            ..self
        }
    }

    /// A body field (POST forms).
    pub const fn body(self) -> Param {
        Param {
            at: In::Body,
            ..self
        }
    }
}

/// The areas' tables, in registration order.
const AREAS: [&[Route]; 5] = [
    ops::OPERATIONS,
    mini_program::ROUTES,
    radar::ROUTES,
    admin::ROUTES,
    ops::CONSOLE,
];

/// How many rows the areas have together.
const COUNT: usize = {
    let (mut n, mut a) = (0, 0);
    while a < AREAS.len() {
        n += AREAS[a].len();
        a += 1;
    }
    n
};

/// Every route, in registration order (the first matching pattern wins).
pub static ROUTES: &[Route] = &concat::<COUNT>(&AREAS);

/// The tables one after the other, at compile time.
const fn concat<const N: usize>(areas: &[&[Route]]) -> [Route; N] {
    let mut out = [areas[0][0]; N];
    let (mut a, mut k) = (0, 0);
    while a < areas.len() {
        let mut i = 0;
        while i < areas[a].len() {
            out[k] = areas[a][i];
            (i, k) = (i + 1, k + 1);
        }
        a += 1;
    }
    out
}

/// What decides which rows are registered on a listener.
#[derive(Debug, Clone)]
pub struct Mount {
    /// `login.test_mode`: the test_login family.
    pub test_mode: bool,
    /// `/metrics` on this listener.
    pub metrics_here: bool,
    /// `<data_dir>/statics`.
    pub statics: std::path::PathBuf,
}

impl Route {
    /// Whether this row is served under `mount`.
    pub fn mounted(&self, mount: &Mount) -> bool {
        match self.when {
            When::Always => true,
            When::TestMode => mount.test_mode,
            When::MetricsHere => mount.metrics_here,
        }
    }
}

/// The rows served under `mount`, in registration order.
pub fn served(mount: &Mount) -> impl Iterator<Item = &'static Route> + '_ {
    ROUTES.iter().filter(move |r| r.mounted(mount))
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Family::{Admin, Customer, Radar};

    #[test]
    fn every_path_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert(r.path), "{} listed twice", r.path);
            assert!(
                r.path == "/" || !r.path.ends_with('/'),
                "{}: trailing slash",
                r.path
            );
        }
    }

    #[test]
    fn a_signed_route_lives_under_its_familys_prefix() {
        for r in ROUTES {
            let family = match r.path {
                p if p.starts_with("/zhugeleida/xiaochengxu/") => Some(Customer),
                p if p.starts_with("/zhugeleida/public/websocket/xiaochengxu") => Some(Customer),
                p if p.starts_with("/zhugeleida/qiyeweixin/") => Some(Radar),
                p if p.starts_with("/zhugeleida/public/websocket/leida") => Some(Radar),
                p if p.starts_with("/zhugeleida/admin/") => Some(Admin),
                _ => None,
            };
            if let Some(signed) = r.signed {
                assert_eq!(Some(signed), family, "{}", r.path);
            }
        }
    }

    #[test]
    fn path_parameters_match_the_pattern_and_names_are_unique() {
        for r in ROUTES {
            let in_pattern: Vec<&str> = r
                .path
                .split('{')
                .skip(1)
                .filter_map(|s| s.split(['}', ':']).next())
                .collect();
            let listed: Vec<&str> = r
                .params
                .iter()
                .filter(|p| p.at == In::Path)
                .map(|p| p.name)
                .collect();
            assert_eq!(in_pattern, listed, "{}", r.path);
            let mut names = std::collections::HashSet::new();
            for p in r.params {
                assert!(names.insert(p.name), "{}: {} twice", r.path, p.name);
                assert!(
                    !(p.at == In::Body && r.method == Method::Get),
                    "{}: a body field on GET",
                    r.path
                );
            }
        }
    }

    #[test]
    fn no_route_is_registered_outside_the_table() {
        // `configure` registers the table; a resource, scope or route made anywhere else would be
        // served without being described or covered. (health.rs: the separate metrics listener.)
        let allowed = ["http/mod.rs", "http/health.rs"];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![root.clone()];
        let mut offenders = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path.strip_prefix(&root).expect("under src");
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !rel.ends_with(".rs")
                    || allowed.contains(&rel.as_str())
                    || rel.starts_with("http/routes/")
                {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("readable");
                for needle in ["web::resource(", "web::scope(", ".route(\"", "Files::new("] {
                    if text.contains(needle) {
                        offenders.push(format!("{rel}: {needle}"));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "routes outside http::routes: {offenders:?}"
        );
    }
}
