//! Pair posters (spec §4.3, New): each (radar user, customer) binding gets a mini-program code and
//! a poster PNG, made in the background and served from `storage.data_dir` under `/statics`.
//!
//! - `code`   — the pair's code: WeChat `wxa/getwxacodeunlimit` in live mode, a local QR code in dev
//!   mode or when WeChat fails.
//! - `render` — the poster drawn in pure Rust (no browser).
//! - `font`   — the system font posters are written in (CJK preferred, none tolerated).
//! - `files`  — safe reads of local `statics/…` files and atomic writes.
//!
//! [`spawn_for_pair`] is the only entry point: the binding handler (M2), `create_poster` (M17,
//! when the pair has no poster) and `save_poster` (M18) call it. It never blocks the request;
//! at most one generation per pair runs at a time, and a call that arrives meanwhile makes it run
//! once more when done.
//!
//! Files: `statics/zhugeleida/imgs/xiaochengxu/qr_code/pair_<uid>_<cid>.png` (→ `qr_code`) and
//! `…/poster/pair_<uid>_<cid>.png` (→ `poster_url`), written atomically (temporary file, then
//! rename), plus `…/poster/pair_<uid>_<cid>.json`, the pair's state.
//!
//! **Staleness.** The state file holds an MD5 fingerprint of everything the poster is drawn from:
//! the template version, name, position, company and shown phone, the bytes of the avatar (a local
//! `statics/…` file; remote avatars are not fetched) and of the code, and the font file. A poster
//! is regenerated only when `poster_url` is unset, the file is missing, or the fingerprint differs
//! (the card was edited, a photo or code changed, a CJK font was installed). The code is kept once
//! made, except a local stand-in in live mode, which is retried with WeChat when older than
//! [`RETRY_LOCAL_CODE`].

pub mod code;
pub(crate) mod files;
pub mod font;
pub mod render;

pub use files::safe_relative;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::config::WechatMode;
use crate::state::AppState;
use crate::store::{self, poster::PairInputs};
use files::{read_local, write_atomic};

/// Relative directory of pair codes.
pub const CODE_DIR: &str = "statics/zhugeleida/imgs/xiaochengxu/qr_code";
/// Relative directory of posters (and their state files).
pub const POSTER_DIR: &str = "statics/zhugeleida/imgs/xiaochengxu/poster";
/// Changing the drawing changes this, so every poster is redrawn once.
const TEMPLATE: &str = "poster-v1";
/// Largest local avatar drawn.
const MAX_AVATAR_BYTES: u64 = 5 * 1024 * 1024;
/// How long a local stand-in code is kept in live mode before WeChat is asked again.
pub const RETRY_LOCAL_CODE: Duration = Duration::from_secs(600);

/// The relative path of the pair's code.
pub fn code_path(uid: i64, cid: i64) -> String {
    format!("{CODE_DIR}/pair_{uid}_{cid}.png")
}

/// The relative path of the pair's poster.
pub fn poster_path(uid: i64, cid: i64) -> String {
    format!("{POSTER_DIR}/pair_{uid}_{cid}.png")
}

fn state_path(uid: i64, cid: i64) -> String {
    format!("{POSTER_DIR}/pair_{uid}_{cid}.json")
}

/// What is remembered about a pair's files between generations.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PairState {
    /// Fingerprint of the inputs of the poster on disk.
    fingerprint: String,
    /// Where the code came from: `wechat` or `local`.
    code: Option<String>,
}

/// A pair being generated, by data directory (tests run several nodes in one process).
type Key = (PathBuf, i64, i64);

/// Pairs being generated → whether another run was asked for meanwhile.
fn in_flight() -> &'static Mutex<HashMap<Key, bool>> {
    static MAP: OnceLock<Mutex<HashMap<Key, bool>>> = OnceLock::new();
    MAP.get_or_init(Mutex::default)
}

/// Removes the pair from `in_flight` if its task ends early (a panic); a normal end removes it
/// itself, under the same lock that checks for another run.
struct Running {
    key: Key,
    finished: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.finished {
            let mut map = in_flight().lock().unwrap_or_else(PoisonError::into_inner);
            map.remove(&self.key);
        }
    }
}

/// Makes or refreshes the pair's code and poster in the background when missing or stale. Never
/// blocks and never fails the caller; errors are logged.
pub fn spawn_for_pair(state: &AppState, uid: i64, cid: i64) {
    let key = (state.settings.storage.data_dir.clone(), uid, cid);
    {
        let mut map = in_flight().lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(again) = map.get_mut(&key) {
            *again = true;
            return;
        }
        map.insert(key.clone(), false);
    }
    let state = state.clone();
    actix_web::rt::spawn(async move {
        let mut running = Running {
            key,
            finished: false,
        };
        loop {
            if let Err(e) = refresh(&state, uid, cid).await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    uid,
                    cid,
                    "poster generation failed"
                );
            }
            let mut map = in_flight().lock().unwrap_or_else(PoisonError::into_inner);
            match map.get_mut(&running.key) {
                Some(again) if *again => *again = false,
                _ => {
                    map.remove(&running.key);
                    running.finished = true;
                    break;
                }
            }
        }
    });
}

/// One generation: the code if needed, then the poster if stale.
async fn refresh(state: &AppState, uid: i64, cid: i64) -> anyhow::Result<()> {
    let db = state.db.get().await?;
    let Some(inputs) = store::poster::pair_inputs(&db, uid, cid).await? else {
        return Ok(()); // unbound meanwhile, or the radar user was deleted
    };
    drop(db);
    let dir = &state.settings.storage.data_dir;
    let saved: PairState = match tokio::fs::read(dir.join(state_path(uid, cid))).await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(_) => PairState::default(),
    };
    let (code_rel, code_source) = ensure_code(state, &inputs, &saved, uid, cid).await?;
    let font = actix_web::rt::task::spawn_blocking(font::get).await?;
    let avatar = read_local(dir, &inputs.avatar, MAX_AVATAR_BYTES).await;
    let code = read_local(dir, &code_rel, MAX_AVATAR_BYTES).await;
    let phone = shown_phone(&inputs);
    let fingerprint = fingerprint(&[
        TEMPLATE.as_bytes(),
        inputs.username.as_bytes(),
        inputs.position.as_bytes(),
        inputs.company.as_bytes(),
        phone.as_bytes(),
        avatar.as_deref().unwrap_or_default(),
        code.as_deref().unwrap_or_default(),
        font.map_or("", |f| f.path).as_bytes(),
    ]);
    let poster_rel = poster_path(uid, cid);
    let fresh = inputs.poster_url.as_deref() == Some(poster_rel.as_str())
        && saved.fingerprint == fingerprint
        && tokio::fs::try_exists(dir.join(&poster_rel))
            .await
            .unwrap_or(false);
    if fresh {
        return Ok(());
    }
    let (name, position, company) = (inputs.username, inputs.position, inputs.company);
    let png = actix_web::rt::task::spawn_blocking(move || {
        let decode = |b: Option<Vec<u8>>| b.and_then(|b| image::load_from_memory(&b).ok());
        let card = render::Card {
            name: &name,
            position: &position,
            company: &company,
            phone: &phone,
        };
        render::render(&card, decode(avatar).as_ref(), decode(code).as_ref(), font)
    })
    .await??;
    write_atomic(&dir.join(&poster_rel), &png).await?;
    let new_state = PairState {
        fingerprint,
        code: code_source,
    };
    write_atomic(
        &dir.join(state_path(uid, cid)),
        &serde_json::to_vec(&new_state)?,
    )
    .await?;
    let db = state.db.get().await?;
    store::poster::set_poster_url(&db, uid, cid, &poster_rel).await?;
    tracing::debug!(uid, cid, "poster rendered");
    Ok(())
}

/// The pair's code (relative path) and its source, made when missing.
async fn ensure_code(
    state: &AppState,
    inputs: &PairInputs,
    saved: &PairState,
    uid: i64,
    cid: i64,
) -> anyhow::Result<(String, Option<String>)> {
    let dir = &state.settings.storage.data_dir;
    let ours = code_path(uid, cid);
    if let Some(rel) = inputs.qr_code.as_deref().filter(|r| safe_relative(r)) {
        if let Ok(meta) = tokio::fs::metadata(dir.join(rel)).await {
            let stand_in =
                rel == ours && saved.code.as_deref() == Some(code::Source::Local.as_str());
            let old = meta
                .modified()
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > RETRY_LOCAL_CODE);
            let retry = stand_in && old && state.settings.wechat.mode == WechatMode::Live;
            if !retry {
                return Ok((rel.to_owned(), saved.code.clone()));
            }
        }
    }
    let (bytes, source) = code::pair_code(state, inputs, uid, cid).await?;
    write_atomic(&dir.join(&ours), &bytes).await?;
    let db = state.db.get().await?;
    store::poster::set_qr_code(&db, uid, cid, &ours).await?;
    Ok((ours, Some(source.as_str().to_owned())))
}

/// The phone a poster shows: `mingpian_phone`, else `wechat_phone`, unless the owner hides it.
fn shown_phone(inputs: &PairInputs) -> String {
    if !inputs.is_show_phone {
        return String::new();
    }
    [&inputs.mingpian_phone, &inputs.wechat_phone]
        .into_iter()
        .flatten()
        .find(|p| !p.is_empty())
        .cloned()
        .unwrap_or_default()
}

/// MD5 (hex) of the parts, each length-prefixed so that no two inputs collide by concatenation.
fn fingerprint(parts: &[&[u8]]) -> String {
    let mut h = Md5::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_change_with_any_input_and_not_by_shifting_bytes() {
        let a = fingerprint(&[b"ab", b"c"]);
        assert_eq!(a, fingerprint(&[b"ab", b"c"]));
        assert_ne!(a, fingerprint(&[b"a", b"bc"]));
        assert_ne!(a, fingerprint(&[b"ab", b"d"]));
    }

    #[test]
    fn pair_files_live_at_the_legacy_paths() {
        assert_eq!(
            code_path(3, 4),
            "statics/zhugeleida/imgs/xiaochengxu/qr_code/pair_3_4.png"
        );
        assert_eq!(
            poster_path(3, 4),
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair_3_4.png"
        );
    }
}
