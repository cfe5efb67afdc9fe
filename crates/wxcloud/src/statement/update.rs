//! MongoDB update documents as the `data` of `.update({data})`, one `db.command.*` per field.
//!
//! `{"$inc": {"n": 1}, "$set": {"a.b": "x"}}` becomes `{"n": db.command.inc(1), "a.b": "x"}`.
//! A `$set` of a document is written `db.command.set({..})` so the SDK replaces the field
//! instead of merging into it; `$push: {f: v}` is `db.command.push([v])` (the SDK sends
//! `{$each: [v]}`); `$pop: 1`/`-1` are `pop()`/`shift()`. A document without operators is a
//! `$set` of its fields.

use super::literal::{Mode, Path, error_at, write_call, write_key, write_value};
use crate::{Document, Result, Value};

/// Appends the `data` document of an update.
pub(crate) fn write_update<'d>(
    out: &mut String,
    update: &'d Document,
    path: &Path<'_>,
) -> Result<()> {
    let operators = update.keys().filter(|k| k.starts_with('$')).count();
    let groups: Vec<(&str, &Document)> = if operators == 0 {
        // A document without operators sets its fields.
        vec![("$set", update)]
    } else if operators != update.len() {
        return Err(error_at(
            path,
            "an update document mixes operators and plain fields",
        ));
    } else {
        let group = |(op, fields): (&'d String, &'d Value)| match fields {
            Value::Document(fields) => Ok((op.as_str(), fields)),
            _ => Err(error_at(
                &path.key(op),
                format_args!("`{op}` takes a document of fields"),
            )),
        };
        update.iter().map(group).collect::<Result<_>>()?
    };
    let mut written: Vec<&str> = Vec::new();
    out.push('{');
    for (op, fields) in groups {
        let op_path = if operators == 0 { *path } else { path.key(op) };
        for (field, arg) in fields {
            let field_path = op_path.key(field);
            if field == "_id" || field.starts_with("_id.") {
                return Err(error_at(&field_path, "`_id` cannot be updated"));
            }
            if field.is_empty() || field.starts_with('$') {
                return Err(error_at(
                    &field_path,
                    format_args!("invalid field name `{field}`"),
                ));
            }
            if written.contains(&field.as_str()) {
                return Err(error_at(
                    &field_path,
                    format_args!("field `{field}` is updated twice"),
                ));
            }
            if !written.is_empty() {
                out.push_str(", ");
            }
            written.push(field);
            write_key(out, field, &field_path)?;
            out.push_str(": ");
            write_field(out, op, arg, &field_path)?;
        }
    }
    out.push('}');
    Ok(())
}

/// One field's change under operator `op`.
fn write_field(out: &mut String, op: &str, arg: &Value, path: &Path<'_>) -> Result<()> {
    match op {
        "$set" => match arg {
            Value::Document(doc) if !is_special(doc) => {
                command(out, "set", |out| write_value(out, arg, Mode::Raw, path))
            }
            _ => write_value(out, arg, Mode::Data, path),
        },
        "$unset" => {
            out.push_str("db.command.remove()");
            Ok(())
        }
        "$inc" | "$mul" => {
            if arg.as_f64().is_none() {
                return Err(error_at(path, format_args!("`{op}` takes a number")));
            }
            command(out, &op[1..], |out| write_value(out, arg, Mode::Raw, path))
        }
        "$min" | "$max" => command(out, &op[1..], |out| write_value(out, arg, Mode::Raw, path)),
        "$rename" => match arg {
            Value::String(_) => {
                command(out, "rename", |out| write_value(out, arg, Mode::Raw, path))
            }
            _ => Err(error_at(
                path,
                "`$rename` takes the new field name as a string",
            )),
        },
        "$push" => write_push(out, arg, path),
        "$addToSet" | "$pull" => {
            command(out, &op[1..], |out| write_value(out, arg, Mode::Data, path))
        }
        "$pullAll" => match arg {
            Value::Array(_) => command(out, "pullAll", |out| {
                write_value(out, arg, Mode::Data, path)
            }),
            _ => Err(error_at(path, "`$pullAll` takes an array")),
        },
        "$pop" => match arg.as_f64() {
            Some(1.0) => command(out, "pop", |_| Ok(())),
            Some(-1.0) => command(out, "shift", |_| Ok(())),
            _ => Err(error_at(path, "`$pop` takes 1 (last) or -1 (first)")),
        },
        _ => Err(error_at(
            path,
            format_args!("unsupported update operator `{op}`"),
        )),
    }
}

/// Whether a document is written as an SDK object (Geo, server date) rather than a document.
fn is_special(doc: &Document) -> bool {
    let mut probe = String::new();
    matches!(super::literal::single_entry(doc), Some(("$serverDate", _)))
        || super::geo::write_geo(&mut probe, doc).unwrap_or(false)
}

/// `$push`: a value (`push([v])`) or `{$each, $position, $sort, $slice}` (`push({each, ..})`).
fn write_push(out: &mut String, arg: &Value, path: &Path<'_>) -> Result<()> {
    let modifiers = arg.as_document().filter(|d| d.contains_key("$each"));
    let Some(modifiers) = modifiers else {
        return command(out, "push", |out| {
            out.push('[');
            write_value(out, arg, Mode::Data, path)?;
            out.push(']');
            Ok(())
        });
    };
    if !matches!(modifiers.get("$each"), Some(Value::Array(_))) {
        return Err(error_at(&path.key("$each"), "`$each` takes an array"));
    }
    command(out, "push", |out| {
        out.push('{');
        for (i, (key, value)) in modifiers.iter().enumerate() {
            let key_path = path.key(key);
            let name = match key.as_str() {
                "$each" | "$position" | "$sort" | "$slice" => &key[1..],
                _ => {
                    return Err(error_at(
                        &key_path,
                        format_args!("unsupported `$push` modifier `{key}`"),
                    ));
                }
            };
            if i > 0 {
                out.push_str(", ");
            }
            write_key(out, name, &key_path)?;
            out.push_str(": ");
            write_value(out, value, Mode::Raw, &key_path)?;
        }
        out.push('}');
        Ok(())
    })
}

/// `db.command.<name>(<arg>)`.
fn command(
    out: &mut String,
    name: &str,
    arg: impl FnOnce(&mut String) -> Result<()>,
) -> Result<()> {
    write_call(out, &["db.command.", name], arg)
}
