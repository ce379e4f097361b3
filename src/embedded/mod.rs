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

mod account;
mod binaries;
mod dirs;
mod error;
mod server;

use std::path::{Path, PathBuf};

use account::Owner;
use binaries::Binaries;
use dirs::{prepare_dirs, socket_dir_for};
use error::io;

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
}

impl EmbeddedPostgres {
    /// Finds the binaries, runs initdb on first use (data in `<data_dir>/postgres`), starts the server
    /// listening ONLY on a unix socket in a directory under data_dir (listen_addresses=''), waits until
    /// it accepts connections, creates database `radar` if missing. Returns the handle.
    ///
    /// The socket directory is `<data_dir>/run`, or `/tmp/radar-pg-<hash>` when that path is too long
    /// for a unix socket or holds characters that need quoting. A server left running on the same
    /// data directory by an earlier run is reused (and stopped by this handle).
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

        let mut pg = EmbeddedPostgres {
            pg_ctl: bins.pg_ctl.clone(),
            cluster_dir,
            socket_dir,
            port: PORT,
            owner,
            fresh: false,
            running: false,
        };
        let initdb_ran = if pg.cluster_dir.join("PG_VERSION").exists() {
            tracing::info!(dir = %pg.cluster_dir.display(), "reusing the existing cluster");
            false
        } else {
            pg.initdb(&bins.initdb).await?;
            true
        };
        if pg.is_running().await? {
            pg.adopt_running_server()?;
        } else {
            pg.start_server(&data_dir.join("postgres.log")).await?;
        }
        // From here on, Drop stops the server if anything below fails.
        pg.running = true;
        let created = pg.ensure_database().await?;
        pg.fresh = initdb_ran || created;
        tracing::info!(socket_dir = %pg.socket_dir.display(), fresh = pg.fresh, "embedded PostgreSQL is ready");
        Ok(pg)
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

    /// Fast shutdown (pg_ctl stop -m fast), waits for it.
    pub async fn stop(&mut self) -> Result<(), EmbeddedError> {
        if !self.running {
            return Ok(());
        }
        tracing::info!(dir = %self.cluster_dir.display(), "stopping the embedded PostgreSQL");
        let result = self
            .run(self.pg_ctl_command(&["stop", "-m", "fast", "-w", "-t", "60"]))
            .await;
        self.running = false;
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
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if !self.running {
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
