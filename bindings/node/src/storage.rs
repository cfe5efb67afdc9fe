//! The arguments and results of the storage and function calls: what `uploadFile` accepts as
//! its source (a Buffer, a path, or a stream read chunk by chunk), a function's event as JSON,
//! and the plain objects the calls resolve to.

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue};
use napi::{Result, sys};
use wxcloud::{DeleteResult, DownloadLink, QcloudToken, UploadSource};

use crate::args::{Bad, Read, ReadJs};
use crate::raw::{Js, JsValue};
use crate::settle::{self, JsFn};

/// `uploadFile`'s source.
pub struct Source(pub UploadSource);

const WRONG_SOURCE: &str =
    "uploadFile: source must be a Buffer, a Uint8Array, a path string or a Readable stream";

fn invalid(message: impl Into<String>) -> Bad {
    Bad::Input(wxcloud::Error::invalid_argument(message))
}

impl ReadJs for Source {
    const TS: &'static str = "UploadSource";
    fn read(js: Js, v: JsValue) -> Read<Self> {
        match js.type_of(v)? {
            sys::ValueType::napi_string => {
                return Ok(Source(UploadSource::path(js.get_string(v)?)));
            }
            sys::ValueType::napi_object => {}
            _ => return Err(invalid(WRONG_SOURCE)),
        }
        if js.is_typedarray(v)? {
            return match js.uint8_array_bytes(v)? {
                Some(bytes) => Ok(Source(UploadSource::bytes(bytes))),
                None => Err(invalid(WRONG_SOURCE)),
            };
        }
        match async_iterator(js, v)? {
            Some(next) => Ok(Source(UploadSource::stream(chunks(next), None))),
            None => Err(invalid(WRONG_SOURCE)),
        }
    }
}

/// The iterator's `next`, bound to it; called once per chunk, never twice at a time.
type NextFn = JsFn<(), false>;

/// `v[Symbol.asyncIterator]().next`, bound, for a `Readable` or any async iterable.
fn async_iterator(js: Js, v: JsValue) -> Read<Option<NextFn>> {
    let symbol = js.get_named(js.get_named(js.global()?, "Symbol")?, "asyncIterator")?;
    let make = js.get(v, symbol)?;
    if js.type_of(make)? != sys::ValueType::napi_function {
        return Ok(None);
    }
    let iterator = js.call(v, make, &[])?;
    let next = js.get_named(iterator, "next")?;
    if js.type_of(next)? != sys::ValueType::napi_function {
        return Ok(None);
    }
    let bind = js.get_named(next, "bind")?;
    let bound = js.call(next, bind, &[iterator])?;
    // SAFETY: `bound` is a live function handle on this env.
    Ok(Some(unsafe { NextFn::from_napi_value(js.0, bound)? }))
}

/// The stream's chunks as the core reads them: each pull awaits one `next()` on the JavaScript
/// thread, so a chunk is read only when the upload is ready for it.
fn chunks(
    next: NextFn,
) -> impl futures::Stream<Item = std::io::Result<wxcloud::Bytes>> + Send + 'static {
    futures::stream::try_unfold(next, |next| async move {
        match settle::call(&next, (), chunk).await {
            Ok(Some(bytes)) => Ok(Some((wxcloud::Bytes::from(bytes), next))),
            Ok(None) => Ok(None),
            Err(message) => Err(std::io::Error::other(format!(
                "the upload stream failed: {message}"
            ))),
        }
    })
}

/// The bytes of one `{ value, done }` step (`None` when done); a string chunk is its UTF-8.
fn chunk(js: Js, step: JsValue) -> std::result::Result<Option<Vec<u8>>, String> {
    let read = || -> Result<std::result::Result<Option<Vec<u8>>, String>> {
        if js.type_of(step)? != sys::ValueType::napi_object {
            return Ok(Err(
                "its iterator gave something other than { value, done }".into(),
            ));
        }
        let done = js.get_named(step, "done")?;
        if js.type_of(done)? == sys::ValueType::napi_boolean && js.get_bool(done)? {
            return Ok(Ok(None));
        }
        let value = js.get_named(step, "value")?;
        if js.type_of(value)? == sys::ValueType::napi_string {
            return Ok(Ok(Some(js.get_string(value)?.into_bytes())));
        }
        if js.type_of(value)? == sys::ValueType::napi_object
            && js.is_typedarray(value)?
            && let Some(bytes) = js.uint8_array_bytes(value)?
        {
            return Ok(Ok(Some(bytes)));
        }
        Ok(Err(
            "a chunk was not a Buffer, a Uint8Array or a string".into()
        ))
    };
    read().unwrap_or_else(|e| Err(format!("a chunk could not be read ({})", e.status)))
}

/// A function's event: `JSON.stringify` of the value, parsed by the core's JSON reader. A value
/// `JSON.stringify` refuses (a cycle, a BigInt) is an error before anything is sent.
pub struct Event(pub serde_json::Value);

impl ReadJs for Event {
    const TS: &'static str = "unknown";
    fn read(js: Js, v: JsValue) -> Read<Self> {
        let text = match js.json_stringify(v) {
            Ok(text) => text,
            Err(_) => {
                let why = js
                    .take_exception()
                    .map(|e| settle::describe(js, e))
                    .unwrap_or_default();
                return Err(invalid(format!(
                    "invokeFunction: the event cannot be written as JSON: {why}"
                )));
            }
        };
        // `undefined`, a function or a symbol: no event.
        let Some(text) = text else {
            return Ok(Event(serde_json::Value::Null));
        };
        serde_json::from_str(&text).map(Event).map_err(|e| {
            invalid(format!(
                "invokeFunction: the event cannot be sent as JSON: {e}"
            ))
        })
    }
}

/// A function's return value, as JavaScript values.
pub struct Json(pub serde_json::Value);

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        // One `JSON.parse`: V8 builds the objects natively, big integers become numbers as in JS.
        Js(env).json_parse(&val.0.to_string())
    }
}

fn entry(js: Js, file_id: &str, status: i64, errmsg: &str) -> Result<JsValue> {
    let object = js.object()?;
    js.set_named(object, "fileId", js.string(file_id)?)?;
    js.set_named(object, "status", js.double(status as f64)?)?;
    js.set_named(object, "errmsg", js.string(errmsg)?)?;
    Ok(object)
}

fn array(js: Js, items: impl ExactSizeIterator<Item = Result<JsValue>>) -> Result<JsValue> {
    let out = js.array(items.len())?;
    for (i, item) in items.enumerate() {
        js.set_element(out, i as u32, item?)?;
    }
    Ok(out)
}

/// `[{ fileId, url, status, errmsg }]`.
pub struct Links(pub Vec<DownloadLink>);

impl ToNapiValue for Links {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let js = Js(env);
        array(
            js,
            val.0.iter().map(|l| {
                let object = entry(js, &l.file_id, l.status, &l.errmsg)?;
                js.set_named(object, "url", js.string(&l.url)?)?;
                Ok(object)
            }),
        )
    }
}

/// `[{ fileId, status, errmsg }]`.
pub struct Deleted(pub Vec<DeleteResult>);

impl ToNapiValue for Deleted {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let js = Js(env);
        array(
            js,
            val.0
                .iter()
                .map(|r| entry(js, &r.file_id, r.status, &r.errmsg)),
        )
    }
}

/// `{ secretId, secretKey, token, expiredTime }`.
pub struct Credentials(pub QcloudToken);

impl ToNapiValue for Credentials {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let js = Js(env);
        let t = &val.0;
        let object = js.object()?;
        js.set_named(object, "secretId", js.string(&t.secret_id)?)?;
        js.set_named(object, "secretKey", js.string(&t.secret_key)?)?;
        js.set_named(object, "token", js.string(&t.token)?)?;
        js.set_named(object, "expiredTime", js.double(t.expired_time as f64)?)?;
        Ok(object)
    }
}
