//! Integration tests: the real server against a fresh PostgreSQL database per test.
mod admin;
mod card;
mod chat;
mod helpers;
mod login;
mod phone;
mod product;
mod socket;
mod transport;
mod ws_client;
