//! Writing values as Extended JSON: one `Serialize` implementation with two modes.
//!
//! - **Canonical** (what the service and the emulator return): every number keeps its type —
//!   Int32 as a plain integer, Int64 always as `{"$numberLong": ".."}`, Double always as
//!   `{"$numberDouble": ".."}` — and dates as `{"$date": {"$numberLong": ".."}}`. Decoding the
//!   text gives back exactly the same value.
//! - **Relaxed** (for people): Int32, Int64 and finite doubles as plain JSON numbers (a whole
//!   double keeps its `.0`), dates from 1970 to 9999 as `{"$date": "2020-01-02T03:04:05.678Z"}`.
//!   `impl Serialize for Value` writes this form.
//!
//! Both write the other types the same way: `$numberDecimal`, `$oid`, `$binary` with
//! `base64`/`subType`, `$regularExpression`, `$timestamp`, `$minKey`, `$maxKey`.

use base64::Engine as _;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::date;
use crate::{Document, Value};

/// Which Extended JSON form to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Canonical,
    Relaxed,
}

/// A value to be written in one of the two forms.
pub(crate) struct Ejson<'a> {
    pub(crate) value: &'a Value,
    pub(crate) mode: Mode,
}

/// A document to be written in one of the two forms.
pub(crate) struct EjsonDocument<'a> {
    pub(crate) doc: &'a Document,
    pub(crate) mode: Mode,
}

/// Writes `{key: value}`.
fn wrapper<S: Serializer, V: Serialize + ?Sized>(
    s: S,
    key: &str,
    value: &V,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(1))?;
    map.serialize_entry(key, value)?;
    map.end()
}

/// `{"a": .., "b": ..}`, the inside of the two-field wrappers.
struct Pair<'a, A: Serialize, B: Serialize>(&'a str, A, &'a str, B);

impl<A: Serialize, B: Serialize> Serialize for Pair<'_, A, B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.0, &self.1)?;
        map.serialize_entry(self.2, &self.3)?;
        map.end()
    }
}

/// The `$numberDouble` text of a double: shortest round-trip digits, or `Infinity`/`NaN`.
pub(crate) fn double_text(d: f64) -> String {
    if d.is_nan() {
        "NaN".to_owned()
    } else if d.is_infinite() {
        if d > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        format!("{d:?}")
    }
}

/// The standard, padded base64 of binary data.
pub(crate) fn base64_text(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An ObjectId's 24 lowercase hex digits: how Extended JSON's `$oid` spells it, and what the
/// bindings give for an ObjectId.
///
/// ```
/// let mut id = [0u8; 12];
/// id[0] = 0x5f;
/// id[11] = 0xb5;
/// assert_eq!(wxcloud::ejson::object_id_hex(&id), "5f00000000000000000000b5");
/// ```
pub fn object_id_hex(id: &[u8; 12]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(24);
    for b in id {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

impl Serialize for Ejson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let relaxed = self.mode == Mode::Relaxed;
        match self.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int32(n) => s.serialize_i32(*n),
            Value::Int64(n) if relaxed => s.serialize_i64(*n),
            Value::Int64(n) => wrapper(s, "$numberLong", &n.to_string()),
            Value::Double(d) if relaxed && d.is_finite() => s.serialize_f64(*d),
            Value::Double(d) => wrapper(s, "$numberDouble", &double_text(*d)),
            Value::Decimal128(d) => wrapper(s, "$numberDecimal", d),
            Value::String(text) => s.serialize_str(text),
            Value::Date(ms) => match date::format_iso8601(*ms).filter(|_| relaxed) {
                Some(iso) => wrapper(s, "$date", &iso),
                None => wrapper(
                    s,
                    "$date",
                    &Ejson {
                        value: &Value::Int64(*ms),
                        mode: Mode::Canonical,
                    },
                ),
            },
            Value::ObjectId(id) => wrapper(s, "$oid", &object_id_hex(id)),
            Value::Binary { subtype, bytes } => {
                let subtype = format!("{subtype:02x}");
                wrapper(
                    s,
                    "$binary",
                    &Pair("base64", base64_text(bytes), "subType", subtype),
                )
            }
            Value::Regex { pattern, options } => wrapper(
                s,
                "$regularExpression",
                &Pair("pattern", pattern, "options", options),
            ),
            Value::Timestamp { t, i } => wrapper(s, "$timestamp", &Pair("t", t, "i", i)),
            Value::MinKey => wrapper(s, "$minKey", &1),
            Value::MaxKey => wrapper(s, "$maxKey", &1),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for value in items {
                    seq.serialize_element(&Ejson {
                        value,
                        mode: self.mode,
                    })?;
                }
                seq.end()
            }
            Value::Document(doc) => EjsonDocument {
                doc,
                mode: self.mode,
            }
            .serialize(s),
        }
    }
}

impl Serialize for EjsonDocument<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.doc.len()))?;
        for (key, value) in self.doc {
            map.serialize_entry(
                key,
                &Ejson {
                    value,
                    mode: self.mode,
                },
            )?;
        }
        map.end()
    }
}

/// Writes the relaxed Extended JSON form, so `serde_json::to_string(&value)` gives the text
/// people read (see [`to_relaxed_string`](super::to_relaxed_string)).
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Ejson {
            value: self,
            mode: Mode::Relaxed,
        }
        .serialize(s)
    }
}

/// Writes `value` with serde_json. Cannot fail: every key is a string and no impl above
/// reports an error of its own.
pub(crate) fn to_json_string<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("Extended JSON values always serialise to JSON")
}
