//! The back office, `/zhugeleida/admin` (spec §9.1–§9.5), one module per area.

mod account;
mod case;
mod case_tag;
mod comment;
mod company;
mod company_settings;
mod diary;
mod product;
mod radar_user;
mod radar_user_edit;
mod website;

use serde_json::Value;

use crate::helpers::{spawn_app, Principal, TestApp};

/// Two live companies (card quota 5 each) and a super-admin of the first.
pub struct Office {
    pub app: TestApp,
    pub a: i64,
    pub b: i64,
    pub root: Principal,
}

/// Spawns a node and seeds the `Office`.
pub async fn office() -> Office {
    let app = spawn_app().await;
    let a = app.seed_company("甲公司").await;
    let b = app.seed_company("乙公司").await;
    app.client()
        .await
        .execute("UPDATE companies SET mingpian_available_num = 5", &[])
        .await
        .expect("quota");
    let root = app.seed_admin(a, 1).await;
    Office { app, a, b, root }
}

/// Asserts an envelope's `code` and text `msg`.
#[track_caller]
pub fn assert_answer(body: &Value, code: i64, msg: &str) {
    assert_eq!(
        (body["code"].as_i64(), body["msg"].as_str()),
        (Some(code), Some(msg)),
        "{body}"
    );
}

/// Asserts `{code:404, msg:'非法请求'}`.
#[track_caller]
pub fn assert_illegal(body: &Value) {
    assert_answer(body, 404, "非法请求");
}

/// The first error message of `field` in a Django-style error object.
pub fn field_error(errors: &Value, field: &str) -> String {
    errors[field][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error for {field}: {errors}"))
        .to_owned()
}
