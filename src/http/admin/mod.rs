//! The back office, `/zhugeleida/admin` (spec §9.1–§9.6): accounts, companies, radar users,
//! products, the website and the case library.
//!
//! - `tenant`  — the signed caller and the tenancy rule every handler applies.
//! - `record`  — the shared steps of handlers on one record of `{id}` (ownership, delete answer).
//! - `input`   — back-office field reading (choices, bounds, mobiles, dates, JSON text, id lists).
//! - `account`, `company`, `radar_user`, `product`, `website` — one module per spec area.
//! - `case_tag`, `case`, `diary`, `comment` — the case library (spec §9.6) and the company's
//!   comment-moderation switch.
//!
//! Everything is signed with the admin token except `login`. `/{o_id}` segments are required by
//! the legacy routes and ignored.

pub mod account;
pub mod case;
pub mod case_tag;
pub mod comment;
pub mod company;
pub mod diary;
pub mod input;
pub mod product;
pub mod radar_user;
pub mod record;
pub mod tenant;
pub mod website;

use actix_web::web::{self, ServiceConfig};

use super::{get, post};

/// Every admin route.
pub fn scope() -> actix_web::Scope {
    web::scope("/zhugeleida/admin")
        .configure(accounts)
        .configure(companies)
        .configure(radar_users)
        .configure(products)
        .configure(website)
        .configure(case_library)
}

fn accounts(cfg: &mut ServiceConfig) {
    cfg.service(post("/login", account::login))
        .service(post("/modify_password", account::modify_password))
        .service(get("/admin_userprofile", account::list_admins))
        .service(post("/admin_userprofile/add/{o_id}", account::add_admin));
}

fn companies(cfg: &mut ServiceConfig) {
    cfg.service(get("/company", company::list))
        .service(post("/company/add_company/{o_id}", company::add_company))
        .service(post(
            "/company/update_company/{id}",
            company::update_company,
        ))
        .service(post("/company/delete/{id}", company::delete_company))
        .service(post(
            "/company/change_shopping_type/{id}",
            company::change_shopping_type,
        ))
        .service(post(
            "/company/is_show_technical_support/{id}",
            company::show_technical_support,
        ))
        .service(post(
            "/company/update_customer_unique/{id}",
            company::update_customer_unique,
        ))
        .service(post(
            "/company/update_xcx_app/{id}",
            company::update_xcx_app,
        ));
}

fn radar_users(cfg: &mut ServiceConfig) {
    cfg.service(get("/user", radar_user::list))
        .service(post("/user/add/{o_id}", radar_user::add))
        .service(post("/user/update/{id}", radar_user::update))
        .service(post("/user/update_status/{id}", radar_user::update_status))
        .service(post("/user/delete/{id}", radar_user::delete));
}

fn products(cfg: &mut ServiceConfig) {
    cfg.service(get("/product/product_list", product::list))
        .service(get("/product/product_single", product::single))
        .service(post("/product/add/{o_id}", product::add))
        .service(post("/product/update/{id}", product::update))
        .service(post("/product/delete/{o_id}", product::delete))
        .service(post(
            "/product/change_status/{o_id}",
            product::change_status,
        ))
        .service(post(
            "/product/recommend_index/{id}",
            product::recommend_index,
        ));
}

fn website(cfg: &mut ServiceConfig) {
    cfg.service(get("/website", website::show))
        .service(post("/website/edit/{company_id}", website::edit))
        .service(get("/website_template", website::templates))
        .service(post("/website_template/add/{o_id}", website::add_template))
        .service(post(
            "/website_template/update/{id}",
            website::update_template,
        ))
        .service(post(
            "/website_template/delete/{id}",
            website::delete_template,
        ));
}

fn case_library(cfg: &mut ServiceConfig) {
    cfg.service(get("/case_tag", case_tag::list))
        .service(post("/case_tag/add/{o_id}", case_tag::add))
        .service(post("/case_tag/update/{id}", case_tag::update))
        .service(post("/case_tag/delete/{id}", case_tag::delete))
        .service(get("/case_manage/case_list", case::list))
        .service(post("/case_manage/add/{o_id}", case::add))
        .service(post("/case_manage/update/{id}", case::update))
        .service(post("/case_manage/delete/{id}", case::delete))
        .service(post("/case/delete/{id}", case::delete))
        .service(get("/diary_manage/diary_list", diary::list))
        .service(post("/diary_manage/add/{o_id}", diary::add))
        .service(post("/diary_manage/update/{id}", diary::update))
        .service(post("/diary_manage/delete/{id}", diary::delete))
        .service(post("/diary/delete/{id}", diary::delete))
        .service(get("/comment_manage/diary", comment::list))
        .service(post("/comment_manage/audit_pass", comment::audit_pass))
        .service(post("/comment_manage/delete", comment::delete))
        .service(post(
            "/company/update_comment_moderation/{id}",
            comment::update_comment_moderation,
        ));
}
