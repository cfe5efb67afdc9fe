//! `Emulator(functions={"name": callable})`: Python callables as the emulator's cloud functions.
//!
//! The emulator runs a function on its tokio runtime; [`PyFunction`] moves the call to a
//! blocking thread, attaches to Python there and hands it to `wxcloud._functions.FunctionRunner`
//! (JSON text in and out, async callables on the runner's own loop). A callable that raises — or
//! returns something `json.dumps` refuses — fails the call with the service's errcode; the
//! exception never reaches the interpreter's top level.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyMapping;
use wxcloud_emulator::{FunctionFuture, FunctionHandler, FunctionReply};

/// How much of an exception's text goes into the errmsg of the failed call.
const MAX_MESSAGE: usize = 300;

/// One Python callable serving a cloud function.
pub struct PyFunction {
    func: Arc<Py<PyAny>>,
    runner: Arc<Py<PyAny>>,
}

impl FunctionHandler for PyFunction {
    fn call(&self, event: serde_json::Value) -> FunctionFuture {
        let (func, runner) = (self.func.clone(), self.runner.clone());
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let _in_flight = crate::aio::InFlight::start();
                if crate::aio::closing() {
                    return Err("the Python interpreter is shutting down".to_owned());
                }
                Python::attach(|py| run(py, &func, &runner, &event.to_string()))
            })
            .await
            .map_err(|_| "the function's thread failed".to_owned())?
        })
    }
}

fn run(
    py: Python<'_>,
    func: &Py<PyAny>,
    runner: &Py<PyAny>,
    event: &str,
) -> Result<FunctionReply, String> {
    runner
        .bind(py)
        .call_method1("call", (func.bind(py), event))
        .and_then(|text| text.extract::<String>())
        .map(FunctionReply::Text)
        .map_err(|e| describe(py, &e))
}

/// `TypeName: message`, first line, shortened: what the caller sees in the errmsg.
fn describe(py: Python<'_>, e: &PyErr) -> String {
    let name = e
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "exception".into());
    let text = e.value(py).str().map(|s| s.to_string()).unwrap_or_default();
    let line = text.lines().next().unwrap_or_default();
    let mut message = if line.is_empty() {
        name
    } else {
        format!("{name}: {line}")
    };
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

/// Functions by name, as the emulator's builder takes them.
pub type Named = Vec<(String, PyFunction)>;

/// The handlers for `functions=`: every value must be callable. Returns them with the runner
/// they share (an instance of `wxcloud._functions.FunctionRunner`), for `close()` at stop.
pub fn handlers(
    py: Python<'_>,
    functions: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Named, Py<PyAny>)> {
    let runner = py
        .import("wxcloud._functions")?
        .getattr("FunctionRunner")?
        .call0()?
        .unbind();
    let shared = Arc::new(runner.clone_ref(py));
    let mut out = Vec::new();
    let Some(functions) = functions else {
        return Ok((out, runner));
    };
    let functions = functions.cast::<PyMapping>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err("functions= must be a mapping of names to callables")
    })?;
    for item in functions.items()?.iter() {
        let (name, func): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let name: String = name.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err("functions= keys must be function names (str)")
        })?;
        if !func.is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "functions[{name:?}] must be callable"
            )));
        }
        out.push((
            name,
            PyFunction {
                func: Arc::new(func.unbind()),
                runner: shared.clone(),
            },
        ));
    }
    Ok((out, runner))
}
