//! The back office's routes, `/zhugeleida/admin` (spec §9), and the forms several of them share.

use super::row::*;
use super::{Param, Route, Ty};
use crate::http::admin;

/// The back office, in registration order.
#[rustfmt::skip]
pub(super) const ROUTES: &[Route] = &[
    // Back office (spec §9): accounts.
    api(Post, "/zhugeleida/admin/login", None, &[text("username").body(), text("password").body()], "admin login", |r| r.to(admin::account::login)),
    api(Post, "/zhugeleida/admin/modify_password", A, &[text("password1").body(), text("password2").body()], "change the signed admin's password", |r| r.to(admin::account::modify_password)),
    api(Get, "/zhugeleida/admin/admin_userprofile", A, &[COMPANY, PAGE, LENGTH], "admin accounts", |r| r.to(admin::account::list_admins)),
    api(Post, "/zhugeleida/admin/admin_userprofile/add/{o_id}", A, &[path_any("o_id"), COMPANY.body(), text("login_user").body(), text("password").body(), int("role_id").body(), text("username").body().opt(), text("position").body().opt()], "add an admin account", |r| r.to(admin::account::add_admin)),
    // Companies.
    api(Get, "/zhugeleida/admin/company", A, &[text("name").opt(), int("admin_is_hidden").opt(), ORDER, PAGE, LENGTH], "companies", |r| r.to(admin::company::list)),
    api(Post, "/zhugeleida/admin/company/add_company/{o_id}", A, COMPANY_FORM, "add a company", |r| r.to(admin::company::add_company)),
    api(Post, "/zhugeleida/admin/company/update_company/{id}", A, COMPANY_FORM_ID, "update a company", |r| r.to(admin::company::update_company)),
    api(Post, "/zhugeleida/admin/company/delete/{id}", A, &[path_int("id")], "delete a company", |r| r.to(admin::company::delete_company)),
    api(Post, "/zhugeleida/admin/company/change_shopping_type/{id}", A, &[path_int("id"), int("shopping_type").body()], "switch the company's shop type", |r| r.to(admin::company::change_shopping_type)),
    api(Post, "/zhugeleida/admin/company/is_show_technical_support/{id}", A, &[path_int("id"), int("status").body()], "show or hide technical support", |r| r.to(admin::company::show_technical_support)),
    api(Post, "/zhugeleida/admin/company/update_customer_unique/{id}", A, &[path_int("id"), int("is_customer_unique").body()], "customer uniqueness switch", |r| r.to(admin::company::update_customer_unique)),
    api(Post, "/zhugeleida/admin/company/update_xcx_app/{id}", A, &[path_int("id"), text("authorization_appid").body(), text("app_secret").body().opt(), text("template_id").body().opt(), text("version_num").body().opt(), int("three_services_type").body(), text("subscribe_template_id").body().opt(), json("subscribe_fields").body().opt()], "the company's mini-program app (with its subscribe template, issue 13)", |r| r.to(admin::company::update_xcx_app)),
    // Radar users.
    api(Get, "/zhugeleida/admin/user", A, &[COMPANY, text("username").opt(), text("position").opt(), int("department").opt(), int("status").opt(), PAGE, LENGTH], "radar users", |r| r.to(admin::radar_user::list)),
    api(Post, "/zhugeleida/admin/user/add/{o_id}", A, &[path_any("o_id"), COMPANY.body(), text("login_user").body().opt(), text("password").body(), text("username").body(), text("position").body().opt(), text("phone").body().opt(), text("wechat_phone").body().opt(), text("mingpian_phone").body().opt(), text("wechat").body().opt(), json("department_id").body().opt()], "add a radar user", |r| r.to(admin::radar_user::add)),
    api(Post, "/zhugeleida/admin/user/update/{id}", A, &[path_int("id"), COMPANY.body(), text("username").body(), text("position").body().opt(), text("phone").body().opt(), text("wechat_phone").body().opt(), text("mingpian_phone").body().opt(), text("wechat").body().opt(), json("department_id").body().opt()], "update a radar user", |r| r.to(admin::radar_user::update)),
    api(Post, "/zhugeleida/admin/user/update_status/{id}", A, &[path_int("id"), COMPANY.body(), int("status").body(), int("boss_status").body().opt(), int("article_admin_status").body().opt()], "enable or disable a radar user", |r| r.to(admin::radar_user::update_status)),
    api(Post, "/zhugeleida/admin/user/delete/{id}", A, &[path_int("id"), COMPANY.body()], "delete a radar user", |r| r.to(admin::radar_user::delete)),
    // Products.
    api(Get, "/zhugeleida/admin/product/product_list", A, &[COMPANY, int("product_type"), text("product_name").opt(), int("status").opt(), ORDER, PAGE, LENGTH], "products", |r| r.to(admin::product::list)),
    api(Get, "/zhugeleida/admin/product/product_single", A, &[COMPANY, int("product_id"), int("product_type").opt()], "one product", |r| r.to(admin::product::single)),
    api(Post, "/zhugeleida/admin/product/add/{o_id}", A, &[path_any("o_id"), COMPANY.body(), text("name").body(), text("price").body().opt(), text("reason").body().opt(), json("content").body().opt(), int("product_type").body(), int("uid").body()], "add a product", |r| r.to(admin::product::add)),
    api(Post, "/zhugeleida/admin/product/update/{id}", A, &[path_int("id"), COMPANY.body(), text("name").body(), text("price").body().opt(), text("reason").body().opt(), json("content").body().opt()], "update a product", |r| r.to(admin::product::update)),
    api(Post, "/zhugeleida/admin/product/delete/{o_id}", A, &[path_any("o_id"), COMPANY.body(), json("ids_list").body()], "delete products", |r| r.to(admin::product::delete)),
    api(Post, "/zhugeleida/admin/product/change_status/{o_id}", A, &[path_any("o_id"), COMPANY.body(), json("ids_list").body(), int("status").body()], "publish or withdraw products", |r| r.to(admin::product::change_status)),
    api(Post, "/zhugeleida/admin/product/recommend_index/{id}", A, &[path_int("id"), COMPANY.body(), int("recommend_index").body()], "a product's recommendation rank", |r| r.to(admin::product::recommend_index)),
    // Website.
    api(Get, "/zhugeleida/admin/website", A, &[COMPANY], "the company's website", |r| r.to(admin::website::show)),
    api(Post, "/zhugeleida/admin/website/edit/{company_id}", A, &[path_int("company_id"), json("website_content").body()], "edit the company's website", |r| r.to(admin::website::edit)),
    api(Get, "/zhugeleida/admin/website_template", A, &[PAGE, LENGTH], "website templates", |r| r.to(admin::website::templates)),
    api(Post, "/zhugeleida/admin/website_template/add/{o_id}", A, &[path_any("o_id"), text("name").body(), json("template_content").body()], "add a website template", |r| r.to(admin::website::add_template)),
    api(Post, "/zhugeleida/admin/website_template/update/{id}", A, &[path_int("id"), text("name").body(), json("template_content").body()], "update a website template", |r| r.to(admin::website::update_template)),
    api(Post, "/zhugeleida/admin/website_template/delete/{id}", A, &[path_int("id")], "delete a website template", |r| r.to(admin::website::delete_template)),
    // Case library (spec §9.6).
    api(Get, "/zhugeleida/admin/case_tag", A, &[COMPANY, text("name").opt()], "case tags", |r| r.to(admin::case_tag::list)),
    api(Post, "/zhugeleida/admin/case_tag/add/{o_id}", A, &[path_any("o_id"), COMPANY.body(), text("tag_name").body()], "add a case tag", |r| r.to(admin::case_tag::add)),
    api(Post, "/zhugeleida/admin/case_tag/update/{id}", A, &[path_int("id"), COMPANY.body(), text("tag_name").body()], "rename a case tag", |r| r.to(admin::case_tag::update)),
    api(Post, "/zhugeleida/admin/case_tag/delete/{id}", A, &[path_int("id"), COMPANY.body()], "delete a case tag", |r| r.to(admin::case_tag::delete)),
    api(Get, "/zhugeleida/admin/case_manage/case_list", A, &[COMPANY, int("case_id").opt(), int("status").opt(), text("customer_name").opt(), ORDER, PAGE, LENGTH], "cases", |r| r.to(admin::case::list)),
    api(Post, "/zhugeleida/admin/case_manage/add/{o_id}", A, CASE_FORM, "add a case", |r| r.to(admin::case::add)),
    api(Post, "/zhugeleida/admin/case_manage/update/{id}", A, CASE_FORM_ID, "update a case", |r| r.to(admin::case::update)),
    api(Post, "/zhugeleida/admin/case_manage/delete/{id}", A, &[path_int("id"), COMPANY.body()], "delete a case", |r| r.to(admin::case::delete)),
    api(Post, "/zhugeleida/admin/case/delete/{id}", A, &[path_int("id"), COMPANY.body()], "delete a case (the document's path)", |r| r.to(admin::case::delete)),
    api(Get, "/zhugeleida/admin/diary_manage/diary_list", A, &[COMPANY, int("diary_id").opt(), int("status").opt(), text("title").opt(), int("case_id").opt(), ORDER, PAGE, LENGTH], "diaries", |r| r.to(admin::diary::list)),
    api(Post, "/zhugeleida/admin/diary_manage/add/{o_id}", A, DIARY_FORM, "add a diary", |r| r.to(admin::diary::add)),
    api(Post, "/zhugeleida/admin/diary_manage/update/{id}", A, DIARY_FORM_ID, "update a diary", |r| r.to(admin::diary::update)),
    api(Post, "/zhugeleida/admin/diary_manage/delete/{id}", A, &[path_int("id"), COMPANY.body()], "delete a diary", |r| r.to(admin::diary::delete)),
    api(Post, "/zhugeleida/admin/diary/delete/{id}", A, &[path_int("id"), COMPANY.body()], "delete a diary (the document's path)", |r| r.to(admin::diary::delete)),
    api(Get, "/zhugeleida/admin/comment_manage/diary", A, &[COMPANY, int("is_audit_pass").opt(), PAGE, LENGTH], "diary comments", |r| r.to(admin::comment::list)),
    api(Post, "/zhugeleida/admin/comment_manage/audit_pass", A, &[COMPANY.body(), json("ids_list").body()], "approve comments", |r| r.to(admin::comment::audit_pass)),
    api(Post, "/zhugeleida/admin/comment_manage/delete", A, &[COMPANY.body(), json("ids_list").body()], "delete comments", |r| r.to(admin::comment::delete)),
    api(Post, "/zhugeleida/admin/company/update_comment_moderation/{id}", A, &[path_int("id"), int("comment_moderation").body()], "the company's comment-moderation switch", |r| r.to(admin::comment::update_comment_moderation)),
];

#[rustfmt::skip]
const COMPANY_FORM: &[Param] = &[path_any("o_id"), text("name").body(), param("charging_start_time", Ty::Date).body(), int("open_length_time").body(), int("mingpian_available_num").body(), int("product_function_type").body(), text("remarks").body().opt(), text("xcx_qr_code").body().opt(), int("admin_is_hidden").body().opt()];
#[rustfmt::skip]
const COMPANY_FORM_ID: &[Param] = &[path_int("id"), text("name").body(), param("charging_start_time", Ty::Date).body(), int("open_length_time").body(), int("mingpian_available_num").body(), int("product_function_type").body(), text("remarks").body().opt(), text("xcx_qr_code").body().opt(), int("admin_is_hidden").body().opt()];
#[rustfmt::skip]
const CASE_FORM: &[Param] = &[path_any("o_id"), COMPANY.body(), text("case_name").body(), text("customer_name").body(), text("headimgurl").body().opt(), int("status").body(), json("cover_picture").body(), json("tags_id_list").body().opt()];
#[rustfmt::skip]
const CASE_FORM_ID: &[Param] = &[path_int("id"), COMPANY.body(), text("case_name").body(), text("customer_name").body(), text("headimgurl").body().opt(), int("status").body(), json("cover_picture").body(), json("tags_id_list").body().opt()];
#[rustfmt::skip]
const DIARY_FORM: &[Param] = &[path_any("o_id"), COMPANY.body(), int("case_id").body(), text("title").body(), text("summary").body(), param("diary_date", Ty::Date).body(), json("cover_picture").body(), text("content").body(), int("status").body(), int("cover_show_type").body()];
#[rustfmt::skip]
const DIARY_FORM_ID: &[Param] = &[path_int("id"), COMPANY.body(), int("case_id").body(), text("title").body(), text("summary").body(), param("diary_date", Ty::Date).body(), json("cover_picture").body(), text("content").body(), int("status").body(), int("cover_show_type").body()];
