//! MongoDB Extended JSON: decoding the records the service returns, and writing values back.
//!
//! The service returns each record as a string of Extended JSON, mixing plain JSON with type
//! wrappers such as `{"$numberDouble": "113.0"}`. [`decode_document`] turns one such string
//! into a [`Document`] in a single pass over the text, accepting canonical, relaxed and legacy
//! forms (see the table in the API reference, §3):
//!
//! ```
//! use wxcloud::{ejson, Value};
//!
//! let doc = ejson::decode_document(
//!     r#"{"_id":"a1","x":{"$numberDouble":"113.0"},"n":{"$numberLong":"9007199254740993"}}"#,
//! )?;
//! assert_eq!(doc["x"], Value::Double(113.0));
//! assert_eq!(doc["n"], Value::Int64(9_007_199_254_740_993));
//! # Ok::<(), wxcloud::Error>(())
//! ```
//!
//! The text is read by the core's own reader, one pass over the bytes with no tokenizer or
//! intermediate value, reporting to a [`Sink`]: the core's `Value` builder, or any other (the
//! Python and Node bindings build their native objects this way).
//!
//! Decoding rules:
//! - Key order is kept. A plain integer is an Int32 if it fits, else an Int64 (exact); beyond
//!   the 64-bit range it becomes a Double. A plain number with a fraction or exponent is a Double.
//! - An object is a wrapper only if its keys are exactly a wrapper's keys; `{"$oid": "..", "x": 1}`
//!   is an ordinary document. Once the keys match, bad contents (`{"$numberLong": "abc"}`) are a
//!   [`Decode`](crate::ErrorKind::Decode) error.
//!   (pymongo's `bson.json_util` agrees on bad contents but raises on extra keys for most
//!   wrappers; `tests/vectors/README.md` lists every difference, each pinned by a vector.)
//! - Errors carry the line and column; nesting deeper than [`MAX_DEPTH`] is an error.
//!
//! The rest of the module:
//! - [`from_str`] decodes a record straight into any `T: Deserialize`, wrappers offered as
//!   natural values (numbers, strings, milliseconds); [`from_value`] does the same from a [`Value`].
//! - [`to_canonical_string`] writes what the service returns (every type exact, so it decodes
//!   back to an equal document); [`to_relaxed_string`] writes the form people read. `Value`
//!   implements `Serialize` (relaxed) and `Deserialize` (any Extended JSON), so serde_json
//!   works with it directly.
//! - [`days_from_civil`] and [`civil_from_days`] convert between calendar dates and day counts
//!   (the calendar arithmetic behind `$date`, shared by the emulator and the bindings).

mod date;
mod decimal;
mod decode;
mod direct;
mod encode;
mod number;
mod reader;
mod sink;
pub(crate) mod text;
mod typed;
mod wrapper;

pub use date::{civil_from_days, days_from_civil};
pub use decode::MAX_DEPTH;
pub use encode::object_id_hex;
pub use sink::{Scalar, Sink, SinkError, replay, replay_document};
pub use text::write_json_string;
pub use typed::ValueDeserializer;

use crate::{Document, Error, Result, Value};

/// Decodes one record (an Extended JSON object in text) into a document, in one pass.
///
/// Fails with a [`Decode`](crate::ErrorKind::Decode) error if the text is not JSON, a wrapper
/// holds bad contents, or the text is not an object (or is a wrapper such as `{"$oid": ..}`).
pub fn decode_document(text: &str) -> Result<Document> {
    match decode::with_builder(|builder| {
        decode_document_into(text, builder)?;
        Ok::<_, Error>(builder.take())
    })? {
        Some(Value::Document(doc)) => Ok(doc),
        _ => Err(Error::decode("invalid Extended JSON: expected a document")),
    }
}

/// Decodes the entries of one record whose key `keep` accepts, in one pass: the values of the
/// other entries are read past as plain JSON, without building or checking them as Extended
/// JSON. For a caller that needs a few fields of many records (a filter, a sort key) and has
/// the whole text for the rest.
///
/// ```
/// let doc = wxcloud::ejson::decode_document_fields(
///     r#"{"_id": "a", "done": false, "tags": ["x", {"y": 1}], "due": {"$date": {"$numberLong": "0"}}}"#,
///     |key| key == "done" || key == "due",
/// )?;
/// assert_eq!(doc.keys().collect::<Vec<_>>(), ["done", "due"]);
/// assert_eq!(doc["due"], wxcloud::Value::Date(0));
/// # Ok::<(), wxcloud::Error>(())
/// ```
///
/// The errors are [`decode_document`]'s for the text as a whole and for the entries kept.
pub fn decode_document_fields(text: &str, keep: impl Fn(&str) -> bool) -> Result<Document> {
    match decode::with_builder(|builder| {
        reader::read(text, builder, true, &reader::Only(keep))?;
        Ok::<_, Error>(builder.take())
    })? {
        Some(Value::Document(doc)) => Ok(doc),
        _ => Err(Error::decode("invalid Extended JSON: expected a document")),
    }
}

/// Decodes any Extended JSON value in text (a document, an array, a wrapper, a scalar).
pub fn decode_value(text: &str) -> Result<Value> {
    decode::with_builder(|builder| {
        decode_value_into(text, builder)?;
        Ok(builder.take().unwrap_or(Value::Null))
    })
}

/// Decodes one record (an Extended JSON object in text) in one pass, reporting what it holds
/// to `sink` as typed events (see [`Sink`]): how the bindings build native objects straight
/// from the text. The errors are those of [`decode_document`]; a [`SinkError`] becomes a
/// [`Decode`](crate::ErrorKind::Decode) error at the position the decoder had reached. After
/// an error the sink may have seen the events of a partial document.
pub fn decode_document_into<S: Sink + ?Sized>(text: &str, sink: &mut S) -> Result<()> {
    reader::read(text, sink, true, &reader::All)
}

/// Decodes any Extended JSON value in text, reporting it to `sink` (see
/// [`decode_document_into`]).
pub fn decode_value_into<S: Sink + ?Sized>(text: &str, sink: &mut S) -> Result<()> {
    reader::read(text, sink, false, &reader::All)
}

/// The BSON type name of a value, for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int32(_) => "int32",
        Value::Int64(_) => "int64",
        Value::Double(_) => "double",
        Value::Decimal128(_) => "decimal128",
        Value::String(_) => "string",
        Value::Date(_) => "date",
        Value::ObjectId(_) => "objectId",
        Value::Binary { .. } => "binary",
        Value::Regex { .. } => "regex",
        Value::Timestamp { .. } => "timestamp",
        Value::MinKey => "minKey",
        Value::MaxKey => "maxKey",
        Value::Array(_) => "array",
        Value::Document(_) => "document",
    }
}

/// Writes a document as canonical Extended JSON text, the way the service returns records.
///
/// Every value keeps its exact type, so [`decode_document`] gives back an equal document:
/// Int32 is a plain integer, Int64 is always `{"$numberLong": ".."}`, Double is always
/// `{"$numberDouble": ".."}` (as in the service's own sample), dates are
/// `{"$date": {"$numberLong": ".."}}`. (A document whose keys mimic a wrapper, such as
/// `{"$oid": "not hex"}` built by hand, is written as is and will not decode back.)
///
/// ```
/// use wxcloud::{ejson, Document, Value};
///
/// let doc = Document::from_iter([("x".to_owned(), Value::Double(113.0)), ("n".to_owned(), Value::Int32(7))]);
/// assert_eq!(ejson::to_canonical_string(&doc), r#"{"x":{"$numberDouble":"113.0"},"n":7}"#);
/// ```
pub fn to_canonical_string(doc: &Document) -> String {
    encode::to_json_string(&encode::EjsonDocument {
        doc,
        mode: encode::Mode::Canonical,
    })
}

/// Writes any value as canonical Extended JSON text (see [`to_canonical_string`]).
pub fn to_canonical_value_string(value: &Value) -> String {
    encode::to_json_string(&encode::Ejson {
        value,
        mode: encode::Mode::Canonical,
    })
}

/// Writes a value as relaxed Extended JSON text, the form people read: numbers as plain JSON
/// numbers (a whole double keeps its `.0`, so it still decodes as a double), dates from 1970
/// to 9999 as `{"$date": "2020-01-02T03:04:05.678Z"}`, non-finite doubles as
/// `{"$numberDouble": "NaN"}`. The same text as `serde_json::to_string(&value)`.
///
/// ```
/// use wxcloud::{ejson, Value};
///
/// let doc = ejson::decode_value(r#"{"x":{"$numberDouble":"113.0"},"d":{"$date":{"$numberLong":"0"}}}"#)?;
/// assert_eq!(ejson::to_relaxed_string(&doc), r#"{"x":113.0,"d":{"$date":"1970-01-01T00:00:00Z"}}"#);
/// # Ok::<(), wxcloud::Error>(())
/// ```
pub fn to_relaxed_string(value: &Value) -> String {
    encode::to_json_string(value)
}

/// Decodes one record into any `T: Deserialize` (a typed record), in one pass.
///
/// Plain JSON goes straight from the text to `T`; each Extended JSON wrapper is offered to `T`
/// as its natural serde value: numbers as numbers, Decimal128 and ObjectId as strings, dates
/// as milliseconds since the epoch (or ISO-8601 text for a `String` field), binary as bytes.
/// A [`Value`] or [`Document`] field receives the value exactly. See [`ValueDeserializer`]
/// for the full table. Errors (bad JSON, bad wrapper contents, a record of the wrong shape)
/// are [`Decode`](crate::ErrorKind::Decode) errors with the line and column.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Todo { _id: String, location: Location, done: bool, tags: Vec<String> }
/// #[derive(serde::Deserialize)]
/// struct Location { coordinates: Vec<f64> }
///
/// let todo: Todo = wxcloud::ejson::from_str(
///     r#"{"_id":"f77e","location":{"type":"Point","coordinates":[{"$numberDouble":"113.0"},{"$numberDouble":"23.0"}]},"done":false,"tags":["cloud"]}"#,
/// )?;
/// assert_eq!(todo.location.coordinates, [113.0, 23.0]);
/// # Ok::<(), wxcloud::Error>(())
/// ```
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(direct::Direct(&mut de)).and_then(|v| de.end().map(|()| v));
    value.map_err(|e| Error::decode(format!("cannot decode record: {e}")))
}

/// Reads an already decoded value as any `T: Deserialize` (see [`from_str`]).
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T> {
    T::deserialize(ValueDeserializer::<serde::de::value::Error>::new(value))
        .map_err(|e| Error::decode(format!("record does not match the expected type: {e}")))
}
