//! The account that owns and runs the cluster: the current user, or an unprivileged one when we
//! are root (initdb and postgres refuse to run as root); its reachability check and `chown`.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use nix::unistd::{Gid, Uid, User};
use tokio::process::Command;

use super::error::{io, EmbeddedError};

/// The account that owns and runs the cluster.
#[derive(Debug, Clone)]
pub(super) struct Owner {
    pub(super) name: String,
    pub(super) uid: Uid,
    pub(super) gid: Gid,
    /// We are root and must switch to `uid`/`gid` to run the PostgreSQL programs.
    pub(super) switch: bool,
}

impl Owner {
    /// Not root: the current user. Root: the non-root owner of an existing cluster, else `postgres`.
    pub(super) fn resolve(cluster_dir: &Path) -> Result<Owner, EmbeddedError> {
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
    pub(super) fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir("/");
        if self.switch {
            cmd.uid(self.uid.as_raw()).gid(self.gid.as_raw());
        }
        cmd
    }

    /// Asks the kernel whether this account can enter `dir` (all ancestors searchable), by starting
    /// `pg_ctl --version` there as this account; so groups and ACLs count too.
    pub(super) async fn check_reachable(
        &self,
        pg_ctl: &Path,
        dir: &Path,
    ) -> Result<(), EmbeddedError> {
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

    pub(super) fn chown(&self, path: &Path) -> Result<(), EmbeddedError> {
        if !self.switch {
            return Ok(());
        }
        std::os::unix::fs::chown(path, Some(self.uid.as_raw()), Some(self.gid.as_raw()))
            .map_err(io("changing the owner of", path))
    }
}
