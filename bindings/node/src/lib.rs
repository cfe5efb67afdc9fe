//! The `wxcloud` Node addon: glue between JavaScript and the `wxcloud` core.
use napi_derive::napi;

/// The version of the native addon.
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
