//! Browser tests: the radar console and the customer simulator in real headless Chromium, against
//! `radar serve` started by each test (spec issue 11). The customer side is played over plain
//! HTTP/WS-M (`customer.rs`) or through the simulator page. The screenshots in the README
//! (`docs/console.png`, `docs/simulator.png`) are taken here from the real UI.
#![allow(clippy::unwrap_used)]

mod browser;
mod customer;
mod server;

use std::time::Duration;

use serde_json::json;

use browser::{Browser, LIVE};
use customer::{radar_user_id, Customer};
use server::Server;

const PASSWORD: &str = "Demo1234";

/// Console logged in as zhangwei, and one named customer of his.
async fn console_with_customer(nickname: &str) -> (Server, Browser, Customer) {
    let server = Server::start().await;
    let uid = radar_user_id(&server.base, "张伟").await;
    let browser = Browser::open(1400, 900).await;
    browser
        .console_login(&server.base, "zhangwei", PASSWORD)
        .await;
    browser.wait_text("#conn", LIVE, |t| t == "在线").await;
    let customer = Customer::arrive(&server.base, uid, nickname).await;
    (server, browser, customer)
}

/// How many messages of the open chat show exactly `text`.
async fn shown(browser: &Browser, text: &str) -> i64 {
    browser
        .js(
            "return [...document.querySelectorAll('#message-list .bubble')].filter(b => b.textContent === arguments[0]).length",
            vec![json!(text)],
        )
        .await
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_message_shows_live_and_a_reply_reaches_the_customer_and_flips_to_read() {
    let (server, browser, customer) = console_with_customer("周先生").await;
    let mut socket = customer.socket().await;

    customer.say("请问标准版多少钱？").await;

    // Live, no reload: the contact list and the badge change.
    browser
        .wait_text("#contacts", LIVE, |t| {
            t.contains("周先生") && t.contains("请问标准版多少钱？")
        })
        .await;
    browser.wait_text("#badge", LIVE, |t| t == "1").await;
    browser.click("#contacts li[data-customer-id]").await;
    browser
        .wait_text("#message-list", LIVE, |t| t.contains("请问标准版多少钱？"))
        .await;
    browser.wait_text("#badge", LIVE, |t| t == "0").await;

    browser
        .type_into("#compose-text", "1980元一年，含全部功能")
        .await;
    browser.click("#send").await;

    let pushed = socket.expect_message("1980元一年，含全部功能").await;
    assert_eq!(pushed["send_type"], 1);
    browser
        .wait_js("return [...document.querySelectorAll('#message-list li.mine .state')].some(s => s.textContent === '未读')", LIVE)
        .await;
    customer.read_chat().await;
    browser
        .wait_js("const s = [...document.querySelectorAll('#message-list li.mine .state')]; return s.length >= 2 && s.every(x => x.textContent === '已读')", LIVE)
        .await;
    browser.close().await;
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_card_view_appears_in_the_radar_feed_live() {
    let (server, browser, customer) = console_with_customer("吴女士").await;
    browser.click("#tab-feed").await;

    let card = customer
        .get("/mingpian", &format!("uid={}", customer.uid))
        .await;
    assert_eq!(card["code"], 200, "{card}");

    let feed = browser
        .wait_text("#feed", LIVE, |t| t.contains("首次查看您的名片"))
        .await;
    assert!(feed.contains("吴女士"), "{feed}");
    assert!(feed.contains("查看名片"), "{feed}");
    browser.close().await;
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_server_restart_the_console_reconnects_and_shows_missed_messages_once() {
    let (mut server, browser, customer) = console_with_customer("郑经理").await;
    customer.say("重启前的消息").await;
    browser
        .wait_text("#contacts", LIVE, |t| t.contains("重启前的消息"))
        .await;
    browser.click("#contacts li[data-customer-id]").await;
    browser
        .wait_text("#message-list", LIVE, |t| t.contains("重启前的消息"))
        .await;

    server.stop();
    browser.wait_text("#conn", LIVE, |t| t != "在线").await;
    server.spawn();
    customer.say("重启期间的第一条").await;
    customer.say("重启期间的第二条").await;

    browser
        .wait_text("#message-list", LIVE, |t| t.contains("重启期间的第二条"))
        .await;
    browser.wait_text("#conn", LIVE, |t| t == "在线").await;
    customer.say("重连之后的消息").await;
    browser
        .wait_text("#message-list", LIVE, |t| t.contains("重连之后的消息"))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for text in [
        "重启前的消息",
        "重启期间的第一条",
        "重启期间的第二条",
        "重连之后的消息",
    ] {
        assert_eq!(shown(&browser, text).await, 1, "{text} shown once");
    }
    browser.close().await;
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_shows_the_error_text() {
    let server = Server::start().await;
    let browser = Browser::open(1200, 800).await;

    browser
        .console_login(&server.base, "zhangwei", "wrong-password")
        .await;

    browser
        .wait_text("#login-error", LIVE, |t| t == "账号或密码错误")
        .await;
    assert_eq!(
        browser
            .js("return document.getElementById('app-view').hidden", vec![])
            .await,
        json!(true)
    );
    assert_eq!(
        browser.js("return sessionStorage.length", vec![]).await,
        json!(0)
    );
    browser.close().await;
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_logged_out_page_reaches_no_data() {
    let (server, browser, customer) = console_with_customer("冯同学").await;
    browser
        .wait_text("#contacts", LIVE, |t| t.contains("冯同学"))
        .await;

    browser.click("#logout").await;

    browser
        .wait_js("return !document.getElementById('login-view').hidden", LIVE)
        .await;
    assert_eq!(
        browser.js("return sessionStorage.length", vec![]).await,
        json!(0)
    );
    customer.say("退出之后的消息").await;
    browser.client.refresh().await.unwrap();
    browser
        .wait_js("return !document.getElementById('login-view').hidden", LIVE)
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let page = browser.js("return document.body.innerText", vec![]).await;
    let page = page.as_str().unwrap();
    assert!(
        !page.contains("冯同学") && !page.contains("退出之后的消息"),
        "{page}"
    );
    // The legacy API answers a page without the token nothing but token异常.
    let probe = browser
        .js(
            "return fetch('/zhugeleida/qiyeweixin/contact?user_id=1&timestamp=' + Date.now()).then(r => r.json())",
            vec![],
        )
        .await;
    assert_eq!(probe["code"], 400, "{probe}");
    browser.close().await;
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn html_in_a_nickname_and_a_message_shows_as_text() {
    let nickname = "<img src=x onerror=\"window.__pwned=1\"><b>坏人</b>";
    let (server, browser, customer) = console_with_customer(nickname).await;
    let message = "<script>window.__pwned=2</script><i>斜体</i>&amp;";
    customer.say(message).await;
    customer
        .get("/mingpian", &format!("uid={}", customer.uid))
        .await;

    browser
        .wait_text("#contacts .name", LIVE, |t| t == nickname)
        .await;
    browser.click("#contacts li[data-customer-id]").await;
    browser
        .wait_text("#message-list", LIVE, |t| t.contains(message))
        .await;
    browser
        .wait_text("#profile-name", LIVE, |t| t == nickname)
        .await;
    browser.click("#tab-feed").await;
    browser
        .wait_text("#feed", LIVE, |t| t.contains(nickname))
        .await;

    let injected = browser
        .js(
            "return document.querySelectorAll('#app-view b:not(.badge), #app-view img[src=\"x\"], #app-view i:not(.dot), #app-view script').length",
            vec![],
        )
        .await;
    assert_eq!(injected, json!(0), "customer HTML became elements");
    assert_eq!(
        browser
            .js("return window.__pwned === undefined", vec![])
            .await,
        json!(true)
    );
    browser.close().await;
    server.finish().await;
}

/// Where the README's screenshots live.
fn docs(file: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(file)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_chats_with_the_console_and_both_are_photographed_for_the_readme() {
    let server = Server::start().await;
    let sim = Browser::open(1400, 860).await;
    sim.goto(&format!("{}/console/simulator", server.base))
        .await;
    sim.wait_js(
        "return document.querySelectorAll('#sims .setup').length === 2",
        LIVE,
    )
    .await;
    // Both customers log in (dev mode), authorize and bind; each column then shows the card.
    sim.click("#sims .phone:nth-of-type(1) .setup button[type=submit]")
        .await;
    sim.wait_js(
        "return !!document.querySelector('#sims .phone:nth-of-type(1) .card-view')",
        LIVE,
    )
    .await;
    sim.click("#sims .phone:nth-of-type(2) .setup button[type=submit]")
        .await;
    sim.wait_js(
        "return !!document.querySelector('#sims .phone:nth-of-type(2) .card-view')",
        LIVE,
    )
    .await;
    // The first asks about a product (a product card in the chat), then writes.
    sim.click("#sims .phone:nth-of-type(1) .phone-tabs button[data-tab=products]")
        .await;
    sim.click("#sims .phone:nth-of-type(1) .items li").await;
    sim.click("#sims .phone:nth-of-type(1) .detail button.primary")
        .await;
    sim.wait_js(
        "return !!document.querySelector('#sims .phone:nth-of-type(1) .sim-composer')",
        LIVE,
    )
    .await;
    sim.type_into(
        "#sims .phone:nth-of-type(1) .sim-composer input",
        "你好，标准版支持几个销售同时使用？",
    )
    .await;
    sim.click("#sims .phone:nth-of-type(1) .sim-composer button")
        .await;
    sim.wait_text("#sims .phone:nth-of-type(1) .sim-messages", LIVE, |t| {
        t.contains("几个销售")
    })
    .await;

    let console = Browser::open(1400, 860).await;
    console
        .console_login(&server.base, "zhangwei", PASSWORD)
        .await;
    console
        .wait_text("#contacts", LIVE, |t| {
            t.contains("林晓") && t.contains("几个销售")
        })
        .await;
    console.click("#contacts li[data-customer-id]").await;
    console
        .wait_text("#message-list", LIVE, |t| {
            t.contains("名片雷达标准版") && t.contains("几个销售")
        })
        .await;
    console
        .type_into(
            "#compose-text",
            "标准版不限人数，每位销售一张名片。我发您详细介绍。",
        )
        .await;
    console.click("#send").await;
    // The customer is on the chat page: the reply arrives read, and the console flips to 已读.
    sim.wait_text("#sims .phone:nth-of-type(1) .sim-messages", LIVE, |t| {
        t.contains("不限人数")
    })
    .await;
    console
        .wait_js("const s = [...document.querySelectorAll('#message-list li.mine .state')]; return s.length > 0 && s.every(x => x.textContent === '已读')", LIVE)
        .await;
    console
        .wait_text("#profile-feed", LIVE, |t| t.contains("查看您的名片"))
        .await;
    // The second customer's praise shows in lina's feed; the first's card views in zhangwei's.
    sim.click("#sims .phone:nth-of-type(2) .card-view .actions button")
        .await;
    console.click("#tab-feed").await;
    console
        .wait_text("#feed", LIVE, |t| t.contains("林晓") && t.contains("咨询"))
        .await;
    console.click("#tab-contacts").await;

    console.screenshot(&docs("console.png")).await;
    sim.screenshot(&docs("simulator.png")).await;

    // A phone-sized window shows one pane at a time: the open chat, then the list after 返回.
    console.client.set_window_size(390, 844).await.unwrap();
    let visible =
        "return getComputedStyle(document.querySelector(arguments[0])).display !== 'none'";
    assert_eq!(console.js(visible, vec![json!(".chat")]).await, json!(true));
    assert_eq!(
        console.js(visible, vec![json!(".sidebar")]).await,
        json!(false)
    );
    console.click("#chat-back").await;
    assert_eq!(
        console.js(visible, vec![json!(".sidebar")]).await,
        json!(true)
    );
    assert_eq!(
        console.js(visible, vec![json!(".chat")]).await,
        json!(false)
    );

    console.close().await;
    sim.close().await;
    server.finish().await;
}
