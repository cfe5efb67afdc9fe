//! Hostile and near-miss input: decoding never panics, and the three ways into a `Value`
//! (`decode_value`, the core's own reader; `serde_json` with `Value: Deserialize`; and typed
//! `from_str` replaying a document's first entries) always agree — on damaged text, on every
//! shape of number and escape, valid or not.

use proptest::prelude::*;
use serde_json::Value as Json;
use wxcloud::{Document, Value, ejson};

/// Keys that make objects wrappers, near-wrappers, or wrapper contents.
const KEYS: &[&str] = &[
    "$numberLong",
    "$numberInt",
    "$numberDouble",
    "$numberDecimal",
    "$date",
    "$oid",
    "$regex",
    "$options",
    "$binary",
    "$type",
    "$uuid",
    "$timestamp",
    "$minKey",
    "$regularExpression",
    "$undefined",
    "t",
    "i",
    "base64",
    "subType",
    "pattern",
    "options",
    "a",
    "$",
];

/// Strings that are valid contents for some wrapper and not for others.
const STRINGS: &[&str] = &[
    "5",
    "-5",
    "abc",
    "9223372036854775808",
    "1.5",
    "Infinity",
    "NaN",
    "1.10",
    "2020-01-02T03:04:05Z",
    "5f3e1a2b3c4d5e6f70818293",
    "aGkh",
    "00",
    "80",
    "im",
    "",
    "73ffd264-44b3-4c69-90e8-e7d1dfc035d4",
];

fn json_tree() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        prop::sample::select(vec![0i64, 1, 2, -1, i64::MAX, i64::MIN, 1_577_934_245_678])
            .prop_map(Json::from),
        any::<f64>()
            .prop_filter("JSON has no NaN", |f| f.is_finite())
            .prop_map(Json::from),
        prop::sample::select(STRINGS).prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..3).prop_map(|entries| {
                Json::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// Equality that treats NaN as equal to itself: compare the canonical text.
fn same(a: &Value, b: &Value) -> bool {
    ejson::to_canonical_value_string(a) == ejson::to_canonical_value_string(b)
}

proptest! {
    #[test]
    fn every_way_into_a_value_agrees(tree in json_tree()) {
        let text = tree.to_string();
        let direct = ejson::decode_value(&text);
        let via_serde = serde_json::from_str::<Value>(&text);
        let typed = ejson::from_str::<Value>(&text);
        match &direct {
            Ok(value) => {
                prop_assert!(same(value, via_serde.as_ref().unwrap()), "{}", text);
                prop_assert!(same(value, typed.as_ref().unwrap()), "{}", text);
            }
            Err(_) => prop_assert!(via_serde.is_err() && typed.is_err(), "{}", text),
        }
        match direct {
            Ok(Value::Document(doc)) => {
                let replayed: Document = ejson::from_str(&text).unwrap();
                prop_assert!(same(&Value::Document(doc), &Value::Document(replayed)), "{}", text);
            }
            Ok(Value::Array(items)) => {
                let replayed: Vec<Value> = ejson::from_str(&text).unwrap();
                prop_assert!(same(&Value::Array(items), &Value::Array(replayed)), "{}", text);
            }
            // A top-level wrapper reaches `T` as its natural value (a regex as a map), so
            // whether a Document accepts it depends on the type: nothing to compare.
            Ok(_) => {}
            Err(_) => prop_assert!(ejson::from_str::<Document>(&text).is_err(), "{}", text),
        }
    }

    /// Decoding only some fields gives the whole decode's entries for those keys, in the same
    /// order, whatever the skipped entries hold.
    #[test]
    fn decoding_some_fields_gives_those_entries_of_the_whole_decode(tree in json_tree(), mask in any::<u32>()) {
        let kept = |key: &str| KEYS.iter().position(|k| *k == key).is_some_and(|i| mask & (1 << i) != 0);
        for text in [tree.to_string(), serde_json::to_string_pretty(&tree).unwrap()] {
            if let Ok(doc) = ejson::decode_document(&text) {
                let picked = ejson::decode_document_fields(&text, kept).unwrap();
                let expected: Document = doc.into_iter().filter(|(k, _)| kept(k)).collect();
                prop_assert!(same(&Value::Document(picked), &Value::Document(expected)), "{}", text);
            }
        }
    }

    #[test]
    fn arbitrary_text_is_decoded_or_refused_never_a_panic(text in ".{0,64}") {
        let _ = ejson::decode_value(&text);
        let _ = ejson::from_str::<Document>(&text);
    }

    #[test]
    fn a_damaged_record_is_decoded_or_refused_never_a_panic(cut in 0usize..200, junk in "[\\[\\]{}\":,$0-9a-z\\\\]{0,3}") {
        let record = r#"{"_id":"f77e","location":{"type":"Point","coordinates":[{"$numberDouble":"113.0"},{"$date":{"$numberLong":"1"}}]},"tags":["cloud"],"b":{"$binary":{"base64":"aGkh","subType":"00"}}}"#;
        let cut = cut.min(record.len());
        let damaged = format!("{}{}{}", &record[..cut], junk, &record[cut..]);
        let _ = ejson::decode_document(&damaged);
        let _ = ejson::decode_document_fields(&damaged, |k| k == "tags");
        let _ = ejson::from_str::<Document>(&damaged);
    }

    /// The reader and serde_json accept exactly the same texts and give the same values, on
    /// damaged records, pretty-printed trees and junk between tokens.
    #[test]
    fn the_reader_and_serde_json_agree_on_damaged_text(
        tree in json_tree(),
        cut in 0usize..400,
        junk in "[\\[\\]{}\":,$0-9a-z\\\\ .eE+\\-\n\t]{0,4}",
        pretty in any::<bool>(),
    ) {
        let text = if pretty { serde_json::to_string_pretty(&tree).unwrap() } else { tree.to_string() };
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let damaged = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        agree(&damaged)?;
    }

    /// Numbers of every shape: integers at and beyond the 32- and 64-bit limits, fractions,
    /// exponents (tiny, huge, out of range), leading zeros and missing digits.
    #[test]
    fn the_reader_and_serde_json_agree_on_numbers(
        number in "-?(0|[1-9][0-9]{0,24}|0[0-9]{1,3})(\\.[0-9]{0,20})?([eE][+-]?[0-9]{0,4})?",
    ) {
        agree(&number)?;
        agree(&format!("[{number}]"))?;
        agree(&format!(r#"{{"$numberLong": "5", "n": {number}}}"#))?;
    }

    /// Strings with every kind of escape, valid or not (surrogate pairs, lone surrogates, bad
    /// hex, control characters).
    #[test]
    fn the_reader_and_serde_json_agree_on_strings(
        body in "([a-z\u{e9}\u{4e2d}\u{1f600}]|\\\\[\"\\\\/bfnrtx]|\\\\u(d83d|de00|00e9|0041|zz1|[0-9a-fA-F]{4})|\n|\u{1}){0,8}",
    ) {
        agree(&format!("\"{body}\""))?;
        agree(&format!(r#"{{"k{body}": "{body}", "$oid": 1}}"#))?;
    }
}

#[test]
fn a_date_at_the_nesting_limit_is_refused_alike_as_its_contents_are_one_level_deeper() {
    let date_inside = |arrays: usize| {
        format!(
            "{}{{\"$date\":{{\"$numberLong\":\"5\"}}}}{}",
            "[".repeat(arrays),
            "]".repeat(arrays)
        )
    };
    for arrays in 97..=101 {
        agree(&date_inside(arrays)).unwrap();
    }
    assert!(ejson::decode_value(&date_inside(98)).is_ok());
    assert!(ejson::decode_value(&date_inside(99)).is_err());
}

/// Decodes `text` through the reader and through serde_json: both succeed with the same value,
/// or both fail.
fn agree(text: &str) -> Result<(), TestCaseError> {
    let read = ejson::decode_value(text);
    let via_serde = serde_json::from_str::<Value>(text);
    match (&read, &via_serde) {
        (Ok(a), Ok(b)) => prop_assert!(same(a, b), "{:?}: {:?} vs {:?}", text, a, b),
        (Err(_), Err(_)) => {}
        _ => prop_assert!(
            false,
            "{:?}: reader {:?}, serde_json {:?}",
            text,
            read,
            via_serde
        ),
    }
    Ok(())
}
