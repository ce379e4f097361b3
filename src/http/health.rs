//! Operations endpoints: `/healthz` (the process answers), `/readyz` (it can serve: database
//! reachable and migrated, bus connected) and `/metrics` (Prometheus text).
//!
//! `/readyz` never waits on the request pool: a busy pool is load, not unreadiness, and a probe
//! stuck behind it would time out exactly when the node is merely busy. It checks over a
//! connection of its own, bounded by [`CHECK_TIMEOUT`], so a node whose PostgreSQL or Redis is
//! gone says so within a second. These answers are plain JSON, not the legacy envelope: they are
//! for load balancers and operators, not the mini-program.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpResponse};
use serde_json::json;
use tokio::sync::Mutex;

use crate::chat::bus::Bus;
use crate::state::AppState;
use crate::store::{self, Dedicated};

/// Longest a readiness check of the database may take (connecting included).
pub const CHECK_TIMEOUT: Duration = Duration::from_millis(800);

/// What `/readyz` checks, shared by every worker of a node.
pub struct Readiness {
    db: Mutex<Dedicated>,
    bus: Arc<dyn Bus>,
    /// The last answer, so a change is logged once rather than on every probe.
    was_ready: AtomicBool,
}

impl Readiness {
    /// Checks `pool`'s database (over a connection of its own) and `bus`.
    pub fn new(pool: deadpool_postgres::Pool, bus: Arc<dyn Bus>) -> Readiness {
        Readiness {
            db: Mutex::new(Dedicated::new(pool)),
            bus,
            was_ready: AtomicBool::new(true),
        }
    }

    /// The failed checks' reasons; empty when ready.
    pub async fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(why) = self.check_database().await {
            problems.push(format!("database: {why}"));
        }
        if !self.bus.connected() {
            problems.push("bus: not connected to Redis".to_owned());
        }
        let ready = problems.is_empty();
        if self.was_ready.swap(ready, Ordering::Relaxed) != ready {
            if ready {
                tracing::info!("ready again");
            } else {
                tracing::warn!(problems = problems.join("; "), "not ready");
            }
        }
        problems
    }

    async fn check_database(&self) -> Result<(), String> {
        let latest = store::latest_migration();
        let check = async {
            let mut db = self.db.lock().await;
            let result = async {
                let client = db.get().await?;
                anyhow::Ok(store::applied_migration(client).await?)
            }
            .await;
            if result.is_err() {
                db.reset(); // A failed connection is reopened by the next probe.
            }
            result
        };
        match tokio::time::timeout(CHECK_TIMEOUT, check).await {
            Err(_) => Err(format!("no answer within {} ms", CHECK_TIMEOUT.as_millis())),
            Ok(Err(e)) => {
                tracing::debug!(error = format!("{e:#}"), "readiness: database check failed");
                Err("unreachable".to_owned())
            }
            Ok(Ok(applied)) if applied < latest => Err(format!(
                "migrations pending (V{applied} applied, V{latest} expected; run `radar migrate`)"
            )),
            Ok(Ok(_)) => Ok(()),
        }
    }
}

/// GET /healthz: the process is up and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// GET /readyz: 200 `{"status":"ready"}`, or 503 `{"status":"not ready","problems":[…]}`.
pub async fn readyz(readiness: web::Data<Readiness>) -> HttpResponse {
    let problems = readiness.problems().await;
    if problems.is_empty() {
        HttpResponse::Ok().json(json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(json!({"status": "not ready", "problems": problems}))
    }
}

/// GET /metrics: Prometheus text exposition (version 0.0.4).
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let body = crate::telemetry::metrics::render(&state.db, state.chat.bus.connected());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}

/// Shares `readiness` with `/readyz` (the routes themselves are rows of `http::routes`).
pub fn configure(cfg: &mut web::ServiceConfig, readiness: web::Data<Readiness>) {
    cfg.app_data(readiness);
}

/// A server of its own for `/metrics` on `bind` (`metrics.bind = "host:port"`): one worker, no
/// signal handling (the main server's owner stops it).
pub fn metrics_server(bind: &str, state: AppState) -> anyhow::Result<actix_web::dev::Server> {
    let data = web::Data::new(state);
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .route("/metrics", web::get().to(self::metrics))
            .default_service(web::to(super::not_found))
    })
    .workers(1)
    .disable_signals()
    .bind(bind)
    .map_err(|e| anyhow::anyhow!("cannot listen on metrics.bind {bind}: {e}"))?
    .run();
    tracing::info!("metrics on http://{bind}/metrics");
    Ok(server)
}
