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

/// A stream of items (or the error that ended it).
pub type Items<'a, T> = Box<dyn Iterator<Item = Result<T, EngineError>> + 'a>;

/// A stream of documents (or the error that ended it).
pub type Docs<'a> = Items<'a, Document>;

/// What stages can reach besides their input: other collections, the time and bound variables.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// Collections for `$lookup`.
    pub collections: &'a dyn Collections,
    /// `$$NOW`.
    pub now_ms: i64,
}

/// A stage that chooses or orders documents and never changes one: its output documents are
/// input documents, so it can run over anything that carries a document.
enum Pick {
    Match(Filter),
    Skip(usize),
    Limit(usize),
    Sort(SortKeys),
    TopK(SortKeys, usize),
}

enum Stage {
    Pick(Pick),
    Project(Projection),
    AddFields(reshape::AddFields),
    Unset(Vec<Vec<String>>),
    ReplaceRoot(Expr),
    Unwind(reshape::Unwind),
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
            "$match" => Stage::Pick(Pick::Match(Filter::compile(doc_arg(name, arg)?)?)),
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
            "$skip" => Stage::Pick(Pick::Skip(count_arg(name, arg, true)?)),
            "$limit" => Stage::Pick(Pick::Limit(count_arg(name, arg, false)?)),
            "$sort" => Stage::Pick(Pick::Sort(SortKeys::compile(doc_arg(name, arg)?)?)),
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
        if let (Stage::Pick(Pick::Limit(n)), Some(Stage::Pick(Pick::Sort(_)))) =
            (&stage, out.last())
        {
            let n = *n;
            if let Some(Stage::Pick(Pick::Sort(keys))) = out.pop() {
                out.push(Stage::Pick(Pick::TopK(keys, n)));
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
        Stage::Pick(p) => p.apply(docs, |d| d, vars)?,
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

impl Pick {
    /// Chains this stage onto `items`; `doc` finds the document an item carries.
    fn apply<'a, T: 'a>(
        self,
        items: Items<'a, T>,
        doc: fn(&T) -> &Document,
        mut vars: Vars,
    ) -> Result<Items<'a, T>, EngineError> {
        Ok(match self {
            Pick::Match(f) => Box::new(items.filter_map(move |t| match t {
                Ok(t) => match f.matches(doc(&t), &mut vars) {
                    Ok(true) => Some(Ok(t)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                },
                Err(e) => Some(Err(e)),
            })),
            Pick::Skip(n) => Box::new(items.skip(n)),
            Pick::Limit(n) => Box::new(items.take(n)),
            Pick::Sort(keys) => {
                let mut all = items.collect::<Result<Vec<_>, _>>()?;
                keys.sort_by(&mut all, doc);
                Box::new(all.into_iter().map(Ok))
            }
            Pick::TopK(keys, n) => Box::new(keys.top_k(items, n, doc)?.into_iter().map(Ok)),
        })
    }
}

/// A pipeline made only of `$match`, `$sort`, `$skip` and `$limit`: it chooses and orders
/// documents without changing any, so what a caller knows about each input document (the
/// emulator: its stored text) still holds for the output, and need not be computed again.
pub struct Selection {
    picks: Vec<Pick>,
}

impl Selection {
    /// The pipeline as a selection, or `None` when a stage builds or changes documents. A bad
    /// stage is the same error [`run`] gives.
    pub fn compile(stages: &[Document]) -> Result<Option<Selection>, EngineError> {
        let mut picks = Vec::new();
        for stage in compile(stages, false)? {
            match stage {
                Stage::Pick(p) => picks.push(p),
                _ => return Ok(None),
            }
        }
        Ok(Some(Selection { picks }))
    }

    /// For a pipeline of `$skip` and `$limit` only, which reads no document: how many input
    /// documents it skips and how many it then keeps at most (`None`: all).
    pub fn window(&self) -> Option<(usize, Option<usize>)> {
        let (mut skip, mut keep) = (0usize, None::<usize>);
        for p in &self.picks {
            match p {
                Pick::Skip(n) => {
                    skip = skip.saturating_add(*n);
                    keep = keep.map(|k| k.saturating_sub(*n));
                }
                Pick::Limit(n) => keep = Some(keep.map_or(*n, |k| k.min(*n))),
                _ => return None,
            }
        }
        Some((skip, keep))
    }

    /// The top-level fields the selection reads from each document, or `None` when it may
    /// read any (a `$match` with `$expr`): the selection of documents holding only those
    /// fields is the selection of the whole documents.
    pub fn fields(&self) -> Option<Vec<String>> {
        let mut fields = Vec::new();
        for p in &self.picks {
            match p {
                Pick::Match(f) => {
                    if !f.top_fields(&mut fields) {
                        return None;
                    }
                }
                Pick::Sort(keys) | Pick::TopK(keys, _) => keys.top_fields(&mut fields),
                Pick::Skip(_) | Pick::Limit(_) => {}
            }
        }
        fields.sort();
        fields.dedup();
        Some(fields)
    }

    /// Runs the selection over `items`, in order; `doc` finds the document an item carries.
    pub fn run<'a, T: 'a>(
        self,
        items: impl Iterator<Item = T> + 'a,
        doc: fn(&T) -> &Document,
        vars: Vars,
    ) -> Result<Vec<T>, EngineError> {
        let mut out: Items<'a, T> = Box::new(items.map(Ok));
        for p in self.picks {
            out = p.apply(out, doc, vars.clone())?;
        }
        out.collect()
    }
}
