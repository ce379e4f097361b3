//! Products, mall actions and the website, M19–M23 (spec §5.4, §5.5).

use crate::helpers::{spawn_app, Principal, TestApp};
use serde_json::json;

const P: &str = "/zhugeleida/xiaochengxu";

async fn setup() -> (TestApp, i64, Principal, Principal) {
    let app = spawn_app().await;
    let company = app.seed_company("甲公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(company, Some("客户A")).await;
    (app, company, radar, customer)
}

async fn seed_product(
    app: &TestApp,
    company: i64,
    owner: Option<i64>,
    name: &str,
    status: i16,
    index: i16,
) -> i64 {
    let content = json!({"cover_data": [{"type": "picture_url", "data": [format!("statics/{name}.jpg")]}],
                         "article_data": [{"type": "title", "data": [name]}]});
    app.client()
        .await
        .query_one(
            "INSERT INTO products (company_id, user_id, name, price, reason, content, status, recommend_index)
             VALUES ($1, $2, $3, '99元', '好', $4, $5, $6) RETURNING id",
            &[&company, &owner, &name, &content, &status, &index],
        )
        .await
        .unwrap()
        .get(0)
}

#[actix_web::test]
async fn the_product_list_shows_company_and_own_products_by_recommendation() {
    let (app, company, radar, customer) = setup().await;
    let colleague = app.seed_radar_user(company, "同事").await;
    seed_product(&app, company, None, "公司低", 1, 1).await;
    seed_product(&app, company, None, "公司高", 3, 9).await;
    seed_product(&app, company, None, "下架", 2, 10).await;
    seed_product(&app, company, Some(radar.id), "我的", 1, 5).await;
    seed_product(&app, company, Some(colleague.id), "同事的", 1, 8).await;
    let body = app
        .get_signed(
            &format!("{P}/product/product_list"),
            &customer,
            &format!("uid={}", radar.id),
        )
        .await;
    assert_eq!(body["code"], 200);
    assert_eq!(body["data"]["data_count"], 3);
    let names: Vec<_> = body["data"]["ret_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, vec!["公司高", "我的", "公司低"]);
    let first = &body["data"]["ret_data"][0];
    assert_eq!(first["status"], "推荐");
    assert_eq!(first["status_code"], 3);
    assert_eq!(
        first["content"],
        json!({"cover_data": [{"type": "picture_url", "data": ["statics/公司高.jpg"]}]})
    );
    assert_eq!(first["create_date"].as_str().unwrap().len(), 10);
    assert!(first.get("username").is_none());
    let page2 = app
        .get_signed(
            &format!("{P}/product/product_list"),
            &customer,
            &format!("uid={}&current_page=2&length=2", radar.id),
        )
        .await;
    assert_eq!(page2["data"]["ret_data"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.scalar("SELECT count(*) FROM action_logs WHERE action = 2", &[])
            .await,
        2
    );
}

#[actix_web::test]
async fn an_empty_product_list_is_302() {
    let (app, _company, radar, customer) = setup().await;
    let body = app
        .get_signed(
            &format!("{P}/product/product_list"),
            &customer,
            &format!("uid={}", radar.id),
        )
        .await;
    assert_eq!(
        body,
        json!({"code": 302, "msg": "产品列表无数据", "data": {}, "note": {}})
    );
}

#[actix_web::test]
async fn a_single_product_is_shown_with_its_owner_and_logged() {
    let (app, company, radar, customer) = setup().await;
    let id = seed_product(&app, company, None, "标准版", 1, 0).await;
    let q = format!("uid={}&product_id={id}", radar.id);
    let body = app
        .get_signed(&format!("{P}/product/product_single"), &customer, &q)
        .await;
    assert_eq!(body["msg"], "查询成功");
    let item = &body["data"]["ret_data"][0];
    assert_eq!(item["name"], "标准版");
    assert_eq!(item["username"], "张三");
    assert_eq!(item["content"]["article_data"][0]["data"][0], "标准版");
    let remark: String = app
        .client()
        .await
        .query_one("SELECT remark FROM action_logs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(remark, "正在查看标准版,尽快把握商机");
}

#[actix_web::test]
async fn a_product_of_another_company_is_not_found_and_an_unknown_one_a_form_error() {
    let (app, _company, radar, customer) = setup().await;
    let other = app.seed_company("乙公司").await;
    let foreign = seed_product(&app, other, None, "别家", 1, 0).await;
    let single = |id: String| {
        let (app, customer) = (&app, &customer);
        let q = format!("uid={}&product_id={id}", radar.id);
        async move {
            app.get_signed(&format!("{P}/product/product_single"), customer, &q)
                .await
        }
    };

    let foreign_body = single(foreign.to_string()).await;
    let unknown_body = single("99999".to_owned()).await;
    let bad_body = single("x".to_owned()).await;

    assert_eq!(
        foreign_body,
        json!({"code": 302, "msg": "产品不存在", "data": {}, "note": {}})
    );
    assert_eq!(unknown_body["code"], 402);
    assert_eq!(unknown_body["msg"], "请求异常");
    assert_eq!(
        unknown_body["data"]["product_id"][0]["message"],
        "产品不存在"
    );
    assert_eq!(
        bad_body["data"]["product_id"][0]["message"],
        "Enter a whole number."
    );
    let logged = app.scalar("SELECT count(*) FROM action_logs", &[]).await;
    assert_eq!(logged, 0, "nothing is logged for a product not shown");
}

#[actix_web::test]
async fn mall_actions_on_a_product_of_another_company_are_not_found() {
    let (app, _company, radar, customer) = setup().await;
    let other = app.seed_company("乙公司").await;
    let foreign = seed_product(&app, other, None, "别家", 1, 0).await;
    let q = format!("uid={}&product_id={foreign}", radar.id);

    for path in [
        "product/forward_product",
        "product/consult_product",
        "mallManage/forward_product",
        "mallManage/consult_product",
    ] {
        let body = app.get_signed(&format!("{P}/{path}"), &customer, &q).await;

        assert_eq!(
            body,
            json!({"code": 302, "msg": "商品不存在", "data": {}, "note": {}}),
            "{path}"
        );
    }
    let messages = app.scalar("SELECT count(*) FROM chat_messages", &[]).await;
    assert_eq!(messages, 0);
}

#[actix_web::test]
async fn consulting_a_product_posts_a_product_card_into_the_chat() {
    let (app, company, radar, customer) = setup().await;
    app.seed_binding(radar.id, customer.id).await;
    let id = seed_product(&app, company, None, "标准版", 1, 0).await;
    let q = format!("uid={}&product_id={id}", radar.id);
    for family in ["mallManage", "product"] {
        let body = app
            .get_signed(&format!("{P}/{family}/consult_product"), &customer, &q)
            .await;
        assert_eq!(
            body,
            json!({"code": 200, "msg": "咨询产品成功", "data": {}, "note": {}})
        );
    }
    let db = app.client().await;
    let m = db.query_one("SELECT send_type, content, is_customer_new_msg, is_user_new_msg FROM chat_message_state LIMIT 1", &[]).await.unwrap();
    assert_eq!(m.get::<_, i16>(0), 2);
    assert_eq!(
        m.get::<_, serde_json::Value>(1),
        json!({"info_type": 2, "product_name": "标准版", "product_price": "99元",
               "product_cover_url": "statics/标准版.jpg", "product_id": id})
    );
    assert!(m.get::<_, bool>(2) && m.get::<_, bool>(3));
    assert_eq!(
        app.scalar(
            "SELECT is_customer_msg_num::bigint FROM customer_bindings",
            &[]
        )
        .await,
        2
    );
    let remarks: Vec<String> = db
        .query("SELECT remark FROM action_logs ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(remarks, vec!["向您咨询商品", "向您咨询产品"]);
}

#[actix_web::test]
async fn forwarding_a_product_is_logged_and_an_unknown_one_is_302() {
    let (app, company, radar, customer) = setup().await;
    let id = seed_product(&app, company, None, "标准版", 1, 0).await;
    let body = app
        .get_signed(
            &format!("{P}/mallManage/forward_product"),
            &customer,
            &format!("uid={}&product_id={id}", radar.id),
        )
        .await;
    assert_eq!(body["msg"], "记录转发产品成功");
    let body = app
        .get_signed(
            &format!("{P}/product/forward_product/"),
            &customer,
            &format!("uid={}&product_id={id}", radar.id),
        )
        .await;
    assert_eq!(body["code"], 200);
    let body = app
        .get_signed(
            &format!("{P}/mallManage/forward_product"),
            &customer,
            &format!("uid={}&product_id=4242", radar.id),
        )
        .await;
    assert_eq!(
        body,
        json!({"code": 302, "msg": "商品不存在", "data": {}, "note": {}})
    );
    let remarks: Vec<String> = app
        .client()
        .await
        .query("SELECT remark FROM action_logs ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(remarks, vec!["转发了【标准版】", "转发了标准版"]);
}

#[actix_web::test]
async fn the_website_returns_the_company_blob_verbatim() {
    let (app, _company, radar, customer) = setup().await;
    let body = app
        .get_signed(
            &format!("{P}/website"),
            &customer,
            &format!("uid={}", radar.id),
        )
        .await;
    assert_eq!(
        body,
        json!({"code": 200, "msg": "", "data": {"ret_data": [{"type": "content", "data": []}], "data_count": 6}, "note": {}})
    );
    let remark: String = app
        .client()
        .await
        .query_one("SELECT remark FROM action_logs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(remark, "查看了您公司的官网,看来TA对您公司感兴趣");
    let body = app.get_signed(&format!("{P}/website"), &customer, "").await;
    assert_eq!(body["code"], 402);
}
