//! A local emulator of the WeChat Cloud Base database HTTP API.
//!
//! It serves the token endpoints and every `/tcb/database*` call with the real service's error
//! codes, runs statements on a real embedded database (SQLite), and offers test hooks for fault
//! injection, token expiry and request statistics.

pub mod engine;
