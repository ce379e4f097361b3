//! The route table: every HTTP route of the main listener, once.
//!
//! [`configure`](super::configure) registers exactly these rows; `/openapi.json`, the auth matrix
//! and the fuzz tests read them, so none of them can drift from what is served.
//!
//! To add a route: write the handler, then add one [`Route`] to [`ROUTES`] with its method, legacy
//! path (actix pattern, no trailing slash), the family that signs it (`None`: unsigned), what it
//! answers, its parameters (`int("uid")`, `text("name").opt()`, `.body()` for POST fields,
//! `path_int("id")` for `{id}`) and `handler: |r| r.to(module::handler)`. The signature triple
//! (`user_id`, `timestamp`, `rand_str`) of a signed route is implied, not listed.

use actix_web::web;

use super::params::Params;
use super::product::Catalog;
use super::{admin, card, case, chat, diary, extra, health, login, phone, poster, product};
use super::{radar, radar_chat, radar_extra, radar_feed, subscribe, test_login, ws};
use crate::auth::Family;
use crate::state::AppState;

/// One HTTP route.
#[derive(Clone, Copy)]
pub struct Route {
    pub method: Method,
    /// The actix path pattern, e.g. `/zhugeleida/xiaochengxu/chat/send_msg/{id}`.
    pub path: &'static str,
    /// The family whose signature protects it: in the query string, or in every frame of a socket.
    pub signed: Option<Family>,
    pub answer: Answer,
    /// What the client sends (the signature triple excepted).
    pub params: &'static [Param],
    /// One line for the API description.
    pub summary: &'static str,
    pub when: When,
    pub serve: Serve,
}

/// The HTTP method a route answers (any other answers `{code:402, msg:'请求方式异常'}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// `get` or `post`.
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }

    pub(super) fn actix(self) -> actix_web::Route {
        match self {
            Method::Get => web::get(),
            Method::Post => web::post(),
        }
    }
}

/// What a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The legacy envelope `{code, msg, data, note}` (spec §1), HTTP 200 (413 for an oversized
    /// body, 500 for an internal error).
    Envelope,
    /// A websocket upgrade (spec §6.6); frames are `{code, msg[, data]}`.
    Socket,
    /// An HTML page.
    Html,
    /// Plain JSON that is not the envelope (operations endpoints, the console's helper).
    Json,
    /// Text (Prometheus exposition).
    Text,
    /// A file (embedded console assets, generated pictures).
    File,
}

/// When a route is registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// Only with `login.test_mode` (the test_login family).
    TestMode,
    /// Only when `/metrics` is served on the main listener (`metrics.bind` unset).
    MetricsHere,
}

/// How a route is served.
#[derive(Clone, Copy)]
pub enum Serve {
    /// A handler: `|r| r.to(handler)` on the route's method.
    Handler(fn(actix_web::Route) -> actix_web::Route),
    /// The generated files under `<data_dir>/statics` (actix-files), at the path's prefix.
    Statics,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    Query,
    /// A form-urlencoded (or JSON object) body field; handlers also accept it in the query.
    Body,
    Path,
}

/// A parameter's type as the handler reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Int,
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// JSON text (an object, or a list of ids).
    Json,
}

/// One parameter of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub at: In,
    pub ty: Ty,
    pub required: bool,
}

impl Param {
    /// Optional: absent or empty is fine.
    pub const fn opt(self) -> Param {
        Param {
            required: false,
            ..self
        }
    }

    /// A body field (POST forms).
    pub const fn body(self) -> Param {
        Param {
            at: In::Body,
            ..self
        }
    }
}

const fn param(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        at: In::Query,
        ty,
        required: true,
    }
}

/// A required integer query parameter.
const fn int(name: &'static str) -> Param {
    param(name, Ty::Int)
}

/// A required text query parameter.
const fn text(name: &'static str) -> Param {
    param(name, Ty::Text)
}

/// A required JSON-text query parameter.
const fn json(name: &'static str) -> Param {
    param(name, Ty::Json)
}

/// A required integer `{name}` path segment.
const fn path_int(name: &'static str) -> Param {
    Param {
        name,
        at: In::Path,
        ty: Ty::Int,
        required: true,
    }
}

/// A `{name}` path segment the handler ignores (legacy routes require it).
const fn path_any(name: &'static str) -> Param {
    Param {
        name,
        at: In::Path,
        ty: Ty::Text,
        required: true,
    }
}

const PAGE: Param = int("current_page").opt();
const LENGTH: Param = int("length").opt();
const ORDER: Param = text("order").opt();
/// The back office's target company (super-admins; others may name only their own).
const COMPANY: Param = int("company_id").opt();

/// A route answering the envelope, always registered.
const fn api(
    method: Method,
    path: &'static str,
    signed: Option<Family>,
    params: &'static [Param],
    summary: &'static str,
    handler: fn(actix_web::Route) -> actix_web::Route,
) -> Route {
    Route {
        method,
        path,
        signed,
        answer: Answer::Envelope,
        params,
        summary,
        when: When::Always,
        serve: Serve::Handler(handler),
    }
}

/// A websocket, always registered; `family` signs its frames.
const fn socket(
    path: &'static str,
    family: Family,
    summary: &'static str,
    handler: fn(actix_web::Route) -> actix_web::Route,
) -> Route {
    Route {
        method: Method::Get,
        path,
        signed: Some(family),
        answer: Answer::Socket,
        params: &[],
        summary,
        when: When::Always,
        serve: Serve::Handler(handler),
    }
}

/// An unsigned GET that is not the envelope.
const fn other(
    path: &'static str,
    answer: Answer,
    when: When,
    summary: &'static str,
    serve: Serve,
) -> Route {
    Route {
        method: Method::Get,
        path,
        signed: None,
        answer,
        params: &[],
        summary,
        when,
        serve,
    }
}

use Family::{Admin, Customer, Radar};
use Method::{Get, Post};

const M: Option<Family> = Some(Customer);
const R: Option<Family> = Some(Radar);
const A: Option<Family> = Some(Admin);

/// Every route, in registration order (the first matching pattern wins).
#[rustfmt::skip]
pub static ROUTES: &[Route] = &[
    // Operations and the API description.
    other("/openapi.json", Answer::Json, When::Always, "this API description (OpenAPI 3.0)", Serve::Handler(|r| r.to(super::openapi::document))),
    other("/healthz", Answer::Json, When::Always, "Liveness: the process answers", Serve::Handler(|r| r.to(health::healthz))),
    other("/readyz", Answer::Json, When::Always, "Readiness: database migrated and bus connected (503 with the reasons otherwise)", Serve::Handler(|r| r.to(health::readyz))),
    other("/metrics", Answer::Text, When::MetricsHere, "Prometheus metrics (here only when metrics.bind is unset)", Serve::Handler(|r| r.to(health::metrics))),
    // Mini-program: login, binding, profile (spec §5.1).
    api(Get, "/zhugeleida/xiaochengxu/login", None, &[text("code"), int("user_type"), int("source").opt(), int("uid").opt(), int("company_id").opt(), int("xcx_type").opt(), text("user_version").opt()], "M1 mini-program login", |r| r.to(login::login)),
    api(Get, "/zhugeleida/xiaochengxu/login/binding", M, &[int("uid"), int("source").opt(), int("pid").opt()], "M2 bind the customer to a radar user", |r| r.to(login::binding)),
    api(Post, "/zhugeleida/xiaochengxu/login/send_user_info", M, &[text("nickName").body(), text("avatarUrl").body().opt(), int("gender").body().opt(), text("city").body().opt(), text("province").body().opt(), text("country").body().opt(), text("language").body().opt(), int("uid").body().opt(), int("page").body().opt()], "M3 store the authorized WeChat profile", |r| r.to(login::send_user_info)),
    api(Post, "/zhugeleida/xiaochengxu/login/send_form_id", M, &[text("formId").body()], "M4 store a template-message formId (legacy: WeChat switched formId messages off in 2020)", |r| r.to(login::send_form_id)),
    api(Post, "/zhugeleida/xiaochengxu/subscribe/grant/{id}", M, &[path_any("id"), text("template_id").body(), text("status").body().opt()], "record a subscribe-message grant (issue 13)", |r| r.to(subscribe::grant)),
    // Cards (spec §5.3).
    api(Get, "/zhugeleida/xiaochengxu/mingpian", M, &[int("uid")], "M10 show a card and log the view", |r| r.to(card::show_card)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/all", M, &[int("uid").opt()], "M11 the radar users this customer is bound to", |r| r.to(card::all_cards)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/calling", M, &[int("uid")], "M12 called the card's phone", |r| r.to(card::calling)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/save_wechat", M, &[int("uid")], "M13 copied the card's WeChat id", |r| r.to(card::save_wechat)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/praise", M, &[int("uid")], "M14 praise a card (toggle)", |r| r.to(card::praise)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/forward", M, &[int("uid")], "M15 forwarded a card", |r| r.to(card::forward)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/up_sign", M, &[int("uid")], "M16 praise the card's signature (toggle)", |r| r.to(card::up_sign)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/save_phone", M, &[int("uid")], "saved the card's phone to contacts", |r| r.to(card::save_phone)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/create_poster", M, &[int("uid")], "M17 data for a client-drawn poster", |r| r.to(card::create_poster)),
    api(Get, "/zhugeleida/xiaochengxu/mingpian/save_poster", M, &[int("uid")], "M18 saved the poster", |r| r.to(card::save_poster)),
    Route { answer: Answer::Html, params: &[int("user_id"), int("uid")], ..api(Get, "/zhugeleida/xiaochengxu/mingpian/poster_html", None, &[], "the poster page the server renders (HTML)", |r| r.to(poster::poster_html)) },
    // Products and website (spec §5.4, §5.5).
    api(Get, "/zhugeleida/xiaochengxu/product/product_single", M, &[int("product_id"), int("uid")], "M19 one product", |r| r.to(product::product_single)),
    api(Get, "/zhugeleida/xiaochengxu/product/product_list", M, &[int("uid"), ORDER, PAGE, LENGTH], "M20 products visible on a card", |r| r.to(product::product_list)),
    api(Get, "/zhugeleida/xiaochengxu/product/forward_product", M, &[int("product_id"), int("uid")], "forwarded a product", |r| r.to(|s: web::Data<AppState>, p: Params| async move { product::forward_product(&s, &p, Catalog::Product).await })),
    api(Get, "/zhugeleida/xiaochengxu/product/consult_product", M, &[int("product_id"), int("uid")], "consulted a product", |r| r.to(|s: web::Data<AppState>, p: Params| async move { product::consult_product(&s, &p, Catalog::Product).await })),
    api(Get, "/zhugeleida/xiaochengxu/mallManage/forward_product", M, &[int("product_id"), int("uid")], "M21 forwarded a mall product", |r| r.to(|s: web::Data<AppState>, p: Params| async move { product::forward_product(&s, &p, Catalog::Mall).await })),
    api(Get, "/zhugeleida/xiaochengxu/mallManage/consult_product", M, &[int("product_id"), int("uid")], "M22 consulted a mall product", |r| r.to(|s: web::Data<AppState>, p: Params| async move { product::consult_product(&s, &p, Catalog::Mall).await })),
    api(Get, "/zhugeleida/xiaochengxu/website", M, &[int("uid")], "M23 the company's website", |r| r.to(product::website)),
    // Chat, mini-program side (spec §5.2, §6.6).
    api(Get, "/zhugeleida/xiaochengxu/chat", M, &[int("u_id"), PAGE, LENGTH], "M5 page through a conversation", |r| r.to(chat::chat_page)),
    api(Post, "/zhugeleida/xiaochengxu/chat/send_msg/{id}", M, &[path_any("id"), int("u_id").body(), text("content").body(), int("send_type").body(), text("client_msg_id").body().opt()], "M6 the customer sends a message", |r| r.to(chat::send_msg)),
    api(Get, "/zhugeleida/xiaochengxu/chat/getmsg/{id}", M, &[path_any("id"), int("u_id"), int("since_id").opt(), int("wait").opt()], "M8 unread messages (long-poll with wait)", |r| r.to(chat::get_msg)),
    api(Get, "/zhugeleida/xiaochengxu/chat/query_num/{id}", M, &[path_any("id"), int("u_id")], "M9 the customer's badge", |r| r.to(chat::query_num)),
    api(Post, "/zhugeleida/xiaochengxu/chat/encrypted_phone_number/{id}", M, &[path_any("id"), int("u_id").body(), text("encryptedData").body(), text("iv").body(), text("type").opt()], "M7 decrypt and store the customer's phone", |r| r.to(phone::encrypted_phone_number)),
    api(Post, "/zhugeleida/xiaochengxu/chat/phone_number_by_code/{id}", M, &[path_any("id"), int("u_id").body(), text("code").body(), text("type").opt()], "the customer's phone by getPhoneNumber code (issue 13)", |r| r.to(phone::phone_number_by_code)),
    socket("/zhugeleida/xiaochengxu/websocket/xiaochengxu_chat", Customer, "WS-M mini-program chat socket", |r| r.to(ws::mini_program_chat)),
    // Case library (spec §5.7) and the undocumented endpoints of §5.9.
    api(Get, "/zhugeleida/xiaochengxu/case_manage/case_list", M, &[int("company_id"), int("status").opt(), int("case_id").opt(), int("search_tag_id").opt(), text("customer_name").opt(), ORDER, PAGE, LENGTH], "M27 the case library", |r| r.to(case::case_list)),
    api(Post, "/zhugeleida/xiaochengxu/case_manage/collection_case", M, &[int("company_id").body().opt(), int("case_id").body(), int("status").body()], "M34 collect or uncollect a case", |r| r.to(case::collection_case)),
    api(Get, "/zhugeleida/xiaochengxu/case_manage/browse_case_list_record", M, &[int("company_id"), PAGE, LENGTH], "M36 my footprints", |r| r.to(case::browse_list)),
    api(Get, "/zhugeleida/xiaochengxu/case_manage/collection_case_list_record", M, &[int("company_id"), PAGE, LENGTH], "M37 my collections", |r| r.to(case::collection_list)),
    api(Get, "/zhugeleida/xiaochengxu/case_tag/case_list", M, &[int("company_id"), text("name").opt(), PAGE, LENGTH], "M28 tags, or a fuzzy tag search", |r| r.to(case::tag_list)),
    api(Get, "/zhugeleida/xiaochengxu/case_tag/history_case_list", M, &[int("company_id")], "M29 my tag-search history", |r| r.to(case::tag_history)),
    api(Get, "/zhugeleida/xiaochengxu/case_tag/top_search_tag_list", M, &[int("company_id")], "M30 hot tags", |r| r.to(case::top_tags)),
    api(Get, "/zhugeleida/xiaochengxu/diary_manage/diary_list", M, &[int("company_id"), int("status").opt(), int("diary_id").opt(), text("title").opt(), int("case_id").opt(), ORDER, PAGE, LENGTH], "M31 diaries", |r| r.to(diary::diary_list)),
    api(Post, "/zhugeleida/xiaochengxu/diary_manage/review_diary/{id}", M, &[path_int("id"), int("company_id").body().opt(), text("content").body()], "M32 comment on a diary", |r| r.to(diary::review_diary)),
    api(Get, "/zhugeleida/xiaochengxu/diary_manage/diary_id_review_list/{id}", M, &[path_int("id"), int("company_id"), PAGE, LENGTH], "M33 a diary's comments", |r| r.to(diary::review_list)),
    api(Post, "/zhugeleida/xiaochengxu/diary_manage/praise_diary/{id}", M, &[path_int("id"), int("company_id").body().opt()], "M35 praise a diary", |r| r.to(diary::praise_diary)),
    api(Get, "/zhugeleida/xiaochengxu/login/bottom_button_info", None, &[int("company_id"), text("version_num").opt(), text("user_version").opt()], "the mini-program's bottom buttons", |r| r.to(extra::bottom_button_info)),
    api(Get, "/zhugeleida/xiaochengxu/login/control_mingan_info", None, &[], "the sensitive-content switch", |r| r.to(extra::control_mingan_info)),
    api(Get, "/zhugeleida/xiaochengxu/chat/record_customer_click_dialog_box/{id}", M, &[path_any("id"), int("xcx_type").opt()], "the customer opened the chat box", |r| r.to(extra::record_click_dialog_box)),
    api(Get, "/zhugeleida/xiaochengxu/customer", M, &[], "the signed customer's profile", |r| r.to(extra::customer_info)),
    // test_login (spec §5.6), with login.test_mode only.
    Route { when: When::TestMode, ..api(Get, "/zhugeleida/xiaochengxu/test_login", None, &[text("code")], "M24 test-app login", |r| r.to(test_login::test_login)) },
    Route { when: When::TestMode, ..api(Post, "/zhugeleida/xiaochengxu/test_login/send_form_id", None, &[int("user_id").body(), text("formId").body()], "M25 test-app formId (unsigned)", |r| r.to(test_login::test_send_form_id)) },
    Route { when: When::TestMode, ..api(Post, "/zhugeleida/xiaochengxu/test_login/send_user_info", None, &[int("user_id").body(), text("nickName").body(), text("avatarUrl").body().opt()], "M26 test-app profile (unsigned)", |r| r.to(test_login::test_send_user_info)) },
    // Radar side (spec §7, §6.6).
    api(Post, "/zhugeleida/qiyeweixin/login", None, &[text("login_user").body(), text("password").body()], "radar login", |r| r.to(radar::radar_login)),
    api(Get, "/zhugeleida/qiyeweixin/contact", R, &[PAGE, LENGTH], "R1 conversation list", |r| r.to(radar_chat::contact)),
    api(Get, "/zhugeleida/qiyeweixin/contact/query_num", R, &[], "R2 radar badge", |r| r.to(radar_chat::contact_query_num)),
    api(Get, "/zhugeleida/qiyeweixin/chat", R, &[int("customer_id"), PAGE, LENGTH], "R3 page a conversation", |r| r.to(radar_chat::chat_page)),
    api(Get, "/zhugeleida/qiyeweixin/chat/getmsg/{id}", R, &[path_any("id"), int("customer_id"), int("since_id").opt(), int("wait").opt()], "R4 unread of a pair (long-poll with wait)", |r| r.to(radar_chat::get_msg)),
    api(Post, "/zhugeleida/qiyeweixin/chat/send_msg/{id}", R, &[path_any("id"), int("customer_id").body(), text("content").body(), int("send_type").body(), text("client_msg_id").body().opt()], "R5 the radar user sends", |r| r.to(radar_chat::send_msg)),
    api(Get, "/zhugeleida/qiyeweixin/action/time", R, &[int("customer_id").opt(), int("since_id").opt(), PAGE, LENGTH], "R6 the action feed", |r| r.to(radar_feed::action_time)),
    api(Get, "/zhugeleida/qiyeweixin/customer/info", R, &[int("customer_id")], "a customer's profile (console)", |r| r.to(radar_extra::customer_info)),
    api(Get, "/zhugeleida/qiyeweixin/product/product_list", R, &[PAGE, LENGTH], "the company's products (console)", |r| r.to(radar_extra::product_list)),
    socket("/zhugeleida/qiyeweixin/websocket/leida_chat", Radar, "WS-R1 radar chat socket", |r| r.to(ws::radar_chat)),
    socket("/zhugeleida/qiyeweixin/websocket/leida_query_info_num", Radar, "WS-R2 radar unread-count socket", |r| r.to(ws::radar_badge)),
    socket("/zhugeleida/qiyeweixin/websocket/leida_query_contact_list", Radar, "WS-R3 radar contact-list socket", |r| r.to(ws::radar_contacts)),
    // The document's websocket paths (spec §10), served as well.
    socket("/zhugeleida/public/websocket/xiaochengxu", Customer, "WS-M at the document's path", |r| r.to(ws::mini_program_chat)),
    socket("/zhugeleida/public/websocket/leida", Radar, "WS-R1 at the document's path", |r| r.to(ws::radar_chat)),
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
    // The radar console (crate::console), with its security headers.
    other("/console", Answer::Html, When::Always, "the radar console", Serve::Handler(|r| r.to(crate::console::console_page))),
    other("/console/simulator", Answer::Html, When::Always, "the customer simulator (404 unless console.simulator is on)", Serve::Handler(|r| r.to(crate::console::simulator_page))),
    other("/console/simulator/radar_users", Answer::Json, When::Always, "whom a simulated customer can bind to (404 unless the simulator is on)", Serve::Handler(|r| r.to(crate::console::radar_users))),
    Route { params: &[path_any("path")], ..other("/console/{path:.+}", Answer::File, When::Always, "the console's embedded scripts and styles", Serve::Handler(|r| r.to(crate::console::asset))) },
    // Generated pictures (avatars, posters) at the relative `statics/…` paths stored in rows.
    Route { params: &[path_any("path")], ..other("/statics/{path:.+}", Answer::File, When::Always, "generated avatars and posters", Serve::Statics) },
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

/// What decides which rows are registered on a listener.
#[derive(Debug, Clone)]
pub struct Mount {
    /// `login.test_mode`: the test_login family.
    pub test_mode: bool,
    /// `/metrics` on this listener.
    pub metrics_here: bool,
    /// `<data_dir>/statics`.
    pub statics: std::path::PathBuf,
}

impl Route {
    /// Whether this row is served under `mount`.
    pub fn mounted(&self, mount: &Mount) -> bool {
        match self.when {
            When::Always => true,
            When::TestMode => mount.test_mode,
            When::MetricsHere => mount.metrics_here,
        }
    }
}

/// The rows served under `mount`, in registration order.
pub fn served(mount: &Mount) -> impl Iterator<Item = &'static Route> + '_ {
    ROUTES.iter().filter(move |r| r.mounted(mount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert(r.path), "{} listed twice", r.path);
            assert!(
                r.path == "/" || !r.path.ends_with('/'),
                "{}: trailing slash",
                r.path
            );
        }
    }

    #[test]
    fn a_signed_route_lives_under_its_familys_prefix() {
        for r in ROUTES {
            let family = match r.path {
                p if p.starts_with("/zhugeleida/xiaochengxu/") => Some(Customer),
                p if p.starts_with("/zhugeleida/public/websocket/xiaochengxu") => Some(Customer),
                p if p.starts_with("/zhugeleida/qiyeweixin/") => Some(Radar),
                p if p.starts_with("/zhugeleida/public/websocket/leida") => Some(Radar),
                p if p.starts_with("/zhugeleida/admin/") => Some(Admin),
                _ => None,
            };
            if let Some(signed) = r.signed {
                assert_eq!(Some(signed), family, "{}", r.path);
            }
        }
    }

    #[test]
    fn path_parameters_match_the_pattern_and_names_are_unique() {
        for r in ROUTES {
            let in_pattern: Vec<&str> = r
                .path
                .split('{')
                .skip(1)
                .filter_map(|s| s.split(['}', ':']).next())
                .collect();
            let listed: Vec<&str> = r
                .params
                .iter()
                .filter(|p| p.at == In::Path)
                .map(|p| p.name)
                .collect();
            assert_eq!(in_pattern, listed, "{}", r.path);
            let mut names = std::collections::HashSet::new();
            for p in r.params {
                assert!(names.insert(p.name), "{}: {} twice", r.path, p.name);
                assert!(
                    !(p.at == In::Body && r.method == Method::Get),
                    "{}: a body field on GET",
                    r.path
                );
            }
        }
    }

    #[test]
    fn no_route_is_registered_outside_the_table() {
        // `configure` registers the table; a resource, scope or route made anywhere else would be
        // served without being described or covered. (health.rs: the separate metrics listener.)
        let allowed = ["http/mod.rs", "http/routes.rs", "http/health.rs"];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![root.clone()];
        let mut offenders = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path.strip_prefix(&root).expect("under src");
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !rel.ends_with(".rs") || allowed.contains(&rel.as_str()) {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("readable");
                for needle in ["web::resource(", "web::scope(", ".route(\"", "Files::new("] {
                    if text.contains(needle) {
                        offenders.push(format!("{rel}: {needle}"));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "routes outside http::routes: {offenders:?}"
        );
    }
}
