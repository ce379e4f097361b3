//! Headless Chromium driven over WebDriver (Debian's `chromium` and `chromium-driver`, started by
//! the test), with the waits a live page needs. A missing browser fails the test with the install
//! command; it never skips.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";
/// How long a live change may take to show (the feed polls every 4 s).
pub const LIVE: Duration = Duration::from_secs(20);

/// Sessions at once: Chromium is heavy on a two-core machine.
static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// One browser session with its own chromedriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _slot: tokio::sync::SemaphorePermit<'static>,
    /// The driver's and Chromium's temporary files (`TMPDIR`): Chromium killed with its driver
    /// cannot remove its profile and socket folders, so they go here and leave with it.
    _tmp: tempfile::TempDir,
}

fn require(path: &str) {
    assert!(
        std::path::Path::new(path).exists(),
        "{path} is missing: the browser tests need Debian's chromium and chromium-driver \
         (./scripts/test.sh installs them; or: apt-get install chromium chromium-driver)"
    );
}

impl Browser {
    /// A headless Chromium with a `width`×`height` window.
    pub async fn open(width: u32, height: u32) -> Browser {
        require(CHROMIUM);
        require(DRIVER);
        let slot = SLOTS.acquire().await.expect("semaphore open");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let tmp = tempfile::Builder::new()
            .prefix("radar-browser-")
            .tempdir()
            .expect("temp dir");
        // Its own process group, so Chromium goes down with it even when a test panics.
        let driver = Command::new(DRIVER)
            .process_group(0)
            .env("TMPDIR", tmp.path())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--lang=zh-CN", format!("--window-size={width},{height}")],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("chromedriver session: {e}"),
            }
        };
        Browser {
            client,
            driver,
            _slot: slot,
            _tmp: tmp,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("page loads");
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.expect(script)
    }

    /// The text of the first element matching `css`, or "" when there is none.
    pub async fn text(&self, css: &str) -> String {
        let v = self
            .js(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
                vec![json!(css)],
            )
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until `check(text of css)` holds; panics after `within` with what was there.
    pub async fn wait_text(
        &self,
        css: &str,
        within: Duration,
        check: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + within;
        loop {
            let text = self.text(css).await;
            if check(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never matched; last text: {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `script` returns `true`.
    pub async fn wait_js(&self, script: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while self.js(script, vec![]).await != json!(true) {
            assert!(Instant::now() < deadline, "never true: {script}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element matching `css`, waiting for it to exist.
    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(LIVE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear().await.expect("clear");
        el.send_keys(text).await.expect("type");
    }

    /// Logs the console in as `user` / `password` (the form, as a person would).
    pub async fn console_login(&self, base: &str, user: &str, password: &str) {
        self.goto(&format!("{base}/console/")).await;
        self.type_into("#login-user", user).await;
        self.type_into("#login-password", password).await;
        self.click("#login-submit").await;
    }

    /// Saves a PNG of the window.
    pub async fn screenshot(&self, path: &std::path::Path) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(path, png).expect("write screenshot");
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = nix::unistd::Pid::from_raw(self.driver.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.driver.wait();
    }
}
