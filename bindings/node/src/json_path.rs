//! Many records at once through V8's own JSON parser.
//!
//! Building objects one Node-API call per property costs far more than V8's `JSON.parse`,
//! which builds them natively. So a batch of decoded records is written as one JSON text in
//! which every value JSON can carry exactly is written in place, and the few it cannot (a
//! `Date`, a `BigInt`, a `Buffer`, a `RegExp`, a non-finite double) are written as `null` and
//! remembered with their path; one `JSON.parse` call builds the objects, then each remembered
//! value is set at its path. Key order is kept (JSON.parse inserts keys in text order).

use std::io::Write;

use napi::Result;
use wxcloud::{Document, Value};

use crate::raw::{Js, JsValue};
use crate::values::{MAX_DATE_MS, MAX_SAFE_INTEGER, ToJs, hex};

/// Text buffers up to this size are kept for the next batch.
const MAX_KEPT_TEXT: usize = 16 << 20;

thread_local! {
    /// The JSON text buffer, reused across batches on the JavaScript thread.
    static TEXT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// One step of a path from the batch's root array to a value.
enum Step<'a> {
    Index(u32),
    Key(&'a str),
}

/// A value JSON cannot carry, and where it goes.
struct Patch<'a> {
    path: Vec<Step<'a>>,
    value: &'a Value,
}

/// Writes the batch as JSON and collects the patches.
struct Writer<'a> {
    out: Vec<u8>,
    path: Vec<Step<'a>>,
    patches: Vec<Patch<'a>>,
}

impl<'a> Writer<'a> {
    fn string(&mut self, s: &str) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.out, s);
    }

    fn patch(&mut self, value: &'a Value) {
        self.out.extend_from_slice(b"null");
        let path = self
            .path
            .iter()
            .map(|s| match s {
                Step::Index(i) => Step::Index(*i),
                Step::Key(k) => Step::Key(k),
            })
            .collect();
        self.patches.push(Patch { path, value });
    }

    fn document(&mut self, doc: &'a Document) {
        self.out.push(b'{');
        for (i, (key, value)) in doc.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.string(key);
            self.out.push(b':');
            self.path.push(Step::Key(key));
            self.value(value);
            self.path.pop();
        }
        self.out.push(b'}');
    }

    fn value(&mut self, value: &'a Value) {
        match value {
            Value::Null => self.out.extend_from_slice(b"null"),
            Value::Bool(true) => self.out.extend_from_slice(b"true"),
            Value::Bool(false) => self.out.extend_from_slice(b"false"),
            Value::Int32(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::Int64(n) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::Double(n) if n.is_finite() => {
                let _ = serde_json::to_writer(&mut self.out, n);
            }
            Value::Decimal128(s) | Value::String(s) => self.string(s),
            Value::Date(ms) if !(-MAX_DATE_MS..=MAX_DATE_MS).contains(ms) => {
                let _ = write!(self.out, r#"{{"$date":{{"$numberLong":"{ms}"}}}}"#);
            }
            Value::Timestamp { t, i } => {
                let _ = write!(self.out, r#"{{"$timestamp":{{"t":{t},"i":{i}}}}}"#);
            }
            Value::MinKey => self.out.extend_from_slice(br#"{"$minKey":1}"#),
            Value::MaxKey => self.out.extend_from_slice(br#"{"$maxKey":1}"#),
            Value::ObjectId(bytes) => self.string(&hex(bytes)),
            Value::Int64(_) | Value::Double(_) | Value::Date(_) => self.patch(value),
            Value::Binary { .. } | Value::Regex { .. } => self.patch(value),
            Value::Array(items) => {
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.path.push(Step::Index(i as u32));
                    self.value(item);
                    self.path.pop();
                }
                self.out.push(b']');
            }
            Value::Document(doc) => self.document(doc),
        }
    }
}

/// Values as one JavaScript array, built by `JSON.parse` and patched.
pub(crate) fn to_array<'a, I>(js: Js, values: I, len: usize) -> Result<JsValue>
where
    I: IntoIterator<Item = ToWrite<'a>>,
{
    let mut w = Writer {
        out: Vec::with_capacity(len * 256 + 2),
        path: Vec::new(),
        patches: Vec::new(),
    };
    w.out.push(b'[');
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            w.out.push(b',');
        }
        w.path.push(Step::Index(i as u32));
        match v {
            ToWrite::Document(d) => w.document(d),
            ToWrite::Value(v) => w.value(v),
        }
        w.path.pop();
    }
    w.out.push(b']');
    // The writer emits UTF-8: keys and strings come from Rust strings, the rest is ASCII.
    let text = std::str::from_utf8(&w.out).map_err(|_| napi::Error::from_reason("invalid UTF-8 in JSON text"))?;
    let json = js.get_named(js.global()?, "JSON")?;
    let parse = js.get_named(json, "parse")?;
    let text = js.string(text);
    // Keep the buffer for the next batch unless it grew unusually large.
    if w.out.capacity() <= MAX_KEPT_TEXT {
        let out = std::mem::take(&mut w.out);
        TEXT.with(|t| *t.borrow_mut() = out);
    }
    let root = js.call(json, parse, &[text?])?;
    let mut out = ToJs::new(js);
    for patch in &w.patches {
        let (last, parents) = match patch.path.split_last() {
            Some(split) => split,
            None => continue,
        };
        let mut target = root;
        for step in parents {
            target = match step {
                Step::Index(i) => js.element(target, *i)?,
                Step::Key(k) => js.get_named(target, k)?,
            };
        }
        let value = out.value(patch.value)?;
        match last {
            Step::Index(i) => js.set_element(target, *i, value)?,
            Step::Key(k) => js.set_named(target, k, value)?,
        }
    }
    Ok(root)
}

/// One item of a batch.
pub(crate) enum ToWrite<'a> {
    /// A record.
    Document(&'a Document),
    /// Any value.
    Value(&'a Value),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(value: &Value) -> (String, Vec<String>) {
        let mut w = Writer {
            out: Vec::new(),
            path: Vec::new(),
            patches: Vec::new(),
        };
        w.value(value);
        let paths = w
            .patches
            .iter()
            .map(|p| {
                p.path
                    .iter()
                    .map(|s| match s {
                        Step::Index(i) => format!("[{i}]"),
                        Step::Key(k) => format!(".{k}"),
                    })
                    .collect::<String>()
            })
            .collect();
        (String::from_utf8(w.out).unwrap(), paths)
    }

    fn doc(entries: Vec<(&str, Value)>) -> Value {
        Value::Document(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    #[test]
    fn json_values_are_written_in_place_keeping_key_order() {
        let v = doc(vec![
            ("z", Value::Int32(1)),
            ("a", Value::Double(113.0)),
            ("s", Value::String("q\"\u{2028}".into())),
            ("n", Value::Int64(9_007_199_254_740_991)),
            ("o", Value::ObjectId([0xab; 12])),
            ("d", Value::Decimal128("1.10".into())),
        ]);
        let (text, patches) = write(&v);
        assert_eq!(
            text,
            "{\"z\":1,\"a\":113.0,\"s\":\"q\\\"\u{2028}\",\"n\":9007199254740991,\"o\":\"abababababababababababab\",\"d\":\"1.10\"}"
        );
        assert!(patches.is_empty());
    }

    #[test]
    fn values_json_cannot_carry_are_null_with_their_path() {
        let v = doc(vec![
            ("at", Value::Date(5)),
            ("big", Value::Int64(9_007_199_254_740_993)),
            (
                "list",
                Value::Array(vec![
                    Value::Double(f64::NAN),
                    Value::Regex {
                        pattern: "a".into(),
                        options: "i".into(),
                    },
                ]),
            ),
            (
                "bin",
                Value::Binary {
                    subtype: 0,
                    bytes: vec![1],
                },
            ),
        ]);
        let (text, patches) = write(&v);
        assert_eq!(text, "{\"at\":null,\"big\":null,\"list\":[null,null],\"bin\":null}");
        assert_eq!(patches, [".at", ".big", ".list[0]", ".list[1]", ".bin"]);
    }

    #[test]
    fn dates_beyond_the_js_range_and_special_types_become_wrappers() {
        let v = Value::Array(vec![
            Value::Date(i64::MAX),
            Value::Timestamp { t: 1, i: 2 },
            Value::MinKey,
            Value::MaxKey,
        ]);
        let (text, patches) = write(&v);
        assert_eq!(
            text,
            "[{\"$date\":{\"$numberLong\":\"9223372036854775807\"}},{\"$timestamp\":{\"t\":1,\"i\":2}},{\"$minKey\":1},{\"$maxKey\":1}]"
        );
        assert!(patches.is_empty());
    }
}
