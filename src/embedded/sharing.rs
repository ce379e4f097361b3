//! Several Radar processes on one cluster: `serve` runs while `migrate`, `demo` or
//! `admin bootstrap` use the same data directory. Who may stop the server is decided here.
//!
//! - Every handle holds a shared `flock` on `<data_dir>/postgres.users` for its whole life (the
//!   kernel drops it when the process dies, so a killed process never counts as a user).
//! - Starting and stopping are serialized by an exclusive `flock` on `<data_dir>/postgres.lock`
//!   (the gate): nobody joins while a process decides to stop, and two first starts never both run
//!   initdb.
//! - A handle stops the server only if it is the last user (it can take the users lock exclusively)
//!   AND Radar started that server (`<data_dir>/postgres.started` holds the postmaster's pid). A
//!   server someone started by hand with `pg_ctl` is used and left running.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::error::{io, EmbeddedError};

/// The gate: held while starting or deciding to stop. Released on drop.
pub(super) struct Gate {
    _file: File,
}

impl Gate {
    /// Waits (off the async threads) until no other process starts or stops the cluster.
    pub(super) async fn acquire(data_dir: &Path) -> Result<Gate, EmbeddedError> {
        let path = data_dir.join("postgres.lock");
        let file = open(&path)?;
        let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
            .await
            .map_err(|e| EmbeddedError::Io {
                what: "locking",
                path: path.clone(),
                source: std::io::Error::other(e),
            })?
            .map_err(io("locking", &path))?;
        Ok(Gate { _file: file })
    }

    /// The same, blocking the calling thread (for `Drop`, which cannot await).
    pub(super) fn acquire_blocking(data_dir: &Path) -> Result<Gate, EmbeddedError> {
        let path = data_dir.join("postgres.lock");
        let file = open(&path)?;
        file.lock().map_err(io("locking", &path))?;
        Ok(Gate { _file: file })
    }
}

/// This process's membership among the cluster's users (a shared lock while it lives).
#[derive(Debug)]
pub(super) struct Membership {
    data_dir: PathBuf,
    file: Option<File>,
}

impl Membership {
    /// Joins the users; call it while holding the [`Gate`].
    pub(super) fn join(data_dir: &Path, _gate: &Gate) -> Result<Membership, EmbeddedError> {
        let path = users_path(data_dir);
        let file = open(&path)?;
        file.lock_shared().map_err(io("locking", &path))?;
        Ok(Membership {
            data_dir: data_dir.to_path_buf(),
            file: Some(file),
        })
    }

    /// Leaves, and tells whether this was the last user; call it while holding the [`Gate`]
    /// (nobody can join between the two steps). An error counts as "not the last".
    pub(super) fn leave(&mut self, _gate: &Gate) -> bool {
        drop(self.file.take());
        let Ok(file) = open(&users_path(&self.data_dir)) else {
            return false;
        };
        // flock locks belong to the open file: a fresh open conflicts with every other user's.
        file.try_lock().is_ok()
    }

    /// Records that Radar started the server now running (its postmaster's pid).
    pub(super) fn mark_started(&self, cluster_dir: &Path) -> Result<(), EmbeddedError> {
        let path = started_path(&self.data_dir);
        let pid = postmaster_pid(cluster_dir).unwrap_or_default();
        std::fs::write(&path, format!("{pid}\n")).map_err(io("writing", &path))
    }

    /// Whether the server now running is the one Radar started (see [`Membership::mark_started`]).
    pub(super) fn started_by_radar(&self, cluster_dir: &Path) -> bool {
        let recorded = std::fs::read_to_string(started_path(&self.data_dir)).unwrap_or_default();
        let recorded = recorded.trim();
        !recorded.is_empty() && Some(recorded) == postmaster_pid(cluster_dir).as_deref()
    }
}

fn users_path(data_dir: &Path) -> PathBuf {
    data_dir.join("postgres.users")
}

fn started_path(data_dir: &Path) -> PathBuf {
    data_dir.join("postgres.started")
}

/// The first line of the running server's postmaster.pid.
fn postmaster_pid(cluster_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(cluster_dir.join("postmaster.pid")).ok()?;
    text.lines()
        .next()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
}

/// Opens (creating) a lock file; read-only when another account created it (flock needs no write).
fn open(path: &Path) -> Result<File, EmbeddedError> {
    OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .or_else(|_| File::open(path))
        .map_err(io("opening", path))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_last_member_to_leave_is_told_so() {
        let dir = tempfile::tempdir().unwrap();
        let gate = Gate::acquire(dir.path()).await.unwrap();
        let mut first = Membership::join(dir.path(), &gate).unwrap();
        let mut second = Membership::join(dir.path(), &gate).unwrap();

        assert!(!first.leave(&gate), "the second member still uses it");
        assert!(second.leave(&gate));
    }

    #[tokio::test]
    async fn a_server_is_ours_only_while_its_recorded_pid_runs() {
        let dir = tempfile::tempdir().unwrap();
        let cluster = dir.path().join("postgres");
        std::fs::create_dir(&cluster).unwrap();
        let gate = Gate::acquire(dir.path()).await.unwrap();
        let member = Membership::join(dir.path(), &gate).unwrap();
        std::fs::write(cluster.join("postmaster.pid"), "4242\n/x\n").unwrap();

        assert!(!member.started_by_radar(&cluster), "nothing recorded yet");
        member.mark_started(&cluster).unwrap();
        assert!(member.started_by_radar(&cluster));
        std::fs::write(cluster.join("postmaster.pid"), "5151\n/x\n").unwrap();
        assert!(!member.started_by_radar(&cluster), "another server now");
    }
}
