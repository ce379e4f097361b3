//! `AppState`: what every handler shares (pool, settings, WeChat client, notifier).

use std::sync::Arc;

use deadpool_postgres::Pool;

use crate::action::Notifier;
use crate::config::Settings;
use crate::wechat;

/// Shared per-process state, cloned cheaply into each worker.
#[derive(Clone)]
pub struct AppState {
    pub db: Pool,
    pub settings: Arc<Settings>,
    pub wechat: wechat::Client,
    pub notifier: Arc<dyn Notifier>,
    /// Plain HTTP client for fetching public files (avatars).
    pub fetcher: reqwest::Client,
}
