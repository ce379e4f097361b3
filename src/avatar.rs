//! Avatar re-hosting (spec M3 step 4, New): after `send_user_info`, a copy of the WeChat avatar is
//! fetched in the background — only from WeChat's avatar hosts, with size and time limits — stored
//! under `storage.data_dir/statics/…` and served at the same relative path. The remote URL stays
//! in place until the copy exists.

use std::path::Path;
use std::time::Duration;

use crate::sql;
use crate::state::AppState;

/// Largest avatar accepted.
const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Longest a fetch may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Relative directory of re-hosted avatars (the original's path).
const DIR: &str = "statics/zhugeleida/imgs/xiaochengxu/user_photo";

/// Whether `url` is an http(s) URL on a WeChat avatar host (`*.qlogo.cn`).
pub fn is_wechat_avatar(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    host == "qlogo.cn" || host.ends_with(".qlogo.cn")
}

/// Starts re-hosting `url` for customer `cid` in the background (WeChat avatar hosts only).
pub fn spawn_rehost(state: &AppState, cid: i64, url: &str) {
    if !is_wechat_avatar(url) {
        return;
    }
    let (state, url) = (state.clone(), url.to_owned());
    actix_web::rt::spawn(async move {
        if let Err(e) = rehost(&state, cid, &url).await {
            tracing::warn!(
                error = format!("{e:#}"),
                cid,
                "avatar re-hosting failed; keeping the remote URL"
            );
        }
    });
}

/// Fetches `url` (any host: the caller checks it), stores the copy and points the customer at it.
pub async fn rehost(state: &AppState, cid: i64, url: &str) -> anyhow::Result<String> {
    let bytes = fetch_limited(&state.fetcher, url).await?;
    anyhow::ensure!(looks_like_image(&bytes), "not an image");
    let relative = format!(
        "{DIR}/xcx_cid_{cid}_{}.jpg",
        chrono::Utc::now().timestamp_millis()
    );
    let path = state.settings.storage.data_dir.join(&relative);
    write_file(&path, &bytes).await?;
    let db = state.db.get().await?;
    let stmt = db.prepare_cached(sql!("customer/set_avatar_if")).await?;
    db.execute(&stmt, &[&cid, &url, &relative]).await?;
    Ok(relative)
}

async fn fetch_limited(client: &reqwest::Client, url: &str) -> anyhow::Result<Vec<u8>> {
    let mut resp = client
        .get(url)
        .timeout(TIMEOUT)
        .send()
        .await?
        .error_for_status()?;
    if resp
        .content_length()
        .is_some_and(|n| n as usize > MAX_BYTES)
    {
        anyhow::bail!("avatar larger than {MAX_BYTES} bytes");
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        body.extend_from_slice(&chunk);
        anyhow::ensure!(
            body.len() <= MAX_BYTES,
            "avatar larger than {MAX_BYTES} bytes"
        );
    }
    Ok(body)
}

/// JPEG, PNG, GIF or WebP magic numbers.
fn looks_like_image(b: &[u8]) -> bool {
    b.starts_with(&[0xFF, 0xD8, 0xFF])
        || b.starts_with(b"\x89PNG")
        || b.starts_with(b"GIF8")
        || (b.len() > 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP")
}

async fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    // Write then rename, so a half-written file is never served.
    let tmp = path.with_extension("part");
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_wechat_avatar_hosts_are_fetched() {
        assert!(is_wechat_avatar("https://wx.qlogo.cn/mmopen/vi_32/abc/132"));
        assert!(is_wechat_avatar("http://thirdwx.qlogo.cn/x"));
        assert!(!is_wechat_avatar("https://qlogo.cn.evil.com/x"));
        assert!(!is_wechat_avatar("https://evil.com/qlogo.cn"));
        assert!(!is_wechat_avatar("http://127.0.0.1/x"));
        assert!(!is_wechat_avatar("statics/imgs/a.jpg"));
    }

    #[test]
    fn images_are_recognised_by_their_magic_numbers() {
        assert!(looks_like_image(&[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(looks_like_image(b"\x89PNG\r\n"));
        assert!(!looks_like_image(b"<html>"));
    }
}
