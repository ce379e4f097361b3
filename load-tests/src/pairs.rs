//! The seeded principals: one line per pair in the file the driver exports from the database,
//! `customer_id<TAB>customer_token<TAB>radar_user_id<TAB>radar_token`, and their signatures.

use std::path::Path;

use anyhow::{bail, Context};
use md5::{Digest, Md5};

/// One customer and one radar user of the same company.
#[derive(Debug, Clone)]
pub struct Pair {
    pub cid: i64,
    pub uid: i64,
    /// `rand_str` of the customer for `Signer::timestamp`.
    pub c_sig: String,
    /// `rand_str` of the radar user.
    pub u_sig: String,
}

/// The run's one `timestamp` (ms, fresh at start: valid under the server's freshness window for
/// the whole bounded run), so every principal's `rand_str` is computed once.
pub fn timestamp() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    ms.to_string()
}

/// `md5(timestamp + token)` as lowercase hex (spec §2.2).
pub fn sign(timestamp: &str, token: &str) -> String {
    let mut h = Md5::new();
    h.update(timestamp.as_bytes());
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

/// Lines `offset .. offset + count` of `path`, signed with `timestamp`.
pub fn load(
    path: &Path,
    offset: usize,
    count: usize,
    timestamp: &str,
) -> anyhow::Result<Vec<Pair>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::with_capacity(count);
    for (n, line) in text.lines().enumerate().skip(offset).take(count) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 4 {
            bail!(
                "{}:{}: expected 4 tab-separated fields",
                path.display(),
                n + 1
            );
        }
        out.push(Pair {
            cid: f[0].parse().context("customer id")?,
            c_sig: sign(timestamp, f[1]),
            uid: f[2].parse().context("radar user id")?,
            u_sig: sign(timestamp, f[3]),
        });
    }
    if out.len() < count {
        bail!(
            "{} holds {} pairs after offset {offset}, {count} wanted",
            path.display(),
            out.len()
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_md5_of_timestamp_then_token() {
        assert_eq!(
            sign("1700000000000", "tok"),
            "b3597ad5e14f17036a94e1e07aaf246e"
        );
        assert_eq!(sign("", ""), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
