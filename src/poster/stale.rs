//! `save_poster` (M18): dropping a pair's poster whose inputs changed, and a local stand-in code
//! that WeChat should be asked again for, so that the next request makes them anew.

use super::files::read_local;
use super::lock::lock_pair;
use super::make::{existing_code, MAX_AVATAR_BYTES};
use super::state::{fingerprint_of, read_state, shown_phone};
use super::worker::on_poster_thread;
use super::{code, code_path, font, poster_path, Posters, RETRY_LOCAL_CODE};
use crate::config::WechatMode;
use crate::store;

/// `save_poster` (M18): deletes the pair's poster when what it is drawn from changed, and a local
/// stand-in code in live mode older than [`RETRY_LOCAL_CODE`] (with its poster), so the next
/// request makes them anew. Makes nothing itself; a pair without a poster is left alone.
pub async fn drop_if_stale(posters: &Posters, uid: i64, cid: i64) -> anyhow::Result<()> {
    let _pair = lock_pair(posters, uid, cid).await;
    let dir = &posters.data_dir;
    let poster = dir.join(poster_path(uid, cid));
    if !tokio::fs::try_exists(&poster).await.unwrap_or(false) {
        return Ok(());
    }
    let db = posters.db.get().await?;
    let Some(inputs) = store::poster::pair_inputs(&db, uid, cid).await? else {
        return Ok(());
    };
    drop(db);
    let saved = read_state(posters, uid, cid).await;
    let code_rel = existing_code(posters, &inputs, uid, cid).await;
    let ours = code_path(uid, cid);
    if code_rel.as_deref() == Some(ours.as_str())
        && saved.code.as_deref() == Some(code::Source::Local.as_str())
        && posters.wechat_mode == WechatMode::Live
    {
        let age = tokio::fs::metadata(dir.join(&ours))
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok());
        if age.is_some_and(|age| age > RETRY_LOCAL_CODE) {
            remove_if_present(&dir.join(&ours)).await?;
            return remove_if_present(&poster).await;
        }
    }
    let avatar = read_local(dir, &inputs.avatar, MAX_AVATAR_BYTES).await;
    let code = match &code_rel {
        Some(rel) => read_local(dir, rel, MAX_AVATAR_BYTES).await,
        None => None,
    };
    let font = on_poster_thread(font::get).await?;
    let phone = shown_phone(&inputs);
    let now = fingerprint_of(&inputs, &phone, avatar.as_deref(), code.as_deref(), font);
    if code_rel.is_none() || now != saved.fingerprint {
        remove_if_present(&poster).await?;
    }
    Ok(())
}

async fn remove_if_present(path: &std::path::Path) -> anyhow::Result<()> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}
