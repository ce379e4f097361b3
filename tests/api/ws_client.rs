//! A small websocket client for tests: JSON frames in and out, with timeouts.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{Principal, TestApp};

type Stream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An open test socket.
pub struct Ws {
    stream: Stream,
}

impl TestApp {
    /// Opens a websocket at `path`.
    pub async fn connect_ws(&self, path: &str) -> Ws {
        let url = format!("{}{path}", self.address.replacen("http://", "ws://", 1));
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket connects");
        Ws { stream }
    }
}

/// The signature triple of `who` as frame fields.
pub fn signed(who: &Principal, mut frame: Value) -> Value {
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let rand = radar::auth::md5_hex(&format!("{ts}{}", who.token));
    frame["user_id"] = json!(who.id);
    frame["timestamp"] = json!(ts);
    frame["rand_str"] = json!(rand);
    frame
}

impl TestApp {
    /// Opens a websocket whose client socket has a tiny receive buffer (a client that stops
    /// reading then backs up into the server quickly).
    pub async fn connect_ws_small_buffer(&self, path: &str) -> Ws {
        let addr: std::net::SocketAddr = self
            .address
            .trim_start_matches("http://")
            .parse()
            .expect("address");
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("rcvbuf");
        let tcp = socket.connect(addr).await.expect("connect");
        let url = format!("ws://{addr}{path}");
        let (stream, _) =
            tokio_tungstenite::client_async(url, tokio_tungstenite::MaybeTlsStream::Plain(tcp))
                .await
                .expect("websocket handshake");
        Ws { stream }
    }
}

impl Ws {
    /// Sends a JSON text frame.
    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::Text(frame.to_string()))
            .await
            .expect("send");
    }

    /// Sends raw text.
    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::Text(text.to_owned()))
            .await
            .expect("send");
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, data: Vec<u8>) {
        self.stream.send(Message::Binary(data)).await.expect("send");
    }

    /// The next JSON text frame within 5 s (pings are skipped).
    pub async fn next(&mut self) -> Value {
        self.next_within(Duration::from_secs(5))
            .await
            .expect("a frame within 5 s")
    }

    /// The next JSON text frame within `d`, or None.
    pub async fn next_within(&mut self, d: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            match msg.ok()? {
                Message::Text(t) => return Some(serde_json::from_str(&t).expect("JSON frame")),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Whether the server closes the socket within 5 s (skipping remaining frames).
    pub async fn closed(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The text frames, then the close frame's code and reason, within `d` (None: no close frame
    /// in time, or the connection ended without one).
    pub async fn frames_until_close(&mut self, d: Duration) -> (Vec<Value>, Option<(u16, String)>) {
        let deadline = tokio::time::Instant::now() + d;
        let mut frames = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    frames.push(serde_json::from_str(&t).expect("JSON frame"))
                }
                Ok(Some(Ok(Message::Close(Some(c))))) => {
                    return (frames, Some((u16::from(c.code), c.reason.to_string())))
                }
                Ok(Some(Ok(_))) => continue,
                _ => return (frames, None),
            }
        }
    }

    /// Asserts no text frame arrives within `ms`.
    pub async fn silent_for(&mut self, ms: u64) {
        if let Some(f) = self.next_within(Duration::from_millis(ms)).await {
            panic!("unexpected frame: {f}");
        }
    }
}
