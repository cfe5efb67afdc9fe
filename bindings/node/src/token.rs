//! `tokenProvider`: a JavaScript function, sync or async, as the core's token callback.
//!
//! The function is called on the JavaScript thread whenever the core's token cache needs a new
//! token (one call at a time; the cache does the single-flight). It may return a token string,
//! `{accessToken, expiresIn}` (seconds), or a Promise of either. Anything else, a throw or a
//! rejection becomes a `WXCLOUD_TOKEN` error for the calls waiting on it — never an uncaught
//! exception.

use std::time::Duration;

use napi::JsValue as _;
use napi::bindgen_prelude::{CallbackContext, FromNapiValue, PromiseRaw};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Result, Status, Unknown, sys};
use tokio::sync::oneshot;
use wxcloud::token::AccessToken;

use crate::raw::{Js, JsValue};

/// The provider as a thread-safe handle: no queue limit, and weak so that an idle client does
/// not keep the process alive.
pub type ProviderFn = ThreadsafeFunction<(), Unknown<'static>, (), Status, false, true>;

type Sender = oneshot::Sender<std::result::Result<AccessToken, String>>;

/// Calls the provider once and waits for its token.
pub(crate) async fn fetch(provider: &ProviderFn) -> wxcloud::Result<AccessToken> {
    let (tx, rx) = oneshot::channel();
    let status = provider.call_with_return_value((), ThreadsafeFunctionCallMode::NonBlocking, move |ret, env| {
        settle(ret, env, tx);
        Ok(())
    });
    if status != Status::Ok {
        return Err(wxcloud::Error::token(format!(
            "the token provider could not be called ({status})"
        )));
    }
    match rx.await {
        Ok(Ok(token)) => Ok(token),
        Ok(Err(message)) => Err(wxcloud::Error::token(format!("the token provider failed: {message}"))),
        Err(_) => Err(wxcloud::Error::token("the token provider never answered")),
    }
}

/// On the JavaScript thread: reads the provider's return value, waiting on it if it is a
/// Promise, and sends the outcome.
fn settle(ret: Result<Unknown<'static>>, env: Env, tx: Sender) {
    let js = Js(env.raw());
    let value = match ret {
        Ok(v) => v.raw(),
        Err(e) => {
            let _ = tx.send(Err(e.reason.lines().next().unwrap_or_default().to_owned()));
            return;
        }
    };
    match js.is_promise(value) {
        Ok(true) => {
            if let Err(e) = wait_for(js, value, tx) {
                // `tx` is gone with the callbacks; the waiting call sees "never answered".
                let _ = e;
            }
        }
        _ => {
            let _ = tx.send(grant(js, value));
        }
    }
}

fn wait_for(js: Js, promise: JsValue, tx: Sender) -> Result<()> {
    let tx = std::rc::Rc::new(std::cell::Cell::new(Some(tx)));
    let tx_then = tx.clone();
    // SAFETY: `promise` is a live Promise handle on this env.
    let promise = unsafe { PromiseRaw::<Unknown>::from_napi_value(js.0, promise)? };
    let then = promise.then(move |ctx: CallbackContext<Unknown>| {
        if let Some(tx) = tx_then.take() {
            let _ = tx.send(grant(Js(ctx.env.raw()), ctx.value.raw()));
        }
        Ok(())
    })?;
    then.catch(move |ctx: CallbackContext<Unknown>| {
        if let Some(tx) = tx.take() {
            let _ = tx.send(Err(describe(Js(ctx.env.raw()), ctx.value.raw())));
        }
        Ok(())
    })?;
    Ok(())
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
                    return Ok(Err("expected {accessToken: string, expiresIn?: number}".into()));
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
                Ok(Ok(AccessToken::new(token, Duration::from_secs_f64(seconds))))
            }
            _ => Ok(Err("expected a token string or {accessToken, expiresIn}".into())),
        }
    };
    read().unwrap_or_else(|e| {
        js.clear_exception();
        Err(format!("its result could not be read ({})", e.status))
    })
}

/// The message of a thrown or rejected value, for the error the caller gets.
fn describe(js: Js, reason: JsValue) -> String {
    let read = || -> Result<String> {
        if js.type_of(reason)? == sys::ValueType::napi_object {
            let message = js.get_named(reason, "message")?;
            if js.type_of(message)? == sys::ValueType::napi_string {
                return js.get_string(message);
            }
        }
        js.to_display(reason)
    };
    read().unwrap_or_else(|_| {
        js.clear_exception();
        "it rejected".to_owned()
    })
}
