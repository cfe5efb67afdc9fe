//! Typed decoding: records into `T: Deserialize`, wrappers offered as natural serde values.

use std::collections::BTreeMap;

use serde::Deserialize;
use wxcloud::{Document, ErrorKind, Value, ejson};

#[derive(Debug, Deserialize, PartialEq)]
struct Location {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Vec<f64>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Todo {
    _id: String,
    location: Location,
    done: bool,
    description: String,
    due: String,
    tags: Vec<String>,
}

fn seed_records() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/ejson-seed-records.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_four_sample_records_decode_into_a_struct() {
    let records = seed_records();
    assert_eq!(records.len(), 4);
    for text in &records {
        let todo: Todo = ejson::from_str(text).unwrap();
        assert_eq!(
            todo.location,
            Location {
                kind: "Point".into(),
                coordinates: vec![113.0, 23.0]
            }
        );
        assert!(!todo.done);
        assert_eq!(todo.tags, ["cloud", "database"]);
        assert_eq!(todo.due, "2019-09-09");
    }
    let first: Todo = ejson::from_str(&records[0]).unwrap();
    assert_eq!(first._id, "f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea");
    assert_eq!(first.description, "learn cloud database");
}

#[derive(Debug, Deserialize, PartialEq)]
struct Typed {
    int: i32,
    long: i64,
    long_as_float: f64,
    double: f64,
    decimal: String,
    decimal_as_float: f64,
    millis: i64,
    iso: String,
    oid: String,
    maybe: Option<u8>,
    missing: Option<u8>,
    nested: BTreeMap<String, u32>,
    raw: Value,
    rest: Document,
}

#[test]
fn wrappers_become_natural_values_and_value_fields_keep_their_type() {
    let typed: Typed = ejson::from_str(
        r#"{
            "int": {"$numberInt": "-5"},
            "long": {"$numberLong": "9007199254740993"},
            "long_as_float": {"$numberLong": "3"},
            "double": {"$numberDouble": "-Infinity"},
            "decimal": {"$numberDecimal": "1.10"},
            "decimal_as_float": {"$numberDecimal": "1.10"},
            "millis": {"$date": "2020-01-02T03:04:05.678Z"},
            "iso": {"$date": {"$numberLong": "1577934245678"}},
            "oid": {"$oid": "5F3E1A2B3C4D5E6F70818293"},
            "maybe": null,
            "nested": {"a": 1, "b": {"$numberLong": "2"}},
            "raw": {"$date": {"$numberLong": "7"}},
            "rest": {"n": {"$numberLong": "1"}, "d": {"$numberDouble": "2.0"}}
        }"#,
    )
    .unwrap();
    assert_eq!(typed.int, -5);
    assert_eq!(typed.long, 9_007_199_254_740_993);
    assert_eq!(typed.long_as_float, 3.0);
    assert_eq!(typed.double, f64::NEG_INFINITY);
    assert_eq!(typed.decimal, "1.10");
    assert_eq!(typed.decimal_as_float, 1.1);
    assert_eq!(typed.millis, 1_577_934_245_678);
    assert_eq!(typed.iso, "2020-01-02T03:04:05.678Z");
    assert_eq!(typed.oid, "5f3e1a2b3c4d5e6f70818293");
    assert_eq!((typed.maybe, typed.missing), (None, None));
    assert_eq!(
        typed.nested,
        BTreeMap::from([("a".into(), 1), ("b".into(), 2)])
    );
    assert_eq!(typed.raw, Value::Date(7));
    assert_eq!(typed.rest["n"], Value::Int64(1));
    assert_eq!(typed.rest["d"], Value::Double(2.0));
}

#[derive(Debug, Deserialize, PartialEq)]
enum Status {
    Open,
    Closed { reason: String },
}

#[test]
fn enums_decode_from_strings_and_one_key_documents() {
    let list: Vec<Status> = ejson::from_str(r#"["Open", {"Closed": {"reason": "done"}}]"#).unwrap();
    assert_eq!(
        list,
        [
            Status::Open,
            Status::Closed {
                reason: "done".into()
            }
        ]
    );
}

#[test]
fn a_record_of_the_wrong_shape_is_a_decode_error_naming_the_problem() {
    let e = ejson::from_str::<Todo>(r#"{"_id": "x"}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("missing field `location`"), "{e}");
    let e = ejson::from_str::<Vec<i32>>(r#"[{"$numberLong": "9007199254740993"}]"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    let e = ejson::from_str::<Vec<i32>>(r#"[{"$numberLong": "x"}]"#).unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
}

#[test]
fn near_wrappers_reach_the_type_as_ordinary_maps() {
    let doc: Document =
        ejson::from_str(r#"{"$oid":"not hex","y":{"$numberLong":"1"},"z":2}"#).unwrap();
    let entries: Vec<(&str, &Value)> = doc.iter().map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(
        entries,
        [
            ("$oid", &Value::from("not hex")),
            ("y", &Value::Int64(1)),
            ("z", &Value::Int32(2))
        ]
    );
    let map: BTreeMap<String, String> =
        ejson::from_str(r#"{"$regex":"a","$options":"i","x":"y"}"#).unwrap();
    assert_eq!(map.len(), 3);
}

#[derive(Debug, Deserialize, PartialEq)]
struct Optional {
    a: Option<i64>,
    b: Option<i64>,
    c: Option<Value>,
    list: Vec<Value>,
}

#[test]
fn options_and_lists_of_values_decode_through_wrappers() {
    let got: Optional = ejson::from_str(
        r#"{"a":{"$numberLong":"9007199254740993"},"b":null,"c":{"$minKey":1},"list":[{"$numberInt":"1"},{"$oid":"000000000000000000000001"}]}"#,
    )
    .unwrap();
    let mut oid = [0u8; 12];
    oid[11] = 1;
    assert_eq!(
        got,
        Optional {
            a: Some(9_007_199_254_740_993),
            b: None,
            c: Some(Value::MinKey),
            list: vec![Value::Int32(1), Value::ObjectId(oid)],
        }
    );
}

#[test]
fn typed_errors_carry_the_position_of_the_problem() {
    let e = ejson::from_str::<Todo>("{\n \"_id\": 5\n}").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("line 2"), "{e}");
    let e = ejson::from_str::<Vec<f64>>(r#"[1.5, {"$numberDouble": "x"}]"#).unwrap_err();
    assert!(
        e.to_string().contains("$numberDouble") && e.to_string().contains("column"),
        "{e}"
    );
    let e = ejson::from_str::<Vec<f64>>("[1.5] trailing").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}
