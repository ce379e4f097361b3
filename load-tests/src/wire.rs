//! Sockets and frames: connecting from a chosen 127.0.0.x source address, the legacy frames the
//! generator sends (spec §6.6), and a scan of the server's frames that avoids a full JSON parse
//! (the generator must stay lean: it reads about three frames per message).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::pairs::Pair;

/// A client websocket.
pub type Ws = WebSocketStream<TcpStream>;

/// WS-M, the mini-program chat socket (customer side).
pub const PATH_CUSTOMER: &str = "/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat";
/// WS-R1, the radar chat socket.
pub const PATH_RADAR: &str = "/zhugeleida/qiyeweixin/websocket/leida_chat";

/// Which end of a pair a socket or a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Customer,
    Radar,
}

impl Side {
    pub fn tag(self) -> char {
        match self {
            Side::Customer => 'c',
            Side::Radar => 'r',
        }
    }

    pub fn index(self) -> usize {
        match self {
            Side::Customer => 0,
            Side::Radar => 1,
        }
    }
}

/// [`connect_once`], retried twice (after 0.2 s, 0.4 s) on failure: a burst of connects on a busy
/// machine sometimes overflows the listen queue.
pub async fn connect(node: SocketAddr, src: Option<IpAddr>, path: &str) -> anyhow::Result<Ws> {
    let mut attempt = 0;
    loop {
        match connect_once(node, src, path).await {
            Ok(ws) => return Ok(ws),
            Err(e) if attempt >= 2 => return Err(e),
            Err(_) => {
                attempt += 1;
                RETRIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
        }
    }
}

/// Connection attempts that failed and were retried.
pub static RETRIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Opens a TCP connection from `src` (port chosen by the kernel) to `node`, then the websocket.
async fn connect_once(node: SocketAddr, src: Option<IpAddr>, path: &str) -> anyhow::Result<Ws> {
    let socket = TcpSocket::new_v4()?;
    if let Some(ip) = src {
        socket
            .bind(SocketAddr::new(ip, 0))
            .with_context(|| format!("binding {ip}"))?;
    }
    let tcp = tokio::time::timeout(Duration::from_secs(10), socket.connect(node))
        .await
        .map_err(|_| anyhow!("connect to {node} timed out"))??;
    // Small frames both ways: Nagle plus delayed ACKs would add ~40 ms stalls.
    tcp.set_nodelay(true)?;
    let config = WebSocketConfig {
        write_buffer_size: 0,
        ..WebSocketConfig::default()
    };
    let url = format!("ws://{node}{path}");
    let (ws, _) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::client_async_with_config(url, tcp, Some(config)),
    )
    .await
    .map_err(|_| anyhow!("websocket handshake with {node} timed out"))??;
    Ok(ws)
}

/// Sends `frame` and waits (bounded) for the register answer with `code`.
pub async fn register(ws: &mut Ws, frame: String, code: u32) -> anyhow::Result<()> {
    ws.send(Message::Text(frame)).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| anyhow!("no register answer in 20 s"))?;
        match msg {
            Some(Ok(Message::Text(t))) => {
                if scan_code(&t) == Some(code) {
                    return Ok(());
                }
                bail!("register answered {t}");
            }
            Some(Ok(Message::Close(c))) => bail!("closed during register: {c:?}"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => bail!("connection ended during register"),
        }
    }
}

/// The register frame of `side` for `pair`.
pub fn register_frame(side: Side, pair: &Pair, ts: &str) -> String {
    match side {
        Side::Customer => format!(
            r#"{{"type":"register","user_id":{},"u_id":{},"timestamp":"{ts}","rand_str":"{}"}}"#,
            pair.cid, pair.uid, pair.c_sig
        ),
        Side::Radar => format!(
            r#"{{"type":"register","user_id":{},"customer_id":{},"timestamp":"{ts}","rand_str":"{}"}}"#,
            pair.uid, pair.cid, pair.u_sig
        ),
    }
}

/// A send frame (no `type`, `content` as a JSON object) carrying `client_msg_id`.
pub fn send_frame(side: Side, pair: &Pair, ts: &str, cmid: &str, text: &str) -> String {
    let (who, partner_key, partner, sig) = match side {
        Side::Customer => (pair.cid, "u_id", pair.uid, &pair.c_sig),
        Side::Radar => (pair.uid, "customer_id", pair.cid, &pair.u_sig),
    };
    format!(
        r#"{{"user_id":{who},"{partner_key}":{partner},"timestamp":"{ts}","rand_str":"{sig}","client_msg_id":"{cmid}","content":{{"info_type":1,"msg":"{text}"}}}}"#
    )
}

/// A message's `client_msg_id`: `<side tag><pair index>.<sequence number>`.
pub fn cmid(side: Side, pair: usize, seq: u32) -> String {
    format!("{}{pair}.{seq}", side.tag())
}

/// Parses a `client_msg_id` made by [`cmid`].
pub fn parse_cmid(s: &str) -> Option<(Side, usize, u32)> {
    let side = match s.as_bytes().first()? {
        b'c' => Side::Customer,
        b'r' => Side::Radar,
        _ => return None,
    };
    let (pair, seq) = s[1..].split_once('.')?;
    Some((side, pair.parse().ok()?, seq.parse().ok()?))
}

/// The frame's top-level `code` (the first `"code":` key; server frames put it first or have one).
pub fn scan_code(t: &str) -> Option<u32> {
    let at = t.find("\"code\":")? + 7;
    let digits: &str = &t[at..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Every string value of `"client_msg_id"` in the frame (null values are skipped).
pub fn scan_cmids(t: &str) -> impl Iterator<Item = &str> {
    const KEY: &str = "\"client_msg_id\":\"";
    let mut rest = t;
    std::iter::from_fn(move || {
        let at = rest.find(KEY)? + KEY.len();
        let end = rest[at..].find('"')? + at;
        let v = &rest[at..end];
        rest = &rest[end..];
        Some(v)
    })
}

/// The first `"id":<n>` of the frame (an ack has exactly one).
pub fn scan_id(t: &str) -> Option<i64> {
    let at = t.find("\"id\":")? + 5;
    let digits = &t[at..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Whether the frame is a push of messages (as opposed to an ack).
pub fn is_push(t: &str) -> bool {
    t.contains("\"ret_data\":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ack_is_scanned_without_parsing() {
        let t = r#"{"code":200,"data":{"client_msg_id":"c12.7","dateTime":"2026-01-01 00:00:00","id":991},"msg":"x"}"#;
        assert_eq!(scan_code(t), Some(200));
        assert_eq!(scan_cmids(t).collect::<Vec<_>>(), vec!["c12.7"]);
        assert_eq!(scan_id(t), Some(991));
        assert!(!is_push(t));
        assert_eq!(parse_cmid("c12.7"), Some((Side::Customer, 12, 7)));
    }

    #[test]
    fn a_push_yields_every_client_msg_id_and_skips_nulls() {
        let t = r#"{"code":200,"data":{"count":3,"ret_data":[{"client_msg_id":"r1.2","id":5},{"client_msg_id":null,"id":6},{"client_msg_id":"r1.3","id":7}]}}"#;
        assert!(is_push(t));
        assert_eq!(scan_cmids(t).collect::<Vec<_>>(), vec!["r1.2", "r1.3"]);
    }
}
