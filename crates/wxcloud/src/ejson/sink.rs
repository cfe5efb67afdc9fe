//! The events of one pass over Extended JSON text, and the receivers of those events.
//!
//! The decoder reads the text once and reports what it finds to a [`Sink`]: a document or an
//! array opening, a key, a typed scalar, a container closing. Which objects are wrappers, what
//! type each wrapper is, exact 64-bit integers, dates, legacy forms and error positions are all
//! decided by the decoder, so every sink sees the same typed events. The core's own
//! [`Value`] builder is one sink; the Python and Node bindings each have one that builds
//! their native objects straight from the text.
//!
//! ```
//! use wxcloud::ejson::{self, Scalar, Sink, SinkError};
//!
//! /// Counts the dates in a record.
//! #[derive(Default)]
//! struct Dates(usize);
//!
//! impl Sink for Dates {
//!     fn begin_document(&mut self, _size_hint: Option<usize>) -> Result<(), SinkError> { Ok(()) }
//!     fn key(&mut self, _key: &str) -> Result<(), SinkError> { Ok(()) }
//!     fn end_document(&mut self) -> Result<(), SinkError> { Ok(()) }
//!     fn begin_array(&mut self, _size_hint: Option<usize>) -> Result<(), SinkError> { Ok(()) }
//!     fn end_array(&mut self) -> Result<(), SinkError> { Ok(()) }
//!     fn scalar(&mut self, value: Scalar<'_>) -> Result<(), SinkError> {
//!         self.0 += matches!(value, Scalar::Date(_)) as usize;
//!         Ok(())
//!     }
//! }
//!
//! let mut dates = Dates::default();
//! ejson::decode_document_into(r#"{"a":{"$date":{"$numberLong":"0"}},"b":[{"$date":"2020-01-01T00:00:00Z"}]}"#, &mut dates)?;
//! assert_eq!(dates.0, 2);
//! # Ok::<(), wxcloud::Error>(())
//! ```

use std::fmt;

use crate::{Document, Value};

/// One scalar value of a BSON type, as the decoder found it (strings borrowed from the text
/// or from the decoder's buffer: copy what you keep).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar<'a> {
    /// `null` (also the legacy `{"$undefined": true}`).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A 32-bit integer: a plain integer that fits, or `{"$numberInt": ..}`.
    Int32(i32),
    /// A 64-bit integer, exact: a plain integer beyond 32 bits, or `{"$numberLong": ..}`.
    Int64(i64),
    /// A double: a plain number with a fraction or exponent, or `{"$numberDouble": ..}`.
    Double(f64),
    /// A string (also the legacy `{"$symbol": ..}`).
    String(&'a str),
    /// A Decimal128, as its canonical decimal string.
    Decimal128(&'a str),
    /// A date, in milliseconds since the Unix epoch (UTC).
    Date(i64),
    /// A 12-byte ObjectId.
    ObjectId([u8; 12]),
    /// Binary data with its BSON subtype.
    Binary {
        /// The BSON binary subtype.
        subtype: u8,
        /// The bytes.
        bytes: &'a [u8],
    },
    /// A regular expression; the option letters are sorted.
    Regex {
        /// The pattern, without delimiters.
        pattern: &'a str,
        /// The options, as sorted letters.
        options: &'a str,
    },
    /// A BSON timestamp.
    Timestamp {
        /// Seconds since the Unix epoch.
        t: u32,
        /// The ordinal within that second.
        i: u32,
    },
    /// The BSON MinKey.
    MinKey,
    /// The BSON MaxKey.
    MaxKey,
}

impl<'a> Scalar<'a> {
    /// The scalar a value holds, or `None` for a document or an array.
    pub fn of(value: &'a Value) -> Option<Scalar<'a>> {
        Some(match value {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Int32(n) => Scalar::Int32(*n),
            Value::Int64(n) => Scalar::Int64(*n),
            Value::Double(d) => Scalar::Double(*d),
            Value::String(s) => Scalar::String(s),
            Value::Decimal128(s) => Scalar::Decimal128(s),
            Value::Date(ms) => Scalar::Date(*ms),
            Value::ObjectId(id) => Scalar::ObjectId(*id),
            Value::Binary { subtype, bytes } => Scalar::Binary {
                subtype: *subtype,
                bytes,
            },
            Value::Regex { pattern, options } => Scalar::Regex { pattern, options },
            Value::Timestamp { t, i } => Scalar::Timestamp { t: *t, i: *i },
            Value::MinKey => Scalar::MinKey,
            Value::MaxKey => Scalar::MaxKey,
            Value::Array(_) | Value::Document(_) => return None,
        })
    }

    /// The scalar as an owned value.
    pub fn to_value(self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int32(n) => Value::Int32(n),
            Scalar::Int64(n) => Value::Int64(n),
            Scalar::Double(d) => Value::Double(d),
            Scalar::String(s) => Value::String(s.to_owned()),
            Scalar::Decimal128(s) => Value::Decimal128(s.to_owned()),
            Scalar::Date(ms) => Value::Date(ms),
            Scalar::ObjectId(id) => Value::ObjectId(id),
            Scalar::Binary { subtype, bytes } => Value::Binary {
                subtype,
                bytes: bytes.to_vec(),
            },
            Scalar::Regex { pattern, options } => Value::Regex {
                pattern: pattern.to_owned(),
                options: options.to_owned(),
            },
            Scalar::Timestamp { t, i } => Value::Timestamp { t, i },
            Scalar::MinKey => Value::MinKey,
            Scalar::MaxKey => Value::MaxKey,
        }
    }
}

/// Why a sink refused an event (a value its target cannot hold, say). The decoder stops and
/// reports it as a [`Decode`](crate::ErrorKind::Decode) error at the position it had reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkError(Box<str>);

impl SinkError {
    /// A refusal with this message.
    pub fn new(message: impl Into<String>) -> Self {
        SinkError(message.into().into_boxed_str())
    }
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SinkError {}

/// Receives the events of one decoding pass, in text order.
///
/// A document reports `begin_document`, then for each entry `key` followed by the entry's value
/// (a scalar, or a nested container's own events), then `end_document`; an array the same
/// without keys. Wrappers never appear as documents: `{"$numberLong": "7"}` is one
/// `scalar(Scalar::Int64(7))`; a plain JSON scalar is reported with its text, through
/// [`plain`](Sink::plain). Size hints are the number of entries or items when the decoder
/// knows it ahead (when replaying a [`Value`]), `None` when reading text.
pub trait Sink {
    /// A document opens.
    fn begin_document(&mut self, size_hint: Option<usize>) -> Result<(), SinkError>;
    /// The key of the open document's next entry; its value follows.
    fn key(&mut self, key: &str) -> Result<(), SinkError>;
    /// The innermost open document closes.
    fn end_document(&mut self) -> Result<(), SinkError>;
    /// An array opens.
    fn begin_array(&mut self, size_hint: Option<usize>) -> Result<(), SinkError>;
    /// The innermost open array closes.
    fn end_array(&mut self) -> Result<(), SinkError>;
    /// A scalar value.
    fn scalar(&mut self, value: Scalar<'_>) -> Result<(), SinkError>;

    /// A scalar that `text` writes as JSON, copied from the record: a plain string, number,
    /// `true`, `false` or `null` exactly as read (a string's quotes and escapes included), or
    /// the digits inside a number wrapper when they are the JSON number for its value
    /// (`{"$numberDouble": "1.5"}` gives `1.5`). By default the same as
    /// [`scalar`](Sink::scalar); a sink that writes JSON can copy `text` instead of writing the
    /// value again.
    #[inline]
    fn plain(&mut self, value: Scalar<'_>, text: &str) -> Result<(), SinkError> {
        let _ = text;
        self.scalar(value)
    }

    /// A whole value the decoder already holds (the contents of an object that looked like a
    /// wrapper and was not). By default it is replayed as events; a sink that builds
    /// [`Value`]s can take it as it is.
    fn value(&mut self, value: Value) -> Result<(), SinkError> {
        replay(self, &value)
    }
}

/// Reports a document to a sink as the events decoding its text would give: how a binding
/// builds its native objects from records the core has already decoded (a walk's pages).
pub fn replay_document<S: Sink + ?Sized>(sink: &mut S, doc: &Document) -> Result<(), SinkError> {
    sink.begin_document(Some(doc.len()))?;
    for (key, value) in doc {
        sink.key(key)?;
        replay(sink, value)?;
    }
    sink.end_document()
}

/// Reports a value to a sink as the events decoding its text would give.
pub fn replay<S: Sink + ?Sized>(sink: &mut S, value: &Value) -> Result<(), SinkError> {
    match value {
        Value::Document(doc) => replay_document(sink, doc),
        Value::Array(items) => {
            sink.begin_array(Some(items.len()))?;
            for item in items {
                replay(sink, item)?;
            }
            sink.end_array()
        }
        scalar => match Scalar::of(scalar) {
            Some(s) => sink.scalar(s),
            None => Ok(()),
        },
    }
}

/// An open container of a [`ValueBuilder`]: where its entries or items start on the stacks.
#[derive(Clone, Copy)]
enum Open {
    Document(usize),
    Array(usize),
}

/// The core's sink: builds a [`Value`]. Entries and items gather on stacks shared by every
/// open container and move into a document or array of exactly the right size when it
/// closes, so each container costs one allocation (two for a document's map).
#[derive(Default)]
pub(crate) struct ValueBuilder {
    open: Vec<Open>,
    /// Keys of the open documents whose values are not finished yet, innermost last.
    keys: Vec<String>,
    entries: Vec<(String, Value)>,
    items: Vec<Value>,
    done: Option<Value>,
}

impl ValueBuilder {
    /// The finished value, leaving the builder empty for the next one.
    pub(crate) fn take(&mut self) -> Option<Value> {
        self.open.clear();
        self.keys.clear();
        self.entries.clear();
        self.items.clear();
        self.done.take()
    }

    /// Drops spare room beyond `kept` entries, so one huge value does not pin memory.
    pub(crate) fn shrink_to(&mut self, kept: usize) {
        self.keys.shrink_to(kept);
        self.entries.shrink_to(kept);
        self.items.shrink_to(kept);
    }

    /// Puts a finished value where it belongs: in the open container, or as the result.
    #[inline]
    fn push(&mut self, value: Value) {
        match self.open.last() {
            Some(Open::Document(_)) => {
                let key = self.keys.pop().unwrap_or_default();
                self.entries.push((key, value));
            }
            Some(Open::Array(_)) => self.items.push(value),
            None => self.done = Some(value),
        }
    }
}

impl Sink for ValueBuilder {
    fn begin_document(&mut self, _size_hint: Option<usize>) -> Result<(), SinkError> {
        self.open.push(Open::Document(self.entries.len()));
        Ok(())
    }

    #[inline]
    fn key(&mut self, key: &str) -> Result<(), SinkError> {
        self.keys.push(key.to_owned());
        Ok(())
    }

    fn end_document(&mut self) -> Result<(), SinkError> {
        if let Some(Open::Document(start)) = self.open.pop() {
            let doc: Document = self.entries.drain(start..).collect();
            self.push(Value::Document(doc));
        }
        Ok(())
    }

    fn begin_array(&mut self, _size_hint: Option<usize>) -> Result<(), SinkError> {
        self.open.push(Open::Array(self.items.len()));
        Ok(())
    }

    fn end_array(&mut self) -> Result<(), SinkError> {
        if let Some(Open::Array(start)) = self.open.pop() {
            let items: Vec<Value> = self.items.drain(start..).collect();
            self.push(Value::Array(items));
        }
        Ok(())
    }

    #[inline]
    fn scalar(&mut self, value: Scalar<'_>) -> Result<(), SinkError> {
        self.push(value.to_value());
        Ok(())
    }

    fn value(&mut self, value: Value) -> Result<(), SinkError> {
        self.push(value);
        Ok(())
    }
}
