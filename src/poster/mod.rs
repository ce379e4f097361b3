//! Pair posters (spec §4.3, New): each (radar user, customer) binding has a mini-program code and
//! a poster PNG, served from `storage.data_dir` under `/statics` and **made lazily**: the first
//! request for a pair's file (`GET /statics/…/pair_<uid>_<cid>.png`, which `actix-files` does not
//! find on disk) makes it, and every later request is a plain static file. Bindings make nothing:
//! a node that bound 12,000 pairs eagerly wrote 36,009 PNGs (798 MB), most never looked at, and
//! rendered them all at once on the blocking pool (up to 512 threads, each with a 2.6 MB canvas
//! and its own malloc arena), which left it at 1.35 GB RSS (load-tests/RESULTS.md, "Posters").
//!
//! - `code`   — the pair's code: WeChat `wxa/getwxacodeunlimit` in live mode, a local QR code in dev
//!   mode or when WeChat fails.
//! - `render` — the poster drawn in pure Rust (no browser).
//! - `font`   — the system font posters are written in (CJK preferred, none tolerated).
//! - `files`  — safe reads of local `statics/…` files and atomic writes.
//!
//! Entry points: [`ensure_file`] (the static-file fallback, [`pair_file`] parses its path) and
//! [`drop_if_stale`] (`save_poster`, M18). Both run under a per-pair lock, so concurrent first
//! requests make a file once: the others wait and find it on disk. At most one render per core
//! runs at a time ([`RENDERS`]); callers hand in the node's [`Posters`] (built at startup); nothing is kept in memory between requests (the files are the
//! cache; the OS page cache holds hot ones).
//!
//! Files: `statics/zhugeleida/imgs/xiaochengxu/qr_code/pair_<uid>_<cid>.png` (→ `qr_code`) and
//! `…/poster/pair_<uid>_<cid>.png` (→ `poster_url`), written atomically (temporary file, then
//! rename), plus `…/poster/pair_<uid>_<cid>.json`, the pair's state.
//!
//! **Staleness.** The state file holds an MD5 fingerprint of everything the poster is drawn from:
//! the template version, name, position, company and shown phone, the bytes of the avatar (a local
//! `statics/…` file; remote avatars are not fetched) and of the code, and the font file.
//! `save_poster` (the client saving the poster) deletes a poster whose fingerprint differs (the
//! card was edited, a photo or code changed, a CJK font was installed), so the next request draws
//! it anew. The code is kept once made, except a local stand-in in live mode, which is deleted
//! (and so retried with WeChat on its next request) when older than [`RETRY_LOCAL_CODE`].

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

use deadpool_postgres::Pool;

use crate::config::WechatMode;
use crate::store::{self, poster::PairInputs};
use crate::wechat;
use files::{read_local, write_atomic};

/// What making pair files needs: the pairs' inputs, where files go, and WeChat for live codes.
/// Cheap to clone (the pool and the clients are shared).
#[derive(Clone)]
pub struct Posters {
    pub db: Pool,
    /// `storage.data_dir`: files go under its `statics/`.
    pub data_dir: PathBuf,
    /// `wechat.mode`: live codes come from WeChat, dev ones are local QR codes.
    pub wechat_mode: WechatMode,
    pub wechat: wechat::Client,
    pub access_tokens: wechat::AccessTokens,
}

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

/// Which of a pair's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairFile {
    /// The mini-program code (`qr_code/pair_<uid>_<cid>.png`).
    Code,
    /// The poster (`poster/pair_<uid>_<cid>.png`).
    Poster,
}

/// The pair file a relative `statics/…` path names, with its radar user and customer ids; `None`
/// for anything else (other files in those directories are plain static files).
pub fn pair_file(rel: &str) -> Option<(PairFile, i64, i64)> {
    let (kind, name) = if let Some(name) = rel.strip_prefix(POSTER_DIR) {
        (PairFile::Poster, name)
    } else {
        (PairFile::Code, rel.strip_prefix(CODE_DIR)?)
    };
    let ids = name.strip_prefix("/pair_")?.strip_suffix(".png")?;
    let (uid, cid) = ids.split_once('_')?;
    let id = |s: &str| -> Option<i64> {
        // Digits only (no sign, no leading zero), so one pair has exactly one path.
        let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0');
        s.parse().ok().filter(|_| plain)
    };
    Some((kind, id(uid)?, id(cid)?))
}

/// A pair's lock, by data directory (tests run several nodes in one process).
type Key = (PathBuf, i64, i64);
type PairLocks = Mutex<HashMap<Key, std::sync::Arc<tokio::sync::Mutex<()>>>>;

fn pair_locks() -> &'static PairLocks {
    static MAP: OnceLock<PairLocks> = OnceLock::new();
    MAP.get_or_init(Mutex::default)
}

/// Holds a pair's lock; the map entry goes when its last holder or waiter is done, so the map
/// holds only pairs being worked on.
struct PairGuard {
    key: Key,
    lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    _held: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for PairGuard {
    fn drop(&mut self) {
        let mut map = pair_locks().lock().unwrap_or_else(PoisonError::into_inner);
        // Clones are made under the map's lock: the map's and ours are the last two.
        if std::sync::Arc::strong_count(&self.lock) <= 2 {
            map.remove(&self.key);
        }
    }
}

async fn lock_pair(posters: &Posters, uid: i64, cid: i64) -> PairGuard {
    let key = (posters.data_dir.clone(), uid, cid);
    let lock = {
        let mut map = pair_locks().lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(key.clone()).or_default().clone()
    };
    let held = lock.clone().lock_owned().await;
    PairGuard {
        key,
        lock,
        _held: held,
    }
}

/// Renders running or queued at once (one per core): each holds a 2.6 MB canvas, the decoded
/// images and the PNG encoder's buffers.
fn renders() -> &'static tokio::sync::Semaphore {
    static RENDERS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    RENDERS.get_or_init(|| tokio::sync::Semaphore::new(crate::config::cores()))
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `f` on the poster threads (one per core, started on first use) and returns its result.
///
/// Not `spawn_blocking`: memory freed by a render stays with the malloc arena of the thread that
/// ran it, and the blocking pool spreads renders over up to 512 threads and glibc's up to 8 arenas
/// per core. Measured with 200 posters fetched 8 at a time (load-tests/RESULTS.md, "Posters"):
/// 99 MiB RSS on the blocking pool, against the few MiB per thread kept here.
async fn on_poster_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    static QUEUE: OnceLock<Mutex<std::sync::mpsc::Sender<Job>>> = OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(Mutex::new(rx));
        for i in 0..crate::config::cores() {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("poster-{i}"))
                .spawn(move || loop {
                    let job = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => break,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a poster thread");
            }
        }
        Mutex::new(tx)
    });
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = done.send(out);
    });
    queue
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .send(job)
        .map_err(|_| anyhow::anyhow!("no poster thread"))?;
    match result.await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(_)) => anyhow::bail!("poster rendering panicked"),
        Err(_) => anyhow::bail!("no poster thread"),
    }
}

/// Largest decoded image accepted (avatar or code): a small file can decode to a huge bitmap.
const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;
const MAX_SIDE: u32 = 8192;

/// Decodes a PNG or JPEG within [`MAX_DECODED_BYTES`] and [`MAX_SIDE`]; `None` otherwise.
fn decode_bounded(bytes: &[u8]) -> Option<image::DynamicImage> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    reader.decode().ok()
}

/// Makes the pair's file if it is not on disk (another request may have made it while this one
/// waited for the pair's lock) and returns its absolute path; `None` when the pair is not bound.
pub async fn ensure_file(
    posters: &Posters,
    kind: PairFile,
    uid: i64,
    cid: i64,
) -> anyhow::Result<Option<PathBuf>> {
    let _pair = lock_pair(posters, uid, cid).await;
    let dir = &posters.data_dir;
    let rel = match kind {
        PairFile::Code => code_path(uid, cid),
        PairFile::Poster => poster_path(uid, cid),
    };
    let path = dir.join(&rel);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(Some(path));
    }
    let db = posters.db.get().await?;
    let Some(inputs) = store::poster::pair_inputs(&db, uid, cid).await? else {
        return Ok(None); // not bound, or the radar user was deleted
    };
    drop(db);
    match kind {
        PairFile::Code => {
            make_code(posters, &inputs, uid, cid).await?;
        }
        PairFile::Poster => render_poster(posters, inputs, uid, cid).await?,
    }
    Ok(Some(path))
}

/// Draws the pair's poster (making our code first when the pair has none on disk) and records
/// it with its fingerprint.
async fn render_poster(
    posters: &Posters,
    inputs: PairInputs,
    uid: i64,
    cid: i64,
) -> anyhow::Result<()> {
    let dir = &posters.data_dir;
    let code_rel = match existing_code(posters, &inputs, uid, cid).await {
        Some(rel) => rel,
        None => make_code(posters, &inputs, uid, cid).await?,
    };
    let permit = renders().acquire().await?;
    let avatar = read_local(dir, &inputs.avatar, MAX_AVATAR_BYTES).await;
    let code = read_local(dir, &code_rel, MAX_AVATAR_BYTES).await;
    let font = on_poster_thread(font::get).await?;
    let phone = shown_phone(&inputs);
    let fingerprint = fingerprint_of(&inputs, &phone, avatar.as_deref(), code.as_deref(), font);
    let (name, position, company) = (inputs.username, inputs.position, inputs.company);
    let png = on_poster_thread(move || {
        let decode = |b: Option<Vec<u8>>| b.as_deref().and_then(decode_bounded);
        let card = render::Card {
            name: &name,
            position: &position,
            company: &company,
            phone: &phone,
        };
        render::render(&card, decode(avatar).as_ref(), decode(code).as_ref(), font)
    })
    .await??;
    drop(permit);
    let poster_rel = poster_path(uid, cid);
    let saved = read_state(posters, uid, cid).await;
    let new_state = PairState {
        fingerprint,
        code: saved.code,
    };
    write_atomic(
        &dir.join(state_path(uid, cid)),
        &serde_json::to_vec(&new_state)?,
    )
    .await?;
    write_atomic(&dir.join(&poster_rel), &png).await?;
    if inputs.poster_url.as_deref() != Some(poster_rel.as_str()) {
        let db = posters.db.get().await?;
        store::poster::set_poster_url(&db, uid, cid, &poster_rel).await?;
    }
    tracing::debug!(uid, cid, "poster rendered");
    Ok(())
}

/// The code the poster shows when it is on disk: the binding's `qr_code` (ours or one an older
/// system made), else ours.
async fn existing_code(
    posters: &Posters,
    inputs: &PairInputs,
    uid: i64,
    cid: i64,
) -> Option<String> {
    let dir = &posters.data_dir;
    let ours = code_path(uid, cid);
    let recorded = inputs.qr_code.as_deref().filter(|r| safe_relative(r));
    for rel in recorded.into_iter().chain([ours.as_str()]) {
        if tokio::fs::try_exists(dir.join(rel)).await.unwrap_or(false) {
            return Some(rel.to_owned());
        }
    }
    None
}

/// Makes our code for the pair (WeChat's, else a local QR code), records where it came from in the
/// pair's state, and points the binding at it unless it names another code; returns its path.
async fn make_code(
    posters: &Posters,
    inputs: &PairInputs,
    uid: i64,
    cid: i64,
) -> anyhow::Result<String> {
    let dir = &posters.data_dir;
    let ours = code_path(uid, cid);
    let (bytes, source) = code::pair_code(posters, inputs, uid, cid).await?;
    let mut saved = read_state(posters, uid, cid).await;
    saved.code = Some(source.as_str().to_owned());
    write_atomic(
        &dir.join(state_path(uid, cid)),
        &serde_json::to_vec(&saved)?,
    )
    .await?;
    write_atomic(&dir.join(&ours), &bytes).await?;
    // A binding that names another code on disk keeps it (the poster shows that one).
    let recorded = inputs.qr_code.as_deref();
    let elsewhere = match recorded.filter(|r| *r != ours && safe_relative(r)) {
        Some(r) => tokio::fs::try_exists(dir.join(r)).await.unwrap_or(false),
        None => false,
    };
    if recorded != Some(ours.as_str()) && !elsewhere {
        let db = posters.db.get().await?;
        store::poster::set_qr_code(&db, uid, cid, &ours).await?;
    }
    Ok(ours)
}

/// The pair's state file, or the default when missing or unreadable.
async fn read_state(posters: &Posters, uid: i64, cid: i64) -> PairState {
    let path = posters.data_dir.join(state_path(uid, cid));
    match tokio::fs::read(path).await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(_) => PairState::default(),
    }
}

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

/// The fingerprint of a poster drawn from these inputs.
fn fingerprint_of(
    inputs: &PairInputs,
    phone: &str,
    avatar: Option<&[u8]>,
    code: Option<&[u8]>,
    font: Option<&font::PosterFont>,
) -> String {
    fingerprint(&[
        TEMPLATE.as_bytes(),
        inputs.username.as_bytes(),
        inputs.position.as_bytes(),
        inputs.company.as_bytes(),
        phone.as_bytes(),
        avatar.unwrap_or_default(),
        code.unwrap_or_default(),
        font.map_or("", |f| f.path).as_bytes(),
    ])
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
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
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
    fn only_canonical_pair_paths_name_pair_files() {
        assert_eq!(
            pair_file(&poster_path(3, 4)),
            Some((PairFile::Poster, 3, 4))
        );
        assert_eq!(
            pair_file(&code_path(30, 41)),
            Some((PairFile::Code, 30, 41))
        );
        for other in [
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair_3_4.json",
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair_03_4.png",
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair_+3_4.png",
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair_3_4_5.png",
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair_3_99999999999999999999.png",
            "statics/zhugeleida/imgs/xiaochengxu/poster/x/pair_3_4.png",
            "statics/zhugeleida/imgs/xiaochengxu/poster/legacy.jpg",
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair__4.png",
            "statics/imgs/pair_3_4.png",
        ] {
            assert_eq!(pair_file(other), None, "{other}");
        }
    }

    #[test]
    fn huge_images_are_not_decoded() {
        let mut png = Vec::new();
        // A 9000×1 PNG: tiny file, over the side limit.
        image::DynamicImage::ImageLuma8(image::GrayImage::new(9000, 1))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert!(decode_bounded(&png).is_none());
        let small = render::encode_png(&image::DynamicImage::ImageLuma8(image::GrayImage::new(
            4, 4,
        )))
        .unwrap();
        assert!(decode_bounded(&small).is_some());
        assert!(decode_bounded(b"not an image").is_none());
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
