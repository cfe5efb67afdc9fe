//! Converting Python objects into `wxcloud::Value`s (statement input). The other direction,
//! records into Python objects, goes straight from the text: see `records`.
//!
//! In: the types `decode` gives out, plus tuple (→ array), bytearray / memoryview (→ Binary) and `re.Pattern`
//! (→ Regex). An int becomes Int32 when it fits, else Int64; a larger one is refused. A naive
//! `datetime` is refused: the service stores instants, and guessing a zone is the classic bug.
//! Anything that cannot be written raises `StatementError` before anything is sent.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    IntoPyDict, PyBool, PyByteArray, PyBytes, PyDateTime, PyDict, PyFloat, PyInt, PyList,
    PyMemoryView, PyString, PyTuple, PyType, PyTzInfo,
};
use wxcloud::{Document, Value};

use crate::errors;
use crate::values::{Binary, MaxKey, MinKey, Regex, Timestamp};

/// How deep a Python structure may nest; deeper (or cyclic) input is refused, not a stack overflow.
const MAX_DEPTH: usize = 100;

/// `decimal.Decimal`, imported once.
pub static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PATTERN: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static ONE_MS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

// ---------------------------------------------------------------- Python → Value

/// Converts a dict (or any mapping with str keys) into a document.
pub fn py_to_document(obj: &Bound<'_, PyAny>) -> PyResult<Document> {
    match py_to_value(obj)? {
        Value::Document(d) => Ok(d),
        _ => Err(errors::statement(format!(
            "expected a dict, got {}",
            type_name(obj)
        ))),
    }
}

/// Converts a Python value into a `Value`, or raises `StatementError`.
pub fn py_to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_value(obj, 0)
}

fn to_value(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(errors::statement(format!(
            "value nests deeper than {MAX_DEPTH} levels (or refers to itself)"
        )));
    }
    if let Ok(s) = obj.cast_exact::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(n) = obj.cast::<PyInt>() {
        return int_to_value(n);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Value::Double(f.value()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut doc = Document::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                errors::statement(format!("document keys must be str, got {}", type_name(&k)))
            })?;
            doc.insert(key.to_cow()?.into_owned(), to_value(&v, depth + 1)?);
        }
        return Ok(Value::Document(doc));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|v| to_value(&v, depth + 1))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|v| to_value(&v, depth + 1))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(dt) = obj.cast::<PyDateTime>() {
        return datetime_to_value(dt);
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Value::Binary {
            subtype: 0,
            bytes: b.as_bytes().to_vec(),
        });
    }
    if obj.is_instance_of::<PyByteArray>() || obj.is_instance_of::<PyMemoryView>() {
        let bytes = obj.py().get_type::<PyBytes>().call1((obj,))?;
        return Ok(Value::Binary {
            subtype: 0,
            bytes: bytes.cast::<PyBytes>()?.as_bytes().to_vec(),
        });
    }
    if let Ok(b) = obj.cast::<Binary>() {
        let b = b.get();
        return Ok(Value::Binary {
            subtype: b.subtype,
            bytes: b.data.clone(),
        });
    }
    if let Ok(r) = obj.cast::<Regex>() {
        let r = r.get();
        return Ok(Value::Regex {
            pattern: r.pattern.clone(),
            options: r.options.clone(),
        });
    }
    if let Ok(t) = obj.cast::<Timestamp>() {
        let t = t.get();
        return Ok(Value::Timestamp { t: t.t, i: t.i });
    }
    if obj.is_instance_of::<MinKey>() {
        return Ok(Value::MinKey);
    }
    if obj.is_instance_of::<MaxKey>() {
        return Ok(Value::MaxKey);
    }
    let py = obj.py();
    if obj.is_instance(DECIMAL.import(py, "decimal", "Decimal")?)? {
        return Ok(Value::Decimal128(obj.str()?.to_cow()?.into_owned()));
    }
    if obj.is_instance(PATTERN.import(py, "re", "Pattern")?)? {
        return pattern_to_value(obj);
    }
    Err(errors::statement(format!(
        "cannot write a value of type {} in a statement",
        type_name(obj)
    )))
}

fn int_to_value(n: &Bound<'_, PyInt>) -> PyResult<Value> {
    if let Ok(v) = n.extract::<i32>() {
        return Ok(Value::Int32(v));
    }
    n.extract::<i64>()
        .map(Value::Int64)
        .map_err(|_| errors::statement(format!("integer {n} does not fit in 64 bits")))
}

/// An aware datetime → milliseconds since the epoch (floored, exact for every year).
fn datetime_to_value(dt: &Bound<'_, PyDateTime>) -> PyResult<Value> {
    let py = dt.py();
    if dt.call_method0("utcoffset")?.is_none() {
        return Err(errors::statement(format!(
            "naive datetime {} has no time zone; pass an aware datetime (e.g. tzinfo=timezone.utc)",
            dt.str()?
        )));
    }
    let epoch = EPOCH.get_or_try_init(py, || {
        PyDateTime::new(py, 1970, 1, 1, 0, 0, 0, 0, Some(&*PyTzInfo::utc(py)?))
            .map(|d| d.into_any().unbind())
    })?;
    let one_ms = ONE_MS.get_or_try_init(py, || {
        py.import("datetime")?
            .getattr("timedelta")?
            .call((), Some(&[("milliseconds", 1)].into_py_dict(py)?))
            .map(Bound::unbind)
    })?;
    let ms = dt
        .call_method1("__sub__", (epoch.bind(py),))?
        .call_method1("__floordiv__", (one_ms.bind(py),))?;
    Ok(Value::Date(ms.extract()?))
}

/// An `re.Pattern` → Regex, its flags as option letters.
fn pattern_to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let pattern = obj.getattr("pattern")?.extract::<String>().map_err(|_| {
        errors::statement("a bytes regular expression cannot be written; use a str pattern")
    })?;
    let flags: i64 = obj.getattr("flags")?.extract()?;
    let re = obj.py().import("re")?;
    let mut options = String::new();
    for (letter, name) in [
        ('i', "IGNORECASE"),
        ('m', "MULTILINE"),
        ('s', "DOTALL"),
        ('x', "VERBOSE"),
    ] {
        if flags & re.getattr(name)?.extract::<i64>()? != 0 {
            options.push(letter);
        }
    }
    Ok(Value::Regex { pattern, options })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}
