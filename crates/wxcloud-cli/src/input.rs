//! Reading what users type: statements versus collection names, JSON arguments (inline,
//! `@file` or `@-` for stdin, Extended JSON accepted), sort keys and field lists.

use std::io::Read;
use std::path::Path;

use wxcloud::statement::Direction;
use wxcloud::{Document, Value, ejson};

use crate::failure::Failure;

/// Whether the positional argument is a statement rather than a collection name.
///
/// A statement starts (after leading whitespace) with `db.` or with a `const` declaration;
/// anything else is taken as a collection name. Collection names cannot contain `.`-prefixed
/// `db` chains in practice, so the rule never misreads a real collection.
pub fn is_statement(target: &str) -> bool {
    let t = target.trim_start();
    t.starts_with("db.")
        || t.strip_prefix("const")
            .is_some_and(|rest| rest.starts_with(char::is_whitespace))
}

/// The text of a JSON argument: inline, `@path` read from a file, or `@-` read from stdin.
pub fn argument_text(arg: &str) -> Result<String, Failure> {
    match arg.strip_prefix('@') {
        Some("-") => read_stdin(),
        Some(path) => read_file(Path::new(path)),
        None => Ok(arg.to_owned()),
    }
}

/// Reads all of stdin as UTF-8.
pub fn read_stdin() -> Result<String, Failure> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
    Ok(s)
}

/// Reads a file (`-` for stdin) as UTF-8, as a usage error if it cannot be read.
pub fn read_file(path: &Path) -> Result<String, Failure> {
    if path == Path::new("-") {
        return read_stdin();
    }
    std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

/// Parses a JSON argument (see [`argument_text`]) that must be one document, e.g. `--where`.
pub fn document(flag: &str, arg: &str) -> Result<Document, Failure> {
    match value(flag, &argument_text(arg)?)? {
        Value::Document(d) => Ok(d),
        _ => Err(Failure::usage(format!("{flag} must be a JSON object"))),
    }
}

/// Parses `--pipeline`: a JSON array of stage documents (or a single stage document).
pub fn pipeline(arg: &str) -> Result<Vec<Document>, Failure> {
    match value("--pipeline", &argument_text(arg)?)? {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Document(d) => Ok(d),
                _ => Err(Failure::usage(
                    "--pipeline must be an array of stage objects",
                )),
            })
            .collect(),
        Value::Document(d) => Ok(vec![d]),
        _ => Err(Failure::usage("--pipeline must be a JSON array of stages")),
    }
}

/// Parses `--data` for `add`: one document, an array of documents, or JSON lines.
pub fn documents(arg: &str) -> Result<Vec<Document>, Failure> {
    let text = argument_text(arg)?;
    match ejson::decode_value(&text) {
        Ok(Value::Document(d)) => Ok(vec![d]),
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::Document(d) => Ok(d),
                _ => Err(Failure::usage("--data must hold JSON objects")),
            })
            .collect(),
        Ok(_) => Err(Failure::usage(
            "--data must be a JSON object, an array or JSON lines",
        )),
        // Not one JSON value but several lines: JSON lines, one document each.
        Err(_) if text.trim().lines().nth(1).is_some() => json_lines(&text),
        Err(e) => Err(Failure::usage(format!("--data is not valid JSON: {e}"))),
    }
}

/// Parses JSON-lines text: one document per non-blank line.
pub fn json_lines(text: &str) -> Result<Vec<Document>, Failure> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| line_document(i + 1, l))
        .collect()
}

/// Parses one line of a JSON-lines file as a document; errors name the line number.
pub fn line_document(line_no: usize, line: &str) -> Result<Document, Failure> {
    ejson::decode_document(line)
        .map_err(|e| Failure::usage(format!("line {line_no}: not a JSON document: {e}")))
}

/// Parses `--order-by` items: `field`, `field:asc`, `field:desc` (also `1`/`-1`).
pub fn order_by(items: &[String]) -> Result<Vec<(String, Direction)>, Failure> {
    items
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|item| {
            let (field, dir) = match item.rsplit_once(':') {
                Some((f, d)) => (f, d),
                None => (item.as_str(), "asc"),
            };
            let dir = dir.parse::<Direction>().map_err(|_| {
                Failure::usage(format!(
                    "--order-by {item:?}: direction must be asc or desc, not {:?}",
                    dir.trim()
                ))
            })?;
            if field.trim().is_empty() {
                return Err(Failure::usage(format!(
                    "--order-by {item:?}: no field name"
                )));
            }
            Ok((field.trim().to_owned(), dir))
        })
        .collect()
}

/// Parses `--fields`: `a,b` (each included) or a projection document.
pub fn fields(arg: &str) -> Result<Document, Failure> {
    let trimmed = arg.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('@') {
        return document("--fields", arg);
    }
    let doc: Document = arg
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| (f.to_owned(), Value::Bool(true)))
        .collect();
    if doc.is_empty() {
        return Err(Failure::usage("--fields needs at least one field name"));
    }
    Ok(doc)
}

fn value(flag: &str, text: &str) -> Result<Value, Failure> {
    ejson::decode_value(text).map_err(|e| Failure::usage(format!("{flag} is not valid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_start_with_db_or_const() {
        assert!(is_statement("db.collection(\"c\").get()"));
        assert!(is_statement(
            "  const _ = db.command; db.collection(\"c\").get()"
        ));
        assert!(is_statement("const\n_ = 1"));
        assert!(!is_statement("test_collection"));
        assert!(!is_statement("constants"));
        assert!(!is_statement("dbx"));
    }

    #[test]
    fn order_by_reads_directions() {
        let got = order_by(&["a".into(), "b:desc".into(), "c:-1".into(), "d:ASC".into()]).unwrap();
        assert_eq!(
            got,
            vec![
                ("a".into(), Direction::Asc),
                ("b".into(), Direction::Desc),
                ("c".into(), Direction::Desc),
                ("d".into(), Direction::Asc),
            ]
        );
        assert_eq!(order_by(&["a:sideways".into()]).unwrap_err().exit_code(), 2);
        assert_eq!(order_by(&[":asc".into()]).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn field_lists_become_inclusion_projections() {
        let got = fields("a, b").unwrap();
        assert_eq!(got.get("a"), Some(&Value::Bool(true)));
        assert_eq!(got.len(), 2);
        assert_eq!(fields(" , ").unwrap_err().exit_code(), 2);
    }

    #[test]
    fn json_arguments_accept_extended_json_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, r#"{"due": {"$date": {"$numberLong": "0"}}}"#).unwrap();
        let doc = document("--where", &format!("@{}", path.display())).unwrap();
        assert_eq!(doc.get("due"), Some(&Value::Date(0)));
        assert_eq!(document("--where", "[1]").unwrap_err().exit_code(), 2);
        assert_eq!(document("--where", "{nope").unwrap_err().exit_code(), 2);
        assert_eq!(
            document("--where", "@/no/such/file")
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn data_may_be_one_document_an_array_or_json_lines() {
        assert_eq!(documents(r#"{"a":1}"#).unwrap().len(), 1);
        assert_eq!(documents(r#"[{"a":1},{"a":2}]"#).unwrap().len(), 2);
        assert_eq!(
            documents("{\"a\":1}\n{\"a\":2}\n\n{\"a\":3}\n")
                .unwrap()
                .len(),
            3
        );
        let err = documents("{\"a\":1}\n{oops}\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn pipelines_are_arrays_of_stages() {
        let p = pipeline(r#"[{"$match":{"a":1}},{"$limit":2}]"#).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(pipeline("[1]").unwrap_err().exit_code(), 2);
    }
}
