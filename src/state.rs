//! `AppState`: what every HTTP handler shares (pool, settings, WeChat client, notifier, caches),
//! and the cores' own handles (`chat`, `card_views`, `posters`, `avatars`). Only the HTTP edge and
//! startup see it; each core and background job receives its own handle.

use std::sync::Arc;

use deadpool_postgres::Pool;

use crate::action::Notifier;
use crate::card_views::CardViews;
use crate::chat::Chat;
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
    /// The chat core (writer, reader, bus, registry): what chat handlers and sockets use.
    pub chat: Chat,
    /// The group commit of card views (M10).
    pub card_views: CardViews,
    /// Principals' tokens and the signature check (shared with the sockets).
    pub tokens: crate::auth::Tokens,
    /// Customers' companies (customer id → company id), once known.
    pub customer_companies: Arc<TtlCache<i64, i64>>,
    /// Whole answers of unfiltered M27 case-list pages.
    pub case_pages: Arc<TtlCache<CasePageKey, actix_web::web::Bytes>>,
    /// Pair codes and posters, made on first request.
    pub posters: crate::poster::Posters,
    /// Background re-hosting of WeChat avatars.
    pub avatars: crate::avatar::Avatars,
    /// How late this node\'s event loops run ready work (probed on each; admission reads it).
    pub loop_lag: Arc<crate::loop_lag::LoopLag>,
}

/// An unfiltered M27 page: company, order, limit (`None` = all), offset.
pub type CasePageKey = (i64, &'static str, Option<i64>, i64);
