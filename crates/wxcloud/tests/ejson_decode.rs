//! Decoding Extended JSON records: the service's sample, every wrapper form, near-wrappers,
//! exact integers, errors with positions, hostile nesting.

use wxcloud::{Document, ErrorKind, Value, ejson};

fn doc(text: &str) -> Document {
    ejson::decode_document(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn value(text: &str) -> Value {
    ejson::decode_value(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn decode_error(text: &str) -> String {
    match ejson::decode_value(text) {
        Ok(v) => panic!("{text} decoded to {v:?}"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Decode, "{text}");
            e.to_string()
        }
    }
}

fn document(entries: Vec<(&str, Value)>) -> Value {
    Value::Document(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

#[test]
fn the_services_sample_record_decodes_with_double_coordinates_and_key_order() {
    let record = doc(
        r#"{"_id":"f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea","location":{"type":"Point","coordinates":[{"$numberDouble":"113.0"},{"$numberDouble":"23.0"}]},"done":false,"description":"learn cloud database","due":"2019-09-09","tags":["cloud","database"]}"#,
    );
    let keys: Vec<&str> = record.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["_id", "location", "done", "description", "due", "tags"]
    );
    let location = record["location"].as_document().unwrap();
    assert_eq!(location["coordinates"], Value::from(vec![113.0, 23.0]));
    assert_eq!(record["done"], Value::Bool(false));
    assert_eq!(record["tags"], Value::from(vec!["cloud", "database"]));
}

#[test]
fn plain_numbers_take_the_narrowest_exact_type() {
    assert_eq!(value("42"), Value::Int32(42));
    assert_eq!(value("-2147483648"), Value::Int32(i32::MIN));
    assert_eq!(value("2147483648"), Value::Int64(2_147_483_648));
    assert_eq!(
        value("9007199254740993"),
        Value::Int64(9_007_199_254_740_993)
    );
    assert_eq!(value("-9223372036854775808"), Value::Int64(i64::MIN));
    assert_eq!(
        value("9223372036854775808"),
        Value::Double(9_223_372_036_854_775_808.0)
    );
    assert_eq!(value("1.0"), Value::Double(1.0));
    assert_eq!(value("1e3"), Value::Double(1000.0));
}

#[test]
fn canonical_number_wrappers_keep_their_type() {
    assert_eq!(value(r#"{"$numberInt":"42"}"#), Value::Int32(42));
    assert_eq!(value(r#"{"$numberLong":"42"}"#), Value::Int64(42));
    assert_eq!(
        value(r#"{"$numberLong":"-9223372036854775808"}"#),
        Value::Int64(i64::MIN)
    );
    assert_eq!(value(r#"{"$numberDouble":"1.5"}"#), Value::Double(1.5));
    assert_eq!(
        value(r#"{"$numberDouble":"Infinity"}"#),
        Value::Double(f64::INFINITY)
    );
    assert_eq!(
        value(r#"{"$numberDouble":"-Infinity"}"#),
        Value::Double(f64::NEG_INFINITY)
    );
    assert!(matches!(value(r#"{"$numberDouble":"NaN"}"#), Value::Double(d) if d.is_nan()));
    assert_eq!(
        value(r#"{"$numberDecimal":"1.10"}"#),
        Value::Decimal128("1.10".into())
    );
    assert_eq!(
        value(r#"{"$numberDecimal":"1.0e3"}"#),
        Value::Decimal128("1.0E+3".into())
    );
}

#[test]
fn every_date_form_gives_milliseconds_since_the_epoch() {
    let ms = 1_577_934_245_678;
    for text in [
        r#"{"$date":{"$numberLong":"1577934245678"}}"#,
        r#"{"$date":"2020-01-02T03:04:05.678Z"}"#,
        r#"{"$date":"2020-01-02T11:04:05.678+08:00"}"#,
        r#"{"$date":"2020-01-02T11:04:05.678+0800"}"#,
        r#"{"$date":1577934245678}"#,
    ] {
        assert_eq!(value(text), Value::Date(ms), "{text}");
    }
    assert_eq!(value(r#"{"$date":{"$numberLong":"-1"}}"#), Value::Date(-1));
}

#[test]
fn the_other_wrappers_decode_to_their_types() {
    assert_eq!(
        value(r#"{"$oid":"5F3E1A2B3C4D5E6F70818293"}"#),
        Value::ObjectId([
            0x5f, 0x3e, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x82, 0x93
        ])
    );
    let regex = Value::Regex {
        pattern: "^a.c$".into(),
        options: "im".into(),
    };
    assert_eq!(
        value(r#"{"$regularExpression":{"pattern":"^a.c$","options":"mi"}}"#),
        regex
    );
    assert_eq!(value(r#"{"$regex":"^a.c$","$options":"mi"}"#), regex);
    assert_eq!(value(r#"{"$options":"mi","$regex":"^a.c$"}"#), regex);
    let binary = Value::Binary {
        subtype: 0x80,
        bytes: b"hi!".to_vec(),
    };
    assert_eq!(
        value(r#"{"$binary":{"base64":"aGkh","subType":"80"}}"#),
        binary
    );
    assert_eq!(value(r#"{"$binary":"aGkh","$type":"80"}"#), binary);
    assert_eq!(value(r#"{"$type":"80","$binary":"aGkh"}"#), binary);
    assert_eq!(
        value(r#"{"$timestamp":{"t":4294967295,"i":1}}"#),
        Value::Timestamp { t: u32::MAX, i: 1 }
    );
    assert_eq!(value(r#"{"$minKey":1}"#), Value::MinKey);
    assert_eq!(value(r#"{"$maxKey":1}"#), Value::MaxKey);
}

#[test]
fn a_wrapper_with_extra_or_missing_keys_is_an_ordinary_document() {
    assert_eq!(
        value(r#"{"$oid":"not checked","x":1}"#),
        document(vec![("$oid", "not checked".into()), ("x", Value::Int32(1))])
    );
    assert_eq!(
        value(r#"{"$numberLong":"5","$numberInt":"6"}"#),
        document(vec![
            ("$numberLong", "5".into()),
            ("$numberInt", "6".into())
        ])
    );
    assert_eq!(
        value(r#"{"x":1,"$numberLong":"5"}"#),
        document(vec![("x", 1.into()), ("$numberLong", "5".into())])
    );
    assert_eq!(
        value(r#"{"$regex":"a","$options":"i","$comment":"c"}"#),
        document(vec![
            ("$regex", "a".into()),
            ("$options", "i".into()),
            ("$comment", "c".into())
        ])
    );
    assert_eq!(
        value(r#"{"$options":"i"}"#),
        document(vec![("$options", "i".into())])
    );
    // The $regex query operator holds a document, not a pattern.
    assert_eq!(
        value(r#"{"$regex":{"$numberInt":"1"},"$options":"i"}"#),
        document(vec![("$regex", Value::Int32(1)), ("$options", "i".into())])
    );
    // Wrappers nested inside a near-wrapper are still decoded.
    assert_eq!(
        value(r#"{"$date":{"$numberLong":"1"},"y":{"$numberLong":"2"}}"#),
        document(vec![("$date", Value::Int64(1)), ("y", Value::Int64(2))])
    );
}

#[test]
fn bad_contents_in_a_recognised_wrapper_is_a_decode_error_with_a_position() {
    for text in [
        r#"{"$numberLong":"abc"}"#,
        r#"{"$numberLong":5}"#,
        r#"{"$numberInt":"2147483648"}"#,
        r#"{"$numberDouble":"one"}"#,
        r#"{"$numberDecimal":"1..2"}"#,
        r#"{"$date":"yesterday"}"#,
        r#"{"$date":true}"#,
        r#"{"$oid":"123"}"#,
        r#"{"$binary":{"base64":"!!","subType":"00"}}"#,
        r#"{"$binary":{"base64":"aGkh","subType":"000"}}"#,
        r#"{"$binary":"aGkh"}"#,
        r#"{"$timestamp":{"t":-1,"i":1}}"#,
        r#"{"$timestamp":{"t":1}}"#,
        r#"{"$minKey":2}"#,
        r#"{"$regularExpression":{"pattern":"a"}}"#,
    ] {
        let message = decode_error(text);
        assert!(message.contains("line 1 column"), "{text}: {message}");
    }
    let nested = decode_error("{\n  \"a\": [1, {\"$numberLong\": \"x\"}]\n}");
    assert!(
        nested.contains("$numberLong") && nested.contains("line 2"),
        "{nested}"
    );
}

#[test]
fn malformed_json_is_a_decode_error_never_a_panic() {
    for text in [
        "",
        "{",
        r#"{"a":1"#,
        r#"{"a":1}}"#,
        r#"{"a":01}"#,
        "<html>502</html>",
        r#"{"a":"\ud800"}"#,
        "nul",
    ] {
        decode_error(text);
    }
}

#[test]
fn a_record_must_be_a_document() {
    for text in [
        "[1]",
        "1",
        r#""s""#,
        r#"{"$oid":"5f3e1a2b3c4d5e6f70818293"}"#,
    ] {
        let e = ejson::decode_document(text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "{text}");
    }
}

#[test]
fn hostile_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(decode_error(&deep).contains("nesting"));
    let deep_docs = format!("{}1{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
    decode_error(&deep_docs);
    let fine = format!(
        "{}1{}",
        "[".repeat(ejson::MAX_DEPTH),
        "]".repeat(ejson::MAX_DEPTH)
    );
    assert!(ejson::decode_value(&fine).is_ok());
}

#[test]
fn escaped_keys_and_unicode_strings_survive() {
    let record = doc(r#"{"k\"ey":"caf\u00e9 \ud83d\ude00","名前":"云开发","\u0024oid":"not hex"}"#);
    assert_eq!(record["k\"ey"], Value::from("café 😀"));
    assert_eq!(record["名前"], Value::from("云开发"));
    // An escaped `$` is still a `$`: this key is a wrapper key, and its contents are checked.
    assert!(ejson::decode_document(r#"{"a":{"\u0024oid":"nothex"}}"#).is_err());
}

#[test]
fn duplicate_keys_keep_the_first_position_and_the_last_value() {
    let record = doc(r#"{"a":1,"b":2,"a":3}"#);
    let entries: Vec<(&str, &Value)> = record.iter().map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(entries, [("a", &Value::Int32(3)), ("b", &Value::Int32(2))]);
}

#[test]
fn a_failed_decode_leaves_nothing_behind_for_the_next_one() {
    decode_error(r#"{"a":[1,2,{"b":3,"c":{"$numberLong":"x"}}],"d":4}"#);
    assert_eq!(
        value(r#"{"e":[5],"f":{"g":6}}"#),
        document(vec![
            ("e", vec![5].into()),
            ("f", document(vec![("g", 6.into())]))
        ])
    );
}

#[test]
fn decoding_some_fields_skips_the_others_but_not_the_texts_errors() {
    let text = r#"{"_id":"a","n":{"$numberLong":"9007199254740993"},"skip":{"$date":"not a date"},"tags":["x"]}"#;
    let picked = ejson::decode_document_fields(text, |k| k == "n" || k == "tags").unwrap();
    assert_eq!(
        Value::Document(picked),
        document(vec![
            ("n", Value::Int64(9_007_199_254_740_993)),
            ("tags", Value::Array(vec![Value::String("x".into())])),
        ])
    );
    // A bad wrapper in a kept field is still an error; a skipped one is not looked at.
    let err = ejson::decode_document_fields(text, |k| k == "skip").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    // Escaped keys, spaces, nested strings with brackets and escaped quotes in skipped values.
    let text =
        " {\"a\\\"b\" : 1 , \"s\": \"}]\\\" [{\", \"o\": {\"x\": [\"]\", {}]}, \"k\" :\t-2.5e3 }\n";
    for (text, first) in [(text, "a\"b"), (&text.replace("a\\\"b", "ab"), "ab")] {
        let picked = ejson::decode_document_fields(text, |k| k != "s" && k != "o").unwrap();
        assert_eq!(
            Value::Document(picked),
            document(vec![
                (first, Value::Int32(1)),
                ("k", Value::Double(-2500.0))
            ])
        );
    }
    // The text must still be one JSON object, whatever is kept.
    for bad in [
        r#"[1]"#,
        r#"{"$numberLong":"5"}"#,
        r#"{"a":1"#,
        r#"{"a":[1,}"#,
        r#"{"a":1} x"#,
    ] {
        let err = ejson::decode_document_fields(bad, |_| false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{bad}");
    }
}
