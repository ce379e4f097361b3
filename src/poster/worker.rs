//! Where posters are drawn: the poster threads (one per core, each with its own malloc arena) and
//! the limit of renders running or queued at once.

use std::sync::{Mutex, OnceLock, PoisonError};

/// Renders running or queued at once (one per core): each holds a 2.6 MB canvas, the decoded
/// images and the PNG encoder's buffers.
pub(super) fn renders() -> &'static tokio::sync::Semaphore {
    static RENDERS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    RENDERS.get_or_init(|| tokio::sync::Semaphore::new(crate::config::cores()))
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `f` on the poster threads (one per core, started on first use) and returns its result.
///
/// Not `spawn_blocking`: memory freed by a render stays with the malloc arena of the thread that
/// ran it, and the blocking pool spreads renders over up to 512 threads and glibc's up to 8 arenas
/// per core. Measured with 200 posters fetched 8 at a time (load-tests/RESULTS.md, "Posters"):
/// 99 MiB RSS on the blocking pool, against the few MiB per thread kept here.
pub(super) async fn on_poster_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    static QUEUE: OnceLock<Mutex<std::sync::mpsc::Sender<Job>>> = OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(Mutex::new(rx));
        for i in 0..crate::config::cores() {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("poster-{i}"))
                .spawn(move || loop {
                    let job = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => break,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a poster thread");
            }
        }
        Mutex::new(tx)
    });
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = done.send(out);
    });
    queue
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .send(job)
        .map_err(|_| anyhow::anyhow!("no poster thread"))?;
    match result.await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(_)) => anyhow::bail!("poster rendering panicked"),
        Err(_) => anyhow::bail!("no poster thread"),
    }
}
