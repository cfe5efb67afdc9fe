//! Extended JSON through serde: a visitor that takes JSON tokens from any serde deserializer and
//! reports them to a [`Sink`] as typed events, recognising wrappers as it goes — what `Value`'s
//! `Deserialize` and typed decoding ([`direct`](super::direct)) use. Text is read by the core's
//! own reader ([`reader`](super::reader)), faster; the two follow the same rules, each wrapper's
//! meaning being [`wrapper`](super::wrapper)'s, and property tests hold them to the same results.
//!
//! A wrapper is recognised from the object's first key: if it is not one of the wrapper keys
//! (the usual case, one byte compare) the object is reported as a document. Otherwise its
//! contents are read (strings borrowed when possible), and the next key decides: end of
//! object → the wrapper's scalar; a legacy partner key → read it and interpret the pair;
//! anything else → an ordinary document, whose entries read so far are replayed to the sink.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::sink::{Scalar, Sink, SinkError, ValueBuilder};
use super::wrapper::{self, Content, Outcome, Wrapper};
use crate::Value;

/// How deeply arrays and objects may nest; deeper input is a decode error, so hostile input
/// cannot exhaust the stack. (serde_json's own limit, 128, is higher.)
pub const MAX_DEPTH: usize = 100;

/// How many entries or items a thread's builder keeps room for between decodes.
const BUILDER_KEPT: usize = 1024;

thread_local! {
    static BUILDER: RefCell<ValueBuilder> = RefCell::default();
}

/// Runs `f` with this thread's [`ValueBuilder`] (or a fresh one if it is already in use), and
/// leaves it empty for the next decode.
pub(crate) fn with_builder<R>(f: impl FnOnce(&mut ValueBuilder) -> R) -> R {
    BUILDER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut builder) => {
            let result = f(&mut builder);
            builder.take();
            builder.shrink_to(BUILDER_KEPT);
            result
        }
        Err(_) => f(&mut ValueBuilder::default()),
    })
}

/// Reports one Extended JSON value from a deserializer to `sink`.
pub(crate) struct Events<'s, S: ?Sized> {
    pub(crate) sink: &'s mut S,
    /// How many containers enclose this value.
    pub(crate) depth: usize,
    /// Whether the value must be a document (a record at the top of the text).
    pub(crate) document_only: bool,
}

impl<'s, S: Sink + ?Sized> Events<'s, S> {
    /// Events for the top of a text.
    pub(crate) fn top(sink: &'s mut S, document_only: bool) -> Self {
        Events {
            sink,
            depth: 0,
            document_only,
        }
    }
}

impl<S: Sink + ?Sized> Events<'_, S> {
    /// Events for a value nested one level inside this one.
    fn child(&mut self) -> Events<'_, S> {
        Events {
            sink: self.sink,
            depth: self.depth + 1,
            document_only: false,
        }
    }

    /// Reports a scalar, refusing it if a document was required.
    #[inline]
    fn scalar<E: de::Error>(self, value: Scalar<'_>) -> Result<(), E> {
        if self.document_only {
            return Err(not_a_document(&value.to_value()));
        }
        self.sink.scalar(value).map_err(refused)
    }

    /// Checks that a container opened here is not nested too deeply.
    fn check_depth<E: de::Error>(&self) -> Result<(), E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format_args!(
                "nesting deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(())
    }
}

/// A sink's refusal as a deserializer error (which gets the position attached).
fn refused<E: de::Error>(e: SinkError) -> E {
    E::custom(e)
}

fn not_a_document<E: de::Error>(found: &Value) -> E {
    E::custom(format_args!(
        "expected a document, found {}",
        super::type_name(found)
    ))
}

impl<'de, S: Sink + ?Sized> DeserializeSeed<'de> for Events<'_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, S: Sink + ?Sized> Visitor<'de> for Events<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Extended JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar(Scalar::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.scalar(Scalar::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(Scalar::Bool(v))
    }

    fn visit_i32<E: de::Error>(self, v: i32) -> Result<(), E> {
        self.scalar(Scalar::Int32(v))
    }

    /// A plain integer is an Int32 if it fits, else an Int64.
    #[inline]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(match i32::try_from(v) {
            Ok(small) => Scalar::Int32(small),
            Err(_) => Scalar::Int64(v),
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(n) => self.visit_i64(n),
            // Beyond i64, a plain integer can only be held approximately: as a double.
            Err(_) => self.scalar(Scalar::Double(v as f64)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.scalar(Scalar::Double(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.scalar(Scalar::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.scalar(Scalar::Binary {
            subtype: 0,
            bytes: v,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        if self.document_only {
            return Err(not_a_document(&Value::Array(Vec::new())));
        }
        self.check_depth()?;
        self.sink.begin_array(seq.size_hint()).map_err(refused)?;
        while seq.next_element_seed(self.child())?.is_some() {}
        self.sink.end_array().map_err(refused)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.check_depth()?;
        let (read, mut next) = match read_head(&mut map, self.depth + 1)? {
            Head::Wrapper(value) => {
                return match Scalar::of(&value) {
                    Some(scalar) => self.scalar(scalar),
                    None => self.sink.value(value).map_err(refused),
                };
            }
            Head::Document { read, next } => (read, next),
        };
        self.sink.begin_document(map.size_hint()).map_err(refused)?;
        for (key, value) in read {
            self.sink.key(&key).map_err(refused)?;
            self.sink.value(value).map_err(refused)?;
        }
        while let Some(key) = next {
            self.sink.key(&key).map_err(refused)?;
            map.next_value_seed(self.child())?;
            next = map.next_key_seed(KeySeed)?;
        }
        self.sink.end_document().map_err(refused)
    }
}

/// Builds a [`Value`] from whatever the deserializer reports (for `Value`'s `Deserialize`).
pub(crate) struct ValueVisitor;

/// Forwards a visit to [`Events`] feeding `builder`, and returns what it built.
fn build<E: de::Error>(
    builder: &mut ValueBuilder,
    run: impl FnOnce(Events<'_, ValueBuilder>) -> Result<(), E>,
) -> Result<Value, E> {
    run(Events::top(builder, false))?;
    Ok(builder.take().unwrap_or(Value::Null))
}

/// Expands `$forward!` with the visits of values that are neither strings nor containers.
macro_rules! non_string_visits {
    ($forward:ident) => {
        $forward! {
            visit_unit();
            visit_none();
            visit_bool(v: bool);
            visit_i64(v: i64);
            visit_u64(v: u64);
            visit_f64(v: f64);
            visit_bytes(v: &[u8]);
        }
    };
}

/// Forwards each visit to [`Events`] over a [`ValueBuilder`], wrapping the result.
macro_rules! forward_to_events {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<E: de::Error>(self, $($arg: $ty),*) -> Result<Self::Value, E> {
            with_builder(|b| build(b, |events| events.$method($($arg),*)))
        }
    )*};
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Extended JSON value")
    }

    non_string_visits!(forward_to_events);
    forward_to_events! { visit_str(v: &str); }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        with_builder(|b| build(b, |events| events.visit_seq(seq)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        with_builder(|b| build(b, |events| events.visit_map(map)))
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
/// for an ordinary document (one byte compare), the whole object for a wrapper. `depth` is
/// the depth of the object's values.
pub(crate) fn read_head<'de, A: MapAccess<'de>>(
    map: &mut A,
    depth: usize,
) -> Result<Head<'de>, A::Error> {
    let document = |read, next| Ok(Head::Document { read, next });
    let Some(first) = map.next_key_seed(KeySeed)? else {
        return document(Vec::new(), None);
    };
    let Some(key) = Wrapper::from_key(&first) else {
        return document(Vec::new(), Some(first));
    };
    let content = map.next_value_seed(ContentSeed { depth })?;
    let second = map.next_key_seed(KeySeed)?;
    let (partner, next) = match second {
        Some(second) if key.pairs_with(&second) => {
            let partner = map.next_value_seed(ContentSeed { depth })?;
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

/// Reads a wrapper key's contents: strings borrowed when possible, anything else as a value
/// (built by a [`ValueBuilder`] of its own: usually a scalar, so it allocates nothing).
struct ContentSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ContentSeed {
    type Value = Content<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl ContentSeed {
    fn build<E: de::Error>(
        self,
        run: impl FnOnce(Events<'_, ValueBuilder>) -> Result<(), E>,
    ) -> Result<Content<'static>, E> {
        let mut builder = ValueBuilder::default();
        run(Events {
            sink: &mut builder,
            depth: self.depth,
            document_only: false,
        })?;
        Ok(Content::Value(builder.take().unwrap_or(Value::Null)))
    }
}

/// Forwards a non-string visit to [`Events`] over a fresh builder, as [`Content::Value`].
macro_rules! forward_to_content {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<E: de::Error>(self, $($arg: $ty),*) -> Result<Self::Value, E> {
            self.build(|events| events.$method($($arg),*))
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

    non_string_visits!(forward_to_content);

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.build(|events| events.visit_seq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.build(|events| events.visit_map(map))
    }
}
