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
//! Everything is signed with the admin token except `login`; the routes are in `http::routes`. `/{o_id}` segments are required by
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
