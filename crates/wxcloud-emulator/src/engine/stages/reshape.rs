//! Stages that reshape one document at a time: `$addFields`/`$set`, `$unset`, `$unwind`, and
//! `$sample`.

use rand::Rng;
use wxcloud::{Document, Value};

use super::Docs;
use crate::engine::EngineError;
use crate::engine::expr::{Expr, Vars};
use crate::engine::path;

/// `$addFields`: each path gets an expression's value, evaluated on the input document.
pub struct AddFields {
    fields: Vec<(Vec<String>, Expr)>,
}

impl AddFields {
    /// Compiles the specification; nested plain documents add fields inside embedded documents.
    pub fn compile(spec: &Document) -> Result<AddFields, EngineError> {
        let mut fields = Vec::new();
        collect(spec, &mut Vec::new(), &mut fields)?;
        if fields.is_empty() {
            return Err(EngineError(
                "$addFields specification must have at least one field".into(),
            ));
        }
        Ok(AddFields { fields })
    }

    /// Applies it to one document.
    pub fn apply(&self, mut doc: Document, vars: &mut Vars) -> Result<Document, EngineError> {
        let mut values = Vec::with_capacity(self.fields.len());
        for (_, e) in &self.fields {
            values.push(e.eval(&doc, vars)?);
        }
        for ((p, _), v) in self.fields.iter().zip(values) {
            match v {
                Some(v) => set_path(&mut doc, p, v),
                None => remove_path(&mut doc, p),
            }
        }
        Ok(doc)
    }
}

fn collect(
    spec: &Document,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Expr)>,
) -> Result<(), EngineError> {
    for (k, v) in spec {
        if k.starts_with('$') {
            return Err(EngineError(format!(
                "FieldPath field names may not start with '$': {k}"
            )));
        }
        let parts = path::split(k);
        match v {
            Value::Document(d)
                if !d.is_empty() && !d.keys().next().is_some_and(|k| k.starts_with('$')) =>
            {
                prefix.extend(parts.iter().cloned());
                let r = collect(d, prefix, out);
                prefix.truncate(prefix.len() - parts.len());
                r?;
            }
            v => out.push((
                prefix.iter().cloned().chain(parts).collect(),
                Expr::compile(v)?,
            )),
        }
    }
    Ok(())
}

/// Sets a path the way `$addFields` does: missing or non-document parents become documents,
/// and an array parent gets the field in each of its document elements.
pub fn set_path(doc: &mut Document, parts: &[String], v: Value) {
    let (first, rest) = match parts.split_first() {
        Some(x) => x,
        None => return,
    };
    if rest.is_empty() {
        doc.insert(first.clone(), v);
        return;
    }
    let slot = doc.entry(first.clone()).or_insert(Value::Null);
    set_in_value(slot, rest, v);
}

fn set_in_value(slot: &mut Value, rest: &[String], v: Value) {
    match slot {
        Value::Document(d) => set_path(d, rest, v),
        Value::Array(items) => {
            for it in items {
                set_in_value(it, rest, v.clone());
            }
        }
        other => {
            let mut d = Document::new();
            set_path(&mut d, rest, v);
            *other = Value::Document(d);
        }
    }
}

/// Removes a path, in every document element of arrays on the way (`$unset`, `$$REMOVE`).
pub fn remove_path(doc: &mut Document, parts: &[String]) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    if rest.is_empty() {
        doc.shift_remove(first);
        return;
    }
    if let Some(v) = doc.get_mut(first) {
        remove_in_value(v, rest);
    }
}

fn remove_in_value(v: &mut Value, rest: &[String]) {
    match v {
        Value::Document(d) => remove_path(d, rest),
        Value::Array(items) => {
            for it in items {
                remove_in_value(it, rest);
            }
        }
        _ => {}
    }
}

/// `$unset`'s field list.
pub fn unset_fields(arg: &Value) -> Result<Vec<Vec<String>>, EngineError> {
    let names: Vec<&Value> = match arg {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    names
        .into_iter()
        .map(|n| {
            n.as_str()
                .filter(|s| !s.is_empty() && !s.starts_with('$'))
                .map(path::split)
                .ok_or_else(|| {
                    EngineError(
                        "$unset specification must be a string or an array of strings".into(),
                    )
                })
        })
        .collect()
}

/// `$unwind`.
pub struct Unwind {
    path: Vec<String>,
    index: Option<String>,
    preserve: bool,
}

impl Unwind {
    /// Compiles `"$path"` or `{path, includeArrayIndex, preserveNullAndEmptyArrays}`.
    pub fn compile(arg: &Value) -> Result<Unwind, EngineError> {
        let (p, index, preserve) = match arg {
            Value::String(s) => (s.as_str(), None, false),
            Value::Document(d) => {
                for k in d.keys() {
                    if !matches!(
                        k.as_str(),
                        "path" | "includeArrayIndex" | "preserveNullAndEmptyArrays"
                    ) {
                        return Err(EngineError(format!(
                            "unrecognized option to $unwind stage: {k}"
                        )));
                    }
                }
                let p = d
                    .get("path")
                    .and_then(Value::as_str)
                    .ok_or_else(|| EngineError("no path specified to $unwind stage".into()))?;
                let index =
                    match d.get("includeArrayIndex") {
                        None => None,
                        Some(Value::String(s)) if !s.is_empty() && !s.starts_with('$') => {
                            Some(s.clone())
                        }
                        Some(_) => return Err(EngineError(
                            "includeArrayIndex must be a non-empty string not starting with '$'"
                                .into(),
                        )),
                    };
                let preserve = match d.get("preserveNullAndEmptyArrays") {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        return Err(EngineError(
                            "preserveNullAndEmptyArrays must be a boolean".into(),
                        ));
                    }
                };
                (p, index, preserve)
            }
            _ => {
                return Err(EngineError(
                    "expected either a string or an object as specification for $unwind stage"
                        .into(),
                ));
            }
        };
        let p = p
            .strip_prefix('$')
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                EngineError("path option to $unwind stage should be prefixed with a '$'".into())
            })?;
        Ok(Unwind {
            path: path::split(p),
            index,
            preserve,
        })
    }

    /// The documents one input document unwinds into.
    pub fn apply(&self, doc: Result<Document, EngineError>) -> Vec<Result<Document, EngineError>> {
        let mut doc = match doc {
            Ok(d) => d,
            Err(e) => return vec![Err(e)],
        };
        let value = path::get(&doc, &self.path).cloned();
        let with_index = |mut d: Document, i: Option<i64>| {
            if let Some(name) = &self.index {
                d.insert(name.clone(), i.map(Value::Int64).unwrap_or(Value::Null));
            }
            Ok(d)
        };
        match value {
            Some(Value::Array(items)) if !items.is_empty() => {
                let n = items.len();
                let mut out = Vec::with_capacity(n);
                for (i, it) in items.into_iter().enumerate() {
                    let mut d = if i + 1 == n {
                        std::mem::take(&mut doc)
                    } else {
                        doc.clone()
                    };
                    set_path(&mut d, &self.path, it);
                    out.push(with_index(d, Some(i as i64)));
                }
                out
            }
            Some(Value::Array(_)) => {
                if self.preserve {
                    remove_path(&mut doc, &self.path);
                    vec![with_index(doc, None)]
                } else {
                    vec![]
                }
            }
            None | Some(Value::Null) => {
                if self.preserve {
                    vec![with_index(doc, None)]
                } else {
                    vec![]
                }
            }
            Some(_) => vec![with_index(doc, None)],
        }
    }
}

/// `$sample`: `n` documents chosen uniformly (reservoir sampling), in random order.
pub fn sample(docs: Docs<'_>, n: usize) -> Result<Vec<Document>, EngineError> {
    let mut rng = rand::rng();
    let mut kept: Vec<Document> = Vec::with_capacity(n.min(4096));
    for (seen, d) in docs.enumerate() {
        let d = d?;
        if kept.len() < n {
            kept.push(d);
        } else {
            let j = rng.random_range(0..=seen);
            if j < n {
                kept[j] = d;
            }
        }
    }
    for i in (1..kept.len()).rev() {
        let j = rng.random_range(0..=i);
        kept.swap(i, j);
    }
    Ok(kept)
}
