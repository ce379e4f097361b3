//! The radar console at `/console/` and the customer simulator at `/console/simulator`: static
//! pages and ES modules embedded in the binary (`assets/console`, no build step, no CDN), served
//! with a strict Content-Security-Policy.
//!
//! The pages hold no data: they call the legacy signed API and sockets like any client. The radar
//! user's token stays in the page (memory and `sessionStorage`); requests carry only the signature
//! triple (`rand_str`, never the token) in their URLs. The simulator (`console.simulator`) acts as
//! mini-program customers through WeChat dev mode, so it is off unless configured or on the
//! embedded default.

mod assets;

use actix_web::http::header;
use actix_web::{middleware::DefaultHeaders, web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::config::Switch;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;

pub use assets::{Asset, ASSETS};

/// Scripts, styles and fonts from this origin only; no inline code, no framing, no plugins.
/// Images may come from WeChat's avatar hosts (absolute `http(s)` URLs in customer rows).
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data: http: https:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

/// The security headers on every console answer (`http::routes` lists the console's routes).
pub fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CSP))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

fn simulator_on(state: &AppState) -> bool {
    state.settings.console.simulator == Switch::On
}

/// GET /console: the radar console.
pub async fn console_page(req: HttpRequest) -> HttpResponse {
    serve(&req, "index.html")
}

/// GET /console/simulator: the customer simulator (404 unless `console.simulator` is on).
pub async fn simulator_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !simulator_on(&state) {
        return crate::http::not_found().await;
    }
    serve(&req, "simulator.html")
}

/// GET /console/simulator/radar_users: whom a simulated customer can bind to (the enabled radar
/// users of `login.default_company_id`, the company a dev-mode login lands in).
pub async fn radar_users(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !simulator_on(&state) {
        return Ok(crate::http::not_found().await);
    }
    let company = state.settings.login.default_company_id;
    let db = state.db.get().await?;
    let users = store::radar_user::enabled_of_company(&db, company).await?;
    // The app id the phone-number watermark must carry (spec §8), for the simulator's "send my
    // phone", which encrypts with the dev-mode session key.
    let appid = match users.first() {
        Some(u) => store::company::of_radar_user(&db, u.id)
            .await?
            .and_then(|c| c.appid),
        None => None,
    };
    let list: Vec<_> = users
        .iter()
        .map(|u| json!({"id": u.id, "username": u.username, "position": u.position}))
        .collect();
    Ok(
        HttpResponse::Ok()
            .json(json!({"company_id": company, "appid": appid, "radar_users": list})),
    )
}

/// Any other embedded file (never the pages themselves, which have their routes; simulator
/// scripts only while the simulator is on).
pub async fn asset(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let path = req.match_info().query("path");
    let hidden = path.ends_with(".html") || (path.starts_with("js/sim/") && !simulator_on(&state));
    if hidden {
        return crate::http::not_found().await;
    }
    serve(&req, path)
}

/// Answers an embedded file, `304` when the client's copy is current.
fn serve(req: &HttpRequest, path: &str) -> HttpResponse {
    let Some(asset) = assets::find(path) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    let etag = asset.etag().to_owned();
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut answer = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    answer
        .insert_header((header::ETAG, etag))
        // Revalidate every time: a new binary must never run with old scripts.
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if fresh {
        return answer.finish();
    }
    answer.content_type(asset.mime).body(asset.body)
}
