//! Running the PostgreSQL programs for [`EmbeddedPostgres`]: initdb, `pg_ctl start/status`, adopting
//! a server left running (from its postmaster.pid), and creating database `radar`.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use tokio::process::Command;

use super::error::{io, EmbeddedError};
use super::{EmbeddedPostgres, DB_NAME, DB_USER};

impl EmbeddedPostgres {
    pub(super) fn connection_string_for(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user={DB_USER} dbname={dbname}",
            self.socket_dir.display(),
            self.port
        )
    }

    /// `pg_ctl <args> -D <cluster>`, run as the cluster's account.
    pub(super) fn pg_ctl_command(&self, args: &[&str]) -> Command {
        let mut cmd = self.owner.command(&self.pg_ctl);
        cmd.args(args).arg("-D").arg(&self.cluster_dir);
        cmd
    }

    pub(super) async fn initdb(&self, initdb: &Path) -> Result<(), EmbeddedError> {
        tracing::info!(dir = %self.cluster_dir.display(), "creating the cluster (initdb)");
        let mut cmd = self.owner.command(initdb);
        cmd.arg("-D").arg(&self.cluster_dir);
        cmd.args(["-U", DB_USER, "--auth=trust", "-E", "UTF8", "--locale=C"]);
        self.run(cmd).await.map(drop)
    }

    /// Whether a server runs on the cluster directory (`pg_ctl status`: 0 running, 3 not, 4 no dir).
    pub(super) async fn is_running(&self) -> Result<bool, EmbeddedError> {
        let cmd = self.pg_ctl_command(&["status"]);
        let out = output(cmd, "pg_ctl status").await?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(3) | Some(4) => Ok(false),
            _ => Err(command_failed("pg_ctl status", &out)),
        }
    }

    /// Uses a server that already runs on the cluster (another Radar process's, or one an earlier
    /// run left behind), reading its socket from postmaster.pid.
    pub(super) fn adopt_running_server(&mut self) -> Result<(), EmbeddedError> {
        let pid_file = self.cluster_dir.join("postmaster.pid");
        let text = std::fs::read_to_string(&pid_file).map_err(io("reading", &pid_file))?;
        let (port, socket_dir) = parse_postmaster_pid(&text)
            .ok_or_else(|| EmbeddedError::ForeignServer(self.cluster_dir.clone()))?;
        tracing::info!(
            dir = %self.cluster_dir.display(),
            socket_dir = %socket_dir.display(),
            "the embedded PostgreSQL is already running: using it"
        );
        self.port = port;
        self.socket_dir = socket_dir;
        Ok(())
    }

    pub(super) async fn start_server(&self, log_file: &Path) -> Result<(), EmbeddedError> {
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
    pub(super) async fn ensure_database(&self) -> Result<bool, EmbeddedError> {
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
    pub(super) async fn run(&self, cmd: Command) -> Result<Output, EmbeddedError> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;

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
