//! What a statement means, independent of how it is spelled.
//!
//! Filters, update documents and pipeline stages are MongoDB documents (`{"age": {"$gt": 5}}`,
//! `{"$inc": {"n": 1}}`, `{"$group": {...}}`), so the writer takes what users already know and
//! the emulator's parser produces what its engine runs.
//!
//! Two statement-only values are spelled as documents: `db.serverDate({offset})` is
//! `{"$serverDate": {"offset": <ms>}}`, and Geo shapes are GeoJSON documents
//! (`{"type": "Point", "coordinates": [lng, lat]}`).

use crate::Document;

/// Sort direction in `orderBy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `"asc"`, `1`.
    Asc,
    /// `"desc"`, `-1`.
    Desc,
}

/// Which documents an update or remove applies to.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// `.where(filter)`: every document the filter matches.
    Where(Document),
    /// `.doc(id)`: the one document with this `_id`.
    Doc(crate::Value),
}

/// The change an update makes.
#[derive(Clone, Debug, PartialEq)]
pub enum UpdateSpec {
    /// `.update({data})`, as a MongoDB update document of `$`-operators (`$set`, `$inc`, ...).
    Operators(Document),
    /// `.doc(id).set({data})`: replace the document (inserting it if missing).
    Replace(Document),
}

/// A `.get()` query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// The collection name.
    pub collection: String,
    /// `.doc(id)`: fetch one document by `_id`.
    pub doc: Option<crate::Value>,
    /// `.where(filter)`, as a MongoDB filter.
    pub filter: Option<Document>,
    /// `.orderBy(field, direction)`, in order.
    pub order_by: Vec<(String, Direction)>,
    /// `.skip(n)`.
    pub skip: Option<u64>,
    /// `.limit(n)`.
    pub limit: Option<u64>,
    /// `.field(projection)`, as a MongoDB projection.
    pub fields: Option<Document>,
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `db.collection(c)....get()`.
    Query(Query),
    /// `db.collection(c).where(filter).count()`.
    Count {
        /// The collection name.
        collection: String,
        /// The filter, if any.
        filter: Option<Document>,
    },
    /// `db.collection(c).add({data: doc | [docs]})`.
    Add {
        /// The collection name.
        collection: String,
        /// The documents to insert.
        docs: Vec<Document>,
        /// Whether `data` was an array (the reply lists ids either way).
        many: bool,
    },
    /// `.where(..).update({data})`, `.doc(id).update({data})`, `.doc(id).set({data})`.
    Update {
        /// The collection name.
        collection: String,
        /// Which documents.
        target: Target,
        /// The change.
        update: UpdateSpec,
    },
    /// `.where(..).remove()`, `.doc(id).remove()`.
    Remove {
        /// The collection name.
        collection: String,
        /// Which documents.
        target: Target,
    },
    /// `db.collection(c).aggregate().<stages>.end()`; each stage a one-key MongoDB stage document.
    Aggregate {
        /// The collection name.
        collection: String,
        /// The pipeline, MongoDB style (`{"$match": {...}}`, ...).
        stages: Vec<Document>,
    },
}
