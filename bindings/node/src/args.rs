//! Arguments read from JavaScript, keeping an unusable one as the core error it causes.
//!
//! A value that cannot become a statement (a function, a cycle, a bad `orderBy`) is not thrown
//! while the arguments are read: it is carried into the call as an `Err`, so a method returning
//! a Promise rejects with the `WxCloudError` like every other failure, and a synchronous function
//! throws it. Only Node-API failures (such as an exception thrown by a getter) surface at once.

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{ValueType, sys};

use crate::raw::{Js, JsValue};

/// Why an argument could not be read.
pub(crate) enum Bad {
    /// The value is unusable; the call fails with this error.
    Input(wxcloud::Error),
    /// A Node-API call failed (possibly with a JavaScript exception pending).
    Napi(napi::Error),
}

impl From<napi::Error> for Bad {
    fn from(e: napi::Error) -> Self {
        Bad::Napi(e)
    }
}

/// The result of reading an argument.
pub(crate) type Read<T> = std::result::Result<T, Bad>;

/// A statement error for an unusable input value.
pub(crate) fn invalid(message: String) -> Bad {
    Bad::Input(wxcloud::Error::statement(message))
}

/// A configuration error for an unusable option.
pub(crate) fn misconfigured(message: String) -> Bad {
    Bad::Input(wxcloud::Error::config(message))
}

/// Something read from one JavaScript argument.
pub(crate) trait ReadJs: Sized {
    /// Its TypeScript type, for error messages and type names.
    const TS: &'static str;
    /// Reads it from `v`.
    fn read(js: Js, v: JsValue) -> Read<Self>;
}

/// An argument as read: the value, or the error using it will cause.
pub struct Arg<T>(pub wxcloud::Result<T>);

impl<T: ReadJs> TypeName for Arg<T> {
    fn type_name() -> &'static str {
        T::TS
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl<T: ReadJs> ValidateNapiValue for Arg<T> {}

impl<T: ReadJs> FromNapiValue for Arg<T> {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> napi::Result<Self> {
        match T::read(Js(env), v) {
            Ok(t) => Ok(Arg(Ok(t))),
            Err(Bad::Input(e)) => Ok(Arg(Err(e))),
            Err(Bad::Napi(e)) => Err(e),
        }
    }
}

impl<T> Arg<T> {
    /// The value, or the error.
    pub(crate) fn get(self) -> wxcloud::Result<T> {
        self.0
    }
}

/// An optional argument: absent (`undefined`/`null`) reads as `T::default()`.
pub(crate) fn optional<T: Default>(arg: Option<Arg<T>>) -> wxcloud::Result<T> {
    arg.map_or_else(|| Ok(T::default()), Arg::get)
}
