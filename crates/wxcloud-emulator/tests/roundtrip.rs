//! The core's statement writer and this parser agree: a statement written from MongoDB-style
//! input and parsed back means the same thing.

use wxcloud::statement::{Direction, Query, Statement, Target, UpdateSpec};
use wxcloud::{Document, Value};

fn d(json: &str) -> Document {
    wxcloud::ejson::decode_document(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn statements() -> Vec<Statement> {
    let q = |filter: &str| Query {
        collection: "c".into(),
        filter: Some(d(filter)),
        ..Query::default()
    };
    vec![
        Statement::Query(q(r#"{"a": 1, "b": "x", "c": true, "d": null}"#)),
        Statement::Query(q(r#"{"a": {"$gt": 1, "$lt": 5}}"#)),
        Statement::Query(q(
            r#"{"a": {"$in": [1, 2]}, "b": {"$nin": ["x"]}, "c": {"$ne": 3}}"#,
        )),
        Statement::Query(q(r#"{"$or": [{"a": 1}, {"b": {"$gte": 2}}]}"#)),
        Statement::Query(q(
            r#"{"a": {"$exists": true}, "t": {"$size": 2}, "u": {"$all": ["x", "y"]}}"#,
        )),
        Statement::Query(q(
            r#"{"d": {"$date": {"$numberLong": "1567987200000"}}, "f": {"$numberDouble": "1.5"}, "l": {"$numberLong": "3000000000"}}"#,
        )),
        Statement::Query(q(
            r#"{"s": {"$regularExpression": {"pattern": "^a.*", "options": "i"}}}"#,
        )),
        Statement::Query(Query {
            collection: "c".into(),
            order_by: vec![("a".into(), Direction::Desc), ("b".into(), Direction::Asc)],
            skip: Some(5),
            limit: Some(20),
            fields: Some(d(r#"{"a": 1, "b": 1}"#)),
            ..Query::default()
        }),
        Statement::Count {
            collection: "c".into(),
            filter: Some(d(r#"{"n": {"$lte": 9}}"#)),
        },
        Statement::Add {
            collection: "c".into(),
            docs: vec![d(r#"{"a": 1, "s": "it's \"q\"\u2028"}"#)],
            many: false,
        },
        Statement::Add {
            collection: "c".into(),
            docs: vec![d(
                r#"{"ref": {"$oid": "5f1b2c3d4e5f60718293a4b5"}, "n": 1}"#,
            )],
            many: false,
        },
        Statement::Add {
            collection: "c".into(),
            docs: vec![d(r#"{"a": 1}"#), d(r#"{"b": [1, {"c": 2}]}"#)],
            many: true,
        },
        Statement::Update {
            collection: "c".into(),
            target: Target::Where(d(r#"{"a": 1}"#)),
            update: UpdateSpec::Operators(d(r#"{"$set": {"b": 2}, "$inc": {"n": 1}}"#)),
        },
        Statement::Update {
            collection: "c".into(),
            target: Target::Doc(Value::from("x")),
            update: UpdateSpec::Operators(d(
                r#"{"$unset": {"old": ""}, "$push": {"tags": {"$each": ["a"]}}}"#,
            )),
        },
        Statement::Update {
            collection: "c".into(),
            target: Target::Doc(Value::from("x")),
            update: UpdateSpec::Replace(d(r#"{"a": 1, "nested": {"b": 2}}"#)),
        },
        Statement::Remove {
            collection: "c".into(),
            target: Target::Where(d(r#"{"a": {"$gt": 1}}"#)),
        },
        Statement::Remove {
            collection: "c".into(),
            target: Target::Doc(Value::from("x")),
        },
        Statement::Aggregate {
            collection: "c".into(),
            stages: vec![
                d(r#"{"$match": {"tags": "cloud"}}"#),
                d(r#"{"$group": {"_id": "$k", "n": {"$sum": 1}, "avg": {"$avg": "$v"}}}"#),
                d(r#"{"$sort": {"n": -1}}"#),
                d(r#"{"$project": {"k": 1, "twice": {"$multiply": ["$n", 2]}}}"#),
                d(r#"{"$skip": 1}"#),
                d(r#"{"$limit": 10}"#),
            ],
        },
    ]
}

/// The writer spells `{"a": {"$gt": 1, "$lt": 5}}` as `{a: _.gt(1).and(_.lt(5))}`, which the
/// official SDK (and so this parser) reads as `{"$and": [{"a": {"$gt": 1}}, {"a": {"$lt": 5}}]}`:
/// the same condition. Folds such an `$and` back into one field condition for the comparison.
fn fold_field_and(filter: &mut Document) {
    let Some(Value::Array(items)) = filter.get("$and") else {
        return;
    };
    let mut field: Option<String> = None;
    let mut merged = Document::new();
    for item in items {
        let Some(doc) = item.as_document().filter(|d| d.len() == 1) else {
            return;
        };
        let (key, cond) = doc.iter().next().unwrap();
        let Some(cond) = cond.as_document() else {
            return;
        };
        if field.get_or_insert_with(|| key.clone()) != key
            || cond.keys().any(|k| merged.contains_key(k))
        {
            return;
        }
        merged.extend(cond.clone());
    }
    let Some(field) = field.filter(|f| !filter.contains_key(f)) else {
        return;
    };
    filter.shift_remove("$and");
    filter.insert(field, Value::Document(merged));
}

fn fold(statement: Statement) -> Statement {
    match statement {
        Statement::Query(mut q) => {
            if let Some(f) = q.filter.as_mut() {
                fold_field_and(f);
            }
            Statement::Query(q)
        }
        other => other,
    }
}

#[test]
fn written_statements_parse_back_to_what_was_written() {
    let mut differences = Vec::new();
    for statement in statements() {
        let text = statement
            .to_text()
            .unwrap_or_else(|e| panic!("{statement:?}: {e}"));
        match wxcloud_emulator::parser::parse(&text, 0) {
            Ok(parsed) if fold(parsed.clone()) == statement => {}
            Ok(parsed) => differences.push(format!(
                "{text}\n  wrote  {statement:?}\n  parsed {parsed:?}"
            )),
            Err(e) => differences.push(format!("{text}\n  does not parse: {e}")),
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
