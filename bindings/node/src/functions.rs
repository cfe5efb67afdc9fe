//! `new Emulator({ functions: { name: fn } })`: JavaScript functions as the emulator's cloud
//! functions.
//!
//! The emulator runs a function on its tokio runtime; [`JsFunction`] queues the call on the
//! JavaScript thread with the event as a plain object, waits for the Promise if the function
//! returns one, and hands back `JSON.stringify` of the result. A throw, a rejection or a result
//! `JSON.stringify` refuses (a cycle, a BigInt) fails the call with the service's errcode — never
//! an uncaught exception.

use std::sync::Arc;

use napi::bindgen_prelude::FromNapiValue;
use napi::sys;
use wxcloud_emulator::{FunctionFuture, FunctionHandler, FunctionReply};

use crate::args::{Read, misconfigured};
use crate::raw::{Js, JsValue};
use crate::settle::{self, JsFn};

/// A handler as a thread-safe handle; weak, so a running emulator does not keep the process
/// alive by itself.
type HandlerFn = JsFn<serde_json::Value, true>;

/// One JavaScript function serving a cloud function.
#[derive(Clone)]
pub struct JsFunction(Arc<HandlerFn>);

impl FunctionHandler for JsFunction {
    fn call(&self, event: serde_json::Value) -> FunctionFuture {
        let f = self.0.clone();
        Box::pin(async move {
            settle::call(&f, event, json_text)
                .await
                .map(FunctionReply::Text)
        })
    }
}

/// The function's return value as JSON text (`undefined` is `null`).
fn json_text(js: Js, v: JsValue) -> Result<String, String> {
    match js.json_stringify(v) {
        Ok(text) => Ok(text.unwrap_or_else(|| "null".to_owned())),
        Err(_) => Err(match js.take_exception() {
            Some(e) => format!(
                "its return value cannot be written as JSON: {}",
                settle::describe(js, e)
            ),
            None => "its return value cannot be written as JSON".to_owned(),
        }),
    }
}

/// Reads the `functions` option: an object whose every value is a function.
pub(crate) fn read(js: Js, v: JsValue) -> Read<Vec<(String, JsFunction)>> {
    if js.type_of(v)? != sys::ValueType::napi_object {
        return Err(misconfigured(
            "functions: expected an object of functions by name".into(),
        ));
    }
    let keys = js.own_keys(v)?;
    let mut out = Vec::new();
    for i in 0..js.array_len(keys)? {
        let key = js.element(keys, i)?;
        let name = js.get_string(key)?;
        let f = js.get(v, key)?;
        if js.type_of(f)? != sys::ValueType::napi_function {
            return Err(misconfigured(format!(
                "functions.{name}: expected a function"
            )));
        }
        // SAFETY: `f` is a live function handle on this env.
        let handle = unsafe { HandlerFn::from_napi_value(js.0, f)? };
        out.push((name, JsFunction(Arc::new(handle))));
    }
    Ok(out)
}
