//! The private PostgreSQL cluster of the embedded default (`database.url` empty).
//!
//! Owns finding the machine's server binaries, `initdb` on first use (data in
//! `<data_dir>/postgres`), starting the server on a unix socket only, creating the `radar` database
//! and stopping the server. Migrations and demo data are left to `startup`, which connects with
//! [`EmbeddedPostgres::connection_string`].
//!
//! `initdb`, `pg_ctl` and `postgres` refuse to run as root. When Radar runs as root, the cluster
//! therefore belongs to an unprivileged account (the `postgres` one, or whoever already owns the
//! cluster directory) and those programs run under its uid/gid.
//!
//! - `mod.rs`      — [`EmbeddedPostgres`]: start (the whole sequence), stop, Drop.
//! - `error.rs`    — [`EmbeddedError`], one variant per way starting or stopping can fail.
//! - `binaries.rs` — finding `initdb` and `pg_ctl` (PATH, versioned and fallback directories).
//! - `account.rs`  — the account that owns and runs the cluster (unprivileged when we are root),
//!   its reachability check and `chown`.
//! - `dirs.rs`     — the cluster, log and socket directories (short socket path fallback in /tmp).
//! - `server.rs`   — running initdb and pg_ctl, adopting a running server from postmaster.pid,
//!   creating database `radar`.
//! - `sharing.rs`  — several Radar processes on one cluster (`serve` beside `migrate`, `demo`,
//!   `admin bootstrap`): only the last user stops it, and only if Radar started it.

mod account;
mod binaries;
mod dirs;
mod error;
mod server;
mod sharing;

use std::path::{Path, PathBuf};

use account::Owner;
use binaries::Binaries;
use dirs::{prepare_dirs, socket_dir_for};
use error::io;
use sharing::{Gate, Membership};

pub use error::EmbeddedError;

/// Port of the server. It only names the socket file (`.s.PGSQL.5432`): there is no TCP listener.
const PORT: u16 = 5432;
/// Superuser created by `initdb`, and owner of the `radar` database.
const DB_USER: &str = "radar";
/// Database Radar uses.
const DB_NAME: &str = "radar";

/// A running private cluster; stop it with `stop()` (also attempted on Drop).
#[derive(Debug)]
pub struct EmbeddedPostgres {
    pg_ctl: PathBuf,
    /// `<data_dir>/postgres`: the cluster's data directory.
    cluster_dir: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    owner: Owner,
    fresh: bool,
    running: bool,
    /// This process's share of the cluster; `stop` leaves it and stops the server only when last.
    membership: Option<Membership>,
}

impl EmbeddedPostgres {
    /// Finds the binaries, runs initdb on first use (data in `<data_dir>/postgres`), starts the server
    /// listening ONLY on a unix socket in a directory under data_dir (listen_addresses=''), waits until
    /// it accepts connections, creates database `radar` if missing. Returns the handle.
    ///
    /// The socket directory is `<data_dir>/run`, or `/tmp/radar-pg-<hash>` when that path is too long
    /// for a unix socket or holds characters that need quoting. A server already running on the same
    /// data directory (another Radar process's, or left by an earlier run) is used as it is; see
    /// [`EmbeddedPostgres::stop`] for who stops it.
    pub async fn start(data_dir: &Path) -> Result<EmbeddedPostgres, EmbeddedError> {
        let data_dir = std::path::absolute(data_dir).map_err(io("resolving", data_dir))?;
        let bins = Binaries::find().ok_or(EmbeddedError::NoBinaries)?;
        tracing::info!(dir = %bins.dir.display(), "found PostgreSQL server binaries");

        std::fs::create_dir_all(&data_dir).map_err(io("creating", &data_dir))?;
        let cluster_dir = data_dir.join("postgres");
        let owner = Owner::resolve(&cluster_dir)?;
        if owner.switch {
            tracing::info!(account = %owner.name, "running as root: the cluster runs as an unprivileged account");
            owner.check_reachable(&bins.pg_ctl, &data_dir).await?;
        }
        let socket_dir = socket_dir_for(&data_dir, owner.uid.as_raw());
        prepare_dirs(&owner, &data_dir, &cluster_dir, &socket_dir)?;
        // Held until the server is up: another process starting or stopping it waits meanwhile.
        let gate = Gate::acquire(&data_dir).await?;
        let membership = Membership::join(&data_dir, &gate)?;

        let mut pg = EmbeddedPostgres {
            pg_ctl: bins.pg_ctl.clone(),
            cluster_dir,
            socket_dir,
            port: PORT,
            owner,
            fresh: false,
            running: false,
            membership: Some(membership),
        };
        let outcome = pg.bring_up(&bins.initdb, &data_dir).await;
        // Released before an error drops `pg`: its Drop takes the gate again to decide on stopping.
        drop(gate);
        outcome?;
        tracing::info!(socket_dir = %pg.socket_dir.display(), fresh = pg.fresh, "embedded PostgreSQL is ready");
        Ok(pg)
    }

    /// initdb on first use, start (or adopt) the server, create database `radar`; under the gate.
    async fn bring_up(&mut self, initdb: &Path, data_dir: &Path) -> Result<(), EmbeddedError> {
        let initdb_ran = if self.cluster_dir.join("PG_VERSION").exists() {
            tracing::info!(dir = %self.cluster_dir.display(), "reusing the existing cluster");
            false
        } else {
            self.initdb(initdb).await?;
            true
        };
        if self.is_running().await? {
            self.adopt_running_server()?;
        } else {
            self.start_server(&data_dir.join("postgres.log")).await?;
            if let Some(Err(e)) = self
                .membership
                .as_ref()
                .map(|m| m.mark_started(&self.cluster_dir))
            {
                // Without the mark the server is taken for someone else's and outlives us.
                tracing::warn!(error = %e, "could not record that Radar started the embedded PostgreSQL");
            }
        }
        // From here on, Drop stops the server if anything below fails.
        self.running = true;
        let created = self.ensure_database().await?;
        self.fresh = initdb_ran || created;
        Ok(())
    }

    /// A tokio-postgres key=value connection string, e.g. "host=/abs/socket/dir port=5432 user=radar dbname=radar".
    pub fn connection_string(&self) -> String {
        self.connection_string_for(DB_NAME)
    }

    /// Whether initdb ran during this start (first run → the caller loads demo data).
    ///
    /// Also true when the cluster existed but database `radar` did not (it was created empty now).
    pub fn freshly_created(&self) -> bool {
        self.fresh
    }

    /// Leaves the cluster; stops its server (fast shutdown, waiting for it) only if no other Radar
    /// process uses it and Radar started it. A server someone started by hand is left running.
    pub async fn stop(&mut self) -> Result<(), EmbeddedError> {
        if !self.running {
            return Ok(());
        }
        let gate = Gate::acquire(self.data_dir()).await?;
        self.running = false;
        if !self.may_stop(&gate) {
            return Ok(());
        }
        tracing::info!(dir = %self.cluster_dir.display(), "stopping the embedded PostgreSQL");
        let result = self
            .run(self.pg_ctl_command(&["stop", "-m", "fast", "-w", "-t", "60"]))
            .await;
        if self.socket_dir.parent() == Some(Path::new("/tmp")) {
            // Our short fallback socket dir: tidy it up (it is empty once the server is down).
            let _ = std::fs::remove_dir(&self.socket_dir);
        }
        match result {
            Ok(_) => Ok(()),
            // Already gone (stopped by hand, or crashed): nothing left to stop.
            Err(_) if !self.is_running().await.unwrap_or(true) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Lets go of the cluster without stopping its server, as a killed process would (for tests of
    /// what the next start finds).
    pub fn abandon(mut self) {
        self.running = false;
        self.membership = None;
    }

    /// `<data_dir>`: the cluster directory's parent.
    fn data_dir(&self) -> &Path {
        self.cluster_dir.parent().unwrap_or(Path::new("/"))
    }

    /// Leaves the users (under `gate`) and tells whether this handle should stop the server.
    fn may_stop(&mut self, gate: &Gate) -> bool {
        let Some(mut membership) = self.membership.take() else {
            return false;
        };
        let ours = membership.started_by_radar(&self.cluster_dir);
        if !membership.leave(gate) {
            tracing::info!(dir = %self.cluster_dir.display(), "another Radar process uses the embedded PostgreSQL: leaving it running");
            return false;
        }
        if !ours {
            tracing::info!(dir = %self.cluster_dir.display(), "the embedded PostgreSQL was not started by Radar: leaving it running");
        }
        ours
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        let gate = match Gate::acquire_blocking(self.data_dir()) {
            Ok(gate) => gate,
            Err(e) => {
                tracing::warn!(error = %e, "could not lock the embedded PostgreSQL on drop: leaving it running");
                return;
            }
        };
        if !self.may_stop(&gate) {
            return;
        }
        // Drop cannot await: ask for a fast shutdown without waiting (-W); the server finishes it alone.
        tracing::info!(dir = %self.cluster_dir.display(), "stopping the embedded PostgreSQL (on drop)");
        let mut cmd = std::process::Command::new(&self.pg_ctl);
        cmd.args(["stop", "-m", "fast", "-W", "-D"])
            .arg(&self.cluster_dir)
            .current_dir("/")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if self.owner.switch {
            use std::os::unix::process::CommandExt;
            cmd.uid(self.owner.uid.as_raw())
                .gid(self.owner.gid.as_raw());
        }
        if let Err(e) = cmd.status() {
            tracing::warn!(error = %e, "could not stop the embedded PostgreSQL on drop");
        }
    }
}

/// Whether this machine has PostgreSQL server binaries the embedded default can use.
pub fn binaries_available() -> bool {
    Binaries::find().is_some()
}
