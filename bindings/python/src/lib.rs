//! The `wxcloud._native` Python extension: glue between Python and the `wxcloud` core.
//!
//! Every behaviour lives in the core crate; this crate converts values (`convert`), errors
//! (`errors`), arguments (`structured`) and replies (`calls`, `results`). The Python package
//! `wxcloud` re-exports what it defines.
use pyo3::prelude::*;
use pyo3::types::PyString;

mod admin;
mod aio;
mod cache;
mod calls;
mod client;
mod convert;
mod database;
mod emulator;
mod errors;
mod ffi;
mod functions;
mod logging;
mod records;
mod results;
mod statements;
mod storage;
mod structured;
mod tokens;
mod values;

/// The extension's own allocations (replies, records, the emulator in-process) go to mimalloc,
/// as the Node addon's do: many small allocations freed together, which glibc serves slowly.
/// Python's objects keep Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Decodes Extended JSON record strings (as the service returns them) into dicts of native
/// values. Given one string, returns one dict; given an iterable of strings, a list of dicts.
#[pyfunction]
fn decode<'py>(py: Python<'py>, records: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(s) = records.cast::<PyString>() {
        return records::document(py, crate::ffi::Utf8::of(s)?.as_str());
    }
    records::iterable(py, records).map(Bound::into_any)
}

/// Decodes any Extended JSON value (a record, an array, a scalar) into its Python value.
#[pyfunction]
fn decode_value<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    records::value(py, text)
}

/// Writes a value (usually a dict) as Extended JSON text: canonical by default, the form the
/// service returns records in; `relaxed=True` gives plain numbers and ISO dates, the form people
/// read. The inverse of `decode` for dicts.
#[pyfunction]
#[pyo3(signature = (value, *, relaxed = false))]
fn encode(value: &Bound<'_, PyAny>, relaxed: bool) -> PyResult<String> {
    let value = convert::py_to_value(value)?;
    Ok(if relaxed {
        wxcloud::ejson::to_relaxed_string(&value)
    } else {
        wxcloud::ejson::to_canonical_value_string(&value)
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    values::register(m)?;
    statements::register(m)?;
    results::register(m)?;
    storage::register(m)?;
    database::register(m)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<emulator::Emulator>()?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(decode_value, m)?)?;
    m.add_function(wrap_pyfunction!(logging::_set_log_sink, m)?)?;
    m.add_function(wrap_pyfunction!(aio::_wait_idle, m)?)?;
    m.add_function(wrap_pyfunction!(logging::_set_log_level, m)?)?;
    Ok(())
}
