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

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use nix::unistd::{Gid, Uid, User};
use tokio::process::Command;

/// Port of the server. It only names the socket file (`.s.PGSQL.5432`): there is no TCP listener.
const PORT: u16 = 5432;
/// Superuser created by `initdb`, and owner of the `radar` database.
const DB_USER: &str = "radar";
/// Database Radar uses.
const DB_NAME: &str = "radar";
/// Longest unix socket path (`sun_path` is 108 bytes including the NUL).
const SUN_PATH_MAX: usize = 107;
/// Where distributions put versioned server binaries (`<root>/<version>/bin`).
const VERSIONED_ROOT: &str = "/usr/lib/postgresql";
/// Other places searched after PATH and the versioned directories.
const FALLBACK_DIRS: &[&str] = &["/usr/local/pgsql/bin", "/opt/homebrew/bin"];

/// What can go wrong while starting or stopping the private cluster.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// No directory holds both `initdb` and `pg_ctl`.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install the PostgreSQL server \
         package, e.g. `sudo apt-get install -y postgresql`"
    )]
    NoBinaries,
    /// Running as root, and no unprivileged account to run the server as.
    #[error(
        "running as root, but there is no `postgres` account to own the embedded cluster \
         (initdb and postgres refuse to run as root): install the PostgreSQL server package, \
         e.g. `apt-get install -y postgresql`, or create the account (`useradd --system postgres`)"
    )]
    NoPostgresAccount,
    /// Running as root, and the server's account cannot enter the data directory.
    #[error(
        "the `{user}` account, which runs the embedded PostgreSQL because initdb and postgres refuse \
         to run as root, cannot reach {dir}: set storage.data_dir (RADAR__STORAGE__DATA_DIR) to a \
         directory it can reach, e.g. RADAR__STORAGE__DATA_DIR=/var/lib/radar"
    )]
    Unreachable { user: String, dir: PathBuf },
    /// The socket directory exists but belongs to someone else, or is not a directory.
    #[error("the socket directory {0} exists but is not a directory owned by the cluster's account: remove it")]
    SocketDirTaken(PathBuf),
    /// The user database could not be read.
    #[error("looking up a user account")]
    Account(#[source] nix::Error),
    /// A file system step or starting a program failed.
    #[error("{what} {}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `initdb` or `pg_ctl` exited with an error; `detail` is its output (and the server log's end).
    #[error("`{command}` failed ({status}): {detail}")]
    Command {
        command: String,
        status: String,
        detail: String,
    },
    /// A server runs on the data directory but listens on no unix socket.
    #[error("a server runs on {} but its postmaster.pid names no unix socket: stop it with `pg_ctl stop -D {}`", .0.display(), .0.display())]
    ForeignServer(PathBuf),
    /// The server started but no connection succeeded.
    #[error("the embedded PostgreSQL does not accept connections on {}", socket_dir.display())]
    Connect {
        socket_dir: PathBuf,
        #[source]
        source: tokio_postgres::Error,
    },
    /// Checking for or creating database `radar` failed.
    #[error("creating database `radar` in the embedded cluster")]
    CreateDatabase(#[source] tokio_postgres::Error),
}

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

    fn connection_string_for(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user={DB_USER} dbname={dbname}",
            self.socket_dir.display(),
            self.port
        )
    }

    /// `pg_ctl <args> -D <cluster>`, run as the cluster's account.
    fn pg_ctl_command(&self, args: &[&str]) -> Command {
        let mut cmd = self.owner.command(&self.pg_ctl);
        cmd.args(args).arg("-D").arg(&self.cluster_dir);
        cmd
    }

    async fn initdb(&self, initdb: &Path) -> Result<(), EmbeddedError> {
        tracing::info!(dir = %self.cluster_dir.display(), "creating the cluster (initdb)");
        let mut cmd = self.owner.command(initdb);
        cmd.arg("-D").arg(&self.cluster_dir);
        cmd.args(["-U", DB_USER, "--auth=trust", "-E", "UTF8", "--locale=C"]);
        self.run(cmd).await.map(drop)
    }

    /// Whether a server runs on the cluster directory (`pg_ctl status`: 0 running, 3 not, 4 no dir).
    async fn is_running(&self) -> Result<bool, EmbeddedError> {
        let cmd = self.pg_ctl_command(&["status"]);
        let out = output(cmd, "pg_ctl status").await?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(3) | Some(4) => Ok(false),
            _ => Err(command_failed("pg_ctl status", &out)),
        }
    }

    /// Takes over a server an earlier run left behind, reading its socket from postmaster.pid.
    fn adopt_running_server(&mut self) -> Result<(), EmbeddedError> {
        let pid_file = self.cluster_dir.join("postmaster.pid");
        let text = std::fs::read_to_string(&pid_file).map_err(io("reading", &pid_file))?;
        let (port, socket_dir) = parse_postmaster_pid(&text)
            .ok_or_else(|| EmbeddedError::ForeignServer(self.cluster_dir.clone()))?;
        tracing::warn!(
            dir = %self.cluster_dir.display(),
            socket_dir = %socket_dir.display(),
            "a server from an earlier run is still running on this cluster: reusing it"
        );
        self.port = port;
        self.socket_dir = socket_dir;
        Ok(())
    }

    async fn start_server(&self, log_file: &Path) -> Result<(), EmbeddedError> {
        tracing::info!(log = %log_file.display(), "starting the embedded PostgreSQL");
        // pg_ctl hands -o to /bin/sh: socket_dir_for() guarantees the path needs no quoting.
        let options = format!(
            "-c listen_addresses= -k {} -p {} -c max_connections=200",
            self.socket_dir.display(),
            self.port
        );
        let mut cmd = self.pg_ctl_command(&["start", "-w", "-t", "60", "-o", &options]);
        cmd.arg("-l").arg(log_file);
        match self.run(cmd).await {
            Ok(_) => Ok(()),
            Err(EmbeddedError::Command {
                command,
                status,
                detail,
            }) => Err(EmbeddedError::Command {
                command,
                status,
                detail: format!(
                    "{detail}; end of {}:\n{}",
                    log_file.display(),
                    tail(log_file, 15)
                ),
            }),
            Err(e) => Err(e),
        }
    }

    /// Connects (retrying for a few seconds) and creates database `radar` if missing.
    /// Returns whether it was created.
    async fn ensure_database(&self) -> Result<bool, EmbeddedError> {
        let client = self.connect_admin().await?;
        let exists = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&DB_NAME])
            .await
            .map_err(EmbeddedError::CreateDatabase)?
            .is_some();
        if exists {
            return Ok(false);
        }
        tracing::info!("creating database `radar`");
        match client.batch_execute("CREATE DATABASE radar").await {
            Ok(()) => Ok(true),
            // Another process created it in between: it is there, and not ours to fill.
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => {
                Ok(false)
            }
            Err(e) => Err(EmbeddedError::CreateDatabase(e)),
        }
    }

    async fn connect_admin(&self) -> Result<tokio_postgres::Client, EmbeddedError> {
        let conn_str = self.connection_string_for("postgres");
        let mut attempt = 0;
        loop {
            match tokio_postgres::connect(&conn_str, tokio_postgres::NoTls).await {
                Ok((client, connection)) => {
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "embedded admin connection ended");
                        }
                    });
                    return Ok(client);
                }
                // pg_ctl -w already waited; this covers a server adopted while still starting up.
                Err(_) if attempt < 40 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(source) => {
                    return Err(EmbeddedError::Connect {
                        socket_dir: self.socket_dir.clone(),
                        source,
                    })
                }
            }
        }
    }

    /// Runs `cmd`, logging its output; a non-zero exit becomes `EmbeddedError::Command`.
    async fn run(&self, cmd: Command) -> Result<Output, EmbeddedError> {
        let name = program_name(&cmd);
        let out = output(cmd, &name).await?;
        tracing::debug!(
            program = %name,
            stdout = %String::from_utf8_lossy(&out.stdout).trim(),
            stderr = %String::from_utf8_lossy(&out.stderr).trim(),
            "finished"
        );
        if out.status.success() {
            Ok(out)
        } else {
            Err(command_failed(&name, &out))
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

/// `initdb` and `pg_ctl` from one directory, so their versions match.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Binaries {
    dir: PathBuf,
    initdb: PathBuf,
    pg_ctl: PathBuf,
}

impl Binaries {
    /// Searches PATH, then `/usr/lib/postgresql/<version>/bin` (highest version first), then
    /// `/usr/local/pgsql/bin` and `/opt/homebrew/bin`.
    fn find() -> Option<Binaries> {
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        dirs.extend(versioned_bin_dirs(Path::new(VERSIONED_ROOT)));
        dirs.extend(FALLBACK_DIRS.iter().map(PathBuf::from));
        Binaries::find_in(&dirs)
    }

    /// The first of `dirs` holding both an executable `initdb` and `pg_ctl`.
    fn find_in(dirs: &[PathBuf]) -> Option<Binaries> {
        dirs.iter()
            .filter(|d| d.is_absolute())
            .find(|d| is_executable(&d.join("initdb")) && is_executable(&d.join("pg_ctl")))
            .map(|d| Binaries {
                dir: d.clone(),
                initdb: d.join("initdb"),
                pg_ctl: d.join("pg_ctl"),
            })
    }
}

/// `<root>/<version>/bin` for every version directory under `root`, highest version first.
fn versioned_bin_dirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            let version = name
                .split('.')
                .map(|part| part.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((version, e.path().join("bin")))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The account that owns and runs the cluster.
#[derive(Debug, Clone)]
struct Owner {
    name: String,
    uid: Uid,
    gid: Gid,
    /// We are root and must switch to `uid`/`gid` to run the PostgreSQL programs.
    switch: bool,
}

impl Owner {
    /// Not root: the current user. Root: the non-root owner of an existing cluster, else `postgres`.
    fn resolve(cluster_dir: &Path) -> Result<Owner, EmbeddedError> {
        let euid = Uid::effective();
        if !euid.is_root() {
            let name = User::from_uid(euid)
                .ok()
                .flatten()
                .map_or_else(|| euid.to_string(), |u| u.name);
            return Ok(Owner {
                name,
                uid: euid,
                gid: Gid::effective(),
                switch: false,
            });
        }
        let existing_owner = std::fs::metadata(cluster_dir)
            .ok()
            .map(|m| Uid::from_raw(m.uid()))
            .filter(|uid| !uid.is_root());
        let user = match existing_owner {
            Some(uid) => User::from_uid(uid).map_err(EmbeddedError::Account)?,
            None => User::from_name("postgres").map_err(EmbeddedError::Account)?,
        };
        let user = user.ok_or(EmbeddedError::NoPostgresAccount)?;
        Ok(Owner {
            name: user.name,
            uid: user.uid,
            gid: user.gid,
            switch: true,
        })
    }

    /// A command that runs as this account, from `/` (the caller's directory may be out of its reach).
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir("/");
        if self.switch {
            cmd.uid(self.uid.as_raw()).gid(self.gid.as_raw());
        }
        cmd
    }

    /// Asks the kernel whether this account can enter `dir` (all ancestors searchable), by starting
    /// `pg_ctl --version` there as this account; so groups and ACLs count too.
    async fn check_reachable(&self, pg_ctl: &Path, dir: &Path) -> Result<(), EmbeddedError> {
        let mut cmd = self.command(pg_ctl);
        cmd.arg("--version").current_dir(dir);
        match cmd.output().await {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                Err(EmbeddedError::Unreachable {
                    user: self.name.clone(),
                    dir: dir.to_path_buf(),
                })
            }
            Err(e) => Err(EmbeddedError::Io {
                what: "starting",
                path: pg_ctl.to_path_buf(),
                source: e,
            }),
        }
    }

    fn chown(&self, path: &Path) -> Result<(), EmbeddedError> {
        if !self.switch {
            return Ok(());
        }
        std::os::unix::fs::chown(path, Some(self.uid.as_raw()), Some(self.gid.as_raw()))
            .map_err(io("changing the owner of", path))
    }
}

/// `<data_dir>/run` if `<dir>/.s.PGSQL.5432` fits a unix socket and the path needs no shell or
/// config quoting; else `/tmp/radar-pg-<hash of data_dir and uid>`.
fn socket_dir_for(data_dir: &Path, uid: u32) -> PathBuf {
    let preferred = data_dir.join("run");
    let bytes = preferred.as_os_str().as_bytes();
    let safe = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b"/._+-".contains(b));
    let socket_len = bytes.len() + format!("/.s.PGSQL.{PORT}").len();
    if safe && socket_len <= SUN_PATH_MAX {
        return preferred;
    }
    let mut key = data_dir.as_os_str().as_bytes().to_vec();
    key.extend_from_slice(&uid.to_le_bytes());
    PathBuf::from(format!("/tmp/radar-pg-{:016x}", fnv1a(&key)))
}

/// FNV-1a: a small hash that stays the same across Rust releases (unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Creates the cluster directory, the log file and the socket directory, owned by `owner`.
fn prepare_dirs(
    owner: &Owner,
    data_dir: &Path,
    cluster_dir: &Path,
    socket_dir: &Path,
) -> Result<(), EmbeddedError> {
    if !cluster_dir.exists() {
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(cluster_dir)
            .map_err(io("creating", cluster_dir))?;
        owner.chown(cluster_dir)?;
    }
    // pg_ctl opens the log as the owner, who may not write in data_dir itself.
    let log_file = data_dir.join("postgres.log");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_file)
        .map_err(io("creating", &log_file))?;
    owner.chown(&log_file)?;

    match std::fs::symlink_metadata(socket_dir) {
        Ok(meta) => {
            let ours = meta.uid() == owner.uid.as_raw() || (owner.switch && meta.uid() == 0);
            if !meta.is_dir() || !ours {
                return Err(EmbeddedError::SocketDirTaken(socket_dir.to_path_buf()));
            }
        }
        Err(_) => std::fs::DirBuilder::new()
            .mode(0o700)
            .create(socket_dir)
            .map_err(io("creating", socket_dir))?,
    }
    owner.chown(socket_dir)
}

/// Port (line 4) and first socket directory (line 5) of a postmaster.pid.
fn parse_postmaster_pid(text: &str) -> Option<(u16, PathBuf)> {
    let lines: Vec<&str> = text.lines().collect();
    let port = lines.get(3)?.trim().parse().ok()?;
    let socket_dir = lines.get(4)?.trim();
    (!socket_dir.is_empty()).then(|| (port, PathBuf::from(socket_dir)))
}

async fn output(mut cmd: Command, name: &str) -> Result<Output, EmbeddedError> {
    cmd.stdin(std::process::Stdio::null());
    cmd.output().await.map_err(|source| EmbeddedError::Io {
        what: "starting",
        path: PathBuf::from(name),
        source,
    })
}

fn program_name(cmd: &Command) -> String {
    let std_cmd = cmd.as_std();
    let program = Path::new(std_cmd.get_program())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match std_cmd.get_args().next() {
        Some(first) if program == "pg_ctl" => format!("pg_ctl {}", first.to_string_lossy()),
        _ => program,
    }
}

fn command_failed(name: &str, out: &Output) -> EmbeddedError {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let detail = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    EmbeddedError::Command {
        command: name.to_owned(),
        status: out.status.to_string(),
        detail: detail.trim().to_owned(),
    }
}

/// The last `n` lines of a file, for error messages.
fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> EmbeddedError + 'a {
    move |source| EmbeddedError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;

    fn fake_binary(dir: &Path, name: &str) {
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn binaries_are_found_in_the_first_dir_holding_initdb_and_pg_ctl() {
        let only_initdb = tempfile::tempdir().unwrap();
        fake_binary(only_initdb.path(), "initdb");
        let both = tempfile::tempdir().unwrap();
        fake_binary(both.path(), "initdb");
        fake_binary(both.path(), "pg_ctl");
        let path = std::env::join_paths([only_initdb.path(), both.path()]).unwrap();
        let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();

        let found = Binaries::find_in(&dirs).unwrap();

        assert_eq!(found.dir, both.path());
        assert_eq!(found.pg_ctl, both.path().join("pg_ctl"));
    }

    #[test]
    fn files_that_are_not_executable_are_not_binaries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("initdb"), "").unwrap();
        std::fs::write(dir.path().join("pg_ctl"), "").unwrap();

        assert_eq!(Binaries::find_in(&[dir.path().to_path_buf()]), None);
    }

    #[test]
    fn versioned_dirs_come_highest_version_first() {
        let root = tempfile::tempdir().unwrap();
        for v in ["9.6", "13", "15", "common", "16beta"] {
            std::fs::create_dir(root.path().join(v)).unwrap();
        }

        let dirs = versioned_bin_dirs(root.path());

        let names: Vec<PathBuf> = ["15", "13", "9.6"]
            .iter()
            .map(|v| root.path().join(v).join("bin"))
            .collect();
        assert_eq!(dirs, names);
    }

    #[test]
    fn the_missing_binaries_message_is_one_line_naming_the_package() {
        let msg = EmbeddedError::NoBinaries.to_string();

        assert!(!msg.contains('\n'));
        assert!(msg.contains("apt-get install -y postgresql"));
    }

    #[test]
    fn a_short_data_dir_keeps_its_socket_under_it() {
        assert_eq!(
            socket_dir_for(Path::new("/var/lib/radar"), 0),
            PathBuf::from("/var/lib/radar/run")
        );
    }

    #[test]
    fn a_long_or_odd_data_dir_gets_a_short_socket_dir_in_tmp() {
        let long = PathBuf::from(format!("/home/{}", "x".repeat(100)));
        let spaced = Path::new("/home/me/my radar");

        let long_dir = socket_dir_for(&long, 1000);
        let spaced_dir = socket_dir_for(spaced, 1000);

        assert!(long_dir.starts_with("/tmp") && long_dir.as_os_str().len() < 40);
        assert!(spaced_dir.starts_with("/tmp"));
        assert_ne!(long_dir, spaced_dir);
        assert_ne!(socket_dir_for(spaced, 1001), spaced_dir);
    }

    #[test]
    fn postmaster_pid_gives_port_and_socket_dir() {
        let text = "4242\n/d/postgres\n1700000000\n5432\n/d/run\n\n  5432001   0\nready   \n";

        assert_eq!(
            parse_postmaster_pid(text),
            Some((5432, PathBuf::from("/d/run")))
        );
        assert_eq!(parse_postmaster_pid("4242\n/d\n1\n5432\n\n"), None);
    }
}
