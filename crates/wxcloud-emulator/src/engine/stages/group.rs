//! Grouping stages: `$group`, `$sortByCount`, `$bucket` and `$bucketAuto`. Each holds one
//! accumulator state per group, never the input documents themselves (`$bucketAuto` keeps
//! only each document's grouping value and accumulator inputs).

use std::cmp::Ordering;
use std::collections::HashMap;

use wxcloud::{Document, Value};

use super::Docs;
use crate::engine::EngineError;
use crate::engine::accumulate::{Acc, AccKind};
use crate::engine::expr::{Expr, Vars};
use crate::engine::order::{Key, compare};

/// Output fields computed by accumulators: `{name: {$sum: expr}}`.
#[derive(Clone)]
struct Outputs(Vec<(String, AccKind, Expr)>);

impl Outputs {
    fn compile(
        fields: impl Iterator<Item = (String, Value)>,
        stage: &str,
    ) -> Result<Outputs, EngineError> {
        let mut out = Vec::new();
        for (name, spec) in fields {
            if name.contains('.') {
                return Err(EngineError(format!(
                    "the {stage} field name '{name}' cannot contain '.'"
                )));
            }
            let d = spec.as_document().filter(|d| d.len() == 1).ok_or_else(|| {
                EngineError(format!("the field '{name}' must be an accumulator object"))
            })?;
            let (op, arg) = d
                .iter()
                .next()
                .ok_or_else(|| EngineError("empty accumulator".into()))?;
            let kind = AccKind::parse(op)
                .ok_or_else(|| EngineError(format!("unknown group operator '{op}'")))?;
            if matches!(arg, Value::Array(_)) && kind != AccKind::Push && kind != AccKind::AddToSet
            {
                return Err(EngineError(format!(
                    "The {op} accumulator is a unary operator"
                )));
            }
            out.push((name, kind, Expr::compile(arg)?));
        }
        Ok(Outputs(out))
    }

    fn fresh(&self) -> Vec<Acc> {
        self.0.iter().map(|(_, k, _)| Acc::new(*k)).collect()
    }

    fn feed(&self, accs: &mut [Acc], doc: &Document, vars: &mut Vars) -> Result<(), EngineError> {
        for (acc, (_, _, e)) in accs.iter_mut().zip(&self.0) {
            acc.add(e.eval(doc, vars)?)?;
        }
        Ok(())
    }

    /// The accumulator inputs one document contributes.
    fn inputs(&self, doc: &Document, vars: &mut Vars) -> Result<Vec<Option<Value>>, EngineError> {
        self.0.iter().map(|(_, _, e)| e.eval(doc, vars)).collect()
    }

    fn feed_inputs(&self, accs: &mut [Acc], inputs: Vec<Option<Value>>) -> Result<(), EngineError> {
        for (acc, v) in accs.iter_mut().zip(inputs) {
            acc.add(v)?;
        }
        Ok(())
    }

    fn finish(&self, id: Value, accs: Vec<Acc>) -> Document {
        let mut d = Document::with_capacity(self.0.len() + 1);
        d.insert("_id".into(), id);
        for (acc, (name, _, _)) in accs.into_iter().zip(&self.0) {
            d.insert(name.clone(), acc.finish());
        }
        d
    }
}

/// Groups kept in first-seen order, keyed by MongoDB equality.
struct Groups {
    index: HashMap<Key, usize>,
    groups: Vec<(Value, Vec<Acc>)>,
}

impl Groups {
    fn new() -> Groups {
        Groups {
            index: HashMap::new(),
            groups: Vec::new(),
        }
    }

    fn get(&mut self, id: Value, outputs: &Outputs) -> &mut Vec<Acc> {
        let key = Key(id);
        let n = match self.index.get(&key) {
            Some(&n) => n,
            None => {
                let n = self.groups.len();
                self.groups.push((key.0.clone(), outputs.fresh()));
                self.index.insert(key, n);
                n
            }
        };
        &mut self.groups[n].1
    }
}

/// `$group`.
pub struct Group {
    id: Expr,
    outputs: Outputs,
}

impl Group {
    /// Compiles `{_id: expr, field: {accumulator: expr}, ...}`.
    pub fn compile(spec: &Document) -> Result<Group, EngineError> {
        let id = spec
            .get("_id")
            .ok_or_else(|| EngineError("a group specification must include an _id".into()))?;
        let id = Expr::compile(id)?;
        let outputs = Outputs::compile(
            spec.iter()
                .filter(|(k, _)| *k != "_id")
                .map(|(k, v)| (k.clone(), v.clone())),
            "$group",
        )?;
        Ok(Group { id, outputs })
    }

    /// Groups the input.
    pub fn run(&self, docs: Docs<'_>, vars: &mut Vars) -> Result<Vec<Document>, EngineError> {
        let mut groups = Groups::new();
        for d in docs {
            let d = d?;
            let id = self.id.eval_value(&d, vars)?;
            let accs = groups.get(id, &self.outputs);
            self.outputs.feed(accs, &d, vars)?;
        }
        Ok(groups
            .groups
            .into_iter()
            .map(|(id, accs)| self.outputs.finish(id, accs))
            .collect())
    }
}

/// `$sortByCount`'s grouping expression (a field path or an expression object).
pub fn sort_by_count_key(arg: &Value) -> Result<Expr, EngineError> {
    match arg {
        Value::String(s) if s.starts_with('$') => Expr::compile(arg),
        Value::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
            Expr::compile(arg)
        }
        _ => Err(EngineError(
            "the sortByCount field must be defined as a $-prefixed path or an expression object"
                .into(),
        )),
    }
}

/// `$sortByCount`: `{$group: {_id: key, count: {$sum: 1}}}` then `{$sort: {count: -1}}`.
pub fn sort_by_count(
    key: Expr,
    docs: Docs<'_>,
    vars: &mut Vars,
) -> Result<Vec<Document>, EngineError> {
    let outputs = Outputs(vec![(
        "count".into(),
        AccKind::Sum,
        Expr::Lit(Value::Int32(1)),
    )]);
    let group = Group { id: key, outputs };
    let mut out = group.run(docs, vars)?;
    out.sort_by(|a, b| compare(&b["count"], &a["count"]));
    Ok(out)
}

fn default_count(output: Option<&Value>) -> Result<Outputs, EngineError> {
    match output {
        Some(Value::Document(d)) => {
            Outputs::compile(d.iter().map(|(k, v)| (k.clone(), v.clone())), "$bucket")
        }
        Some(_) => Err(EngineError("the 'output' option must be an object".into())),
        None => Ok(Outputs(vec![(
            "count".into(),
            AccKind::Sum,
            Expr::Lit(Value::Int32(1)),
        )])),
    }
}

/// `$bucket`.
pub struct Bucket {
    group_by: Expr,
    boundaries: Vec<Value>,
    default: Option<Value>,
    outputs: Outputs,
}

impl Bucket {
    /// Compiles `{groupBy, boundaries, default, output}`.
    pub fn compile(spec: &Document) -> Result<Bucket, EngineError> {
        for k in spec.keys() {
            if !matches!(k.as_str(), "groupBy" | "boundaries" | "default" | "output") {
                return Err(EngineError(format!("unrecognized option to $bucket: {k}")));
            }
        }
        let group_by =
            Expr::compile(spec.get("groupBy").ok_or_else(|| {
                EngineError("$bucket requires 'groupBy' and 'boundaries'".into())
            })?)?;
        let boundaries = spec
            .get("boundaries")
            .and_then(Value::as_array)
            .ok_or_else(|| EngineError("$bucket requires 'groupBy' and 'boundaries'".into()))?
            .to_vec();
        if boundaries.len() < 2 {
            return Err(EngineError(
                "the $bucket 'boundaries' field must have at least 2 values".into(),
            ));
        }
        for w in boundaries.windows(2) {
            if compare(&w[0], &w[1]) != Ordering::Less
                || crate::engine::order::type_rank(&w[0]) != crate::engine::order::type_rank(&w[1])
            {
                return Err(EngineError(
                    "the 'boundaries' option to $bucket must be sorted in ascending order and of the same type".into(),
                ));
            }
        }
        let default = spec.get("default").cloned();
        if let Some(d) = &default
            && compare(d, &boundaries[0]) != Ordering::Less
            && compare(d, &boundaries[boundaries.len() - 1]) == Ordering::Less
        {
            return Err(EngineError(
                "the $bucket 'default' field must be less than the lowest boundary or greater than or equal to the highest boundary".into(),
            ));
        }
        Ok(Bucket {
            group_by,
            boundaries,
            default,
            outputs: default_count(spec.get("output"))?,
        })
    }

    /// Buckets the input; output ordered by boundary, the default bucket last.
    pub fn run(&self, docs: Docs<'_>, vars: &mut Vars) -> Result<Vec<Document>, EngineError> {
        let n = self.boundaries.len() - 1;
        let mut buckets: Vec<Option<Vec<Acc>>> = vec![None; n + 1];
        for d in docs {
            let d = d?;
            let v = self.group_by.eval_value(&d, vars)?;
            let slot = if compare(&v, &self.boundaries[0]) == Ordering::Less
                || compare(&v, &self.boundaries[n]) != Ordering::Less
                || crate::engine::order::type_rank(&v)
                    != crate::engine::order::type_rank(&self.boundaries[0])
            {
                if self.default.is_none() {
                    return Err(EngineError(format!(
                        "$bucket could not find a matching branch for an input, and no default was specified (value {})",
                        crate::engine::path::short(&v)
                    )));
                }
                n
            } else {
                self.boundaries
                    .partition_point(|b| compare(b, &v) != Ordering::Greater)
                    - 1
            };
            let accs = buckets[slot].get_or_insert_with(|| self.outputs.fresh());
            self.outputs.feed(accs, &d, vars)?;
        }
        Ok(buckets
            .into_iter()
            .enumerate()
            .filter_map(|(i, accs)| {
                let id = if i == n {
                    self.default.clone()?
                } else {
                    self.boundaries[i].clone()
                };
                accs.map(|a| self.outputs.finish(id, a))
            })
            .collect())
    }
}

/// `$bucketAuto`.
pub struct BucketAuto {
    group_by: Expr,
    buckets: usize,
    outputs: Outputs,
}

impl BucketAuto {
    /// Compiles `{groupBy, buckets, output}` (`granularity` is not supported).
    pub fn compile(spec: &Document) -> Result<BucketAuto, EngineError> {
        for k in spec.keys() {
            match k.as_str() {
                "groupBy" | "buckets" | "output" => {}
                "granularity" => {
                    return Err(EngineError(
                        "unsupported $bucketAuto option: granularity".into(),
                    ));
                }
                other => {
                    return Err(EngineError(format!(
                        "unrecognized option to $bucketAuto: {other}"
                    )));
                }
            }
        }
        let group_by =
            Expr::compile(spec.get("groupBy").ok_or_else(|| {
                EngineError("$bucketAuto requires 'groupBy' and 'buckets'".into())
            })?)?;
        let buckets = match spec.get("buckets").and_then(Value::as_f64) {
            Some(n) if n >= 1.0 && n.fract() == 0.0 => n as usize,
            _ => {
                return Err(EngineError(
                    "the $bucketAuto 'buckets' field must be a positive integer".into(),
                ));
            }
        };
        Ok(BucketAuto {
            group_by,
            buckets,
            outputs: default_count(spec.get("output"))?,
        })
    }

    /// Sorts by the grouping value and cuts into buckets of about equal size; equal values
    /// never straddle buckets; each bucket's `max` is the next bucket's `min` (the last one's is
    /// its largest value).
    pub fn run(&self, docs: Docs<'_>, vars: &mut Vars) -> Result<Vec<Document>, EngineError> {
        let mut keyed: Vec<(Value, Vec<Option<Value>>)> = Vec::new();
        for d in docs {
            let d = d?;
            let v = self.group_by.eval_value(&d, vars)?;
            keyed.push((v, self.outputs.inputs(&d, vars)?));
        }
        keyed.sort_by(|a, b| compare(&a.0, &b.0));
        let total = keyed.len();
        if total == 0 {
            return Ok(vec![]);
        }
        let approx = ((total as f64 / self.buckets as f64).round() as usize).max(1);
        let mut out = Vec::new();
        let mut current: Option<(Value, Value, usize, Vec<Acc>)> = None;
        for (v, d) in keyed {
            if let Some((min, last, count, accs)) = current.take() {
                let full = count >= approx && out.len() + 1 < self.buckets;
                if full && compare(&v, &last) != Ordering::Equal {
                    out.push(self.finish_bucket(min, v.clone(), accs));
                    current = Some((v.clone(), v.clone(), 0, self.outputs.fresh()));
                } else {
                    current = Some((min, last, count, accs));
                }
            } else {
                current = Some((v.clone(), v.clone(), 0, self.outputs.fresh()));
            }
            if let Some((_, last, count, accs)) = current.as_mut() {
                self.outputs.feed_inputs(accs, d)?;
                *count += 1;
                *last = v;
            }
        }
        if let Some((min, last, _, accs)) = current {
            out.push(self.finish_bucket(min, last, accs));
        }
        Ok(out)
    }

    fn finish_bucket(&self, min: Value, max: Value, accs: Vec<Acc>) -> Document {
        let mut id = Document::new();
        id.insert("min".into(), min);
        id.insert("max".into(), max);
        self.outputs.finish(Value::Document(id), accs)
    }
}
