//! The structured forms' arguments, read from JavaScript into the core's [`Statement`].
//!
//! Only argument conversion happens here (objects to documents, `orderBy` pairs to
//! directions, a `fields` list to a projection); the core writes the statement text and refuses
//! what it cannot express.

use wxcloud::statement::{Direction, Query, Statement, Target, UpdateSpec};
use wxcloud::{Document, Value};

use crate::args::{Arg, Read, ReadJs, invalid, optional};
use crate::raw::{Js, JsValue};
use crate::values::{Data, Docs, FromJs, Pipeline, Where};
use napi::sys;

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

impl ReadJs for QueryOptions {
    const TS: &'static str = "QueryOptions";

    fn read(js: Js, v: JsValue) -> Read<Self> {
        let mut options = QueryOptions::default();
        match js.type_of(v)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => return Ok(options),
            sys::ValueType::napi_object if !js.is_array(v)? => {}
            _ => return Err(invalid("options: expected an object".into())),
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
fn present(js: Js, object: JsValue, key: &str) -> Read<Option<JsValue>> {
    let v = js.get_named(object, key)?;
    Ok(match js.type_of(v)? {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => None,
        _ => Some(v),
    })
}

/// `[[field, direction], ...]` with `"asc"`/`"desc"`/`1`/`-1` (read by the core's
/// [`Direction::from_value`]); a single `[field, direction]` pair is accepted too.
fn order_by(js: Js, reader: &mut FromJs, v: JsValue) -> Read<Vec<(String, Direction)>> {
    let bad = || invalid("orderBy: expected [[field, 'asc' | 'desc' | 1 | -1], ...]".into());
    if !js.is_array(v)? {
        return Err(bad());
    }
    let len = js.array_len(v)?;
    let pairs = if len == 2 && js.type_of(js.element(v, 0)?)? == sys::ValueType::napi_string {
        vec![v]
    } else {
        (0..len)
            .map(|i| js.element(v, i))
            .collect::<napi::Result<Vec<_>>>()?
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
        let direction = Direction::from_value(&direction).map_err(crate::args::Bad::Input)?;
        out.push((js.get_string(field)?, direction));
    }
    Ok(out)
}

fn count(js: Js, v: JsValue, what: &str) -> Read<u64> {
    if js.type_of(v)? == sys::ValueType::napi_number {
        let n = js.get_f64(v)?;
        if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 {
            return Ok(n as u64);
        }
    }
    Err(invalid(format!("{what}: expected a non-negative integer")))
}

/// A list of field names (each included) or a projection document.
fn fields(js: Js, reader: &mut FromJs, v: JsValue) -> Read<Document> {
    if js.is_array(v)? {
        let len = js.array_len(v)?;
        let mut projection = Document::with_capacity(len as usize);
        for i in 0..len {
            let name = js.element(v, i)?;
            if js.type_of(name)? != sys::ValueType::napi_string {
                return Err(invalid(format!("fields[{i}]: expected a field name")));
            }
            projection.insert(js.get_string(name)?, Value::Bool(true));
        }
        return Ok(projection);
    }
    reader.plain_document(v, "fields")
}

/// `aggregate(collection, pipeline)`.
pub(crate) fn aggregate(
    collection: String,
    pipeline: Option<Arg<Pipeline>>,
) -> wxcloud::Result<Statement> {
    let stages = match pipeline {
        Some(p) => p.get()?.0,
        None => Vec::new(),
    };
    Ok(Statement::Aggregate { collection, stages })
}

/// `query(collection, {where, orderBy, skip, limit, fields})`.
pub(crate) fn query(
    collection: String,
    options: Option<Arg<QueryOptions>>,
) -> wxcloud::Result<Statement> {
    let o = optional(options)?;
    Ok(Statement::Query(Query {
        collection,
        doc: None,
        filter: o.filter,
        order_by: o.order_by,
        skip: o.skip,
        limit: o.limit,
        fields: o.fields,
    }))
}

/// `count(collection, {where})`.
pub(crate) fn count_of(
    collection: String,
    options: Option<Arg<QueryOptions>>,
) -> wxcloud::Result<Statement> {
    Ok(Statement::Count {
        collection,
        filter: optional(options)?.filter,
    })
}

/// `add(collection, docs)`; `many` follows whether an array was given.
pub(crate) fn add(collection: String, docs: Arg<Docs>) -> wxcloud::Result<Statement> {
    let docs = docs.get()?;
    Ok(Statement::Add {
        collection,
        docs: docs.docs,
        many: docs.many,
    })
}

/// `update(collection, where, data)`.
pub(crate) fn update(
    collection: String,
    filter: Arg<Where>,
    data: Arg<Data>,
) -> wxcloud::Result<Statement> {
    Ok(Statement::Update {
        collection,
        target: Target::Where(filter.get()?.0),
        update: UpdateSpec::Operators(data.get()?.0),
    })
}

/// `delete(collection, where)`.
pub(crate) fn delete(collection: String, filter: Arg<Where>) -> wxcloud::Result<Statement> {
    Ok(Statement::Remove {
        collection,
        target: Target::Where(filter.get()?.0),
    })
}
