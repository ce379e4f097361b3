//! RecordAction (spec §4.1): the radar feed, and the pluggable notifier that tells the radar user.
//!
//! The feed row is written in the caller's transaction (or right after its work); the notification
//! is fire-and-forget and never changes the caller's answer.

use deadpool_postgres::GenericClient;

use crate::store;

/// Action codes of the feed (spec §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i16)]
pub enum Action {
    CardView = 1,
    ProductView = 2,
    Website = 4,
    CopyWechat = 5,
    ForwardCard = 6,
    ConsultProduct = 7,
    SavePhone = 8,
    Praise = 9,
    Calling = 10,
    Authorize = 13,
    SendMiniProgram = 23,
}

/// The feed label of an action code (spec §3.4), `''` for codes Radar never writes.
pub fn label(action: i16) -> &'static str {
    match action {
        1 => "查看名片",
        2 => "查看产品",
        3 => "查看动态",
        4 => "查看官网",
        5 => "复制微信",
        6 => "转发名片",
        7 => "咨询产品",
        8 => "保存电话",
        9 => "觉得靠谱",
        10 => "拨打电话",
        11 => "播放语音",
        12 => "复制邮箱",
        13 => "授权访问",
        21 => "查看日记首页",
        22 => "查看日记详情",
        23 => "发送小程序",
        24 => "查看视频",
        _ => "",
    }
}

/// Sends a radar user a text (original: an enterprise-WeChat message). Must not block.
pub trait Notifier: Send + Sync + 'static {
    /// Queues `text` for radar user `radar_user`; failures are the notifier's to log.
    fn notify(&self, radar_user: i64, text: String);

    /// Whether notifications go anywhere; when not, callers skip the lookups that only build
    /// the text (the chat path sends many messages).
    fn enabled(&self) -> bool {
        true
    }
}

/// The default notifier: companies without an enterprise-WeChat app get no message.
pub struct NoopNotifier;

impl Notifier for NoopNotifier {
    fn notify(&self, radar_user: i64, _text: String) {
        tracing::debug!(radar_user, "no notifier configured; feed row only");
    }

    fn enabled(&self) -> bool {
        false
    }
}

/// Writes the feed row for `action` and notifies the radar user with `<name><remark>`.
pub async fn record(
    db: &impl GenericClient,
    notifier: &dyn Notifier,
    action: Action,
    radar_user: i64,
    customer: i64,
    remark: &str,
) -> Result<(), tokio_postgres::Error> {
    if let Some(name) =
        store::action::record(db, radar_user, customer, action as i16, remark, None).await?
    {
        notifier.notify(radar_user, format!("{name}{remark}"));
    }
    Ok(())
}

/// Action 0: "the customer sent you a message" — a notification only, no feed row.
pub async fn notify_chat(
    db: &impl GenericClient,
    notifier: &dyn Notifier,
    radar_user: i64,
    customer: i64,
) -> Result<(), tokio_postgres::Error> {
    if !notifier.enabled() {
        return Ok(());
    }
    if let Some(name) = store::action::chat_notice_name(db, radar_user, customer).await? {
        notifier.notify(
            radar_user,
            format!("【{name}】:发送给您一条新消息，请点击查看!"),
        );
    }
    Ok(())
}
