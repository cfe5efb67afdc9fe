//! The `wxcloud` Node addon: glue between JavaScript and the `wxcloud` core.
//!
//! Every behaviour lives in the core crate; this addon converts values and errors. Converting
//! records into JavaScript objects is the hot path, done in [`tape`] straight from the text.

// Under `cargo test` napi-derive registers nothing, so the exported functions look unused.
#![cfg_attr(test, allow(dead_code))]

mod args;
mod client;
mod database;
mod emulator;
mod errors;
mod functions;
mod options;
mod raw;
mod replies;
mod settle;
mod statements;
mod storage;
mod structured;
mod tape;
mod token;
mod values;

use napi_derive::napi;

/// The addon's own allocations (decoded records, the JSON text of a batch) go to mimalloc:
/// decoding a batch makes many small allocations and frees them all at once, which glibc's
/// allocator answers with page faults and heap trimming on every call.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::values::{Decoded, Strings};

/// The version of the native addon.
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Decodes Extended JSON strings (what the service's `data` holds, and what raw mode returns)
/// into JavaScript values, one per string: a record becomes a plain object.
#[napi(
    catch_unwind,
    ts_generic_types = "T = Document",
    ts_args_type = "records: string[]",
    ts_return_type = "T[]"
)]
pub fn decode(records: Strings) -> Decoded {
    Decoded(records)
}

/// Panics on purpose (test hook, not API): shows a panic in a synchronous call becomes a
/// thrown error instead of aborting the process.
#[napi(js_name = "__panicForTests", catch_unwind, skip_typescript)]
pub fn panic_for_tests() -> u32 {
    if std::hint::black_box(true) {
        panic!("deliberate panic (test hook)");
    }
    0
}

/// Panics on purpose inside a Promise (test hook, not API): the Promise rejects.
#[napi(js_name = "__panicInPromiseForTests", catch_unwind, skip_typescript)]
pub async fn panic_in_promise_for_tests() -> u32 {
    if std::hint::black_box(true) {
        panic!("deliberate panic in a Promise (test hook)");
    }
    0
}
