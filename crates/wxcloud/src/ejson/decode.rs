//! One-pass decoding: a serde visitor that builds a [`Value`] straight from the JSON tokens,
//! recognising Extended JSON wrappers as it goes — no intermediate `serde_json::Value`.
//!
//! A wrapper is recognised from the object's first key: if it is not one of the wrapper keys
//! (the usual case, one byte compare) the object is read as a document. Otherwise its
//! contents are read (strings borrowed when possible), and the next key decides: end of
//! object → interpret the wrapper; a legacy partner key → read it and interpret the pair;
//! anything else → an ordinary document that already holds its first entries.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::wrapper::{self, Content, Key, Outcome};
use crate::{Document, Value};

/// How deeply arrays and objects may nest; deeper input is a decode error, so hostile input
/// cannot exhaust the stack. (serde_json's own limit, 128, is higher.)
pub const MAX_DEPTH: usize = 100;

/// Decodes one Extended JSON value from a deserializer; `depth` counts enclosing containers.
#[derive(Clone, Copy)]
pub(crate) struct ValueSeed {
    pub(crate) depth: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor { depth: self.depth })
    }
}

/// Builds a [`Value`] from whatever the deserializer reports.
#[derive(Clone, Copy)]
pub(crate) struct ValueVisitor {
    pub(crate) depth: usize,
}

impl ValueVisitor {
    /// The seed for a value nested one level inside this one, or an error if that is too deep.
    fn child<E: de::Error>(self) -> Result<ValueSeed, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format_args!(
                "nesting deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(ValueSeed {
            depth: self.depth + 1,
        })
    }
}

/// The value of a plain JSON integer: Int32 if it fits, else Int64.
#[inline]
fn integer(n: i64) -> Value {
    match i32::try_from(n) {
        Ok(small) => Value::Int32(small),
        Err(_) => Value::Int64(n),
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Extended JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i32<E>(self, v: i32) -> Result<Value, E> {
        Ok(Value::Int32(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(integer(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        // Beyond i64, a plain integer can only be held approximately: as a double.
        Ok(i64::try_from(v).map_or(Value::Double(v as f64), integer))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Double(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Binary {
            subtype: 0,
            bytes: v.to_vec(),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let seed = self.child()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(seed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let seed = self.child()?;
        match read_head(&mut map, seed)? {
            Head::Wrapper(value) => Ok(value),
            Head::Document { read, next } => {
                let mut doc = Document::with_capacity(read.len());
                doc.extend(read.into_iter().map(|(k, v)| (k.into_owned(), v)));
                match next {
                    Some(key) => rest_of_document(map, seed, doc, key),
                    None => Ok(Value::Document(doc)),
                }
            }
        }
    }
}

/// How an object starts: a whole wrapper, or an ordinary document.
pub(crate) enum Head<'de> {
    /// The object was a wrapper, and this is its value; the object has been read to its end.
    Wrapper(Value),
    /// The object is an ordinary document. `read` holds the entries already read while
    /// looking for a wrapper (usually none); `next` is the next key, whose value is still
    /// unread — or `None` if the object has been read to its end.
    Document {
        read: Vec<(Cow<'de, str>, Value)>,
        next: Option<Cow<'de, str>>,
    },
}

/// Reads as much of an object as it takes to tell a wrapper from a document: the first key
/// for an ordinary document (one byte compare), the whole object for a wrapper.
pub(crate) fn read_head<'de, A: MapAccess<'de>>(
    map: &mut A,
    seed: ValueSeed,
) -> Result<Head<'de>, A::Error> {
    let document = |read, next| Ok(Head::Document { read, next });
    let Some(first) = map.next_key_seed(KeySeed)? else {
        return document(Vec::new(), None);
    };
    let Some(key) = Key::from_str(&first) else {
        return document(Vec::new(), Some(first));
    };
    let content = map.next_value_seed(ContentSeed(seed))?;
    let second = map.next_key_seed(KeySeed)?;
    let (partner, next) = match second {
        Some(second) if key.pairs_with(&second) => {
            let partner = map.next_value_seed(ContentSeed(seed))?;
            (Some((second, partner)), map.next_key_seed(KeySeed)?)
        }
        other => (None, other),
    };
    if next.is_none() {
        let outcome = match &partner {
            None => wrapper::single(key, &content),
            Some((_, partner)) => wrapper::pair(key, &content, partner),
        };
        match outcome {
            Outcome::Value(value) => return Ok(Head::Wrapper(value)),
            Outcome::Invalid(message) => return Err(de::Error::custom(message)),
            Outcome::Document => {}
        }
    }
    let mut read = vec![(first, content.into_value())];
    read.extend(partner.map(|(k, v)| (k, v.into_value())));
    document(read, next)
}

/// Reads the remaining entries of an ordinary document, starting with the value of `key`.
fn rest_of_document<'de, A: MapAccess<'de>>(
    mut map: A,
    seed: ValueSeed,
    mut doc: Document,
    mut key: Cow<'de, str>,
) -> Result<Value, A::Error> {
    loop {
        let value = map.next_value_seed(seed)?;
        doc.insert(key.into_owned(), value);
        match map.next_key_seed(KeySeed)? {
            Some(next) => key = next,
            None => return Ok(Value::Document(doc)),
        }
    }
}

/// Reads an object key, borrowing it from the input when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Reads a wrapper key's contents: strings borrowed when possible, anything else as a value.
struct ContentSeed(ValueSeed);

impl<'de> DeserializeSeed<'de> for ContentSeed {
    type Value = Content<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Forwards a non-string visit to [`ValueVisitor`] and wraps its result.
macro_rules! forward_to_value {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<E: de::Error>(self, $($arg: $ty),*) -> Result<Self::Value, E> {
            ValueVisitor { depth: self.0.depth }.$method($($arg),*).map(Content::Value)
        }
    )*};
}

impl<'de> Visitor<'de> for ContentSeed {
    type Value = Content<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Extended JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Content::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Content::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Content::Str(Cow::Owned(v)))
    }

    forward_to_value! {
        visit_unit();
        visit_none();
        visit_bool(v: bool);
        visit_i32(v: i32);
        visit_i64(v: i64);
        visit_u64(v: u64);
        visit_f64(v: f64);
        visit_bytes(v: &[u8]);
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        ValueVisitor {
            depth: self.0.depth,
        }
        .visit_seq(seq)
        .map(Content::Value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        ValueVisitor {
            depth: self.0.depth,
        }
        .visit_map(map)
        .map(Content::Value)
    }
}
