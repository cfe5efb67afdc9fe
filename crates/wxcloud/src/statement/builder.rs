//! Structured statements: what the client's `aggregate(collection, pipeline)`, `query`,
//! `count`, `add`, `update` and `delete` write, and what the Python and Node `statements.*`
//! functions return.
//!
//! Each builder converts into a [`Statement`] and implements [`ToStatement`], so it can be
//! passed wherever statement text is expected. The free functions return the text directly.

use std::borrow::Cow;

use super::print::{self, TargetRef, UpdateRef};
use super::{Query, Statement, Target, ToStatement, UpdateSpec};
use crate::{Document, Result, Value};

/// `db.collection(c).aggregate()...end()` from a MongoDB pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    collection: String,
    stages: Vec<Document>,
}

impl Aggregate {
    /// An empty pipeline over `collection`.
    pub fn new(collection: impl Into<String>) -> Aggregate {
        Aggregate {
            collection: collection.into(),
            stages: Vec::new(),
        }
    }

    /// Replaces the pipeline with these MongoDB stages (`{"$match": {..}}`, ...).
    pub fn pipeline(mut self, stages: Vec<Document>) -> Aggregate {
        self.stages = stages;
        self
    }

    /// Appends one stage.
    pub fn stage(mut self, stage: Document) -> Aggregate {
        self.stages.push(stage);
        self
    }
}

/// `db.collection(c).where(filter).count()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Count {
    collection: String,
    filter: Option<Document>,
}

impl Count {
    /// Counts every document in `collection`.
    pub fn new(collection: impl Into<String>) -> Count {
        Count {
            collection: collection.into(),
            filter: None,
        }
    }

    /// Counts only the documents matching this MongoDB filter.
    pub fn filter(mut self, filter: Document) -> Count {
        self.filter = Some(filter);
        self
    }
}

/// `db.collection(c).add({data: [..]})`.
#[derive(Clone, Debug, PartialEq)]
pub struct Add {
    collection: String,
    docs: Vec<Document>,
    many: bool,
}

impl Add {
    /// Adds nothing yet to `collection`; give the documents with [`Add::docs`] or [`Add::doc`].
    pub fn new(collection: impl Into<String>) -> Add {
        Add {
            collection: collection.into(),
            docs: Vec::new(),
            many: true,
        }
    }

    /// Adds these documents, written as a list (`{data: [..]}`).
    pub fn docs(mut self, docs: Vec<Document>) -> Add {
        self.docs = docs;
        self.many = true;
        self
    }

    /// Adds this one document, written alone (`{data: {..}}`).
    pub fn doc(mut self, doc: Document) -> Add {
        self.docs = vec![doc];
        self.many = false;
        self
    }
}

/// `.where(filter).update({data})`, `.doc(id).update({data})` or `.doc(id).set({data})`.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    collection: String,
    target: Target,
    update: UpdateSpec,
}

impl Update {
    /// Applies a MongoDB update document (`{"$inc": {"n": 1}}`; a document without operators
    /// sets its fields) to every document matching `filter`.
    pub fn new(collection: impl Into<String>, filter: Document, update: Document) -> Update {
        Update {
            collection: collection.into(),
            target: Target::Where(filter),
            update: UpdateSpec::Operators(update),
        }
    }

    /// Applies a MongoDB update document to the document with this `_id`.
    pub fn doc(collection: impl Into<String>, id: impl Into<Value>, update: Document) -> Update {
        Update {
            collection: collection.into(),
            target: Target::Doc(id.into()),
            update: UpdateSpec::Operators(update),
        }
    }

    /// Replaces the document with this `_id` by `doc` (inserting it if missing).
    pub fn replace(collection: impl Into<String>, id: impl Into<Value>, doc: Document) -> Update {
        Update {
            collection: collection.into(),
            target: Target::Doc(id.into()),
            update: UpdateSpec::Replace(doc),
        }
    }
}

/// `.where(filter).remove()` or `.doc(id).remove()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    collection: String,
    target: Target,
}

impl Delete {
    /// Removes every document matching `filter`.
    pub fn new(collection: impl Into<String>, filter: Document) -> Delete {
        Delete {
            collection: collection.into(),
            target: Target::Where(filter),
        }
    }

    /// Removes the document with this `_id`.
    pub fn doc(collection: impl Into<String>, id: impl Into<Value>) -> Delete {
        Delete {
            collection: collection.into(),
            target: Target::Doc(id.into()),
        }
    }
}

impl From<Aggregate> for Statement {
    fn from(b: Aggregate) -> Statement {
        Statement::Aggregate {
            collection: b.collection,
            stages: b.stages,
        }
    }
}
impl From<Query> for Statement {
    fn from(q: Query) -> Statement {
        Statement::Query(q)
    }
}
impl From<Count> for Statement {
    fn from(b: Count) -> Statement {
        Statement::Count {
            collection: b.collection,
            filter: b.filter,
        }
    }
}
impl From<Add> for Statement {
    fn from(b: Add) -> Statement {
        Statement::Add {
            collection: b.collection,
            docs: b.docs,
            many: b.many,
        }
    }
}
impl From<Update> for Statement {
    fn from(b: Update) -> Statement {
        Statement::Update {
            collection: b.collection,
            target: b.target,
            update: b.update,
        }
    }
}
impl From<Delete> for Statement {
    fn from(b: Delete) -> Statement {
        Statement::Remove {
            collection: b.collection,
            target: b.target,
        }
    }
}

impl Aggregate {
    fn text(&self) -> Result<String> {
        print::aggregate_text(&self.collection, &self.stages)
    }
}
impl Count {
    fn text(&self) -> Result<String> {
        print::count_text(&self.collection, self.filter.as_ref())
    }
}
impl Add {
    fn text(&self) -> Result<String> {
        print::add_text(&self.collection, &self.docs, self.many)
    }
}
impl Update {
    fn text(&self) -> Result<String> {
        let update = match &self.update {
            UpdateSpec::Operators(doc) => UpdateRef::Operators(doc),
            UpdateSpec::Replace(doc) => UpdateRef::Replace(doc),
        };
        print::update_text(&self.collection, (&self.target).into(), update)
    }
}
impl Delete {
    fn text(&self) -> Result<String> {
        print::remove_text(&self.collection, (&self.target).into())
    }
}
impl Query {
    fn text(&self) -> Result<String> {
        print::query_text(self)
    }
}

macro_rules! to_statement_by_text {
    ($($t:ty),*) => {$(
        impl ToStatement for $t {
            fn to_statement(&self) -> Result<Cow<'_, str>> {
                self.text().map(Cow::Owned)
            }
        }
    )*};
}
to_statement_by_text!(Aggregate, Query, Count, Add, Update, Delete);

/// The aggregate statement for a MongoDB pipeline.
///
/// ```
/// use wxcloud::{Document, Value};
///
/// let group: Document = [("_id".to_string(), Value::from("$tag")), ("n".to_string(),
///     Value::Document([("$sum".to_string(), Value::Int32(1))].into_iter().collect()))].into_iter().collect();
/// let stage: Document = [("$group".to_string(), Value::Document(group))].into_iter().collect();
/// let text = wxcloud::statement::aggregate("posts", &[stage])?;
/// assert_eq!(text, r#"db.collection("posts").aggregate().group({"_id": "$tag", "n": db.command.aggregate.sum(1)}).end()"#);
/// # Ok::<(), wxcloud::Error>(())
/// ```
pub fn aggregate(collection: &str, pipeline: &[Document]) -> Result<String> {
    print::aggregate_text(collection, pipeline)
}

/// The query statement (`.get()`) for a [`Query`] built with its methods.
pub fn query(query: &Query) -> Result<String> {
    print::query_text(query)
}

/// The count statement, over every document or those matching `filter`.
pub fn count(collection: &str, filter: Option<&Document>) -> Result<String> {
    print::count_text(collection, filter)
}

/// The add statement for these documents (written as a list, `{data: [..]}`).
pub fn add(collection: &str, docs: &[Document]) -> Result<String> {
    print::add_text(collection, docs, true)
}

/// The update statement applying a MongoDB update document to every match of `filter`.
pub fn update(collection: &str, filter: &Document, update: &Document) -> Result<String> {
    print::update_text(
        collection,
        TargetRef::Where(filter),
        UpdateRef::Operators(update),
    )
}

/// The remove statement for every match of `filter`.
pub fn delete(collection: &str, filter: &Document) -> Result<String> {
    print::remove_text(collection, TargetRef::Where(filter))
}
