//! Chat: the one send path shared by HTTP, sockets, binding greetings and product consults.

pub mod service;
