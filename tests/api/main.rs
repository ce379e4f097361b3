//! Integration tests: the real server against a fresh PostgreSQL database per test.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions may unwrap
mod admin;
mod auth_matrix;
mod avatar;
mod card;
mod card_views;
mod case;
mod case_cache;
mod chat;
mod chat_store;
mod cluster;
mod console;
mod delivery;
mod diary;
mod extra;
mod fuzz;
mod helpers;
mod hostile_input;
mod login;
mod login_limit;
mod notify;
mod openapi;
mod ops_health;
mod ops_metrics;
mod phone;
mod poster;
#[path = "../support/private_redis.rs"]
mod private_redis;
mod product;
mod revocation;
mod schemathesis;
mod socket;
mod socket_limits;
#[path = "../support/tcp_proxy.rs"]
mod tcp_proxy;
#[path = "../support/test_db.rs"]
mod test_db;
mod transport;
mod wechat_token;
mod ws_client;
