//! Typed decoding from a [`Value`]: each BSON type offered to a `T: Deserialize` as its
//! natural serde value (the table is on [`ValueDeserializer`]). `from_str` offers wrappers the
//! same way while reading the text (see `direct.rs`).

use std::marker::PhantomData;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{
    self, Deserialize, Deserializer, EnumAccess, IntoDeserializer, VariantAccess, Visitor,
};

use super::decode::ValueVisitor;
use super::{date, encode};
use crate::{Document, Value};

/// The newtype name [`Value`]'s `Deserialize` asks for, so that [`ValueDeserializer`] can hand
/// it the value's exact Extended JSON shape instead of the natural serde one.
pub(crate) const VALUE_TOKEN: &str = "$__wxcloud_ejson_Value";

/// Reads Extended JSON from any self-describing deserializer (`serde_json::from_str::<Value>`
/// decodes wrappers exactly as [`decode_value`](super::decode_value) does).
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_newtype_struct(VALUE_TOKEN, ValueVisitor)
    }
}

/// Offers a [`Value`] to a `Deserialize` implementation, each BSON type as its natural serde
/// value. [`from_str`](super::from_str) and [`from_value`](super::from_value) use it.
///
/// | BSON type | what `T` sees |
/// |---|---|
/// | Int32, Int64, Double | the number (serde converts between widths when it fits) |
/// | Decimal128 | its canonical string; an `f64` field gets the nearest double |
/// | Date | milliseconds since the epoch (`i64`); a `String` field gets ISO-8601 text (years 1970–9999) |
/// | ObjectId | its 24 lowercase hex digits |
/// | Binary | bytes (e.g. `serde_bytes::ByteBuf`) |
/// | Regex | a map `{pattern, options}` |
/// | Timestamp | a map `{t, i}` |
/// | MinKey, MaxKey, Null | unit (`None` for an `Option`) |
/// | Array, Document | a sequence, a map (or a struct) |
///
/// A field of type [`Value`] or [`Document`](crate::Document) receives the value unchanged.
///
/// ```
/// use serde::Deserialize;
/// use wxcloud::{Value, ejson::ValueDeserializer};
///
/// let when = i64::deserialize(ValueDeserializer::<serde::de::value::Error>::new(Value::Date(7)))?;
/// assert_eq!(when, 7);
/// # Ok::<(), serde::de::value::Error>(())
/// ```
pub struct ValueDeserializer<E> {
    value: Value,
    error: PhantomData<E>,
}

impl<E> ValueDeserializer<E> {
    /// A deserializer that offers `value`.
    pub fn new(value: Value) -> Self {
        ValueDeserializer {
            value,
            error: PhantomData,
        }
    }
}

impl<'de, E: de::Error> IntoDeserializer<'de, E> for Value {
    type Deserializer = ValueDeserializer<E>;

    fn into_deserializer(self) -> Self::Deserializer {
        ValueDeserializer::new(self)
    }
}

/// A one-key document `{key: value}`.
fn single(key: &str, value: Value) -> Value {
    Value::Document(Document::from_iter([(key.to_owned(), value)]))
}

/// The value rewritten as plain JSON-shaped data holding its canonical wrappers, so that
/// [`ValueVisitor`] rebuilds exactly the same value from it.
fn wrapper_shape(value: Value) -> Value {
    let pair = |a: &str, x: Value, b: &str, y: Value| {
        Value::Document(Document::from_iter([(a.to_owned(), x), (b.to_owned(), y)]))
    };
    match value {
        Value::Null | Value::Bool(_) | Value::Int32(_) | Value::Double(_) | Value::String(_) => {
            value
        }
        Value::Int64(n) => single("$numberLong", Value::String(n.to_string())),
        Value::Date(ms) => single(
            "$date",
            single("$numberLong", Value::String(ms.to_string())),
        ),
        Value::Decimal128(d) => single("$numberDecimal", Value::String(d)),
        Value::ObjectId(id) => single("$oid", Value::String(encode::object_id_hex(&id))),
        Value::Binary { subtype, bytes } => single(
            "$binary",
            pair(
                "base64",
                Value::String(encode::base64_text(&bytes)),
                "subType",
                Value::String(format!("{subtype:02x}")),
            ),
        ),
        Value::Regex { pattern, options } => single(
            "$regularExpression",
            pair(
                "pattern",
                Value::String(pattern),
                "options",
                Value::String(options),
            ),
        ),
        Value::Timestamp { t, i } => single(
            "$timestamp",
            pair("t", Value::Int64(t.into()), "i", Value::Int64(i.into())),
        ),
        Value::MinKey => single("$minKey", Value::Int32(1)),
        Value::MaxKey => single("$maxKey", Value::Int32(1)),
        Value::Array(items) => Value::Array(items.into_iter().map(wrapper_shape).collect()),
        Value::Document(doc) => Value::Document(
            doc.into_iter()
                .map(|(k, v)| (k, wrapper_shape(v)))
                .collect(),
        ),
    }
}

fn map_of<'de, V: Visitor<'de>, E: de::Error>(
    visitor: V,
    entries: [(&'static str, Value); 2],
) -> Result<V::Value, E> {
    visitor.visit_map(MapDeserializer::new(entries.into_iter()))
}

impl<'de, E: de::Error> Deserializer<'de> for ValueDeserializer<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Value::Null | Value::MinKey | Value::MaxKey => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int32(n) => visitor.visit_i32(n),
            Value::Int64(n) | Value::Date(n) => visitor.visit_i64(n),
            Value::Double(d) => visitor.visit_f64(d),
            Value::Decimal128(s) | Value::String(s) => visitor.visit_string(s),
            Value::ObjectId(id) => visitor.visit_string(encode::object_id_hex(&id)),
            Value::Binary { bytes, .. } => visitor.visit_byte_buf(bytes),
            Value::Regex { pattern, options } => map_of(
                visitor,
                [
                    ("pattern", Value::String(pattern)),
                    ("options", Value::String(options)),
                ],
            ),
            Value::Timestamp { t, i } => map_of(
                visitor,
                [("t", Value::Int64(t.into())), ("i", Value::Int64(i.into()))],
            ),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Document(doc) => {
                let mut map = MapDeserializer::new(doc.into_iter());
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        if name == VALUE_TOKEN {
            visitor.visit_newtype_struct(ValueDeserializer::<E>::new(wrapper_shape(self.value)))
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Value::Date(ms) => match date::format_iso8601(ms) {
                Some(iso) => visitor.visit_string(iso),
                None => visitor.visit_i64(ms),
            },
            other => ValueDeserializer::new(other).deserialize_any(visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        self.deserialize_string(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Value::Decimal128(ref s) => match s.parse::<f64>() {
                Ok(d) => visitor.visit_f64(d),
                Err(_) => self.deserialize_any(visitor),
            },
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.value {
            Value::String(variant) => visitor.visit_enum(Enum {
                variant,
                content: None,
                error: PhantomData,
            }),
            Value::Document(doc) if doc.len() == 1 => {
                let Some((variant, content)) = doc.into_iter().next() else {
                    return Err(de::Error::custom("empty enum document"));
                };
                visitor.visit_enum(Enum {
                    variant,
                    content: Some(content),
                    error: PhantomData,
                })
            }
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a string or a one-key document",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Int32(n) => de::Unexpected::Signed((*n).into()),
        Value::Int64(n) => de::Unexpected::Signed(*n),
        Value::Double(d) => de::Unexpected::Float(*d),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Document(_) => de::Unexpected::Map,
        other => de::Unexpected::Other(super::type_name(other)),
    }
}

/// An enum written as `"Variant"` or `{"Variant": content}`.
struct Enum<E> {
    variant: String,
    content: Option<Value>,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> EnumAccess<'de> for Enum<E> {
    type Error = E;
    type Variant = Variant<E>;

    fn variant_seed<S: de::DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Variant<E>), E> {
        let name = seed.deserialize(self.variant.into_deserializer())?;
        Ok((
            name,
            Variant {
                content: self.content,
                error: PhantomData,
            },
        ))
    }
}

/// The content of an enum variant, if it had any.
struct Variant<E> {
    content: Option<Value>,
    error: PhantomData<E>,
}

impl<E: de::Error> Variant<E> {
    fn content(self) -> Result<ValueDeserializer<E>, E> {
        match self.content {
            Some(value) => Ok(ValueDeserializer::new(value)),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"a variant with content",
            )),
        }
    }
}

impl<'de, E: de::Error> VariantAccess<'de> for Variant<E> {
    type Error = E;

    fn unit_variant(self) -> Result<(), E> {
        match self.content {
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a unit variant",
            )),
        }
    }

    fn newtype_variant_seed<S: de::DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, E> {
        seed.deserialize(self.content()?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, E> {
        self.content()?.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        self.content()?.deserialize_map(visitor)
    }
}
