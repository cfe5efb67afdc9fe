//! Aggregation pipelines. Each stage is compiled once (so a bad stage fails before any document
//! is read), then the stages are chained as iterators: `$match`, `$project`, `$addFields`,
//! `$unwind`, `$replaceRoot`, `$skip`, `$limit` and `$lookup` stream one document at a time;
//! `$group`, `$bucket*`, `$sort` (a bounded top-k when followed by `$limit`), `$sample`
//! and `$count` hold only what their result needs.

mod group;
mod lookup;
mod reshape;

use wxcloud::{Document, Value};

use super::expr::{Expr, Vars};
use super::filter::Filter;
use super::project::Projection;
use super::sort::SortKeys;
use super::{Collections, EngineError};

/// A stream of documents (or the error that ended it).
pub type Docs<'a> = Box<dyn Iterator<Item = Result<Document, EngineError>> + 'a>;

/// What stages can reach besides their input: other collections, the time and bound variables.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// Collections for `$lookup`.
    pub collections: &'a dyn Collections,
    /// `$$NOW`.
    pub now_ms: i64,
}

enum Stage {
    Match(Filter),
    Project(Projection),
    AddFields(reshape::AddFields),
    Unset(Vec<Vec<String>>),
    ReplaceRoot(Expr),
    Unwind(reshape::Unwind),
    Skip(usize),
    Limit(usize),
    Sort(SortKeys),
    TopK(SortKeys, usize),
    Count(String),
    Sample(usize),
    Group(group::Group),
    SortByCount(Expr),
    Bucket(group::Bucket),
    BucketAuto(group::BucketAuto),
    Lookup(lookup::Lookup),
    GeoNear(lookup::GeoNear),
}

fn stage_arg(stage: &Document) -> Result<(&str, &Value), EngineError> {
    if stage.len() != 1 {
        return Err(EngineError(format!(
            "A pipeline stage specification object must contain exactly one field, found {}",
            stage.len()
        )));
    }
    let (k, v) = stage
        .iter()
        .next()
        .ok_or_else(|| EngineError("empty stage".into()))?;
    Ok((k.as_str(), v))
}

fn doc_arg<'a>(name: &str, v: &'a Value) -> Result<&'a Document, EngineError> {
    v.as_document()
        .ok_or_else(|| EngineError(format!("the {name} stage specification must be an object")))
}

fn count_arg(name: &str, v: &Value, allow_zero: bool) -> Result<usize, EngineError> {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= 0.0 && (allow_zero || n > 0.0) => Ok(n as usize),
        _ => Err(EngineError(format!(
            "invalid argument to {name} stage: expected a {} integer",
            if allow_zero {
                "non-negative"
            } else {
                "positive"
            }
        ))),
    }
}

fn compile(stages: &[Document], nested: bool) -> Result<Vec<Stage>, EngineError> {
    let mut out = Vec::with_capacity(stages.len());
    for (i, s) in stages.iter().enumerate() {
        let (name, arg) = stage_arg(s)?;
        let stage = match name {
            "$match" => Stage::Match(Filter::compile(doc_arg(name, arg)?)?),
            "$project" => Stage::Project(Projection::compile(doc_arg(name, arg)?)?),
            "$addFields" | "$set" => {
                Stage::AddFields(reshape::AddFields::compile(doc_arg(name, arg)?)?)
            }
            "$unset" => Stage::Unset(reshape::unset_fields(arg)?),
            "$replaceRoot" => {
                let d = doc_arg(name, arg)?;
                let e = d.get("newRoot").ok_or_else(|| {
                    EngineError("no newRoot specified for the $replaceRoot stage".into())
                })?;
                Stage::ReplaceRoot(Expr::compile(e)?)
            }
            "$replaceWith" => Stage::ReplaceRoot(Expr::compile(arg)?),
            "$unwind" => Stage::Unwind(reshape::Unwind::compile(arg)?),
            "$skip" => Stage::Skip(count_arg(name, arg, true)?),
            "$limit" => Stage::Limit(count_arg(name, arg, false)?),
            "$sort" => Stage::Sort(SortKeys::compile(doc_arg(name, arg)?)?),
            "$count" => {
                let n = arg
                    .as_str()
                    .filter(|n| !n.is_empty() && !n.starts_with('$') && !n.contains('.'))
                    .ok_or_else(|| {
                        EngineError(
                            "the count field must be a non-empty string without '$' or '.'".into(),
                        )
                    })?;
                Stage::Count(n.to_owned())
            }
            "$sample" => {
                let d = doc_arg(name, arg)?;
                Stage::Sample(count_arg(
                    "$sample size",
                    d.get("size").unwrap_or(&Value::Null),
                    true,
                )?)
            }
            "$group" => Stage::Group(group::Group::compile(doc_arg(name, arg)?)?),
            "$sortByCount" => Stage::SortByCount(group::sort_by_count_key(arg)?),
            "$bucket" => Stage::Bucket(group::Bucket::compile(doc_arg(name, arg)?)?),
            "$bucketAuto" => Stage::BucketAuto(group::BucketAuto::compile(doc_arg(name, arg)?)?),
            "$lookup" => Stage::Lookup(lookup::Lookup::compile(doc_arg(name, arg)?)?),
            "$geoNear" => {
                if i != 0 || nested {
                    return Err(EngineError(
                        "$geoNear is only valid as the first stage in a pipeline".into(),
                    ));
                }
                Stage::GeoNear(lookup::GeoNear::compile(doc_arg(name, arg)?)?)
            }
            other => return Err(EngineError(format!("unsupported aggregate stage: {other}"))),
        };
        // `$sort` then `$limit`: keep only the first n while sorting.
        if let (Stage::Limit(n), Some(Stage::Sort(_))) = (&stage, out.last()) {
            let n = *n;
            if let Some(Stage::Sort(keys)) = out.pop() {
                out.push(Stage::TopK(keys, n));
                continue;
            }
        }
        out.push(stage);
    }
    Ok(out)
}

/// Runs `stages` over `input` with `vars` bound (for `$lookup` sub-pipelines).
pub fn run<'a>(
    stages: &[Document],
    input: Docs<'a>,
    ctx: Ctx<'a>,
    vars: Vars,
    nested: bool,
) -> Result<Docs<'a>, EngineError> {
    let compiled = compile(stages, nested)?;
    let mut docs = input;
    for stage in compiled {
        docs = chain(stage, docs, ctx, vars.clone())?;
    }
    Ok(docs)
}

fn map<'a>(
    docs: Docs<'a>,
    mut vars: Vars,
    mut f: impl FnMut(Document, &mut Vars) -> Result<Document, EngineError> + 'a,
) -> Docs<'a> {
    Box::new(docs.map(move |d| d.and_then(|d| f(d, &mut vars))))
}

fn chain<'a>(
    stage: Stage,
    docs: Docs<'a>,
    ctx: Ctx<'a>,
    mut vars: Vars,
) -> Result<Docs<'a>, EngineError> {
    Ok(match stage {
        Stage::Match(f) => Box::new(docs.filter_map(move |d| match d {
            Ok(d) => match f.matches(&d, &mut vars) {
                Ok(true) => Some(Ok(d)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            },
            Err(e) => Some(Err(e)),
        })),
        Stage::Project(p) => map(docs, vars, move |d, v| p.apply(&d, v)),
        Stage::AddFields(a) => map(docs, vars, move |d, v| a.apply(d, v)),
        Stage::Unset(fields) => map(docs, vars, move |mut d, _| {
            for f in &fields {
                reshape::remove_path(&mut d, f);
            }
            Ok(d)
        }),
        Stage::ReplaceRoot(e) => map(docs, vars, move |d, v| match e.eval(&d, v)? {
            Some(Value::Document(nd)) => Ok(nd),
            other => Err(EngineError(format!(
                "'newRoot' expression must evaluate to an object, but resulting value was: {}. Type of resulting value: '{}'",
                other
                    .as_ref()
                    .map(super::path::short)
                    .unwrap_or_else(|| "MISSING".into()),
                other
                    .as_ref()
                    .map(super::expr::type_name)
                    .unwrap_or("missing"),
            ))),
        }),
        Stage::Unwind(u) => Box::new(docs.flat_map(move |d| u.apply(d))),
        Stage::Skip(n) => Box::new(docs.skip(n)),
        Stage::Limit(n) => Box::new(docs.take(n)),
        Stage::Sort(keys) => {
            let mut all = docs.collect::<Result<Vec<_>, _>>()?;
            keys.sort(&mut all);
            Box::new(all.into_iter().map(Ok))
        }
        Stage::TopK(keys, n) => Box::new(keys.top_k(docs, n)?.into_iter().map(Ok)),
        Stage::Count(name) => {
            let mut n: i64 = 0;
            for d in docs {
                d?;
                n += 1;
            }
            if n == 0 {
                Box::new(std::iter::empty())
            } else {
                let mut out = Document::new();
                out.insert(
                    name,
                    i32::try_from(n)
                        .map(Value::Int32)
                        .unwrap_or(Value::Int64(n)),
                );
                Box::new(std::iter::once(Ok(out)))
            }
        }
        Stage::Sample(n) => Box::new(reshape::sample(docs, n)?.into_iter().map(Ok)),
        Stage::Group(g) => Box::new(g.run(docs, &mut vars)?.into_iter().map(Ok)),
        Stage::SortByCount(key) => Box::new(
            group::sort_by_count(key, docs, &mut vars)?
                .into_iter()
                .map(Ok),
        ),
        Stage::Bucket(b) => Box::new(b.run(docs, &mut vars)?.into_iter().map(Ok)),
        Stage::BucketAuto(b) => Box::new(b.run(docs, &mut vars)?.into_iter().map(Ok)),
        Stage::Lookup(l) => {
            let prepared = l.prepare(ctx)?;
            Box::new(docs.map(move |d| d.and_then(|d| prepared.apply(d, ctx, &mut vars))))
        }
        Stage::GeoNear(g) => Box::new(g.run(docs, &mut vars)?.into_iter().map(Ok)),
    })
}
