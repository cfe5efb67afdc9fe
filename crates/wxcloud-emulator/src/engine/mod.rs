//! The query engine: MongoDB semantics over [`wxcloud::Value`] documents.
//!
//! Pure functions, no I/O: the server parses a statement into a [`wxcloud::statement::Statement`],
//! loads documents from storage and calls these.
//!
//! Filters, sorts, projections and expressions are compiled once per call into small trees
//! (see [`filter::Filter`], [`sort::SortKeys`], [`project::Projection`], [`expr::Expr`]) and then
//! applied to each document; a statement the engine cannot run is an [`EngineError`] naming the
//! operator.

pub mod accumulate;
pub mod expr;
pub mod filter;
pub mod geo;
pub mod order;
pub mod path;
pub mod project;
mod regex;
pub mod sort;
pub mod stages;
pub mod update;

use std::cmp::Ordering;

use wxcloud::{Document, Value};

pub use order::values_equal;

/// A statement the engine cannot run; the server answers errcode -502002 with this message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct EngineError(pub String);

/// Gives `$lookup` access to other collections.
pub trait Collections {
    /// Every document of the named collection (empty if it does not exist).
    fn documents(&self, collection: &str) -> Vec<Document>;
}

/// Whether `doc` matches the MongoDB `filter`.
///
/// To test many documents against one filter, compile it once with [`filter::Filter::compile`].
pub fn matches(doc: &Document, filter: &Document) -> Result<bool, EngineError> {
    filter::Filter::compile(filter)?.matches(doc, &mut expr::Vars::new(now_ms()))
}

/// Applies a MongoDB update document (`$set`, `$inc`, ...) to `doc`; returns whether it changed.
/// A document without operators replaces `doc` (keeping its `_id`). On error `doc` is unchanged.
pub fn apply_update(doc: &mut Document, update: &Document) -> Result<bool, EngineError> {
    update::apply(doc, update, now_ms())
}

/// Orders two values the way MongoDB sorts them (BSON type order, then value).
pub fn compare(a: &Value, b: &Value) -> Ordering {
    order::compare(a, b)
}

/// Sorts documents by a MongoDB sort specification (`{"a": 1, "b": -1}`), stably.
pub fn sort(docs: &mut [Document], spec: &Document) -> Result<(), EngineError> {
    let keys = sort::SortKeys::compile(spec)?;
    let mut v: Vec<Document> = docs.iter_mut().map(std::mem::take).collect();
    keys.sort(&mut v);
    for (slot, d) in docs.iter_mut().zip(v) {
        *slot = d;
    }
    Ok(())
}

/// Applies a MongoDB projection (`{"a": 1}`, `{"b": 0}`, expressions) to one document.
pub fn project(doc: &Document, projection: &Document) -> Result<Document, EngineError> {
    project::Projection::compile(projection)?.apply(doc, &mut expr::Vars::new(now_ms()))
}

/// Runs a MongoDB pipeline over `input`, returning the output documents.
/// `now_ms` is the current time, for `$$NOW` and server dates.
pub fn aggregate(
    stages: &[Document],
    input: Box<dyn Iterator<Item = Document> + '_>,
    collections: &dyn Collections,
    now_ms: i64,
) -> Result<Vec<Document>, EngineError> {
    let ctx = stages::Ctx {
        collections,
        now_ms,
    };
    let input: stages::Docs<'_> = Box::new(input.map(Ok));
    stages::run(stages, input, ctx, expr::Vars::new(now_ms), false)?.collect()
}

/// The current time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Orders documents nearest first when `filter` has a `$near`/`$nearSphere` condition (MongoDB
/// returns such query results by distance); returns whether it did. Call it after filtering and
/// before `skip`/`limit` when the query has no explicit sort.
pub fn sort_by_near(docs: &mut Vec<Document>, filter: &Document) -> Result<bool, EngineError> {
    sort_by_near_by(docs, filter, |d| d)
}

/// [`sort_by_near`] for items that each carry a document, which `doc` finds.
pub fn sort_by_near_by<T>(
    items: &mut Vec<T>,
    filter: &Document,
    doc: fn(&T) -> &Document,
) -> Result<bool, EngineError> {
    for (field, cond) in filter {
        let Value::Document(ops) = cond else { continue };
        let Some((op, arg)) = ops
            .iter()
            .find(|(k, _)| matches!(k.as_str(), "$near" | "$nearSphere"))
        else {
            continue;
        };
        let near = geo::near(op, arg, ops)?;
        let parts = path::split(field);
        let distance = |d: &Document| {
            path::get(d, &parts)
                .and_then(geo::point_of)
                .map(|p| near.distance(p))
                .unwrap_or(f64::INFINITY)
        };
        let mut keyed: Vec<(f64, T)> = items.drain(..).map(|t| (distance(doc(&t)), t)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        items.extend(keyed.into_iter().map(|(_, t)| t));
        return Ok(true);
    }
    Ok(false)
}
