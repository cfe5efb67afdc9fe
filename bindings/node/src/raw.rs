//! Checked wrappers over the few Node-API calls the value conversion makes.
//!
//! Converting records is the binding's hot path, so it talks to Node-API directly instead of
//! going through napi-rs's object wrappers; this module keeps the `unsafe` calls in one place and
//! turns every non-`napi_ok` status into an error instead of a crash.

use std::ptr;

use napi::{Error, Result, Status, sys};

/// A JavaScript value handle, valid inside the current handle scope.
pub(crate) type JsValue = sys::napi_value;

/// Node-API calls on one environment (the JavaScript thread that called into Rust).
#[derive(Clone, Copy)]
pub(crate) struct Js(pub(crate) sys::napi_env);

fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(
            Status::from(status),
            format!("Node-API call failed: {what}"),
        ))
    }
}

/// Calls a Node-API function that writes its result through the last pointer.
macro_rules! call {
    ($what:literal, $f:ident($($arg:expr),*)) => {{
        let mut out = std::mem::MaybeUninit::zeroed();
        check(unsafe { sys::$f($($arg,)* out.as_mut_ptr()) }, $what)?;
        Ok::<_, Error>(unsafe { out.assume_init() })
    }};
}

impl Js {
    pub(crate) fn null(self) -> Result<JsValue> {
        call!("null", napi_get_null(self.0))
    }

    pub(crate) fn double(self, v: f64) -> Result<JsValue> {
        call!("double", napi_create_double(self.0, v))
    }

    pub(crate) fn string(self, v: &str) -> Result<JsValue> {
        self.utf8(v.as_bytes())
    }

    /// A string from UTF-8 bytes (invalid sequences would become U+FFFD).
    pub(crate) fn utf8(self, v: &[u8]) -> Result<JsValue> {
        call!(
            "string",
            napi_create_string_utf8(self.0, v.as_ptr().cast(), v.len() as isize)
        )
    }

    /// A string from Latin-1 bytes (ASCII text, byte for byte).
    pub(crate) fn latin1(self, v: &[u8]) -> Result<JsValue> {
        call!(
            "string",
            napi_create_string_latin1(self.0, v.as_ptr().cast(), v.len() as isize)
        )
    }

    /// A `Float64Array` holding a copy of `values`.
    pub(crate) fn float64_array(self, values: &[f64]) -> Result<JsValue> {
        let bytes = std::mem::size_of_val(values);
        let mut data = ptr::null_mut();
        let buffer: JsValue = call!(
            "array buffer",
            napi_create_arraybuffer(self.0, bytes, &mut data)
        )?;
        if bytes > 0 && !data.is_null() {
            // SAFETY: Node-API allocated `bytes` bytes at `data` for the new ArrayBuffer, which
            // cannot overlap `values`.
            unsafe {
                ptr::copy_nonoverlapping(values.as_ptr().cast::<u8>(), data.cast::<u8>(), bytes)
            };
        }
        call!(
            "typed array",
            napi_create_typedarray(
                self.0,
                sys::TypedarrayType::float64_array,
                values.len(),
                buffer,
                0
            )
        )
    }

    pub(crate) fn object(self) -> Result<JsValue> {
        call!("object", napi_create_object(self.0))
    }

    pub(crate) fn array(self, len: usize) -> Result<JsValue> {
        call!("array", napi_create_array_with_length(self.0, len))
    }

    pub(crate) fn set(self, object: JsValue, key: JsValue, value: JsValue) -> Result<()> {
        check(
            unsafe { sys::napi_set_property(self.0, object, key, value) },
            "set property",
        )
    }

    pub(crate) fn set_named(self, object: JsValue, key: &str, value: JsValue) -> Result<()> {
        let key = self.string(key)?;
        self.set(object, key, value)
    }

    pub(crate) fn set_element(self, array: JsValue, index: u32, value: JsValue) -> Result<()> {
        check(
            unsafe { sys::napi_set_element(self.0, array, index, value) },
            "set element",
        )
    }

    pub(crate) fn type_of(self, v: JsValue) -> Result<i32> {
        call!("typeof", napi_typeof(self.0, v))
    }

    pub(crate) fn get_bool(self, v: JsValue) -> Result<bool> {
        call!("boolean value", napi_get_value_bool(self.0, v))
    }

    pub(crate) fn get_f64(self, v: JsValue) -> Result<f64> {
        call!("number value", napi_get_value_double(self.0, v))
    }

    /// The BigInt's value, and whether it fit in an `i64` without loss.
    pub(crate) fn get_bigint(self, v: JsValue) -> Result<(i64, bool)> {
        let mut lossless = false;
        let mut n = 0i64;
        check(
            unsafe { sys::napi_get_value_bigint_int64(self.0, v, &mut n, &mut lossless) },
            "bigint value",
        )?;
        Ok((n, lossless))
    }

    pub(crate) fn get_string(self, v: JsValue) -> Result<String> {
        let mut len = 0usize;
        check(
            unsafe { sys::napi_get_value_string_utf8(self.0, v, ptr::null_mut(), 0, &mut len) },
            "string length",
        )?;
        let mut buf = vec![0u8; len + 1];
        check(
            unsafe {
                sys::napi_get_value_string_utf8(
                    self.0,
                    v,
                    buf.as_mut_ptr().cast(),
                    len + 1,
                    &mut len,
                )
            },
            "string value",
        )?;
        buf.truncate(len);
        // Node-API writes valid UTF-8 (lone surrogates become U+FFFD).
        String::from_utf8(buf).map_err(|_| Error::new(Status::StringExpected, "invalid UTF-8"))
    }

    /// A string's UTF-8 text, written into `buf` (reused from one string to the next, so
    /// reading many strings allocates once); `None` if `v` is not a string.
    pub(crate) fn string_into(self, v: JsValue, buf: &mut Vec<u8>) -> Result<Option<&str>> {
        if self.type_of(v)? != sys::ValueType::napi_string {
            return Ok(None);
        }
        // The UTF-16 length costs nothing to ask, and each UTF-16 unit is at most three bytes
        // of UTF-8: room enough without first measuring the UTF-8 length.
        let mut units = 0usize;
        check(
            unsafe { sys::napi_get_value_string_utf16(self.0, v, ptr::null_mut(), 0, &mut units) },
            "string length",
        )?;
        buf.clear();
        buf.resize(units * 3 + 1, 0);
        let mut len = 0usize;
        check(
            unsafe {
                sys::napi_get_value_string_utf8(
                    self.0,
                    v,
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    &mut len,
                )
            },
            "string value",
        )?;
        // Node-API writes valid UTF-8 (lone surrogates become U+FFFD).
        std::str::from_utf8(&buf[..len])
            .map(Some)
            .map_err(|_| Error::new(Status::StringExpected, "invalid UTF-8"))
    }

    pub(crate) fn is_array(self, v: JsValue) -> Result<bool> {
        call!("is array", napi_is_array(self.0, v))
    }

    pub(crate) fn array_len(self, v: JsValue) -> Result<u32> {
        call!("array length", napi_get_array_length(self.0, v))
    }

    pub(crate) fn element(self, v: JsValue, index: u32) -> Result<JsValue> {
        call!("get element", napi_get_element(self.0, v, index))
    }

    pub(crate) fn is_date(self, v: JsValue) -> Result<bool> {
        call!("is date", napi_is_date(self.0, v))
    }

    pub(crate) fn date_value(self, v: JsValue) -> Result<f64> {
        call!("date value", napi_get_date_value(self.0, v))
    }

    pub(crate) fn is_buffer(self, v: JsValue) -> Result<bool> {
        call!("is buffer", napi_is_buffer(self.0, v))
    }

    pub(crate) fn is_typedarray(self, v: JsValue) -> Result<bool> {
        call!("is typed array", napi_is_typedarray(self.0, v))
    }

    /// The bytes of a Buffer or a `Uint8Array`, copied; `None` for other typed arrays.
    pub(crate) fn bytes(self, v: JsValue) -> Result<Option<Vec<u8>>> {
        if self.is_buffer(v)? {
            let mut data = ptr::null_mut();
            let len: usize = call!("buffer info", napi_get_buffer_info(self.0, v, &mut data))?;
            return Ok(Some(copy_bytes(data, len)));
        }
        self.uint8_array_bytes(v)
    }

    /// The bytes of a `Uint8Array` (a Buffer is one), copied; `None` for other typed arrays.
    pub(crate) fn uint8_array_bytes(self, v: JsValue) -> Result<Option<Vec<u8>>> {
        let mut kind = 0;
        let mut len = 0usize;
        let mut data = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        let mut offset = 0usize;
        check(
            unsafe {
                sys::napi_get_typedarray_info(
                    self.0,
                    v,
                    &mut kind,
                    &mut len,
                    &mut data,
                    &mut buffer,
                    &mut offset,
                )
            },
            "typed array info",
        )?;
        if kind == sys::TypedarrayType::uint8_array {
            Ok(Some(copy_bytes(data, len)))
        } else {
            Ok(None)
        }
    }

    /// The object's own enumerable string keys, in property order.
    pub(crate) fn own_keys(self, object: JsValue) -> Result<JsValue> {
        call!(
            "own keys",
            napi_get_all_property_names(
                self.0,
                object,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings
            )
        )
    }

    pub(crate) fn get(self, object: JsValue, key: JsValue) -> Result<JsValue> {
        call!("get property", napi_get_property(self.0, object, key))
    }

    pub(crate) fn get_named(self, object: JsValue, key: &str) -> Result<JsValue> {
        let key = self.string(key)?;
        self.get(object, key)
    }

    pub(crate) fn global(self) -> Result<JsValue> {
        call!("global", napi_get_global(self.0))
    }

    pub(crate) fn instance_of(self, v: JsValue, constructor: JsValue) -> Result<bool> {
        call!("instanceof", napi_instanceof(self.0, v, constructor))
    }

    pub(crate) fn new_instance(self, constructor: JsValue, args: &[JsValue]) -> Result<JsValue> {
        call!(
            "new",
            napi_new_instance(self.0, constructor, args.len(), args.as_ptr())
        )
    }

    /// Calls `function` with `this` = `receiver`.
    pub(crate) fn call(
        self,
        receiver: JsValue,
        function: JsValue,
        args: &[JsValue],
    ) -> Result<JsValue> {
        call!(
            "call",
            napi_call_function(self.0, receiver, function, args.len(), args.as_ptr())
        )
    }

    /// Compiles and runs a script, giving its completion value.
    pub(crate) fn run_script(self, source: &str) -> Result<JsValue> {
        let script = self.string(source)?;
        call!("run script", napi_run_script(self.0, script))
    }

    pub(crate) fn is_promise(self, v: JsValue) -> Result<bool> {
        call!("is promise", napi_is_promise(self.0, v))
    }

    /// `String(v)`, as JavaScript would print it.
    pub(crate) fn to_display(self, v: JsValue) -> Result<String> {
        let s: JsValue = call!("coerce to string", napi_coerce_to_string(self.0, v))?;
        self.get_string(s)
    }

    /// `JSON.stringify(v)`: the text, or `None` where JavaScript gives `undefined` (for
    /// `undefined`, a function or a symbol). A throw (a cycle, a BigInt) is left pending.
    pub(crate) fn json_stringify(self, v: JsValue) -> Result<Option<String>> {
        let json = self.get_named(self.global()?, "JSON")?;
        let stringify = self.get_named(json, "stringify")?;
        let text = self.call(json, stringify, &[v])?;
        if self.type_of(text)? == sys::ValueType::napi_string {
            Ok(Some(self.get_string(text)?))
        } else {
            Ok(None)
        }
    }

    /// `JSON.parse(text)`.
    pub(crate) fn json_parse(self, text: &str) -> Result<JsValue> {
        let json = self.get_named(self.global()?, "JSON")?;
        let parse = self.get_named(json, "parse")?;
        self.call(json, parse, &[self.string(text)?])
    }

    /// Takes the pending JavaScript exception (after a call that threw), clearing it.
    pub(crate) fn take_exception(self) -> Option<JsValue> {
        let mut pending = ptr::null_mut();
        // SAFETY: live env on the JavaScript thread; yields undefined without a pending exception.
        let status = unsafe { sys::napi_get_and_clear_last_exception(self.0, &mut pending) };
        (status == sys::Status::napi_ok && !pending.is_null()).then_some(pending)
    }

    /// Drops a pending JavaScript exception, if any, after a call that threw.
    pub(crate) fn clear_exception(self) {
        let mut pending = ptr::null_mut();
        // SAFETY: live env on the JavaScript thread; a no-op without a pending exception.
        unsafe { sys::napi_get_and_clear_last_exception(self.0, &mut pending) };
    }

    pub(crate) fn reference(self, v: JsValue) -> Result<sys::napi_ref> {
        call!("reference", napi_create_reference(self.0, v, 1))
    }

    pub(crate) fn deref(self, r: sys::napi_ref) -> Result<JsValue> {
        call!("reference value", napi_get_reference_value(self.0, r))
    }
}

fn copy_bytes(data: *mut std::ffi::c_void, len: usize) -> Vec<u8> {
    if data.is_null() || len == 0 {
        return Vec::new();
    }
    // SAFETY: Node-API returned a live buffer of `len` bytes at `data`.
    unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec()
}
