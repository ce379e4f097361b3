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
//! - `make`   — making a pair's missing code or poster ([`ensure_file`]).
//! - `stale`  — dropping a pair's files whose inputs changed ([`drop_if_stale`]).
//! - `state`  — the pair's state file and the fingerprint of a poster's inputs.
//! - `lock`   — the per-pair lock; `worker` — the poster threads and the render limit.
//!
//! Entry points: [`ensure_file`] (the static-file fallback, [`pair_file`] parses its path) and
//! [`drop_if_stale`] (`save_poster`, M18). Both run under a per-pair lock, so concurrent first
//! requests make a file once: the others wait and find it on disk. At most one render per core
//! runs at a time (`worker::renders`); callers hand in the node's [`Posters`] (built at startup);
//! nothing is kept in memory between requests (the files are the cache; the OS page cache holds
//! hot ones).
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
mod lock;
mod make;
pub mod render;
mod stale;
mod state;
mod worker;

pub use files::safe_relative;
pub use make::ensure_file;
pub use stale::drop_if_stale;

use std::path::PathBuf;
use std::time::Duration;

use deadpool_postgres::Pool;

use crate::config::WechatMode;
use crate::wechat;

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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;

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
