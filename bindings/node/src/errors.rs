//! Errors as `WxCloudError` instances with a stable `code`, plus `errcode`, `errmsg` and `hint`.
//!
//! `index.js` hands its `WxCloudError` class to [`register_error_class`] when the package
//! loads; every error the addon raises is then built with that class on the JavaScript thread,
//! so `err instanceof WxCloudError` holds for thrown errors and rejected promises alike. The
//! message is the core error's `Display`, which never contains a token or a secret.

use std::cell::Cell;

use napi::JsValue as _;
use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{Env, Result, Unknown, ValueType, sys};
use napi_derive::napi;
use wxcloud::ErrorKind;

use crate::raw::{Js, JsValue};

thread_local! {
    /// The `WxCloudError` constructor of the JavaScript thread this addon was loaded on.
    static ERROR_CLASS: Cell<Option<sys::napi_ref>> = const { Cell::new(None) };
}

/// The `err.code` string for a kind, as the contract names it.
pub(crate) fn code_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Token => "WXCLOUD_TOKEN",
        ErrorKind::Transient => "WXCLOUD_SERVER_BUSY",
        ErrorKind::RateLimit => "WXCLOUD_RATE_LIMIT",
        ErrorKind::InvalidRequest => "WXCLOUD_INVALID_REQUEST",
        ErrorKind::AccessDenied => "WXCLOUD_ACCESS_DENIED",
        ErrorKind::NotFound => "WXCLOUD_NOT_FOUND",
        ErrorKind::Transport => "WXCLOUD_TRANSPORT",
        ErrorKind::Timeout => "WXCLOUD_TIMEOUT",
        ErrorKind::Decode => "WXCLOUD_DECODE",
        ErrorKind::Statement => "WXCLOUD_STATEMENT",
        _ => "WXCLOUD_API",
    }
}

/// Remembers the `WxCloudError` class; `index.js` calls this once at load.
#[napi(js_name = "__registerErrorClass", skip_typescript)]
pub fn register_error_class(env: Env, class: Unknown) -> Result<()> {
    let js = Js(env.raw());
    let reference = js.reference(class.raw())?;
    ERROR_CLASS.with(|c| c.set(Some(reference)));
    Ok(())
}

/// The JavaScript error object for a core error.
pub(crate) fn error_object(js: Js, err: &wxcloud::Error) -> Result<JsValue> {
    let message = js.string(&err.to_string())?;
    let details = js.object()?;
    js.set_named(details, "code", js.string(code_of(err.kind()))?)?;
    js.set_named(details, "kind", js.string(err.kind().name())?)?;
    if let Some(errcode) = err.errcode() {
        js.set_named(details, "errcode", js.double(errcode as f64)?)?;
    }
    if let Some(errmsg) = err.errmsg() {
        js.set_named(details, "errmsg", js.string(errmsg)?)?;
    }
    if let Some(hint) = err.hint() {
        js.set_named(details, "hint", js.string(hint)?)?;
    }
    if let Some(code) = err.cos_code() {
        js.set_named(details, "cosCode", js.string(code)?)?;
    }
    match ERROR_CLASS.with(Cell::get) {
        Some(class) => js.new_instance(js.deref(class)?, &[message, details]),
        None => {
            let mut error = std::ptr::null_mut();
            let code = js.string(code_of(err.kind()))?;
            // SAFETY: live env on the JavaScript thread; all handles are from this scope.
            unsafe { sys::napi_create_error(js.0, code, message, &mut error) };
            js.set_named(error, "details", details)?;
            Ok(error)
        }
    }
}

/// A napi error that throws (or rejects with) the `WxCloudError` for `err`.
pub(crate) fn throwable(js: Js, err: &wxcloud::Error) -> napi::Error {
    match error_object(js, err) {
        // SAFETY: the handle was just created on this env.
        Ok(object) => napi::Error::from(unsafe { Unknown::from_raw_unchecked(js.0, object) }),
        Err(e) => e,
    }
}

/// The outcome of a call, settled on the JavaScript thread: the value, or a `WxCloudError`.
pub struct Reply<T>(pub wxcloud::Result<T>);

impl<T> From<wxcloud::Result<T>> for Reply<T> {
    fn from(r: wxcloud::Result<T>) -> Self {
        Reply(r)
    }
}

impl<T: TypeName> TypeName for Reply<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }
    fn value_type() -> ValueType {
        T::value_type()
    }
}

impl<T: ToNapiValue> ToNapiValue for Reply<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        match val.0 {
            Ok(v) => unsafe { T::to_napi_value(env, v) },
            Err(e) => Err(throwable(Js(env), &e)),
        }
    }
}
