//! Update documents (`{$set: ..., $inc: ...}`) and whole-document replacement. Fields are
//! processed in lexicographic path order (MongoDB 5.0+), two operators may not touch the same
//! path or one inside the other, and `_id` cannot change.

use std::cmp::Ordering;

use wxcloud::{Document, Value};

use super::EngineError;
use super::expr::arith::N;
use super::expr::{Vars, type_name};
use super::filter::{Filter, value_condition};
use super::order::{compare, values_equal};
use super::path;
use super::sort::SortKeys;

/// Applies an update document, or replaces the document (keeping `_id`) when `update` holds no
/// operators. Returns whether the document changed. On error the document is left unchanged.
pub fn apply(doc: &mut Document, update: &Document, now_ms: i64) -> Result<bool, EngineError> {
    if update.is_empty() {
        return Ok(false);
    }
    let ops = update.keys().filter(|k| k.starts_with('$')).count();
    if ops == 0 {
        return replace(doc, update);
    }
    if ops != update.len() {
        let k = update
            .keys()
            .find(|k| !k.starts_with('$'))
            .cloned()
            .unwrap_or_default();
        return Err(EngineError(format!(
            "Unknown modifier: {k}. Expected a valid update modifier or pipeline-style update"
        )));
    }
    let mut edits: Vec<(Vec<String>, &str, &Value)> = Vec::new();
    for (op, arg) in update {
        let fields = arg.as_document().ok_or_else(|| {
            EngineError(format!(
                "Modifiers operate on fields but we found type {} instead",
                type_name(arg)
            ))
        })?;
        for (field, v) in fields {
            edits.push((checked_path(field)?, op.as_str(), v));
        }
    }
    check_conflicts(&edits)?;
    edits.sort_by(|a, b| path_order(&a.0, &b.0));
    let mut work = doc.clone();
    for (p, op, v) in &edits {
        one(&mut work, p, op, v, now_ms)?;
    }
    if work.get("_id") != doc.get("_id") && doc.contains_key("_id") {
        return Err(EngineError(
            "Performing an update on the path '_id' would modify the immutable field '_id'".into(),
        ));
    }
    let changed = work != *doc;
    *doc = work;
    Ok(changed)
}

fn replace(doc: &mut Document, new: &Document) -> Result<bool, EngineError> {
    if let (Some(old), Some(n)) = (doc.get("_id"), new.get("_id"))
        && !values_equal(old, n)
    {
        return Err(EngineError(
            "the (immutable) field '_id' was found to have been altered".into(),
        ));
    }
    let mut out = Document::with_capacity(new.len() + 1);
    if let Some(id) = doc.get("_id") {
        out.insert("_id".into(), id.clone());
    }
    for (k, v) in new {
        if k != "_id" {
            out.insert(k.clone(), v.clone());
        }
    }
    let changed = out != *doc;
    *doc = out;
    Ok(changed)
}

fn checked_path(field: &str) -> Result<Vec<String>, EngineError> {
    let parts = path::split(field);
    for p in &parts {
        if p.is_empty() {
            return Err(EngineError(format!(
                "The update path '{field}' contains an empty field name, which is not allowed."
            )));
        }
        if p.starts_with('$') {
            return Err(EngineError(format!(
                "unsupported update path (positional operators are not supported): {field}"
            )));
        }
    }
    Ok(parts)
}

fn check_conflicts(edits: &[(Vec<String>, &str, &Value)]) -> Result<(), EngineError> {
    let mut all: Vec<Vec<String>> = Vec::new();
    for (p, op, v) in edits {
        all.push(p.clone());
        if *op == "$rename"
            && let Value::String(to) = v
        {
            all.push(path::split(to));
        }
    }
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            let n = a.len().min(b.len());
            if a[..n] == b[..n] {
                return Err(EngineError(format!(
                    "Updating the path '{}' would create a conflict at '{}'",
                    b.join("."),
                    a[..n].join(".")
                )));
            }
        }
    }
    Ok(())
}

/// Lexicographic path order, numeric parts compared as numbers.
fn path_order(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (path::as_index(x), path::as_index(y)) {
            (Some(i), Some(j)) => i.cmp(&j),
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn number(op: &str, v: &Value) -> Result<N, EngineError> {
    N::of(v).ok_or_else(|| {
        EngineError(format!(
            "Cannot {op} with non-numeric argument: {}",
            path::short(v)
        ))
    })
}

fn one(
    doc: &mut Document,
    p: &[String],
    op: &str,
    arg: &Value,
    now_ms: i64,
) -> Result<(), EngineError> {
    let field = p.join(".");
    match op {
        "$set" => *path::slot(doc, p)? = arg.clone(),
        "$unset" => {
            path::remove(doc, p);
        }
        "$setOnInsert" => {}
        "$inc" | "$mul" => {
            let by = number(
                if op == "$inc" {
                    "increment"
                } else {
                    "multiply"
                },
                arg,
            )?;
            let cur = match path::get(doc, p) {
                None => None,
                Some(v) => Some(N::of(v).ok_or_else(|| {
                    EngineError(format!("Cannot apply {op} to a value of non-numeric type. The field '{field}' has non-numeric type {}", type_name(v)))
                })?),
            };
            let new = match (op, cur) {
                ("$inc", Some(c)) => c.add(by).value(),
                ("$inc", None) => by.value(),
                (_, Some(c)) => super::expr::arith::multiply(&[c.value(), by.value()])?,
                (_, None) => match by {
                    N::I32(_) => Value::Int32(0),
                    N::I64(_) => Value::Int64(0),
                    N::F(_) => Value::Double(0.0),
                },
            };
            *path::slot(doc, p)? = new;
        }
        "$min" | "$max" => {
            let replace = match path::get(doc, p) {
                None => true,
                Some(cur) => {
                    let o = compare(arg, cur);
                    if op == "$min" {
                        o == Ordering::Less
                    } else {
                        o == Ordering::Greater
                    }
                }
            };
            if replace {
                *path::slot(doc, p)? = arg.clone();
            }
        }
        "$rename" => {
            let to = arg.as_str().ok_or_else(|| {
                EngineError(format!(
                    "The 'to' field for $rename must be a string: {field}"
                ))
            })?;
            let to = checked_path(to)?;
            if through_array(doc, p) || through_array(doc, &to) {
                return Err(EngineError(format!(
                    "The source or target field for $rename must not be in an array: {field}"
                )));
            }
            if let Some(v) = path::remove(doc, p) {
                *path::slot(doc, &to)? = v;
            }
        }
        "$currentDate" => {
            let ts = match arg {
                Value::Document(d) => match d.get("$type").and_then(Value::as_str) {
                    Some("timestamp") => true,
                    Some("date") => false,
                    _ => {
                        return Err(EngineError(
                            "The '$type' string field is required to be 'date' or 'timestamp'"
                                .into(),
                        ));
                    }
                },
                Value::Bool(_) => false,
                _ => {
                    return Err(EngineError(format!(
                        "{field} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({{$type: 'timestamp/date'}})."
                    )));
                }
            };
            *path::slot(doc, p)? = if ts {
                Value::Timestamp {
                    t: (now_ms / 1000) as u32,
                    i: 1,
                }
            } else {
                Value::Date(now_ms)
            };
        }
        "$push" => push(array_slot(doc, p, &field)?, arg)?,
        "$addToSet" => {
            let items = match arg {
                Value::Document(d) if d.contains_key("$each") => d
                    .get("$each")
                    .and_then(Value::as_array)
                    .ok_or_else(|| {
                        EngineError("The argument to $each in $addToSet must be an array".into())
                    })?
                    .to_vec(),
                v => vec![v.clone()],
            };
            let arr = array_slot(doc, p, &field)?;
            for it in items {
                if !arr.iter().any(|e| values_equal(e, &it)) {
                    arr.push(it);
                }
            }
        }
        "$pop" => {
            let first = match N::of(arg).map(N::f) {
                Some(1.0) => false,
                Some(-1.0) => true,
                _ => {
                    return Err(EngineError(format!(
                        "$pop expects 1 or -1, found: {}",
                        path::short(arg)
                    )));
                }
            };
            if let Some(v) = path::get_mut(doc, p) {
                match v {
                    Value::Array(a) if !a.is_empty() => {
                        if first {
                            a.remove(0);
                        } else {
                            a.pop();
                        }
                    }
                    Value::Array(_) => {}
                    other => {
                        return Err(EngineError(format!(
                            "Path '{field}' contains an element of non-array type '{}'",
                            type_name(other)
                        )));
                    }
                }
            }
        }
        "$pull" | "$pullAll" => {
            let Some(v) = path::get_mut(doc, p) else {
                return Ok(());
            };
            let Value::Array(a) = v else {
                return Err(EngineError(format!(
                    "Cannot apply {op} to a non-array value"
                )));
            };
            if op == "$pullAll" {
                let list = arg
                    .as_array()
                    .ok_or_else(|| EngineError("$pullAll requires an array argument".into()))?;
                a.retain(|e| !list.iter().any(|x| values_equal(x, e)));
            } else {
                let keep = pull_keep(a, arg)?;
                let mut it = keep.into_iter();
                a.retain(|_| it.next().unwrap_or(true));
            }
        }
        "$bit" => return Err(EngineError("unsupported update operator: $bit".into())),
        other => {
            return Err(EngineError(format!(
                "Unknown modifier: {other}. Expected a valid update modifier"
            )));
        }
    }
    Ok(())
}

fn through_array(doc: &Document, p: &[String]) -> bool {
    (1..p.len()).any(|n| matches!(path::get(doc, &p[..n]), Some(Value::Array(_))))
}

fn array_slot<'a>(
    doc: &'a mut Document,
    p: &[String],
    field: &str,
) -> Result<&'a mut Vec<Value>, EngineError> {
    let existed = path::get(doc, p).is_some();
    let slot = path::slot(doc, p)?;
    if !existed {
        *slot = Value::Array(Vec::new());
    }
    match slot {
        Value::Array(a) => Ok(a),
        other => Err(EngineError(format!(
            "The field '{field}' must be an array but is of type {}",
            type_name(other)
        ))),
    }
}

fn push(arr: &mut Vec<Value>, arg: &Value) -> Result<(), EngineError> {
    let Value::Document(d) = arg else {
        arr.push(arg.clone());
        return Ok(());
    };
    if !d.contains_key("$each") {
        if let Some(k) = d
            .keys()
            .find(|k| matches!(k.as_str(), "$slice" | "$sort" | "$position"))
        {
            return Err(EngineError(format!("{k} requires $each in $push")));
        }
        arr.push(arg.clone());
        return Ok(());
    }
    let each = d
        .get("$each")
        .and_then(Value::as_array)
        .ok_or_else(|| EngineError("The argument to $each in $push must be an array".into()))?;
    let int = |k: &str| -> Result<Option<i64>, EngineError> {
        match d.get(k) {
            None => Ok(None),
            Some(v) => match N::of(v) {
                Some(n) if n.f().fract() == 0.0 => Ok(Some(n.f() as i64)),
                _ => Err(EngineError(format!("The value for {k} must be an integer"))),
            },
        }
    };
    if let Some(k) = d
        .keys()
        .find(|k| !matches!(k.as_str(), "$each" | "$slice" | "$sort" | "$position"))
    {
        return Err(EngineError(format!("Unrecognized clause in $push: {k}")));
    }
    let len = arr.len() as i64;
    let pos = match int("$position")? {
        None => len,
        Some(p) if p < 0 => (len + p).max(0),
        Some(p) => p.min(len),
    } as usize;
    arr.splice(pos..pos, each.iter().cloned());
    if let Some(spec) = d.get("$sort") {
        match spec {
            Value::Document(s) => {
                let keys = SortKeys::compile(s)?;
                let empty = Document::new();
                arr.sort_by(|a, b| {
                    let x = a.as_document().unwrap_or(&empty);
                    let y = b.as_document().unwrap_or(&empty);
                    keys.compare(x, y)
                });
            }
            v => match N::of(v).map(N::f) {
                Some(1.0) => arr.sort_by(compare),
                Some(-1.0) => arr.sort_by(|a, b| compare(b, a)),
                _ => {
                    return Err(EngineError(
                        "The $sort element value must be either 1 or -1".into(),
                    ));
                }
            },
        }
    }
    if let Some(n) = int("$slice")? {
        if n >= 0 {
            arr.truncate(n as usize);
        } else {
            let keep = (-n) as usize;
            if arr.len() > keep {
                arr.drain(..arr.len() - keep);
            }
        }
    }
    Ok(())
}

/// For each element, whether `$pull`'s condition keeps it: a plain document (or a logical
/// operator) is a query on document elements; anything else is a condition on each element.
fn pull_keep(items: &[Value], cond: &Value) -> Result<Vec<bool>, EngineError> {
    let mut vars = Vars::new(0);
    match cond {
        Value::Document(d)
            if d.keys().next().is_none_or(|k| {
                !k.starts_with('$') || matches!(k.as_str(), "$and" | "$or" | "$nor")
            }) =>
        {
            let f = Filter::compile(d)?;
            items
                .iter()
                .map(|e| match e {
                    Value::Document(x) => Ok(!f.matches(x, &mut vars)?),
                    _ => Ok(true),
                })
                .collect()
        }
        other => {
            let pred = value_condition(other)?;
            items.iter().map(|e| Ok(!pred.eval(&[Some(e)])?)).collect()
        }
    }
}
