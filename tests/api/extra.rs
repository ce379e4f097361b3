//! Undocumented mini-program endpoints real clients call (spec §5.9).

use crate::case::assert_answer;
use crate::helpers::spawn_app;
use serde_json::json;

const BUTTONS: &str = "/zhugeleida/xiaochengxu/login/bottom_button_info";
const MINGAN: &str = "/zhugeleida/xiaochengxu/login/control_mingan_info";
const CLICK: &str = "/zhugeleida/xiaochengxu/chat/record_customer_click_dialog_box/0";
const CUSTOMER: &str = "/zhugeleida/xiaochengxu/customer";

#[actix_web::test]
async fn the_bottom_buttons_follow_the_company_flags_and_the_online_version() {
    let app = spawn_app().await;
    let mall = app.seed_company("商城公司").await;
    let shop = app.seed_company("产品公司").await;
    app.client()
        .await
        .execute(
            "UPDATE companies SET shopping_type = 1, is_show_jszc = 2 WHERE id = $1",
            &[&shop],
        )
        .await
        .unwrap();

    let mall_nav = app
        .get(BUTTONS, &format!("company_id={mall}&version_num=1.0.0"))
        .await;
    let shop_nav = app
        .get(BUTTONS, &format!("company_id={shop}&version_num=0.9.0"))
        .await;

    assert_answer(&mall_nav, 200, "返回成功");
    let data = &mall_nav["data"];
    assert_eq!(
        data["ret_data"],
        json!([
            {"default_url": "icon_mingpian_01.png", "selected_url": "icon_mingpian_02.png",
             "to_url": "pages/mingpian/index", "text": "名片", "order": 1},
            {"default_url": "chat.png", "selected_url": "chat.png",
             "to_url": "pages/mingpian/msg", "text": "咨询", "order": 2},
            {"default_url": "icon_store_01.png", "selected_url": "icon_store_02.png",
             "to_url": "pages/store/store", "text": "商城", "order": 3},
            {"default_url": "icon_guanwang_01.png", "selected_url": "icon_guanwang_02.png",
             "to_url": "pages/guanwang/index", "text": "官网", "order": 4},
        ])
    );
    assert_eq!(
        (
            &data["shop_type"],
            &data["shop_type_text"],
            &data["is_open_mall"]
        ),
        (&json!(2), &json!("商城"), &json!(true))
    );
    assert_eq!(data["is_show_jszc"], 1);
    assert_eq!(data["is_show_jszc_text"], "展示");
    assert_eq!(data["is_release_version_num"], true);
    assert_eq!(data["is_first_authorization"], false);
    let data = &shop_nav["data"];
    assert_eq!(data["ret_data"][2]["to_url"], "pages/chanpin/index");
    assert_eq!(data["ret_data"][2]["text"], "产品");
    assert_eq!(data["is_open_mall"], false);
    assert_eq!(data["is_show_jszc_text"], "不展示");
    assert_eq!(data["is_release_version_num"], false);
}

#[actix_web::test]
async fn bottom_buttons_need_a_known_company() {
    let app = spawn_app().await;

    let missing = app.get(BUTTONS, "").await;
    let bad = app.get(BUTTONS, "company_id=abc").await;
    let unknown = app.get(BUTTONS, "company_id=999999").await;

    assert_eq!(missing["code"], 301);
    assert_eq!(missing["msg"]["company_id"][0]["code"], "required");
    assert_eq!(
        bad["msg"]["company_id"][0]["message"],
        "Enter a whole number."
    );
    assert_answer(&unknown, 302, "公司不存在");
}

#[actix_web::test]
async fn the_review_time_strings_are_static_and_unsigned() {
    let app = spawn_app().await;

    let body = app.get(MINGAN, "").await;

    assert_answer(&body, 200, "返回成功成功");
    assert_eq!(
        body["data"],
        json!({
            "mingpian": {"mingpian1": "转发", "mingpian2": "转发到好友或群聊", "mingpian3": "生成名片海报"},
            "chanpin": {"chanpin1": "在线咨询", "chanpin2": "转发到朋友"},
            "poster": {"poster1": "保存名片海报",
                       "poster2": "保存小程序码到相册便于二次进入该名片，便于分享到朋友圈。"},
            "button_msg": {"msg": "发送手机号"},
        })
    );
}

#[actix_web::test]
async fn dialog_clicks_are_recorded_for_the_signed_customer() {
    let app = spawn_app().await;
    let company = app.seed_company("公司").await;
    let customer = app.seed_customer(company, Some("客户")).await;

    let first = app.get_signed(CLICK, &customer, "xcx_type=1").await;
    let second = app.get_signed(CLICK, &customer, "").await;
    let bad = app.get_signed(CLICK, &customer, "xcx_type=abc").await;
    let out_of_range = app.get_signed(CLICK, &customer, "xcx_type=40000").await;
    let unsigned = app.get(CLICK, "xcx_type=1").await;

    assert_eq!(
        first,
        json!({"code": 200, "msg": "记录成功", "data": {}, "note": {}})
    );
    assert_answer(&second, 200, "记录成功");
    assert_eq!(bad["code"], 301);
    assert_eq!(
        bad["msg"]["xcx_type"][0]["message"],
        "Enter a whole number."
    );
    assert_eq!(out_of_range["code"], 301);
    assert_answer(&unsigned, 400, "token异常");
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM dialog_clicks WHERE customer_id = $1",
            &[&customer.id]
        )
        .await,
        2
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM dialog_clicks WHERE xcx_type = 1", &[])
            .await,
        1
    );
}

#[actix_web::test]
async fn the_customer_sees_its_own_profile_tags_and_notes() {
    let app = spawn_app().await;
    let company = app.seed_company("公司").await;
    let radar = app.seed_radar_user(company, "张三").await;
    let customer = app.seed_customer(company, Some("王小明")).await;
    let other = app.seed_customer(company, Some("别人")).await;
    let db = app.client().await;
    db.batch_execute(&format!(
        "UPDATE customers SET phone = '13800000000', city = 'Beijing' WHERE id = {c};
         INSERT INTO customer_tags (id, user_id, name) VALUES (9001, {r}, '重点客户'), (9002, {r}, '别人的');
         INSERT INTO customer_tag_links (tag_id, customer_id) VALUES (9001, {c}), (9002, {o});
         INSERT INTO customer_profiles (customer_id, user_id, sex, company, birthday, mem)
         VALUES ({c}, {r}, 1, '某公司', '1990-05-01', '喜欢喝茶'), ({o}, {r}, 2, '', NULL, '别人的备注');",
        c = customer.id,
        r = radar.id,
        o = other.id
    ))
    .await
    .unwrap();

    let body = app.get_signed(CUSTOMER, &customer, "").await;
    let unsigned = app.get(CUSTOMER, &format!("user_id={}", customer.id)).await;

    assert_answer(&body, 200, "查询成功");
    let me = &body["data"]["ret_data"];
    assert_eq!(me["id"], customer.id);
    assert_eq!(me["username"], "王小明");
    assert_eq!(me["phone"], "13800000000");
    assert_eq!(me["city"], "Beijing");
    assert_eq!(me["province"], "");
    assert_eq!(me["company_id"], company);
    assert_eq!(me["create_date"].as_str().unwrap().len(), 19);
    assert_eq!(me["tag_list"], json!([{"id": 9001, "name": "重点客户"}]));
    assert_eq!(
        me["info_list"],
        json!([{
            "user_id": radar.id, "username": "张三", "sex": 1, "phone": "", "email": "",
            "company": "某公司", "position": "", "address": "", "birthday": "1990-05-01",
            "mem": "喜欢喝茶", "note_name": "",
        }])
    );
    assert_answer(&unsigned, 400, "token异常");
}
