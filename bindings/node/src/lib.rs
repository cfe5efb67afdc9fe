//! The `wxcloud` Node addon: glue between JavaScript and the `wxcloud` core.
//!
//! Every behaviour lives in the core crate; this addon converts values and errors. Converting
//! records into JavaScript objects is the hot path, done in [`values`] straight over Node-API.

mod client;
mod emulator;
mod errors;
mod options;
mod raw;
mod replies;
mod statements;
mod structured;
mod token;
mod values;

use napi_derive::napi;

use crate::errors::Reply;
use crate::values::Values;

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
pub fn decode(records: Vec<String>) -> Reply<Values> {
    let values: wxcloud::Result<Vec<_>> = records.iter().map(|r| wxcloud::ejson::decode_value(r)).collect();
    Reply(values.map(Values))
}
