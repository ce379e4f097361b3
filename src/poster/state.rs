//! What is remembered about a pair between requests: its state file (`pair_<uid>_<cid>.json`: the
//! fingerprint of the poster on disk and where the code came from), and that fingerprint.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use super::{font, Posters, POSTER_DIR};
use crate::store::poster::PairInputs;

/// Changing the drawing changes this, so every poster is redrawn once.
const TEMPLATE: &str = "poster-v1";

pub(super) fn state_path(uid: i64, cid: i64) -> String {
    format!("{POSTER_DIR}/pair_{uid}_{cid}.json")
}

/// What is remembered about a pair's files between generations.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct PairState {
    /// Fingerprint of the inputs of the poster on disk.
    pub(super) fingerprint: String,
    /// Where the code came from: `wechat` or `local`.
    pub(super) code: Option<String>,
}

/// The pair's state file, or the default when missing or unreadable.
pub(super) async fn read_state(posters: &Posters, uid: i64, cid: i64) -> PairState {
    let path = posters.data_dir.join(state_path(uid, cid));
    match tokio::fs::read(path).await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(_) => PairState::default(),
    }
}

/// The fingerprint of a poster drawn from these inputs.
pub(super) fn fingerprint_of(
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
pub(super) fn shown_phone(inputs: &PairInputs) -> String {
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
}
