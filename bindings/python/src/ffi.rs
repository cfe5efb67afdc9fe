//! The binding's only `unsafe` code: creating `datetime` objects through CPython's datetime C
//! API instead of calling the `datetime` class with eight Python ints, keeping the containers
//! of a decoding call out of the cyclic garbage collector until the call returns ([`Untracked`]),
//! and reading a `str`'s UTF-8 with one copy ([`Utf8`]).
//!
//! The extension is built for the stable ABI (abi3), where pyo3 creates a datetime by calling
//! the class (a tuple of eight ints, argument parsing, a type check: about a microsecond, the
//! largest cost of decoding a record with a date). CPython has published the same constructor
//! as the `datetime.datetime_CAPI` capsule since 3.7, whose leading fields have never changed;
//! this module reads those fields only. If the capsule cannot be imported, [`DateTimes`] falls
//! back to calling the class.

use std::ffi::{c_int, c_void};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDateTime, PyString, PyTzInfo};

/// The leading fields of CPython's `PyDateTime_CAPI` (`Include/datetime.h`), in order.
#[repr(C)]
struct DateTimeCapi {
    date_type: *mut ffi::PyTypeObject,
    datetime_type: *mut ffi::PyTypeObject,
    time_type: *mut ffi::PyTypeObject,
    delta_type: *mut ffi::PyTypeObject,
    tzinfo_type: *mut ffi::PyTypeObject,
    timezone_utc: *mut ffi::PyObject,
    date_from_date: *const c_void,
    datetime_from_date_and_time: unsafe extern "C" fn(
        year: c_int,
        month: c_int,
        day: c_int,
        hour: c_int,
        minute: c_int,
        second: c_int,
        microsecond: c_int,
        tzinfo: *mut ffi::PyObject,
        cls: *mut ffi::PyTypeObject,
    ) -> *mut ffi::PyObject,
}

/// Makes aware UTC datetimes; look it up once per decoding call.
pub struct DateTimes<'py> {
    py: Python<'py>,
    capi: Option<&'static DateTimeCapi>,
    utc: Bound<'py, PyTzInfo>,
}

impl<'py> DateTimes<'py> {
    /// Finds the constructor and `timezone.utc`.
    pub fn new(py: Python<'py>) -> PyResult<Self> {
        // SAFETY: attached to the interpreter; PyCapsule_Import returns the capsule's pointer
        // (which lives as long as the `datetime` module, i.e. the interpreter) or NULL with an
        // exception set, which we clear and fall back from.
        let capi = unsafe {
            let p = ffi::PyCapsule_Import(c"datetime.datetime_CAPI".as_ptr(), 0);
            if p.is_null() {
                ffi::PyErr_Clear();
                None
            } else {
                Some(&*p.cast::<DateTimeCapi>())
            }
        };
        Ok(DateTimes {
            py,
            capi,
            utc: PyTzInfo::utc(py)?.to_owned(),
        })
    }

    /// An aware UTC datetime; the fields must form a valid date and time (the caller checks
    /// the year; the calendar arithmetic gives the rest).
    #[allow(clippy::too_many_arguments)]
    pub fn utc(
        &self,
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        microsecond: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(capi) = self.capi else {
            return PyDateTime::new(
                self.py,
                year,
                month,
                day,
                hour,
                minute,
                second,
                microsecond,
                Some(&self.utc),
            )
            .map(Bound::into_any);
        };
        // SAFETY: the capsule's constructor with its own datetime type and a live tzinfo; it
        // returns a new reference, or NULL with an exception set (turned into a PyErr).
        unsafe {
            let obj = (capi.datetime_from_date_and_time)(
                year,
                c_int::from(month),
                c_int::from(day),
                c_int::from(hour),
                c_int::from(minute),
                c_int::from(second),
                microsecond as c_int,
                self.utc.as_ptr(),
                capi.datetime_type,
            );
            Bound::from_owned_ptr_or_err(self.py, obj)
        }
    }
}

/// The lists and dicts a decoding call has built so far, kept out of the cyclic garbage
/// collector until the call is over, then handed to it together.
///
/// CPython starts a collection of its youngest generation every 700 or so container
/// allocations, and a decoding call makes several containers per record: each collection
/// would walk every half-built record made since the last one, then move them to an older
/// generation to be walked again. None of that can find garbage — the objects are new, form
/// a tree and no other code can reach them yet — and it was a sixth of the time of decoding
/// a thousand records. So each container is untracked as soon as it is built (untracking is
/// always safe: an untracked object is never freed by the collector, and its references count
/// as external ones), and tracked again when the decoder is dropped, success or not, after
/// which the collector sees the result as it sees any new object. CPython itself untracks
/// dicts and tuples that hold no containers.
///
/// The strong references held here keep each container alive until it is tracked again (a
/// later duplicate key can replace a dict's value, and an error drops everything).
#[derive(Default)]
pub struct Untracked<'py> {
    containers: Vec<Bound<'py, PyAny>>,
}

impl<'py> Untracked<'py> {
    /// Takes `container` (a list or dict just built) out of the collector's sight until `self`
    /// is dropped, and gives it back.
    #[inline]
    pub fn keep(&mut self, container: Bound<'py, PyAny>) -> Bound<'py, PyAny> {
        let ptr = container.as_ptr();
        // SAFETY: attached to the interpreter (the Bound proves it) and `ptr` is a live object;
        // PyObject_GC_IsTracked is false for objects that are not containers.
        unsafe {
            if ffi::PyObject_GC_IsTracked(ptr) == 1 {
                ffi::PyObject_GC_UnTrack(ptr.cast());
                self.containers.push(container.clone());
            }
        }
        container
    }
}

impl Drop for Untracked<'_> {
    fn drop(&mut self) {
        for container in self.containers.drain(..) {
            let ptr = container.as_ptr();
            // SAFETY: still attached (the Bound's lifetime) and alive (we hold a reference);
            // tracking an object that is already tracked aborts CPython, hence the check.
            unsafe {
                if ffi::PyObject_GC_IsTracked(ptr) == 0 {
                    ffi::PyObject_GC_Track(ptr.cast());
                }
            }
        }
    }
}

/// A `str`'s text as UTF-8, for reading.
///
/// The stable ABI before 3.10 has no call that lends a `str`'s UTF-8 ([`PyString::to_cow`]
/// encodes it into a `bytes` object and then copies that into a Rust `String`); this takes the
/// `bytes` object and reads it in place: one copy, made by CPython, where there were two.
pub struct Utf8<'py>(Bound<'py, PyBytes>);

impl<'py> Utf8<'py> {
    /// Encodes `s` (a `str` holding a lone surrogate raises `UnicodeEncodeError`).
    pub fn of(s: &Bound<'py, PyString>) -> PyResult<Self> {
        s.encode_utf8().map(Utf8)
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: the bytes are `str.encode("utf-8")`'s output with the strict error handler,
        // which is valid UTF-8 or an exception (raised in `of`).
        unsafe { std::str::from_utf8_unchecked(self.0.as_bytes()) }
    }
}
