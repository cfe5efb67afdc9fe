//! Records as JavaScript values, and JavaScript values as statement input.
//!
//! Out (built by [`tape`] straight from the text): Double and Int32 become numbers, Int64 a number inside ±(2^53−1) and a `BigInt`
//! outside, Date a `Date`, Decimal128 and ObjectId strings, Binary a `Buffer`, Regex a `RegExp`
//! (flags JavaScript cannot hold are dropped), Timestamp/MinKey/MaxKey — and a Date beyond
//! the range of a JavaScript `Date` — their Extended JSON wrapper objects. Documents keep their key order.
//!
//! In: the same, plus integral numbers that fit become Int32 and others Double, a `BigInt` an
//! Int64, a `Uint8Array` Binary, and an Extended JSON wrapper object (`{$oid: ..}`,
//! `{$numberDecimal: ..}`, `{$numberLong: ..}`, ...) the value it stands for — read by the
//! core's Extended JSON decoder, so the rules are the core's.

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue};
use napi::{Result, sys};
use wxcloud::{Document, Value};

use crate::args::{Read, ReadJs, invalid};
use crate::raw::{Js, JsValue};
use crate::tape;

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub(crate) const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The range of a JavaScript `Date`, in milliseconds either side of the epoch.
pub(crate) const MAX_DATE_MS: i64 = 8_640_000_000_000_000;

/// How deep input values may nest; deeper input is almost surely a cycle.
const MAX_INPUT_DEPTH: usize = 64;

/// Extended JSON wrapper keys read as typed values on input. `$regex` is left out on purpose:
/// it is also MongoDB's query operator.
const WRAPPER_KEYS: &[&str] = &[
    "$oid",
    "$numberDecimal",
    "$numberLong",
    "$numberInt",
    "$numberDouble",
    "$date",
    "$timestamp",
    "$minKey",
    "$maxKey",
    "$regularExpression",
    "$binary",
];

/// Reads statement input from JavaScript values.
pub(crate) struct FromJs {
    js: Js,
    regexp: Option<JsValue>,
}

impl FromJs {
    pub(crate) fn new(js: Js) -> Self {
        FromJs { js, regexp: None }
    }

    /// Any value. `undefined` reads as null at the top and in arrays; object keys holding
    /// `undefined` are skipped, as `JSON.stringify` does.
    pub(crate) fn value(&mut self, v: JsValue, path: &str, depth: usize) -> Read<Value> {
        let js = self.js;
        if depth > MAX_INPUT_DEPTH {
            return Err(invalid(format!(
                "{path}: nested deeper than {MAX_INPUT_DEPTH} levels (a cycle?)"
            )));
        }
        match js.type_of(v)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => Ok(Value::Null),
            sys::ValueType::napi_boolean => Ok(Value::Bool(js.get_bool(v)?)),
            sys::ValueType::napi_number => Ok(number(js.get_f64(v)?)),
            sys::ValueType::napi_string => Ok(Value::String(js.get_string(v)?)),
            sys::ValueType::napi_bigint => match js.get_bigint(v)? {
                (n, true) => Ok(Value::Int64(n)),
                (_, false) => Err(invalid(format!(
                    "{path}: BigInt outside the 64-bit integer range"
                ))),
            },
            sys::ValueType::napi_object => self.object(v, path, depth),
            sys::ValueType::napi_function => {
                Err(invalid(format!("{path}: a function is not a value")))
            }
            _ => Err(invalid(format!(
                "{path}: a symbol or external is not a value"
            ))),
        }
    }

    fn object(&mut self, v: JsValue, path: &str, depth: usize) -> Read<Value> {
        let js = self.js;
        if js.is_array(v)? {
            let len = js.array_len(v)?;
            let mut items = Vec::with_capacity(len as usize);
            for i in 0..len {
                let item = js.element(v, i)?;
                items.push(self.value(item, &format!("{path}[{i}]"), depth + 1)?);
            }
            return Ok(Value::Array(items));
        }
        if js.is_date(v)? {
            let ms = js.date_value(v)?;
            if !ms.is_finite() {
                return Err(invalid(format!("{path}: invalid Date")));
            }
            return Ok(Value::Date(ms as i64));
        }
        if js.is_buffer(v)? || js.is_typedarray(v)? {
            return match js.bytes(v)? {
                Some(bytes) => Ok(Value::Binary { subtype: 0, bytes }),
                None => Err(invalid(format!(
                    "{path}: only Buffer and Uint8Array are binary values"
                ))),
            };
        }
        if js.instance_of(v, self.regexp_constructor()?)? {
            let pattern = js.get_string(js.get_named(v, "source")?)?;
            let flags = js.get_string(js.get_named(v, "flags")?)?;
            let mut options: Vec<char> = flags
                .chars()
                .filter(|c| matches!(c, 'i' | 'm' | 's' | 'u'))
                .collect();
            options.sort_unstable();
            return Ok(Value::Regex {
                pattern,
                options: options.into_iter().collect(),
            });
        }
        let doc = self.document(v, path, depth)?;
        if doc.len() <= 2
            && doc
                .keys()
                .next()
                .is_some_and(|k| WRAPPER_KEYS.contains(&k.as_str()))
        {
            let value = Value::Document(doc);
            let text = wxcloud::ejson::to_relaxed_string(&value);
            return wxcloud::ejson::decode_value(&text)
                .map_err(|e| invalid(format!("{path}: not a valid Extended JSON wrapper: {e}")));
        }
        Ok(Value::Document(doc))
    }

    /// A plain object's own enumerable properties, in order.
    fn document(&mut self, v: JsValue, path: &str, depth: usize) -> Read<Document> {
        let js = self.js;
        let keys = js.own_keys(v)?;
        let len = js.array_len(keys)?;
        let mut doc = Document::with_capacity(len as usize);
        for i in 0..len {
            let key = js.element(keys, i)?;
            let value = js.get(v, key)?;
            if js.type_of(value)? == sys::ValueType::napi_undefined {
                continue;
            }
            let name = js.get_string(key)?;
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let value = self.value(value, &child, depth + 1)?;
            doc.insert(name, value);
        }
        Ok(doc)
    }

    /// A value that must be a plain object (a filter, an update, a record).
    pub(crate) fn plain_document(&mut self, v: JsValue, what: &str) -> Read<Document> {
        match self.value(v, what, 0)? {
            Value::Document(doc) => Ok(doc),
            _ => Err(invalid(format!("{what}: expected a plain object"))),
        }
    }

    /// A value that must be an array of plain objects (a pipeline, a list of records).
    pub(crate) fn documents(&mut self, v: JsValue, what: &str) -> Read<Vec<Document>> {
        let js = self.js;
        if !js.is_array(v)? {
            return Err(invalid(format!("{what}: expected an array of objects")));
        }
        let len = js.array_len(v)?;
        let mut docs = Vec::with_capacity(len as usize);
        for i in 0..len {
            let item = js.element(v, i)?;
            docs.push(self.plain_document(item, &format!("{what}[{i}]"))?);
        }
        Ok(docs)
    }

    fn regexp_constructor(&mut self) -> Read<JsValue> {
        if let Some(c) = self.regexp {
            return Ok(c);
        }
        let c = self.js.get_named(self.js.global()?, "RegExp")?;
        self.regexp = Some(c);
        Ok(c)
    }
}

/// A JavaScript number as Int32 when it is integral and fits, else Double.
fn number(n: f64) -> Value {
    if n.fract() == 0.0
        && n >= f64::from(i32::MIN)
        && n <= f64::from(i32::MAX)
        && !(n == 0.0 && n.is_sign_negative())
    {
        Value::Int32(n as i32)
    } else {
        Value::Double(n)
    }
}

/// A filter (`where`), as a document.
pub struct Where(pub Document);

/// An update document (`data`).
pub struct Data(pub Document);

/// A pipeline: an array of stage documents.
pub struct Pipeline(pub Vec<Document>);

/// Records to add: one plain object or an array of them.
pub struct Docs {
    /// The documents.
    pub docs: Vec<Document>,
    /// Whether an array was given.
    pub many: bool,
}

impl ReadJs for Where {
    const TS: &'static str = "Document";
    fn read(js: Js, v: JsValue) -> Read<Self> {
        FromJs::new(js).plain_document(v, "where").map(Where)
    }
}

impl ReadJs for Data {
    const TS: &'static str = "Document";
    fn read(js: Js, v: JsValue) -> Read<Self> {
        FromJs::new(js).plain_document(v, "data").map(Data)
    }
}

impl ReadJs for Pipeline {
    const TS: &'static str = "Document[]";
    fn read(js: Js, v: JsValue) -> Read<Self> {
        FromJs::new(js).documents(v, "pipeline").map(Pipeline)
    }
}

impl ReadJs for Docs {
    const TS: &'static str = "Document | Document[]";
    fn read(js: Js, v: JsValue) -> Read<Self> {
        let mut reader = FromJs::new(js);
        if js.is_array(v)? {
            Ok(Docs {
                docs: reader.documents(v, "docs")?,
                many: true,
            })
        } else {
            Ok(Docs {
                docs: vec![reader.plain_document(v, "docs")?],
                many: false,
            })
        }
    }
}

/// The array of Extended JSON strings handed to `decode()`, as it is: each string is read when
/// it is decoded (see [`tape::decode_array`]).
pub struct Strings(JsValue);

impl TypeName for Strings {
    fn type_name() -> &'static str {
        "string[]"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl ValidateNapiValue for Strings {}

impl FromNapiValue for Strings {
    unsafe fn from_napi_value(_env: sys::napi_env, v: sys::napi_value) -> Result<Self> {
        Ok(Strings(v))
    }
}

/// The values of [`Strings`], decoded when handed back to JavaScript (within the same call).
pub struct Decoded(pub Strings);

impl TypeName for Decoded {
    fn type_name() -> &'static str {
        "unknown[]"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl ToNapiValue for Decoded {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        tape::decode_array(Js(env), val.0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_that_fit_are_int32_others_double() {
        assert_eq!(number(42.0), Value::Int32(42));
        assert_eq!(number(-2147483648.0), Value::Int32(i32::MIN));
        assert_eq!(number(2147483648.0), Value::Double(2147483648.0));
        assert_eq!(number(1.5), Value::Double(1.5));
        assert!(matches!(number(-0.0), Value::Double(z) if z == 0.0 && z.is_sign_negative()));
    }
}
