//! The legacy HTTP API: the route table, and one module per spec area.
//!
//! - `params` — strict query/form/JSON decoding and Django-style validation.
//! - `auth`   — the signature triple of the three principal families.
//! - `paging` — `current_page`/`length`.
//! - `login`, `card`, `product`, `test_login` — the mini-program side (`/zhugeleida/xiaochengxu`).
//! - `case`, `diary` — the case library (spec §5.7); `extra` — the undocumented endpoints of §5.9.
//! - `radar`  — the radar side (`/zhugeleida/qiyeweixin`); `radar_feed` — its feed (R6);
//!   `radar_extra` — what the console needs beyond the spec (customer profile, product list).
//! - the console (`crate::console`, `/console/`) is mounted here too.
//! - `admin`  — the back office (`/zhugeleida/admin`, spec §9.1–§9.5).
//!
//! Every route accepts a trailing slash (NormalizePath) and answers a wrong method with
//! `{code:402, msg:'请求方式异常'}`.

pub mod admin;
pub mod auth;
pub mod card;
pub mod case;
pub mod chat;
pub mod diary;
pub mod extra;
pub mod health;
pub mod login;
pub mod longpoll;
pub mod paging;
pub mod params;
pub mod phone;
pub mod poster;
pub mod product;
pub mod radar;
pub mod radar_chat;
pub mod radar_extra;
pub mod radar_feed;
pub mod test_login;
pub mod ttl_cache;
pub mod ws;

use actix_web::{web, FromRequest, Handler, HttpResponse, Resource, Responder};

use crate::error::{ApiError, Envelope};
use crate::http::params::Params;
use crate::http::product::Catalog;
use crate::state::AppState;

/// A resource answering `method` at `path`, and 402 to any other method.
fn route<F, Args>(path: &str, method: actix_web::Route, handler: F) -> Resource
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(method.to(handler))
        .default_service(web::to(wrong_method))
}

fn get<F, Args>(path: &str, handler: F) -> Resource
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    route(path, web::get(), handler)
}

fn post<F, Args>(path: &str, handler: F) -> Resource
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    route(path, web::post(), handler)
}

async fn wrong_method() -> Result<HttpResponse, ApiError> {
    Err(ApiError::WrongMethod)
}

/// Unknown paths: HTTP 404 with the legacy envelope.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(Envelope::new(404, "非法请求", serde_json::json!({})))
}

/// Registers every route. `test_mode` adds the test_login family.
pub fn configure(cfg: &mut web::ServiceConfig, test_mode: bool) {
    cfg.service(mini_program(test_mode))
        .service(radar_side())
        .service(public_sockets())
        .service(admin::scope())
        .service(crate::console::scope());
}

fn mini_program(test_mode: bool) -> actix_web::Scope {
    let mut scope = web::scope("/zhugeleida/xiaochengxu")
        .service(get("/login", login::login))
        .service(get("/login/binding", login::binding))
        .service(post("/login/send_user_info", login::send_user_info))
        .service(post("/login/send_form_id", login::send_form_id))
        .service(get("/mingpian", card::show_card))
        .service(get("/mingpian/all", card::all_cards))
        .service(get("/mingpian/calling", card::calling))
        .service(get("/mingpian/save_wechat", card::save_wechat))
        .service(get("/mingpian/praise", card::praise))
        .service(get("/mingpian/forward", card::forward))
        .service(get("/mingpian/up_sign", card::up_sign))
        .service(get("/mingpian/save_phone", card::save_phone))
        .service(get("/mingpian/create_poster", card::create_poster))
        .service(get("/mingpian/save_poster", card::save_poster))
        .service(get("/mingpian/poster_html", poster::poster_html))
        .service(get("/product/product_single", product::product_single))
        .service(get("/product/product_list", product::product_list))
        .service(get(
            "/product/forward_product",
            |s: web::Data<AppState>, p: Params| async move {
                product::forward_product(&s, &p, Catalog::Product).await
            },
        ))
        .service(get(
            "/product/consult_product",
            |s: web::Data<AppState>, p: Params| async move {
                product::consult_product(&s, &p, Catalog::Product).await
            },
        ))
        .service(get(
            "/mallManage/forward_product",
            |s: web::Data<AppState>, p: Params| async move {
                product::forward_product(&s, &p, Catalog::Mall).await
            },
        ))
        .service(get(
            "/mallManage/consult_product",
            |s: web::Data<AppState>, p: Params| async move {
                product::consult_product(&s, &p, Catalog::Mall).await
            },
        ))
        .service(get("/website", product::website))
        .service(get("/chat", chat::chat_page))
        .service(post("/chat/send_msg/{id}", chat::send_msg))
        .service(get("/chat/getmsg/{id}", chat::get_msg))
        .service(get("/chat/query_num/{id}", chat::query_num))
        .service(post(
            "/chat/encrypted_phone_number/{id}",
            phone::encrypted_phone_number,
        ))
        .service(post(
            "/chat/phone_number_by_code/{id}",
            phone::phone_number_by_code,
        ))
        .service(
            web::resource("/websocket/xiaochengxu_chat")
                .route(web::get().to(ws::mini_program_chat)),
        )
        // Case library (spec §5.7, M27–M37) and the undocumented endpoints of §5.9.
        .service(get("/case_manage/case_list", case::case_list))
        .service(post("/case_manage/collection_case", case::collection_case))
        .service(get(
            "/case_manage/browse_case_list_record",
            case::browse_list,
        ))
        .service(get(
            "/case_manage/collection_case_list_record",
            case::collection_list,
        ))
        .service(get("/case_tag/case_list", case::tag_list))
        .service(get("/case_tag/history_case_list", case::tag_history))
        .service(get("/case_tag/top_search_tag_list", case::top_tags))
        .service(get("/diary_manage/diary_list", diary::diary_list))
        .service(post("/diary_manage/review_diary/{id}", diary::review_diary))
        .service(get(
            "/diary_manage/diary_id_review_list/{id}",
            diary::review_list,
        ))
        .service(post("/diary_manage/praise_diary/{id}", diary::praise_diary))
        .service(get("/login/bottom_button_info", extra::bottom_button_info))
        .service(get(
            "/login/control_mingan_info",
            extra::control_mingan_info,
        ))
        .service(get(
            "/chat/record_customer_click_dialog_box/{id}",
            extra::record_click_dialog_box,
        ))
        .service(get("/customer", extra::customer_info));
    if test_mode {
        scope = scope
            .service(get("/test_login", test_login::test_login))
            .service(post(
                "/test_login/send_form_id",
                test_login::test_send_form_id,
            ))
            .service(post(
                "/test_login/send_user_info",
                test_login::test_send_user_info,
            ));
    }
    scope
}

fn radar_side() -> actix_web::Scope {
    web::scope("/zhugeleida/qiyeweixin")
        .service(post("/login", radar::radar_login))
        .service(get("/contact", radar_chat::contact))
        .service(get("/contact/query_num", radar_chat::contact_query_num))
        .service(get("/chat", radar_chat::chat_page))
        .service(get("/chat/getmsg/{id}", radar_chat::get_msg))
        .service(post("/chat/send_msg/{id}", radar_chat::send_msg))
        .service(get("/action/time", radar_feed::action_time))
        .service(get("/customer/info", radar_extra::customer_info))
        .service(get("/product/product_list", radar_extra::product_list))
        .service(web::resource("/websocket/leida_chat").route(web::get().to(ws::radar_chat)))
        .service(
            web::resource("/websocket/leida_query_info_num").route(web::get().to(ws::radar_badge)),
        )
        .service(
            web::resource("/websocket/leida_query_contact_list")
                .route(web::get().to(ws::radar_contacts)),
        )
}

/// The document's websocket paths (spec §10), served as well.
fn public_sockets() -> actix_web::Scope {
    web::scope("/zhugeleida/public/websocket")
        .service(web::resource("/xiaochengxu").route(web::get().to(ws::mini_program_chat)))
        .service(web::resource("/leida").route(web::get().to(ws::radar_chat)))
}
