//! Update operators of the emulator's engine, against MongoDB's documented results.

use wxcloud::{Document, ejson};
use wxcloud_emulator::engine::apply_update;

fn doc(text: &str) -> Document {
    ejson::decode_document(text).expect("test document is valid Extended JSON")
}

/// Applies `update` to `before` and asserts the result (key order included) and the change flag.
fn check(before: &str, update: &str, after: &str) {
    let mut d = doc(before);
    let changed = apply_update(&mut d, &doc(update)).unwrap_or_else(|e| panic!("{update}: {e}"));
    assert_eq!(d, doc(after), "{update} on {before}");
    assert_eq!(
        changed,
        doc(before) != doc(after),
        "changed flag of {update}"
    );
}

#[test]
fn set_unset_and_nested_paths() {
    check(
        r#"{"_id": 1}"#,
        r#"{"$set": {"a.b.c": 1}}"#,
        r#"{"_id": 1, "a": {"b": {"c": 1}}}"#,
    );
    check(
        r#"{"_id": 1, "a": [1, 2]}"#,
        r#"{"$set": {"a.3": 9}}"#,
        r#"{"_id": 1, "a": [1, 2, null, 9]}"#,
    );
    check(
        r#"{"_id": 1, "a": [1, 2]}"#,
        r#"{"$unset": {"a.0": ""}}"#,
        r#"{"_id": 1, "a": [null, 2]}"#,
    );
    check(
        r#"{"_id": 1, "a": {"b": 1, "c": 2}}"#,
        r#"{"$unset": {"a.b": 1, "x": 1}}"#,
        r#"{"_id": 1, "a": {"c": 2}}"#,
    );
    check(
        r#"{"_id": 1, "a": 1}"#,
        r#"{"$set": {"a": 1}}"#,
        r#"{"_id": 1, "a": 1}"#,
    );
    // Fields are processed in lexicographic order (MongoDB 5.0+).
    check(
        r#"{"_id": 1}"#,
        r#"{"$set": {"b": 1, "a": 2}}"#,
        r#"{"_id": 1, "a": 2, "b": 1}"#,
    );
}

#[test]
fn arithmetic_keeps_integer_widths() {
    check(
        r#"{"n": 1}"#,
        r#"{"$inc": {"n": 2, "m": 5}}"#,
        r#"{"n": 3, "m": 5}"#,
    );
    check(
        r#"{"n": 2147483647}"#,
        r#"{"$inc": {"n": 1}}"#,
        r#"{"n": {"$numberLong": "2147483648"}}"#,
    );
    check(r#"{"n": 2}"#, r#"{"$inc": {"n": 0.5}}"#, r#"{"n": 2.5}"#);
    check(
        r#"{"n": 3}"#,
        r#"{"$mul": {"n": 4, "m": 2.5}}"#,
        r#"{"n": 12, "m": 0.0}"#,
    );
    check(
        r#"{"n": 3}"#,
        r#"{"$min": {"n": 1}, "$max": {"m": "x"}}"#,
        r#"{"n": 1, "m": "x"}"#,
    );
    check(r#"{"n": 3}"#, r#"{"$max": {"n": 1}}"#, r#"{"n": 3}"#);
}

#[test]
fn rename_moves_a_field() {
    check(
        r#"{"a": 1, "b": {"c": 2}}"#,
        r#"{"$rename": {"a": "b.d"}}"#,
        r#"{"b": {"c": 2, "d": 1}}"#,
    );
    check(r#"{"b": 1}"#, r#"{"$rename": {"a": "z"}}"#, r#"{"b": 1}"#);
}

#[test]
fn array_operators() {
    check(
        r#"{"a": [1]}"#,
        r#"{"$push": {"a": 2}}"#,
        r#"{"a": [1, 2]}"#,
    );
    check(r#"{}"#, r#"{"$push": {"a": [1]}}"#, r#"{"a": [[1]]}"#);
    check(
        r#"{"a": [5, 1]}"#,
        r#"{"$push": {"a": {"$each": [4, 2], "$position": 0, "$sort": -1, "$slice": 3}}}"#,
        r#"{"a": [5, 4, 2]}"#,
    );
    check(
        r#"{"a": [{"s": 3}, {"s": 1}]}"#,
        r#"{"$push": {"a": {"$each": [{"s": 2}], "$sort": {"s": 1}, "$slice": -2}}}"#,
        r#"{"a": [{"s": 2}, {"s": 3}]}"#,
    );
    // CloudBase unshift = $push with $position 0; shift = $pop -1.
    check(
        r#"{"a": [2]}"#,
        r#"{"$push": {"a": {"$each": [0, 1], "$position": 0}}}"#,
        r#"{"a": [0, 1, 2]}"#,
    );
    check(
        r#"{"a": [1, 2, 3]}"#,
        r#"{"$pop": {"a": -1}}"#,
        r#"{"a": [2, 3]}"#,
    );
    check(
        r#"{"a": [1, 2, 3]}"#,
        r#"{"$pop": {"a": 1}}"#,
        r#"{"a": [1, 2]}"#,
    );
    check(
        r#"{"a": [1, 2]}"#,
        r#"{"$addToSet": {"a": {"$each": [2, 3, 3]}}}"#,
        r#"{"a": [1, 2, 3]}"#,
    );
    check(
        r#"{"a": [1, 2]}"#,
        r#"{"$addToSet": {"a": 1.0}}"#,
        r#"{"a": [1, 2]}"#,
    );
    check(
        r#"{"a": [1, 5, 8, 2]}"#,
        r#"{"$pull": {"a": {"$gte": 5}}}"#,
        r#"{"a": [1, 2]}"#,
    );
    check(
        r#"{"a": [{"x": 1, "y": 2}, {"x": 2}]}"#,
        r#"{"$pull": {"a": {"x": 1}}}"#,
        r#"{"a": [{"x": 2}]}"#,
    );
    check(
        r#"{"a": [1, 2, 1, 3]}"#,
        r#"{"$pullAll": {"a": [1, 3]}}"#,
        r#"{"a": [2]}"#,
    );
}

#[test]
fn replacement_keeps_the_id() {
    check(
        r#"{"_id": "x", "a": 1}"#,
        r#"{"b": 2}"#,
        r#"{"_id": "x", "b": 2}"#,
    );
}

#[test]
fn invalid_updates_are_errors_and_leave_the_document_alone() {
    let cases = [
        (r#"{"a": "s"}"#, r#"{"$inc": {"a": 1}}"#, "non-numeric"),
        (r#"{"a": 1}"#, r#"{"$push": {"a": 1}}"#, "must be an array"),
        (
            r#"{"a": 1}"#,
            r#"{"$set": {"a.b": 1}}"#,
            "Cannot create field",
        ),
        (
            r#"{"a": 1}"#,
            r#"{"$set": {"a": 1}, "$inc": {"a": 1}}"#,
            "conflict",
        ),
        (
            r#"{"a": {"b": 1}}"#,
            r#"{"$set": {"a": 1}, "$unset": {"a.b": 1}}"#,
            "conflict",
        ),
        (r#"{"_id": 1}"#, r#"{"$set": {"_id": 2}}"#, "_id"),
        (r#"{"a": 1}"#, r#"{"$foo": {"a": 1}}"#, "$foo"),
        (
            r#"{"a": 1}"#,
            r#"{"$inc": {"a": "x"}}"#,
            "non-numeric argument",
        ),
    ];
    for (before, update, needle) in cases {
        let mut d = doc(before);
        let err = apply_update(&mut d, &doc(update)).expect_err(update);
        assert!(err.0.contains(needle), "{update}: {err}");
        assert_eq!(d, doc(before));
    }
}
