//! [`EmbeddedError`]: what can go wrong while starting or stopping the private cluster.

use std::path::{Path, PathBuf};

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

/// Maps an I/O error on `path` to [`EmbeddedError::Io`], naming the step (`what`).
pub(super) fn io<'a>(
    what: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> EmbeddedError + 'a {
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

    #[test]
    fn the_missing_binaries_message_is_one_line_naming_the_package() {
        let msg = EmbeddedError::NoBinaries.to_string();

        assert!(!msg.contains('\n'));
        assert!(msg.contains("apt-get install -y postgresql"));
    }
}
