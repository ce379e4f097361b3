//! A mini-program customer played by the test over plain HTTP and WS-M (spec §5, §6.6), logged
//! in through WeChat dev mode like the simulator.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const M: &str = "/zhugeleida/xiaochengxu";

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A logged-in, named customer bound to radar user `uid`.
pub struct Customer {
    base: String,
    http: reqwest::Client,
    pub cid: i64,
    token: String,
    pub uid: i64,
}

/// The id of the demo radar user `name` (from the simulator's list).
pub async fn radar_user_id(base: &str, name: &str) -> i64 {
    let body: Value = reqwest::get(format!("{base}/console/simulator/radar_users"))
        .await
        .expect("radar_users")
        .json()
        .await
        .expect("JSON");
    body["radar_users"]
        .as_array()
        .expect("list")
        .iter()
        .find(|u| u["username"] == name)
        .and_then(|u| u["id"].as_i64())
        .unwrap_or_else(|| panic!("no radar user {name}: {body}"))
}

impl Customer {
    /// M1 (dev code), M3 (nickname), M2 (binding: the greeting message).
    pub async fn arrive(base: &str, uid: i64, nickname: &str) -> Customer {
        let http = reqwest::Client::new();
        let code = format!("browser-test-{}", uuid::Uuid::new_v4().simple());
        let login: Value = http
            .get(format!("{base}{M}/login?code={code}&user_type=2&uid={uid}"))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("JSON");
        assert_eq!(login["code"], 200, "{login}");
        let me = Customer {
            base: base.to_owned(),
            http,
            cid: login["data"]["cid"].as_i64().expect("cid"),
            token: login["data"]["token"].as_str().expect("token").to_owned(),
            uid,
        };
        let info = me
            .post(
                "/login/send_user_info",
                &format!("uid={uid}"),
                &[("nickName", nickname), ("page", "1")],
            )
            .await;
        assert_eq!(info["code"], 200, "{info}");
        let bound = me
            .get("/login/binding", &format!("uid={uid}&source=1"))
            .await;
        assert_eq!(bound["code"], 200, "{bound}");
        me
    }

    fn sign(&self) -> (String, String) {
        let ts = chrono::Utc::now().timestamp_millis().to_string();
        let rand = radar::auth::md5_hex(&format!("{ts}{}", self.token));
        (ts, rand)
    }

    fn signed_query(&self, extra: &str) -> String {
        let (ts, rand) = self.sign();
        format!(
            "user_id={}&timestamp={ts}&rand_str={rand}&{extra}",
            self.cid
        )
    }

    /// A signed mini-program GET.
    pub async fn get(&self, path: &str, extra: &str) -> Value {
        let url = format!("{}{M}{path}?{}", self.base, self.signed_query(extra));
        self.http
            .get(url)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("JSON")
    }

    /// A signed mini-program form POST.
    pub async fn post(&self, path: &str, extra: &str, form: &[(&str, &str)]) -> Value {
        let url = format!("{}{M}{path}?{}", self.base, self.signed_query(extra));
        self.http
            .post(url)
            .form(form)
            .send()
            .await
            .expect("POST")
            .json()
            .await
            .expect("JSON")
    }

    /// M6: sends a text message over HTTP.
    pub async fn say(&self, text: &str) {
        let content = json!({"info_type": 1, "msg": text}).to_string();
        let body = self
            .post(
                "/chat/send_msg/0",
                "",
                &[
                    ("u_id", &self.uid.to_string()),
                    ("content", &content),
                    ("send_type", "2"),
                ],
            )
            .await;
        assert_eq!(body["code"], 200, "{body}");
    }

    /// M5: opens the chat page, which reads every message of the pair.
    pub async fn read_chat(&self) -> Value {
        let body = self
            .get(
                "/chat",
                &format!("u_id={}&current_page=1&length=50", self.uid),
            )
            .await;
        assert_eq!(body["code"], 200, "{body}");
        body
    }

    /// WS-M, registered from outside the chat page (`query_num`): pushes arrive, reading nothing.
    pub async fn socket(&self) -> CustomerSocket {
        let url = format!(
            "{}{M}/websocket/xiaochengxu_chat",
            self.base.replacen("http://", "ws://", 1)
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("WS-M connects");
        let (ts, rand) = self.sign();
        let frame = json!({"type": "query_num", "user_id": self.cid, "u_id": self.uid, "timestamp": ts, "rand_str": rand});
        ws.send(Message::Text(frame.to_string()))
            .await
            .expect("send");
        let mut socket = CustomerSocket { ws };
        let ack = socket.next().await;
        assert_eq!(ack["code"], 200, "{ack}");
        socket
    }
}

/// An open WS-M socket.
pub struct CustomerSocket {
    ws: Socket,
}

impl CustomerSocket {
    /// The next JSON frame (10 s at most).
    pub async fn next(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .expect("a frame within 10 s")
                .expect("socket open")
                .expect("frame");
            if let Message::Text(text) = msg {
                return serde_json::from_str(&text).expect("JSON frame");
            }
        }
    }

    /// Waits for a pushed message whose `msg` is `text`.
    pub async fn expect_message(&mut self, text: &str) -> Value {
        for _ in 0..20 {
            let frame = self.next().await;
            if let Some(items) = frame["data"]["ret_data"].as_array() {
                if let Some(item) = items.iter().find(|i| i["msg"] == text) {
                    return item.clone();
                }
            }
        }
        panic!("no push of {text:?}");
    }
}
