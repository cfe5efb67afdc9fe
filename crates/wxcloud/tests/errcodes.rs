//! The errcode table and its shared vector `tests/vectors/errcodes.json` (read by the Python
//! and Node suites too) agree, and the table says what the API reference says.
//!
//! Regenerate the vector after changing the table with
//! `WXCLOUD_WRITE_VECTORS=1 cargo test -p wxcloud --test errcodes`.

use std::path::PathBuf;

use serde_json::{Value as Json, json};
use wxcloud::errcode::{Endpoint, TABLE, kind_of};
use wxcloud::{Error, ErrorKind};

/// Codes whose meaning on a token endpoint the vector pins, beside the database table.
const TOKEN_ENDPOINT_CODES: &[i64] = &[40001, 40125, 40013, 40164, 61024, -1, 45009, 45011];
/// A code in no table: a plain API error.
const UNKNOWN: i64 = 987654;

fn vector_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/errcodes.json")
}

fn from_table() -> Json {
    let mut rows: Vec<Json> = TABLE
        .iter()
        .map(|(code, _, _)| json!({"errcode": code, "kind": kind_of(*code, Endpoint::Database).name()}))
        .collect();
    rows.push(json!({"errcode": UNKNOWN, "kind": kind_of(UNKNOWN, Endpoint::Database).name()}));
    for code in TOKEN_ENDPOINT_CODES {
        rows.push(json!({"errcode": code, "kind": kind_of(*code, Endpoint::Token).name(), "endpoint": "token"}));
    }
    Json::Array(rows)
}

#[test]
fn the_shared_vector_matches_the_table() {
    let expected = from_table();
    let path = vector_path();
    if std::env::var_os("WXCLOUD_WRITE_VECTORS").is_some() {
        let mut text = String::from("[\n");
        let rows = expected.as_array().unwrap();
        for (i, row) in rows.iter().enumerate() {
            text.push_str("  ");
            text.push_str(&row.to_string());
            text.push_str(if i + 1 < rows.len() { ",\n" } else { "\n" });
        }
        text.push_str("]\n");
        std::fs::write(&path, text).unwrap();
    }
    let text = std::fs::read_to_string(&path).expect("tests/vectors/errcodes.json");
    let actual: Json = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(actual, expected, "regenerate with WXCLOUD_WRITE_VECTORS=1");
}

#[test]
fn every_vector_row_becomes_an_error_of_its_kind() {
    let text = std::fs::read_to_string(vector_path()).unwrap();
    let rows: Vec<Json> = serde_json::from_str(&text).unwrap();
    for row in rows {
        let code = row["errcode"].as_i64().unwrap();
        let kind = ErrorKind::from_name(row["kind"].as_str().unwrap()).expect("known kind");
        let err = match row.get("endpoint").and_then(Json::as_str) {
            Some("token") => Error::from_token_errcode("/cgi-bin/stable_token", code, "m"),
            _ => Error::from_errcode(code, "m"),
        };
        assert_eq!(err.kind(), kind, "errcode {code}");
        assert_eq!(err.errcode(), Some(code));
        assert!(kind.is_api());
    }
}

/// The API reference's §6, one or more codes per class, written out by hand.
#[test]
fn the_table_follows_the_api_reference() {
    use ErrorKind::*;
    let db = |code| kind_of(code, Endpoint::Database);
    for code in [40001, 40014, 42001, 41001] {
        assert_eq!(db(code), Token, "{code}");
    }
    for code in [
        -1, -1000, -501001, -501002, -501004, -502011, -601001, -601003,
    ] {
        assert_eq!(db(code), Transient, "{code}");
    }
    for code in [45009, 45011, -501003, -501015, -501016] {
        assert_eq!(db(code), RateLimit, "{code}");
    }
    for code in [
        40097, 40101, 43002, 44002, 47001, -501000, -501007, -501020, -501021, -502002, 40002,
    ] {
        assert_eq!(db(code), InvalidRequest, "{code}");
    }
    for code in [
        40013, 40125, 40164, 40243, 48001, 50001, 61004, 61024, 85088, -502003, -501019, 89501,
        89503, 89506, 89507,
    ] {
        assert_eq!(db(code), AccessDenied, "{code}");
    }
    for code in [-502005, -501009] {
        assert_eq!(db(code), NotFound, "{code}");
    }
    for code in [
        -502001, -502010, -502012, -502013, -502014, -502015, -501005, -501017, -501018, UNKNOWN,
    ] {
        assert_eq!(db(code), Api, "{code}");
    }
    // On the token endpoints a refusal is about credentials or setup, never a stale token.
    assert_eq!(kind_of(40001, Endpoint::Token), Token);
    assert_eq!(kind_of(40164, Endpoint::Token), Token);
    assert_eq!(kind_of(-1, Endpoint::Token), Transient);
}
