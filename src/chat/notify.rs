//! Offline notification of a customer (spec §6.5, New rules; issue 13): after a radar message,
//! wait `delay_secs`; if the customer still has not read it (a live socket inside the chat, or a
//! read over HTTP, would have marked it read), send at most one notification per pair per
//! `min_interval_secs` across all nodes (`notify/claim_pair`), by
//! 1. a subscribe message (`subscribe_enabled`), using up one of the customer's one-time grants
//!    of the company's subscribe template (`subscribe_template_id`); or, when there is none,
//! 2. the legacy template message with the newest unexpired formId (`enabled`, off by default:
//!    WeChat switched that API off in 2020; kept for old deployments).
//!
//! Neither path loops on WeChat's errors: a subscribe send uses exactly one grant (43101 "no
//! grant left" also invalidates the customer's other grants of that template; 47003 and the
//! like are logged as configuration errors); the formId path tries at most 3 formIds. The access
//! token comes from `wechat::AccessTokens` (shared by all nodes, refreshed once on 40001).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::Object;
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::chat::Chat;
use crate::ids::{CustomerId, RadarUserId};
use crate::wechat::{subscribe, WechatError};
use crate::{sql, time};

/// WeChat's "invalid formId" error: try the next one.
const INVALID_FORM_ID: i64 = 41028;
/// formIds tried for one notification.
const MAX_FORM_IDS: usize = 3;
/// WeChat's "the user has no grant left for this template" (refused, used up or switched off).
const NO_GRANT: i64 = 43101;

/// The pairs whose offline check is waiting. One check per pair at a time: it looks at the
/// pair's oldest message still waiting (the first one scheduled), so a busy conversation costs
/// one timer and one query per `delay_secs`, not one per message.
#[derive(Clone, Default)]
pub struct Waiting(Arc<Mutex<HashSet<(RadarUserId, CustomerId)>>>);

impl Waiting {
    /// True when no check of the pair was waiting (the caller schedules one).
    fn claim(&self, pair: (RadarUserId, CustomerId)) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(pair)
    }

    fn release(&self, pair: (RadarUserId, CustomerId)) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&pair);
    }
}

/// Schedules the check for message `id` from `radar_user` to `customer` (no-op when disabled,
/// or when a check of the pair is already waiting: it covers this message too).
pub fn schedule(chat: &Chat, radar_user: RadarUserId, customer: CustomerId, id: i64) {
    let settings = &chat.settings.template_message;
    if !settings.enabled && !settings.subscribe_enabled {
        return;
    }
    if !chat.offline_checks.claim((radar_user, customer)) {
        return;
    }
    let delay = Duration::from_secs(settings.delay_secs);
    let chat = chat.clone();
    actix_web::rt::spawn(async move {
        tokio::time::sleep(delay).await;
        let due = due_message(&chat, (radar_user, customer), delay, id).await;
        chat.offline_checks.release((radar_user, customer));
        let result = match due {
            Ok(Some(id)) => notify(&chat, radar_user, customer, id).await,
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::warn!(
                error = format!("{e:#}"),
                %radar_user,
                %customer,
                "offline notification failed"
            );
        }
    });
}

/// The radar message of the pair to notify about once it has waited `delay`: the oldest one the
/// customer has not read (a later one when the first was read meanwhile; the check then sleeps
/// until that one is due). `None` when everything was read.
async fn due_message(
    chat: &Chat,
    (radar_user, customer): (RadarUserId, CustomerId),
    delay: Duration,
    first: i64,
) -> anyhow::Result<Option<i64>> {
    let mut id = first;
    loop {
        let db = chat.db.get().await?;
        let Some(row) = db
            .query_opt(sql!("notify/oldest_unread"), &[&radar_user, &customer])
            .await?
        else {
            return Ok(None);
        };
        drop(db);
        let age = Duration::from_secs_f64(row.get::<_, f64>("age_secs").max(0.0));
        if id == row.get::<_, i64>("id") || age >= delay {
            return Ok(Some(row.get("id")));
        }
        id = row.get("id");
        tokio::time::sleep(delay - age).await;
    }
}

/// Who is notified, and how (sql/notify/target.sql).
struct Target {
    openid: String,
    user_type: i16,
    username: String,
    appid: String,
    secret: Option<String>,
    form_template: Option<String>,
    three_services_type: i16,
    subscribe_template: Option<String>,
    subscribe_fields: Option<Value>,
}

async fn notify(
    chat: &Chat,
    radar_user: RadarUserId,
    customer: CustomerId,
    id: i64,
) -> anyhow::Result<()> {
    let settings = &chat.settings.template_message;
    let db = chat.db.get().await?;
    // No row: read meanwhile, or nobody to notify.
    let Some(t) = db
        .query_opt(sql!("notify/target"), &[&radar_user, &customer, &id])
        .await?
    else {
        return Ok(());
    };
    let t = Target {
        openid: t.get(0),
        user_type: t.get(1),
        username: t.get(2),
        appid: t.get(3),
        secret: t.get(4),
        form_template: t.get(5),
        three_services_type: t.get(6),
        subscribe_template: t.get(7),
        subscribe_fields: t.get(8),
    };
    let Some(secret) = t.secret.clone().filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    let subscribe_template = t
        .subscribe_template
        .clone()
        .filter(|s| settings.subscribe_enabled && !s.is_empty());
    let form_template = t
        .form_template
        .clone()
        .filter(|s| settings.enabled && !s.is_empty());
    if t.user_type != 2 || (subscribe_template.is_none() && form_template.is_none()) {
        return Ok(());
    }
    let interval = settings.min_interval_secs as f64;
    if db
        .query_opt(
            sql!("notify/claim_pair"),
            &[&radar_user, &customer, &interval],
        )
        .await?
        .is_none()
    {
        return Ok(());
    }
    let page = match t.three_services_type {
        2 => format!("pages/chat/msg?uid={radar_user}&source=template_msg"),
        _ => format!("pages/mingpian/msg?source=template_msg&uid={radar_user}&pid="),
    };
    let job = Job {
        chat,
        db: &db,
        customer,
        target: &t,
        secret: SecretString::from(secret),
        page,
    };
    if let Some(template) = subscribe_template {
        if by_subscribe(&job, &template).await? {
            return Ok(());
        }
    }
    if let Some(template) = form_template {
        by_form_id(&job, &template).await?;
    }
    Ok(())
}

/// One notification under way: whom, with which app, to which page.
struct Job<'a> {
    chat: &'a Chat,
    db: &'a Object,
    customer: CustomerId,
    target: &'a Target,
    secret: SecretString,
    page: String,
}

/// Sends one subscribe message with one of the customer's grants. Ok(false): no grant to use.
async fn by_subscribe(job: &Job<'_>, template: &str) -> anyhow::Result<bool> {
    let (chat, db, customer, t) = (job.chat, job.db, job.customer, job.target);
    let Some(row) = db
        .query_opt(sql!("notify/take_grant"), &[&customer, &template])
        .await?
    else {
        tracing::info!(%customer, "no subscribe grant for the offline notification");
        return Ok(false);
    };
    let grant: i64 = row.get(0);
    let now = time::datetime(chrono::Utc::now());
    let values = subscribe::Values {
        sender: &t.username,
        time: now.get(..16).unwrap_or(&now),
    };
    let payload = json!({
        "touser": t.openid,
        "template_id": template,
        "page": job.page,
        "data": subscribe::data(t.subscribe_fields.as_ref(), &values),
    });
    let sent = chat
        .access_tokens
        .call(&t.appid, &job.secret, |token| {
            let payload = &payload;
            async move { chat.wechat.send_subscribe(&token, payload).await }
        })
        .await;
    let errcode: i32 = match &sent {
        Ok(()) => 0,
        Err(WechatError::Api { errcode, .. }) => i32::try_from(*errcode).unwrap_or(-1),
        Err(_) => -1,
    };
    db.execute(sql!("notify/grant_result"), &[&grant, &errcode])
        .await?;
    match sent {
        Ok(()) => Ok(true),
        Err(WechatError::Api {
            errcode: NO_GRANT, ..
        }) => {
            // WeChat holds no grant for this user: ours are stale (refused or switched off).
            db.execute(
                sql!("notify/invalidate_grants"),
                &[&customer, &template, &(NO_GRANT as i32)],
            )
            .await?;
            tracing::info!(%customer, "WeChat has no subscribe grant (43101); grants invalidated");
            Ok(false)
        }
        Err(e) => Err(anyhow::Error::new(e).context(
            "subscribe message refused (47003: check the company's subscribe_fields; 40037: its template id)",
        )),
    }
}

/// The legacy path: the newest unexpired formId, at most [`MAX_FORM_IDS`] of them.
async fn by_form_id(job: &Job<'_>, template: &str) -> anyhow::Result<()> {
    let (chat, db, customer, t) = (job.chat, job.db, job.customer, job.target);
    let token = chat.access_tokens.get(&t.appid, &job.secret).await?;
    for _ in 0..MAX_FORM_IDS {
        let Some(row) = db
            .query_opt(sql!("notify/take_form_id"), &[&customer])
            .await?
        else {
            tracing::info!(
                %customer,
                "没有formID: no usable formId for the template notification"
            );
            return Ok(());
        };
        let form_id: String = row.get(0);
        let payload = json!({
            "touser": t.openid,
            "template_id": template,
            "form_id": form_id,
            "page": job.page,
            "data": {
                "keyword1": {"value": t.username},
                "keyword2": {"value": time::datetime(chrono::Utc::now())},
                "keyword3": {"value": subscribe::NOTICE},
            },
        });
        match chat.wechat.send_template(&token, &payload).await {
            Ok(()) => return Ok(()),
            Err(WechatError::Api {
                errcode: INVALID_FORM_ID,
                ..
            }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
