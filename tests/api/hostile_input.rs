//! No 500 from input (issue 8 item 4): ids of companies that do not exist or are deleted, NUL
//! (`\u0000` once JSON-decoded) and lone surrogates in text, and page numbers near `i64::MAX` —
//! through the real HTTP and websocket entry points.

use serde_json::{json, Value};

use crate::admin::{field_error, office};
use crate::chat::pair;
use crate::helpers::{spawn_app, TestApp};
use crate::ws_client::signed;

const M: &str = "/zhugeleida/xiaochengxu";
const R: &str = "/zhugeleida/qiyeweixin";

/// `{code:301, msg:{company_id:['公司不存在']}}`.
#[track_caller]
fn assert_no_company(body: &Value) {
    assert_eq!(body["code"], 301, "{body}");
    assert_eq!(field_error(&body["msg"], "company_id"), "公司不存在");
}

#[actix_web::test]
async fn admin_writes_to_a_missing_or_deleted_company_are_form_errors() {
    let o = office().await;
    o.app
        .client()
        .await
        .execute("UPDATE companies SET status = 3 WHERE id = $1", &[&o.b])
        .await
        .unwrap();
    let content = r#"{"cover_data":[],"article_data":[]}"#;
    for company in ["987654321", &o.b.to_string()] {
        let q = format!("company_id={company}");
        let product = [
            ("name", "产品"),
            ("content", content),
            ("product_type", "1"),
        ];
        assert_no_company(
            &o.app
                .admin_post("/product/add/0", &o.root, &q, &product)
                .await,
        );
        let tag = [("name", "标签")];
        assert_no_company(&o.app.admin_post("/case_tag/add/0", &o.root, &q, &tag).await);
        let case = [
            ("case_name", "案例"),
            ("customer_name", "客户"),
            ("headimgurl", "statics/a.jpg"),
            ("status", "1"),
            ("cover_picture", "[]"),
            ("tags_id_list", "[]"),
        ];
        assert_no_company(
            &o.app
                .admin_post("/case_manage/add/0", &o.root, &q, &case)
                .await,
        );
        let user = [
            ("username", "新人"),
            ("password", "Passw0rd!"),
            ("position", "经理"),
            ("phone", "13900000000"),
            ("mingpian_phone", "13900000000"),
        ];
        assert_no_company(&o.app.admin_post("/user/add/0", &o.root, &q, &user).await);
        let admin = [
            ("login_user", "new-admin"),
            ("password", "Passw0rd!"),
            ("role_id", "2"),
        ];
        assert_no_company(
            &o.app
                .admin_post("/admin_userprofile/add/0", &o.root, &q, &admin)
                .await,
        );
        let site = [("website_content", "[]")];
        assert_no_company(
            &o.app
                .admin_post(&format!("/website/edit/{company}"), &o.root, "", &site)
                .await,
        );
    }
    assert_eq!(
        o.app
            .scalar(
                "SELECT count(*) FROM products WHERE company_id = $1",
                &[&o.b]
            )
            .await,
        0
    );
}

/// A chat `content` whose message holds `\u0000` (JSON escape) or a lone surrogate.
fn hostile_contents() -> [String; 3] {
    [
        r#"{"info_type":1,"msg":"a\u0000b"}"#.to_owned(),
        r#"{"info_type":1,"msg":"a\ud800b"}"#.to_owned(),
        r#"{"info_type":1,"msg":"ok","x":"{\"y\":\"\\u0000\"}"}"#.to_owned(),
    ]
}

#[actix_web::test]
async fn nul_and_lone_surrogates_in_http_chat_sends_are_301() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let (uid, cid) = (radar.id.to_string(), customer.id.to_string());
    for content in hostile_contents() {
        let m6 = app
            .post_signed(
                &format!("{M}/chat/send_msg/0"),
                &customer,
                "",
                &[("u_id", &uid), ("content", &content), ("send_type", "2")],
            )
            .await;
        // NUL: the extractor's form error; a lone surrogate: M6's own "not valid JSON" answer.
        assert!(
            [301, 402].contains(&m6["code"].as_i64().unwrap()),
            "M6 {content}: {m6}"
        );
        if content.contains("u0000") {
            assert_eq!(m6["code"], 301, "M6 {content}: {m6}");
        }
        let r5 = app
            .post_signed(
                &format!("{R}/chat/send_msg/0"),
                &radar,
                "",
                &[
                    ("customer_id", &cid),
                    ("content", &content),
                    ("send_type", "1"),
                ],
            )
            .await;
        assert!(
            [301, 402].contains(&r5["code"].as_i64().unwrap()),
            "R5 {content}: {r5}"
        );
        // As a JSON body too.
        let body = json!({"u_id": radar.id, "content": content, "send_type": 2}).to_string();
        let (status, text) = post_json(
            &app,
            &format!("{M}/chat/send_msg/0"),
            &customer.sign(),
            &body,
        )
        .await;
        assert_eq!(status, 200, "{text}");
        let code = serde_json::from_str::<Value>(&text).unwrap()["code"].as_i64();
        assert!(matches!(code, Some(301 | 402)), "{text}");
    }
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        0
    );
    // A good message right after goes through (nothing poisoned).
    let ok = app
        .post_signed(
            &format!("{M}/chat/send_msg/0"),
            &customer,
            "",
            &[
                ("u_id", &uid),
                ("content", r#"{"info_type":1,"msg":"hi"}"#),
                ("send_type", "2"),
            ],
        )
        .await;
    assert_eq!(ok["code"], 200, "{ok}");
}

async fn post_json(app: &TestApp, path: &str, query: &str, body: &str) -> (u16, String) {
    let resp = app
        .http
        .post(format!("{}{path}?{query}", app.address))
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[actix_web::test]
async fn nul_on_the_chat_sockets_is_301_and_the_socket_stays_open() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let mut c = app
        .connect_ws(&format!("{M}/websocket/xiaochengxu_chat"))
        .await;
    c.send(signed(
        &customer,
        json!({"type": "register", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(c.next().await["msg"], "注册成功");
    let mut r = app.connect_ws(&format!("{R}/websocket/leida_chat")).await;
    r.send(signed(
        &radar,
        json!({"type": "register", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(r.next().await["code"], 199);
    let nul_content = r#"{"info_type":1,"msg":"a\u0000b"}"#;
    c.send(signed(
        &customer,
        json!({"u_id": radar.id, "content": nul_content}),
    ))
    .await;
    assert_eq!(c.next().await["code"], 301);
    c.send(signed(
        &customer,
        json!({"u_id": radar.id, "content": {"info_type": 1, "msg": "a\u{0}b"}}),
    ))
    .await;
    assert_eq!(c.next().await["code"], 301);
    r.send(signed(
        &radar,
        json!({"customer_id": customer.id, "content": nul_content}),
    ))
    .await;
    assert_eq!(r.next().await["code"], 301);
    // Both sockets still work.
    c.send(signed(
        &customer,
        json!({"type": "lived", "u_id": radar.id}),
    ))
    .await;
    assert_eq!(c.next().await["code"], 270);
    r.send(signed(
        &radar,
        json!({"type": "lived", "customer_id": customer.id}),
    ))
    .await;
    assert_eq!(r.next().await["code"], 270);
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        0
    );
}

#[actix_web::test]
async fn pages_near_i64_max_answer_empty_pages() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let max = i64::MAX.to_string();
    let mut ws = app
        .connect_ws(&format!("{R}/websocket/leida_query_contact_list"))
        .await;
    ws.send(signed(&radar, json!({"type": "register"}))).await;
    assert_eq!(ws.next().await["code"], 200);
    for (page, length) in [
        (json!(i64::MAX), json!(i64::MAX)),
        (json!(max), json!(10)),
        (json!(i64::MIN), json!(i64::MIN)),
    ] {
        ws.send(signed(
            &radar,
            json!({"type": "query_num", "current_page": page, "length": length}),
        ))
        .await;
        let f = ws.next().await;
        assert_eq!(f["code"], 200, "{f}");
    }
    ws.send(signed(
        &radar,
        json!({"type": "query_num", "current_page": 1, "length": 10}),
    ))
    .await;
    let first = ws.next().await;
    assert!(first["data"]["ret_data"].is_array(), "{first}");
    let q = format!("current_page={max}&length={max}");
    let contacts = app.get_signed(&format!("{R}/contact"), &radar, &q).await;
    assert_eq!(contacts["code"], 200, "{contacts}");
    let q = format!("u_id={}&current_page={max}&length={max}", radar.id);
    let history = app
        .get_signed(&format!("{M}/chat/getmsg/0"), &customer, &q)
        .await;
    assert_ne!(history["code"], 500, "{history}");
}
