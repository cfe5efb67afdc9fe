//! The value type shared by the client, the statement writer and the emulator.
//!
//! A [`Value`] holds one BSON value as the Cloud Base database stores it. Documents keep the
//! order of their keys, integers keep their exact width, and dates are milliseconds since the
//! Unix epoch, so a record decoded from Extended JSON and written back is unchanged.

use indexmap::IndexMap;

/// A document: field names in their original order, each with its value.
pub type Document = IndexMap<String, Value>;

/// One BSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A 32-bit integer (`{"$numberInt": ..}`, or a plain integer that fits).
    Int32(i32),
    /// A 64-bit integer (`{"$numberLong": ..}`, or a plain integer outside the 32-bit range).
    Int64(i64),
    /// A double (`{"$numberDouble": ..}`, or a plain number with a fraction or exponent).
    Double(f64),
    /// A Decimal128, kept as its canonical decimal string (`{"$numberDecimal": "1.10"}`).
    Decimal128(String),
    /// A UTF-8 string.
    String(String),
    /// A date, in milliseconds since the Unix epoch (UTC).
    Date(i64),
    /// A 12-byte ObjectId.
    ObjectId([u8; 12]),
    /// Binary data with its BSON subtype.
    Binary {
        /// The BSON binary subtype (0 for generic data).
        subtype: u8,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// A regular expression with its options (`i`, `m`, `s`, `x`, ...).
    Regex {
        /// The pattern, without delimiters.
        pattern: String,
        /// The options, as letters.
        options: String,
    },
    /// A BSON timestamp.
    Timestamp {
        /// Seconds since the Unix epoch.
        t: u32,
        /// The ordinal within that second.
        i: u32,
    },
    /// The BSON MinKey, smaller than every other value.
    MinKey,
    /// The BSON MaxKey, larger than every other value.
    MaxKey,
    /// An array.
    Array(Vec<Value>),
    /// An embedded document.
    Document(Document),
}

impl Value {
    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a document, if it is one.
    pub fn as_document(&self) -> Option<&Document> {
        match self {
            Value::Document(d) => Some(d),
            _ => None,
        }
    }

    /// The value as an array, if it is one.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The value as an `i64`, if it is an integer of either width.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int32(n) => Some(n.into()),
            Value::Int64(n) => Some(n),
            _ => None,
        }
    }

    /// The value as an `f64`, if it is a number (integers are converted).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int32(n) => Some(n.into()),
            Value::Int64(n) => Some(n as f64),
            Value::Double(n) => Some(n),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int32(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int64(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}
impl From<Document> for Value {
    fn from(v: Document) -> Self {
        Value::Document(v)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}
