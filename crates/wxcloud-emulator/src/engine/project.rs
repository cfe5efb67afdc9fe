//! Projections (`{"a": 1, "b.c": 1}`, `{"x": 0}`, `{"total": {"$add": [..]}}`), for queries'
//! `field()` and the `$project` stage. Inclusion keeps `_id` unless it is excluded, keeps
//! included fields in the document's order and appends computed fields in the projection's order.

use indexmap::IndexMap;
use wxcloud::{Document, Value};

use super::EngineError;
use super::expr::{Expr, Vars, truthy};
use super::filter::Filter;
use super::path;

#[derive(Debug, Clone)]
enum Node {
    Include,
    Exclude,
    Expr(Expr),
    Children(IndexMap<String, Node>),
    /// Find's `{$slice: n}` / `{$slice: [skip, n]}`.
    Slice(i64, Option<i64>),
    /// Find's `{$elemMatch: filter}`: the first matching element.
    ElemMatch(std::sync::Arc<Filter>),
}

/// A compiled projection.
#[derive(Debug, Clone)]
pub struct Projection {
    root: IndexMap<String, Node>,
    inclusion: bool,
}

impl Projection {
    /// Compiles a projection; mixing inclusion and exclusion (other than `_id`) is an error.
    pub fn compile(spec: &Document) -> Result<Projection, EngineError> {
        let mut root = IndexMap::new();
        let mut inclusion = None::<bool>;
        compile_into(&mut root, spec, &mut Vec::new(), &mut inclusion)?;
        let inclusion = inclusion.unwrap_or_else(|| matches!(root.get("_id"), Some(Node::Include)));
        if inclusion && !root.contains_key("_id") {
            root.shift_insert(0, "_id".to_owned(), Node::Include);
        }
        if !inclusion && root.is_empty() {
            return Err(EngineError(
                "projection specification must have at least one field".into(),
            ));
        }
        Ok(Projection { root, inclusion })
    }

    /// Applies the projection to one document.
    pub fn apply(&self, doc: &Document, vars: &mut Vars) -> Result<Document, EngineError> {
        if self.inclusion {
            include(doc, doc, &self.root, vars)
        } else {
            let mut out = doc.clone();
            exclude(&mut out, &self.root, doc, vars)?;
            Ok(out)
        }
    }
}

fn compile_into(
    node: &mut IndexMap<String, Node>,
    spec: &Document,
    prefix: &mut Vec<String>,
    inclusion: &mut Option<bool>,
) -> Result<(), EngineError> {
    if spec.is_empty() {
        return Err(EngineError(
            "an empty sub-projection is not a valid value".into(),
        ));
    }
    for (k, v) in spec {
        if k.starts_with('$') {
            return Err(EngineError(format!(
                "FieldPath field names may not start with '$': {k}"
            )));
        }
        let parts = path::split(k);
        let full: Vec<String> = prefix
            .iter()
            .cloned()
            .chain(parts.iter().cloned())
            .collect();
        let is_id = full.len() == 1 && full[0] == "_id";
        let leaf = match v {
            Value::Bool(_)
            | Value::Int32(_)
            | Value::Int64(_)
            | Value::Double(_)
            | Value::Decimal128(_) => {
                if truthy(v) {
                    Some(Node::Include)
                } else {
                    Some(Node::Exclude)
                }
            }
            Value::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
                Some(operator_node(d)?)
            }
            Value::Document(d) => {
                prefix.extend(parts.iter().cloned());
                let sub = child_map(node, &parts, k)?;
                let r = compile_into(sub, d, prefix, inclusion);
                prefix.truncate(prefix.len() - parts.len());
                r?;
                None
            }
            other => Some(Node::Expr(Expr::compile(other)?)),
        };
        let Some(leaf) = leaf else { continue };
        let mode = match &leaf {
            Node::Include | Node::Expr(_) | Node::ElemMatch(_) => Some(true),
            Node::Exclude => Some(false),
            _ => None,
        };
        if let Some(m) = mode
            && !(is_id && matches!(leaf, Node::Exclude | Node::Include))
        {
            match inclusion {
                Some(cur) if *cur != m => {
                    return Err(EngineError(if m {
                        format!(
                            "Cannot do inclusion on field {} in exclusion projection",
                            full.join(".")
                        )
                    } else {
                        format!(
                            "Cannot do exclusion on field {} in inclusion projection",
                            full.join(".")
                        )
                    }));
                }
                _ => *inclusion = Some(m),
            }
        }
        let (last, init) = parts
            .split_last()
            .ok_or_else(|| EngineError("empty field name".into()))?;
        let parent = child_map(node, init, k)?;
        if parent.contains_key(last) {
            return Err(EngineError(format!("Path collision at {}", full.join("."))));
        }
        parent.insert(last.clone(), leaf);
    }
    Ok(())
}

fn child_map<'a>(
    mut node: &'a mut IndexMap<String, Node>,
    parts: &[String],
    whole: &str,
) -> Result<&'a mut IndexMap<String, Node>, EngineError> {
    for p in parts {
        let entry = node
            .entry(p.clone())
            .or_insert_with(|| Node::Children(IndexMap::new()));
        node = match entry {
            Node::Children(m) => m,
            _ => return Err(EngineError(format!("Path collision at {whole}"))),
        };
    }
    Ok(node)
}

fn operator_node(d: &Document) -> Result<Node, EngineError> {
    if d.len() == 1 {
        match (d.keys().next().map(String::as_str), d.values().next()) {
            (Some("$slice"), Some(v)) => {
                if let Some(n) = v.as_f64() {
                    return Ok(Node::Slice(n as i64, None));
                }
                if let Some([a, b]) = v.as_array()
                    && let (Some(a), Some(b)) = (a.as_f64(), b.as_f64())
                {
                    return Ok(Node::Slice(a as i64, Some(b as i64)));
                }
            }
            (Some("$elemMatch"), Some(Value::Document(f))) => {
                return Ok(Node::ElemMatch(std::sync::Arc::new(Filter::compile(f)?)));
            }
            (Some("$meta"), _) => return Err(EngineError("unsupported projection: $meta".into())),
            _ => {}
        }
    }
    Ok(Node::Expr(Expr::compile(&Value::Document(d.clone()))?))
}

fn include(
    root: &Document,
    doc: &Document,
    spec: &IndexMap<String, Node>,
    vars: &mut Vars,
) -> Result<Document, EngineError> {
    let mut out = Document::new();
    for (k, v) in doc {
        let Some(node) = spec.get(k) else { continue };
        match node {
            Node::Include => {
                out.insert(k.clone(), v.clone());
            }
            Node::Children(sub) => match v {
                Value::Document(d) => {
                    out.insert(k.clone(), Value::Document(include(root, d, sub, vars)?));
                }
                Value::Array(items) => {
                    out.insert(k.clone(), include_array(root, items, sub, vars)?);
                }
                _ if has_computed(sub) => {
                    out.insert(
                        k.clone(),
                        Value::Document(include(root, &Document::new(), sub, vars)?),
                    );
                }
                _ => {}
            },
            Node::Slice(skip, limit) => {
                out.insert(k.clone(), slice(v, *skip, *limit));
            }
            Node::ElemMatch(f) => {
                if let Value::Array(items) = v {
                    for it in items {
                        if let Value::Document(d) = it
                            && f.matches(d, vars)?
                        {
                            out.insert(k.clone(), Value::Array(vec![it.clone()]));
                            break;
                        }
                    }
                }
            }
            Node::Exclude | Node::Expr(_) => {}
        }
    }
    for (k, node) in spec {
        match node {
            Node::Expr(e) => {
                if let Some(v) = e.eval(root, vars)? {
                    out.insert(k.clone(), v);
                }
            }
            Node::Children(sub) if !doc.contains_key(k) && has_computed(sub) => {
                out.insert(
                    k.clone(),
                    Value::Document(include(root, &Document::new(), sub, vars)?),
                );
            }
            _ => {}
        }
    }
    Ok(out)
}

fn include_array(
    root: &Document,
    items: &[Value],
    spec: &IndexMap<String, Node>,
    vars: &mut Vars,
) -> Result<Value, EngineError> {
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        match it {
            Value::Document(d) => out.push(Value::Document(include(root, d, spec, vars)?)),
            Value::Array(inner) => out.push(include_array(root, inner, spec, vars)?),
            _ if has_computed(spec) => out.push(Value::Document(include(
                root,
                &Document::new(),
                spec,
                vars,
            )?)),
            _ => {}
        }
    }
    Ok(Value::Array(out))
}

fn has_computed(spec: &IndexMap<String, Node>) -> bool {
    spec.values().any(|n| match n {
        Node::Expr(_) => true,
        Node::Children(s) => has_computed(s),
        _ => false,
    })
}

fn exclude(
    doc: &mut Document,
    spec: &IndexMap<String, Node>,
    root: &Document,
    vars: &mut Vars,
) -> Result<(), EngineError> {
    for (k, node) in spec {
        match node {
            Node::Exclude => {
                doc.shift_remove(k);
            }
            Node::Children(sub) => match doc.get_mut(k) {
                Some(Value::Document(d)) => exclude(d, sub, root, vars)?,
                Some(Value::Array(items)) => exclude_array(items, sub, root, vars)?,
                _ => {}
            },
            Node::Slice(skip, limit) => {
                if let Some(v) = doc.get_mut(k) {
                    *v = slice(v, *skip, *limit);
                }
            }
            Node::Include | Node::Expr(_) | Node::ElemMatch(_) => {}
        }
    }
    Ok(())
}

fn exclude_array(
    items: &mut [Value],
    spec: &IndexMap<String, Node>,
    root: &Document,
    vars: &mut Vars,
) -> Result<(), EngineError> {
    for it in items {
        match it {
            Value::Document(d) => exclude(d, spec, root, vars)?,
            Value::Array(inner) => exclude_array(inner, spec, root, vars)?,
            _ => {}
        }
    }
    Ok(())
}

/// Find's `$slice`: the first n (negative: last n), or n after skipping (negative skip from end).
fn slice(v: &Value, a: i64, b: Option<i64>) -> Value {
    let Value::Array(items) = v else {
        return v.clone();
    };
    let len = items.len() as i64;
    let (from, to) = match b {
        None if a >= 0 => (0, a.min(len)),
        None => ((len + a).max(0), len),
        Some(n) => {
            let from = if a < 0 { (len + a).max(0) } else { a.min(len) };
            (from, (from + n.max(0)).min(len))
        }
    };
    Value::Array(items[from as usize..to as usize].to_vec())
}
