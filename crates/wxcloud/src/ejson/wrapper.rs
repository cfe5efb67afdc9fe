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

use super::sink::Scalar;
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

/// A wrapper, named by the key that starts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wrapper {
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

/// Every wrapper key, and the wrapper it starts.
const WRAPPER_KEYS: [(&str, Wrapper); 17] = [
    ("$numberDouble", Wrapper::NumberDouble),
    ("$numberInt", Wrapper::NumberInt),
    ("$numberLong", Wrapper::NumberLong),
    ("$numberDecimal", Wrapper::NumberDecimal),
    ("$date", Wrapper::Date),
    ("$oid", Wrapper::Oid),
    ("$regularExpression", Wrapper::RegularExpression),
    ("$regex", Wrapper::Regex),
    ("$options", Wrapper::Options),
    ("$binary", Wrapper::Binary),
    ("$type", Wrapper::Type),
    ("$uuid", Wrapper::Uuid),
    ("$timestamp", Wrapper::Timestamp),
    ("$minKey", Wrapper::MinKey),
    ("$maxKey", Wrapper::MaxKey),
    ("$symbol", Wrapper::Symbol),
    ("$undefined", Wrapper::Undefined),
];

impl Wrapper {
    /// The wrapper key `key` is, if any. Cheap for ordinary keys: they do not start with `$`.
    #[inline]
    pub(crate) fn from_key(key: &str) -> Option<Wrapper> {
        if !key.starts_with('$') {
            return None;
        }
        WRAPPER_KEYS
            .iter()
            .find(|(name, _)| *name == key)
            .map(|&(_, wrapper)| wrapper)
    }

    /// The key that starts this wrapper, for messages.
    pub(crate) fn key(self) -> &'static str {
        WRAPPER_KEYS
            .iter()
            .find(|(_, w)| *w == self)
            .map_or("$?", |&(name, _)| name)
    }

    /// Whether `self` followed by `second` can be a two-key legacy wrapper.
    pub(crate) fn pairs_with(self, second: &str) -> bool {
        matches!(
            (self, second),
            (Wrapper::Regex, "$options")
                | (Wrapper::Options, "$regex")
                | (Wrapper::Binary, "$type")
                | (Wrapper::Type, "$binary")
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
    Outcome::Invalid(what.to_owned())
}

/// Interprets `{key: content}`, an object with one wrapper key.
pub(crate) fn single(key: Wrapper, content: &Content<'_>) -> Outcome {
    let value = match (key, content) {
        (Wrapper::NumberDouble | Wrapper::NumberInt | Wrapper::NumberLong, Content::Str(s)) => {
            let Some((scalar, _)) = number(key, s) else {
                return invalid(match key {
                    Wrapper::NumberDouble => "$numberDouble: not a double",
                    Wrapper::NumberInt => "$numberInt: not a 32-bit integer",
                    _ => "$numberLong: not a 64-bit integer",
                });
            };
            scalar.to_value()
        }
        (Wrapper::NumberDecimal, Content::Str(s)) => match decimal::canonical_decimal(s) {
            Some(d) => Value::Decimal128(d),
            None => return invalid("$numberDecimal: not a Decimal128"),
        },
        (Wrapper::Date, _) => match date_millis(content) {
            Some(ms) => Value::Date(ms),
            None => return invalid("$date: expected an ISO-8601 string or milliseconds"),
        },
        (Wrapper::Oid, Content::Str(s)) => match parse_object_id(s) {
            Some(id) => Value::ObjectId(id),
            None => return invalid("$oid: expected 24 hexadecimal digits"),
        },
        (Wrapper::RegularExpression, Content::Value(Value::Document(d))) => match regex_parts(d) {
            Some((pattern, options)) => regex(pattern, options),
            None => return invalid("$regularExpression: expected {pattern, options} strings"),
        },
        (Wrapper::Regex, Content::Str(pattern)) => regex(pattern, ""),
        (Wrapper::Binary, Content::Value(Value::Document(d))) => match canonical_binary(d) {
            Some(v) => v,
            None => return invalid("$binary: expected {base64, subType} strings"),
        },
        (Wrapper::Uuid, Content::Str(s)) => match parse_uuid(s) {
            Some(bytes) => Value::Binary { subtype: 4, bytes },
            None => return invalid("$uuid: expected a UUID in hex"),
        },
        (Wrapper::Timestamp, Content::Value(Value::Document(d))) => match timestamp(d) {
            Some(v) => v,
            None => return invalid("$timestamp: expected {t, i} unsigned 32-bit integers"),
        },
        (Wrapper::MinKey, Content::Value(Value::Int32(1))) => Value::MinKey,
        (Wrapper::MaxKey, Content::Value(Value::Int32(1))) => Value::MaxKey,
        (Wrapper::Symbol, Content::Str(s)) => Value::String(s.clone().into_owned()),
        (Wrapper::Undefined, Content::Value(Value::Bool(true))) => Value::Null,
        // `$regex` holding a non-string is the query operator; `$options` or `$type` alone
        // are ordinary keys. pymongo keeps all three as documents too.
        (Wrapper::Regex | Wrapper::Options | Wrapper::Type, _) => return Outcome::Document,
        (key, _) => {
            return Outcome::Invalid(format!("{}: wrong type of contents", key.key()));
        }
    };
    Outcome::Value(value)
}

/// The scalar of a number wrapper (`$numberDouble`, `$numberInt`, `$numberLong`) holding
/// `text`, and whether `text` is the JSON number for that very value (so JSON can carry it as
/// written); `None` if the text is not one (or the key is another wrapper's).
#[inline]
pub(crate) fn number(key: Wrapper, text: &str) -> Option<(Scalar<'static>, bool)> {
    let json = super::number::read(text, 0)
        .ok()
        .filter(|&(_, end)| end == text.len())
        .map(|(scalar, _)| scalar);
    Some(match (key, json) {
        (Wrapper::NumberDouble, Some(Scalar::Double(d))) => (Scalar::Double(d), true),
        (Wrapper::NumberDouble, Some(Scalar::Int32(n))) => (Scalar::Double(n.into()), true),
        (Wrapper::NumberInt, Some(Scalar::Int32(n))) => (Scalar::Int32(n), true),
        (Wrapper::NumberLong, Some(Scalar::Int32(n))) => (Scalar::Int64(n.into()), true),
        (Wrapper::NumberLong, Some(Scalar::Int64(n))) => (Scalar::Int64(n), true),
        // The other forms a wrapper takes (`Infinity`, `+5`, `-0` as an integer, ...).
        (Wrapper::NumberDouble, _) => (Scalar::Double(parse_double(text)?), false),
        (Wrapper::NumberInt, _) => (Scalar::Int32(text.parse().ok()?), false),
        (Wrapper::NumberLong, _) => (Scalar::Int64(text.parse().ok()?), false),
        _ => return None,
    })
}

/// Interprets a legacy two-key wrapper, given its keys' contents in the order they appeared
/// (`first_key` names the first).
pub(crate) fn pair(first_key: Wrapper, first: &Content<'_>, second: &Content<'_>) -> Outcome {
    let (main, partner) = match first_key {
        Wrapper::Regex | Wrapper::Binary => (first, second),
        _ => (second, first),
    };
    let value = match (first_key, main, partner) {
        (Wrapper::Regex | Wrapper::Options, Content::Str(pattern), Content::Str(options)) => {
            regex(pattern, options)
        }
        (Wrapper::Regex | Wrapper::Options, Content::Str(_), _) => {
            return invalid("$options: expected a string");
        }
        // `{"$regex": {..}, "$options": ..}` is the query operator: a document.
        (Wrapper::Regex | Wrapper::Options, _, _) => return Outcome::Document,
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
        _ => super::number::parse_double(text),
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
