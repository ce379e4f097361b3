//! Avatar re-hosting (spec M3 step 4, New): after `send_user_info`, a copy of the WeChat avatar is
//! fetched in the background — only from WeChat's avatar hosts, with size and time limits — stored
//! under `storage.data_dir/statics/…` and served at the same relative path. The remote URL stays
//! in place until the copy exists.
//!
//! The URL comes from the client, so the fetch is guarded against server-side request forgery at
//! three levels: the URL is parsed once with the HTTP client's own parser (`reqwest::Url`) and must
//! be `http`/`https` on `qlogo.cn` or `*.qlogo.cn`, without userinfo or a port of its own; the
//! fetcher follows no redirect; and its resolver (`PublicOnly`) hands the connector only public
//! addresses, so a qlogo.cn name that resolves to loopback or a private range is never connected.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use crate::sql;

/// Largest avatar accepted.
const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Longest a fetch may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Relative directory of re-hosted avatars (the original's path).
const DIR: &str = "statics/zhugeleida/imgs/xiaochengxu/user_photo";

/// `url` as the fetcher would request it, if it is an http(s) URL on a WeChat avatar host
/// (`qlogo.cn`, `*.qlogo.cn`) with no userinfo and the scheme's default port.
pub fn wechat_avatar_url(url: &str) -> Option<Url> {
    let parsed = Url::parse(url).ok()?;
    // The parser lowercases names and turns numeric hosts into IP literals, none of which ends
    // with `.cn`.
    let host = parsed.host_str()?;
    let wechat_host = host == "qlogo.cn" || host.ends_with(".qlogo.cn");
    let ok = matches!(parsed.scheme(), "http" | "https")
        && wechat_host
        && parsed.username().is_empty()
        && parsed.password().is_none()
        // `port()` is None for no port and for the scheme's default one.
        && parsed.port().is_none();
    ok.then_some(parsed)
}

/// Whether `url` is one the fetcher may request (see `wechat_avatar_url`).
pub fn is_wechat_avatar(url: &str) -> bool {
    wechat_avatar_url(url).is_some()
}

/// The HTTP client of avatar fetches: no redirects, no proxy (the connected address is the one
/// checked), and only public addresses from name resolution.
pub fn fetcher() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(PublicOnly))
        .build()?)
}

/// A resolver that drops every address a server must not fetch from (see `is_public`), and fails
/// when none is left.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = all.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// Whether `ip` is a public unicast address: not loopback, private, link-local, unspecified,
/// multicast, broadcast, CGNAT (100.64/10), benchmarking, documentation or reserved, not an IPv6
/// unique-local (fc00::/7) or site-local, and not an IPv4-mapped/-compatible/NAT64 form of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0.0/24
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18.0.0/15
        || a >= 240) // reserved 240.0.0.0/4
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // IPv4-compatible ::a.b.c.d (deprecated; ::1 and :: are caught below) and NAT64 64:ff9b::/96.
    if s[..6] == [0; 6] && !(ip.is_loopback() || ip.is_unspecified())
        || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
    {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return is_public_v4(v4);
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only 100::/64
}

/// What re-hosting needs: where customers' avatars are recorded and stored, and the fetcher.
/// Cheap to clone (the pool and the client are shared).
#[derive(Clone)]
pub struct Avatars {
    pub db: Pool,
    /// `storage.data_dir`: copies go under its `statics/`.
    pub data_dir: PathBuf,
    /// The restricted client of [`fetcher`].
    pub fetcher: reqwest::Client,
}

/// Starts re-hosting `url` for customer `cid` in the background (WeChat avatar hosts only).
pub fn spawn_rehost(avatars: &Avatars, cid: i64, url_text: &str) {
    let Some(url) = wechat_avatar_url(url_text) else {
        return;
    };
    let (avatars, remote) = (avatars.clone(), url_text.to_owned());
    actix_web::rt::spawn(async move {
        if let Err(e) = copy_from(&avatars, &avatars.fetcher, cid, &remote, url).await {
            tracing::warn!(
                error = format!("{e:#}"),
                cid,
                "avatar re-hosting failed; keeping the remote URL"
            );
        }
    });
}

/// Re-hosts `url` for customer `cid` now, if it is a WeChat avatar URL (`wechat_avatar_url`).
pub async fn rehost(avatars: &Avatars, cid: i64, url: &str) -> anyhow::Result<String> {
    let parsed =
        wechat_avatar_url(url).ok_or_else(|| anyhow::anyhow!("not a WeChat avatar URL"))?;
    copy_from(avatars, &avatars.fetcher, cid, url, parsed).await
}

/// Fetches `url` with `client` (no host check here: `rehost` and `spawn_rehost` check it; tests
/// call this directly with a fake server), stores the copy and points the customer at it unless
/// their avatar is no longer `remote` (the URL as the client sent it, parsed into `url`).
pub async fn copy_from(
    avatars: &Avatars,
    client: &reqwest::Client,
    cid: i64,
    remote: &str,
    url: Url,
) -> anyhow::Result<String> {
    let bytes = fetch_limited(client, url).await?;
    anyhow::ensure!(looks_like_image(&bytes), "not an image");
    let relative = format!(
        "{DIR}/xcx_cid_{cid}_{}.jpg",
        chrono::Utc::now().timestamp_millis()
    );
    let path = avatars.data_dir.join(&relative);
    write_file(&path, &bytes).await?;
    let db = avatars.db.get().await?;
    let stmt = db.prepare_cached(sql!("customer/set_avatar_if")).await?;
    db.execute(&stmt, &[&cid, &remote, &relative]).await?;
    Ok(relative)
}

async fn fetch_limited(client: &reqwest::Client, url: Url) -> anyhow::Result<Vec<u8>> {
    let mut resp = client
        .get(url)
        .timeout(TIMEOUT)
        .send()
        .await?
        .error_for_status()?;
    anyhow::ensure!(
        resp.status().is_success(),
        "avatar answered {} (redirects are not followed)",
        resp.status()
    );
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
        assert!(is_wechat_avatar("http://QLOGO.cn/x"));
        // The scheme's default port, written out, is the same URL.
        assert!(is_wechat_avatar("http://wx.qlogo.cn:80/x"));
        assert!(is_wechat_avatar("https://wx.qlogo.cn:443/x"));
        for bad in [
            "https://qlogo.cn.evil.com/x",
            "https://evil.com/qlogo.cn",
            "https://evilqlogo.cn/x",
            "http://127.0.0.1/x",
            "statics/imgs/a.jpg",
            // The two: userinfo that looks like the host, and a backslash that the
            // client's parser reads as a path separator.
            "http://wx.qlogo.cn:80@127.0.0.1:18399/x.jpg",
            "http://127.0.0.1\\@wx.qlogo.cn/x.jpg",
            "http://user@wx.qlogo.cn/x.jpg",
            "http://:pw@wx.qlogo.cn/x.jpg",
            "http://wx.qlogo.cn:8080/x.jpg",
            "https://wx.qlogo.cn:80/x.jpg",
            "ftp://wx.qlogo.cn/x.jpg",
            "file:///etc/passwd",
            "http://[::1]/x",
            "http://2130706433/x",
            "http://wx.qlogo.cn./x",
            " http://127.0.0.1/x",
        ] {
            assert!(!is_wechat_avatar(bad), "{bad} accepted");
        }
    }

    #[test]
    fn only_public_addresses_are_connected() {
        for ip in [
            "1.1.1.1",
            "183.3.225.1",
            "2400:da00::6666",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} refused");
        }
        for ip in [
            "127.0.0.1",
            "127.5.5.5",
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "192.0.0.8",
            "240.0.0.1",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} allowed");
        }
    }

    #[tokio::test]
    async fn the_resolver_hands_out_no_loopback_address() {
        for host in ["localhost", "127.0.0.1", "::1"] {
            let name: Name = host.parse().unwrap();
            assert!(PublicOnly.resolve(name).await.is_err(), "{host} resolved");
        }
    }

    #[test]
    fn images_are_recognised_by_their_magic_numbers() {
        assert!(looks_like_image(&[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(looks_like_image(b"\x89PNG\r\n"));
        assert!(!looks_like_image(b"<html>"));
    }
}
