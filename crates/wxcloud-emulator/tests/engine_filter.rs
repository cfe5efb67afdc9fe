//! Filter semantics of the emulator's engine, case by case against MongoDB's documented rules.

use wxcloud::{Document, ejson};
use wxcloud_emulator::engine::{EngineError, matches};

fn doc(text: &str) -> Document {
    ejson::decode_document(text).expect("test document is valid Extended JSON")
}

/// Asserts each `(document, filter, expected)` row.
fn check(rows: &[(&str, &str, bool)]) {
    for (d, f, want) in rows {
        let got = matches(&doc(d), &doc(f)).unwrap_or_else(|e| panic!("{f} on {d}: {e}"));
        assert_eq!(got, *want, "filter {f} on {d}");
    }
}

#[test]
fn equality_reaches_into_arrays_and_nested_documents() {
    check(&[
        (r#"{"a": 1}"#, r#"{"a": 1.0}"#, true),
        (r#"{"a": [1, 2]}"#, r#"{"a": 2}"#, true),
        (r#"{"a": [1, 2]}"#, r#"{"a": [1, 2]}"#, true),
        (r#"{"a": [1, 2]}"#, r#"{"a": [2, 1]}"#, false),
        (r#"{"a": [[1, 2], 3]}"#, r#"{"a": [1, 2]}"#, true),
        (r#"{"a": [[1]]}"#, r#"{"a": 1}"#, false),
        (
            r#"{"a": {"b": 1, "c": 2}}"#,
            r#"{"a": {"c": 2, "b": 1}}"#,
            false,
        ),
        (r#"{"a": [{"b": 1}, {"b": 2}]}"#, r#"{"a.b": 2}"#, true),
        (r#"{"a": [{"b": [5, 6]}]}"#, r#"{"a.b": 6}"#, true),
        (r#"{"a": [10, 20]}"#, r#"{"a.1": 20}"#, true),
        (r#"{"a": [10, 20]}"#, r#"{"a.0": 20}"#, false),
        (r#"{"a": "1"}"#, r#"{"a": 1}"#, false),
    ]);
}

#[test]
fn null_matches_missing_and_null_but_not_empty_arrays() {
    check(&[
        (r#"{"b": 1}"#, r#"{"a": null}"#, true),
        (r#"{"a": null}"#, r#"{"a": null}"#, true),
        (r#"{"a": []}"#, r#"{"a": null}"#, false),
        (r#"{"a": [null, 1]}"#, r#"{"a": null}"#, true),
        (r#"{"a": [{"b": 1}, {"c": 1}]}"#, r#"{"a.b": null}"#, true),
        (r#"{"a": null}"#, r#"{"a": {"$exists": true}}"#, true),
        (r#"{"b": 1}"#, r#"{"a": {"$exists": false}}"#, true),
        (
            r#"{"a": [{"b": 1}, {"c": 1}]}"#,
            r#"{"a.b": {"$exists": false}}"#,
            false,
        ),
        (r#"{"a": [null, 1]}"#, r#"{"a": {"$ne": null}}"#, false),
        (r#"{"a": 1}"#, r#"{"a": {"$gte": null}}"#, false),
        // MongoDB does not document $lte/$gte null on a missing field; this follows mongomock.
        (r#"{"b": 1}"#, r#"{"a": {"$lte": null}}"#, false),
        (r#"{"a": null}"#, r#"{"a": {"$lte": null}}"#, true),
        // A scalar or empty array on the way contributes no value (as mongomock).
        (r#"{"a": 5}"#, r#"{"a.b": null}"#, false),
        (r#"{"a": 5}"#, r#"{"a.b": {"$not": {"$gt": 1}}}"#, true),
        (r#"{"a": true}"#, r#"{"a": 1}"#, false),
    ]);
}

#[test]
fn comparisons_stay_within_a_type_bracket() {
    check(&[
        (r#"{"a": 5}"#, r#"{"a": {"$gt": 4.5}}"#, true),
        (
            r#"{"a": {"$numberLong": "9007199254740993"}}"#,
            r#"{"a": {"$gt": {"$numberDouble": "9007199254740992"}}}"#,
            true,
        ),
        (r#"{"a": "abc"}"#, r#"{"a": {"$gt": 1}}"#, false),
        (r#"{"a": "b"}"#, r#"{"a": {"$gt": "a"}}"#, true),
        (r#"{"a": [1, 10]}"#, r#"{"a": {"$gt": 5, "$lt": 2}}"#, true),
        (
            r#"{"a": [1, 10]}"#,
            r#"{"a": {"$elemMatch": {"$gt": 5, "$lt": 2}}}"#,
            false,
        ),
        (
            r#"{"a": {"$date": "2020-01-01T00:00:00Z"}}"#,
            r#"{"a": {"$lt": {"$date": "2021-01-01T00:00:00Z"}}}"#,
            true,
        ),
        (
            r#"{"a": {"$date": "2020-01-01T00:00:00Z"}}"#,
            r#"{"a": {"$lt": 5}}"#,
            false,
        ),
        (r#"{"a": true}"#, r#"{"a": {"$gt": false}}"#, true),
    ]);
}

#[test]
fn array_operators() {
    check(&[
        (r#"{"a": [1, 2, 3]}"#, r#"{"a": {"$all": [3, 1]}}"#, true),
        (r#"{"a": [1, 2, 3]}"#, r#"{"a": {"$all": [3, 4]}}"#, false),
        (r#"{"a": [1, 2, 3]}"#, r#"{"a": {"$all": []}}"#, false),
        (r#"{"a": 1}"#, r#"{"a": {"$all": [1]}}"#, true),
        (r#"{"a": [1, 2]}"#, r#"{"a": {"$size": 2}}"#, true),
        (r#"{"a": [[1, 2]]}"#, r#"{"a": {"$size": 2}}"#, false),
        (
            r#"{"a": [{"b": 1, "c": 2}, {"b": 2, "c": 1}]}"#,
            r#"{"a": {"$elemMatch": {"b": 2, "c": 2}}}"#,
            false,
        ),
        (
            r#"{"a": [{"b": 1, "c": 2}, {"b": 2, "c": 1}]}"#,
            r#"{"a.b": 2, "a.c": 2}"#,
            true,
        ),
        (
            r#"{"a": [{"b": 1, "c": 2}]}"#,
            r#"{"a": {"$all": [{"$elemMatch": {"b": 1}}]}}"#,
            true,
        ),
        (r#"{"a": [1, 2]}"#, r#"{"a": {"$in": [5, 2]}}"#, true),
        (r#"{"b": 1}"#, r#"{"a": {"$in": [null]}}"#, true),
        (r#"{"a": [1, 2]}"#, r#"{"a": {"$nin": [2]}}"#, false),
    ]);
}

#[test]
fn type_mod_regex_and_logic() {
    check(&[
        (r#"{"a": 1}"#, r#"{"a": {"$type": "number"}}"#, true),
        (r#"{"a": 1}"#, r#"{"a": {"$type": "double"}}"#, false),
        (r#"{"a": [1, "x"]}"#, r#"{"a": {"$type": "string"}}"#, true),
        (r#"{"a": [1]}"#, r#"{"a": {"$type": "array"}}"#, true),
        (r#"{"a": null}"#, r#"{"a": {"$type": 10}}"#, true),
        (r#"{"a": 7}"#, r#"{"a": {"$mod": [4, 3]}}"#, true),
        (r#"{"a": -7.9}"#, r#"{"a": {"$mod": [4, -3]}}"#, true),
        (
            r#"{"a": "Hello"}"#,
            r#"{"a": {"$regex": "^h", "$options": "i"}}"#,
            true,
        ),
        (
            r#"{"a": "Hello"}"#,
            r#"{"a": {"$regularExpression": {"pattern": "^h", "options": ""}}}"#,
            false,
        ),
        (
            r#"{"a": "x\ny"}"#,
            r#"{"a": {"$regex": "^y$", "$options": "m"}}"#,
            true,
        ),
        (
            r#"{"a": "x\ny"}"#,
            r#"{"a": {"$regex": "x.y", "$options": "s"}}"#,
            true,
        ),
        (
            r#"{"a": "abc"}"#,
            r#"{"a": {"$regex": "a b # comment\n c", "$options": "x"}}"#,
            true,
        ),
        (r#"{"a": 5}"#, r#"{"a": {"$not": {"$gt": 6}}}"#, true),
        (r#"{"b": 1}"#, r#"{"a": {"$not": {"$gt": 6}}}"#, true),
        (r#"{"a": 5}"#, r#"{"$or": [{"a": 6}, {"a": 5}]}"#, true),
        (r#"{"a": 5}"#, r#"{"$nor": [{"a": 6}, {"a": 5}]}"#, false),
        (
            r#"{"a": 5, "b": 6}"#,
            r#"{"$and": [{"a": 5}, {"b": {"$gte": 6}}]}"#,
            true,
        ),
        (
            r#"{"a": 5, "b": 6}"#,
            r#"{"$expr": {"$lt": ["$a", "$b"]}}"#,
            true,
        ),
    ]);
}

#[test]
fn geo_queries_measure_metres_on_the_sphere() {
    let place = r#"{"loc": {"type": "Point", "coordinates": [113.0, 23.0]}}"#;
    check(&[
        // About 102 km east at latitude 23 (0.1 degree per 10.2 km).
        (
            place,
            r#"{"loc": {"$near": {"$geometry": {"type": "Point", "coordinates": [114.0, 23.0]}, "$maxDistance": 103000}}}"#,
            true,
        ),
        (
            place,
            r#"{"loc": {"$near": {"$geometry": {"type": "Point", "coordinates": [114.0, 23.0]}, "$maxDistance": 100000}}}"#,
            false,
        ),
        (
            place,
            r#"{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[112, 22], [114, 22], [114, 24], [112, 24], [112, 22]]]}}}}"#,
            true,
        ),
        (
            place,
            r#"{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[110, 22], [112, 22], [112, 24], [110, 22]]]}}}}"#,
            false,
        ),
        (
            place,
            r#"{"loc": {"$geoWithin": {"$centerSphere": [[113.0, 24.0], 0.02]}}}"#,
            true,
        ),
        (
            place,
            r#"{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [113.0, 23.0]}}}}"#,
            true,
        ),
    ]);
}

#[test]
fn bad_filters_are_errors_naming_the_operator() {
    let err = |f: &str| matches(&doc("{}"), &doc(f)).expect_err(f);
    assert_eq!(
        err(r#"{"a": {"$foo": 1}}"#),
        EngineError("unknown operator: $foo".into())
    );
    assert!(err(r#"{"$where": "true"}"#).0.contains("$where"));
    assert!(err(r#"{"a": {"$regex": "(?<=a)b"}}"#).0.contains("(?<=a)b"));
    assert!(err(r#"{"$or": []}"#).0.contains("$or"));
}

#[test]
fn near_queries_order_results_by_distance() {
    let mut docs = vec![
        doc(r#"{"_id": "far", "loc": {"type": "Point", "coordinates": [114.0, 23.0]}}"#),
        doc(r#"{"_id": "near", "loc": {"type": "Point", "coordinates": [113.1, 23.0]}}"#),
    ];
    let filter = doc(
        r#"{"loc": {"$near": {"$geometry": {"type": "Point", "coordinates": [113.0, 23.0]}}}}"#,
    );
    assert!(wxcloud_emulator::engine::sort_by_near(&mut docs, &filter).expect("a valid $near"));
    assert_eq!(docs[0]["_id"], wxcloud::Value::from("near"));
    assert!(
        !wxcloud_emulator::engine::sort_by_near(&mut docs, &doc(r#"{"a": 1}"#)).expect("no $near")
    );
}
