//! Array, set and object operators.

use std::collections::HashSet;

use wxcloud::{Document, Value};

use super::arith::N;
use super::{truthy, type_name};
use crate::engine::EngineError;
use crate::engine::order::{Key, values_equal};

fn array<'a>(name: &str, v: &'a Value) -> Result<Option<&'a [Value]>, EngineError> {
    match v {
        Value::Null => Ok(None),
        Value::Array(a) => Ok(Some(a)),
        other => Err(EngineError(format!(
            "{name}'s argument must be an array, but is {}",
            type_name(other)
        ))),
    }
}

fn int(name: &str, v: &Value) -> Result<i64, EngineError> {
    match N::of(v) {
        Some(n) if n.f().fract() == 0.0 => Ok(n.f() as i64),
        _ => Err(EngineError(format!(
            "{name} requires an integral argument, found: {}",
            type_name(v)
        ))),
    }
}

/// `$arrayElemAt`: negative indexes count from the end; out of range is missing.
pub fn elem_at(arr: &Value, index: &Value) -> Result<Option<Value>, EngineError> {
    let Some(a) = array("$arrayElemAt", arr)? else {
        return Ok(Some(Value::Null));
    };
    if matches!(index, Value::Null) {
        return Ok(Some(Value::Null));
    }
    let i = int("$arrayElemAt", index)?;
    let idx = if i < 0 { a.len() as i64 + i } else { i };
    Ok(usize::try_from(idx).ok().and_then(|i| a.get(i)).cloned())
}

/// `$first` / `$last` on an array (missing when empty, null when null).
pub fn end(v: &Value, first: bool) -> Result<Option<Value>, EngineError> {
    let name = if first { "$first" } else { "$last" };
    let Some(a) = array(name, v)? else {
        return Ok(Some(Value::Null));
    };
    Ok(if first { a.first() } else { a.last() }.cloned())
}

/// `$arrayToObject`: from `[[k, v], ..]` or `[{k, v}, ..]`.
pub fn to_object(args: &[Value]) -> Result<Value, EngineError> {
    let Some(a) = array("$arrayToObject", &args[0])? else {
        return Ok(Value::Null);
    };
    let mut out = Document::new();
    for e in a {
        let (k, v) = match e {
            Value::Array(p) if p.len() == 2 => (&p[0], &p[1]),
            Value::Document(d) if d.len() == 2 && d.contains_key("k") && d.contains_key("v") => {
                (&d["k"], &d["v"])
            }
            _ => {
                return Err(EngineError(
                    "$arrayToObject requires an array of [key, value] pairs or {k, v} documents"
                        .into(),
                ));
            }
        };
        let k = k
            .as_str()
            .ok_or_else(|| EngineError("$arrayToObject requires string keys".into()))?;
        out.insert(k.to_owned(), v.clone());
    }
    Ok(Value::Document(out))
}

/// `$objectToArray`: `[{k, v}, ..]` in field order.
pub fn object_to_array(args: &[Value]) -> Result<Value, EngineError> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Document(d) => Ok(Value::Array(
            d.iter()
                .map(|(k, v)| {
                    let mut e = Document::new();
                    e.insert("k".into(), Value::String(k.clone()));
                    e.insert("v".into(), v.clone());
                    Value::Document(e)
                })
                .collect(),
        )),
        other => Err(EngineError(format!(
            "$objectToArray requires a document input, found: {}",
            type_name(other)
        ))),
    }
}

/// `$concatArrays`: null if any argument is null.
pub fn concat(args: &[Value]) -> Result<Value, EngineError> {
    let mut out = Vec::new();
    for a in args {
        match array("$concatArrays", a)? {
            Some(x) => out.extend(x.iter().cloned()),
            None => return Ok(Value::Null),
        }
    }
    Ok(Value::Array(out))
}

/// `$in`: whether the array holds the value.
pub fn is_in(args: &[Value]) -> Result<Value, EngineError> {
    match &args[1] {
        Value::Array(a) => Ok(Value::Bool(a.iter().any(|x| values_equal(x, &args[0])))),
        other => Err(EngineError(format!(
            "$in requires an array as a second argument, found: {}",
            type_name(other)
        ))),
    }
}

/// `$indexOfArray`.
pub fn index_of(args: &[Value]) -> Result<Value, EngineError> {
    let Some(a) = array("$indexOfArray", &args[0])? else {
        return Ok(Value::Null);
    };
    let start = args
        .get(2)
        .map(|v| int("$indexOfArray", v))
        .transpose()?
        .unwrap_or(0)
        .max(0) as usize;
    let end = args
        .get(3)
        .map(|v| int("$indexOfArray", v))
        .transpose()?
        .unwrap_or(a.len() as i64)
        .max(0) as usize;
    let end = end.min(a.len());
    let found = (start..end).find(|&i| values_equal(&a[i], &args[1]));
    Ok(Value::Int32(found.map(|i| i as i32).unwrap_or(-1)))
}

/// `$isArray`.
pub fn is_array(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(matches!(args[0], Value::Array(_))))
}

/// `$range`: integers from start (inclusive) to end (exclusive) by step.
pub fn range(args: &[Value]) -> Result<Value, EngineError> {
    let start = int("$range", &args[0])?;
    let end = int("$range", &args[1])?;
    let step = args
        .get(2)
        .map(|v| int("$range", v))
        .transpose()?
        .unwrap_or(1);
    if step == 0 {
        return Err(EngineError("$range requires a non-zero step value".into()));
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < end) || (step < 0 && i > end) {
        out.push(Value::Int32(i as i32));
        i += step;
        if out.len() > 10_000_000 {
            return Err(EngineError("$range would create too large an array".into()));
        }
    }
    Ok(Value::Array(out))
}

/// `$reverseArray`.
pub fn reverse(args: &[Value]) -> Result<Value, EngineError> {
    let Some(a) = array("$reverseArray", &args[0])? else {
        return Ok(Value::Null);
    };
    Ok(Value::Array(a.iter().rev().cloned().collect()))
}

/// `$size` (the argument must be an array).
pub fn size(args: &[Value]) -> Result<Value, EngineError> {
    match &args[0] {
        Value::Array(a) => Ok(Value::Int32(a.len() as i32)),
        other => Err(EngineError(format!(
            "The argument to $size must be an array. Type of argument: {}",
            type_name(other)
        ))),
    }
}

/// `$slice`: `[array, n]` (negative from the end) or `[array, position, n]`.
pub fn slice(args: &[Value]) -> Result<Value, EngineError> {
    let Some(a) = array("$slice", &args[0])? else {
        return Ok(Value::Null);
    };
    if args[1..].iter().any(|v| matches!(v, Value::Null)) {
        return Ok(Value::Null);
    }
    let len = a.len() as i64;
    let (from, count) = if args.len() == 2 {
        let n = int("$slice", &args[1])?;
        if n >= 0 {
            (0, n)
        } else {
            ((len + n).max(0), -n)
        }
    } else {
        let p = int("$slice", &args[1])?;
        let n = int("$slice", &args[2])?;
        if n <= 0 {
            return Err(EngineError(
                "Third argument to $slice must be positive".into(),
            ));
        }
        (if p < 0 { (len + p).max(0) } else { p.min(len) }, n)
    };
    let to = (from + count).min(len);
    Ok(Value::Array(
        a[from as usize..to.max(from) as usize].to_vec(),
    ))
}

/// `$allElementsTrue`.
pub fn all_true(args: &[Value]) -> Result<Value, EngineError> {
    match &args[0] {
        Value::Array(a) => Ok(Value::Bool(a.iter().all(truthy))),
        other => Err(EngineError(format!(
            "$allElementsTrue's argument must be an array, but is {}",
            type_name(other)
        ))),
    }
}

/// `$anyElementTrue`.
pub fn any_true(args: &[Value]) -> Result<Value, EngineError> {
    match &args[0] {
        Value::Array(a) => Ok(Value::Bool(a.iter().any(truthy))),
        other => Err(EngineError(format!(
            "$anyElementTrue's argument must be an array, but is {}",
            type_name(other)
        ))),
    }
}

fn set_of(v: &[Value]) -> HashSet<Key> {
    v.iter().cloned().map(Key).collect()
}

/// Distinct values in first-seen order.
fn dedup(items: impl Iterator<Item = Value>) -> Vec<Value> {
    let mut seen = HashSet::new();
    items.filter(|v| seen.insert(Key(v.clone()))).collect()
}

/// `$setDifference`.
pub fn set_difference(args: &[Value]) -> Result<Value, EngineError> {
    let (Some(a), Some(b)) = (
        array("$setDifference", &args[0])?,
        array("$setDifference", &args[1])?,
    ) else {
        return Ok(Value::Null);
    };
    let drop = set_of(b);
    Ok(Value::Array(dedup(
        a.iter()
            .filter(|v| !drop.contains(&Key((*v).clone())))
            .cloned(),
    )))
}

/// `$setEquals`.
pub fn set_equals(args: &[Value]) -> Result<Value, EngineError> {
    let mut sets = Vec::new();
    for a in args {
        match a {
            Value::Array(x) => sets.push(set_of(x)),
            other => {
                return Err(EngineError(format!(
                    "All operands of $setEquals must be arrays. One argument is of type: {}",
                    type_name(other)
                )));
            }
        }
    }
    Ok(Value::Bool(sets.windows(2).all(|w| w[0] == w[1])))
}

/// `$setIntersection`.
pub fn set_intersection(args: &[Value]) -> Result<Value, EngineError> {
    let mut lists = Vec::new();
    for a in args {
        match array("$setIntersection", a)? {
            Some(x) => lists.push(x),
            None => return Ok(Value::Null),
        }
    }
    let Some((first, rest)) = lists.split_first() else {
        return Ok(Value::Array(vec![]));
    };
    let others: Vec<HashSet<Key>> = rest.iter().map(|x| set_of(x)).collect();
    Ok(Value::Array(dedup(
        first
            .iter()
            .filter(|v| others.iter().all(|s| s.contains(&Key((*v).clone()))))
            .cloned(),
    )))
}

/// `$setIsSubset`.
pub fn set_is_subset(args: &[Value]) -> Result<Value, EngineError> {
    match (&args[0], &args[1]) {
        (Value::Array(a), Value::Array(b)) => {
            let sb = set_of(b);
            Ok(Value::Bool(a.iter().all(|v| sb.contains(&Key(v.clone())))))
        }
        _ => Err(EngineError(
            "both operands of $setIsSubset must be arrays".into(),
        )),
    }
}

/// `$setUnion`.
pub fn set_union(args: &[Value]) -> Result<Value, EngineError> {
    let mut all = Vec::new();
    for a in args {
        match array("$setUnion", a)? {
            Some(x) => all.extend(x.iter().cloned()),
            None => return Ok(Value::Null),
        }
    }
    Ok(Value::Array(dedup(all.into_iter())))
}

/// `$mergeObjects`: later documents win; null arguments are skipped.
pub fn merge_objects(args: &[Value]) -> Result<Value, EngineError> {
    let mut out = Document::new();
    for a in args {
        merge_into(&mut out, a, "$mergeObjects")?;
    }
    Ok(Value::Document(out))
}

/// Merges one document into `out` (null is skipped), as `$mergeObjects` does.
pub fn merge_into(out: &mut Document, v: &Value, name: &str) -> Result<(), EngineError> {
    match v {
        Value::Null => Ok(()),
        Value::Document(d) => {
            for (k, x) in d {
                out.insert(k.clone(), x.clone());
            }
            Ok(())
        }
        other => Err(EngineError(format!(
            "{name} requires object inputs, but input is of type {}",
            type_name(other)
        ))),
    }
}

/// `$zip`: transposes arrays (to the shortest, or the longest padded with `defaults`).
pub fn zip(inputs: &Value, longest: bool, defaults: Option<&Value>) -> Result<Value, EngineError> {
    let Value::Array(ins) = inputs else {
        return Err(EngineError("inputs of $zip must be an array".into()));
    };
    let mut arrays = Vec::new();
    for i in ins {
        match i {
            Value::Null => return Ok(Value::Null),
            Value::Array(a) => arrays.push(a),
            other => {
                return Err(EngineError(format!(
                    "$zip found a non-array expression in input: {}",
                    type_name(other)
                )));
            }
        }
    }
    let defs: Vec<Value> = match defaults {
        Some(Value::Array(d)) if longest && d.len() == arrays.len() => d.clone(),
        Some(Value::Array(_)) | Some(_)
            if defaults.is_some_and(|d| !matches!(d, Value::Null)) && !longest =>
        {
            return Err(EngineError(
                "$zip: cannot specify defaults unless useLongestLength is true".into(),
            ));
        }
        _ => vec![Value::Null; arrays.len()],
    };
    let n = if longest {
        arrays.iter().map(|a| a.len()).max().unwrap_or(0)
    } else {
        arrays.iter().map(|a| a.len()).min().unwrap_or(0)
    };
    Ok(Value::Array(
        (0..n)
            .map(|i| {
                Value::Array(
                    arrays
                        .iter()
                        .zip(&defs)
                        .map(|(a, d)| a.get(i).cloned().unwrap_or_else(|| d.clone()))
                        .collect(),
                )
            })
            .collect(),
    ))
}
