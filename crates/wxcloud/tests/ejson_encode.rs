//! Writing Extended JSON: the canonical and relaxed forms, and decode(encode(v)) == v for
//! arbitrary values.

use proptest::prelude::*;
use wxcloud::{Document, Value, ejson};

fn doc(entries: Vec<(&str, Value)>) -> Document {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

#[test]
fn canonical_form_matches_the_services_sample() {
    let record = doc(vec![
        ("_id", "f77e039f".into()),
        (
            "location",
            Value::Document(doc(vec![
                ("type", "Point".into()),
                ("coordinates", vec![113.0, 23.0].into()),
            ])),
        ),
        ("done", false.into()),
        ("tags", vec!["cloud", "database"].into()),
    ]);
    assert_eq!(
        ejson::to_canonical_string(&record),
        r#"{"_id":"f77e039f","location":{"type":"Point","coordinates":[{"$numberDouble":"113.0"},{"$numberDouble":"23.0"}]},"done":false,"tags":["cloud","database"]}"#
    );
}

#[test]
fn canonical_form_keeps_every_type_exact() {
    let record = doc(vec![
        ("i", Value::Int32(-7)),
        ("l", Value::Int64(7)),
        ("big", Value::Int64(9_007_199_254_740_993)),
        ("inf", Value::Double(f64::NEG_INFINITY)),
        ("nan", Value::Double(f64::NAN)),
        ("dec", Value::Decimal128("1.10".into())),
        ("d", Value::Date(-1)),
        ("oid", Value::ObjectId([0xab; 12])),
        (
            "bin",
            Value::Binary {
                subtype: 4,
                bytes: vec![0, 255],
            },
        ),
        (
            "re",
            Value::Regex {
                pattern: "a/b".into(),
                options: "i".into(),
            },
        ),
        ("ts", Value::Timestamp { t: 1, i: 2 }),
        ("min", Value::MinKey),
        ("max", Value::MaxKey),
        ("null", Value::Null),
    ]);
    assert_eq!(
        ejson::to_canonical_string(&record),
        concat!(
            r#"{"i":-7,"l":{"$numberLong":"7"},"big":{"$numberLong":"9007199254740993"},"#,
            r#""inf":{"$numberDouble":"-Infinity"},"nan":{"$numberDouble":"NaN"},"#,
            r#""dec":{"$numberDecimal":"1.10"},"d":{"$date":{"$numberLong":"-1"}},"#,
            r#""oid":{"$oid":"abababababababababababab"},"#,
            r#""bin":{"$binary":{"base64":"AP8=","subType":"04"}},"#,
            r#""re":{"$regularExpression":{"pattern":"a/b","options":"i"}},"#,
            r#""ts":{"$timestamp":{"t":1,"i":2}},"min":{"$minKey":1},"max":{"$maxKey":1},"null":null}"#
        )
    );
}

#[test]
fn relaxed_form_is_plain_json_where_json_can_hold_the_value() {
    let value = Value::Document(doc(vec![
        ("x", Value::Double(113.0)),
        ("small", Value::Double(0.1)),
        ("l", Value::Int64(9_007_199_254_740_993)),
        ("when", Value::Date(1_577_934_245_678)),
        ("early", Value::Date(-86_400_000)),
        ("inf", Value::Double(f64::INFINITY)),
        ("s", "caf\u{e9} \"q\"\n".into()),
    ]));
    let want = concat!(
        r#"{"x":113.0,"small":0.1,"l":9007199254740993,"when":{"$date":"2020-01-02T03:04:05.678Z"},"#,
        r#""early":{"$date":{"$numberLong":"-86400000"}},"inf":{"$numberDouble":"Infinity"},"s":"café \"q\"\n"}"#
    );
    assert_eq!(ejson::to_relaxed_string(&value), want);
    assert_eq!(serde_json::to_string(&value).unwrap(), want);
}

#[test]
fn serde_json_reads_extended_json_into_a_value_like_decode_value() {
    let text = r#"{"a":{"$numberLong":"5"},"b":[{"$date":"2020-01-02T03:04:05Z"},1.5],"$oid":1}"#;
    let via_serde: Value = serde_json::from_str(text).unwrap();
    assert_eq!(via_serde, ejson::decode_value(text).unwrap());
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::Int32),
        any::<i64>().prop_map(Value::Int64),
        any::<f64>()
            .prop_filter("NaN is not equal to itself", |d| !d.is_nan())
            .prop_map(Value::Double),
        prop::sample::select(vec![
            "0",
            "-0",
            "1.10",
            "1E+3",
            "-1.5E-7",
            "NaN",
            "Infinity",
            "123456789012345678901234567890"
        ])
        .prop_map(|d| Value::Decimal128(d.to_owned())),
        any::<String>().prop_map(Value::String),
        any::<i64>().prop_map(Value::Date),
        (0i64..253_402_300_800_000).prop_map(Value::Date),
        any::<[u8; 12]>().prop_map(Value::ObjectId),
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..16))
            .prop_map(|(subtype, bytes)| Value::Binary { subtype, bytes }),
        (any::<String>(), "i?m?s?u?x?")
            .prop_map(|(pattern, options)| Value::Regex { pattern, options }),
        (any::<u32>(), any::<u32>()).prop_map(|(t, i)| Value::Timestamp { t, i }),
        Just(Value::MinKey),
        Just(Value::MaxKey),
    ]
}

/// Keys that cannot be mistaken for wrapper keys.
fn key() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("not a $ key", |k| !k.starts_with('$'))
}

fn any_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|entries| Value::Document(entries.into_iter().collect())),
        ]
    })
}

fn any_document() -> impl Strategy<Value = Document> {
    prop::collection::vec((key(), any_value()), 0..6)
        .prop_map(|entries| entries.into_iter().collect())
}

/// The value relaxed text decodes back to: plain integers come back in the narrowest width.
fn narrowed(value: Value) -> Value {
    match value {
        Value::Int64(n) => i32::try_from(n).map_or(Value::Int64(n), Value::Int32),
        Value::Array(items) => Value::Array(items.into_iter().map(narrowed).collect()),
        Value::Document(d) => {
            Value::Document(d.into_iter().map(|(k, v)| (k, narrowed(v))).collect())
        }
        other => other,
    }
}

/// Writes down every event a sink receives (size hints left out: text has none).
#[derive(Default)]
struct Recorder(Vec<String>);

impl ejson::Sink for Recorder {
    fn begin_document(&mut self, _: Option<usize>) -> Result<(), ejson::SinkError> {
        self.0.push("{".into());
        Ok(())
    }
    fn key(&mut self, key: &str) -> Result<(), ejson::SinkError> {
        self.0.push(format!("key {key:?}"));
        Ok(())
    }
    fn end_document(&mut self) -> Result<(), ejson::SinkError> {
        self.0.push("}".into());
        Ok(())
    }
    fn begin_array(&mut self, _: Option<usize>) -> Result<(), ejson::SinkError> {
        self.0.push("[".into());
        Ok(())
    }
    fn end_array(&mut self) -> Result<(), ejson::SinkError> {
        self.0.push("]".into());
        Ok(())
    }
    fn scalar(&mut self, value: ejson::Scalar<'_>) -> Result<(), ejson::SinkError> {
        self.0.push(format!("{value:?}"));
        Ok(())
    }
}

/// A sink that looks at scalars only: `on` gets each one, with the JSON text it was read from
/// when it came through [`ejson::Sink::plain`].
struct Scalars<F>(F);

impl<F> ejson::Sink for Scalars<F>
where
    F: FnMut(ejson::Scalar<'_>, Option<&str>) -> Result<(), ejson::SinkError>,
{
    fn begin_document(&mut self, _: Option<usize>) -> Result<(), ejson::SinkError> {
        Ok(())
    }
    fn key(&mut self, _: &str) -> Result<(), ejson::SinkError> {
        Ok(())
    }
    fn end_document(&mut self) -> Result<(), ejson::SinkError> {
        Ok(())
    }
    fn begin_array(&mut self, _: Option<usize>) -> Result<(), ejson::SinkError> {
        Ok(())
    }
    fn end_array(&mut self) -> Result<(), ejson::SinkError> {
        Ok(())
    }
    fn scalar(&mut self, value: ejson::Scalar<'_>) -> Result<(), ejson::SinkError> {
        (self.0)(value, None)
    }
    fn plain(&mut self, value: ejson::Scalar<'_>, text: &str) -> Result<(), ejson::SinkError> {
        (self.0)(value, Some(text))
    }
}

#[test]
fn plain_scalars_come_with_the_json_text_they_were_read_from() {
    let mut seen = Vec::new();
    ejson::decode_document_into(
        r#"{"s": "a\"b\u00e9", "n": [-1.50e3, 0, true, null],
            "d": {"$numberDouble": "113.0"}, "i": {"$numberInt": "-0"}, "l": {"$numberLong": "7"},
            "x": {"$numberDouble": "Infinity"}, "w": {"$date": {"$numberLong": "5"}}, "p": {"$numberInt": "+5"}}"#,
        &mut Scalars(|value: ejson::Scalar<'_>, text: Option<&str>| {
            seen.push(text.map_or_else(|| format!("{value:?}"), |t| format!("text {t}")));
            Ok(())
        }),
    )
    .unwrap();
    assert_eq!(
        seen,
        [
            r#"text "a\"b\u00e9""#,
            "text -1.50e3",
            "text 0",
            "text true",
            "text null",
            "text 113.0",
            "Int32(0)",
            "text 7",
            "Double(inf)",
            "Date(5)",
            "Int32(5)",
        ]
    );
}

#[test]
fn a_sink_refusal_is_a_decode_error_at_its_position() {
    let mut no_dates = Scalars(|value: ejson::Scalar<'_>, _: Option<&str>| match value {
        ejson::Scalar::Date(_) => Err(ejson::SinkError::new("no dates here")),
        _ => Ok(()),
    });
    let err = ejson::decode_document_into("{\"a\": 1,\n \"d\": {\"$date\": 0}}", &mut no_dates)
        .unwrap_err();
    assert_eq!(err.kind(), wxcloud::ErrorKind::Decode);
    assert!(err.to_string().contains("no dates here at line 2"), "{err}");
    let err = ejson::decode_document_into("[1]", &mut no_dates).unwrap_err();
    assert!(
        err.to_string().contains("expected a document, found array"),
        "{err}"
    );
}

proptest! {
    #[test]
    fn a_sink_sees_the_events_of_the_decoded_value(document in any_document()) {
        let text = ejson::to_canonical_string(&document);
        let mut from_text = Recorder::default();
        ejson::decode_document_into(&text, &mut from_text).unwrap();
        let mut from_value = Recorder::default();
        ejson::replay(&mut from_value, &Value::Document(document)).unwrap();
        prop_assert_eq!(from_text.0, from_value.0);
    }

    #[test]
    fn canonical_text_decodes_to_the_same_document(document in any_document()) {
        let text = ejson::to_canonical_string(&document);
        prop_assert_eq!(ejson::decode_document(&text).unwrap(), document);
    }

    #[test]
    fn relaxed_text_decodes_to_the_same_value_up_to_integer_width(value in any_value()) {
        let text = ejson::to_relaxed_string(&value);
        prop_assert_eq!(ejson::decode_value(&text).unwrap(), narrowed(value));
    }

    #[test]
    fn typed_decoding_into_a_document_gives_the_same_document(document in any_document()) {
        let text = ejson::to_canonical_string(&document);
        prop_assert_eq!(ejson::from_str::<Document>(&text).unwrap(), document);
    }

    #[test]
    fn a_value_field_in_typed_decoding_receives_the_value_unchanged(value in any_value()) {
        prop_assert_eq!(ejson::from_value::<Value>(value.clone()).unwrap(), value);
    }
}
