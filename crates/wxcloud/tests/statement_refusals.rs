//! What the statement writer refuses, and that it says what and where; and that any string
//! stays one literal.

use proptest::prelude::*;
use wxcloud::statement::{self, Direction, Query};
use wxcloud::{Document, ErrorKind, Value};

fn doc<const N: usize>(entries: [(&str, Value); N]) -> Document {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn refusal(result: wxcloud::Result<String>) -> String {
    let err = result.expect_err("the writer must refuse this");
    assert_eq!(err.kind(), ErrorKind::Statement);
    err.to_string()
}

#[test]
fn nan_and_infinities_are_refused_with_their_path() {
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let filter = doc([("price", Value::Document(doc([("$gt", Value::Double(x))])))]);
        let msg = refusal(statement::count("goods", Some(&filter)));
        assert!(
            msg.contains("not finite") && msg.contains("`where.price.$gt`"),
            "{msg}"
        );
    }
    let msg = refusal(statement::add(
        "goods",
        &[doc([("w", Value::Double(f64::NAN))])],
    ));
    assert!(msg.contains("`data[0].w`"), "{msg}");
}

#[test]
fn bad_collection_names_are_refused_before_anything_is_written() {
    for name in [
        "",
        "a b",
        "a\"b",
        "a.b",
        "名字",
        "x\u{2028}",
        &"n".repeat(65),
    ] {
        let msg = refusal(statement::count(name, None));
        assert!(msg.contains("invalid collection name"), "{name:?}: {msg}");
    }
    for name in ["users", "test_collection", "A-1_b", &"n".repeat(64)] {
        assert!(statement::validate_collection_name(name).is_ok(), "{name}");
    }
}

#[test]
fn unsupported_operators_are_named_with_their_path() {
    let filter = doc([("a", Value::Document(doc([("$type", "string".into())])))]);
    assert!(
        refusal(statement::delete("c", &filter))
            .contains("unsupported filter operator `$type` (at `where.a.$type`)")
    );

    let update = doc([("$setOnInsert", Value::Document(doc([("a", 1.into())])))]);
    assert!(
        refusal(statement::update("c", &Document::new(), &update))
            .contains("unsupported update operator `$setOnInsert`")
    );

    let pipeline = [doc([("$facet", Value::Document(Document::new()))])];
    assert!(
        refusal(statement::aggregate("c", &pipeline))
            .contains("unsupported aggregate stage `$facet` (at `pipeline[0].$facet`)")
    );

    let pipeline = [doc([(
        "$group",
        Value::Document(doc([
            ("_id", Value::Null),
            (
                "n",
                Value::Document(doc([("$count", Value::Document(Document::new()))])),
            ),
        ])),
    )])];
    assert!(
        refusal(statement::aggregate("c", &pipeline))
            .contains("`$count` (at `pipeline[0].$group.n.$count`)")
    );
}

#[test]
fn values_without_a_spelling_are_refused() {
    for (value, what) in [
        (Value::Decimal128("1.5".into()), "Decimal128"),
        (
            Value::Binary {
                subtype: 0,
                bytes: vec![1],
            },
            "Binary",
        ),
        (Value::Timestamp { t: 1, i: 1 }, "Timestamp"),
        (Value::MinKey, "MinKey"),
        (Value::MaxKey, "MaxKey"),
        (Value::Int64(1 << 54), "2^53"),
        (Value::Date(i64::MAX), "Date range"),
    ] {
        let msg = refusal(statement::add("c", &[doc([("v", value)])]));
        assert!(msg.contains(what), "{what}: {msg}");
    }
}

#[test]
fn a_query_by_id_refuses_filters_and_paging() {
    let q = Query::new("c").doc("id").limit(3);
    assert!(refusal(statement::query(&q)).contains("document id"));
    assert!(statement::query(&Query::new("c").doc("id")).is_ok());
}

#[test]
fn directions_parse_from_every_front_end_spelling() {
    assert_eq!(
        Direction::from_value(&"DESC".into()).ok(),
        Some(Direction::Desc)
    );
    assert_eq!(
        Direction::from_value(&Value::Int32(1)).ok(),
        Some(Direction::Asc)
    );
    assert_eq!(
        Direction::from_value(&Value::Double(-1.0)).ok(),
        Some(Direction::Desc)
    );
    assert!(Direction::from_value(&Value::Int32(0)).is_err());
    assert_eq!(" -1 ".parse::<Direction>().ok(), Some(Direction::Desc));
    assert_eq!("1".parse::<Direction>().ok(), Some(Direction::Asc));
    assert!("up".parse::<Direction>().is_err());
}

proptest! {
    /// Any string, as a key or a value, is exactly one JSON string literal in the statement,
    /// with no raw line terminator that JavaScript would end a line at.
    #[test]
    fn any_string_stays_one_literal(key in "\\PC*|[\"\\\\\u{2028}\u{2029}\u{0}-\u{1f}]{0,8}", value in any::<String>()) {
        prop_assume!(key != "__proto__" && !key.starts_with('$'));
        let text = statement::count("c", Some(&doc([(key.as_str(), Value::String(value.clone()))]))).unwrap();
        let inner = text.strip_prefix("db.collection(\"c\").where({").and_then(|t| t.strip_suffix("}).count()")).unwrap();
        let (k, v) = split_pair(inner);
        prop_assert_eq!(serde_json::from_str::<String>(k).unwrap(), key);
        prop_assert_eq!(serde_json::from_str::<String>(v).unwrap(), value);
        let raw_terminator = text.contains(['\u{2028}', '\u{2029}', '\n', '\r', '\u{0}']);
        prop_assert!(!raw_terminator, "raw line terminator in {:?}", text);
    }
}

/// Splits `"k": "v"` at the colon that follows the key's closing quote.
fn split_pair(inner: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in inner.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return (&inner[..=i], &inner[i + 3..]),
            _ => {}
        }
    }
    panic!("no key in {inner}");
}
