//! Integration tests: the real server against a fresh PostgreSQL database per test.
mod card;
mod helpers;
mod login;
mod product;
mod transport;
