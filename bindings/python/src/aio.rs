//! Running core futures on the shared tokio runtime and handing their results to Python.
//!
//! An async call returns an `asyncio.Future` of the caller's loop; a tokio task runs the core
//! future and delivers the result with `loop.call_soon_threadsafe`. Every call in flight (async,
//! or blocking in another thread) is counted, and an `atexit` hook waits for the count to reach
//! zero before the interpreter finalizes: a tokio thread must never attach to an interpreter
//! that is shutting down (before Python 3.13 such a thread is torn down mid-call, which crashes
//! the process).

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::calls::Reply;
use crate::client::runtime;
use crate::errors::to_py_err;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static CLOSING: AtomicBool = AtomicBool::new(false);

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DELIVER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Counts one call in flight for as long as it lives.
pub struct InFlight(());

impl InFlight {
    /// Starts counting a call.
    pub fn start() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        InFlight(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether the interpreter is about to finalize (the `atexit` hook ran): nothing may attach.
pub fn closing() -> bool {
    CLOSING.load(Ordering::SeqCst)
}

/// Runs `fut` on the runtime and returns an `asyncio.Future` of the running loop for its result.
/// Raises `RuntimeError` when no event loop is running, as asyncio APIs do.
pub fn spawn<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = wxcloud::Result<Reply>> + Send + 'static,
{
    let event_loop = GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()?;
    let py_future = event_loop.call_method0("create_future")?;
    let (event_loop, target) = (event_loop.unbind(), py_future.clone().unbind());
    let in_flight = InFlight::start();
    let task = runtime().spawn(async move {
        let result = fut.await;
        Python::attach(|py| {
            let (ok, value) = match result
                .map_err(to_py_err)
                .and_then(|r| r.into_pyobject(py).map(Bound::unbind))
            {
                Ok(v) => (true, v),
                Err(e) => (false, e.into_value(py).into_any()),
            };
            if let Ok(deliver) = DELIVER.import(py, "wxcloud._aio", "deliver") {
                // A closed loop refuses the callback: the caller is gone, so the result is dropped.
                let _ = event_loop
                    .bind(py)
                    .call_method1("call_soon_threadsafe", (deliver, target, ok, value));
            }
            drop(event_loop);
        });
        drop(in_flight);
    });
    py_future.call_method1("add_done_callback", (Canceller(task.abort_handle()),))?;
    Ok(py_future)
}

/// Stops the tokio task when its asyncio future is cancelled (`task.cancel()`,
/// `asyncio.wait_for` timing out): the request is dropped wherever it is.
#[pyclass(frozen)]
struct Canceller(tokio::task::AbortHandle);

#[pymethods]
impl Canceller {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.0.abort();
        }
        Ok(())
    }
}

/// An `asyncio.Future` already holding `value` (for `__aenter__`, `close()`, ...).
pub fn ready<'py>(py: Python<'py>, value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let event_loop = GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()?;
    let fut = event_loop.call_method0("create_future")?;
    fut.call_method1("set_result", (value,))?;
    Ok(fut)
}

/// Waits (without the GIL) until no call is in flight, at most `timeout` seconds; from then on
/// nothing attaches to Python. Registered with `atexit` by the `wxcloud` package.
#[pyfunction]
pub fn _wait_idle(py: Python<'_>, timeout: f64) {
    CLOSING.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs_f64(timeout.max(0.0));
    py.detach(|| {
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    });
}
