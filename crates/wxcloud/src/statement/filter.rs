//! MongoDB filters as `where(..)` arguments with `db.command.*` conditions.
//!
//! `{"age": {"$gt": 5, "$lt": 9}}` becomes `{"age": db.command.gt(5).and(db.command.lt(9))}`,
//! a top-level `$or` becomes `db.command.or([..])`, and fields next to a top-level logical
//! operator are joined with it by `db.command.and([{fields}, db.command.or([..])])`.
//!
//! Two spellings differ from the input on purpose, because the SDK would otherwise change the
//! meaning: equality with a document (`{"a": {"b": 1}}`) is written `db.command.eq({"b": 1})`,
//! since the SDK flattens a plain nested object into `{"a.b": 1}` (arrays likewise, since the
//! SDK would not serialise the values inside a bare array); and `$near`/`$nearSphere`
//! are both `db.command.geoNear`, which the SDK sends as `$nearSphere`.

use super::geo::write_geometry;
use super::literal::{
    Mode, Path, error_at, single_entry, write_array, write_call, write_entries, write_key,
    write_regex, write_value,
};
use crate::{Document, Result, Value};

/// Appends a MongoDB filter as the argument of `where(..)` or `match(..)`.
pub(crate) fn write_filter(out: &mut String, filter: &Document, path: &Path<'_>) -> Result<()> {
    check_near_in_arrays(filter, false, path)?;
    write_filter_doc(out, filter, path)
}

/// Refuses a `$near` without `$maxDistance` where the SDK would put it inside an array
/// (a logical operator's list, or a field's `.and(..)` chain): the SDK only drops an absent
/// distance outside arrays, and inside one it would send `"$maxDistance": null`.
fn check_near_in_arrays(filter: &Document, nested: bool, path: &Path<'_>) -> Result<()> {
    let logical = filter
        .keys()
        .filter(|k| matches!(k.as_str(), "$and" | "$or" | "$nor"))
        .count();
    let fields_nested = nested || logical > 0;
    for (key, value) in filter {
        let key_path = path.key(key);
        if matches!(key.as_str(), "$and" | "$or" | "$nor") {
            for (i, sub) in value.as_array().unwrap_or_default().iter().enumerate() {
                if let Some(sub) = sub.as_document() {
                    check_near_in_arrays(sub, true, &key_path.index(i))?;
                }
            }
            continue;
        }
        let Some(ops) = value.as_document() else {
            continue;
        };
        let chained = ops.keys().filter(|k| k.as_str() != "$options").count() > 1;
        for near in ["$near", "$nearSphere"] {
            let Some(Value::Document(options)) = ops.get(near) else {
                continue;
            };
            if (fields_nested || chained) && !options.contains_key("$maxDistance") {
                return Err(error_at(
                    &key_path.key(near),
                    format_args!(
                        "`{near}` needs `$maxDistance` inside `$and`/`$or`/`$nor` or next to other operators (the SDK would send null)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn write_filter_doc(out: &mut String, filter: &Document, path: &Path<'_>) -> Result<()> {
    let mut logical = Vec::new();
    let mut fields: Vec<(&str, &Value)> = Vec::new();
    for (key, value) in filter {
        match key.as_str() {
            "$and" | "$or" | "$nor" | "$expr" => logical.push((key.as_str(), value)),
            k if k.starts_with('$') => {
                return Err(error_at(
                    &path.key(k),
                    format_args!("unsupported filter operator `{k}`"),
                ));
            }
            _ => fields.push((key.as_str(), value)),
        }
    }
    if logical.is_empty() {
        return write_fields(out, &fields, path);
    }
    if logical.len() == 1 && fields.is_empty() {
        let (op, operands) = logical[0];
        return write_logical(out, op, operands, &path.key(op));
    }
    out.push_str("db.command.and([");
    let mut first = true;
    if !fields.is_empty() {
        write_fields(out, &fields, path)?;
        first = false;
    }
    for (op, operands) in logical {
        if !first {
            out.push_str(", ");
        }
        first = false;
        write_logical(out, op, operands, &path.key(op))?;
    }
    out.push_str("])");
    Ok(())
}

/// `db.command.or([sub, ...])` for `$and`/`$or`/`$nor` with a list of filters;
/// `db.command.expr(<aggregate expression>)` for `$expr`.
fn write_logical(out: &mut String, op: &str, operands: &Value, path: &Path<'_>) -> Result<()> {
    if op == "$expr" {
        out.push_str("db.command.expr(");
        super::pipeline::write_expr(out, operands, path)?;
        out.push(')');
        return Ok(());
    }
    let subs = match operands.as_array() {
        Some(subs) if !subs.is_empty() => subs,
        _ => {
            return Err(error_at(
                path,
                format_args!("`{op}` takes a non-empty array of filters"),
            ));
        }
    };
    out.push_str("db.command.");
    out.push_str(&op[1..]);
    out.push_str("([");
    for (i, sub) in subs.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let sub_path = path.index(i);
        let Some(doc) = sub.as_document() else {
            return Err(error_at(
                &sub_path,
                format_args!("`{op}` takes filters (documents)"),
            ));
        };
        write_filter_doc(out, doc, &sub_path)?;
    }
    out.push_str("])");
    Ok(())
}

/// `{"field": condition, ...}`.
fn write_fields(out: &mut String, fields: &[(&str, &Value)], path: &Path<'_>) -> Result<()> {
    write_entries(out, fields.iter().copied(), path, write_condition)
}

/// One field's condition: a value to equal, or an operator document.
fn write_condition(out: &mut String, cond: &Value, path: &Path<'_>) -> Result<()> {
    let doc = match cond {
        Value::Document(doc) => doc,
        // The SDK leaves a bare array unserialised, so Geo and ObjectId values inside it would
        // be sent as class fields; `eq` serialises its operand.
        Value::Array(_) => return call(out, "$eq", |out| write_value(out, cond, Mode::Data, path)),
        _ => return write_value(out, cond, Mode::Data, path),
    };
    let operators = doc.keys().filter(|k| k.starts_with('$')).count();
    if operators == 0 || is_server_date(doc) {
        // Equality with a document: `eq` keeps the SDK from flattening it into dotted paths.
        out.push_str("db.command.eq(");
        write_value(out, cond, Mode::Data, path)?;
        out.push(')');
        return Ok(());
    }
    if operators != doc.len() {
        let key = doc
            .keys()
            .find(|k| !k.starts_with('$'))
            .map(String::as_str)
            .unwrap_or_default();
        return Err(error_at(
            path,
            format_args!("operators and the plain field `{key}` are mixed in one condition"),
        ));
    }
    write_operators(out, doc, path)
}

fn is_server_date(doc: &Document) -> bool {
    matches!(single_entry(doc), Some(("$serverDate", _)))
}

/// Several operators on one field: `first.and(second, ...)`, with a regex last (it has no
/// `.and`).
fn write_operators(out: &mut String, ops: &Document, path: &Path<'_>) -> Result<()> {
    let mut parts = Vec::new();
    let mut regex = None;
    for (op, arg) in ops {
        let op_path = path.key(op);
        match op.as_str() {
            "$regex" => regex = Some(regex_parts(arg, ops.get("$options"), &op_path)?),
            "$options" if !ops.contains_key("$regex") => {
                return Err(error_at(&op_path, "`$options` without `$regex`"));
            }
            "$options" => {}
            _ => {
                let mut part = String::new();
                write_command(&mut part, op, arg, &op_path)?;
                parts.push(part);
            }
        }
    }
    if let Some((pattern, options)) = regex {
        let mut part = String::new();
        write_regex(&mut part, &pattern, &options, &path.key("$regex"))?;
        parts.push(part);
    }
    let Some((first, rest)) = parts.split_first() else {
        return Err(error_at(path, "a condition without operators"));
    };
    out.push_str(first);
    if !rest.is_empty() {
        out.push_str(".and(");
        out.push_str(&rest.join(", "));
        out.push(')');
    }
    Ok(())
}

/// The pattern and options of `$regex` (a string or a regex value) with `$options`.
fn regex_parts(arg: &Value, options: Option<&Value>, path: &Path<'_>) -> Result<(String, String)> {
    let extra = match options {
        None => "",
        Some(Value::String(s)) => s,
        Some(_) => return Err(error_at(path, "`$options` must be a string")),
    };
    match arg {
        Value::String(p) => Ok((p.clone(), extra.to_owned())),
        Value::Regex { pattern, options } if extra.is_empty() => {
            Ok((pattern.clone(), options.clone()))
        }
        Value::Regex { .. } => Err(error_at(path, "`$options` together with a regex value")),
        _ => Err(error_at(
            path,
            "`$regex` takes a string or a regular expression",
        )),
    }
}

/// One `db.command.X(..)` for one MongoDB query operator.
fn write_command(out: &mut String, op: &str, arg: &Value, path: &Path<'_>) -> Result<()> {
    match op {
        "$eq" | "$ne" | "$gt" | "$gte" | "$lt" | "$lte" | "$exists" | "$size" => {
            call(out, op, |out| write_value(out, arg, Mode::Data, path))
        }
        "$in" | "$nin" | "$all" => {
            let Some(items) = arg.as_array() else {
                return Err(error_at(path, format_args!("`{op}` takes an array")));
            };
            call(out, op, |out| write_array(out, items, Mode::Data, path))
        }
        "$mod" => match arg.as_array() {
            Some([d, r]) if d.as_f64().is_some() && r.as_f64().is_some() => {
                call(out, op, |out| write_value(out, arg, Mode::Data, path))
            }
            _ => Err(error_at(path, "`$mod` takes [divisor, remainder]")),
        },
        "$elemMatch" => match arg {
            Value::Document(_) => call(out, op, |out| write_value(out, arg, Mode::Data, path)),
            _ => Err(error_at(path, "`$elemMatch` takes a document")),
        },
        "$not" => write_not(out, arg, path),
        "$geoWithin" => write_geo_within(out, arg, path),
        "$geoIntersects" => {
            let geometry = geo_options(arg, &["$geometry"], path)?;
            out.push_str("db.command.geoIntersects({\"geometry\": ");
            let g = geometry.first().map(|(_, v)| *v).unwrap_or(&Value::Null);
            write_geometry(out, g, super::vocab::GEO_TYPES, &path.key("$geometry"))?;
            out.push_str("})");
            Ok(())
        }
        "$near" | "$nearSphere" => write_near(out, arg, path),
        _ => Err(error_at(
            path,
            format_args!("unsupported filter operator `{op}`"),
        )),
    }
}

/// `db.command.<name>(<arg>)` where `name` is the vocabulary's command for `op`.
fn call(out: &mut String, op: &str, arg: impl FnOnce(&mut String) -> Result<()>) -> Result<()> {
    let name = super::vocab::query_command_for(op).unwrap_or(&op[1..]);
    write_call(out, &["db.command.", name], arg)
}

/// `$not` with exactly one operator (not a regex, which the SDK cannot negate).
fn write_not(out: &mut String, arg: &Value, path: &Path<'_>) -> Result<()> {
    let inner = arg.as_document().and_then(single_entry);
    match inner {
        Some(("$regex" | "$options", _)) => Err(error_at(
            path,
            "`$not` with a regular expression cannot be expressed",
        )),
        Some((op, inner_arg)) if op.starts_with('$') => {
            out.push_str("db.command.not(");
            write_command(out, op, inner_arg, &path.key(op))?;
            out.push(')');
            Ok(())
        }
        _ if matches!(arg, Value::Regex { .. }) => Err(error_at(
            path,
            "`$not` with a regular expression cannot be expressed",
        )),
        _ => Err(error_at(
            path,
            "`$not` takes a document with exactly one operator",
        )),
    }
}

/// The entries of a geo operator's document, refusing keys other than `allowed`.
fn geo_options<'v>(
    arg: &'v Value,
    allowed: &[&str],
    path: &Path<'_>,
) -> Result<Vec<(&'v str, &'v Value)>> {
    let Some(doc) = arg.as_document() else {
        return Err(error_at(path, "a geo operator takes a document"));
    };
    let mut found = Vec::new();
    for (k, v) in doc {
        if !allowed.contains(&k.as_str()) {
            return Err(error_at(
                &path.key(k),
                format_args!("unsupported geo option `{k}`"),
            ));
        }
        found.push((k.as_str(), v));
    }
    if !found.iter().any(|(k, _)| *k == allowed[0])
        && allowed[0] == "$geometry"
        && !doc.contains_key("$centerSphere")
    {
        return Err(error_at(path, "missing `$geometry`"));
    }
    Ok(found)
}

/// `$geoWithin: {$geometry: Polygon|MultiPolygon}` or `{$centerSphere: [[lng, lat], r]}`.
fn write_geo_within(out: &mut String, arg: &Value, path: &Path<'_>) -> Result<()> {
    let options = geo_options(arg, &["$geometry", "$centerSphere"], path)?;
    let [(key, value)] = options.as_slice() else {
        return Err(error_at(
            path,
            "`$geoWithin` takes exactly one of `$geometry`, `$centerSphere`",
        ));
    };
    out.push_str("db.command.geoWithin({");
    if *key == "$geometry" {
        out.push_str("\"geometry\": ");
        write_geometry(out, value, &["Polygon", "MultiPolygon"], &path.key(key))?;
    } else {
        let ok = matches!(value.as_array(), Some([center, r])
            if r.as_f64().is_some() && matches!(center.as_array(), Some([a, b]) if a.as_f64().is_some() && b.as_f64().is_some()));
        if !ok {
            return Err(error_at(
                &path.key(key),
                "`$centerSphere` takes [[lng, lat], radius]",
            ));
        }
        out.push_str("\"centerSphere\": ");
        write_value(out, value, Mode::Data, &path.key(key))?;
    }
    out.push_str("})");
    Ok(())
}

/// `$near`/`$nearSphere: {$geometry: Point, $maxDistance, $minDistance}` → `db.command.geoNear`.
fn write_near(out: &mut String, arg: &Value, path: &Path<'_>) -> Result<()> {
    let mut options = geo_options(arg, &["$geometry", "$maxDistance", "$minDistance"], path)?;
    // Inside an array the SDK would send an absent `$minDistance` as null; 0 means the same.
    const ZERO: Value = Value::Int32(0);
    if !options.iter().any(|(k, _)| *k == "$minDistance") {
        options.push(("$minDistance", &ZERO));
    }
    out.push_str("db.command.geoNear({");
    for (i, (key, value)) in options.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let key_path = path.key(key);
        if *key == "$geometry" {
            out.push_str("\"geometry\": ");
            write_geometry(out, value, &["Point"], &key_path)?;
        } else {
            if value.as_f64().is_none() {
                return Err(error_at(&key_path, format_args!("`{key}` takes a number")));
            }
            write_key(out, &key[1..], &key_path)?;
            out.push_str(": ");
            write_value(out, value, Mode::Data, &key_path)?;
        }
    }
    out.push_str("})");
    Ok(())
}
