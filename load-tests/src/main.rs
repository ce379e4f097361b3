//! `radar-load`: the load generator of Radar's realtime chat (issue 3).
//!
//! It talks to the server only over WebSocket and HTTP on 127.0.0.0/8, never links the server's
//! code, and every phase is bounded in time. Scenarios:
//! - `idle`: N registered mini-program sockets held open (server RSS per socket is measured by the
//!   driver script, which runs several of these processes: one process may hold < 20,000 fds);
//! - `chat`: P pairs, each a customer socket (WS-M) and a radar socket (WS-R1), both sending at a
//!   fixed open-loop rate; latency = send → the recipient's push, plus ack latency, lost and
//!   duplicated counts, and server CPU per message;
//! - `longpoll`: radar sockets send, customers long-poll M8 `getmsg` with `since_id` and `wait`;
//!   latency = send → the long-poll answer carrying the message.
//!
//! Output: a human summary on stderr and one `RESULT key=value …` line on stdout for the driver
//! scripts, which also check every acknowledged message against the database (files under `--out`).
//!
//! Map: `wire` (sockets, frames, fast frame scanning), `pairs` (seeded principals, signatures),
//! `stats` (clock, histograms, bit sets), `cpu` (/proc sampling), `traffic` (the shared engine of
//! `chat` and `longpoll`), `idle`.

mod cpu;
mod idle;
mod pairs;
mod stats;
mod traffic;
mod wire;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "radar-load",
    about = "Load generator for Radar's realtime chat"
)]
struct Cli {
    /// Tokio worker threads of the generator (it shares the 2 cores with everything else).
    #[arg(long, global = true, default_value_t = 2)]
    threads: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// (a) Open N mini-program sockets, register them, hold them idle.
    Idle(idle::Args),
    /// (b)/(c) 1:1 chat over sockets between customers and radar users.
    Chat(traffic::ChatArgs),
    /// (d) Radar sockets send; customers receive through long-polled M8 getmsg.
    Longpoll(traffic::LongpollArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    raise_fd_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.threads.max(1))
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Idle(args) => idle::run(args).await,
            Command::Chat(args) => traffic::run_chat(args).await,
            Command::Longpoll(args) => traffic::run_longpoll(args).await,
        }
    })
}

/// Raises the soft open-file limit to the hard one (about 20,000 here).
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}
