//! The radar side's routes, `/zhugeleida/qiyeweixin` (spec §7, §6.6), its sockets, and the
//! document's socket paths (spec §10).

use super::row::*;
use super::Route;
use crate::http::{radar, radar_chat, radar_extra, radar_feed, ws};

/// The radar side, in registration order.
#[rustfmt::skip]
pub(super) const ROUTES: &[Route] = &[
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
];
