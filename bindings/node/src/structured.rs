//! The structured forms' arguments, read from JavaScript into the core's [`Statement`].
//!
//! Only argument conversion happens here (objects to documents, `orderBy` pairs to
//! directions, a `fields` list to a projection); the core writes the statement text and refuses
//! what it cannot express.

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{Result, ValueType, sys};
use wxcloud::statement::{Direction, Query, Statement, Target, UpdateSpec};
use wxcloud::{Document, Value};

use crate::errors::throwable;
use crate::raw::{Js, JsValue};
use crate::values::{FromJs, InDocument, InDocuments, InOneOrMany};

/// The options of `query(collection, {where, orderBy, skip, limit, fields})` and
/// `count(collection, {where})`.
#[derive(Default)]
pub struct QueryOptions {
    filter: Option<Document>,
    order_by: Vec<(String, Direction)>,
    skip: Option<u64>,
    limit: Option<u64>,
    fields: Option<Document>,
}

impl TypeName for QueryOptions {
    fn type_name() -> &'static str {
        "QueryOptions"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for QueryOptions {}

impl FromNapiValue for QueryOptions {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> Result<Self> {
        let js = Js(env);
        let mut options = QueryOptions::default();
        match js.type_of(v)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => return Ok(options),
            sys::ValueType::napi_object if !js.is_array(v)? => {}
            _ => return Err(reject(js, "options: expected an object".into())),
        }
        let mut reader = FromJs::new(js);
        if let Some(w) = present(js, v, "where")? {
            options.filter = Some(reader.plain_document(w, "where")?);
        }
        if let Some(o) = present(js, v, "orderBy")? {
            options.order_by = order_by(js, &mut reader, o)?;
        }
        if let Some(s) = present(js, v, "skip")? {
            options.skip = Some(count(js, s, "skip")?);
        }
        if let Some(l) = present(js, v, "limit")? {
            options.limit = Some(count(js, l, "limit")?);
        }
        if let Some(f) = present(js, v, "fields")? {
            options.fields = Some(fields(js, &mut reader, f)?);
        }
        Ok(options)
    }
}

/// The property `key` of `object`, unless it is missing, `undefined` or `null`.
fn present(js: Js, object: JsValue, key: &str) -> Result<Option<JsValue>> {
    let v = js.get_named(object, key)?;
    Ok(match js.type_of(v)? {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => None,
        _ => Some(v),
    })
}

fn reject(js: Js, message: String) -> napi::Error {
    throwable(js, &wxcloud::Error::statement(message))
}

/// `[[field, direction], ...]` with `"asc"`/`"desc"`/`1`/`-1` (read by the core's
/// [`Direction::from_value`]); a single `[field, direction]` pair is accepted too.
fn order_by(js: Js, reader: &mut FromJs, v: JsValue) -> Result<Vec<(String, Direction)>> {
    let bad = || reject(js, "orderBy: expected [[field, 'asc' | 'desc' | 1 | -1], ...]".into());
    if !js.is_array(v)? {
        return Err(bad());
    }
    let len = js.array_len(v)?;
    let pairs = if len == 2 && js.type_of(js.element(v, 0)?)? == sys::ValueType::napi_string {
        vec![v]
    } else {
        (0..len).map(|i| js.element(v, i)).collect::<Result<Vec<_>>>()?
    };
    let mut out = Vec::with_capacity(pairs.len());
    for pair in pairs {
        if !js.is_array(pair)? || js.array_len(pair)? != 2 {
            return Err(bad());
        }
        let field = js.element(pair, 0)?;
        if js.type_of(field)? != sys::ValueType::napi_string {
            return Err(bad());
        }
        let direction = reader.value(js.element(pair, 1)?, "orderBy", 0)?;
        let direction = Direction::from_value(&direction).map_err(|e| throwable(js, &e))?;
        out.push((js.get_string(field)?, direction));
    }
    Ok(out)
}

fn count(js: Js, v: JsValue, what: &str) -> Result<u64> {
    if js.type_of(v)? == sys::ValueType::napi_number {
        let n = js.get_f64(v)?;
        if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 {
            return Ok(n as u64);
        }
    }
    Err(reject(js, format!("{what}: expected a non-negative integer")))
}

/// A list of field names (each included) or a projection document.
fn fields(js: Js, reader: &mut FromJs, v: JsValue) -> Result<Document> {
    if js.is_array(v)? {
        let len = js.array_len(v)?;
        let mut projection = Document::with_capacity(len as usize);
        for i in 0..len {
            let name = js.element(v, i)?;
            if js.type_of(name)? != sys::ValueType::napi_string {
                return Err(reject(js, format!("fields[{i}]: expected a field name")));
            }
            projection.insert(js.get_string(name)?, Value::Bool(true));
        }
        return Ok(projection);
    }
    reader.plain_document(v, "fields")
}

/// `aggregate(collection, pipeline)`.
pub(crate) fn aggregate(collection: String, pipeline: InDocuments) -> Statement {
    Statement::Aggregate {
        collection,
        stages: pipeline.0,
    }
}

/// `query(collection, {where, orderBy, skip, limit, fields})`.
pub(crate) fn query(collection: String, options: Option<QueryOptions>) -> Statement {
    let o = options.unwrap_or_default();
    Statement::Query(Query {
        collection,
        doc: None,
        filter: o.filter,
        order_by: o.order_by,
        skip: o.skip,
        limit: o.limit,
        fields: o.fields,
    })
}

/// `count(collection, {where})`.
pub(crate) fn count_of(collection: String, options: Option<QueryOptions>) -> Statement {
    Statement::Count {
        collection,
        filter: options.and_then(|o| o.filter),
    }
}

/// `add(collection, docs)`; `many` follows whether an array was given.
pub(crate) fn add(collection: String, docs: InOneOrMany) -> Statement {
    Statement::Add {
        collection,
        docs: docs.docs,
        many: docs.many,
    }
}

/// `update(collection, where, data)`.
pub(crate) fn update(collection: String, filter: InDocument, data: InDocument) -> Statement {
    Statement::Update {
        collection,
        target: Target::Where(filter.0),
        update: UpdateSpec::Operators(data.0),
    }
}

/// `delete(collection, where)`.
pub(crate) fn delete(collection: String, filter: InDocument) -> Statement {
    Statement::Remove {
        collection,
        target: Target::Where(filter.0),
    }
}
