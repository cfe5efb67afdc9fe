//! What the official serializer should send for a statement, up to the documented differences,
//! and the same normal form for what it did send (from `tests/oracle/cloudbase/record.js`).
//!
//! The documented differences, applied to both sides before comparing:
//! - numbers are typed by value, the way js-bson does (an integral Double is an Int32 or Int64);
//! - filters are compared as their conjuncts: `{"a": {"$gt": 1, "$lt": 5}}` and
//!   `{"$and": [{"a": {"$gt": 1}}, {"a": {"$lt": 5}}]}` are the same, as are `{"a": 1}` and
//!   `{"a": {"$eq": 1}}`, and `$regex`+`$options` and a regex value; `$near` is `$nearSphere`,
//!   and its `$minDistance: 0` is the same as none;
//! - updates: a document without operators is `$set`; `$unset`'s value is `""`; `$push: {f: v}`
//!   is `{f: {$each: [v]}}`; operators and fields are compared in sorted order;
//! - `db.serverDate()` is sent as `{"$tcb_server_date": {"offset": n}}` (offset 0 by default);
//! - queries: no `limit` is 100 and at most 1000 (the SDK's defaults), `skip(0)` is not sent,
//!   projection values are 1 or 0.

use serde_json::Value as Json;
use wxcloud::statement::{Direction, Query, Statement, Target, UpdateSpec};
use wxcloud::{Document, Value};

use super::ejson;

fn d<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Document(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn s(x: &str) -> Value {
    Value::String(x.to_owned())
}

/// A number typed by its value, as js-bson types a JavaScript number.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.2e18 {
        let n = x as i64;
        i32::try_from(n)
            .map(Value::Int32)
            .unwrap_or(Value::Int64(n))
    } else {
        Value::Double(x)
    }
}

/// Numbers typed by value, server dates in one spelling, recursively.
pub fn typed(v: &Value) -> Value {
    match v {
        Value::Int32(_) | Value::Int64(_) | Value::Double(_) => {
            number(v.as_f64().unwrap_or_default())
        }
        Value::Array(items) => Value::Array(items.iter().map(typed).collect()),
        Value::Document(doc) => {
            if doc.len() == 1 {
                let (k, arg) = doc.get_index(0).expect("one entry");
                if k == "$tcb_server_date" || k == "$serverDate" {
                    let offset = arg
                        .as_document()
                        .and_then(|o| o.get("offset"))
                        .map(typed)
                        .unwrap_or(Value::Int32(0));
                    return d([("$serverDate", d([("offset", offset)]))]);
                }
            }
            Value::Document(doc.iter().map(|(k, v)| (k.clone(), typed(v))).collect())
        }
        other => other.clone(),
    }
}

fn sorted_keys(v: Value) -> Value {
    match v {
        Value::Document(mut doc) => {
            doc.sort_keys();
            Value::Document(doc)
        }
        other => other,
    }
}

/// A filter as the sorted list of its conjuncts.
pub fn filter_atoms(filter: &Document) -> Value {
    let mut atoms = Vec::new();
    collect_atoms(filter, &mut atoms);
    atoms.sort_by_key(|a| format!("{a:?}"));
    Value::Array(atoms)
}

fn collect_atoms(filter: &Document, atoms: &mut Vec<Value>) {
    for (key, cond) in filter {
        match key.as_str() {
            "$and" => {
                for sub in cond.as_array().unwrap_or_default() {
                    collect_atoms(sub.as_document().expect("a filter"), atoms);
                }
            }
            "$or" | "$nor" => {
                let subs = cond.as_array().unwrap_or_default();
                let subs = subs
                    .iter()
                    .map(|sub| filter_atoms(sub.as_document().expect("a filter")))
                    .collect();
                atoms.push(Value::Array(vec![s(key), Value::Array(subs)]));
            }
            field => field_atoms(field, cond, atoms),
        }
    }
}

fn field_atoms(field: &str, cond: &Value, atoms: &mut Vec<Value>) {
    let atom = |op: &str, v: Value| Value::Array(vec![s(op), s(field), v]);
    let ops = match cond.as_document() {
        Some(doc)
            if !doc.is_empty()
                && doc.keys().all(|k| k.starts_with('$'))
                && !doc.contains_key("$serverDate")
                && !doc.contains_key("$tcb_server_date") =>
        {
            doc
        }
        _ => {
            atoms.push(atom("=", typed(cond)));
            return;
        }
    };
    for (op, arg) in ops {
        match op.as_str() {
            "$eq" => atoms.push(atom("=", typed(arg))),
            "$options" => {}
            "$regex" => {
                let (pattern, options) = match arg {
                    Value::Regex { pattern, options } => (pattern.clone(), options.clone()),
                    other => {
                        let extra = ops
                            .get("$options")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        (
                            other.as_str().unwrap_or_default().to_owned(),
                            extra.to_owned(),
                        )
                    }
                };
                atoms.push(atom("=", Value::Regex { pattern, options }));
            }
            "$near" | "$nearSphere" => {
                // `$minDistance: 0` is the same as none (the writer adds it, see filter.rs).
                let mut options = sorted_keys(typed(arg));
                if let Value::Document(o) = &mut options
                    && o.get("$minDistance") == Some(&Value::Int32(0))
                {
                    o.shift_remove("$minDistance");
                }
                atoms.push(atom("$nearSphere", options))
            }
            _ => atoms.push(atom(op, typed(arg))),
        }
    }
}

/// An update document in normal form: `{op: {field: value}}`, both levels sorted.
pub fn update_model(update: &Document) -> Value {
    let plain = !update.keys().any(|k| k.starts_with('$'));
    let mut out = Document::new();
    let ops: Vec<(String, Value)> = if plain {
        vec![("$set".to_owned(), Value::Document(update.clone()))]
    } else {
        update.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    for (op, fields) in ops {
        let mut fields_out = Document::new();
        for (field, arg) in fields.as_document().expect("fields") {
            let value = match op.as_str() {
                "$unset" => s(""),
                "$push" if !arg.as_document().is_some_and(|m| m.contains_key("$each")) => {
                    d([("$each", Value::Array(vec![typed(arg)]))])
                }
                _ => typed(arg),
            };
            fields_out.insert(field.clone(), value);
        }
        fields_out.sort_keys();
        out.insert(op, Value::Document(fields_out));
    }
    out.sort_keys();
    Value::Document(out)
}

fn id_query(id: &Value) -> Value {
    filter_atoms(&[("_id".to_owned(), id.clone())].into_iter().collect())
}

fn projection(fields: &Document) -> Value {
    let mut out = Document::new();
    for (k, v) in fields {
        let v = match v {
            Value::Bool(b) => Value::Int32(i32::from(*b)),
            Value::Document(_) => typed(v),
            n => match n.as_f64() {
                Some(x) => Value::Int32(i32::from(x > 0.0)),
                None => continue,
            },
        };
        out.insert(k.clone(), v);
    }
    Value::Document(out)
}

fn query_model(q: &Query) -> Vec<(&'static str, Value)> {
    let mut out = vec![
        ("action", s("database.getDocument")),
        ("collection", s(&q.collection)),
    ];
    if let Some(id) = &q.doc {
        out.push(("query", id_query(id)));
    } else {
        if let Some(f) = &q.filter {
            out.push(("query", filter_atoms(f)));
        }
        if !q.order_by.is_empty() {
            let mut order = Document::new();
            for (field, dir) in &q.order_by {
                order.insert(
                    field.clone(),
                    Value::Int32(if *dir == Direction::Desc { -1 } else { 1 }),
                );
            }
            out.push(("order", Value::Document(order)));
        }
        if let Some(n) = q.skip.filter(|n| *n > 0) {
            out.push(("offset", number(n as f64)));
        }
        let limit = q
            .limit
            .filter(|n| *n > 0)
            .map(|n| n.min(1000))
            .unwrap_or(100);
        out.push(("limit", number(limit as f64)));
    }
    if let Some(f) = &q.fields {
        out.push(("projection", projection(f)));
    }
    out
}

fn stage_model(stage: &Document) -> Value {
    let (op, arg) = stage.get_index(0).expect("a stage");
    let arg = match (op.as_str(), arg) {
        ("$match", Value::Document(f)) => filter_atoms(f),
        ("$geoNear", Value::Document(spec)) => Value::Document(
            spec.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("query", Value::Document(f)) => filter_atoms(f),
                        _ => typed(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        _ => typed(arg),
    };
    Value::Document([(op.clone(), arg)].into_iter().collect())
}

fn target_query(target: &Target) -> Value {
    match target {
        Target::Where(f) => filter_atoms(f),
        Target::Doc(id) => id_query(id),
    }
}

/// What the SDK should send for `stmt`, in normal form.
pub fn expected(stmt: &Statement) -> Value {
    let entries: Vec<(&str, Value)> = match stmt {
        Statement::Query(q) => query_model(q),
        Statement::Count { collection, filter } => {
            let mut out = vec![
                ("action", s("database.calculateDocument")),
                ("collection", s(collection)),
            ];
            if let Some(f) = filter {
                out.push(("query", filter_atoms(f)));
            }
            out
        }
        Statement::Add {
            collection, docs, ..
        } => vec![
            ("action", s("database.insertDocument")),
            ("collection", s(collection)),
            (
                "data",
                Value::Array(
                    docs.iter()
                        .map(|doc| typed(&Value::Document(doc.clone())))
                        .collect(),
                ),
            ),
        ],
        Statement::Update {
            collection,
            target,
            update,
        } => {
            let data = match update {
                UpdateSpec::Operators(u) => update_model(u),
                UpdateSpec::Replace(doc) => typed(&Value::Document(doc.clone())),
            };
            vec![
                ("action", s("database.modifyDocument")),
                ("collection", s(collection)),
                ("query", target_query(target)),
                ("data", data),
            ]
        }
        Statement::Remove { collection, target } => vec![
            ("action", s("database.removeDocument")),
            ("collection", s(collection)),
            ("query", target_query(target)),
        ],
        Statement::Aggregate { collection, stages } => vec![
            ("action", s("database.aggregateDocuments")),
            ("collection", s(collection)),
            (
                "stages",
                Value::Array(stages.iter().map(stage_model).collect()),
            ),
        ],
    };
    Value::Document(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// One recorded send (`{"action", "params"}` from record.js), in the same normal form.
pub fn recorded(send: &Json) -> Value {
    let action = send["action"].as_str().expect("action").to_owned();
    let params = &send["params"];
    let mut out = Document::new();
    out.insert("action".into(), Value::String(action.clone()));
    out.insert("collection".into(), ejson(&params["collectionName"]));
    let get = |k: &str| params.get(k).filter(|v| !v.is_null()).map(ejson);
    match action.as_str() {
        "database.aggregateDocuments" => {
            let stages = params["stages"].as_array().expect("stages");
            let stages = stages
                .iter()
                .map(|st| stage_model(&super::doc(st)))
                .collect();
            out.insert("stages".into(), Value::Array(stages));
        }
        "database.insertDocument" => {
            out.insert("data".into(), typed(&get("data").expect("data")));
        }
        _ => {
            if let Some(Value::Document(q)) = get("query") {
                out.insert("query".into(), filter_atoms(&q));
            }
            if let Some(order) = get("order") {
                out.insert("order".into(), typed(&order));
            }
            if let Some(offset) = get("offset") {
                out.insert("offset".into(), typed(&offset));
            }
            if let Some(limit) = get("limit") {
                out.insert("limit".into(), typed(&limit));
            }
            if let Some(p) = get("projection") {
                out.insert("projection".into(), typed(&p));
            }
            if let Some(Value::Document(data)) = get("data") {
                let merge = params.get("merge").and_then(Json::as_bool).unwrap_or(false);
                let data = if merge {
                    update_model(&data)
                } else {
                    typed(&Value::Document(data))
                };
                out.insert("data".into(), data);
            }
        }
    }
    Value::Document(out)
}
