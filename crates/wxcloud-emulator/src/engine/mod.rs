//! The query engine: MongoDB semantics over [`wxcloud::Value`] documents.
//!
//! Pure functions, no I/O: the server parses a statement into a [`wxcloud::statement::Statement`],
//! loads documents from storage and calls these.
//!
//! (Skeleton: the engine work replaces these bodies. The signatures are the interface the
//! server codes against; keep them, or change the server at the same time.)

use std::cmp::Ordering;

use wxcloud::{Document, Value};

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
pub fn matches(doc: &Document, filter: &Document) -> Result<bool, EngineError> {
    let _ = (doc, filter);
    Err(EngineError("filters are not implemented yet".into()))
}

/// Applies a MongoDB update document (`$set`, `$inc`, ...) to `doc`; returns whether it changed.
pub fn apply_update(doc: &mut Document, update: &Document) -> Result<bool, EngineError> {
    let _ = (doc, update);
    Err(EngineError("updates are not implemented yet".into()))
}

/// Orders two values the way MongoDB sorts them (BSON type order, then value).
pub fn compare(a: &Value, b: &Value) -> Ordering {
    let _ = (a, b);
    Ordering::Equal
}

/// Sorts documents by a MongoDB sort specification (`{"a": 1, "b": -1}`), stably.
pub fn sort(docs: &mut [Document], spec: &Document) -> Result<(), EngineError> {
    let _ = (docs, spec);
    Err(EngineError("sort is not implemented yet".into()))
}

/// Applies a MongoDB projection (`{"a": 1}`, `{"b": 0}`, expressions) to one document.
pub fn project(doc: &Document, projection: &Document) -> Result<Document, EngineError> {
    let _ = (doc, projection);
    Err(EngineError("projection is not implemented yet".into()))
}

/// Runs a MongoDB pipeline over `input`, returning the output documents.
/// `now_ms` is the current time, for `$$NOW` and server dates.
pub fn aggregate(
    stages: &[Document],
    input: Box<dyn Iterator<Item = Document> + '_>,
    collections: &dyn Collections,
    now_ms: i64,
) -> Result<Vec<Document>, EngineError> {
    let _ = (stages, input, collections, now_ms);
    Err(EngineError("aggregation is not implemented yet".into()))
}
