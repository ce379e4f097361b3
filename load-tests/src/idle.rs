//! (a) Idle sockets: open and register `count` mini-program sockets (pairs `offset..`), spread over
//! the nodes and the 127.0.0.x source addresses, then hold them — reading, so pings get their
//! pongs — until the stop file appears or `hold` seconds pass. The driver runs several of these
//! processes (each < 20,000 fds), waits for every ready file, and reads the nodes' RSS meanwhile.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

use crate::pairs;
use crate::wire::{self, Side};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Pairs file (cid, customer token, uid, radar token; tab-separated).
    #[arg(long)]
    pub pairs_file: PathBuf,
    /// First line of the pairs file this process uses.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Sockets this process opens (keep below the ~20,000 open-file limit).
    #[arg(long)]
    pub count: usize,
    /// Nodes, round robin.
    #[arg(long, value_delimiter = ',', required = true)]
    pub nodes: Vec<SocketAddr>,
    /// Source addresses, round robin.
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1")]
    pub src: Vec<IpAddr>,
    /// Sockets connecting at once.
    #[arg(long, default_value_t = 200)]
    pub connect_concurrency: usize,
    /// Longest hold after all sockets registered, seconds.
    #[arg(long, default_value_t = 60)]
    pub hold: u64,
    /// Written (with the count) once every socket is registered.
    #[arg(long)]
    pub ready_file: PathBuf,
    /// Hold ends early when this file exists.
    #[arg(long)]
    pub stop_file: PathBuf,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let ts = pairs::timestamp();
    let pairs = pairs::load(&a.pairs_file, a.offset, a.count, &ts)?;
    let gate = Arc::new(Semaphore::new(a.connect_concurrency.max(1)));
    let registered = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let closed = Arc::new(AtomicU64::new(0));
    let (stop, stop_rx) = watch::channel(false);
    let started = Instant::now();
    let mut set = JoinSet::new();
    for (i, p) in pairs.iter().enumerate() {
        let g = a.offset + i;
        let node = a.nodes[g % a.nodes.len()];
        let src = a.src[(g / a.nodes.len()) % a.src.len()];
        let frame = wire::register_frame(Side::Customer, p, &ts);
        let (gate, registered, failed, closed) = (
            gate.clone(),
            registered.clone(),
            failed.clone(),
            closed.clone(),
        );
        let mut stop = stop_rx.clone();
        set.spawn(async move {
            let permit = gate.acquire_owned().await;
            let opened = async {
                let mut ws = wire::connect(node, Some(src), wire::PATH_CUSTOMER).await?;
                wire::register(&mut ws, frame, 200).await?;
                anyhow::Ok(ws)
            }
            .await;
            drop(permit);
            let mut ws = match opened {
                Ok(ws) => ws,
                Err(e) => {
                    if failed.fetch_add(1, Relaxed) < 5 {
                        eprintln!("[idle] socket {g} failed: {e:#}");
                    }
                    return;
                }
            };
            registered.fetch_add(1, Relaxed);
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    m = ws.next() => match m {
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                            closed.fetch_add(1, Relaxed);
                            return;
                        }
                        Some(Ok(_)) => {}
                    },
                }
            }
            drop(ws);
        });
    }
    // Wait until every socket registered or failed (bounded by the per-socket timeouts).
    let total = a.count as u64;
    let mut last_print = Instant::now();
    loop {
        let (r, f) = (registered.load(Relaxed), failed.load(Relaxed));
        if r + f >= total {
            break;
        }
        if last_print.elapsed() >= Duration::from_secs(5) {
            eprintln!(
                "[idle {}] {r} registered, {f} failed, {:.0} s",
                a.offset,
                started.elapsed().as_secs_f64()
            );
            last_print = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let setup = started.elapsed().as_secs_f64();
    let (r, f) = (registered.load(Relaxed), failed.load(Relaxed));
    std::fs::write(&a.ready_file, format!("{r} {f}\n"))?;
    eprintln!(
        "[idle {}] {r} registered, {f} failed in {setup:.1} s; holding",
        a.offset
    );
    let hold_end = Instant::now() + Duration::from_secs(a.hold);
    while Instant::now() < hold_end && !a.stop_file.exists() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let closed_early = closed.load(Relaxed);
    let rss = crate::cpu::rss_kib(std::process::id());
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while set.join_next().await.is_some() {}
    })
    .await;
    set.abort_all();
    println!(
        "RESULT scenario=idle offset={} count={} registered={r} failed={f} closed_early={closed_early} setup_s={setup:.1} connect_retries={} generator_rss_kib={rss}",
        a.offset, a.count, wire::RETRIES.load(Relaxed)
    );
    Ok(())
}
