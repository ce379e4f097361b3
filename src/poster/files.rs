//! Files under `storage.data_dir`: safe reads of local `statics/…` files (no path escapes the data
//! directory) and atomic writes (a half-written file is never served).

use std::path::Path;

use anyhow::Context as _;

/// Whether `rel` is a plain relative `statics/…` path (no `..`, no absolute path, no URL).
pub fn safe_relative(rel: &str) -> bool {
    rel.starts_with("statics/")
        && !rel.contains('\\')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// The bytes of a local `statics/…` file of at most `max` bytes, else `None`.
pub async fn read_local(dir: &Path, rel: &str, max: u64) -> Option<Vec<u8>> {
    if !safe_relative(rel) {
        return None;
    }
    let path = dir.join(rel);
    let meta = tokio::fs::metadata(&path).await.ok()?;
    if !meta.is_file() || meta.len() > max {
        return None;
    }
    tokio::fs::read(&path).await.ok()
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so a half-written
/// file is never served.
pub async fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("file path without a directory")?;
    tokio::fs::create_dir_all(dir).await?;
    let name = path.file_name().context("file path without a name")?;
    let tmp = dir.join(format!(
        ".{}.{}.part",
        name.to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    tokio::fs::write(&tmp, bytes).await?;
    if let Err(e) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(e.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_statics_paths_are_read() {
        assert!(safe_relative("statics/zhugeleida/imgs/a.jpg"));
        assert!(!safe_relative("statics/../config.toml"));
        assert!(!safe_relative("/etc/passwd"));
        assert!(!safe_relative("https://wx.qlogo.cn/a"));
        assert!(!safe_relative("statics\\..\\x"));
    }
}
