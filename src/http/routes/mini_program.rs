//! The mini-program's routes, `/zhugeleida/xiaochengxu` (spec §5): login, cards, products, chat
//! and its socket, the case library, the undocumented endpoints of §5.9 and test_login.

use actix_web::web;

use super::row::*;
use super::{Answer, Route, When};
use crate::http::params::Params;
use crate::http::product::Catalog;
use crate::http::{card, case, chat, diary, extra, login, phone, poster, product};
use crate::http::{subscribe, test_login, ws};
use crate::state::AppState;

/// The mini-program side, in registration order.
#[rustfmt::skip]
pub(super) const ROUTES: &[Route] = &[
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
];
