//! Runs every vector of `tests/vectors/ejson.json` (generated with pymongo's `bson.json_util`,
//! format in `tests/vectors/README.md`) through `ejson::decode_value`.

use serde_json::Value as Json;
use wxcloud::{ErrorKind, Value, ejson};

fn vectors() -> Vec<Json> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/ejson.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // Descriptions of the nesting vectors nest deeper than serde_json's default limit.
    let mut de = serde_json::Deserializer::from_str(&text);
    de.disable_recursion_limit();
    let file: Json = serde::Deserialize::deserialize(&mut de).unwrap();
    assert_eq!(
        file["max_depth"],
        ejson::MAX_DEPTH,
        "the vectors were generated for another depth limit"
    );
    file["vectors"].as_array().unwrap().clone()
}

fn field<'a>(expect: &'a Json, name: &str) -> &'a str {
    expect[name]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {name} missing in {expect}"))
}

fn same_double(want: &str, got: f64) -> bool {
    let want: f64 = match want {
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        "NaN" => return got.is_nan(),
        other => other.parse().unwrap(),
    };
    want.to_bits() == got.to_bits()
}

/// Checks a decoded value against a vector's typed description; `Err` says where they differ.
fn check(expect: &Json, got: &Value, path: &str) -> Result<(), String> {
    let mismatch = || Err(format!("at {path}: expected {expect}, got {got:?}"));
    let ok = match (field(expect, "$type"), got) {
        ("null", Value::Null) => true,
        ("bool", Value::Bool(b)) => expect["value"] == *b,
        ("int32", Value::Int32(n)) => expect["value"] == *n,
        ("int64", Value::Int64(n)) => field(expect, "value") == n.to_string(),
        ("double", Value::Double(d)) => same_double(field(expect, "value"), *d),
        ("decimal128", Value::Decimal128(d)) => field(expect, "value") == d,
        ("string", Value::String(s)) => field(expect, "value") == s,
        ("date", Value::Date(ms)) => field(expect, "value") == ms.to_string(),
        ("objectId", Value::ObjectId(id)) => {
            field(expect, "value") == id.iter().map(|b| format!("{b:02x}")).collect::<String>()
        }
        ("binary", Value::Binary { subtype, bytes }) => {
            use base64::Engine as _;
            field(expect, "subType") == format!("{subtype:02x}")
                && field(expect, "base64")
                    == base64::engine::general_purpose::STANDARD.encode(bytes)
        }
        ("regex", Value::Regex { pattern, options }) => {
            field(expect, "pattern") == pattern && field(expect, "options") == options
        }
        ("timestamp", Value::Timestamp { t, i }) => expect["t"] == *t && expect["i"] == *i,
        ("minKey", Value::MinKey) | ("maxKey", Value::MaxKey) => true,
        ("array", Value::Array(items)) => {
            let want = expect["items"].as_array().unwrap();
            if want.len() != items.len() {
                return mismatch();
            }
            for (i, (w, g)) in want.iter().zip(items).enumerate() {
                check(w, g, &format!("{path}[{i}]"))?;
            }
            true
        }
        ("document", Value::Document(doc)) => {
            let want = expect["entries"].as_array().unwrap();
            let want_keys: Vec<&str> = want.iter().map(|e| e[0].as_str().unwrap()).collect();
            let got_keys: Vec<&str> = doc.keys().map(String::as_str).collect();
            if want_keys != got_keys {
                return Err(format!(
                    "at {path}: expected keys {want_keys:?}, got {got_keys:?}"
                ));
            }
            for (entry, value) in want.iter().zip(doc.values()) {
                check(
                    &entry[1],
                    value,
                    &format!("{path}.{}", entry[0].as_str().unwrap()),
                )?;
            }
            true
        }
        _ => false,
    };
    if ok { Ok(()) } else { mismatch() }
}

#[test]
fn every_extended_json_vector_decodes_as_generated() {
    let vectors = vectors();
    assert!(
        vectors.len() > 100,
        "expected the full vector set, found {}",
        vectors.len()
    );
    let mut failures = Vec::new();
    for vector in &vectors {
        let name = field(vector, "name");
        let input = field(vector, "input");
        let result = ejson::decode_value(input);
        let outcome = match (&result, vector.get("expect")) {
            (Ok(got), Some(expect)) => check(expect, got, "$"),
            (Err(e), None) if e.kind() == ErrorKind::Decode => Ok(()),
            (Err(e), Some(_)) => Err(format!("failed: {e}")),
            (Ok(got), None) => Err(format!("expected an error, got {got:?}")),
            (Err(e), None) => Err(format!("expected a Decode error, got {:?}", e.kind())),
        };
        if let Err(why) = outcome {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn vectors_that_decode_also_survive_the_canonical_writer() {
    for vector in vectors() {
        let Ok(value) = ejson::decode_value(field(&vector, "input")) else {
            continue;
        };
        let text = ejson::to_canonical_value_string(&value);
        let again = ejson::decode_value(&text)
            .unwrap_or_else(|e| panic!("{}: {text}: {e}", vector["name"]));
        if let Some(expect) = vector.get("expect") {
            check(expect, &again, "$").unwrap_or_else(|e| panic!("{}: {e}", vector["name"]));
        }
    }
}
