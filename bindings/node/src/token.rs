//! `tokenProvider`: a JavaScript function, sync or async, as the core's token callback.
//!
//! The function is called on the JavaScript thread whenever the core's token cache needs a new
//! token (one call at a time; the cache does the single-flight). It may return a token string,
//! `{accessToken, expiresIn}` (seconds), or a Promise of either. Anything else, a throw or a
//! rejection becomes a `WXCLOUD_TOKEN` error for the calls waiting on it — never an uncaught
//! exception.

use std::time::Duration;

use napi::{Result, sys};
use wxcloud::token::AccessToken;

use crate::raw::{Js, JsValue};
use crate::settle::{self, JsFn};

/// The provider as a thread-safe handle: no queue limit, and weak so that an idle client does
/// not keep the process alive.
pub type ProviderFn = JsFn<(), true>;

/// Calls the provider once and waits for its token.
pub(crate) async fn fetch(provider: &ProviderFn) -> wxcloud::Result<AccessToken> {
    settle::call(provider, (), grant)
        .await
        .map_err(|message| wxcloud::Error::token(format!("the token provider failed: {message}")))
}

/// A token from what the provider gave: a string, or `{accessToken, expiresIn}`.
fn grant(js: Js, v: JsValue) -> std::result::Result<AccessToken, String> {
    let read = || -> Result<std::result::Result<AccessToken, String>> {
        match js.type_of(v)? {
            sys::ValueType::napi_string => Ok(Ok(AccessToken::without_expiry(js.get_string(v)?))),
            sys::ValueType::napi_object => {
                let mut token = js.get_named(v, "accessToken")?;
                if js.type_of(token)? != sys::ValueType::napi_string {
                    token = js.get_named(v, "token")?;
                }
                if js.type_of(token)? != sys::ValueType::napi_string {
                    return Ok(Err(
                        "expected {accessToken: string, expiresIn?: number}".into()
                    ));
                }
                let token = js.get_string(token)?;
                let expires_in = js.get_named(v, "expiresIn")?;
                if js.type_of(expires_in)? != sys::ValueType::napi_number {
                    return Ok(Ok(AccessToken::without_expiry(token)));
                }
                let seconds = js.get_f64(expires_in)?;
                if !(seconds.is_finite() && seconds > 0.0) {
                    return Ok(Err("expiresIn must be a positive number of seconds".into()));
                }
                Ok(Ok(AccessToken::new(
                    token,
                    Duration::from_secs_f64(seconds),
                )))
            }
            _ => Ok(Err(
                "expected a token string or {accessToken, expiresIn}".into()
            )),
        }
    };
    read().unwrap_or_else(|e| {
        js.clear_exception();
        Err(format!("its result could not be read ({})", e.status))
    })
}
