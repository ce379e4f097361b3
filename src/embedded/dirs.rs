//! The directories of the cluster: data, log file and the unix socket directory (with its short
//! fallback in /tmp when the preferred path is too long or needs quoting).

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::account::Owner;
use super::error::{io, EmbeddedError};
use super::PORT;

/// Longest unix socket path (`sun_path` is 108 bytes including the NUL).
const SUN_PATH_MAX: usize = 107;

/// `<data_dir>/run` if `<dir>/.s.PGSQL.5432` fits a unix socket and the path needs no shell or
/// config quoting; else `/tmp/radar-pg-<hash of data_dir and uid>`.
pub(super) fn socket_dir_for(data_dir: &Path, uid: u32) -> PathBuf {
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
pub(super) fn prepare_dirs(
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;

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
}
