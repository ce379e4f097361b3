//! `AppState`: what every handler shares (pool, settings, WeChat client, notifier).

use std::sync::Arc;

use deadpool_postgres::Pool;

use actix::Addr;

use crate::action::Notifier;
use crate::card_views::CardViews;
use crate::chat::bus::Bus;
use crate::chat::reader::Reader;
use crate::chat::registry::Registry;
use crate::chat::writer::Writer;
use crate::config::Settings;
use crate::ttl_cache::TtlCache;
use crate::wechat;

/// Shared per-process state, cloned cheaply into each worker.
#[derive(Clone)]
pub struct AppState {
    pub db: Pool,
    pub settings: Arc<Settings>,
    pub wechat: wechat::Client,
    /// Access tokens shared by every node (through PostgreSQL).
    pub access_tokens: wechat::AccessTokens,
    pub notifier: Arc<dyn Notifier>,
    /// Carries chat events between nodes.
    pub bus: Arc<dyn Bus>,
    /// This process's session registry.
    pub registry: Addr<Registry>,
    /// The group-commit message writer.
    pub writer: Writer,
    /// The group commit of card views (M10).
    pub card_views: CardViews,
    /// The group read-marker of socket pushes.
    pub reader: Reader,
    /// Principals' tokens and the signature check (shared with the sockets).
    pub tokens: crate::auth::Tokens,
    /// Customers' companies (customer id → company id), once known.
    pub customer_companies: Arc<TtlCache<i64, i64>>,
    /// Whole answers of unfiltered M27 case-list pages.
    pub case_pages: Arc<TtlCache<CasePageKey, actix_web::web::Bytes>>,
    /// Plain HTTP client for fetching public files (avatars).
    pub fetcher: reqwest::Client,
    /// Pairs with an offline notification check waiting (`chat::notify`).
    pub offline_checks: crate::chat::notify::Waiting,
}

/// An unfiltered M27 page: company, order, limit (`None` = all), offset.
pub type CasePageKey = (i64, &'static str, Option<i64>, i64);
