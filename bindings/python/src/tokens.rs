//! `token_provider=`: a Python function (or async function) the core's token cache calls for a
//! token. The cache decides when to call it (once for any number of concurrent callers); this
//! module only calls it and converts what it returns.
//!
//! The provider returns a token string (taken to live 7200 s, the service's lifetime) or a
//! `(token, expires_in_seconds)` pair. It runs on a blocking thread, never on a tokio worker. An
//! async provider runs on the event loop the `AsyncClient` was last used from, or, for a
//! blocking `Client`, on a fresh loop of its own (`asyncio.run`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// The lifetime of a token a provider returned without one.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(7200);

/// The asyncio loop an `AsyncClient` was last called from, for running an async provider.
#[derive(Clone, Default)]
pub struct LoopSlot(Arc<Mutex<Option<Py<PyAny>>>>);

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

impl LoopSlot {
    /// Records the running loop (called by every `AsyncClient` method, inside the loop).
    pub fn remember_running_loop(&self, py: Python<'_>) {
        let Ok(get) = GET_RUNNING_LOOP.import(py, "asyncio", "get_running_loop") else {
            return;
        };
        if let Ok(lp) = get.call0() {
            let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if slot.as_ref().is_none_or(|old| !old.bind(py).is(&lp)) {
                *slot = Some(lp.unbind());
            }
        }
    }

    fn running_loop<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        let slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let lp = slot.as_ref()?.bind(py).clone();
        lp.call_method0("is_running")
            .ok()?
            .is_truthy()
            .ok()?
            .then_some(lp)
    }
}

/// A Python callable acting as the client's token source.
pub struct PythonTokenProvider {
    func: Arc<Py<PyAny>>,
    loop_slot: LoopSlot,
}

impl PythonTokenProvider {
    /// Wraps the callable given as `token_provider=`.
    pub fn new(func: Py<PyAny>, loop_slot: LoopSlot) -> Self {
        PythonTokenProvider {
            func: Arc::new(func),
            loop_slot,
        }
    }

    /// Calls the provider on a blocking thread and returns the token and its lifetime.
    pub async fn fetch(&self) -> wxcloud::Result<wxcloud::AccessToken> {
        let (func, loop_slot) = (self.func.clone(), self.loop_slot.clone());
        tokio::task::spawn_blocking(move || Python::attach(|py| call(py, &func, &loop_slot)))
            .await
            .map_err(|_| wxcloud::Error::token("the token_provider function panicked"))?
            .map(|(token, lifetime)| wxcloud::AccessToken::new(token, lifetime))
    }
}

fn call(
    py: Python<'_>,
    func: &Py<PyAny>,
    loop_slot: &LoopSlot,
) -> wxcloud::Result<(String, Duration)> {
    let result = (|| -> PyResult<Bound<'_, PyAny>> {
        let mut out = func.bind(py).call0()?;
        let inspect = py.import("inspect")?;
        if inspect.call_method1("isawaitable", (&out,))?.is_truthy()? {
            let asyncio = py.import("asyncio")?;
            out = match loop_slot.running_loop(py) {
                Some(lp) => asyncio
                    .call_method1("run_coroutine_threadsafe", (out, lp))?
                    .call_method0("result")?,
                None => asyncio.call_method1("run", (out,))?,
            };
        }
        Ok(out)
    })();
    // The provider's exception text could hold anything (even the secret it used): keep only its type.
    let out = result.map_err(|e| {
        let name = e
            .get_type(py)
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "exception".into());
        wxcloud::Error::token(format!("the token_provider function raised {name}"))
    })?;
    if let Ok(token) = out.extract::<String>() {
        return Ok((token, DEFAULT_LIFETIME));
    }
    let bad = || {
        wxcloud::Error::token(
            "token_provider must return a token string or a (token, expires_in_seconds) pair",
        )
    };
    let (token, secs): (String, f64) = out.extract().map_err(|_| bad())?;
    Ok((token, Duration::try_from_secs_f64(secs).map_err(|_| bad())?))
}
