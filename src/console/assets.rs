//! The console's files, embedded at compile time from `assets/console` (a test checks that every
//! file there is listed here, so a new file cannot be forgotten).

use std::sync::OnceLock;

use md5::{Digest, Md5};

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Path under `assets/console` (and under `/console/` in URLs).
    pub path: &'static str,
    pub mime: &'static str,
    pub body: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $mime:expr) => {
        Asset {
            path: $path,
            mime: $mime,
            body: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/assets/console/",
                $path
            )),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Every file of `assets/console`.
pub static ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("simulator.html", HTML),
    asset!("app.css", CSS),
    asset!("img/avatar.svg", "image/svg+xml"),
    asset!("js/api.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/live.js", JS),
    asset!("js/console.js", JS),
    asset!("js/contacts.js", JS),
    asset!("js/chat.js", JS),
    asset!("js/feed.js", JS),
    asset!("js/profile.js", JS),
    asset!("js/sim/simulator.js", JS),
    asset!("js/sim/customer.js", JS),
    asset!("vendor/md5.js", JS),
    asset!("vendor/LICENSE-blueimp-md5.txt", TEXT),
    asset!("LICENSES.md", TEXT),
];

/// The file at `path`, if embedded.
pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

impl Asset {
    /// A strong validator of the body (md5, quoted), computed once per file.
    pub fn etag(&'static self) -> &'static str {
        static TAGS: OnceLock<Vec<String>> = OnceLock::new();
        let tags = TAGS.get_or_init(|| {
            ASSETS
                .iter()
                .map(|a| format!("\"{}\"", hex::encode(Md5::digest(a.body))))
                .collect()
        });
        let index = ASSETS
            .iter()
            .position(|a| std::ptr::eq(a, self))
            .unwrap_or(0);
        tags.get(index).map(String::as_str).unwrap_or("\"\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn files(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, base, out);
            } else {
                let rel = path.strip_prefix(base).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_file_under_assets_console_is_embedded() {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/console");
        let mut on_disk = Vec::new();
        files(&base, &base, &mut on_disk);
        for path in &on_disk {
            assert!(find(path).is_some(), "{path} is not listed in ASSETS");
        }
        assert_eq!(on_disk.len(), ASSETS.len(), "ASSETS lists a file twice");
    }

    #[test]
    fn types_follow_the_extension() {
        for a in ASSETS {
            let want = match a.path.rsplit('.').next() {
                Some("html") => HTML,
                Some("js") => JS,
                Some("css") => CSS,
                Some("txt") | Some("md") => TEXT,
                Some("svg") => "image/svg+xml",
                other => panic!("unexpected extension {other:?}"),
            };
            assert_eq!(a.mime, want, "{}", a.path);
        }
    }

    /// ` on<letters>=` anywhere: an inline event handler attribute.
    fn has_handler_attribute(html: &str) -> bool {
        html.match_indices(" on").any(|(i, _)| {
            let rest = &html[i + 3..];
            let name_len = rest.chars().take_while(char::is_ascii_lowercase).count();
            name_len > 0 && rest[name_len..].starts_with('=')
        })
    }

    #[test]
    fn no_page_carries_inline_script_or_style() {
        for a in ASSETS.iter().filter(|a| a.path.ends_with(".html")) {
            let html = std::str::from_utf8(a.body).unwrap();
            assert!(!html.contains("<style"), "{}: inline <style>", a.path);
            assert!(!html.contains(" style="), "{}: style attribute", a.path);
            assert!(
                !has_handler_attribute(html),
                "{}: inline event handler",
                a.path
            );
            for tag in html.split("<script").skip(1) {
                assert!(tag.contains(" src=\""), "{}: inline <script>", a.path);
            }
        }
    }
}
