//! Type wrappers: which `$`-keys make an object an Extended JSON value, and what their
//! contents must be.
//!
//! An object is a wrapper only when its keys are exactly one wrapper's keys (`{"$oid": ..}`,
//! or the legacy pairs `$regex`+`$options` and `$binary`+`$type` in either order). Anything
//! else — extra keys, a missing partner — is an ordinary document (spec §3). Once the keys
//! match, the contents must be valid: `{"$numberLong": "abc"}` is a decode error, not a
//! document. pymongo agrees on the second rule but raises on the first; see
//! `tests/vectors/README.md` for every place we knowingly differ from it.

use std::borrow::Cow;

use base64::Engine as _;

use super::{date, decimal};
use crate::{Document, Value};

/// The contents of a wrapper's key, as read before we know whether the object is a wrapper.
/// Strings stay borrowed from the input when they need no unescaping.
pub(crate) enum Content<'de> {
    /// A JSON string.
    Str(Cow<'de, str>),
    /// Anything else, already decoded (nested wrappers included).
    Value(Value),
}

impl Content<'_> {
    /// The contents as an ordinary value, for when the object turned out to be a document.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Content::Str(s) => Value::String(s.into_owned()),
            Content::Value(v) => v,
        }
    }
}

/// A key that can start a wrapper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    NumberDouble,
    NumberInt,
    NumberLong,
    NumberDecimal,
    Date,
    Oid,
    RegularExpression,
    Regex,
    Options,
    Binary,
    Type,
    Uuid,
    Timestamp,
    MinKey,
    MaxKey,
    Symbol,
    Undefined,
}

impl Key {
    /// The wrapper key `key` is, if any. Cheap for ordinary keys: they do not start with `$`.
    #[inline]
    pub(crate) fn from_str(key: &str) -> Option<Key> {
        if !key.starts_with('$') {
            return None;
        }
        Some(match key {
            "$numberDouble" => Key::NumberDouble,
            "$numberInt" => Key::NumberInt,
            "$numberLong" => Key::NumberLong,
            "$numberDecimal" => Key::NumberDecimal,
            "$date" => Key::Date,
            "$oid" => Key::Oid,
            "$regularExpression" => Key::RegularExpression,
            "$regex" => Key::Regex,
            "$options" => Key::Options,
            "$binary" => Key::Binary,
            "$type" => Key::Type,
            "$uuid" => Key::Uuid,
            "$timestamp" => Key::Timestamp,
            "$minKey" => Key::MinKey,
            "$maxKey" => Key::MaxKey,
            "$symbol" => Key::Symbol,
            "$undefined" => Key::Undefined,
            _ => return None,
        })
    }

    /// Whether `self` followed by `second` can be a two-key legacy wrapper.
    pub(crate) fn pairs_with(self, second: &str) -> bool {
        matches!(
            (self, second),
            (Key::Regex, "$options")
                | (Key::Options, "$regex")
                | (Key::Binary, "$type")
                | (Key::Type, "$binary")
        )
    }
}

/// What an object with wrapper keys turned out to be.
pub(crate) enum Outcome {
    /// A valid wrapper: this value.
    Value(Value),
    /// Not a wrapper after all (e.g. `$regex` holding a query document): an ordinary document.
    Document,
    /// The keys name a wrapper but its contents are invalid.
    Invalid(String),
}

fn invalid(what: &str) -> Outcome {
    Outcome::Invalid(format!("invalid Extended JSON {what}"))
}

/// Interprets `{key: content}`, an object with one wrapper key.
pub(crate) fn single(key: Key, content: &Content<'_>) -> Outcome {
    let value = match (key, content) {
        (Key::NumberDouble, Content::Str(s)) => match parse_double(s) {
            Some(d) => Value::Double(d),
            None => return invalid("$numberDouble: not a double"),
        },
        (Key::NumberInt, Content::Str(s)) => match s.parse() {
            Ok(n) => Value::Int32(n),
            Err(_) => return invalid("$numberInt: not a 32-bit integer"),
        },
        (Key::NumberLong, Content::Str(s)) => match s.parse() {
            Ok(n) => Value::Int64(n),
            Err(_) => return invalid("$numberLong: not a 64-bit integer"),
        },
        (Key::NumberDecimal, Content::Str(s)) => match decimal::canonical_decimal(s) {
            Some(d) => Value::Decimal128(d),
            None => return invalid("$numberDecimal: not a Decimal128"),
        },
        (Key::Date, _) => match date_millis(content) {
            Some(ms) => Value::Date(ms),
            None => return invalid("$date: expected an ISO-8601 string or milliseconds"),
        },
        (Key::Oid, Content::Str(s)) => match parse_object_id(s) {
            Some(id) => Value::ObjectId(id),
            None => return invalid("$oid: expected 24 hexadecimal digits"),
        },
        (Key::RegularExpression, Content::Value(Value::Document(d))) => match regex_parts(d) {
            Some((pattern, options)) => regex(pattern, options),
            None => return invalid("$regularExpression: expected {pattern, options} strings"),
        },
        (Key::Regex, Content::Str(pattern)) => regex(pattern, ""),
        (Key::Binary, Content::Value(Value::Document(d))) => match canonical_binary(d) {
            Some(v) => v,
            None => return invalid("$binary: expected {base64, subType} strings"),
        },
        (Key::Uuid, Content::Str(s)) => match parse_uuid(s) {
            Some(bytes) => Value::Binary { subtype: 4, bytes },
            None => return invalid("$uuid: expected a UUID in hex"),
        },
        (Key::Timestamp, Content::Value(Value::Document(d))) => match timestamp(d) {
            Some(v) => v,
            None => return invalid("$timestamp: expected {t, i} unsigned 32-bit integers"),
        },
        (Key::MinKey, Content::Value(Value::Int32(1))) => Value::MinKey,
        (Key::MaxKey, Content::Value(Value::Int32(1))) => Value::MaxKey,
        (Key::Symbol, Content::Str(s)) => Value::String(s.clone().into_owned()),
        (Key::Undefined, Content::Value(Value::Bool(true))) => Value::Null,
        // `$regex` holding a non-string is the query operator; `$options` or `$type` alone
        // are ordinary keys. pymongo keeps all three as documents too.
        (Key::Regex | Key::Options | Key::Type, _) => return Outcome::Document,
        (key, _) => {
            return Outcome::Invalid(format!(
                "invalid Extended JSON {key:?}: wrong type of contents"
            ));
        }
    };
    Outcome::Value(value)
}

/// Interprets a legacy two-key wrapper, given its keys' contents in the order they appeared
/// (`first_key` names the first).
pub(crate) fn pair(first_key: Key, first: &Content<'_>, second: &Content<'_>) -> Outcome {
    let (main, partner) = match first_key {
        Key::Regex | Key::Binary => (first, second),
        _ => (second, first),
    };
    let value = match (first_key, main, partner) {
        (Key::Regex | Key::Options, Content::Str(pattern), Content::Str(options)) => {
            regex(pattern, options)
        }
        (Key::Regex | Key::Options, Content::Str(_), _) => {
            return invalid("$options: expected a string");
        }
        // `{"$regex": {..}, "$options": ..}` is the query operator: a document.
        (Key::Regex | Key::Options, _, _) => return Outcome::Document,
        (_, Content::Str(b64), subtype) => {
            let subtype = match subtype {
                Content::Str(hex) => parse_subtype(hex),
                Content::Value(Value::Int32(n)) => u8::try_from(*n).ok(),
                Content::Value(_) => None,
            };
            match (subtype, decode_base64(b64)) {
                (Some(subtype), Some(bytes)) => Value::Binary { subtype, bytes },
                _ => return invalid("legacy $binary: expected base64 and a hex $type"),
            }
        }
        _ => return invalid("legacy $binary: expected base64 and a hex $type"),
    };
    Outcome::Value(value)
}

/// Parses `$numberDouble` text: a decimal number, `Infinity`, `-Infinity` or `NaN`.
pub(crate) fn parse_double(text: &str) -> Option<f64> {
    match text {
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => text.parse().ok(),
    }
}

fn date_millis(content: &Content<'_>) -> Option<i64> {
    match content {
        Content::Str(s) => date::parse_iso8601(s),
        Content::Value(Value::Int32(n)) => Some(i64::from(*n)),
        Content::Value(Value::Int64(n)) => Some(*n),
        // pymongo and JavaScript's `Date` both truncate fractional milliseconds.
        Content::Value(Value::Double(d)) if d.is_finite() && d.abs() < 9.2e18 => {
            Some(d.trunc() as i64)
        }
        Content::Value(_) => None,
    }
}

fn parse_object_id(text: &str) -> Option<[u8; 12]> {
    let bytes = text.as_bytes();
    if bytes.len() != 24 {
        return None;
    }
    let mut id = [0u8; 12];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        id[i] = hex_byte(pair[0], pair[1])?;
    }
    Some(id)
}

/// A UUID as 32 hex digits, hyphenated 8-4-4-4-12 or not (pymongo accepts both).
fn parse_uuid(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    let hyphenated = b.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-');
    if !hyphenated && b.len() != 32 {
        return None;
    }
    let hex: Vec<u8> = b
        .iter()
        .copied()
        .filter(|&c| !hyphenated || c != b'-')
        .collect();
    hex.chunks_exact(2).map(|p| hex_byte(p[0], p[1])).collect()
}

fn hex_byte(hi: u8, lo: u8) -> Option<u8> {
    let nibble = |c: u8| (c as char).to_digit(16);
    Some((nibble(hi)? * 16 + nibble(lo)?) as u8)
}

/// A binary subtype as one or two hex digits (or mongoexport's `ffffff80`-style eight).
fn parse_subtype(hex: &str) -> Option<u8> {
    let hex = match hex.len() {
        1 | 2 => hex,
        8 if hex.starts_with("ffffff") => &hex[6..],
        _ => return None,
    };
    u8::from_str_radix(hex, 16).ok()
}

pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

fn regex(pattern: &str, options: &str) -> Value {
    let mut letters: Vec<char> = options.chars().collect();
    letters.sort_unstable();
    Value::Regex {
        pattern: pattern.to_owned(),
        options: letters.into_iter().collect(),
    }
}

fn two_fields<'a>(doc: &'a Document, a: &str, b: &str) -> Option<(&'a Value, &'a Value)> {
    if doc.len() != 2 {
        return None;
    }
    Some((doc.get(a)?, doc.get(b)?))
}

fn regex_parts(doc: &Document) -> Option<(&str, &str)> {
    let (pattern, options) = two_fields(doc, "pattern", "options")?;
    Some((pattern.as_str()?, options.as_str()?))
}

fn canonical_binary(doc: &Document) -> Option<Value> {
    let (b64, subtype) = two_fields(doc, "base64", "subType")?;
    let subtype = subtype
        .as_str()
        .filter(|s| s.len() <= 2)
        .and_then(parse_subtype)?;
    Some(Value::Binary {
        subtype,
        bytes: decode_base64(b64.as_str()?)?,
    })
}

fn timestamp(doc: &Document) -> Option<Value> {
    let (t, i) = two_fields(doc, "t", "i")?;
    let u32_of = |v: &Value| v.as_i64().and_then(|n| u32::try_from(n).ok());
    Some(Value::Timestamp {
        t: u32_of(t)?,
        i: u32_of(i)?,
    })
}
