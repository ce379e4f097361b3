//! The card family, M10–M18 (spec §5.3).

use crate::helpers::{spawn_app, Principal, TestApp};
use serde_json::json;

const CARD: &str = "/zhugeleida/xiaochengxu/mingpian";

async fn setup() -> (TestApp, i64, Principal, Principal) {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(company, Some("客户A")).await;
    (app, company, radar, customer)
}

async fn remarks(app: &TestApp, radar: i64, action: i16) -> Vec<String> {
    let db = app.client().await;
    db.query(
        "SELECT remark FROM action_logs WHERE user_id = $1 AND action = $2 ORDER BY id",
        &[&radar, &action],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[actix_web::test]
async fn viewing_a_card_counts_popularity_and_numbers_the_view_log() {
    let (app, _company, radar, customer) = setup().await;
    let q = format!("uid={}", radar.id);
    let mut last = json!(null);
    for _ in 0..5 {
        last = app.get_signed(CARD, &customer, &q).await;
    }
    assert_eq!(last["code"], 200);
    assert_eq!(last["msg"], "查询成功");
    assert_eq!(last["data"]["data_count"], 1);
    let card = &last["data"]["ret_data"];
    assert_eq!(card["id"], radar.id);
    assert_eq!(card["username"], "张三");
    assert_eq!(card["popularity_num"], 5);
    assert_eq!(card["company"], "甲公司");
    assert_eq!(card["mingpian_phone"], "13900000000");
    assert_eq!(card["photo"], "");
    assert_eq!(card["is_praise"], false);
    assert_eq!(card["tag"], json!([]));
    assert_eq!(
        remarks(&app, radar.id, 1).await,
        vec![
            "首次查看您的名片,沟通从此刻开始",
            "查看您的名片第1次,把握深度交流的机会",
            "查看您的名片第2次,建议标注重点客户",
            "查看您的名片第3次,成交在望",
            "查看您的名片第4次,成交在望",
        ]
    );
}

#[actix_web::test]
async fn the_card_shows_memo_name_avatar_tags_and_hides_the_phone_when_asked() {
    let (app, _company, radar, customer) = setup().await;
    let db = app.client().await;
    db.batch_execute(&format!(
        "UPDATE radar_users SET memo_name = '三哥', is_show_phone = false WHERE id = {id};
         INSERT INTO radar_user_photos (user_id, photo_type, photo_url) VALUES ({id}, 2, 'a/old.jpg'), ({id}, 2, 'a/new.jpg');
         INSERT INTO radar_user_tags (user_id, name, create_date) VALUES ({id}, '老', now() - interval '1 day'), ({id}, '新', now());",
        id = radar.id
    ))
    .await
    .unwrap();
    let card = app
        .get_signed(CARD, &customer, &format!("uid={}", radar.id))
        .await["data"]["ret_data"]
        .clone();
    assert_eq!(card["username"], "三哥");
    assert_eq!(card["mingpian_avatar"], "a/new.jpg");
    assert_eq!(card["mingpian_phone"], "");
    let tags: Vec<_> = card["tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tags, vec!["新", "老"]);
}

#[actix_web::test]
async fn a_card_of_another_company_or_an_unknown_uid_is_302_and_changes_nothing() {
    let (app, _company, radar, customer) = setup().await;
    let other_company = app.seed_company("乙公司").await;
    let stranger = app.seed_radar_user(other_company, "李四").await;
    let body = app
        .get_signed(CARD, &customer, &format!("uid={}", stranger.id))
        .await;
    assert_eq!(
        (body["code"].clone(), body["msg"].clone()),
        (json!(302), json!("用户不存在"))
    );
    let body = app.get_signed(CARD, &customer, "uid=999999").await;
    assert_eq!(body["code"], 302);
    assert_eq!(
        app.scalar(
            "SELECT popularity::bigint FROM radar_users WHERE id = $1",
            &[&stranger.id]
        )
        .await,
        0
    );
    assert_eq!(app.scalar("SELECT count(*) FROM action_logs", &[]).await, 0);
    // Card actions are refused too.
    let body = app
        .get_signed(
            &format!("{CARD}/praise"),
            &customer,
            &format!("uid={}", stranger.id),
        )
        .await;
    assert_eq!(body["code"], 302);
    let _ = radar;
}

#[actix_web::test]
async fn non_integer_ids_get_the_request_error_with_field_errors() {
    let (app, _company, _radar, customer) = setup().await;
    for op in [
        "",
        "/calling",
        "/save_wechat",
        "/praise",
        "/forward",
        "/up_sign",
        "/create_poster",
        "/save_poster",
    ] {
        let body = app
            .get_signed(&format!("{CARD}{op}"), &customer, "uid=abc")
            .await;
        assert_eq!(body["code"], 402, "{op}");
        assert_eq!(body["msg"], "请求异常", "{op}");
        assert_eq!(
            body["data"]["uid"][0]["message"], "Enter a whole number.",
            "{op}"
        );
        let body = app.get_signed(&format!("{CARD}{op}"), &customer, "").await;
        assert_eq!(
            body["data"]["uid"][0]["message"], "This field is required.",
            "{op}"
        );
    }
}

#[actix_web::test]
async fn a_customer_without_a_nickname_counts_popularity_but_leaves_no_log() {
    let (app, company, radar, _customer) = setup().await;
    let anonymous = app.seed_customer(company, None).await;
    let body = app
        .get_signed(CARD, &anonymous, &format!("uid={}", radar.id))
        .await;
    assert_eq!(body["data"]["ret_data"]["popularity_num"], 1);
    let body = app
        .get_signed(
            &format!("{CARD}/calling"),
            &anonymous,
            &format!("uid={}", radar.id),
        )
        .await;
    assert_eq!(body["msg"], "记录成功");
    assert_eq!(app.scalar("SELECT count(*) FROM action_logs", &[]).await, 0);
}

#[actix_web::test]
async fn an_expired_company_gets_no_feed_rows() {
    let (app, company, radar, customer) = setup().await;
    app.client()
        .await
        .execute(
            "UPDATE companies SET account_expired_time = now() - interval '1 day' WHERE id = $1",
            &[&company],
        )
        .await
        .unwrap();
    app.get_signed(CARD, &customer, &format!("uid={}", radar.id))
        .await;
    app.get_signed(
        &format!("{CARD}/save_wechat"),
        &customer,
        &format!("uid={}", radar.id),
    )
    .await;
    assert_eq!(app.scalar("SELECT count(*) FROM action_logs", &[]).await, 0);
}

#[actix_web::test]
async fn praise_toggles_and_never_goes_below_zero() {
    let (app, _company, radar, customer) = setup().await;
    let q = format!("uid={}", radar.id);
    let path = format!("{CARD}/praise");
    let first = app.get_signed(&path, &customer, &q).await;
    assert_eq!(
        first,
        json!({"code": 200, "msg": "", "data": {"ret_data": {"praise_num": 1, "is_praise": true}}, "note": {}})
    );
    let second = app.get_signed(&path, &customer, &q).await;
    assert_eq!(
        second["data"]["ret_data"],
        json!({"praise_num": 0, "is_praise": false})
    );
    app.client()
        .await
        .execute(
            "UPDATE radar_users SET praise = 0 WHERE id = $1",
            &[&radar.id],
        )
        .await
        .unwrap();
    app.get_signed(&path, &customer, &q).await; // on: 1
    app.client()
        .await
        .execute(
            "UPDATE radar_users SET praise = 0 WHERE id = $1",
            &[&radar.id],
        )
        .await
        .unwrap();
    let off = app.get_signed(&path, &customer, &q).await;
    assert_eq!(
        off["data"]["ret_data"],
        json!({"praise_num": 0, "is_praise": false})
    );
    assert_eq!(
        remarks(&app, radar.id, 9).await,
        vec![
            "觉得您非常靠谱",
            "取消了给你的靠谱评价",
            "觉得您非常靠谱",
            "取消了给你的靠谱评价"
        ]
    );
    let card = app.get_signed(CARD, &customer, &q).await;
    assert_eq!(card["data"]["ret_data"]["is_praise"], false);
}

#[actix_web::test]
async fn a_signature_is_liked_once() {
    let (app, _company, radar, customer) = setup().await;
    let q = format!("uid={}", radar.id);
    let path = format!("{CARD}/up_sign");
    let first = app.get_signed(&path, &customer, &q).await;
    assert_eq!(first["code"], 200);
    assert_eq!(first["msg"], "记录日志成功");
    assert_eq!(
        first["data"]["ret_data"],
        json!({"sign_num": 1, "is_sign": true})
    );
    let again = app.get_signed(&path, &customer, &q).await;
    assert_eq!(again["msg"], "已经点过赞");
    assert_eq!(
        again["data"]["ret_data"],
        json!({"sign_num": 1, "is_sign": true})
    );
    assert_eq!(remarks(&app, radar.id, 9).await, vec!["赞了你的个性签名"]);
}

#[actix_web::test]
async fn calling_saving_wechat_and_forwarding_are_logged() {
    let (app, _company, radar, customer) = setup().await;
    let q = format!("uid={}", radar.id);
    for (op, action, remark) in [
        ("calling", 10, "拨打您的手机"),
        ("save_wechat", 5, "复制了您的微信,留意微信新朋友消息"),
        ("forward", 6, "转发了你的名片,你的人脉圈正在裂变"),
        ("save_phone", 8, "保存了您的电话,可以考虑拜访"),
    ] {
        let body = app.get_signed(&format!("{CARD}/{op}"), &customer, &q).await;
        assert_eq!(
            body,
            json!({"code": 200, "msg": "记录成功", "data": {}, "note": {}}),
            "{op}"
        );
        assert_eq!(remarks(&app, radar.id, action).await, vec![remark], "{op}");
    }
    assert_eq!(
        app.scalar(
            "SELECT forward::bigint FROM radar_users WHERE id = $1",
            &[&radar.id]
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn concurrent_views_lose_no_updates() {
    let (app, _company, radar, customer) = setup().await;
    let q = format!("uid={}", radar.id);
    let views = (0..20).map(|_| app.get_signed(CARD, &customer, &q));
    let answers = futures_util::future::join_all(views).await;
    assert!(answers.iter().all(|a| a["code"] == 200));
    assert_eq!(
        app.scalar(
            "SELECT popularity::bigint FROM radar_users WHERE id = $1",
            &[&radar.id]
        )
        .await,
        20
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM action_logs WHERE action = 1", &[])
            .await,
        20
    );
    let praise_path = format!("{CARD}/praise");
    let praises = (0..10).map(|_| app.get_signed(&praise_path, &customer, &q));
    futures_util::future::join_all(praises).await;
    // Ten toggles end where they started, and the counter agrees with the row.
    assert_eq!(
        app.scalar(
            "SELECT praise::bigint FROM radar_users WHERE id = $1",
            &[&radar.id]
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn all_lists_the_customers_bindings_newest_first() {
    let (app, company, radar, customer) = setup().await;
    let second = app.seed_radar_user(company, "王五").await;
    app.seed_binding(radar.id, customer.id).await;
    app.seed_binding(second.id, customer.id).await;
    let body = app.get_signed(&format!("{CARD}/all"), &customer, "").await;
    assert_eq!(body["data"]["data_count"], 2);
    let list = body["data"]["ret_data"].as_array().unwrap();
    assert_eq!(list[0]["id"], second.id);
    assert_eq!(list[0]["source"], "扫码");
    assert_eq!(list[1]["username"], "张三");
}

#[actix_web::test]
async fn posters_return_the_pair_code_and_save_poster_needs_a_binding() {
    let (app, _company, radar, customer) = setup().await;
    let q = format!("uid={}", radar.id);
    let body = app
        .get_signed(&format!("{CARD}/create_poster"), &customer, &q)
        .await;
    assert_eq!(body["msg"], "请求成功");
    assert_eq!(body["data"]["qr_code_url"], "");
    assert_eq!(body["data"]["user_id"], radar.id);
    let body = app
        .get_signed(&format!("{CARD}/save_poster"), &customer, &q)
        .await;
    assert_eq!(body["code"], 302);
    app.seed_binding(radar.id, customer.id).await;
    app.client()
        .await
        .execute(
            "UPDATE customer_bindings SET qr_code = 'statics/qr/pair.png'",
            &[],
        )
        .await
        .unwrap();
    let body = app
        .get_signed(&format!("{CARD}/create_poster"), &customer, &q)
        .await;
    assert_eq!(body["data"]["qr_code_url"], "statics/qr/pair.png");
    let body = app
        .get_signed(&format!("{CARD}/save_poster"), &customer, &q)
        .await;
    assert_eq!(body["data"]["uid"], radar.id);
    // The pair's poster path, drawn on its first request (tests/api/poster.rs).
    assert_eq!(
        body["data"]["poster_url"],
        format!(
            "statics/zhugeleida/imgs/xiaochengxu/poster/pair_{}_{}.png",
            radar.id, customer.id
        )
    );
    assert_eq!(remarks(&app, radar.id, 1).await, vec!["保存了您的名片海报"]);
}
