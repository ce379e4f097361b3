//! The routes outside the legacy API: the operations endpoints and this API's description (served
//! first), the radar console with its security headers and the generated pictures (served last).

use super::row::*;
use super::{Answer, Route, Serve, When};
use crate::http::{health, openapi};

/// Operations and the API description.
#[rustfmt::skip]
pub(super) const OPERATIONS: &[Route] = &[
    other("/openapi.json", Answer::Json, When::Always, "this API description (OpenAPI 3.0)", Serve::Handler(|r| r.to(openapi::document))),
    other("/healthz", Answer::Json, When::Always, "Liveness: the process answers", Serve::Handler(|r| r.to(health::healthz))),
    other("/readyz", Answer::Json, When::Always, "Readiness: database migrated and bus connected (503 with the reasons otherwise)", Serve::Handler(|r| r.to(health::readyz))),
    other("/metrics", Answer::Text, When::MetricsHere, "Prometheus metrics (here only when metrics.bind is unset)", Serve::Handler(|r| r.to(health::metrics))),
];

/// The radar console and the generated pictures; `/statics/{path:.+}` comes last.
#[rustfmt::skip]
pub(super) const CONSOLE: &[Route] = &[
    // The radar console (crate::console), with its security headers.
    other("/console", Answer::Html, When::Always, "the radar console", Serve::Handler(|r| r.to(crate::console::console_page))),
    other("/console/simulator", Answer::Html, When::Always, "the customer simulator (404 unless console.simulator is on)", Serve::Handler(|r| r.to(crate::console::simulator_page))),
    other("/console/simulator/radar_users", Answer::Json, When::Always, "whom a simulated customer can bind to (404 unless the simulator is on)", Serve::Handler(|r| r.to(crate::console::radar_users))),
    Route { params: &[path_any("path")], ..other("/console/{path:.+}", Answer::File, When::Always, "the console's embedded scripts and styles", Serve::Handler(|r| r.to(crate::console::asset))) },
    // Generated pictures (avatars, posters) at the relative `statics/…` paths stored in rows.
    Route { params: &[path_any("path")], ..other("/statics/{path:.+}", Answer::File, When::Always, "generated avatars and posters", Serve::Statics) },
];
