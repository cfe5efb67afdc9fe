//! `wxcloud.Emulator`: a local Cloud Base running in-process, for users' own tests.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::client::{AsyncClient, Client, build_core, runtime};
use crate::tokens::LoopSlot;

/// A local Cloud Base (the `wxcloud emulator` server) running in this process on 127.0.0.1 and
/// an OS-chosen port, in memory unless given `data_path`. Use it as a context manager, or call
/// `stop()`; `client()` gives a client already configured for it. `seed_sample=True` loads the
/// four sample records into `test_collection`; `token_ttl` sets how long tokens live (seconds).
/// `functions={"name": callable}` serves cloud functions: each callable gets the event (a dict)
/// and returns the function's return value; `function_timeout` is their time limit (seconds,
/// default 5 as on the real service).
#[pyclass(module = "wxcloud", frozen)]
pub struct Emulator {
    running: Mutex<Option<wxcloud_emulator::RunningEmulator>>,
    /// The `wxcloud._functions.FunctionRunner` of `functions=`, closed at stop.
    runner: Py<PyAny>,
    /// The emulator's URL, e.g. `http://127.0.0.1:40123`.
    #[pyo3(get)]
    base_url: String,
    /// The app id it accepts.
    #[pyo3(get)]
    appid: String,
    /// The app secret it accepts.
    #[pyo3(get)]
    secret: String,
    /// The default cloud environment (`test2-4a89da`).
    #[pyo3(get)]
    env: String,
}

#[pymethods]
impl Emulator {
    /// Starts the emulator.
    #[new]
    #[pyo3(signature = (*, data_path = None, seed_sample = false, token_ttl = None, functions = None, function_timeout = None))]
    fn new(
        py: Python<'_>,
        data_path: Option<std::path::PathBuf>,
        seed_sample: bool,
        token_ttl: Option<f64>,
        functions: Option<&Bound<'_, PyAny>>,
        function_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let ttl = seconds(token_ttl, "token_ttl")?;
        let function_timeout = seconds(function_timeout, "function_timeout")?;
        let (handlers, runner) = crate::functions::handlers(py, functions)?;
        let running = py
            .detach(|| {
                runtime().block_on(async move {
                    let mut builder =
                        wxcloud_emulator::Emulator::builder().seed_sample(seed_sample);
                    if let Some(ttl) = ttl {
                        builder = builder.token_ttl(ttl);
                    }
                    if let Some(limit) = function_timeout {
                        builder = builder.function_timeout(limit);
                    }
                    for (name, handler) in handlers {
                        builder = builder.function(name, handler);
                    }
                    let builder = match data_path {
                        Some(path) => builder.data_path(path),
                        None => builder.in_memory(),
                    };
                    builder.start().await
                })
            })
            .map_err(|e| crate::errors::transport(format!("the emulator did not start: {e}")))?;
        Ok(Emulator {
            base_url: running.base_url(),
            appid: running.appid().to_owned(),
            secret: running.secret().to_owned(),
            env: running.env().to_owned(),
            running: Mutex::new(Some(running)),
            runner,
        })
    }

    /// A blocking client for this emulator; keyword options as for `Client` (e.g. `raw=True`,
    /// `timeout=`, `env=`).
    #[pyo3(signature = (*, env = None, raw = false, timeout = None, max_retries = None, token_mode = None))]
    fn client(
        &self,
        py: Python<'_>,
        env: Option<String>,
        raw: bool,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        token_mode: Option<String>,
    ) -> PyResult<Client> {
        let slot = LoopSlot::default();
        let core = self.core(py, env, timeout, max_retries, token_mode, &slot)?;
        Ok(Client::wrap(core, raw, slot))
    }

    /// An asyncio client for this emulator; options as for `client()`.
    #[pyo3(signature = (*, env = None, raw = false, timeout = None, max_retries = None, token_mode = None))]
    fn async_client(
        &self,
        py: Python<'_>,
        env: Option<String>,
        raw: bool,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        token_mode: Option<String>,
    ) -> PyResult<AsyncClient> {
        let slot = LoopSlot::default();
        let core = self.core(py, env, timeout, max_retries, token_mode, &slot)?;
        Ok(AsyncClient::wrap(core, raw, slot))
    }

    /// Stops the emulator (its in-memory data is gone). Stopping twice does nothing.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(running) = running {
            py.detach(|| runtime().block_on(running.shutdown()));
        }
        self.runner.bind(py).call_method0("close")?;
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("Emulator(base_url={:?}, env={:?})", self.base_url, self.env)
    }
}

/// An optional number of seconds as a `Duration`; `what` names the argument in the error.
fn seconds(secs: Option<f64>, what: &str) -> PyResult<Option<std::time::Duration>> {
    secs.map(|secs| {
        std::time::Duration::try_from_secs_f64(secs).map_err(|_| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "{what} must be a positive number of seconds"
            ))
        })
    })
    .transpose()
}

impl Emulator {
    fn core(
        &self,
        py: Python<'_>,
        env: Option<String>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        token_mode: Option<String>,
        slot: &LoopSlot,
    ) -> PyResult<wxcloud::Client> {
        // Not from the environment: a WXCLOUD_ACCESS_TOKEN meant for WeChat must not leak in.
        build_core(
            py,
            wxcloud::ClientBuilder::new(),
            Some(self.appid.clone()),
            Some(self.secret.clone()),
            Some(env.unwrap_or_else(|| self.env.clone())),
            Some(self.base_url.clone()),
            None,
            None,
            token_mode,
            timeout,
            max_retries,
            slot,
        )
    }
}
