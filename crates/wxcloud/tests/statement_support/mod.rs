//! Shared by the statement tests: reading `tests/vectors/statements.json` (Extended JSON input)
//! and building each case's statement through the public builders.
#![allow(dead_code)]

pub mod model;
pub mod random;

use serde_json::Value as Json;
use wxcloud::statement::{self, Add, Delete, Direction, Query, Statement, ToStatement, Update};
use wxcloud::{Document, Value};

/// One vector: an operation, its input, and the expected text or error substring.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub op: String,
    pub collection: String,
    pub input: Json,
    pub expect: Option<String>,
    pub error: Option<String>,
}

/// The vectors file, as cases.
pub fn vectors() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/statements.json"
    );
    let text = std::fs::read_to_string(path).expect("read tests/vectors/statements.json");
    let file: Json = serde_json::from_str(&text).expect("statements.json is JSON");
    let cases = file["cases"].as_array().expect("a `cases` array");
    cases
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().expect("name").to_owned(),
            op: c["op"].as_str().expect("op").to_owned(),
            collection: c["collection"].as_str().expect("collection").to_owned(),
            input: c["input"].clone(),
            expect: c.get("expect").and_then(Json::as_str).map(str::to_owned),
            error: c.get("error").and_then(Json::as_str).map(str::to_owned),
        })
        .collect()
}

/// Extended JSON (canonical or relaxed) as a value: `{"$numberInt": "1"}`, `{"$date": ..}`,
/// `{"$regularExpression": ..}`, `{"$oid": ..}` ...; plain integers are Int32 when they fit,
/// else Int64 (the way js-bson types numbers); plain fractions are Doubles.
pub fn ejson(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                i32::try_from(i)
                    .map(Value::Int32)
                    .unwrap_or(Value::Int64(i))
            } else {
                Value::Double(n.as_f64().expect("finite number"))
            }
        }
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(ejson).collect()),
        Json::Object(map) => {
            if map.len() == 1 {
                let (k, v) = map.iter().next().expect("one entry");
                if let Some(special) = wrapper(k, v) {
                    return special;
                }
            }
            Value::Document(map.iter().map(|(k, v)| (k.clone(), ejson(v))).collect())
        }
    }
}

fn wrapper(key: &str, v: &Json) -> Option<Value> {
    let s = v.as_str();
    Some(match key {
        "$numberInt" => Value::Int32(s?.parse().ok()?),
        "$numberLong" => Value::Int64(s?.parse().ok()?),
        "$numberDouble" => Value::Double(match s? {
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            x => x.parse().ok()?,
        }),
        "$numberDecimal" => Value::Decimal128(s?.to_owned()),
        "$date" => Value::Date(match v {
            Json::Number(n) => n.as_i64()?,
            Json::Object(m) => m.get("$numberLong")?.as_str()?.parse().ok()?,
            _ => return None,
        }),
        "$oid" => {
            let hex = s?;
            let mut bytes = [0u8; 12];
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
            }
            Value::ObjectId(bytes)
        }
        "$regularExpression" => Value::Regex {
            pattern: v.get("pattern")?.as_str()?.to_owned(),
            options: v.get("options")?.as_str()?.to_owned(),
        },
        "$timestamp" => Value::Timestamp {
            t: v.get("t")?.as_u64()? as u32,
            i: v.get("i")?.as_u64()? as u32,
        },
        "$binary" => {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(v.get("base64")?.as_str()?)
                .ok()?;
            let subtype = u8::from_str_radix(v.get("subType")?.as_str()?, 16).ok()?;
            Value::Binary { subtype, bytes }
        }
        "$minKey" => Value::MinKey,
        "$maxKey" => Value::MaxKey,
        _ => return None,
    })
}

/// An Extended JSON object as a document.
pub fn doc(json: &Json) -> Document {
    match ejson(json) {
        Value::Document(d) => d,
        other => panic!("expected a document, got {other:?}"),
    }
}

fn docs(json: &Json) -> Vec<Document> {
    json.as_array()
        .expect("an array of documents")
        .iter()
        .map(doc)
        .collect()
}

/// The case's statement, built with the public builders and free functions, and its text
/// (or the error they give).
pub fn build(case: &Case) -> (Statement, wxcloud::Result<String>) {
    let input = &case.input;
    let c = case.collection.as_str();
    let field = |k: &str| input.get(k).filter(|v| !v.is_null());
    match case.op.as_str() {
        "aggregate" => {
            let pipeline = docs(&input["pipeline"]);
            let text = statement::aggregate(c, &pipeline);
            (statement::Aggregate::new(c).pipeline(pipeline).into(), text)
        }
        "query" => {
            let mut q = Query::new(c);
            if let Some(id) = field("doc") {
                q = q.doc(ejson(id));
            }
            if let Some(w) = field("where") {
                q = q.filter(doc(w));
            }
            for pair in field("order_by")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let field = pair[0].as_str().expect("order_by field");
                match Direction::from_value(&ejson(&pair[1])) {
                    Ok(d) => q = q.order_by(field, d),
                    Err(e) => return (q.into(), Err(e)),
                }
            }
            if let Some(n) = field("skip") {
                q = q.skip(n.as_u64().expect("skip"));
            }
            if let Some(n) = field("limit") {
                q = q.limit(n.as_u64().expect("limit"));
            }
            if let Some(f) = field("fields") {
                q = q.fields(doc(f));
            }
            let text = statement::query(&q);
            (q.into(), text)
        }
        "count" => {
            let filter = field("where").map(doc);
            let text = statement::count(c, filter.as_ref());
            let mut b = statement::Count::new(c);
            if let Some(f) = filter {
                b = b.filter(f);
            }
            (b.into(), text)
        }
        "add" => {
            if let Some(one) = field("doc") {
                let b = Add::new(c).doc(doc(one));
                let text = b.to_statement().map(|t| t.into_owned());
                (b.into(), text)
            } else {
                let list = docs(&input["docs"]);
                let text = statement::add(c, &list);
                (Add::new(c).docs(list).into(), text)
            }
        }
        "update" => {
            let b = match (field("doc"), field("replace")) {
                (Some(id), Some(r)) => Update::replace(c, ejson(id), doc(r)),
                (Some(id), None) => Update::doc(c, ejson(id), doc(&input["data"])),
                (None, _) => {
                    let (w, d) = (doc(&input["where"]), doc(&input["data"]));
                    let text = statement::update(c, &w, &d);
                    return (Update::new(c, w, d).into(), text);
                }
            };
            let text = b.to_statement().map(|t| t.into_owned());
            (b.into(), text)
        }
        "delete" => match field("doc") {
            Some(id) => {
                let b = Delete::doc(c, ejson(id));
                let text = b.to_statement().map(|t| t.into_owned());
                (b.into(), text)
            }
            None => {
                let w = doc(&input["where"]);
                let text = statement::delete(c, &w);
                (Delete::new(c, w).into(), text)
            }
        },
        other => panic!("unknown op {other}"),
    }
}
