//! Products (spec §9.4): company-scoped list, single, create, update, delete, status, order.

use serde_json::{json, Value};

use super::{assert_answer, assert_illegal, field_error, office, Office};
use crate::helpers::Principal;

const CONTENT: &str =
    r#"{"cover_data":[{"type":"picture_url","data":["statics/a.jpg"]}],"article_data":[]}"#;

async fn add_product(o: &Office, who: &Principal, extra: &str, form: &[(&str, &str)]) -> Value {
    o.app.admin_post("/product/add/0", who, extra, form).await
}

async fn company_product(o: &Office, who: &Principal, extra: &str, name: &str) -> i64 {
    let form = [
        ("name", name),
        ("price", "99元"),
        ("content", CONTENT),
        ("product_type", "1"),
    ];
    let body = add_product(o, who, extra, &form).await;
    body["data"]["product_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"))
}

#[actix_web::test]
async fn an_admin_creates_and_reads_company_and_personal_products() {
    let o = office().await; // Arrange
    let radar = o.app.seed_radar_user(o.a, "张三").await;
    let uid = radar.id.to_string();
    let company_id = company_product(&o, &o.root, "", "公司产品").await;
    let personal = [
        ("name", "个人产品"),
        ("product_type", "2"),
        ("uid", uid.as_str()),
        ("reason", "好"),
    ];
    add_product(&o, &o.root, "", &personal).await;

    let companies = o
        .app
        .admin_get("/product/product_list", &o.root, "product_type=1")
        .await; // Act
    let personals = o
        .app
        .admin_get("/product/product_list", &o.root, "product_type=2")
        .await;
    let single = o
        .app
        .admin_get(
            "/product/product_single",
            &o.root,
            &format!("product_id={company_id}&product_type=1"),
        )
        .await;

    assert_answer(&companies, 200, "查询成功"); // Assert
    let item = &companies["data"]["ret_data"][0];
    assert_eq!(
        (item["name"].as_str(), item["publisher"].as_str()),
        (Some("公司产品"), Some("甲公司"))
    );
    assert_eq!(item["content"]["cover_data"][0]["data"][0], "statics/a.jpg");
    assert_eq!(
        (item["status"].as_str(), item["status_code"].as_i64()),
        (Some("已发布"), Some(1))
    );
    assert_eq!(item["publisher_date"].as_str().unwrap().len(), 19);
    assert_eq!(personals["data"]["ret_data"][0]["publisher"], "张三");
    assert_eq!(personals["data"]["data_count"], 1);
    let one = &single["data"]["ret_data"][0];
    assert_eq!(
        one["content"],
        serde_json::from_str::<Value>(CONTENT).unwrap()
    );
    assert_eq!(
        (one["price"].as_str(), one["publisher"].as_str()),
        (Some("99元"), Some("甲公司"))
    );
}

#[actix_web::test]
async fn product_names_are_unique_per_company() {
    let o = office().await;
    company_product(&o, &o.root, "", "同名").await;

    let twin = add_product(&o, &o.root, "", &[("name", "同名"), ("product_type", "1")]).await;
    let elsewhere = add_product(
        &o,
        &o.root,
        &format!("company_id={}", o.b),
        &[("name", "同名"), ("product_type", "1")],
    )
    .await;

    assert_eq!(twin["code"], 301);
    assert_eq!(field_error(&twin["msg"], "name"), "产品名称不能重复");
    assert_answer(&elsewhere, 200, "添加成功");
}

#[actix_web::test]
async fn personal_products_need_a_radar_user_of_the_same_company() {
    let o = office().await;
    let outsider = o.app.seed_radar_user(o.b, "外人").await.id.to_string();

    let no_uid = add_product(&o, &o.root, "", &[("name", "p"), ("product_type", "2")]).await;
    let unknown = add_product(
        &o,
        &o.root,
        "",
        &[("name", "p"), ("product_type", "2"), ("uid", "999999")],
    )
    .await;
    let foreign = add_product(
        &o,
        &o.root,
        "",
        &[
            ("name", "p"),
            ("product_type", "2"),
            ("uid", outsider.as_str()),
        ],
    )
    .await;

    assert_eq!(no_uid["msg"]["uid"][0]["code"], "required");
    assert_eq!(field_error(&unknown["msg"], "uid"), "用户不存在");
    assert_illegal(&foreign);
    assert_eq!(o.app.scalar("SELECT count(*) FROM products", &[]).await, 0);
}

#[actix_web::test]
async fn malformed_content_ids_lists_and_product_types_are_validation_errors() {
    let o = office().await;

    let content = add_product(
        &o,
        &o.root,
        "",
        &[("name", "p"), ("product_type", "1"), ("content", "{nope")],
    )
    .await;
    let kind = add_product(&o, &o.root, "", &[("name", "p"), ("product_type", "5")]).await;
    let ids = o
        .app
        .admin_post("/product/delete/0", &o.root, "", &[("ids_list", "1,2")])
        .await;
    let list = o.app.admin_get("/product/product_list", &o.root, "").await;
    let single = o
        .app
        .admin_get("/product/product_single", &o.root, "product_id=abc")
        .await;

    assert_eq!(content["code"], 301);
    assert!(content["msg"]["content"].is_array());
    assert!(kind["msg"]["product_type"].is_array());
    assert!(ids["msg"]["ids_list"].is_array());
    assert_eq!(list["msg"]["product_type"][0]["code"], "required");
    assert_answer(&single, 402, "请求异常");
    assert_eq!(single["data"]["product_id"][0]["code"], "invalid");
}

#[actix_web::test]
async fn updates_deletes_and_status_changes_stay_inside_the_company() {
    let o = office().await;
    let mine = company_product(&o, &o.root, "", "我的").await;
    let theirs = company_product(&o, &o.root, &format!("company_id={}", o.b), "他们的").await;
    let manager = o.app.seed_admin(o.a, 2).await;
    let both = json!([mine, theirs]).to_string();
    let only_mine = json!([mine]).to_string();

    let updated = o
        .app
        .admin_post(
            &format!("/product/update/{mine}"),
            &manager,
            "",
            &[("name", "我的新名"), ("price", "1元")],
        )
        .await;
    let foreign = o
        .app
        .admin_post(
            &format!("/product/update/{theirs}"),
            &manager,
            "",
            &[("name", "x")],
        )
        .await;
    let mixed_status = o
        .app
        .admin_post(
            "/product/change_status/0",
            &manager,
            "",
            &[("ids_list", &both), ("status", "2")],
        )
        .await;
    let mixed_delete = o
        .app
        .admin_post("/product/delete/0", &manager, "", &[("ids_list", &both)])
        .await;
    let status = o
        .app
        .admin_post(
            "/product/change_status/0",
            &manager,
            "",
            &[("ids_list", &only_mine), ("status", "3")],
        )
        .await;
    let withdrawn_list = o
        .app
        .admin_get("/product/product_list", &manager, "product_type=1&status=2")
        .await;
    let deleted = o
        .app
        .admin_post(
            "/product/delete/0",
            &manager,
            "",
            &[("ids_list", &only_mine)],
        )
        .await;

    assert_answer(&updated, 200, "添加成功");
    assert_illegal(&foreign);
    assert_answer(&mixed_status, 302, "产品不存在");
    assert_answer(&mixed_delete, 301, "产品不存在");
    assert_answer(&status, 200, "修改状态成功");
    assert_eq!(
        status["data"],
        json!({"product_id": mine, "status": "推荐", "status_code": 3})
    );
    assert_answer(&withdrawn_list, 302, "产品列表无数据");
    assert_answer(&deleted, 200, "删除成功");
    let left = o
        .app
        .client()
        .await
        .query("SELECT name, status, price FROM products ORDER BY id", &[])
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(
        (left[0].get::<_, String>(0), left[0].get::<_, i16>(1)),
        ("他们的".to_owned(), 1)
    );
}

#[actix_web::test]
async fn the_recommend_index_accepts_zero_to_ten() {
    let o = office().await;
    let id = company_product(&o, &o.root, "", "排序").await;
    let path = format!("/product/recommend_index/{id}");
    let outsider = o.app.seed_admin(o.b, 3).await;

    let too_big = o
        .app
        .admin_post(&path, &o.root, "", &[("recommend_index", "11")])
        .await;
    let ok = o
        .app
        .admin_post(&path, &o.root, "", &[("recommend_index", "7")])
        .await;
    let foreign = o
        .app
        .admin_post(&path, &outsider, "", &[("recommend_index", "1")])
        .await;
    let missing = o
        .app
        .admin_post(
            "/product/recommend_index/999999",
            &o.root,
            "",
            &[("recommend_index", "1")],
        )
        .await;

    assert_answer(&too_big, 303, "验证未通过");
    assert!(too_big["data"]["recommend_index"].is_array());
    assert_answer(&ok, 200, "修改成功");
    assert_illegal(&foreign);
    assert_answer(&missing, 302, "产品不存在");
    assert_eq!(
        o.app
            .scalar(
                "SELECT recommend_index::bigint FROM products WHERE id = $1",
                &[&id]
            )
            .await,
        7
    );
}
