//! Typed decoding straight from the text: a deserializer that sits between serde_json and a
//! `T: Deserialize`, passing plain JSON through untouched and turning each Extended JSON
//! wrapper into the natural serde value on the way (the table in [`typed`](super::typed)).
//!
//! Objects are told apart with [`read_head`]: an ordinary document reaches `T` as a map whose
//! first entries are replayed from what was read while looking for a wrapper; a wrapper
//! reaches `T` as the value it stands for, offered by [`ValueDeserializer`]. A [`Value`]
//! inside `T` asks for [`VALUE_TOKEN`] and is handed the raw JSON, so it is decoded exactly.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::decode::{Head, read_head};
use super::typed::{VALUE_TOKEN, ValueDeserializer};
use crate::Value;

/// Wraps a JSON deserializer so that `T` sees Extended JSON wrappers as natural values.
pub(crate) struct Direct<D>(pub(crate) D);

/// Which `deserialize_*` method `T` called, for offering a wrapper's value the way it asked.
#[derive(Clone, Copy)]
enum Hint {
    Any,
    String,
    Float,
}

/// Offers a wrapper's value to `visitor` the way `hint` asked for it.
fn offer<'de, V: Visitor<'de>, E: de::Error>(
    value: Value,
    hint: Hint,
    visitor: V,
) -> Result<V::Value, E> {
    let de = ValueDeserializer::<E>::new(value);
    match hint {
        Hint::Any => de.deserialize_any(visitor),
        Hint::String => de.deserialize_string(visitor),
        Hint::Float => de.deserialize_f64(visitor),
    }
}

impl<'de, D: Deserializer<'de>> Direct<D> {
    fn with_hint<V: Visitor<'de>>(self, hint: Hint, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(DirectVisitor {
            inner: visitor,
            hint,
        })
    }
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Direct<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.with_hint(Hint::Any, visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.with_hint(Hint::String, visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.with_hint(Hint::String, visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.with_hint(Hint::Float, visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.with_hint(Hint::Float, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_option(OptionVisitor(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        if name == VALUE_TOKEN {
            // A `Value` decodes Extended JSON itself, from the raw JSON.
            visitor.visit_newtype_struct(self.0)
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_enum(name, variants, EnumVisitor(visitor))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_ignored_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char bytes byte_buf unit unit_struct
        seq tuple tuple_struct map struct identifier
    }
}

/// A seed whose deserializer is wrapped in [`Direct`].
struct DirectSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for DirectSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Direct(deserializer))
    }
}

/// Passes JSON tokens to `inner`, recognising wrappers in objects.
struct DirectVisitor<V> {
    inner: V,
    hint: Hint,
}

macro_rules! pass_through {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<E: de::Error>(self, $($arg: $ty),*) -> Result<Self::Value, E> {
            self.inner.$method($($arg),*)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for DirectVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    pass_through! {
        visit_bool(v: bool);
        visit_i64(v: i64);
        visit_u64(v: u64);
        visit_f64(v: f64);
        visit_str(v: &str);
        visit_borrowed_str(v: &'de str);
        visit_string(v: String);
        visit_bytes(v: &[u8]);
        visit_borrowed_bytes(v: &'de [u8]);
        visit_unit();
        visit_none();
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Direct(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(DirectSeq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let head = read_head(&mut map, 0)?;
        match head {
            Head::Wrapper(value) => offer(value, self.hint, self.inner),
            Head::Document { read, next } => self.inner.visit_map(DirectMap {
                finished: next.is_none(),
                map,
                read: read.into_iter(),
                next,
                pending: None,
            }),
        }
    }
}

/// Array elements, each through [`Direct`].
struct DirectSeq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for DirectSeq<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.0.next_element_seed(DirectSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// A document's entries: first those already read by [`read_head`], then the rest of the
/// JSON object, values through [`Direct`].
struct DirectMap<'de, A> {
    map: A,
    read: std::vec::IntoIter<(Cow<'de, str>, Value)>,
    /// The key after `read` whose value is still in `map`.
    next: Option<Cow<'de, str>>,
    /// The value of the replayed key just returned.
    pending: Option<Value>,
    /// Whether `map` has reached the end of the object.
    finished: bool,
}

/// Offers a key, borrowed from the input when it was.
fn offer_key<'de, S: DeserializeSeed<'de>, E: de::Error>(
    seed: S,
    key: Cow<'de, str>,
) -> Result<S::Value, E> {
    match key {
        Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
        Cow::Owned(key) => seed.deserialize(key.into_deserializer()),
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for DirectMap<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.read.next() {
            self.pending = Some(value);
            return offer_key(seed, key).map(Some);
        }
        if let Some(key) = self.next.take() {
            return offer_key(seed, key).map(Some);
        }
        if self.finished {
            return Ok(None);
        }
        let key = self.map.next_key_seed(seed)?;
        self.finished = key.is_none();
        Ok(key)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        match self.pending.take() {
            Some(value) => seed.deserialize(ValueDeserializer::new(value)),
            None => self.map.next_value_seed(DirectSeed(seed)),
        }
    }
}

/// `Option<T>`: `null` is `None`, anything else is `T` through [`Direct`].
struct OptionVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptionVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Direct(deserializer))
    }
}

/// Enums: the variant's content goes through [`Direct`].
struct EnumVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for EnumVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(DirectEnum(data))
    }
}

struct DirectEnum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for DirectEnum<A> {
    type Error = A::Error;
    type Variant = DirectVariant<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (name, variant) = self.0.variant_seed(seed)?;
        Ok((name, DirectVariant(variant)))
    }
}

struct DirectVariant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for DirectVariant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.0.newtype_variant_seed(DirectSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(
            len,
            DirectVisitor {
                inner: visitor,
                hint: Hint::Any,
            },
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(
            fields,
            DirectVisitor {
                inner: visitor,
                hint: Hint::Any,
            },
        )
    }
}
