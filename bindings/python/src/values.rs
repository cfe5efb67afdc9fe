//! Small Python classes for the BSON values Python has no type of its own for.
//!
//! Everything else maps to a builtin (see `convert`): these exist so a record read from the
//! service and written back is unchanged. Each is immutable, comparable, hashable and picklable.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// A BSON regular expression: a pattern and its option letters (`i`, `m`, `s`, `x`, ...).
///
/// Kept as text because a BSON pattern is not always a valid Python pattern; `compile()` turns it
/// into an `re.Pattern` when it is. An `re.Pattern` is also accepted wherever a value is.
#[pyclass(module = "wxcloud", frozen, eq, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Regex {
    /// The pattern, without delimiters.
    #[pyo3(get)]
    pub pattern: String,
    /// The options, as letters.
    #[pyo3(get)]
    pub options: String,
}

#[pymethods]
impl Regex {
    #[new]
    #[pyo3(signature = (pattern, options = String::new()))]
    fn new(pattern: String, options: String) -> Self {
        Regex { pattern, options }
    }

    /// Compiles the pattern with Python's `re`, mapping `i`, `m`, `s`, `x` to their flags.
    fn compile<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let re = py.import("re")?;
        let mut flags = 0i64;
        for (letter, name) in [
            ('i', "IGNORECASE"),
            ('m', "MULTILINE"),
            ('s', "DOTALL"),
            ('x', "VERBOSE"),
        ] {
            if self.options.contains(letter) {
                flags |= re.getattr(name)?.extract::<i64>()?;
            }
        }
        re.call_method1("compile", (&self.pattern, flags))
    }

    fn __repr__(&self) -> String {
        format!("Regex({:?}, {:?})", self.pattern, self.options)
    }

    fn __getnewargs__(&self) -> (String, String) {
        (self.pattern.clone(), self.options.clone())
    }
}

/// A BSON timestamp: seconds since the epoch and an ordinal within that second.
#[pyclass(module = "wxcloud", frozen, eq, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    #[pyo3(get)]
    pub t: u32,
    /// The ordinal within that second.
    #[pyo3(get)]
    pub i: u32,
}

#[pymethods]
impl Timestamp {
    #[new]
    fn new(t: u32, i: u32) -> Self {
        Timestamp { t, i }
    }

    fn __repr__(&self) -> String {
        format!("Timestamp({}, {})", self.t, self.i)
    }

    fn __getnewargs__(&self) -> (u32, u32) {
        (self.t, self.i)
    }
}

/// Binary data with a non-zero BSON subtype (subtype 0 comes back as plain `bytes`).
#[pyclass(module = "wxcloud", frozen, eq, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Binary {
    /// The bytes.
    #[pyo3(get)]
    pub data: Vec<u8>,
    /// The BSON binary subtype.
    #[pyo3(get)]
    pub subtype: u8,
}

#[pymethods]
impl Binary {
    #[new]
    #[pyo3(signature = (data, subtype = 0))]
    fn new(data: Vec<u8>, subtype: u8) -> Self {
        Binary { data, subtype }
    }

    fn __bytes__(&self) -> &[u8] {
        &self.data
    }

    fn __repr__(&self) -> String {
        format!(
            "Binary(<{} bytes>, subtype={})",
            self.data.len(),
            self.subtype
        )
    }

    fn __getnewargs__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            [
                pyo3::types::PyBytes::new(py, &self.data).into_any(),
                self.subtype.into_pyobject(py)?.into_any(),
            ],
        )
    }
}

/// The BSON MinKey, smaller than every other value.
#[pyclass(module = "wxcloud", frozen, eq, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MinKey;

#[pymethods]
impl MinKey {
    #[new]
    fn new() -> Self {
        MinKey
    }

    fn __repr__(&self) -> &'static str {
        "MinKey()"
    }
}

/// The BSON MaxKey, larger than every other value.
#[pyclass(module = "wxcloud", frozen, eq, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MaxKey;

#[pymethods]
impl MaxKey {
    #[new]
    fn new() -> Self {
        MaxKey
    }

    fn __repr__(&self) -> &'static str {
        "MaxKey()"
    }
}

/// Registers the value classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Regex>()?;
    m.add_class::<Timestamp>()?;
    m.add_class::<Binary>()?;
    m.add_class::<MinKey>()?;
    m.add_class::<MaxKey>()?;
    Ok(())
}
