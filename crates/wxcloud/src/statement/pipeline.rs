//! MongoDB pipelines as the aggregate chain: `.aggregate().match(..).group(..)...end()`.
//!
//! Each stage document `{"$stage": arg}` becomes `.stage(arg)`. `$match` (and `$geoNear`'s
//! `query`) take filters, written like `where`. Expression operators inside `$group`,
//! `$project`, `$addFields`, `$replaceRoot`, `$bucket`, `$bucketAuto`, `$sortByCount` and
//! `$lookup.let` become `db.command.aggregate.X(..)` calls; `$literal`'s argument, `$sort`,
//! `$sample`, `$unwind` and `$lookup`'s sub-pipeline stay plain literals (the SDK sends them
//! unchanged). `$`-prefixed field references (`"$price"`) are ordinary strings.

use super::filter::write_filter;
use super::geo::write_geometry;
use super::literal::{
    Mode, Path, error_at, single_entry, write_call, write_document, write_int, write_items,
    write_plain_document, write_value,
};
use super::vocab;
use crate::{Document, Result, Value};

/// Appends `.aggregate().<stages>.end()` for a pipeline.
pub(crate) fn write_pipeline(out: &mut String, stages: &[Document]) -> Result<()> {
    let root = Path::Root("pipeline");
    out.push_str(".aggregate()");
    for (i, stage) in stages.iter().enumerate() {
        let path = root.index(i);
        let Some((op, arg)) = single_entry(stage) else {
            return Err(error_at(
                &path,
                "a pipeline stage is a document with exactly one `$stage` key",
            ));
        };
        let path = path.key(op);
        let Some(method) = vocab::stage_method_for(op) else {
            return Err(error_at(
                &path,
                format_args!("unsupported aggregate stage `{op}`"),
            ));
        };
        out.push('.');
        out.push_str(method);
        out.push('(');
        write_stage(out, method, arg, &path)?;
        out.push(')');
    }
    out.push_str(".end()");
    Ok(())
}

fn write_stage(out: &mut String, method: &str, arg: &Value, path: &Path<'_>) -> Result<()> {
    let doc = arg.as_document();
    match method {
        "match" => write_filter(out, need_doc(doc, method, path)?, path),
        "limit" | "skip" => match arg {
            Value::Int32(_) | Value::Int64(_) => {
                write_int(out, arg.as_i64().unwrap_or_default(), path)
            }
            Value::Double(x) if x.fract() == 0.0 && x.abs() < 9e15 => {
                write_int(out, *x as i64, path)
            }
            _ => Err(error_at(path, format_args!("`${method}` takes an integer"))),
        },
        "count" => match arg {
            Value::String(_) => write_value(out, arg, Mode::Raw, path),
            _ => Err(error_at(path, "`$count` takes the output field name")),
        },
        "sort" | "sample" => write_document(out, need_doc(doc, method, path)?, Mode::Raw, path),
        "unwind" => match arg {
            Value::String(_) | Value::Document(_) => write_value(out, arg, Mode::Raw, path),
            _ => Err(error_at(path, "`$unwind` takes a field path or a document")),
        },
        "sortByCount" => write_expr(out, arg, path),
        "geoNear" => write_geo_near(out, need_doc(doc, method, path)?, path),
        "lookup" => {
            write_plain_document(
                out,
                need_doc(doc, method, path)?,
                path,
                |out, v, p| match p {
                    Path::Key(_, "let") => write_expr(out, v, p),
                    _ => write_value(out, v, Mode::Raw, p),
                },
            )
        }
        // group, project, addFields, replaceRoot, bucket, bucketAuto
        _ => {
            need_doc(doc, method, path)?;
            write_expr(out, arg, path)
        }
    }
}

fn need_doc<'d>(doc: Option<&'d Document>, method: &str, path: &Path<'_>) -> Result<&'d Document> {
    doc.ok_or_else(|| error_at(path, format_args!("`${method}` takes a document")))
}

/// Appends an aggregation expression: `{"$op": arg}` as `db.command.aggregate.op(arg)`.
pub(crate) fn write_expr(out: &mut String, value: &Value, path: &Path<'_>) -> Result<()> {
    let doc = match value {
        Value::Document(doc) => doc,
        Value::Array(items) => return write_items(out, items, path, write_expr),
        _ => return write_value(out, value, Mode::Raw, path),
    };
    let operators = doc.keys().filter(|k| k.starts_with('$')).count();
    if operators == 0 {
        return write_plain_document(out, doc, path, write_expr);
    }
    let Some((op, arg)) = single_entry(doc) else {
        return Err(error_at(
            path,
            "an expression with an operator must have exactly one key",
        ));
    };
    let op_path = path.key(op);
    let Some(name) = vocab::aggregate_name_for(op) else {
        return Err(error_at(
            &op_path,
            format_args!("unsupported aggregate operator `{op}`"),
        ));
    };
    write_call(out, &["db.command.aggregate.", name], |out| {
        if op == "$literal" {
            write_value(out, arg, Mode::Raw, &op_path)
        } else {
            write_expr(out, arg, &op_path)
        }
    })
}

/// `$geoNear`: `near` as `db.Geo.Point(..)`, `query` as a filter, the rest as literals.
fn write_geo_near(out: &mut String, spec: &Document, path: &Path<'_>) -> Result<()> {
    write_plain_document(out, spec, path, |out, value, key_path| {
        match (key_path, value) {
            (Path::Key(_, "near"), _) => write_geometry(out, value, &["Point"], key_path),
            (Path::Key(_, "query"), Value::Document(filter)) => write_filter(out, filter, key_path),
            (Path::Key(_, "query"), _) => {
                Err(error_at(key_path, "`query` takes a filter document"))
            }
            _ => write_value(out, value, Mode::Raw, key_path),
        }
    })
}
