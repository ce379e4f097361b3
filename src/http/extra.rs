//! Mini-program endpoints real clients call that the seed document omits (spec §5.9): the bottom
//! navigation, the review-time UI strings, dialog-box clicks and the customer's own profile.
//! `mingpian/poster_html` and posters belong to `http::card`'s neighbours, not here.

use actix_web::web;
use serde_json::{json, Value};

use crate::auth::Family;
use crate::error::{ApiError, Envelope};
use crate::http::auth::verify;
use crate::http::params::Params;
use crate::state::AppState;
use crate::store::{self, extra::NavSettings};
use crate::time;

/// One bottom-navigation button.
fn button(icon: &str, to_url: &str, text: &str, order: u8) -> Value {
    json!({
        "default_url": format!("icon_{icon}_01.png"),
        "selected_url": format!("icon_{icon}_02.png"),
        "to_url": to_url,
        "text": text,
        "order": order,
    })
}

/// The buttons: 名片, 咨询, then 产品 (shopping_type 1) or 商城 (2), then 官网.
fn buttons(shopping_type: i16) -> Vec<Value> {
    let consult = json!({
        "default_url": "chat.png",
        "selected_url": "chat.png",
        "to_url": "pages/mingpian/msg",
        "text": "咨询",
        "order": 2,
    });
    let shop = if shopping_type == 1 {
        button("chanpin", "pages/chanpin/index", "产品", 3)
    } else {
        button("store", "pages/store/store", "商城", 3)
    };
    vec![
        button("mingpian", "pages/mingpian/index", "名片", 1),
        consult,
        shop,
        button("guanwang", "pages/guanwang/index", "官网", 4),
    ]
}

/// The answer of `bottom_button_info` for a company's settings and the client's version.
fn navigation(nav: &NavSettings, client_version: Option<&str>) -> Value {
    let online = nav.version_num.as_deref().filter(|v| !v.is_empty());
    let shop_text = if nav.shopping_type == 1 {
        "产品"
    } else {
        "商城"
    };
    json!({
        "ret_data": buttons(nav.shopping_type),
        "shop_type": nav.shopping_type,
        "shop_type_text": shop_text,
        "shangChengName": shop_text,
        "is_show_jszc": nav.is_show_jszc,
        "is_show_jszc_text": if nav.is_show_jszc == 1 { "展示" } else { "不展示" },
        "is_release_version_num": online.is_some() && online == client_version,
        "is_open_mall": nav.shopping_type == 2,
        "is_first_authorization": online.is_none(),
    })
}

/// GET /zhugeleida/xiaochengxu/login/bottom_button_info: spec §5.9 bottom navigation (unsigned).
/// Follows the company's `shopping_type` and `is_show_jszc`, and compares the client's
/// `version_num` (or M1's `user_version`) with the online version.
#[tracing::instrument(skip_all)]
pub async fn bottom_button_info(
    state: web::Data<AppState>,
    p: Params,
) -> Result<Envelope, ApiError> {
    let mut v = p.validate();
    let company = v.int("company_id");
    let version = v
        .opt_text("version_num", 64)
        .or_else(|| v.opt_text("user_version", 64));
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let nav = store::extra::nav_settings(&db, company)
        .await?
        .ok_or_else(|| ApiError::not_found("公司不存在"))?;
    Ok(Envelope::ok_data(
        "返回成功",
        navigation(&nav, version.as_deref()),
    ))
}

/// GET /zhugeleida/xiaochengxu/login/control_mingan_info: spec §5.9 UI strings hidden during
/// WeChat review (unsigned, static). The message is the original's, typo included.
#[tracing::instrument(skip_all)]
pub async fn control_mingan_info() -> Envelope {
    Envelope::ok_data(
        "返回成功成功",
        json!({
            "mingpian": {
                "mingpian1": "转发",
                "mingpian2": "转发到好友或群聊",
                "mingpian3": "生成名片海报",
            },
            "chanpin": {
                "chanpin1": "在线咨询",
                "chanpin2": "转发到朋友",
            },
            "poster": {
                "poster1": "保存名片海报",
                "poster2": "保存小程序码到相册便于二次进入该名片，便于分享到朋友圈。",
            },
            "button_msg": {
                "msg": "发送手机号",
            },
        }),
    )
}

/// GET /zhugeleida/xiaochengxu/chat/record_customer_click_dialog_box/{id}: spec §5.9 "记录客户点击
/// 对话框" (signed; `{id}` is ignored; optional `xcx_type` 1|2).
#[tracing::instrument(skip_all)]
pub async fn record_click_dialog_box(
    state: web::Data<AppState>,
    p: Params,
) -> Result<Envelope, ApiError> {
    let customer = verify(&state, Family::Customer, &p).await?;
    let mut v = p.validate();
    let xcx_type = v.opt_int("xcx_type");
    if xcx_type.is_some_and(|t| !(1..=2).contains(&t)) {
        v.error("xcx_type", "Select a valid choice.");
    }
    v.finish().map_err(|e| e.in_msg(301))?;
    // 1..=2 checked above.
    let xcx_type = xcx_type.map(|t| t as i16);
    let db = state.db.get().await?;
    store::extra::record_dialog_click(&db, customer, xcx_type).await?;
    Ok(Envelope::ok("记录成功"))
}

/// GET /zhugeleida/xiaochengxu/customer: spec §5.9 the customer's own profile (signed).
///
/// `data.ret_data` = `{id, username, headimgurl, phone, city, province, country, language,
/// company_id, create_date, tag_list:[{id,name}], info_list:[{user_id, username, sex, phone, email,
/// company, position, address, birthday, mem, note_name}]}`: the customer's row, the labels the
/// radar users of its company gave it, and the notes each of them keeps on it. Missing texts are
/// `''`; `create_date` is `YYYY-MM-DD HH:MM:SS`.
#[tracing::instrument(skip_all)]
pub async fn customer_info(state: web::Data<AppState>, p: Params) -> Result<Envelope, ApiError> {
    let customer = verify(&state, Family::Customer, &p).await?;
    let db = state.db.get().await?;
    let c = store::extra::customer_profile(&db, customer)
        .await?
        .ok_or_else(|| ApiError::code(301, "用户不存在"))?;
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let ret = json!({
        "id": c.id,
        "username": text(&c.username),
        "headimgurl": c.headimgurl,
        "phone": text(&c.phone),
        "city": text(&c.city),
        "province": text(&c.province),
        "country": text(&c.country),
        "language": text(&c.language),
        "company_id": c.company_id,
        "create_date": time::datetime(c.create_date),
        "tag_list": c.tags,
        "info_list": c.notes,
    });
    Ok(Envelope::ok_data("查询成功", json!({"ret_data": ret})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nav(shopping_type: i16, is_show_jszc: i16, version: Option<&str>) -> NavSettings {
        NavSettings {
            shopping_type,
            is_show_jszc,
            version_num: version.map(str::to_owned),
        }
    }

    #[test]
    fn the_third_button_follows_the_shopping_type() {
        let products = navigation(&nav(1, 1, Some("1.0.0")), Some("1.0.0"));
        assert_eq!(products["ret_data"][2]["to_url"], "pages/chanpin/index");
        assert_eq!(products["shop_type_text"], "产品");
        assert_eq!(products["is_open_mall"], false);
        assert_eq!(products["is_release_version_num"], true);
        let mall = navigation(&nav(2, 2, Some("1.0.0")), Some("0.9.0"));
        assert_eq!(mall["ret_data"][2]["text"], "商城");
        assert_eq!(mall["is_show_jszc_text"], "不展示");
        assert_eq!(mall["is_release_version_num"], false);
        let orders: Vec<_> = mall["ret_data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["order"].as_i64().unwrap())
            .collect();
        assert_eq!(orders, vec![1, 2, 3, 4]);
    }

    #[test]
    fn without_an_online_version_nothing_is_released() {
        let n = navigation(&nav(2, 1, None), None);
        assert_eq!(n["is_release_version_num"], false);
        assert_eq!(n["is_first_authorization"], true);
    }
}
