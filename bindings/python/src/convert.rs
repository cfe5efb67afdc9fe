//! Converting between `wxcloud::Value` and Python objects — the binding's hot path.
//!
//! Out: Null → None, Bool → bool, Int32/Int64 → int, Double → float, Decimal128 →
//! `decimal.Decimal`, String → str, Date → aware UTC `datetime`, ObjectId → str (24 hex
//! digits), Binary → bytes (subtype 0) or `wxcloud.Binary`, Regex → `wxcloud.Regex`, Timestamp /
//! MinKey / MaxKey → their `wxcloud` classes, arrays → list, documents → dict (key order kept).
//!
//! In: the same types, plus tuple (→ array), bytearray / memoryview (→ Binary) and `re.Pattern`
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

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PATTERN: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static ONE_MS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

// ---------------------------------------------------------------- Value → Python

/// Converts a document into a dict, keeping key order.
pub fn document_to_py<'py>(py: Python<'py>, doc: &Document) -> PyResult<Bound<'py, PyDict>> {
    Out::new(py).document(doc)
}

/// Converts documents into a list of dicts, sharing key strings between records.
pub fn documents_to_py<'py>(py: Python<'py>, docs: &[Document]) -> PyResult<Bound<'py, PyList>> {
    let mut out = Out::new(py);
    let list = PyList::empty(py);
    for doc in docs {
        list.append(out.document(doc)?)?;
    }
    Ok(list)
}

/// Converts one value into its Python object.
pub fn value_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Out::new(py).value(v)
}

/// Keys longer than this are not shared (field names are short; long keys are data).
const MAX_SHARED_KEY: usize = 64;
/// At most this many distinct keys are shared per conversion.
const MAX_SHARED_KEYS: usize = 4096;

/// One conversion: records of a reply repeat the same field names, so each name becomes one
/// Python string (with its hash computed once) shared by every record.
pub struct Out<'py> {
    py: Python<'py>,
    keys: std::collections::HashMap<Box<str>, Bound<'py, PyString>>,
}

impl<'py> Out<'py> {
    /// Starts a conversion.
    pub fn new(py: Python<'py>) -> Self {
        Out {
            py,
            keys: std::collections::HashMap::new(),
        }
    }

    fn key(&mut self, k: &str) -> Bound<'py, PyString> {
        if k.len() > MAX_SHARED_KEY {
            return PyString::new(self.py, k);
        }
        if let Some(s) = self.keys.get(k) {
            return s.clone();
        }
        let s = PyString::new(self.py, k);
        if self.keys.len() < MAX_SHARED_KEYS {
            self.keys.insert(k.into(), s.clone());
        }
        s
    }

    /// Converts a document into a dict, keeping key order.
    pub fn document(&mut self, doc: &Document) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(self.py);
        for (k, v) in doc {
            dict.set_item(self.key(k), self.value(v)?)?;
        }
        Ok(dict)
    }

    fn value(&mut self, v: &Value) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        Ok(match v {
            Value::Null => py.None().into_bound(py),
            Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
            Value::Int32(n) => n.into_pyobject(py)?.into_any(),
            Value::Int64(n) => n.into_pyobject(py)?.into_any(),
            Value::Double(f) => PyFloat::new(py, *f).into_any(),
            Value::String(s) => PyString::new(py, s).into_any(),
            Value::Document(d) => self.document(d)?.into_any(),
            Value::Array(items) => {
                let list = PyList::empty(py);
                for item in items {
                    list.append(self.value(item)?)?;
                }
                list.into_any()
            }
            Value::Decimal128(s) => DECIMAL
                .import(py, "decimal", "Decimal")?
                .call1((s.as_str(),))?,
            Value::Date(ms) => date_to_py(py, *ms)?.into_any(),
            Value::ObjectId(bytes) => PyString::new(py, &hex(bytes)).into_any(),
            Value::Binary { subtype: 0, bytes } => PyBytes::new(py, bytes).into_any(),
            Value::Binary { subtype, bytes } => Bound::new(
                py,
                Binary {
                    data: bytes.clone(),
                    subtype: *subtype,
                },
            )?
            .into_any(),
            Value::Regex { pattern, options } => Bound::new(
                py,
                Regex {
                    pattern: pattern.clone(),
                    options: options.clone(),
                },
            )?
            .into_any(),
            Value::Timestamp { t, i } => Bound::new(py, Timestamp { t: *t, i: *i })?.into_any(),
            Value::MinKey => Bound::new(py, MinKey)?.into_any(),
            Value::MaxKey => Bound::new(py, MaxKey)?.into_any(),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Milliseconds since the epoch → an aware UTC datetime. Dates outside Python's years 1..=9999
/// raise `DecodeError`.
fn date_to_py(py: Python<'_>, ms: i64) -> PyResult<Bound<'_, PyDateTime>> {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = wxcloud::ejson::civil_from_days(days);
    if !(1..=9999).contains(&year) {
        return Err(errors::to_py_err(wxcloud::Error::decode(format!(
            "date {ms} ms since the epoch is outside the years Python's datetime can hold"
        ))));
    }
    let secs = in_day / 1000;
    PyDateTime::new(
        py,
        year as i32,
        month as u8,
        day as u8,
        (secs / 3600) as u8,
        (secs / 60 % 60) as u8,
        (secs % 60) as u8,
        (in_day % 1000) as u32 * 1000,
        Some(&*PyTzInfo::utc(py)?),
    )
}

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
