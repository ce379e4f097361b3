//! `Application`: builds the database (external or embedded), the pool, the WeChat client and the
//! HTTP server from `Settings`, and runs until SIGINT/SIGTERM; the embedded cluster is stopped
//! after the server's runtime ends (`stop_embedded`).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{dev::Server, middleware, web, App, HttpServer};

use crate::action::NoopNotifier;
use crate::batch::BatchConfig;
use crate::card_views::CardViews;
use crate::chat::bus::{local::LocalBus, redis::RedisBus, Bus};
use crate::chat::event::{Channel, Event};
use crate::chat::reader::{ReadChange, Reader};
use crate::chat::registry::Registry;
use crate::chat::session::socket::ConnSocket;
use crate::chat::writer::{Writer, WriterConfig};
use crate::chat::{self, Chat};
use crate::config::{MetricsBind, Settings};
use crate::embedded::EmbeddedPostgres;
use crate::http::health::{self, Readiness};
use crate::loop_lag::LoopLag;
use crate::state::AppState;
use crate::ttl_cache::TtlCache;
use crate::{demo, http, statics, store, telemetry, wechat};

/// A built, not yet running, Radar node.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    embedded: Option<EmbeddedPostgres>,
    /// The `/metrics` listener when `metrics.bind` names one.
    metrics: Option<Server>,
    /// Printed at start: a signed request a newcomer can paste.
    pub example_request: Option<String>,
}

/// Where the database is, its pool, and the embedded cluster if we started one.
pub struct Database {
    pub url: String,
    pub pool: deadpool_postgres::Pool,
    pub embedded: Option<EmbeddedPostgres>,
}

/// Resolves `database.url`, starting the embedded cluster when it is empty; applies migrations
/// and, on the embedded cluster's first start, loads the demo data.
pub async fn prepare_database(settings: &Settings) -> anyhow::Result<Database> {
    let (url, embedded) = if settings.database.url.is_empty() {
        let pg = EmbeddedPostgres::start(&settings.storage.data_dir).await?;
        (pg.connection_string(), Some(pg))
    } else {
        (settings.database.url.clone(), None)
    };
    let pool = store::pool(&url, settings.database.pool_size)?;
    let mut client = pool.get().await?;
    let applied = store::migrate(&mut client).await?;
    tracing::info!(applied, "migrations applied");
    let fresh = embedded
        .as_ref()
        .is_some_and(EmbeddedPostgres::freshly_created);
    if fresh && settings.demo.load_on_first_start && demo::load(&mut client).await? {
        tracing::info!("demo data loaded");
    }
    drop(client);
    Ok(Database {
        url,
        pool,
        embedded,
    })
}

impl Application {
    /// Builds the node: database, pool, clients, and the server bound to `server.bind`.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let database = prepare_database(&settings).await?;
        let listener = TcpListener::bind(&settings.server.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let client = database.pool.get().await?;
        let data_dir = &settings.storage.data_dir;
        statics::ensure(data_dir, &statics::DEFAULT_AVATARS).await?;
        demo::ensure_pictures(&client, data_dir).await?;
        let example_request = if database.embedded.is_some() {
            let host = listener.local_addr()?;
            demo::example_request(&client, &format!("http://{host}")).await?
        } else {
            None
        };
        drop(client);
        let state = build_state(settings, database.pool.clone())?;
        let metrics = match state.settings.metrics.resolved() {
            MetricsBind::Separate(bind) => Some(health::metrics_server(&bind, state.clone())?),
            MetricsBind::Main => {
                if !listener.local_addr()?.ip().is_loopback() {
                    tracing::warn!("/metrics is served on the public port; set metrics.bind to a private address (deploy/radar.toml)");
                }
                None
            }
            MetricsBind::Off => None,
        };
        let server = run(listener, state.clone())?;
        Ok(Application {
            port,
            server,
            state,
            embedded: database.embedded,
            metrics,
            example_request,
        })
    }

    /// The bound port (useful with `bind = "127.0.0.1:0"`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM and shuts down gracefully (see [`shutdown`]). Answers the
    /// embedded cluster, if any, for the caller to stop with [`stop_embedded`] once this runtime
    /// is gone: its tasks (the chat writer and reader, card views, the health probe) hold
    /// connections until then, and a cluster stopped under them makes each log a connection error.
    pub async fn run_until_stopped(self) -> anyhow::Result<Option<EmbeddedPostgres>> {
        let metrics = self.metrics.map(|server| {
            let handle = server.handle();
            actix_web::rt::spawn(server);
            handle
        });
        let handle = self.server.handle();
        let mut server = actix_web::rt::spawn(self.server);
        let result = tokio::select! {
            result = &mut server => result,
            signal = stop_signal() => {
                signal?;
                shutdown(&self.state, &handle).await;
                server.await
            }
        };
        let result = result.map_err(|e| anyhow::anyhow!("server task failed: {e}"))?;
        if let Some(metrics) = metrics {
            metrics.stop(true).await;
        }
        // Pooled connections may be driven by an HTTP worker's runtime, which can outlive this one
        // for a moment: close them now rather than let the cluster's stop cut them off.
        self.state.db.close();
        result?;
        Ok(self.embedded)
    }
}

/// Stops the embedded cluster `run_until_stopped` answered, on a runtime of its own: called after
/// the server's runtime ended, so no connection of it is left to see the server go away.
pub fn stop_embedded(cluster: Option<EmbeddedPostgres>) -> anyhow::Result<()> {
    let Some(mut pg) = cluster else {
        return Ok(());
    };
    tracing::info!("stopping the embedded PostgreSQL cluster");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(pg.stop())?;
    Ok(())
}

/// Resolves on the first SIGTERM or SIGINT.
async fn stop_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
        _ = int.recv() => tracing::info!("SIGINT: shutting down"),
    }
    Ok(())
}

/// Graceful shutdown within `server.shutdown_secs`: stop accepting connections; refuse new chat
/// sends ({code:503}, nothing stored) and let the writer commit and answer every send already
/// queued; then close every websocket with 1012 and a reason telling the client to reconnect
/// (each after the frames it is working on, so no ack is cut off); finally let in-flight HTTP
/// requests finish and stop the server.
pub async fn shutdown(state: &AppState, server: &actix_web::dev::ServerHandle) {
    let deadline =
        std::time::Instant::now() + Duration::from_secs(state.settings.server.shutdown_secs);
    server.pause().await;
    if !state.chat.writer.close(deadline).await {
        tracing::warn!("shutdown: the message writer did not drain before the deadline");
    }
    let told = state
        .chat
        .registry
        .send(crate::chat::registry::CloseAll)
        .await
        .unwrap_or(0);
    tracing::info!(
        sockets = told,
        "shutdown: websockets told to reconnect elsewhere"
    );
    // Sessions close as soon as their work in hand is done; give them until the deadline.
    while std::time::Instant::now() < deadline {
        let stats = state
            .chat
            .registry
            .send(crate::chat::registry::GetStats)
            .await;
        if stats.map_or(true, |s| s.listeners == 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.stop(true).await;
}

/// The shared state of one node: starts the bus, the registry and the message writer, so call it
/// once per process (inside the actix system), never per worker.
pub fn build_state(settings: Settings, db: deadpool_postgres::Pool) -> anyhow::Result<AppState> {
    telemetry::metrics::install()?;
    let bus: Arc<dyn Bus> = if settings.redis.url.is_empty() {
        Arc::new(LocalBus::default())
    } else {
        RedisBus::connect(&settings.redis.url, &settings.redis.channel_prefix)?
    };
    let registry = Registry::start(
        bus.clone(),
        Duration::from_millis(settings.chat.catchup_poll_ms),
        settings.chat.max_listeners_per_principal,
    );
    crate::chat::revocation::start(
        registry.clone(),
        db.clone(),
        Duration::from_secs(settings.auth.token_cache_secs.max(1)),
    );
    let batch = BatchConfig {
        max_rows: settings.chat.write_batch_rows,
        window: Duration::from_millis(settings.chat.write_batch_window_ms),
    };
    // Probed here (the main arbiter: registry, writers) and on each HTTP worker (`run`).
    let loop_lag = LoopLag::new(Duration::from_millis(settings.chat.admission_lag_ms));
    loop_lag.probe_this_loop();
    let writer = Writer::start(
        db.clone(),
        WriterConfig {
            batch,
            store_timeout: Duration::from_millis(settings.chat.store_timeout_ms),
            admission_delay: Duration::from_millis(settings.chat.admission_delay_ms),
            shards: settings.chat.writers,
        },
        bus.clone(),
    )
    .refusing_when_late(loop_lag.clone());
    let read_bus = bus.clone();
    let read_batch = BatchConfig {
        max_rows: settings.chat.write_batch_rows,
        window: Duration::from_millis(settings.chat.read_batch_window_ms),
    };
    let reader = Reader::start(db.clone(), read_batch, move |change| {
        let (channel, event) = match change {
            ReadChange::CustomerRead {
                radar_user,
                customer,
            } => (
                Channel::Radar(radar_user),
                Event::ReadReceipt {
                    radar_user,
                    customer,
                },
            ),
            ReadChange::RadarRead { radar_user } => (
                Channel::Radar(radar_user),
                Event::RadarUnreadChanged { radar_user },
            ),
        };
        read_bus.publish(channel, event);
    });
    let wechat = wechat::Client::new(&settings.wechat)?;
    let settings = Arc::new(settings);
    let tokens = crate::auth::Tokens::new(
        db.clone(),
        Duration::from_secs(settings.auth.token_cache_secs),
        settings.auth.timestamp_window_secs,
    );
    let access_tokens = wechat::AccessTokens::new(wechat.clone(), db.clone(), &settings.wechat);
    let notifier: Arc<dyn crate::action::Notifier> = Arc::new(NoopNotifier);
    let chat = Chat::new(chat::handle::Parts {
        db: db.clone(),
        settings: settings.clone(),
        tokens: tokens.clone(),
        bus,
        registry,
        writer,
        reader,
        notifier: notifier.clone(),
        wechat: wechat.clone(),
        access_tokens: access_tokens.clone(),
        offline_checks: Default::default(),
        pairs: TtlCache::purged(Duration::from_secs(settings.auth.token_cache_secs)),
    });
    let posters = crate::poster::Posters {
        db: db.clone(),
        data_dir: settings.storage.data_dir.clone(),
        wechat_mode: settings.wechat.mode,
        wechat: wechat.clone(),
        access_tokens: access_tokens.clone(),
    };
    let avatars = crate::avatar::Avatars {
        db: db.clone(),
        data_dir: settings.storage.data_dir.clone(),
        fetcher: crate::avatar::fetcher()?,
    };
    Ok(AppState {
        chat,
        card_views: CardViews::start(db.clone(), crate::config::cores()),
        tokens,
        customer_companies: TtlCache::purged(Duration::from_secs(settings.auth.token_cache_secs)),
        case_pages: TtlCache::purged(Duration::from_millis(settings.cache.case_list_ms)),
        access_tokens,
        db,
        wechat,
        settings,
        notifier,
        posters,
        avatars,
        loop_lag,
    })
}

/// Starts the HTTP server on `listener`.
pub fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let workers = match state.settings.server.workers {
        0 => crate::config::cores(),
        n => n,
    };
    let body_limit = state.settings.server.max_body_bytes;
    let body_timeout =
        http::params::BodyTimeout(Duration::from_secs(state.settings.server.body_timeout_secs));
    let shutdown_secs = state.settings.server.shutdown_secs;
    let test_mode = state.settings.login.test_mode;
    let statics = state.settings.storage.data_dir.join("statics");
    let metrics_here = state.settings.metrics.resolved() == MetricsBind::Main;
    let readiness = web::Data::new(Readiness::new(state.db.clone(), state.chat.bus.clone()));
    // actix-files logs an error per start and serves nothing if the directory is missing.
    std::fs::create_dir_all(&statics)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", statics.display()))?;
    let mount = http::routes::Mount {
        test_mode,
        metrics_here,
        statics,
    };
    let loop_lag = state.loop_lag.clone();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        // Runs once per worker (or more), on the worker's own loop.
        loop_lag.probe_this_loop();
        App::new()
            // Inside NormalizePath, so the span and metrics see the normalized route.
            .wrap(http::legacy_error_bodies())
            .wrap(middleware::from_fn(telemetry::span::middleware))
            .wrap(middleware::NormalizePath::trim())
            .app_data(data.clone())
            .configure(|cfg| health::configure(cfg, readiness.clone()))
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(body_timeout)
            .configure(|cfg| http::configure(cfg, &mount))
            .default_service(web::to(http::not_found))
    })
    .on_connect(|conn, ext| {
        // Kept so a websocket whose client stopped reading can be cut off (chat::session::socket).
        if let Some(socket) = ConnSocket::of(conn) {
            ext.insert(socket);
        }
        // Frames written back to back (an ack then its echo) must not wait for delayed ACKs.
        if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        }
    })
    .workers(workers)
    // Signals are handled by `Application::run_until_stopped` (graceful shutdown); the server's
    // own stop waits this long for in-flight requests.
    .disable_signals()
    .shutdown_timeout(shutdown_secs)
    .listen(listener)?
    .run();
    Ok(server)
}
