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

impl Direction {
    /// Reads a direction the way every front end accepts it: `"asc"`/`"desc"` (any case) or
    /// `1`/`-1`.
    pub fn from_value(value: &crate::Value) -> crate::Result<Direction> {
        match value {
            crate::Value::String(s) => s.parse(),
            v => match v.as_f64() {
                Some(1.0) => Ok(Direction::Asc),
                Some(-1.0) => Ok(Direction::Desc),
                _ => Err(crate::Error::statement(
                    "a sort direction is \"asc\", \"desc\", 1 or -1",
                )),
            },
        }
    }
}

impl std::str::FromStr for Direction {
    type Err = crate::Error;

    /// `"asc"` or `"desc"` in any case, or `"1"` / `"-1"`, surrounding blanks ignored.
    fn from_str(s: &str) -> crate::Result<Direction> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("asc") || s == "1" {
            Ok(Direction::Asc)
        } else if s.eq_ignore_ascii_case("desc") || s == "-1" {
            Ok(Direction::Desc)
        } else {
            Err(crate::Error::statement(format!(
                "unknown sort direction {s:?} (use \"asc\" or \"desc\")"
            )))
        }
    }
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

impl Query {
    /// A query of every document in `collection`; add conditions with the other methods.
    ///
    /// ```
    /// use wxcloud::statement::{Direction, Query};
    ///
    /// let text = wxcloud::statement::query(&Query::new("users").order_by("age", Direction::Desc).limit(5))?;
    /// assert_eq!(text, r#"db.collection("users").orderBy("age", "desc").limit(5).get()"#);
    /// # Ok::<(), wxcloud::Error>(())
    /// ```
    pub fn new(collection: impl Into<String>) -> Query {
        Query {
            collection: collection.into(),
            ..Query::default()
        }
    }

    /// Only the document with this `_id` (`.doc(id)`).
    pub fn doc(mut self, id: impl Into<crate::Value>) -> Query {
        self.doc = Some(id.into());
        self
    }

    /// Only documents matching this MongoDB filter (`.where(..)`).
    pub fn filter(mut self, filter: Document) -> Query {
        self.filter = Some(filter);
        self
    }

    /// Then order by `field` (`.orderBy(field, direction)`); call again for more keys.
    pub fn order_by(mut self, field: impl Into<String>, direction: Direction) -> Query {
        self.order_by.push((field.into(), direction));
        self
    }

    /// Skip the first `n` matches (`.skip(n)`).
    pub fn skip(mut self, n: u64) -> Query {
        self.skip = Some(n);
        self
    }

    /// Return at most `n` documents (`.limit(n)`).
    pub fn limit(mut self, n: u64) -> Query {
        self.limit = Some(n);
        self
    }

    /// Return only these fields: a MongoDB projection (`{"name": 1}`) (`.field(..)`).
    pub fn fields(mut self, projection: Document) -> Query {
        self.fields = Some(projection);
        self
    }
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
