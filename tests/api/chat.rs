//! Chat over HTTP: M5–M9 and R1–R5 (spec §5.2, §6, §7), with since_id, long-poll and idempotency.

use std::time::{Duration, Instant};

use crate::helpers::{spawn_app, Principal, TestApp};
use serde_json::json;

const M: &str = "/zhugeleida/xiaochengxu";
const R: &str = "/zhugeleida/qiyeweixin";

/// A company with a bound pair.
pub async fn pair(app: &TestApp) -> (i64, Principal, Principal) {
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(company, Some("客户A")).await;
    app.seed_binding(radar.id, customer.id).await;
    (company, radar, customer)
}

async fn customer_says(
    app: &TestApp,
    customer: &Principal,
    radar: &Principal,
    text: &str,
) -> serde_json::Value {
    let content = json!({"info_type": 1, "msg": text}).to_string();
    let uid = radar.id.to_string();
    app.post_signed(
        &format!("{M}/chat/send_msg/0"),
        customer,
        "",
        &[("u_id", &uid), ("content", &content), ("send_type", "2")],
    )
    .await
}

async fn radar_says(
    app: &TestApp,
    radar: &Principal,
    customer: &Principal,
    content: serde_json::Value,
) -> serde_json::Value {
    let cid = customer.id.to_string();
    let content = content.to_string();
    app.post_signed(
        &format!("{R}/chat/send_msg/0"),
        radar,
        "",
        &[
            ("customer_id", &cid),
            ("content", &content),
            ("send_type", "1"),
        ],
    )
    .await
}

#[actix_web::test]
async fn a_customer_message_is_unread_for_the_radar_user_until_they_page_the_chat() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let sent = customer_says(&app, &customer, &radar, "你好😀").await;
    assert_eq!(sent["code"], 200);
    assert_eq!(sent["msg"], "send msg successful");
    assert!(sent["data"]["id"].as_i64().unwrap() > 0);
    assert_eq!(sent["data"]["dateTime"].as_str().unwrap().len(), 19);
    let badge = app
        .get_signed(&format!("{R}/contact/query_num"), &radar, "")
        .await;
    assert_eq!(badge["data"]["chatinfo_count"], 1);
    assert_eq!(
        app.scalar(
            "SELECT is_customer_msg_num::bigint FROM customer_bindings",
            &[]
        )
        .await,
        1
    );
    let page = app
        .get_signed(
            &format!("{R}/chat"),
            &radar,
            &format!("customer_id={}", customer.id),
        )
        .await;
    assert_eq!(page["msg"], "分页获取-全部聊天消息成功");
    let item = &page["data"]["ret_data"][0];
    assert_eq!(item["msg"], "你好😀");
    assert_eq!(item["name"], "客户A");
    assert_eq!(item["send_type"], 2);
    assert_eq!(item["is_customer_already_read"], 1);
    assert_eq!(item["is_customer_already_read_text"], "已读");
    let badge = app
        .get_signed(&format!("{R}/contact/query_num"), &radar, "")
        .await;
    assert_eq!(badge["data"]["chatinfo_count"], 0);
}

#[actix_web::test]
async fn a_radar_message_is_fetched_once_by_getmsg_and_clears_the_badge() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let sent = radar_says(
        &app,
        &radar,
        &customer,
        json!({"info_type": 1, "msg": "欢迎"}),
    )
    .await;
    assert_eq!(sent["msg"], "发送成功");
    let q = format!("u_id={}", radar.id);
    let badge = app
        .get_signed(&format!("{M}/chat/query_num/0"), &customer, &q)
        .await;
    assert_eq!(
        badge,
        json!({"code": 200, "msg": "查询成功", "data": {"chatinfo_count": 1}, "note": {}})
    );
    let got = app
        .get_signed(&format!("{M}/chat/getmsg/0"), &customer, &q)
        .await;
    assert_eq!(got["msg"], "实时获取-最新聊天信息成功");
    assert_eq!(got["data"]["data_count"], 1);
    assert_eq!(got["data"]["ret_data"][0]["msg"], "欢迎");
    assert_eq!(got["data"]["ret_data"][0]["is_first_info"], false);
    assert_eq!(got["data"]["ret_data"][0]["id"], sent["data"]["id"]);
    let again = app
        .get_signed(&format!("{M}/chat/getmsg/0"), &customer, &q)
        .await;
    assert_eq!(again["msg"], "没有得到实时聊天信息");
    assert_eq!(
        app.get_signed(&format!("{M}/chat/query_num/0"), &customer, &q)
            .await["data"]["chatinfo_count"],
        0
    );
    assert_eq!(
        app.scalar("SELECT is_user_msg_num::bigint FROM customer_bindings", &[])
            .await,
        1
    );
}

#[actix_web::test]
async fn the_chat_page_is_chronological_marks_the_greeting_and_reads_everything() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    for i in 0..5 {
        radar_says(
            &app,
            &radar,
            &customer,
            json!({"info_type": 1, "msg": format!("m{i}")}),
        )
        .await;
    }
    let q = format!("u_id={}&current_page=1&length=2", radar.id);
    let page = app.get_signed(&format!("{M}/chat"), &customer, &q).await;
    assert_eq!(page["msg"], "分页获取-全部聊天消息成功");
    assert_eq!(page["data"]["data_count"], 5);
    let msgs: Vec<_> = page["data"]["ret_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["msg"].clone())
        .collect();
    assert_eq!(msgs, vec![json!("m3"), json!("m4")]);
    assert_eq!(page["data"]["user_name"], "张三");
    assert_eq!(page["data"]["mingpian_phone"], "13900000000");
    let all = app
        .get_signed(
            &format!("{M}/chat"),
            &customer,
            &format!("u_id={}&length=0", radar.id),
        )
        .await;
    assert_eq!(all["data"]["ret_data"][0]["is_first_info"], true);
    assert_eq!(all["data"]["ret_data"][1]["is_first_info"], false);
    assert_eq!(all["data"]["ret_data"][0]["from_user_name"], "客户A");
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM chat_message_state WHERE is_customer_new_msg",
            &[]
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn an_empty_conversation_answers_200_with_the_radar_fields() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let page = app
        .get_signed(
            &format!("{M}/chat"),
            &customer,
            &format!("u_id={}", radar.id),
        )
        .await;
    assert_eq!(page["code"], 200);
    assert_eq!(page["data"]["ret_data"], json!([]));
    assert_eq!(page["data"]["position"], "经理");
}

#[actix_web::test]
async fn bad_sends_get_the_request_error_and_store_nothing() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let path = format!("{M}/chat/send_msg/0");
    let uid = radar.id.to_string();
    for form in [
        vec![
            ("u_id", uid.as_str()),
            ("content", "{not json"),
            ("send_type", "2"),
        ],
        vec![
            ("u_id", uid.as_str()),
            ("content", r#"{"info_type":1}"#),
            ("send_type", "2"),
        ],
        vec![
            ("u_id", uid.as_str()),
            ("content", r#"{"info_type":1,"msg":""}"#),
            ("send_type", "2"),
        ],
        vec![
            ("u_id", uid.as_str()),
            ("content", r#"{"info_type":99,"msg":"x"}"#),
            ("send_type", "2"),
        ],
        vec![
            ("u_id", "abc"),
            ("content", r#"{"info_type":1,"msg":"x"}"#),
            ("send_type", "2"),
        ],
        vec![
            ("u_id", "999999"),
            ("content", r#"{"info_type":1,"msg":"x"}"#),
            ("send_type", "2"),
        ],
        vec![("content", r#"{"info_type":1,"msg":"x"}"#)],
    ] {
        let body = app.post_signed(&path, &customer, "", &form).await;
        assert_eq!(
            (body["code"].clone(), body["msg"].clone()),
            (json!(402), json!("请求异常")),
            "{form:?}: {body}"
        );
        assert!(
            body["data"].as_object().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
    }
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        0
    );
}

#[actix_web::test]
async fn a_retried_client_msg_id_returns_the_first_message_and_stores_one_row() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let uid = radar.id.to_string();
    let form = [
        ("u_id", uid.as_str()),
        ("content", r#"{"info_type":1,"msg":"once"}"#),
        ("send_type", "2"),
        ("client_msg_id", "c-42"),
    ];
    let path = format!("{M}/chat/send_msg/0");
    let sends = (0..5).map(|_| app.post_signed(&path, &customer, "", &form));
    let answers = futures_util::future::join_all(sends).await;
    let ids: std::collections::HashSet<_> = answers
        .iter()
        .map(|a| a["data"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["data"]["client_msg_id"], "c-42");
    assert_eq!(
        app.state.chat.writer.fallbacks(),
        0,
        "batches must be written as batches"
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM chat_messages", &[]).await,
        1
    );
    assert_eq!(
        app.scalar(
            "SELECT is_customer_msg_num::bigint FROM customer_bindings",
            &[]
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn radar_sends_apply_the_info_type_rules_and_refuse_impersonation() {
    let app = spawn_app().await;
    let (company, radar, customer) = pair(&app).await;
    let asked = radar_says(&app, &radar, &customer, json!({"info_type": 3, "msg": "x"})).await;
    assert_eq!(asked["code"], 200);
    // A company in product mode (shopping_type 1) has no mall to link to.
    app.client()
        .await
        .execute(
            "UPDATE companies SET shopping_type = 1 WHERE id = $1",
            &[&company],
        )
        .await
        .unwrap();
    let refused = radar_says(&app, &radar, &customer, json!({"info_type": 6})).await;
    assert_eq!(
        refused,
        json!({"code": 303, "msg": "此小程序没有开启商城", "data": {}, "note": {}})
    );
    let db = app.client().await;
    let contents: Vec<serde_json::Value> = db
        .query("SELECT content FROM chat_messages ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        contents,
        vec![json!({"info_type": 3, "msg": "您好,请问能否告诉我您的手机号?"})]
    );
    let cid = customer.id.to_string();
    let other = (radar.id + 1).to_string();
    let body = app
        .post_signed(
            &format!("{R}/chat/send_msg/0"),
            &radar,
            "",
            &[
                ("customer_id", &cid),
                ("content", r#"{"info_type":1,"msg":"x"}"#),
                ("send_type", "1"),
                ("user_id", &other),
            ],
        )
        .await;
    assert_eq!(
        body,
        json!({"code": 404, "msg": "非法请求", "data": {}, "note": {}})
    );
    let stranger_company = app.seed_company("乙公司").await;
    let stranger = app.seed_customer(stranger_company, Some("外人")).await;
    let body = radar_says(&app, &radar, &stranger, json!({"info_type": 1, "msg": "x"})).await;
    assert_eq!(body["code"], 302);
}

#[actix_web::test]
async fn mall_links_need_the_mall_and_are_logged() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let sent = radar_says(
        &app,
        &radar,
        &customer,
        json!({"info_type": 6, "msg": "ignored"}),
    )
    .await;
    assert_eq!(sent["code"], 200);
    let content: serde_json::Value = app
        .client()
        .await
        .query_one("SELECT content FROM chat_messages", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(content["msg"], "官方商城，可点击进入购买");
    let remark: String = app
        .client()
        .await
        .query_one("SELECT remark FROM action_logs WHERE action = 23", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(remark, "发送小程序");
}

#[actix_web::test]
async fn since_id_returns_everything_after_it_read_or_not() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let first = radar_says(&app, &radar, &customer, json!({"info_type": 1, "msg": "a"})).await
        ["data"]["id"]
        .as_i64()
        .unwrap();
    customer_says(&app, &customer, &radar, "b").await;
    radar_says(&app, &radar, &customer, json!({"info_type": 1, "msg": "c"})).await;
    let q = format!("u_id={}&since_id={first}", radar.id);
    let got = app
        .get_signed(&format!("{M}/chat/getmsg/0"), &customer, &q)
        .await;
    let msgs: Vec<_> = got["data"]["ret_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["msg"].clone())
        .collect();
    assert_eq!(msgs, vec![json!("b"), json!("c")]);
    let q = format!("customer_id={}&since_id=0", customer.id);
    let got = app
        .get_signed(&format!("{R}/chat/getmsg/0"), &radar, &q)
        .await;
    assert_eq!(got["data"]["data_count"], 3);
}

#[actix_web::test]
async fn a_fetch_whose_conversation_is_held_marks_it_read_once_the_row_is_free() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    radar_says(&app, &radar, &customer, json!({"info_type": 1, "msg": "a"})).await;
    let read_state = || async {
        app.scalar(
            "SELECT customer_read_seq * 10 + customer_unread FROM conversations",
            &[],
        )
        .await
    };
    assert_eq!(read_state().await, 1, "seq 1 unread");

    // Another transaction holds the conversation's row (as a writer batch does until its commit).
    let mut client = app.db.get().await.unwrap();
    let blocker = client.transaction().await.unwrap();
    blocker
        .execute("SELECT 1 FROM conversations FOR UPDATE", &[])
        .await
        .unwrap();
    let q = format!("u_id={}&since_id=0", radar.id);
    let path = format!("{M}/chat/getmsg/0");
    let (got, ()) = tokio::join!(app.get_signed(&path, &customer, &q), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(read_state().await, 1, "not marked while the row is held");
        blocker.rollback().await.unwrap();
    });
    assert_eq!(got["code"], 200, "{got}");
    assert_eq!(got["data"]["ret_data"][0]["msg"], "a");
    assert_eq!(
        read_state().await,
        10,
        "read up to seq 1 once the row was free"
    );
}

#[actix_web::test]
async fn a_long_poll_answers_as_soon_as_a_message_arrives_and_empty_after_its_wait() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let q = format!("u_id={}&wait=1", radar.id);
    let started = Instant::now();
    let empty = app
        .get_signed(&format!("{M}/chat/getmsg/0"), &customer, &q)
        .await;
    assert_eq!(empty["msg"], "没有得到实时聊天信息");
    assert!(started.elapsed() >= Duration::from_millis(900));

    let q = format!("u_id={}&wait=10", radar.id);
    let path = format!("{M}/chat/getmsg/0");
    let poll = app.get_signed(&path, &customer, &q);
    let send = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        radar_says(
            &app,
            &radar,
            &customer,
            json!({"info_type": 1, "msg": "快"}),
        )
        .await
    };
    let started = Instant::now();
    let (got, _) = futures_util::join!(poll, send);
    assert_eq!(got["data"]["ret_data"][0]["msg"], "快");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[actix_web::test]
async fn the_contact_list_shows_the_latest_conversations_first_with_previews_and_counts() {
    let app = spawn_app().await;
    let (company, radar, customer) = pair(&app).await;
    let second = app.seed_customer(company, Some("客户B")).await;
    app.seed_binding(radar.id, second.id).await;
    customer_says(&app, &customer, &radar, "先").await;
    customer_says(&app, &customer, &radar, "再").await;
    let db = app.client().await;
    db.batch_execute(&format!(
        "INSERT INTO customer_tags (id, user_id, name) VALUES (900, {r}, '重点');
         INSERT INTO customer_tag_links (tag_id, customer_id) VALUES (900, {c});",
        r = radar.id,
        c = customer.id
    ))
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    radar_says(
        &app,
        &radar,
        &second,
        json!({"info_type": 2, "product_name": "标准版"}),
    )
    .await;
    let list = app.get_signed(&format!("{R}/contact"), &radar, "").await;
    assert_eq!(list["data"]["data_count"], 2);
    assert_eq!(list["data"]["unread_msg_num"], 2);
    let items = list["data"]["ret_data"].as_array().unwrap();
    assert_eq!(items[0]["name"], "客户B");
    assert_eq!(items[0]["msg"], "向您咨询:标准版");
    assert_eq!(items[0]["count"], 0);
    assert_eq!(items[1]["msg"], "再");
    assert_eq!(items[1]["count"], 2);
    assert_eq!(items[1]["tags_list"], json!(["重点"]));
    assert_eq!(items[1]["customer_source_text"], "微信小程序");
    assert!(list["note"].as_object().is_some_and(|n| !n.is_empty()));
}

#[actix_web::test]
async fn unknown_customers_and_bad_ids_on_the_radar_side_are_301() {
    let app = spawn_app().await;
    let (_company, radar, _customer) = pair(&app).await;
    let body = app
        .get_signed(&format!("{R}/chat"), &radar, "customer_id=999999")
        .await;
    assert_eq!(body["code"], 301);
    assert_eq!(body["msg"]["customer_id"][0]["message"], "客户不存在");
    let body = app
        .get_signed(&format!("{R}/chat/getmsg/0"), &radar, "customer_id=x")
        .await;
    assert_eq!(body["code"], 301);
    let body = app
        .get_signed(&format!("{M}/chat/query_num/0"), &_customer, "u_id=x")
        .await;
    assert_eq!(
        (body["code"].clone(), body["msg"].clone()),
        (json!(302), json!("请求异常"))
    );
}

/// The conversation's unread counters must equal what the read flags say.
async fn assert_counters_match_flags(app: &TestApp) {
    let row = app
        .client()
        .await
        .query_one(
            "SELECT count(*) FILTER (WHERE cv.customer_unread <> (SELECT count(*) FROM chat_message_state m
                        WHERE m.user_id = cv.user_id AND m.customer_id = cv.customer_id
                          AND m.is_customer_new_msg AND m.send_type = 1)
                     OR cv.user_unread <> (SELECT count(*) FROM chat_message_state m
                        WHERE m.user_id = cv.user_id AND m.customer_id = cv.customer_id
                          AND m.is_user_new_msg AND m.send_type = 2)),
                    count(*)
             FROM conversations cv",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 0, "counters disagree with flags");
    assert!(row.get::<_, i64>(1) > 0);
}

#[actix_web::test]
async fn unread_counters_follow_every_send_and_read_path() {
    let app = spawn_app().await;
    let (_company, radar, customer) = pair(&app).await;
    let (app, customer, radar) = (&app, &customer, &radar);
    let sends = (0..6).map(|i| async move {
        if i % 2 == 0 {
            customer_says(app, customer, radar, "c").await;
        } else {
            radar_says(app, radar, customer, json!({"info_type": 1, "msg": "r"})).await;
        }
    });
    futures_util::future::join_all(sends).await;
    assert_counters_match_flags(app).await;
    assert_eq!(
        app.state.chat.writer.fallbacks(),
        0,
        "batches must be written as batches"
    );
    let badge = app
        .get_signed(
            &format!("{M}/chat/query_num/0"),
            customer,
            &format!("u_id={}", radar.id),
        )
        .await;
    assert_eq!(badge["data"]["chatinfo_count"], 3);
    app.get_signed(
        &format!("{M}/chat/getmsg/0"),
        customer,
        &format!("u_id={}", radar.id),
    )
    .await;
    assert_counters_match_flags(app).await;
    radar_says(
        app,
        radar,
        customer,
        json!({"info_type": 1, "msg": "again"}),
    )
    .await;
    let first = app.scalar("SELECT min(id) FROM chat_messages", &[]).await;
    app.get_signed(
        &format!("{M}/chat/getmsg/0"),
        customer,
        &format!("u_id={}&since_id={first}", radar.id),
    )
    .await;
    app.get_signed(
        &format!("{R}/chat/getmsg/0"),
        radar,
        &format!("customer_id={}", customer.id),
    )
    .await;
    assert_counters_match_flags(app).await;
    let badge = app
        .get_signed(&format!("{R}/contact/query_num"), radar, "")
        .await;
    assert_eq!(badge["data"]["chatinfo_count"], 0);
}
