//! Extended JSON text → Python objects in one pass: a [`Sink`] that builds native objects as
//! the core's decoder reports each value, with no intermediate `wxcloud::Value`.
//!
//! Null → None, Bool → bool, Int32/Int64 → int, Double → float, Decimal128 → `decimal.Decimal`,
//! String → str, Date → aware UTC `datetime`, ObjectId → str (24 hex digits), Binary → bytes
//! (subtype 0) or `wxcloud.Binary`, Regex → `wxcloud.Regex`, Timestamp / MinKey / MaxKey → their
//! `wxcloud` classes, arrays → list, documents → dict (key order kept).
//!
//! What keeps it fast: field names, short values and document shapes come from process-wide
//! caches ([`cache`](crate::cache)): a dict is built when its document closes, as a copy of a
//! template of its shape when there is one, so it is never resized; a list is created once at
//! its final length; the common scalars are built in line, the rare ones apart; the `datetime`
//! constructor and UTC are looked up once per call (see [`ffi`](crate::ffi)); strings are
//! created by CPython's UTF-8 decoder, which writes ASCII text straight into a string of its
//! final width.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyList, PyString};
use wxcloud::ejson::{self, Scalar, Sink, SinkError};

use crate::cache::{Caches, Key};
use crate::convert::DECIMAL;
use crate::errors;
use crate::ffi::{DateTimes, Untracked, Utf8};
use crate::values::{Binary, MaxKey, MinKey, Regex, Timestamp};

/// Decodes one record into a dict.
pub fn document<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    Decoder::new(py)?.run(text, true)
}

/// Decodes any Extended JSON value into its Python value.
pub fn value<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    Decoder::new(py)?.run(text, false)
}

/// Decodes a reply's records into a list of dicts.
pub fn documents<'py>(
    py: Python<'py>,
    texts: &wxcloud::RecordTexts,
) -> PyResult<Bound<'py, PyList>> {
    let mut decoder = Decoder::new(py)?;
    let dicts = texts
        .iter()
        .map(|t| decoder.run(t, true))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, dicts)
}

/// Converts records the core has already decoded (a walk's pages) into a list of dicts, by
/// replaying each through the same sink.
pub fn decoded<'py>(py: Python<'py>, docs: &[wxcloud::Document]) -> PyResult<Bound<'py, PyList>> {
    let mut decoder = Decoder::new(py)?;
    let dicts = docs
        .iter()
        .map(|doc| decoder.replay(doc))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, dicts)
}

/// Decodes every record string `records` yields into a list of dicts.
pub fn iterable<'py>(py: Python<'py>, records: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    let mut decoder = Decoder::new(py)?;
    let mut dicts = Vec::with_capacity(records.len().unwrap_or(0));
    for item in records.try_iter()? {
        let item = item?;
        let s = item.cast::<PyString>().map_err(|_| {
            errors::to_py_err(wxcloud::Error::decode("decode() takes record strings"))
        })?;
        dicts.push(decoder.run(Utf8::of(s)?.as_str(), true)?);
    }
    PyList::new(py, dicts)
}

/// One decoding call: the sink and what it looked up once.
struct Decoder<'py> {
    sink: PySink<'py>,
}

impl<'py> Decoder<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        Ok(Decoder {
            sink: PySink {
                py,
                dates: DateTimes::new(py)?,
                open: Vec::new(),
                items: Vec::new(),
                keys: Vec::new(),
                entries: Vec::new(),
                done: None,
                failure: None,
                caches: Caches::take(),
                gc: Untracked::default(),
            },
        })
    }

    /// Decodes one text; `record` requires a document.
    fn run(&mut self, text: &str, record: bool) -> PyResult<Bound<'py, PyAny>> {
        let sink = &mut self.sink;
        let result = if record {
            ejson::decode_document_into(text, sink)
        } else {
            ejson::decode_value_into(text, sink)
        };
        let result = result.map_err(errors::to_py_err);
        self.finish(result)
    }

    /// Builds one decoded document's dict.
    fn replay(&mut self, doc: &wxcloud::Document) -> PyResult<Bound<'py, PyAny>> {
        let sink = &mut self.sink;
        let result = ejson::replay_document(sink, doc)
            .map_err(|e| errors::to_py_err(wxcloud::Error::decode(e.to_string())));
        self.finish(result)
    }

    /// Takes the built object and resets the sink for the next record; a Python exception the
    /// sink kept wins over the decoder's error.
    fn finish(&mut self, result: PyResult<()>) -> PyResult<Bound<'py, PyAny>> {
        let sink = &mut self.sink;
        let done = sink.done.take();
        sink.open.clear();
        sink.items.clear();
        sink.keys.clear();
        sink.entries.clear();
        sink.caches.get().record_done(sink.py);
        if let Some(err) = sink.failure.take() {
            return Err(err);
        }
        result?;
        Ok(done.unwrap_or_else(|| sink.py.None().into_bound(sink.py)))
    }
}

/// An open container.
enum Open {
    /// A dict, whose entries so far are `entries[start..]`.
    Dict(usize),
    /// A list, whose items so far are `items[start..]`.
    List(usize),
}

/// Builds Python objects from decoding events.
struct PySink<'py> {
    py: Python<'py>,
    dates: DateTimes<'py>,
    open: Vec<Open>,
    /// Items of the open lists, innermost last.
    items: Vec<Bound<'py, PyAny>>,
    /// Keys of the open dicts whose values are not finished yet, innermost last.
    keys: Vec<Key>,
    /// Entries of the open dicts, innermost last: each dict is built when it closes.
    entries: Vec<(Key, Bound<'py, PyAny>)>,
    done: Option<Bound<'py, PyAny>>,
    /// A Python exception raised while building (re-raised as it is).
    failure: Option<PyErr>,
    caches: Caches,
    /// The containers built so far, kept from the cyclic GC until the call ends.
    gc: Untracked<'py>,
}

impl<'py> PySink<'py> {
    /// Keeps a Python exception to re-raise, and stops the decoder.
    fn failed(&mut self, err: PyErr) -> SinkError {
        self.failure = Some(err);
        SinkError::new("a Python exception was raised")
    }

    fn built(&mut self, obj: PyResult<Bound<'py, PyAny>>) -> Result<(), SinkError> {
        match obj {
            Ok(obj) => self.push(obj),
            Err(err) => Err(self.failed(err)),
        }
    }

    /// Puts a finished object where it belongs: in the open container, or as the result.
    #[inline]
    fn push(&mut self, obj: Bound<'py, PyAny>) -> Result<(), SinkError> {
        match self.open.last() {
            Some(Open::Dict(_)) => {
                let key = self
                    .keys
                    .pop()
                    .ok_or_else(|| SinkError::new("a value without a key"))?;
                self.entries.push((key, obj));
            }
            Some(Open::List(_)) => self.items.push(obj),
            None => self.done = Some(obj),
        }
        Ok(())
    }

    /// The object for a scalar of a type records seldom hold (kept apart so the common ones
    /// stay small and in line).
    #[cold]
    fn rare_scalar(&mut self, value: Scalar<'_>) -> Result<Bound<'py, PyAny>, SinkError> {
        let py = self.py;
        let obj = match value {
            Scalar::ObjectId(id) => Ok(PyString::new(py, &ejson::object_id_hex(&id)).into_any()),
            Scalar::Decimal128(s) => DECIMAL
                .import(py, "decimal", "Decimal")
                .and_then(|d| d.call1((s,))),
            Scalar::Binary { subtype: 0, bytes } => Ok(PyBytes::new(py, bytes).into_any()),
            Scalar::Binary { subtype, bytes } => Bound::new(
                py,
                Binary {
                    data: bytes.to_vec(),
                    subtype,
                },
            )
            .map(Bound::into_any),
            Scalar::Regex { pattern, options } => Bound::new(
                py,
                Regex {
                    pattern: pattern.to_owned(),
                    options: options.to_owned(),
                },
            )
            .map(Bound::into_any),
            Scalar::Timestamp { t, i } => Bound::new(py, Timestamp { t, i }).map(Bound::into_any),
            Scalar::MinKey => Bound::new(py, MinKey).map(Bound::into_any),
            Scalar::MaxKey => Bound::new(py, MaxKey).map(Bound::into_any),
            Scalar::Null
            | Scalar::Bool(_)
            | Scalar::Int32(_)
            | Scalar::Int64(_)
            | Scalar::Double(_)
            | Scalar::String(_)
            | Scalar::Date(_) => {
                return Err(SinkError::new("a common scalar taken for a rare one"));
            }
        };
        obj.map_err(|err| self.failed(err))
    }

    /// Milliseconds since the epoch → an aware UTC datetime; dates outside Python's years
    /// 1..=9999 are refused (a decode error at the date's position).
    fn date(&self, ms: i64) -> Result<Bound<'py, PyAny>, SinkError> {
        let days = ms.div_euclid(86_400_000);
        let in_day = ms.rem_euclid(86_400_000);
        let (year, month, day) = ejson::civil_from_days(days);
        if !(1..=9999).contains(&year) {
            return Err(SinkError::new(format!(
                "date {ms} ms since the epoch is outside the years Python's datetime can hold"
            )));
        }
        let secs = in_day / 1000;
        self.dates
            .utc(
                year as i32,
                month as u8,
                day as u8,
                (secs / 3600) as u8,
                (secs / 60 % 60) as u8,
                (secs % 60) as u8,
                (in_day % 1000) as u32 * 1000,
            )
            .map_err(|e| SinkError::new(e.to_string()))
    }
}

impl<'py> Sink for PySink<'py> {
    fn begin_document(&mut self, _size_hint: Option<usize>) -> Result<(), SinkError> {
        self.open.push(Open::Dict(self.entries.len()));
        Ok(())
    }

    #[inline]
    fn key(&mut self, key: &str) -> Result<(), SinkError> {
        let string = self.caches.get().key(self.py, key);
        self.keys.push(string);
        Ok(())
    }

    fn end_document(&mut self) -> Result<(), SinkError> {
        let Some(Open::Dict(start)) = self.open.pop() else {
            return Ok(());
        };
        let dict = self.caches.get().dict(self.py, &self.entries[start..]);
        self.entries.truncate(start);
        let dict = dict.map(|d| self.gc.keep(d.into_any()));
        self.built(dict)
    }

    fn begin_array(&mut self, _size_hint: Option<usize>) -> Result<(), SinkError> {
        self.open.push(Open::List(self.items.len()));
        Ok(())
    }

    fn end_array(&mut self) -> Result<(), SinkError> {
        let Some(Open::List(start)) = self.open.pop() else {
            return Ok(());
        };
        // Created once at its final length (PyList_New(n), then each item set in place).
        let list = PyList::new(self.py, self.items.drain(start..));
        let list = list.map(|l| self.gc.keep(l.into_any()));
        self.built(list)
    }

    #[inline]
    fn scalar(&mut self, value: Scalar<'_>) -> Result<(), SinkError> {
        let py = self.py;
        let obj = match value {
            Scalar::String(s) => self.caches.get().value(py, s).into_any(),
            Scalar::Int32(n) => PyInt::new(py, n).into_any(),
            Scalar::Double(d) => PyFloat::new(py, d).into_any(),
            Scalar::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
            Scalar::Null => py.None().into_bound(py),
            Scalar::Date(ms) => self.date(ms)?,
            Scalar::Int64(n) => PyInt::new(py, n).into_any(),
            rare => self.rare_scalar(rare)?,
        };
        self.push(obj)
    }
}
