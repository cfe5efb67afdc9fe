//! Values as JavaScript literals: the only way user data enters a statement.
//!
//! Every string is a JSON string literal with U+2028/U+2029 escaped too, every key is quoted,
//! numbers are exact, and the few values JavaScript has no literal for are spelled with the SDK's
//! constructors (`new Date(ms)`, `db.RegExp({..})`, `db.Geo.Point(..)`, `db.serverDate({..})`,
//! `db.ObjectId({..})`). Nothing a user passes can end a literal early, so nothing can change the
//! statement's shape; what cannot be written exactly is refused with a `Statement` error that
//! names its path.

use std::fmt::{self, Write as _};

use crate::{Document, Error, Result, Value};

/// Where a value sits in the caller's input, for error messages (`where.tags[2].$in`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    /// The top of one input (`where`, `pipeline`, `data`, ...).
    Root(&'a str),
    /// A key of a document.
    Key(&'a Path<'a>, &'a str),
    /// An element of an array.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The path of `key` inside this one.
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    /// The path of element `index` inside this one.
    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(name) => f.write_str(name),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// A `Statement` error about the value at `path`.
pub(crate) fn error_at(path: &Path<'_>, message: impl fmt::Display) -> Error {
    Error::statement(format!("{message} (at `{path}`)"))
}

/// How documents inside a value are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Record data and filter/update operands: GeoJSON shapes become `db.Geo.*`,
    /// `{"$serverDate": ..}` becomes `db.serverDate(..)`, ObjectIds `db.ObjectId(..)`.
    Data,
    /// Aggregate stage arguments, which the SDK sends through EJSON unchanged: documents stay
    /// documents, and values only the SDK's data serializer understands are refused.
    Raw,
}

/// Largest integer a JavaScript number holds exactly (2^53).
const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_992;
/// Largest date a JavaScript `Date` holds, in milliseconds either side of the epoch.
const MAX_DATE_MS: i64 = 8_640_000_000_000_000;

/// Appends `s` as a JavaScript string literal: JSON escaping plus U+2028/U+2029.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Converts a UTF-16 string (a JavaScript or Python string) for a statement, refusing a lone
/// surrogate instead of silently replacing it with U+FFFD.
///
/// Rust strings cannot hold lone surrogates, so the writer never sees one; front ends whose
/// strings can (Node, Python) convert through this to keep the "refused, not changed" rule.
///
/// ```
/// assert_eq!(wxcloud::statement::string_from_utf16(&[0x61, 0xD83D, 0xDE00]).ok().as_deref(), Some("a😀"));
/// let err = wxcloud::statement::string_from_utf16(&[0x61, 0xD800]).unwrap_err();
/// assert!(err.to_string().contains("lone surrogate"));
/// ```
pub fn string_from_utf16(units: &[u16]) -> Result<String> {
    let mut out = String::with_capacity(units.len());
    for (i, c) in char::decode_utf16(units.iter().copied()).enumerate() {
        match c {
            Ok(c) => out.push(c),
            Err(e) => {
                return Err(Error::statement(format!(
                    "a string contains the lone surrogate U+{:04X} (character {i}) and cannot be written in a statement",
                    e.unpaired_surrogate()
                )));
            }
        }
    }
    Ok(out)
}

/// Appends a document key as a quoted literal; refuses `__proto__`, which an object literal
/// would take as the object's prototype instead of a field.
pub(crate) fn write_key(out: &mut String, key: &str, path: &Path<'_>) -> Result<()> {
    if key == "__proto__" {
        return Err(error_at(
            path,
            "the field name `__proto__` cannot be written in a statement",
        ));
    }
    write_string(out, key);
    Ok(())
}

/// Appends an integer, refusing one a JavaScript number cannot hold exactly.
pub(crate) fn write_int(out: &mut String, n: i64, path: &Path<'_>) -> Result<()> {
    if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) {
        return Err(error_at(
            path,
            format_args!(
                "the integer {n} is outside ±2^53 and would lose precision as a JavaScript number"
            ),
        ));
    }
    let _ = write!(out, "{n}");
    Ok(())
}

/// Appends a double with a fraction or exponent (`1.0`, `0.5`, `1e300`), refusing NaN and
/// infinities. The SDK types numbers by value, so an integral double is sent as an integer.
pub(crate) fn write_double(out: &mut String, x: f64, path: &Path<'_>) -> Result<()> {
    if !x.is_finite() {
        return Err(error_at(
            path,
            format_args!("the number {x} is not finite and has no literal"),
        ));
    }
    // `{:?}` is Rust's shortest round-trip form and always has a `.` or an exponent.
    let _ = write!(out, "{x:?}");
    Ok(())
}

/// Appends a number value (Int32, Int64 or Double), if `value` is one.
pub(crate) fn write_number(out: &mut String, value: &Value, path: &Path<'_>) -> Result<bool> {
    match *value {
        Value::Int32(n) => write_int(out, n.into(), path)?,
        Value::Int64(n) => write_int(out, n, path)?,
        Value::Double(x) => write_double(out, x, path)?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// Appends `db.RegExp({"regexp": .., "options": ..})`.
pub(crate) fn write_regex(
    out: &mut String,
    pattern: &str,
    options: &str,
    path: &Path<'_>,
) -> Result<()> {
    if pattern.is_empty() {
        return Err(error_at(
            path,
            "an empty regular expression cannot be written (db.RegExp needs a pattern)",
        ));
    }
    if let Some(bad) = options.chars().find(|c| !"imsxlu".contains(*c)) {
        return Err(error_at(
            path,
            format_args!("unsupported regular expression option `{bad}`"),
        ));
    }
    out.push_str("db.RegExp({\"regexp\": ");
    write_string(out, pattern);
    out.push_str(", \"options\": ");
    write_string(out, options);
    out.push_str("})");
    Ok(())
}

/// Appends any value as a literal, in the given mode.
pub(crate) fn write_value(
    out: &mut String,
    value: &Value,
    mode: Mode,
    path: &Path<'_>,
) -> Result<()> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int32(_) | Value::Int64(_) | Value::Double(_) => {
            write_number(out, value, path)?;
        }
        Value::String(s) => write_string(out, s),
        Value::Date(ms) => {
            if !(-MAX_DATE_MS..=MAX_DATE_MS).contains(ms) {
                return Err(error_at(
                    path,
                    format_args!("the date {ms} ms is outside JavaScript's Date range"),
                ));
            }
            let _ = write!(out, "new Date({ms})");
        }
        Value::Regex { pattern, options } => write_regex(out, pattern, options, path)?,
        Value::ObjectId(bytes) if mode == Mode::Data => {
            out.push_str("db.ObjectId({\"id\": \"");
            out.push_str(&crate::ejson::object_id_hex(bytes));
            out.push_str("\"})");
        }
        Value::Array(items) => write_array(out, items, mode, path)?,
        Value::Document(doc) => write_document(out, doc, mode, path)?,
        Value::ObjectId(_) => return Err(unsupported(path, "ObjectId in an aggregate stage")),
        Value::Decimal128(_) => return Err(unsupported(path, "Decimal128")),
        Value::Binary { .. } => return Err(unsupported(path, "Binary")),
        Value::Timestamp { .. } => return Err(unsupported(path, "Timestamp")),
        Value::MinKey => return Err(unsupported(path, "MinKey")),
        Value::MaxKey => return Err(unsupported(path, "MaxKey")),
    }
    Ok(())
}

fn unsupported(path: &Path<'_>, what: &str) -> Error {
    error_at(
        path,
        format_args!("a {what} value has no spelling in the statement language"),
    )
}

/// Appends `<callee>(<arg>)`, for example `db.command.inc(1)` with callee `db.command.inc`.
pub(crate) fn write_call(
    out: &mut String,
    callee: &[&str],
    arg: impl FnOnce(&mut String) -> Result<()>,
) -> Result<()> {
    callee.iter().for_each(|part| out.push_str(part));
    out.push('(');
    arg(out)?;
    out.push(')');
    Ok(())
}

/// Appends `[v, ...]`.
pub(crate) fn write_array(
    out: &mut String,
    items: &[Value],
    mode: Mode,
    path: &Path<'_>,
) -> Result<()> {
    write_items(out, items, path, |out, item, path| {
        write_value(out, item, mode, path)
    })
}

/// Appends `[<each item written by `item`>, ...]`.
pub(crate) fn write_items(
    out: &mut String,
    items: &[Value],
    path: &Path<'_>,
    mut item: impl FnMut(&mut String, &Value, &Path<'_>) -> Result<()>,
) -> Result<()> {
    out.push('[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(out, v, &path.index(i))?;
    }
    out.push(']');
    Ok(())
}

/// Appends a document: a special form in [`Mode::Data`] when it is one exactly, else `{"k": v}`.
pub(crate) fn write_document(
    out: &mut String,
    doc: &Document,
    mode: Mode,
    path: &Path<'_>,
) -> Result<()> {
    if let Some((key, arg)) = single_entry(doc)
        && key == "$serverDate"
    {
        if mode == Mode::Raw {
            return Err(error_at(
                path,
                "db.serverDate() is not allowed in this aggregate stage",
            ));
        }
        return write_server_date(out, arg, path);
    }
    if mode == Mode::Data && super::geo::write_geo(out, doc)? {
        return Ok(());
    }
    write_plain_document(out, doc, path, |out, value, path| {
        write_value(out, value, mode, path)
    })
}

/// Appends `{"k": <each value written by `value`>, ...}`.
pub(crate) fn write_plain_document(
    out: &mut String,
    doc: &Document,
    path: &Path<'_>,
    value: impl FnMut(&mut String, &Value, &Path<'_>) -> Result<()>,
) -> Result<()> {
    write_entries(out, doc.iter().map(|(k, v)| (k.as_str(), v)), path, value)
}

/// Appends `{"k": <each value written by `value`>, ...}` for these entries.
pub(crate) fn write_entries<'v>(
    out: &mut String,
    entries: impl IntoIterator<Item = (&'v str, &'v Value)>,
    path: &Path<'_>,
    mut value: impl FnMut(&mut String, &Value, &Path<'_>) -> Result<()>,
) -> Result<()> {
    out.push('{');
    for (i, (key, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let child = path.key(key);
        write_key(out, key, &child)?;
        out.push_str(": ");
        value(out, v, &child)?;
    }
    out.push('}');
    Ok(())
}

/// The only entry of a one-entry document.
pub(crate) fn single_entry(doc: &Document) -> Option<(&str, &Value)> {
    if doc.len() == 1 {
        doc.get_index(0).map(|(k, v)| (k.as_str(), v))
    } else {
        None
    }
}

/// `{"$serverDate": {}}` → `db.serverDate()`, `{"$serverDate": {"offset": n}}` →
/// `db.serverDate({"offset": n})`.
fn write_server_date(out: &mut String, arg: &Value, path: &Path<'_>) -> Result<()> {
    let path = path.key("$serverDate");
    let Some(options) = arg.as_document() else {
        return Err(error_at(
            &path,
            "$serverDate takes a document like {\"offset\": <ms>}",
        ));
    };
    match single_entry(options) {
        None if options.is_empty() => out.push_str("db.serverDate()"),
        Some(("offset", n)) if n.as_f64().is_some() => {
            out.push_str("db.serverDate({\"offset\": ");
            write_number(out, n, &path.key("offset"))?;
            out.push_str("})");
        }
        _ => {
            return Err(error_at(
                &path,
                "$serverDate takes only a numeric \"offset\"",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(v: Value) -> Result<String> {
        let mut out = String::new();
        write_value(&mut out, &v, Mode::Data, &Path::Root("v"))?;
        Ok(out)
    }

    #[test]
    fn strings_escape_everything_that_could_end_them() {
        let s = "a\"b\\c\n\u{2028}\u{2029}\u{0}\u{1f}é😀";
        assert_eq!(
            lit(s.into()).unwrap(),
            r#""a\"b\\c\n\u2028\u2029\u0000\u001fé😀""#
        );
    }

    #[test]
    fn doubles_always_have_a_fraction_or_exponent() {
        assert_eq!(lit(1.0.into()).unwrap(), "1.0");
        assert_eq!(lit(0.1.into()).unwrap(), "0.1");
        assert_eq!(lit(1e300.into()).unwrap(), "1e300");
        assert_eq!(lit((-0.0).into()).unwrap(), "-0.0");
    }

    #[test]
    fn non_finite_and_imprecise_numbers_are_refused() {
        for v in [
            Value::Double(f64::NAN),
            Value::Double(f64::INFINITY),
            Value::Int64(1 << 60),
        ] {
            let err = lit(v).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Statement);
            assert!(err.to_string().contains("`v`"), "{err}");
        }
        assert_eq!(
            lit(Value::Int64(9_007_199_254_740_992)).unwrap(),
            "9007199254740992"
        );
    }

    #[test]
    fn special_values_use_the_sdk_constructors() {
        assert_eq!(
            lit(Value::Date(1_600_000_000_000)).unwrap(),
            "new Date(1600000000000)"
        );
        let re = Value::Regex {
            pattern: "^a/b".into(),
            options: "i".into(),
        };
        assert_eq!(
            lit(re).unwrap(),
            r#"db.RegExp({"regexp": "^a/b", "options": "i"})"#
        );
        let mut sd = Document::new();
        sd.insert(
            "$serverDate".into(),
            Value::Document(
                [("offset".to_string(), Value::Int32(5))]
                    .into_iter()
                    .collect(),
            ),
        );
        assert_eq!(lit(sd.into()).unwrap(), r#"db.serverDate({"offset": 5})"#);
        assert_eq!(
            lit(Value::ObjectId([0xab; 12])).unwrap(),
            r#"db.ObjectId({"id": "abababababababababababab"})"#
        );
    }

    #[test]
    fn unsupported_types_name_their_path() {
        let doc: Document = [("price".to_string(), Value::Decimal128("1.5".into()))]
            .into_iter()
            .collect();
        let err = lit(doc.into()).unwrap_err().to_string();
        assert!(
            err.contains("Decimal128") && err.contains("`v.price`"),
            "{err}"
        );
        let doc: Document = [("__proto__".to_string(), Value::Int32(1))]
            .into_iter()
            .collect();
        assert!(
            lit(doc.into())
                .unwrap_err()
                .to_string()
                .contains("__proto__")
        );
    }
}
