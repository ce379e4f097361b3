//! `Chat`: the chat core's own handle — everything the send path, the sockets, the long-polls and
//! the offline notifications need, and nothing else. The HTTP handlers and each socket session
//! receive it (`AppState::chat`); nothing under `chat` sees `AppState`, so a call can be followed
//! without opening `startup.rs`. Cheap to clone and to keep per socket: one `Arc`.

use std::ops::Deref;
use std::sync::Arc;

use actix::Addr;
use deadpool_postgres::Pool;

use crate::action::Notifier;
use crate::auth::Tokens;
use crate::chat::bus::Bus;
use crate::chat::notify::Waiting;
use crate::chat::reader::Reader;
use crate::chat::registry::Registry;
use crate::chat::writer::Writer;
use crate::config::Settings;
use crate::ids::{CustomerId, RadarUserId};
use crate::store::chat::PairInfo;
use crate::ttl_cache::TtlCache;
use crate::wechat;

/// The chat core of one node (see the module comment).
#[derive(Clone)]
pub struct Chat(Arc<Parts>);

/// What the chat core is made of; reached through `Chat` (it derefs to this).
pub struct Parts {
    pub db: Pool,
    /// The node's settings: `chat`, `auth.token_cache_secs` (sockets re-check their principal),
    /// `template_message` (offline notifications).
    pub settings: Arc<Settings>,
    /// Principals' tokens: sockets verify every frame's signature.
    pub tokens: Tokens,
    /// Carries chat events between nodes.
    pub bus: Arc<dyn Bus>,
    /// This node's listeners (sockets, long-polls).
    pub registry: Addr<Registry>,
    /// The group-commit message writer.
    pub writer: Writer,
    /// The group read-marker of socket pushes.
    pub reader: Reader,
    /// The radar feed's notifier (a customer's text message notifies the radar user).
    pub notifier: Arc<dyn Notifier>,
    /// WeChat, for offline notifications.
    pub wechat: wechat::Client,
    pub access_tokens: wechat::AccessTokens,
    /// Pairs with an offline notification check waiting (`chat::notify`).
    pub offline_checks: Waiting,
    /// What sockets show of their pair, read when a send or push needs it
    /// (`service::pair_cached`).
    pub pairs: Arc<TtlCache<(RadarUserId, CustomerId), Arc<PairInfo>>>,
}

impl Chat {
    pub fn new(parts: Parts) -> Chat {
        Chat(Arc::new(parts))
    }
}

impl Deref for Chat {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}
