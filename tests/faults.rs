//! Process-level fault tests (issue 9 item 7): the built `radar` binary runs as real processes
//! (two nodes linked by a private `redis-server`, on a fresh database of the test PostgreSQL) under
//! a small websocket load, while a fault is injected: kill -9 of a node, Redis killed and
//! restarted, the database unreachable for seconds, SIGTERM of a node, a client that stops reading.
//!
//! The load: one conversation per (radar user, customer) pair; the radar user sends over its chat
//! socket (WS-R1) on one node, one message at a time, paced; the customer listens on both nodes
//! (WS-M), registered with `since_seq`. A sender that loses its connection before the answer
//! reconnects (to the next node) and sends the same `client_msg_id` again; half the senders give
//! no `client_msg_id` (the server makes the idempotency key) and never resend. A send answered
//! with a refusal (503, 429) is not sent again. A receiver whose socket ends reconnects (to the
//! next node) with `since_seq` = the last seq it got.
//!
//! Every scenario asserts the README's delivery guarantees:
//! - every acknowledged message is stored exactly once, with the id and seq of its ack;
//! - a message only ever answered with a refusal is not stored (and a node shutting down acks
//!   nothing on a socket after it refused a send there);
//! - every receiver gets every stored message of its conversation exactly once, in seq order
//!   (across its reconnects), and had every message committed before the fault ended within a
//!   stated time after it ended.
//!
//! One summary line per scenario on stdout (`--nocapture`), copied to load-tests/RESULTS.md.
//! Loopback only. Processes, Redis, database and directories belong to guards that remove them,
//! on failure too. Scenarios run one at a time (a lock), so each one's timings are its own.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions may unwrap

#[path = "support/private_redis.rs"]
mod private_redis;
#[path = "support/radar_process.rs"]
mod radar_process;
#[path = "support/test_db.rs"]
mod test_db;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use nix::sys::signal::Signal;
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use private_redis::PrivateRedis;
use radar_process::RadarProcess;
use test_db::TestDb;

const WS_M: &str = "/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat";
const WS_R1: &str = "/zhugeleida/qiyeweixin/websocket/leida_chat";
const ACK: &str = "雷达消息-发送成功";
const RADAR_PUSH: &str = "实时推送雷达-最新聊天信息成功";
const CUSTOMER_PUSH: &str = "实时推送小程序-最新聊天信息成功";
const SHUTDOWN_REASON: &str = "服务器重启,请重新连接";
const SLOW_CONSUMER: &str = "outbound queue full: client not reading";

/// Conversations of the load (one sender, a receiver on each node).
const CONVERSATIONS: usize = 6;
/// Pace of each sender: 6 × 40 = 240 msgs/s offered.
const SEND_EVERY: Duration = Duration::from_millis(25);

/// One scenario at a time: on a shared two-core machine, parallel scenarios would measure each
/// other.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

// ---------------------------------------------------------------------------------------------
// The cluster: nodes, Redis, database, seeded conversations.

#[derive(Clone, Debug)]
struct Conv {
    radar: i64,
    radar_token: String,
    customer: i64,
    customer_token: String,
}

/// Fields drop in order: nodes (SIGKILL), then Redis, then the database.
struct Cluster {
    nodes: Vec<Option<RadarProcess>>,
    /// `ws://127.0.0.1:<port>` of each node, by index (kept after a node is gone).
    addrs: Vec<String>,
    redis: PrivateRedis,
    db: TestDb,
    name: String,
    convs: Vec<Conv>,
}

impl Cluster {
    /// `nodes` nodes on one fresh database and one private Redis, with `env` on top of the test
    /// settings, and `CONVERSATIONS` seeded pairs.
    async fn start(nodes: usize, env: &[(&str, &str)]) -> Cluster {
        let db = TestDb::create().await;
        let name = db
            .url
            .rsplit_once('/')
            .expect("a database name")
            .1
            .to_owned();
        let mut redis = PrivateRedis::new();
        redis.start().await;
        let redis_url = redis.url();
        let prefix = format!("faults-{}", uuid::Uuid::new_v4().simple());
        let mut base: Vec<(&str, &str)> = vec![
            ("RADAR__REDIS__URL", &redis_url),
            ("RADAR__REDIS__CHANNEL_PREFIX", &prefix),
            // The load generator paces itself; the per-socket limit is not under test here.
            ("RADAR__CHAT__RATE_PER_SEC", "100000"),
            ("RADAR__CHAT__RATE_BURST", "100000"),
            ("RADAR__SERVER__WORKERS", "2"),
            // Loopback only: nothing may reach WeChat.
            ("RADAR__WECHAT__API_BASE", "http://127.0.0.1:9"),
        ];
        base.extend_from_slice(env);
        let mut procs = Vec::new();
        let mut addrs = Vec::new();
        // One after the other: the first applies the migrations.
        for _ in 0..nodes {
            let p = RadarProcess::start_on(name.clone(), &base).await;
            addrs.push(p.address().replacen("http://", "ws://", 1));
            procs.push(Some(p));
        }
        let convs = seed(&db.url, CONVERSATIONS).await;
        Cluster {
            nodes: procs,
            addrs,
            redis,
            db,
            name,
            convs,
        }
    }

    fn node(&self, i: usize) -> &RadarProcess {
        self.nodes[i].as_ref().expect("node running")
    }

    async fn client(&self) -> tokio_postgres::Client {
        radar_process::connect(&self.db.url).await
    }

    /// Highest seq per conversation, now.
    async fn max_seqs(&self) -> Vec<i64> {
        let db = self.client().await;
        let mut out = Vec::new();
        for c in &self.convs {
            let seq: i64 = db
                .query_one(
                    "SELECT coalesce(max(seq), 0)::bigint FROM chat_messages
                     WHERE user_id = $1 AND customer_id = $2",
                    &[&c.radar, &c.customer],
                )
                .await
                .expect("max seq")
                .get(0);
            out.push(seq);
        }
        out
    }

    /// Makes the database unreachable: no new connection, every open one ended.
    async fn block_database(&self) {
        let admin = radar_process::connect(&test_db::admin_database_url()).await;
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {0} ALLOW_CONNECTIONS false;
                 SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = '{0}' AND pid <> pg_backend_pid();",
                self.name
            ))
            .await
            .expect("block the test database");
    }

    async fn unblock_database(&self) {
        let admin = radar_process::connect(&test_db::admin_database_url()).await;
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {} ALLOW_CONNECTIONS true",
                self.name
            ))
            .await
            .expect("unblock the test database");
    }
}

/// One company, `n` radar users and `n` customers, bound pairwise.
async fn seed(url: &str, n: usize) -> Vec<Conv> {
    let db = radar_process::connect(url).await;
    let company: i64 = db
        .query_one(
            "INSERT INTO companies (name, address, account_expired_time, website_content)
             VALUES ('故障公司', '地址', now() + interval '1 year', '[]') RETURNING id",
            &[],
        )
        .await
        .expect("company")
        .get(0);
    let mut convs = Vec::new();
    for i in 0..n {
        let login = format!("faults-radar-{company}-{i}");
        let radar_token = radar::auth::md5_hex(&login);
        let radar: i64 = db
            .query_one(
                "INSERT INTO radar_users (username, login_user, company_id, position, mingpian_phone, status, token, password)
                 VALUES ($1, $1, $2, '经理', '13900000000', 1, $3, 'unused') RETURNING id",
                &[&login, &company, &radar_token],
            )
            .await
            .expect("radar user")
            .get(0);
        let openid = format!("faults-openid-{company}-{i}");
        let customer_token = radar::auth::md5_hex(&openid);
        let customer: i64 = db
            .query_one(
                "INSERT INTO customers (company_id, openid, user_type, username, token)
                 VALUES ($1, $2, 2, '客户', $3) RETURNING id",
                &[&company, &openid, &customer_token],
            )
            .await
            .expect("customer")
            .get(0);
        db.execute(
            "INSERT INTO customer_bindings (user_id, customer_id, source) VALUES ($1, $2, 1)",
            &[&radar, &customer],
        )
        .await
        .expect("binding");
        convs.push(Conv {
            radar,
            radar_token,
            customer,
            customer_token,
        });
    }
    convs
}

// ---------------------------------------------------------------------------------------------
// Websocket clients.

fn signed(user_id: i64, token: &str, mut frame: Value) -> Message {
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    frame["user_id"] = user_id.into();
    frame["rand_str"] = radar::auth::md5_hex(&format!("{ts}{token}")).into();
    frame["timestamp"] = ts.into();
    Message::Text(frame.to_string())
}

/// How a socket ended, as its client saw it.
#[derive(Clone, Debug)]
struct Close {
    node: usize,
    /// The close frame's code; `None` = the connection ended without one.
    code: Option<u16>,
    reason: String,
    at: Instant,
}

impl Close {
    fn now(node: usize, code: Option<u16>, reason: String) -> Close {
        Close {
            node,
            code,
            reason,
            at: Instant::now(),
        }
    }
}

/// What came back for a frame: the next text frame (other than pushes), or how the socket ended.
enum Next {
    Frame(Value),
    Ended(Option<u16>, String),
}

async fn next_frame(ws: &mut Ws, limit: Duration) -> Next {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return Next::Ended(None, "timeout".into()),
            Ok(None) => return Next::Ended(None, "end of stream".into()),
            Ok(Some(Err(e))) => return Next::Ended(None, e.to_string()),
            Ok(Some(Ok(Message::Text(t)))) => match serde_json::from_str(&t) {
                Ok(v) => return Next::Frame(v),
                Err(_) => return Next::Ended(None, format!("not JSON: {t}")),
            },
            Ok(Some(Ok(Message::Close(frame)))) => {
                return match frame {
                    Some(f) => Next::Ended(Some(u16::from(f.code)), f.reason.into_owned()),
                    None => Next::Ended(None, "close without code".into()),
                }
            }
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// Opens `url` and sends `register`; the socket once the answer `code` came within 3 s.
async fn open_registered(url: String, register: Message, code: i64) -> Result<Ws, Next> {
    let connect = tokio::time::timeout(
        Duration::from_secs(2),
        tokio_tungstenite::connect_async(url),
    );
    let mut ws = match connect.await {
        Ok(Ok((ws, _))) => ws,
        Ok(Err(e)) => return Err(Next::Ended(None, e.to_string())),
        Err(_) => return Err(Next::Ended(None, "connect timeout".into())),
    };
    ws.send(register)
        .await
        .map_err(|e| Next::Ended(None, e.to_string()))?;
    match next_frame(&mut ws, Duration::from_secs(3)).await {
        Next::Frame(f) if f["code"] == code && f["msg"] == "注册成功" => Ok(ws),
        other => Err(other),
    }
}

// ---------------------------------------------------------------------------------------------
// Senders.

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Acked {
        id: i64,
        seq: i64,
    },
    Refused {
        code: i64,
    },
    /// No answer (the connection ended first) and not sent again.
    Unknown,
}

#[derive(Debug, Clone)]
struct Sent {
    text: String,
    cmid: Option<String>,
    attempts: u32,
    /// A send of it ended without an answer: it may be stored whatever came later.
    ambiguous: bool,
    outcome: Outcome,
    first_sent: Instant,
    answered: Option<Instant>,
}

#[derive(Debug, Default)]
struct SenderLog {
    messages: Vec<Sent>,
    closes: Vec<Close>,
    /// Acks that came on a connection after it had refused a send (only wrong on a node that is
    /// shutting down: after a database outage a node acks again).
    ack_after_refusal: Vec<String>,
    /// Frames nobody expected.
    stray: Vec<Value>,
}

struct SenderSpec {
    conv: usize,
    node: usize,
    with_cmid: bool,
    /// Content size (the slow-consumer scenario sends big messages).
    filler: usize,
}

async fn run_sender(
    addrs: Arc<Vec<String>>,
    conv: Conv,
    spec: SenderSpec,
    mut stop: watch::Receiver<bool>,
    log: Arc<Mutex<SenderLog>>,
) {
    let mut node = spec.node;
    let mut ws: Option<Ws> = None;
    let mut refused_here = false;
    let mut resend: Option<usize> = None;
    let mut next_tick = tokio::time::Instant::now();
    let filler = "满".repeat(spec.filler);
    let mut n = 0;
    while !*stop.borrow() {
        let Some(socket) = ws.as_mut() else {
            let url = format!("{}{WS_R1}", addrs[node]);
            let register = signed(
                conv.radar,
                &conv.radar_token,
                json!({"type": "register", "customer_id": conv.customer}),
            );
            match open_registered(url, register, 199).await {
                Ok(s) => {
                    ws = Some(s);
                    refused_here = false;
                }
                Err(_) => {
                    node = (node + 1) % addrs.len();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            continue;
        };
        let i = match resend.take() {
            Some(i) => i,
            None => {
                n += 1;
                let mut log = log.lock().unwrap();
                log.messages.push(Sent {
                    text: format!("c{}-m{n} {filler}", spec.conv),
                    cmid: spec.with_cmid.then(|| format!("c{}-k{n}", spec.conv)),
                    attempts: 0,
                    ambiguous: false,
                    outcome: Outcome::Unknown,
                    first_sent: Instant::now(),
                    answered: None,
                });
                log.messages.len() - 1
            }
        };
        let (text, cmid) = {
            let mut log = log.lock().unwrap();
            let m = &mut log.messages[i];
            m.attempts += 1;
            (m.text.clone(), m.cmid.clone())
        };
        let mut frame =
            json!({"customer_id": conv.customer, "content": {"info_type": 1, "msg": text}});
        if let Some(c) = &cmid {
            frame["client_msg_id"] = json!(c);
        }
        let sent = socket
            .send(signed(conv.radar, &conv.radar_token, frame))
            .await;
        let answer = match sent {
            Err(e) => Next::Ended(None, e.to_string()),
            Ok(()) => wait_answer(socket, &log).await,
        };
        let ended = {
            let mut l = log.lock().unwrap();
            match answer {
                Next::Frame(f) if f["msg"] == ACK => {
                    if f["data"]["client_msg_id"] != json!(cmid) {
                        l.stray.push(f.clone());
                    }
                    if refused_here {
                        l.ack_after_refusal.push(text.clone());
                    }
                    let m = &mut l.messages[i];
                    m.outcome = Outcome::Acked {
                        id: f["data"]["id"].as_i64().unwrap_or(-1),
                        seq: f["data"]["seq"].as_i64().unwrap_or(-1),
                    };
                    m.answered = Some(Instant::now());
                    false
                }
                Next::Frame(f) => {
                    refused_here = true;
                    let m = &mut l.messages[i];
                    m.outcome = Outcome::Refused {
                        code: f["code"].as_i64().unwrap_or(-1),
                    };
                    m.answered = Some(Instant::now());
                    false
                }
                Next::Ended(code, reason) => {
                    l.closes.push(Close::now(node, code, reason));
                    l.messages[i].ambiguous = true;
                    if cmid.is_some() {
                        resend = Some(i);
                    }
                    true
                }
            }
        };
        if ended {
            ws = None;
            node = (node + 1) % addrs.len();
            continue;
        }
        next_tick += SEND_EVERY;
        let now = tokio::time::Instant::now();
        if next_tick < now {
            next_tick = now;
        }
        // Until the next send, keep reading: a close (1012…) is seen when it comes.
        loop {
            let next = tokio::select! {
                _ = tokio::time::sleep_until(next_tick) => break,
                _ = stop.changed() => break,
                n = next_frame(socket, Duration::from_secs(3600)) => n,
            };
            match next {
                Next::Frame(f) if f["msg"] == RADAR_PUSH || f["code"] == 202 => {}
                Next::Frame(f) => log.lock().unwrap().stray.push(f),
                Next::Ended(code, reason) => {
                    log.lock()
                        .unwrap()
                        .closes
                        .push(Close::now(node, code, reason));
                    ws = None;
                    node = (node + 1) % addrs.len();
                    break;
                }
            }
        }
    }
    if let Some(mut s) = ws {
        let _ = tokio::time::timeout(Duration::from_secs(1), s.close(None)).await;
    }
}

/// The answer to the send in flight: an ack or a refusal (pushes, receipts and keep-alive answers
/// on the way are skipped), or how the socket ended. A database outage may hold a send for
/// `chat.store_timeout_ms` (5 s) before its 503.
async fn wait_answer(ws: &mut Ws, log: &Arc<Mutex<SenderLog>>) -> Next {
    loop {
        match next_frame(ws, Duration::from_secs(15)).await {
            Next::Frame(f) if f["msg"] == ACK => return Next::Frame(f),
            Next::Frame(f) if f["msg"] == RADAR_PUSH || f["code"] == 202 => continue,
            Next::Frame(f) if matches!(f["code"].as_i64(), Some(429 | 503)) => {
                return Next::Frame(f)
            }
            Next::Frame(f) => log.lock().unwrap().stray.push(f),
            ended => return ended,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Receivers.

#[derive(Debug, Default)]
struct RecvLog {
    /// (seq, id, when) of every pushed message, in arrival order, across reconnects.
    got: Vec<(i64, i64, Instant)>,
    last: i64,
    /// Pushes out of order or repeated.
    violations: Vec<String>,
    closes: Vec<Close>,
    /// The node and time of each (re)connection.
    connects: Vec<(usize, Instant)>,
}

async fn run_receiver(
    addrs: Arc<Vec<String>>,
    conv: Conv,
    start: usize,
    mut stop: watch::Receiver<bool>,
    log: Arc<Mutex<RecvLog>>,
) {
    let mut node = start;
    'connect: while !*stop.borrow() {
        let since = log.lock().unwrap().last;
        let register = signed(
            conv.customer,
            &conv.customer_token,
            json!({"type": "register", "u_id": conv.radar, "since_seq": since}),
        );
        let mut ws = match open_registered(format!("{}{WS_M}", addrs[node]), register, 200).await {
            Ok(ws) => ws,
            Err(ended) => {
                if let Next::Ended(Some(code), reason) = ended {
                    log.lock()
                        .unwrap()
                        .closes
                        .push(Close::now(node, Some(code), reason));
                }
                node = (node + 1) % addrs.len();
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        log.lock().unwrap().connects.push((node, Instant::now()));
        loop {
            let next = tokio::select! {
                n = next_frame(&mut ws, Duration::from_secs(3600)) => n,
                _ = stop.changed() => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
                    break 'connect;
                }
            };
            match next {
                Next::Frame(f) if f["msg"] == CUSTOMER_PUSH => {
                    let mut l = log.lock().unwrap();
                    for item in f["data"]["ret_data"].as_array().into_iter().flatten() {
                        let (seq, id) = (
                            item["seq"].as_i64().unwrap_or(-1),
                            item["id"].as_i64().unwrap_or(-1),
                        );
                        if seq != l.last + 1 {
                            let v = format!("seq {seq} after {}", l.last);
                            l.violations.push(v);
                        }
                        l.last = l.last.max(seq);
                        l.got.push((seq, id, Instant::now()));
                    }
                }
                Next::Frame(_) => {}
                Next::Ended(code, reason) => {
                    log.lock()
                        .unwrap()
                        .closes
                        .push(Close::now(node, code, reason));
                    node = (node + 1) % addrs.len();
                    continue 'connect;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The load, and what is checked after it.

struct Load {
    /// Stops the senders.
    stop: watch::Sender<bool>,
    /// Stops the receivers.
    stop_receivers: watch::Sender<bool>,
    /// (task, log, node started on).
    senders: Vec<(JoinHandle<()>, Arc<Mutex<SenderLog>>, usize)>,
    /// (task, log, conversation, node started on).
    receivers: Vec<Receiver>,
    started: Instant,
}

type Receiver = (JoinHandle<()>, Arc<Mutex<RecvLog>>, usize, usize);

impl Load {
    /// Receivers of every conversation on every node, then senders: conversation i sends from node
    /// i % nodes, with a `client_msg_id` when i is even.
    async fn start(cluster: &Cluster, filler: impl Fn(usize) -> usize) -> Load {
        let addrs = Arc::new(cluster.addrs.clone());
        let (stop, rx) = watch::channel(false);
        let (stop_receivers, receivers_rx) = watch::channel(false);
        let mut receivers = Vec::new();
        for (i, conv) in cluster.convs.iter().enumerate() {
            for node in 0..addrs.len() {
                let log = Arc::new(Mutex::new(RecvLog::default()));
                let h = tokio::spawn(run_receiver(
                    addrs.clone(),
                    conv.clone(),
                    node,
                    receivers_rx.clone(),
                    log.clone(),
                ));
                receivers.push((h, log, i, node));
            }
        }
        // Every receiver is registered before the first send.
        let deadline = Instant::now() + Duration::from_secs(10);
        while receivers
            .iter()
            .any(|r| r.1.lock().unwrap().connects.is_empty())
        {
            assert!(Instant::now() < deadline, "receivers did not connect");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut senders = Vec::new();
        for (i, conv) in cluster.convs.iter().enumerate() {
            let log = Arc::new(Mutex::new(SenderLog::default()));
            let node = i % addrs.len();
            let spec = SenderSpec {
                conv: i,
                node,
                with_cmid: i % 2 == 0,
                filler: filler(i),
            };
            let h = tokio::spawn(run_sender(
                addrs.clone(),
                conv.clone(),
                spec,
                rx.clone(),
                log.clone(),
            ));
            senders.push((h, log, node));
        }
        Load {
            stop,
            stop_receivers,
            senders,
            receivers,
            started: Instant::now(),
        }
    }

    fn acked(&self) -> usize {
        self.senders
            .iter()
            .map(|s| {
                let l = s.1.lock().unwrap();
                l.messages
                    .iter()
                    .filter(|m| matches!(m.outcome, Outcome::Acked { .. }))
                    .count()
            })
            .sum()
    }

    /// Waits until `more` further sends were acked (at most `limit`): the load goes on.
    async fn until_acked(&self, more: usize, limit: Duration) {
        let target = self.acked() + more;
        let deadline = Instant::now() + limit;
        while self.acked() < target {
            assert!(
                Instant::now() < deadline,
                "sends are not acked: {} of {target}",
                self.acked()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The figures of one scenario.
struct Report {
    sent: usize,
    attempts: u32,
    acked: usize,
    refused: usize,
    unknown: usize,
    stored: usize,
    pushed: usize,
    receivers: usize,
    recovery: Duration,
    load_secs: f64,
}

impl Report {
    fn line(&self, name: &str, limit: Duration) -> String {
        format!(
            "faults {name}: sent {} (attempts {}), acked {}, refused {}, unanswered {}, stored {}, \
             pushed {} to {} receivers, load {:.0} acked msgs/s, recovery {} ms (limit {} ms)",
            self.sent,
            self.attempts,
            self.acked,
            self.refused,
            self.unknown,
            self.stored,
            self.pushed,
            self.receivers,
            self.acked as f64 / self.load_secs,
            self.recovery.as_millis(),
            limit.as_millis()
        )
    }
}

/// Stops the senders, lets every receiver catch up with the database (at most 15 s), stops them,
/// and checks every guarantee. `fault_end`/`targets`: when the fault ended and each conversation's
/// highest seq then; every receiver must have reached it within `limit` of `fault_end`.
async fn finish(
    cluster: &Cluster,
    load: Load,
    fault_end: Instant,
    targets: &[i64],
    limit: Duration,
) -> (Report, Vec<SenderLog>, Vec<(RecvLog, usize, usize)>) {
    let _ = load.stop.send(true);
    let load_secs = load.started.elapsed().as_secs_f64();
    let mut senders = Vec::new();
    for (h, log, _) in load.senders {
        tokio::time::timeout(Duration::from_secs(20), h)
            .await
            .expect("a sender stops")
            .expect("a sender does not panic");
        senders.push(std::mem::take(&mut *log.lock().unwrap()));
    }
    // Every receiver reaches the database's last seq of its conversation.
    let finals = cluster.max_seqs().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let behind: Vec<String> = load
            .receivers
            .iter()
            .filter_map(|(_, log, conv, node)| {
                let last = log.lock().unwrap().last;
                (last < finals[*conv]).then(|| {
                    format!(
                        "conversation {conv} on node {node}: {last} of {}",
                        finals[*conv]
                    )
                })
            })
            .collect();
        if behind.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "receivers still behind 15 s after the load: {behind:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Pushes that would come after the end (repeats) are caught too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = load.stop_receivers.send(true);
    let mut receivers = Vec::new();
    for (h, log, conv, node) in load.receivers {
        tokio::time::timeout(Duration::from_secs(10), h)
            .await
            .expect("a receiver stops")
            .expect("a receiver does not panic");
        receivers.push((std::mem::take(&mut *log.lock().unwrap()), conv, node));
    }

    // The database: seq 1..n per conversation, every text once.
    let db = cluster.client().await;
    let rows = db
        .query(
            "SELECT user_id, customer_id, id, seq, content->>'msg', client_msg_id
             FROM chat_messages ORDER BY user_id, customer_id, seq",
            &[],
        )
        .await
        .expect("stored messages");
    let conv_of: HashMap<(i64, i64), usize> = cluster
        .convs
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.radar, c.customer), i))
        .collect();
    let mut stored: Vec<Vec<(i64, i64)>> = vec![Vec::new(); cluster.convs.len()];
    let mut by_text: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for r in &rows {
        let conv = conv_of[&(r.get::<_, i64>(0), r.get::<_, i64>(1))];
        let (id, seq): (i64, i64) = (r.get(2), r.get(3));
        stored[conv].push((seq, id));
        by_text
            .entry(r.get::<_, String>(4))
            .or_default()
            .push((id, seq));
    }
    for (conv, list) in stored.iter().enumerate() {
        let seqs: Vec<i64> = list.iter().map(|(s, _)| *s).collect();
        let want: Vec<i64> = (1..=list.len() as i64).collect();
        assert_eq!(seqs, want, "conversation {conv}: stored seqs are not 1..n");
    }
    let repeated: Vec<_> = by_text.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(repeated.is_empty(), "stored more than once: {repeated:?}");

    // Senders: acked = stored with that id and seq; refused (never unanswered) = not stored.
    let mut report = Report {
        sent: 0,
        attempts: 0,
        acked: 0,
        refused: 0,
        unknown: 0,
        stored: rows.len(),
        pushed: 0,
        receivers: receivers.len(),
        recovery: Duration::ZERO,
        load_secs,
    };
    for s in &senders {
        assert!(s.stray.is_empty(), "unexpected frames: {:?}", s.stray);
        for m in &s.messages {
            report.sent += 1;
            report.attempts += m.attempts;
            let row = by_text.get(&m.text).map(|v| v[0]);
            match m.outcome {
                Outcome::Acked { id, seq } => {
                    report.acked += 1;
                    assert_eq!(
                        row,
                        Some((id, seq)),
                        "acked message {:.12} not stored as acked",
                        m.text
                    );
                }
                Outcome::Refused { .. } => {
                    report.refused += 1;
                    if !m.ambiguous {
                        assert_eq!(row, None, "refused message {:.12} was stored", m.text);
                    }
                }
                Outcome::Unknown => report.unknown += 1,
            }
        }
    }

    // Receivers: exactly the stored messages, once each, in seq order; whole in time.
    let (mut worst, mut worst_at) = (Duration::ZERO, String::new());
    for (log, conv, node) in &receivers {
        assert!(
            log.violations.is_empty(),
            "conversation {conv}, receiver on node {node}: {:?}",
            log.violations
        );
        let got: Vec<(i64, i64)> = log.got.iter().map(|(s, i, _)| (*s, *i)).collect();
        assert_eq!(
            got, stored[*conv],
            "conversation {conv}, receiver on node {node}: pushes differ from the database"
        );
        report.pushed += got.len();
        let target = targets[*conv];
        if target > 0 {
            let at = log
                .got
                .iter()
                .find(|(s, _, _)| *s >= target)
                .map(|(_, _, at)| *at)
                .expect("the target was reached");
            let took = at.saturating_duration_since(fault_end);
            if took > worst {
                worst = took;
                worst_at = format!(
                    "conversation {conv}, receiver on node {node} (seq {target}; closes {:?})",
                    log.closes
                );
            }
        }
    }
    report.recovery = worst;
    assert!(
        worst <= limit,
        "{worst_at} got the messages committed before the fault ended {worst:?} after it (limit {limit:?})"
    );
    (report, senders, receivers)
}

/// Every receiver kept its first connection.
fn assert_nobody_reconnected(receivers: &[(RecvLog, usize, usize)]) {
    for (log, conv, node) in receivers {
        assert_eq!(
            log.connects.len(),
            1,
            "conversation {conv}, receiver on node {node}: {:?}",
            log.closes
        );
    }
}

/// R5 `chat/send_msg` over HTTP from the radar user of `conv` → (HTTP status, body).
async fn http_send(base: String, conv: Conv, text: &str) -> (u16, Value) {
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let rand = radar::auth::md5_hex(&format!("{ts}{}", conv.radar_token));
    let url = format!(
        "{base}/zhugeleida/qiyeweixin/chat/send_msg/0?user_id={}&timestamp={ts}&rand_str={rand}",
        conv.radar
    );
    let content = json!({"info_type": 1, "msg": text}).to_string();
    let cid = conv.customer.to_string();
    let resp = reqwest::Client::new()
        .post(url)
        .form(&[
            ("customer_id", cid.as_str()),
            ("content", &content),
            ("send_type", "1"),
        ])
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .expect("an HTTP answer");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_a_node_mid_load_loses_nothing_acknowledged() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start(2, &[]).await;
    let load = Load::start(&cluster, |_| 0).await;
    load.until_acked(200, Duration::from_secs(20)).await;

    cluster.node(0).signal(Signal::SIGKILL);
    let fault_end = Instant::now();
    assert!(cluster.nodes[0]
        .as_mut()
        .unwrap()
        .wait_exit(Duration::from_secs(5))
        .await
        .is_some());
    let targets = cluster.max_seqs().await;
    load.until_acked(300, Duration::from_secs(30)).await;

    let limit = Duration::from_secs(5);
    let (report, _, receivers) = finish(&cluster, load, fault_end, &targets, limit).await;
    let mut resumed = Duration::ZERO;
    for (log, conv, node) in &receivers {
        if *node == 0 {
            let Some((1, at)) = log.connects.get(1).copied() else {
                panic!("conversation {conv}: the receiver of the killed node did not resume on the other: {:?}", log.connects);
            };
            resumed = resumed.max(at - fault_end);
        }
    }
    println!(
        "{} — the killed node's receivers resumed on the other within {} ms",
        report.line("kill -9 of a node", limit),
        resumed.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_and_restarted_under_load_loses_nothing_and_receivers_catch_up() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start(2, &[]).await;
    let load = Load::start(&cluster, |_| 0).await;
    load.until_acked(200, Duration::from_secs(20)).await;

    cluster.redis.stop();
    tokio::time::sleep(Duration::from_secs(3)).await;
    cluster.redis.start().await;
    let fault_end = Instant::now();
    let targets = cluster.max_seqs().await;
    load.until_acked(300, Duration::from_secs(30)).await;

    let limit = Duration::from_secs(2);
    let (report, senders, receivers) = finish(&cluster, load, fault_end, &targets, limit).await;
    // Nobody was disconnected: PostgreSQL carried the outage.
    assert_nobody_reconnected(&receivers);
    for s in &senders {
        assert!(
            s.closes.is_empty(),
            "a sender was disconnected: {:?}",
            s.closes
        );
    }
    println!("{}", report.line("Redis killed for 3 s", limit));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_unreachable_for_seconds_refuses_or_acks_late_and_loses_nothing() {
    let _serial = SERIAL.lock().await;
    let cluster = Cluster::start(2, &[]).await;
    let load = Load::start(&cluster, |_| 0).await;
    load.until_acked(200, Duration::from_secs(20)).await;

    let outage = Instant::now();
    cluster.block_database().await;
    // An HTTP send during the outage: HTTP 200 with a retryable envelope, nothing stored.
    let http = tokio::spawn(http_send(
        cluster.node(1).address(),
        cluster.convs[1].clone(),
        "http-during-outage",
    ));
    tokio::time::sleep(Duration::from_secs(6)).await;
    cluster.unblock_database().await;
    let fault_end = Instant::now();
    let targets = cluster.max_seqs().await;
    load.until_acked(300, Duration::from_secs(30)).await;

    let limit = Duration::from_secs(5);
    let (report, senders, _) = finish(&cluster, load, fault_end, &targets, limit).await;
    // Sends that met the outage: refused with 503/429, or acked once the database was back.
    let (mut unavailable, mut busy, mut late) = (0, 0, 0);
    let mut acked_again: Option<Duration> = None;
    for m in senders.iter().flat_map(|s| &s.messages) {
        let Some(answered) = m.answered else { continue };
        if answered > outage && m.first_sent < fault_end {
            match m.outcome {
                Outcome::Refused { code: 503 } => unavailable += 1,
                Outcome::Refused { code: 429 } => busy += 1,
                Outcome::Refused { code } => panic!("refused with {code}"),
                Outcome::Acked { .. } if answered >= fault_end => late += 1,
                _ => {}
            }
        }
        if matches!(m.outcome, Outcome::Acked { .. }) && answered >= fault_end {
            let after = answered - fault_end;
            acked_again = Some(acked_again.map_or(after, |a| a.min(after)));
        }
    }
    assert!(unavailable + busy + late > 0, "no send met the outage");
    let (status, body) = http.await.expect("the HTTP send");
    assert_eq!(status, 200, "{body}");
    assert!(
        body["code"] == 503 || body["code"] == 429,
        "HTTP send during the outage: {body}"
    );
    let stored: i64 = cluster
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM chat_messages WHERE content->>'msg' = 'http-during-outage'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(stored, 0, "a refused HTTP send was stored");
    println!(
        "{} — sends met by the outage: {unavailable} refused 503, {busy} refused 429, {late} acked \
         after it; first ack {} ms after the database was back",
        report.line("PostgreSQL unreachable for 6 s", limit),
        acked_again.expect("acks after the outage").as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_of_a_node_under_load_closes_with_1012_and_loses_nothing() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start(2, &[("RADAR__SERVER__SHUTDOWN_SECS", "10")]).await;
    let load = Load::start(&cluster, |_| 0).await;
    load.until_acked(200, Duration::from_secs(20)).await;

    let term = Instant::now();
    cluster.node(0).signal(Signal::SIGTERM);
    let status = cluster.nodes[0]
        .as_mut()
        .unwrap()
        .wait_exit(Duration::from_secs(20))
        .await
        .expect("the node exits after SIGTERM");
    assert!(status.success(), "the node exited with {status}");
    let fault_end = Instant::now();
    let targets = cluster.max_seqs().await;
    load.until_acked(300, Duration::from_secs(30)).await;

    let limit = Duration::from_secs(5);
    let (report, senders, receivers) = finish(&cluster, load, fault_end, &targets, limit).await;
    // Once the stopping node refused a send, it acked nothing more on that socket.
    for s in &senders {
        assert!(
            s.ack_after_refusal.is_empty(),
            "acked after a refusal on the same socket: {:?}",
            s.ack_after_refusal
        );
    }
    // Every socket of the stopped node was closed with 1012 and the reason.
    let closes: Vec<&Close> = receivers
        .iter()
        .filter(|(_, _, node)| *node == 0)
        .filter_map(|(log, _, _)| log.closes.iter().find(|c| c.node == 0))
        .chain(
            senders
                .iter()
                .filter_map(|s| s.closes.iter().find(|c| c.node == 0 && c.at > term)),
        )
        .collect();
    assert_eq!(
        closes.len(),
        CONVERSATIONS + CONVERSATIONS / 2,
        "{closes:?}"
    );
    for c in closes {
        assert_eq!(
            (c.code, c.reason.as_str()),
            (Some(1012), SHUTDOWN_REASON),
            "{c:?}"
        );
    }
    println!(
        "{} — node exited {} ms after SIGTERM",
        report.line("SIGTERM of a node", limit),
        (fault_end - term).as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_gets_1008_and_the_others_get_everything() {
    let _serial = SERIAL.lock().await;
    let cluster = Cluster::start(
        2,
        // 50 frames of 15 KB (under the 1 MB byte bound): a reader that keeps up never comes
        // near it, one that stopped reading reaches it after the kernel's buffers.
        &[("RADAR__CHAT__OUTBOUND_QUEUE_FRAMES", "50")],
    )
    .await;
    // The slow client: customer 0 on node 0, a tiny receive buffer, registered, then not read.
    let conv = cluster.convs[0].clone();
    let addr: std::net::SocketAddr = cluster.addrs[0]
        .trim_start_matches("ws://")
        .parse()
        .expect("address");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("rcvbuf");
    let tcp = socket.connect(addr).await.expect("connect");
    let (mut slow, _) = tokio_tungstenite::client_async(
        format!("ws://{addr}{WS_M}"),
        tokio_tungstenite::MaybeTlsStream::Plain(tcp),
    )
    .await
    .expect("handshake");
    slow.send(signed(
        conv.customer,
        &conv.customer_token,
        json!({"type": "register", "u_id": conv.radar, "since_seq": 0}),
    ))
    .await
    .expect("register");
    let Next::Frame(answer) = next_frame(&mut slow, Duration::from_secs(5)).await else {
        panic!("no register answer");
    };
    assert_eq!(answer["code"], 200);

    // Conversation 0 carries 15 KB messages, the others small ones.
    let load = Load::start(&cluster, |i| if i == 0 { 4900 } else { 0 }).await;
    let started = Instant::now();
    let node = cluster.node(0);
    while !node.log_text().contains("client stopped reading")
        && !node.log_text().contains("websocket mailbox full")
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the slow client was never closed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let fault_end = Instant::now();
    // It reads again (within the 5 s before the server cuts TCP): the backlog the kernel held,
    // then the close frame.
    let mut frames = 0;
    let close = loop {
        match next_frame(&mut slow, Duration::from_secs(10)).await {
            Next::Frame(_) => frames += 1,
            Next::Ended(code, reason) => break (code, reason),
        }
    };
    assert_eq!(
        close,
        (Some(1008), SLOW_CONSUMER.to_owned()),
        "after {frames} frames"
    );
    let targets = cluster.max_seqs().await;
    load.until_acked(100, Duration::from_secs(30)).await;

    let limit = Duration::from_secs(2);
    let (report, _, receivers) = finish(&cluster, load, fault_end, &targets, limit).await;
    assert_nobody_reconnected(&receivers);
    println!(
        "{} — the slow client read {frames} frames, then its 1008 close",
        report.line("a client that stops reading", limit)
    );
}

/// Found by the slow-client scenario: a resume (or gap fill, or catch-up) used to be written as one
/// reply of every missing message, so a backlog larger than `chat.outbound_queue_frames` closed the
/// socket with 1008 on every attempt. Now a catch-up sends at most half the bound at a time and goes
/// on as the client reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_larger_than_the_outbound_bound_is_delivered_whole() {
    let _serial = SERIAL.lock().await;
    let cluster = Cluster::start(1, &[("RADAR__CHAT__OUTBOUND_QUEUE_FRAMES", "50")]).await;
    let conv = cluster.convs[0].clone();
    for i in 0..120 {
        let (_, body) = http_send(cluster.node(0).address(), conv.clone(), &format!("b{i}")).await;
        assert_eq!(body["code"], 200, "{body}");
    }
    let register = signed(
        conv.customer,
        &conv.customer_token,
        json!({"type": "register", "u_id": conv.radar, "since_seq": 0}),
    );
    let Ok(mut ws) = open_registered(format!("{}{WS_M}", cluster.addrs[0]), register, 200).await
    else {
        panic!("register failed");
    };
    let mut seqs = Vec::new();
    let end = loop {
        match next_frame(&mut ws, Duration::from_secs(3)).await {
            Next::Frame(f) => seqs.push(f["data"]["ret_data"][0]["seq"].as_i64().unwrap_or(-1)),
            Next::Ended(code, reason) => break (code, reason),
        }
    };
    assert_eq!(seqs, (1..=120).collect::<Vec<i64>>(), "then {end:?}");
    assert_eq!(end, (None, "timeout".to_owned()), "the socket stays open");
}
