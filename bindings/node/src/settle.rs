//! Calling a JavaScript function from any thread and waiting for what it gives back.
//!
//! The token provider, the emulator's function handlers and a `Readable` being uploaded are all
//! JavaScript functions the core calls from tokio: [`call`] queues the call on the JavaScript
//! thread, waits on the Promise it returns (if it returns one) and reads the settled value there.
//! A throw or a rejection becomes `Err(message)` for the waiting Rust code — never an uncaught
//! exception in the process.

use napi::JsValue as _;
use napi::bindgen_prelude::{CallbackContext, FromNapiValue, JsValuesTupleIntoVec, PromiseRaw};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status, Unknown, sys};
use tokio::sync::oneshot;

use crate::raw::{Js, JsValue};

/// A JavaScript function callable from any thread with arguments `A` (converted on the
/// JavaScript thread), errors not passed to it (`CalleeHandled = false`).
pub(crate) type JsFn<A, const WEAK: bool> =
    ThreadsafeFunction<A, Unknown<'static>, A, Status, false, WEAK>;

/// Reads the settled value on the JavaScript thread.
pub(crate) type ReadFn<T> = fn(Js, JsValue) -> Result<T, String>;

/// Calls `f` with `args` and returns what `read` makes of its settled value.
pub(crate) async fn call<A, T, const WEAK: bool>(
    f: &JsFn<A, WEAK>,
    args: A,
    read: ReadFn<T>,
) -> Result<T, String>
where
    A: JsValuesTupleIntoVec + 'static,
    T: Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    let status = f.call_with_return_value(
        args,
        ThreadsafeFunctionCallMode::NonBlocking,
        move |ret, env| {
            settle(ret, env, read, tx);
            Ok(())
        },
    );
    if status != Status::Ok {
        return Err(format!("it could not be called ({status})"));
    }
    rx.await
        .unwrap_or_else(|_| Err("it never answered".to_owned()))
}

type Sender<T> = oneshot::Sender<Result<T, String>>;

/// On the JavaScript thread: reads the return value, waiting on it if it is a Promise.
fn settle<T: 'static>(
    ret: napi::Result<Unknown<'static>>,
    env: Env,
    read: ReadFn<T>,
    tx: Sender<T>,
) {
    let js = Js(env.raw());
    let value = match ret {
        Ok(v) => v.raw(),
        Err(e) => {
            let _ = tx.send(Err(e.reason.lines().next().unwrap_or_default().to_owned()));
            return;
        }
    };
    match js.is_promise(value) {
        // If the callbacks cannot be attached, `tx` is dropped with them: "never answered".
        Ok(true) => drop(wait_for(js, value, read, tx)),
        _ => {
            let _ = tx.send(read_checked(js, value, read));
        }
    }
}

fn wait_for<T: 'static>(
    js: Js,
    promise: JsValue,
    read: ReadFn<T>,
    tx: Sender<T>,
) -> napi::Result<()> {
    let tx = std::rc::Rc::new(std::cell::Cell::new(Some(tx)));
    let tx_then = tx.clone();
    // SAFETY: `promise` is a live Promise handle on this env.
    let promise = unsafe { PromiseRaw::<Unknown>::from_napi_value(js.0, promise)? };
    let then = promise.then(move |ctx: CallbackContext<Unknown>| {
        if let Some(tx) = tx_then.take() {
            let _ = tx.send(read_checked(Js(ctx.env.raw()), ctx.value.raw(), read));
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

/// `read`, dropping any exception it left pending (a getter that threw, ...).
fn read_checked<T>(js: Js, v: JsValue, read: ReadFn<T>) -> Result<T, String> {
    let out = read(js, v);
    if out.is_err() {
        js.clear_exception();
    }
    out
}

/// The message of a thrown or rejected value, for the error the caller gets.
pub(crate) fn describe(js: Js, reason: JsValue) -> String {
    let read = || -> napi::Result<String> {
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
