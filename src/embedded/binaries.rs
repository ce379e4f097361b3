//! Finding the PostgreSQL server binaries (`initdb` and `pg_ctl`) on this machine.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Where distributions put versioned server binaries (`<root>/<version>/bin`).
const VERSIONED_ROOT: &str = "/usr/lib/postgresql";
/// Other places searched after PATH and the versioned directories.
const FALLBACK_DIRS: &[&str] = &["/usr/local/pgsql/bin", "/opt/homebrew/bin"];

/// `initdb` and `pg_ctl` from one directory, so their versions match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Binaries {
    pub(super) dir: PathBuf,
    pub(super) initdb: PathBuf,
    pub(super) pg_ctl: PathBuf,
}

impl Binaries {
    /// Searches PATH, then `/usr/lib/postgresql/<version>/bin` (highest version first), then
    /// `/usr/local/pgsql/bin` and `/opt/homebrew/bin`.
    pub(super) fn find() -> Option<Binaries> {
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
}
