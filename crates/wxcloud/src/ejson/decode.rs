//! One-pass decoding: a serde visitor that builds a [`Value`] straight from the JSON tokens,
//! recognising Extended JSON wrappers as it goes — no intermediate `serde_json::Value`.
//!
//! A wrapper is recognised from the object's first key: if it is not one of the wrapper keys
//! (the usual case, one byte compare) the object is read as a document. Otherwise its
//! contents are read (strings borrowed when possible), and the next key decides: end of
//! object → interpret the wrapper; a legacy partner key → read it and interpret the pair;
//! anything else → an ordinary document that already holds its first entries.
//!
//! Entries and items are gathered on a per-thread [`Scratch`] stack and moved into a document
//! or array of exactly the right size when its container closes, so each container costs one
//! allocation (two for a document's map) instead of a series of regrowths.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::wrapper::{self, Content, Outcome, Wrapper};
use crate::{Document, Value};

/// How deeply arrays and objects may nest; deeper input is a decode error, so hostile input
/// cannot exhaust the stack. (serde_json's own limit, 128, is higher.)
pub const MAX_DEPTH: usize = 100;

/// Entries and items of the containers being decoded, innermost last.
#[derive(Default)]
pub(crate) struct Scratch {
    entries: Vec<(String, Value)>,
    items: Vec<Value>,
}

/// How many entries or items a thread keeps room for between decodes.
const SCRATCH_KEPT: usize = 1024;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Runs `f` with this thread's scratch stack (or a fresh one if it is already in use), and
/// leaves the stack empty for the next decode.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            let result = f(&mut scratch);
            scratch.entries.clear();
            scratch.items.clear();
            scratch.entries.shrink_to(SCRATCH_KEPT);
            scratch.items.shrink_to(SCRATCH_KEPT);
            result
        }
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Decodes one Extended JSON value from a deserializer; `depth` counts enclosing containers.
pub(crate) struct ValueSeed<'s> {
    pub(crate) depth: usize,
    pub(crate) scratch: &'s mut Scratch,
}

impl ValueSeed<'_> {
    /// The same seed again, for the next value.
    fn again(&mut self) -> ValueSeed<'_> {
        ValueSeed {
            depth: self.depth,
            scratch: self.scratch,
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor {
            depth: self.depth,
            scratch: self.scratch,
        })
    }
}

/// Builds a [`Value`] from whatever the deserializer reports.
pub(crate) struct ValueVisitor<'s> {
    pub(crate) depth: usize,
    pub(crate) scratch: &'s mut Scratch,
}

impl<'s> ValueVisitor<'s> {
    /// The seed for a value nested one level inside this one, or an error if that is too deep.
    fn child<E: de::Error>(self) -> Result<ValueSeed<'s>, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format_args!(
                "nesting deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(ValueSeed {
            depth: self.depth + 1,
            scratch: self.scratch,
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

impl<'de> Visitor<'de> for ValueVisitor<'_> {
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
        let mut seed = self.child()?;
        let start = seed.scratch.items.len();
        while let Some(item) = seq.next_element_seed(seed.again())? {
            seed.scratch.items.push(item);
        }
        Ok(Value::Array(seed.scratch.items.drain(start..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut seed = self.child()?;
        let (read, mut next) = match read_head(&mut map, seed.again())? {
            Head::Wrapper(value) => return Ok(value),
            Head::Document { read, next } => (read, next),
        };
        let start = seed.scratch.entries.len();
        let read = read.into_iter().map(|(k, v)| (k.into_owned(), v));
        seed.scratch.entries.extend(read);
        while let Some(key) = next {
            let value = map.next_value_seed(seed.again())?;
            seed.scratch.entries.push((key.into_owned(), value));
            next = map.next_key_seed(KeySeed)?;
        }
        let doc: Document = seed.scratch.entries.drain(start..).collect();
        Ok(Value::Document(doc))
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
    mut seed: ValueSeed<'_>,
) -> Result<Head<'de>, A::Error> {
    let document = |read, next| Ok(Head::Document { read, next });
    let Some(first) = map.next_key_seed(KeySeed)? else {
        return document(Vec::new(), None);
    };
    let Some(key) = Wrapper::from_key(&first) else {
        return document(Vec::new(), Some(first));
    };
    let content = map.next_value_seed(ContentSeed(seed.again()))?;
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
struct ContentSeed<'s>(ValueSeed<'s>);

impl<'de> DeserializeSeed<'de> for ContentSeed<'_> {
    type Value = Content<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Forwards a non-string visit to [`ValueVisitor`] and wraps its result.
macro_rules! forward_to_value {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<E: de::Error>(self, $($arg: $ty),*) -> Result<Self::Value, E> {
            self.visitor().$method($($arg),*).map(Content::Value)
        }
    )*};
}

impl<'s> ContentSeed<'s> {
    fn visitor(self) -> ValueVisitor<'s> {
        ValueVisitor {
            depth: self.0.depth,
            scratch: self.0.scratch,
        }
    }
}

impl<'de> Visitor<'de> for ContentSeed<'_> {
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
        self.visitor().visit_seq(seq).map(Content::Value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.visitor().visit_map(map).map(Content::Value)
    }
}
