//! `Emulator`: a local Cloud Base running inside the Node process, for tests and offline work.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{Env, Result, ValueType, sys};
use napi_derive::napi;
use wxcloud_emulator::RunningEmulator;

use crate::args::Bad;
use crate::client::Client;
use crate::errors::{Reply, throwable};
use crate::functions::JsFunction;
use crate::options::ClientOptions;
use crate::raw::Js;

/// `new Emulator({dataPath, seed, tokenTtlSeconds, functions, functionTimeoutMs})`.
#[derive(Clone, Default)]
pub struct EmulatorOptions {
    data_path: Option<String>,
    seed: bool,
    token_ttl: Option<Duration>,
    functions: Vec<(String, JsFunction)>,
    function_timeout: Option<Duration>,
}

impl TypeName for EmulatorOptions {
    fn type_name() -> &'static str {
        "EmulatorOptions"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for EmulatorOptions {}

impl FromNapiValue for EmulatorOptions {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> Result<Self> {
        let js = Js(env);
        let bad = |m: &str| {
            throwable(
                js,
                &wxcloud::Error::config(format!("Emulator options: {m}")),
            )
        };
        let mut o = EmulatorOptions::default();
        match js.type_of(v)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => return Ok(o),
            sys::ValueType::napi_object => {}
            _ => return Err(bad("expected an object")),
        }
        let path = js.get_named(v, "dataPath")?;
        match js.type_of(path)? {
            sys::ValueType::napi_string => o.data_path = Some(js.get_string(path)?),
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => {}
            _ => return Err(bad("dataPath must be a string")),
        }
        let seed = js.get_named(v, "seed")?;
        match js.type_of(seed)? {
            sys::ValueType::napi_boolean => o.seed = js.get_bool(seed)?,
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => {}
            _ => return Err(bad("seed must be a boolean")),
        }
        let ttl = js.get_named(v, "tokenTtlSeconds")?;
        match js.type_of(ttl)? {
            sys::ValueType::napi_number => {
                let secs = js.get_f64(ttl)?;
                if !(secs.is_finite() && secs >= 1.0) {
                    return Err(bad("tokenTtlSeconds must be at least 1"));
                }
                o.token_ttl = Some(Duration::from_secs_f64(secs));
            }
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => {}
            _ => return Err(bad("tokenTtlSeconds must be a number")),
        }
        let functions = js.get_named(v, "functions")?;
        match js.type_of(functions)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => {}
            _ => {
                o.functions = crate::functions::read(js, functions).map_err(|e| match e {
                    Bad::Input(e) => throwable(js, &e),
                    Bad::Napi(e) => e,
                })?
            }
        }
        let limit = js.get_named(v, "functionTimeoutMs")?;
        match js.type_of(limit)? {
            sys::ValueType::napi_number => {
                let ms = js.get_f64(limit)?;
                if !(ms.is_finite() && ms > 0.0) {
                    return Err(bad(
                        "functionTimeoutMs must be a positive number of milliseconds",
                    ));
                }
                o.function_timeout = Some(Duration::from_secs_f64(ms / 1000.0));
            }
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => {}
            _ => return Err(bad("functionTimeoutMs must be a number")),
        }
        Ok(o)
    }
}

/// What a started emulator tells clients.
#[derive(Clone)]
struct Address {
    base_url: String,
    appid: String,
    secret: String,
    env: String,
}

/// A local Cloud Base (token endpoints, every database call, storage, cloud functions, fault
/// injection hooks) serving on 127.0.0.1 at an OS-chosen port, in memory unless given a
/// `dataPath`. `functions: { name: async (event) => value }` serves cloud functions (sync or
/// async; a throw fails the call with the service's errcode); `functionTimeoutMs` is their
/// time limit (default 5000, as on the real service).
/// `await emulator.start()`, then `emulator.client()`; `await emulator.stop()` when done
/// (or `await using emulator = ...`).
#[napi]
pub struct Emulator {
    options: EmulatorOptions,
    running: Arc<Mutex<Option<RunningEmulator>>>,
    address: Arc<Mutex<Option<Address>>>,
}

fn not_started() -> wxcloud::Error {
    wxcloud::Error::config("the emulator is not running: await emulator.start() first")
}

impl Emulator {
    fn address(&self) -> wxcloud::Result<Address> {
        self.address
            .lock()
            .map_err(|_| not_started())?
            .clone()
            .ok_or_else(not_started)
    }
}

#[napi]
impl Emulator {
    /// An emulator, not yet started.
    #[napi(constructor, catch_unwind, ts_args_type = "options?: EmulatorOptions")]
    pub fn new(options: Option<EmulatorOptions>) -> Self {
        Emulator {
            options: options.unwrap_or_default(),
            running: Arc::new(Mutex::new(None)),
            address: Arc::new(Mutex::new(None)),
        }
    }

    /// Starts serving; resolves once it accepts connections. Starting a running emulator does
    /// nothing.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub async fn start(&self) -> Reply<()> {
        if self.address.lock().is_ok_and(|a| a.is_some()) {
            return Reply(Ok(()));
        }
        let mut builder = wxcloud_emulator::Emulator::builder().seed_sample(self.options.seed);
        builder = match &self.options.data_path {
            Some(path) => builder.data_path(path),
            None => builder.in_memory(),
        };
        if let Some(ttl) = self.options.token_ttl {
            builder = builder.token_ttl(ttl);
        }
        if let Some(limit) = self.options.function_timeout {
            builder = builder.function_timeout(limit);
        }
        for (name, handler) in &self.options.functions {
            builder = builder.function(name.clone(), handler.clone());
        }
        let running = match builder.start().await {
            Ok(r) => r,
            Err(e) => {
                return Reply(Err(wxcloud::Error::config(format!(
                    "the emulator could not start: {e}"
                ))));
            }
        };
        let address = Address {
            base_url: running.base_url(),
            appid: running.appid().to_owned(),
            secret: running.secret().to_owned(),
            env: running.env().to_owned(),
        };
        if let (Ok(mut r), Ok(mut a)) = (self.running.lock(), self.address.lock()) {
            *r = Some(running);
            *a = Some(address);
        }
        Reply(Ok(()))
    }

    /// Stops serving, letting in-flight calls finish. Stopping a stopped emulator does nothing.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub async fn stop(&self) -> Reply<()> {
        let running = self.running.lock().ok().and_then(|mut r| r.take());
        if let Ok(mut a) = self.address.lock() {
            *a = None;
        }
        if let Some(running) = running {
            running.shutdown().await;
        }
        Reply(Ok(()))
    }

    /// Whether it is serving.
    #[napi(getter, catch_unwind)]
    pub fn running(&self) -> bool {
        self.address.lock().is_ok_and(|a| a.is_some())
    }

    /// `http://127.0.0.1:PORT`, the base URL for clients.
    #[napi(getter, catch_unwind, ts_return_type = "string")]
    pub fn base_url(&self) -> Reply<String> {
        Reply(self.address().map(|a| a.base_url))
    }

    /// The app id it accepts (`wxemulator`).
    #[napi(getter, catch_unwind, ts_return_type = "string")]
    pub fn appid(&self) -> Reply<String> {
        Reply(self.address().map(|a| a.appid))
    }

    /// The app secret it accepts (`emulator-secret`).
    #[napi(getter, catch_unwind, ts_return_type = "string")]
    pub fn secret(&self) -> Reply<String> {
        Reply(self.address().map(|a| a.secret))
    }

    /// The cloud environment it serves by default (`test2-4a89da`).
    #[napi(getter, catch_unwind, ts_return_type = "string")]
    pub fn env(&self) -> Reply<String> {
        Reply(self.address().map(|a| a.env))
    }

    /// A client configured for this emulator (its base URL, app and env; the `WXCLOUD_*`
    /// variables are not read). `options` may add or override anything else, such as
    /// `timeoutMs`, `maxRetries`, `tokenMode` or `raw`.
    #[napi(
        catch_unwind,
        ts_args_type = "options?: ClientOptions",
        ts_return_type = "Client"
    )]
    pub fn client(&self, env: Env, options: Option<ClientOptions>) -> napi::Result<Client> {
        let js = Js(env.raw());
        let address = self.address().map_err(|e| throwable(js, &e))?;
        let options = options.unwrap_or_default();
        let raw = options.raw;
        let builder = wxcloud::Client::builder()
            .base_url(address.base_url)
            .appid(address.appid)
            .secret(address.secret)
            .env(address.env);
        options
            .apply(builder)
            .build()
            .map(|inner| Client::from_core(inner, raw))
            .map_err(|e| throwable(js, &e))
    }
}
