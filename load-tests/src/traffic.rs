//! The message engine shared by `chat` (b, c) and `longpoll` (d).
//!
//! Every sending socket runs one task: an open-loop schedule (a fixed interval with a per-socket
//! phase; a late tick is sent at once, so the offered rate holds even when the generator lags) and
//! the reading of its socket, in one `select!`. A message's `client_msg_id` names its pair and
//! sequence number; the send instant is kept per (pair, direction, seq), so the recipient's push,
//! the sender's ack and its echo are matched exactly, and repeats are counted.
//!
//! Timeline: connect and register all sockets → warm-up → measured window (CPU sampled at both
//! ends; latencies and rates count messages *sent* inside it) → stop sending → drain (wait, bounded,
//! for every ack and delivery) → write `acked.tsv` / `unacked.tsv` for the database check.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::cpu::{self, CpuArgs};
use crate::pairs::{self, Pair};
use crate::stats::{BitSet, Clock, Latency};
use crate::wire::{self, Side, Ws};

/// Options of both scenarios.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Pairs file (cid, customer token, uid, radar token; tab-separated).
    #[arg(long)]
    pub pairs_file: PathBuf,
    /// Pairs to use (the first N lines).
    #[arg(long, default_value_t = 1000)]
    pub pairs: usize,
    /// Total offered rate, messages per second (all senders together).
    #[arg(long, default_value_t = 20000.0)]
    pub rate: f64,
    /// Seconds of sending before the measured window.
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,
    /// Seconds of the measured window.
    #[arg(long, default_value_t = 60)]
    pub duration: u64,
    /// Longest wait for outstanding acks and deliveries after sending stops, seconds.
    #[arg(long, default_value_t = 10)]
    pub drain: u64,
    /// Source addresses to bind client sockets to, round robin (127.0.0.x).
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1")]
    pub src: Vec<IpAddr>,
    /// Sockets connecting at once.
    #[arg(long, default_value_t = 200)]
    pub connect_concurrency: usize,
    /// Bytes of message text.
    #[arg(long, default_value_t = 32)]
    pub text_bytes: usize,
    /// Directory for acked.tsv / unacked.tsv (the driver checks them against the database).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub cpu: CpuArgs,
}

/// `chat`: both sides of every pair send over their sockets.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Node(s) the customer sockets connect to (round robin).
    #[arg(long, value_delimiter = ',', required = true)]
    pub customer_nodes: Vec<SocketAddr>,
    /// Node(s) the radar sockets connect to (round robin); two-node runs use the other node.
    #[arg(long, value_delimiter = ',', required = true)]
    pub radar_nodes: Vec<SocketAddr>,
}

/// `longpoll`: radar sockets send; each customer long-polls M8 `getmsg`.
#[derive(Debug, Clone, clap::Args)]
pub struct LongpollArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The node both the radar sockets and the long-polls use.
    #[arg(long)]
    pub node: SocketAddr,
    /// `wait` of each long-poll, seconds.
    #[arg(long, default_value_t = 30)]
    pub wait: u64,
}

/// One direction of one pair: what was sent, acknowledged, delivered, echoed.
#[derive(Default)]
struct Dir {
    /// Send instant (µs on `Clock`) per sequence number.
    sent_at: Vec<u64>,
    /// Server id from the ack per sequence number; 0 = not acknowledged.
    acked: Vec<i64>,
    delivered: BitSet,
    echoed: BitSet,
}

#[derive(Default)]
struct PairState {
    dirs: [Mutex<Dir>; 2],
}

impl PairState {
    fn dir(&self, sender: Side) -> std::sync::MutexGuard<'_, Dir> {
        self.dirs[sender.index()]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct Counters {
    dup_delivery: AtomicU64,
    dup_echo: AtomicU64,
    dup_ack: AtomicU64,
    misrouted: AtomicU64,
    unknown: AtomicU64,
    receipts: AtomicU64,
    rate_limited: AtomicU64,
    errors: AtomicU64,
    closed: AtomicU64,
    poll_requests: AtomicU64,
    poll_errors: AtomicU64,
}

/// Everything the tasks share.
struct Ctx {
    pairs: Vec<Pair>,
    state: Vec<PairState>,
    ts: String,
    text: String,
    clock: Clock,
    t0: Instant,
    window: (u64, u64),
    send_end: Instant,
    /// Sending sides and the interval of each sender.
    senders: Vec<Side>,
    interval: Duration,
    delivery: Latency,
    /// Delivery latency split by recipient: [to the customer, to the radar user].
    delivery_to: [Latency; 2],
    ack: Latency,
    lag: Latency,
    /// Deliveries by arrival second since t0.
    per_sec: Vec<AtomicU64>,
    c: Counters,
    first_errors: Mutex<Vec<String>>,
}

impl Ctx {
    fn in_window(&self, sent_us: u64) -> bool {
        sent_us >= self.window.0 && sent_us < self.window.1
    }

    fn note_error(&self, what: String) {
        self.c.errors.fetch_add(1, Relaxed);
        let mut v = self.first_errors.lock().unwrap_or_else(|e| e.into_inner());
        if v.len() < 5 {
            v.push(what);
        }
    }

    /// A message of `cmid` reached the `me` end of pair `idx` (by push or by long-poll answer).
    fn on_message(&self, me: Side, idx: usize, cmid: &str, now: u64) {
        if cmid.starts_with('h') {
            return; // the seeded history (chat_lib.sh), returned by the first long-poll
        }
        let Some((sender, pair, seq)) = wire::parse_cmid(cmid) else {
            self.c.unknown.fetch_add(1, Relaxed);
            return;
        };
        if pair != idx || pair >= self.state.len() {
            self.c.misrouted.fetch_add(1, Relaxed);
            return;
        }
        let mut d = self.state[pair].dir(sender);
        let Some(&sent) = d.sent_at.get(seq as usize) else {
            self.c.unknown.fetch_add(1, Relaxed);
            return;
        };
        if sender == me {
            if !d.echoed.insert(seq) {
                self.c.dup_echo.fetch_add(1, Relaxed);
            }
            return;
        }
        if !d.delivered.insert(seq) {
            self.c.dup_delivery.fetch_add(1, Relaxed);
            return;
        }
        drop(d);
        if self.in_window(sent) {
            self.delivery.record(now.saturating_sub(sent));
            self.delivery_to[me.index()].record(now.saturating_sub(sent));
        }
        let sec = (now.saturating_sub(self.clock.us(self.t0)) / 1_000_000) as usize;
        if let Some(s) = self.per_sec.get(sec) {
            s.fetch_add(1, Relaxed);
        }
    }

    fn on_ack(&self, me: Side, idx: usize, cmid: &str, id: i64, now: u64) {
        match wire::parse_cmid(cmid) {
            Some((sender, pair, seq)) if sender == me && pair == idx => {
                let mut d = self.state[pair].dir(sender);
                let Some(&sent) = d.sent_at.get(seq as usize) else {
                    self.c.unknown.fetch_add(1, Relaxed);
                    return;
                };
                let slot = &mut d.acked[seq as usize];
                if *slot != 0 {
                    self.c.dup_ack.fetch_add(1, Relaxed);
                    return;
                }
                *slot = id;
                drop(d);
                if self.in_window(sent) {
                    self.ack.record(now.saturating_sub(sent));
                }
            }
            _ => {
                self.c.misrouted.fetch_add(1, Relaxed);
            }
        }
    }

    /// One text frame on the `me` socket of pair `idx`.
    fn on_frame(&self, me: Side, idx: usize, t: &str) {
        let now = self.clock.now_us();
        match wire::scan_code(t) {
            Some(200) if wire::is_push(t) => {
                for cmid in wire::scan_cmids(t) {
                    self.on_message(me, idx, cmid, now);
                }
            }
            Some(200) => match (wire::scan_cmids(t).next(), wire::scan_id(t)) {
                (Some(cmid), Some(id)) => self.on_ack(me, idx, cmid, id, now),
                _ => self.note_error(format!("unexpected frame: {}", clip(t))),
            },
            Some(202) => {
                self.c.receipts.fetch_add(1, Relaxed);
            }
            Some(270) => {}
            Some(429) => {
                self.c.rate_limited.fetch_add(1, Relaxed);
            }
            _ => self.note_error(format!("error frame: {}", clip(t))),
        }
    }

    /// Records the send of the next message of `me` in pair `idx`; returns its client_msg_id.
    fn record_send(&self, me: Side, idx: usize, now: u64) -> String {
        let mut d = self.state[idx].dir(me);
        let seq = d.sent_at.len() as u32;
        d.sent_at.push(now);
        d.acked.push(0);
        wire::cmid(me, idx, seq)
    }
}

fn clip(t: &str) -> String {
    t.chars().take(200).collect()
}

/// The socket task of one sender (and reader) `me` of pair `idx`.
async fn socket_task(
    ctx: Arc<Ctx>,
    mut ws: Ws,
    me: Side,
    idx: usize,
    sends: bool,
    mut stop: watch::Receiver<bool>,
) {
    // A phase spread evenly over senders, so ticks do not bunch up.
    let n = ctx.pairs.len() as f64;
    let slot = (idx as f64 + if me == Side::Radar { 0.5 } else { 0.0 }) / n;
    let mut next = ctx.t0 + ctx.interval.mul_f64(slot);
    let sleep = tokio::time::sleep_until(next);
    tokio::pin!(sleep);
    loop {
        let sending = sends && next < ctx.send_end;
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            msg = ws.next() => match msg {
                Some(Ok(Message::Text(t))) => ctx.on_frame(me, idx, &t),
                Some(Ok(Message::Close(_))) | None => {
                    ctx.c.closed.fetch_add(1, Relaxed);
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    ctx.c.closed.fetch_add(1, Relaxed);
                    ctx.note_error(format!("socket error: {e}"));
                    return;
                }
            },
            () = &mut sleep, if sending => {
                let now = ctx.clock.now_us();
                let late = now.saturating_sub(ctx.clock.us(next));
                if ctx.in_window(now) {
                    ctx.lag.record(late);
                }
                let cmid = ctx.record_send(me, idx, now);
                let frame = wire::send_frame(me, &ctx.pairs[idx], &ctx.ts, &cmid, &ctx.text);
                if let Err(e) = ws.send(Message::Text(frame)).await {
                    ctx.c.closed.fetch_add(1, Relaxed);
                    ctx.note_error(format!("send failed: {e}"));
                    return;
                }
                next += ctx.interval;
                sleep.as_mut().reset(next);
            }
        }
    }
    let _ = ws.close(None).await;
}

/// A customer's long-poll loop (M8 with `since_id` and `wait`).
async fn poll_task(
    ctx: Arc<Ctx>,
    client: reqwest::Client,
    node: SocketAddr,
    idx: usize,
    wait: u64,
    mut stop: watch::Receiver<bool>,
) {
    let p = &ctx.pairs[idx];
    let mut since: i64 = 0;
    loop {
        let url = format!(
            "http://{node}/zhugeleida/xiaochengxu/chat/getmsg/0?user_id={}&timestamp={}&rand_str={}&u_id={}&wait={wait}&since_id={since}",
            p.cid, ctx.ts, p.c_sig, p.uid
        );
        ctx.c.poll_requests.fetch_add(1, Relaxed);
        let answer = tokio::select! {
            _ = stop.changed() => return,
            r = async { client.get(&url).send().await?.bytes().await } => r,
        };
        let now = ctx.clock.now_us();
        let body = match answer {
            Ok(b) => b,
            Err(e) => {
                ctx.c.poll_errors.fetch_add(1, Relaxed);
                ctx.note_error(format!("long-poll failed: {e}"));
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let v: serde_json::Value = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => {
                ctx.c.poll_errors.fetch_add(1, Relaxed);
                ctx.note_error(format!(
                    "long-poll answer not JSON: {}",
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                ));
                continue;
            }
        };
        if v["code"] != 200 {
            ctx.c.poll_errors.fetch_add(1, Relaxed);
            ctx.note_error(format!("long-poll answered {}", clip(&v.to_string())));
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        if let Some(items) = v["data"]["ret_data"].as_array() {
            for item in items {
                if let Some(id) = item["id"].as_i64() {
                    since = since.max(id);
                }
                match item["client_msg_id"].as_str() {
                    Some(cmid) => ctx.on_message(Side::Customer, idx, cmid, now),
                    None => {
                        ctx.c.unknown.fetch_add(1, Relaxed);
                    }
                }
            }
        }
    }
}

/// Connects and registers `side` of every pair.
async fn open_all(
    a: &CommonArgs,
    pairs: &[Pair],
    ts: &str,
    side: Side,
    nodes: &[SocketAddr],
) -> anyhow::Result<Vec<Ws>> {
    let gate = Arc::new(Semaphore::new(a.connect_concurrency.max(1)));
    let mut set = JoinSet::new();
    let path = match side {
        Side::Customer => wire::PATH_CUSTOMER,
        Side::Radar => wire::PATH_RADAR,
    };
    let code = match side {
        Side::Customer => 200,
        Side::Radar => 199,
    };
    for (i, p) in pairs.iter().enumerate() {
        let node = nodes[i % nodes.len()];
        let src = a.src[(i + side.index()) % a.src.len()];
        let frame = wire::register_frame(side, p, ts);
        let gate = gate.clone();
        set.spawn(async move {
            let _permit = gate.acquire_owned().await?;
            let mut ws = wire::connect(node, Some(src), path).await?;
            wire::register(&mut ws, frame, code).await?;
            anyhow::Ok((i, ws))
        });
    }
    let mut out: Vec<Option<Ws>> = (0..pairs.len()).map(|_| None).collect();
    while let Some(r) = set.join_next().await {
        let (i, ws) = r
            .context("connect task")?
            .with_context(|| format!("{side:?} socket"))?;
        out[i] = Some(ws);
    }
    Ok(out.into_iter().flatten().collect())
}

fn make_ctx(a: &CommonArgs, pairs: Vec<Pair>, ts: String, senders: Vec<Side>) -> Ctx {
    let clock = Clock::new();
    let t0 = Instant::now() + Duration::from_millis(500);
    let per_sender = a.rate / (pairs.len() * senders.len()).max(1) as f64;
    let interval = Duration::from_secs_f64(1.0 / per_sender.max(1e-3));
    let w0 = clock.us(t0) + a.warmup * 1_000_000;
    let w1 = w0 + a.duration * 1_000_000;
    let secs = (a.warmup + a.duration + a.drain + 5) as usize;
    let n = pairs.len();
    Ctx {
        state: (0..n).map(|_| PairState::default()).collect(),
        pairs,
        ts,
        text: "x".repeat(a.text_bytes.max(1)),
        clock,
        t0,
        window: (w0, w1),
        send_end: t0 + Duration::from_secs(a.warmup + a.duration),
        senders,
        interval,
        delivery: Latency::new(),
        delivery_to: [Latency::new(), Latency::new()],
        ack: Latency::new(),
        lag: Latency::new(),
        per_sec: (0..secs).map(|_| AtomicU64::new(0)).collect(),
        c: Counters::default(),
        first_errors: Mutex::new(vec![]),
    }
}

/// Totals over all pairs: (sent, acked, delivered of acked, echoed of acked).
fn totals(ctx: &Ctx) -> (u64, u64, u64, u64) {
    let (mut s, mut a, mut d, mut e) = (0, 0, 0, 0);
    for p in &ctx.state {
        for side in &ctx.senders {
            let dir = p.dir(*side);
            s += dir.sent_at.len() as u64;
            for (seq, id) in dir.acked.iter().enumerate() {
                if *id != 0 {
                    a += 1;
                    d += u64::from(dir.delivered.contains(seq as u32));
                    e += u64::from(dir.echoed.contains(seq as u32));
                }
            }
        }
    }
    (s, a, d, e)
}

/// Runs the timeline once the tasks are spawned; prints the report.
async fn drive(
    ctx: Arc<Ctx>,
    a: &CommonArgs,
    stop: watch::Sender<bool>,
    mut tasks: JoinSet<()>,
    scenario: &str,
    echo_expected: bool,
) -> anyhow::Result<()> {
    let w0 = ctx.t0 + Duration::from_secs(a.warmup);
    let w1 = w0 + Duration::from_secs(a.duration);
    eprintln!(
        "[{scenario}] {} pairs, offered {:.0} msg/s ({} senders, one message every {:.1} ms each); warm-up {} s, window {} s",
        ctx.pairs.len(),
        a.rate,
        ctx.pairs.len() * ctx.senders.len(),
        ctx.interval.as_secs_f64() * 1e3,
        a.warmup,
        a.duration
    );
    tokio::time::sleep_until(w0).await;
    let c0 = a.cpu.sample();
    let mut last = totals(&ctx);
    for s in 1..=a.duration {
        tokio::time::sleep_until(w0 + Duration::from_secs(s)).await;
        if s % 10 == 0 || s == a.duration {
            let t = totals(&ctx);
            eprintln!(
                "[{scenario}] t={s:>3}s sent {} (+{}/s) acked {} delivered {}",
                t.0,
                (t.0 - last.0) / 10.min(s),
                t.1,
                t.2
            );
            last = t;
        }
    }
    tokio::time::sleep_until(w1).await;
    let c1 = a.cpu.sample();
    let drain_end = Instant::now() + Duration::from_secs(a.drain);
    loop {
        let (s, ac, d, e) = totals(&ctx);
        let done = ac == s && d == ac && (!echo_expected || e == ac);
        if done || Instant::now() >= drain_end {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tasks.abort_all();
    report(&ctx, a, cpu::spent(&c0, &c1), scenario, echo_expected)
}

fn report(
    ctx: &Ctx,
    a: &CommonArgs,
    spent: cpu::Spent,
    scenario: &str,
    echo_expected: bool,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&a.out)?;
    let mut acked_f = std::io::BufWriter::new(std::fs::File::create(a.out.join("acked.tsv"))?);
    let mut unacked_f = std::io::BufWriter::new(std::fs::File::create(a.out.join("unacked.tsv"))?);
    let (mut sent, mut acked, mut lost_delivery, mut no_echo) = (0u64, 0u64, 0u64, 0u64);
    let (mut sent_w, mut delivered_w) = (0u64, 0u64);
    for (i, p) in ctx.state.iter().enumerate() {
        for side in &ctx.senders {
            let d = p.dir(*side);
            for (seq, (&at, &id)) in d.sent_at.iter().zip(&d.acked).enumerate() {
                let seq = seq as u32;
                sent += 1;
                let in_w = ctx.in_window(at);
                sent_w += u64::from(in_w);
                delivered_w += u64::from(in_w && d.delivered.contains(seq));
                let cmid = wire::cmid(*side, i, seq);
                if id == 0 {
                    writeln!(unacked_f, "{cmid}")?;
                    continue;
                }
                acked += 1;
                writeln!(acked_f, "{cmid}\t{id}")?;
                lost_delivery += u64::from(!d.delivered.contains(seq));
                no_echo += u64::from(echo_expected && !d.echoed.contains(seq));
            }
        }
    }
    acked_f.flush()?;
    unacked_f.flush()?;
    let secs = a.duration as f64;
    let rate = delivered_w as f64 / secs;
    let window_secs: Vec<u64> = ctx
        .per_sec
        .iter()
        .skip(a.warmup as usize)
        .take(a.duration as usize)
        .map(|x| x.load(Relaxed))
        .collect();
    let recv_rate = window_secs.iter().sum::<u64>() as f64 / secs;
    let min_s = window_secs.iter().copied().min().unwrap_or(0);
    let max_s = window_secs.iter().copied().max().unwrap_or(0);
    let d = ctx.delivery.summary();
    let ak = ctx.ack.summary();
    let lag = ctx.lag.summary();
    let c = &ctx.c;
    let g = |x: &AtomicU64| x.load(Relaxed);
    let dups = g(&c.dup_delivery);
    eprintln!("[{scenario}] == results ==");
    eprintln!(
        "[{scenario}] delivered {:.0} msg/s over the {} s window (sent in window {sent_w}, delivered {delivered_w}); \
         deliveries arriving in the window {recv_rate:.0}/s (per second min {min_s} max {max_s})",
        rate, a.duration
    );
    eprintln!("[{scenario}] latency send → recipient: {}", d.human());
    let to_c = ctx.delivery_to[0].summary();
    let to_r = ctx.delivery_to[1].summary();
    if to_c.count > 0 && to_r.count > 0 {
        eprintln!("[{scenario}]   radar → customer push:  {}", to_c.human());
        eprintln!("[{scenario}]   customer → radar push:  {}", to_r.human());
    }
    eprintln!("[{scenario}] latency send → ack:       {}", ak.human());
    eprintln!("[{scenario}] send lag behind schedule: {}", lag.human());
    eprintln!(
        "[{scenario}] sent {sent}, acked {acked}, unacked {}, acked-but-not-delivered {lost_delivery}, acked-without-echo {no_echo}, \
         duplicate deliveries {dups}, duplicate echoes {}, duplicate acks {}, misrouted {}, unknown {}",
        sent - acked,
        g(&c.dup_echo),
        g(&c.dup_ack),
        g(&c.misrouted),
        g(&c.unknown)
    );
    eprintln!(
        "[{scenario}] read receipts {}, rate-limited {}, error frames/failures {}, sockets closed early {}, polls {} (failed {})",
        g(&c.receipts),
        g(&c.rate_limited),
        g(&c.errors),
        g(&c.closed),
        g(&c.poll_requests),
        g(&c.poll_errors)
    );
    for e in ctx
        .first_errors
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        eprintln!("[{scenario}]   {e}");
    }
    eprintln!("[{scenario}] {}", spent.human(delivered_w as f64, "msg"));
    println!(
        "RESULT scenario={scenario} pairs={} offered={:.0} rate={rate:.0} recv_rate={recv_rate:.0} sec_min={min_s} sec_max={max_s} sent={sent} acked={acked} \
         unacked={} sent_window={sent_w} delivered_window={delivered_w} lost_delivery={lost_delivery} no_echo={no_echo} \
         dup_delivery={dups} dup_echo={} dup_ack={} misrouted={} unknown={} receipts={} rate_limited={} errors={} closed={} \
         polls={} poll_errors={} {} {} {} {} {} {}",
        ctx.pairs.len(),
        a.rate,
        sent - acked,
        g(&c.dup_echo),
        g(&c.dup_ack),
        g(&c.misrouted),
        g(&c.unknown),
        g(&c.receipts),
        g(&c.rate_limited),
        g(&c.errors),
        g(&c.closed),
        g(&c.poll_requests),
        g(&c.poll_errors),
        d.kv("lat"),
        to_c.kv("lat_to_c"),
        to_r.kv("lat_to_r"),
        ak.kv("ack"),
        lag.kv("lag"),
        spent.kv(delivered_w as f64)
    );
    Ok(())
}

/// (b)/(c): customers on `customer_nodes`, radar users on `radar_nodes`, both sides sending.
pub async fn run_chat(args: ChatArgs) -> anyhow::Result<()> {
    let a = &args.common;
    let ts = pairs::timestamp();
    let pairs = pairs::load(&a.pairs_file, 0, a.pairs, &ts)?;
    let started = std::time::Instant::now();
    let customers = open_all(a, &pairs, &ts, Side::Customer, &args.customer_nodes).await?;
    let radars = open_all(a, &pairs, &ts, Side::Radar, &args.radar_nodes).await?;
    if customers.len() != pairs.len() || radars.len() != pairs.len() {
        bail!("not every socket registered");
    }
    eprintln!(
        "[chat] {} sockets connected and registered in {:.1} s ({} connects retried)",
        2 * pairs.len(),
        started.elapsed().as_secs_f64(),
        wire::RETRIES.load(Relaxed)
    );
    let ctx = Arc::new(make_ctx(a, pairs, ts, vec![Side::Customer, Side::Radar]));
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    for (i, (c, r)) in customers.into_iter().zip(radars).enumerate() {
        tasks.spawn(socket_task(
            ctx.clone(),
            c,
            Side::Customer,
            i,
            true,
            stop_rx.clone(),
        ));
        tasks.spawn(socket_task(
            ctx.clone(),
            r,
            Side::Radar,
            i,
            true,
            stop_rx.clone(),
        ));
    }
    drive(ctx, a, stop, tasks, "chat", true).await
}

/// (d): radar sockets send; every customer long-polls.
pub async fn run_longpoll(args: LongpollArgs) -> anyhow::Result<()> {
    let a = &args.common;
    let ts = pairs::timestamp();
    let pairs = pairs::load(&a.pairs_file, 0, a.pairs, &ts)?;
    let radars = open_all(a, &pairs, &ts, Side::Radar, &[args.node]).await?;
    if radars.len() != pairs.len() {
        bail!("not every socket registered");
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.wait + 15))
        .pool_max_idle_per_host(a.pairs + 16)
        .tcp_nodelay(true)
        .build()?;
    let ctx = Arc::new(make_ctx(a, pairs, ts, vec![Side::Radar]));
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    for (i, r) in radars.into_iter().enumerate() {
        tasks.spawn(poll_task(
            ctx.clone(),
            client.clone(),
            args.node,
            i,
            args.wait,
            stop_rx.clone(),
        ));
        tasks.spawn(socket_task(
            ctx.clone(),
            r,
            Side::Radar,
            i,
            true,
            stop_rx.clone(),
        ));
    }
    drive(ctx, a, stop, tasks, "longpoll", true).await
}
