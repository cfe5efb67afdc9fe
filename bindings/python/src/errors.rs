//! The exception hierarchy: one base, `WxCloudError`, and a class per `wxcloud::ErrorKind`.
//!
//! Every exception carries `errcode` and `errmsg` (None unless the service answered with an
//! errcode), `kind` (the Rust `ErrorKind` in snake case), `hint` (what to check, or None) and
//! `cos_code` (cloud storage's error code, such as `SignatureDoesNotMatch`, or None). They are instance attributes, so
//! pickling keeps them. Messages come from the core's `Display`, which never holds a token or a
//! secret.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTimeoutError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use wxcloud::ErrorKind;

create_exception!(
    wxcloud,
    WxCloudError,
    PyException,
    "Base of every error wxcloud raises."
);
create_exception!(
    wxcloud,
    ApiError,
    WxCloudError,
    "The service answered with a non-zero errcode."
);
create_exception!(
    wxcloud,
    TokenError,
    ApiError,
    "The token was rejected even after one refresh, or the credentials were refused."
);
create_exception!(
    wxcloud,
    ServerBusyError,
    ApiError,
    "A transient errcode was still returned after the retry budget."
);
create_exception!(
    wxcloud,
    RateLimitError,
    ApiError,
    "A quota or rate-limit errcode."
);
create_exception!(
    wxcloud,
    InvalidRequestError,
    ApiError,
    "The request was malformed (bad field, bad statement, wrong env ...)."
);
create_exception!(
    wxcloud,
    AccessDeniedError,
    ApiError,
    "An access or setup problem (IP whitelist, permission, Cloud Base not enabled ...)."
);
create_exception!(
    wxcloud,
    NotFoundError,
    ApiError,
    "A collection or other resource does not exist."
);
create_exception!(
    wxcloud,
    TransportError,
    WxCloudError,
    "The connection failed, or the reply was not JSON or not a 2xx."
);
create_exception!(
    wxcloud,
    DecodeError,
    WxCloudError,
    "A reply or record could not be decoded."
);

/// `wxcloud.TimeoutError(WxCloudError, builtins.TimeoutError)`.
static TIMEOUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
/// `wxcloud.StatementError(WxCloudError, ValueError)`.
static STATEMENT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Creates `class name(WxCloudError, extra)` — `create_exception!` allows only one base.
fn two_base_type(
    py: Python<'_>,
    name: &str,
    doc: &str,
    extra: Bound<'_, PyType>,
) -> PyResult<Py<PyType>> {
    let bases = PyTuple::new(py, [py.get_type::<WxCloudError>(), extra])?;
    let ns = PyDict::new(py);
    ns.set_item("__doc__", doc)?;
    ns.set_item("__module__", "wxcloud")?;
    let ty = py.get_type::<PyType>().call1((name, bases, ns))?;
    Ok(ty.cast_into::<PyType>()?.unbind())
}

fn timeout_error(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    TIMEOUT_ERROR
        .get_or_try_init(py, || {
            two_base_type(
                py,
                "TimeoutError",
                "The call ran past its timeout.",
                py.get_type::<PyTimeoutError>(),
            )
        })
        .map(|t| t.bind(py))
}

fn statement_error(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    STATEMENT_ERROR
        .get_or_try_init(py, || {
            two_base_type(
                py,
                "StatementError",
                "A pipeline, filter or value cannot be written as a statement; nothing was sent.",
                py.get_type::<PyValueError>(),
            )
        })
        .map(|t| t.bind(py))
}

/// The Python class for an error kind.
fn class_for(py: Python<'_>, kind: ErrorKind) -> PyResult<Bound<'_, PyType>> {
    Ok(match kind {
        ErrorKind::Token => py.get_type::<TokenError>(),
        ErrorKind::Transient => py.get_type::<ServerBusyError>(),
        ErrorKind::RateLimit => py.get_type::<RateLimitError>(),
        ErrorKind::InvalidRequest => py.get_type::<InvalidRequestError>(),
        ErrorKind::AccessDenied => py.get_type::<AccessDeniedError>(),
        ErrorKind::NotFound => py.get_type::<NotFoundError>(),
        ErrorKind::Api => py.get_type::<ApiError>(),
        ErrorKind::Transport => py.get_type::<TransportError>(),
        ErrorKind::Timeout => timeout_error(py)?.clone(),
        ErrorKind::Decode => py.get_type::<DecodeError>(),
        ErrorKind::Statement => statement_error(py)?.clone(),
        _ => py.get_type::<WxCloudError>(),
    })
}

/// The `kind` attribute: the Rust `ErrorKind` in snake case.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Token => "token",
        ErrorKind::Transient => "transient",
        ErrorKind::RateLimit => "rate_limit",
        ErrorKind::InvalidRequest => "invalid_request",
        ErrorKind::AccessDenied => "access_denied",
        ErrorKind::NotFound => "not_found",
        ErrorKind::Api => "api",
        ErrorKind::Transport => "transport",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Decode => "decode",
        ErrorKind::Statement => "statement",
        _ => "other",
    }
}

/// Builds the exception instance for a core error.
fn build(py: Python<'_>, err: &wxcloud::Error) -> PyResult<PyErr> {
    let kind = err.kind();
    let cls = class_for(py, kind)?;
    let exc = cls.call1((err.to_string(),))?;
    exc.setattr("kind", kind_name(kind))?;
    exc.setattr("hint", err.hint())?;
    exc.setattr("cos_code", err.cos_code())?;
    if let Some((errcode, errmsg)) = api_fields(err) {
        exc.setattr("errcode", errcode)?;
        exc.setattr("errmsg", errmsg)?;
    }
    Ok(PyErr::from_value(exc))
}

/// The errcode and errmsg of an API error.
fn api_fields(err: &wxcloud::Error) -> Option<(i64, &str)> {
    Some((err.errcode()?, err.errmsg().unwrap_or_default()))
}

/// Converts a core error into the matching Python exception.
pub fn to_py_err(err: wxcloud::Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|e| e))
}

/// A `StatementError` with this message, for values Python gives that cannot be written.
pub fn statement(message: impl Into<String>) -> PyErr {
    to_py_err(wxcloud::Error::statement(message))
}

/// A `TransportError` with this message, for failures of the in-process emulator.
pub fn transport(message: impl Into<String>) -> PyErr {
    Python::attach(|py| PyErr::from_type(py.get_type::<TransportError>(), message.into()))
}

/// Registers the exception classes on the module and gives every class `errcode`, `errmsg`
/// and `kind` defaults of None.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<WxCloudError>();
    for attr in ["errcode", "errmsg", "kind", "hint", "cos_code"] {
        base.setattr(attr, py.None())?;
    }
    m.add("WxCloudError", base)?;
    m.add("ApiError", py.get_type::<ApiError>())?;
    m.add("TokenError", py.get_type::<TokenError>())?;
    m.add("ServerBusyError", py.get_type::<ServerBusyError>())?;
    m.add("RateLimitError", py.get_type::<RateLimitError>())?;
    m.add("InvalidRequestError", py.get_type::<InvalidRequestError>())?;
    m.add("AccessDeniedError", py.get_type::<AccessDeniedError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("TransportError", py.get_type::<TransportError>())?;
    m.add("TimeoutError", timeout_error(py)?)?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add("StatementError", statement_error(py)?)?;
    Ok(())
}
