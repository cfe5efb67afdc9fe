//! Dot paths (`a.b.0.c`) through documents and arrays, in the three ways MongoDB reads them:
//! filters fan out through arrays, aggregation expressions map over arrays, and updates address
//! one exact location (numeric parts index arrays).

use wxcloud::{Document, Value};

use super::EngineError;

/// Splits a dotted path into its parts.
pub fn split(path: &str) -> Vec<String> {
    path.split('.').map(str::to_owned).collect()
}

/// Reads a path part as an array index (digits only, as MongoDB does).
pub fn as_index(part: &str) -> Option<usize> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Every value a filter sees at `parts`: arrays on the way are searched element by element
/// (documents inside them are followed; a numeric part indexes the array). `None` is a document
/// that lacks the next field; a scalar, null or empty array on the way contributes nothing
/// (as mongomock does; MongoDB does not document these corners).
pub fn filter_candidates<'a>(
    doc: &'a Document,
    parts: &[String],
    out: &mut Vec<Option<&'a Value>>,
) {
    match doc.get(&parts[0]) {
        Some(v) => walk(v, &parts[1..], out),
        None => out.push(None),
    }
}

fn walk<'a>(v: &'a Value, parts: &[String], out: &mut Vec<Option<&'a Value>>) {
    let Some(first) = parts.first() else {
        out.push(Some(v));
        return;
    };
    match v {
        Value::Document(d) => match d.get(first) {
            Some(x) => walk(x, &parts[1..], out),
            None => out.push(None),
        },
        Value::Array(items) => {
            if let Some(x) = as_index(first).and_then(|i| items.get(i)) {
                walk(x, &parts[1..], out);
                return;
            }
            for item in items {
                if let Value::Document(d) = item {
                    match d.get(first) {
                        Some(x) => walk(x, &parts[1..], out),
                        None => out.push(None),
                    }
                }
            }
        }
        _ => {}
    }
}

/// The value an aggregation expression `$a.b` reads: arrays on the way are mapped element by
/// element (non-document elements dropped), numeric parts are field names. `None` is missing.
pub fn expr_get(doc: &Document, parts: &[String]) -> Option<Value> {
    let v = doc.get(&parts[0])?;
    expr_walk(v, &parts[1..])
}

/// Like [`expr_get`], starting from any value.
pub fn expr_walk(v: &Value, parts: &[String]) -> Option<Value> {
    let Some(first) = parts.first() else {
        return Some(v.clone());
    };
    match v {
        Value::Document(d) => expr_walk(d.get(first)?, &parts[1..]),
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter(|e| matches!(e, Value::Document(_) | Value::Array(_)))
                .filter_map(|e| expr_walk(e, parts))
                .collect(),
        )),
        _ => None,
    }
}

/// The one value at an exact path (numeric parts index arrays), if present.
pub fn get<'a>(doc: &'a Document, parts: &[String]) -> Option<&'a Value> {
    let mut cur = doc.get(&parts[0])?;
    for p in &parts[1..] {
        cur = match cur {
            Value::Document(d) => d.get(p)?,
            Value::Array(a) => a.get(as_index(p)?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// A mutable reference to the value at an exact path, if present.
pub fn get_mut<'a>(doc: &'a mut Document, parts: &[String]) -> Option<&'a mut Value> {
    let mut cur = doc.get_mut(&parts[0])?;
    for p in &parts[1..] {
        cur = match cur {
            Value::Document(d) => d.get_mut(p)?,
            Value::Array(a) => a.get_mut(as_index(p)?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// The slot at an exact path, creating missing documents on the way (arrays are padded with
/// nulls up to a numeric part). Fails when a scalar is in the way.
pub fn slot<'a>(doc: &'a mut Document, parts: &[String]) -> Result<&'a mut Value, EngineError> {
    let (first, rest) = parts
        .split_first()
        .ok_or_else(|| EngineError("empty field path".into()))?;
    if first.is_empty() {
        return Err(EngineError(format!(
            "the update path '{}' contains an empty field name, which is not allowed",
            parts.join(".")
        )));
    }
    let created = !doc.contains_key(first);
    let mut cur: &mut Value = doc.entry(first.clone()).or_insert(Value::Null);
    if created && !rest.is_empty() {
        *cur = Value::Document(Document::new());
    }
    for (n, p) in rest.iter().enumerate() {
        let last = n + 1 == rest.len();
        cur = match cur {
            Value::Document(d) => {
                let created = !d.contains_key(p);
                let v = d.entry(p.clone()).or_insert(Value::Null);
                if created && !last {
                    *v = Value::Document(Document::new());
                }
                v
            }
            Value::Array(a) => {
                let i = as_index(p).ok_or_else(|| {
                    EngineError(format!(
                        "Cannot create field '{p}' in element {{{}: [..]}}",
                        parts[..=n].join(".")
                    ))
                })?;
                while a.len() <= i {
                    a.push(Value::Null);
                }
                let v = &mut a[i];
                if !last && matches!(v, Value::Null) {
                    *v = Value::Document(Document::new());
                }
                v
            }
            other => {
                return Err(EngineError(format!(
                    "Cannot create field '{p}' in element {{{}: {}}}",
                    parts[n],
                    short(other)
                )));
            }
        };
    }
    Ok(cur)
}

/// Removes the value at an exact path; an array element becomes null (as `$unset` does).
pub fn remove(doc: &mut Document, parts: &[String]) -> Option<Value> {
    let (last, init) = parts.split_last()?;
    if init.is_empty() {
        return doc.shift_remove(last);
    }
    match get_mut(doc, init)? {
        Value::Document(d) => d.shift_remove(last),
        Value::Array(a) => {
            let slot = a.get_mut(as_index(last)?)?;
            Some(std::mem::replace(slot, Value::Null))
        }
        _ => None,
    }
}

/// A short rendering of a value for error messages.
pub fn short(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int32(n) => n.to_string(),
        Value::Int64(n) => n.to_string(),
        Value::Double(f) => f.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "[..]".into(),
        Value::Document(_) => "{..}".into(),
        _ => "..".into(),
    }
}
