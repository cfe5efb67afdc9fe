//! The printer: a [`Statement`] as the statement text the service runs.

use std::borrow::Cow;

use super::filter::write_filter;
use super::literal::{Mode, Path, error_at, write_document, write_double, write_int, write_string};
use super::pipeline::write_pipeline;
use super::update::write_update;
use super::{Direction, Query, Statement, Target, ToStatement, UpdateSpec};
use crate::{Document, Error, Result, Value};

/// The longest collection name accepted.
pub const MAX_COLLECTION_NAME_LEN: usize = 64;

/// Checks a collection name: 1 to [`MAX_COLLECTION_NAME_LEN`] characters, each an ASCII letter,
/// digit, `_` or `-`.
///
/// This is the rule of the Cloud Base console's "new collection" form (MongoDB alone would
/// allow more). The name is always written as a string literal, so the check is about early,
/// clear errors, not about safety.
pub fn validate_collection_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > MAX_COLLECTION_NAME_LEN {
        return Err(Error::statement(format!(
            "invalid collection name: it must be 1 to {MAX_COLLECTION_NAME_LEN} characters long"
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(Error::statement(format!(
            "invalid collection name: {bad:?} is not allowed (use letters, digits, `_` and `-`)"
        )));
    }
    Ok(())
}

impl Statement {
    /// Writes the statement text, or a [`crate::ErrorKind::Statement`] error naming what cannot
    /// be expressed and where.
    ///
    /// ```
    /// use wxcloud::statement::Statement;
    /// use wxcloud::{Document, Value};
    ///
    /// let filter: Document = [("name".to_string(), Value::from("\"); db.collection(\"x"))].into_iter().collect();
    /// let text = Statement::Count { collection: "users".into(), filter: Some(filter) }.to_text()?;
    /// assert_eq!(text, r#"db.collection("users").where({"name": "\"); db.collection(\"x"}).count()"#);
    /// # Ok::<(), wxcloud::Error>(())
    /// ```
    pub fn to_text(&self) -> Result<String> {
        match self {
            Statement::Query(query) => query_text(query),
            Statement::Count { collection, filter } => count_text(collection, filter.as_ref()),
            Statement::Add {
                collection,
                docs,
                many,
            } => add_text(collection, docs, *many),
            Statement::Update {
                collection,
                target,
                update,
            } => {
                let update = match update {
                    UpdateSpec::Operators(doc) => UpdateRef::Operators(doc),
                    UpdateSpec::Replace(doc) => UpdateRef::Replace(doc),
                };
                update_text(collection, target.into(), update)
            }
            Statement::Remove { collection, target } => remove_text(collection, target.into()),
            Statement::Aggregate { collection, stages } => aggregate_text(collection, stages),
        }
    }
}

/// [`Target`], borrowed: so builders and free functions print without copying their input.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TargetRef<'a> {
    Where(&'a Document),
    Doc(&'a Value),
}

impl<'a> From<&'a Target> for TargetRef<'a> {
    fn from(target: &'a Target) -> Self {
        match target {
            Target::Where(filter) => TargetRef::Where(filter),
            Target::Doc(id) => TargetRef::Doc(id),
        }
    }
}

/// [`UpdateSpec`], borrowed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum UpdateRef<'a> {
    Operators(&'a Document),
    Replace(&'a Document),
}

/// `db.collection(c).aggregate().<stages>.end()`.
pub(crate) fn aggregate_text(collection: &str, stages: &[Document]) -> Result<String> {
    let mut out = String::new();
    write_collection(&mut out, collection)?;
    write_pipeline(&mut out, stages)?;
    Ok(out)
}

/// `db.collection(c)[.where(filter)].count()`.
pub(crate) fn count_text(collection: &str, filter: Option<&Document>) -> Result<String> {
    let mut out = String::new();
    write_collection(&mut out, collection)?;
    write_where(&mut out, filter)?;
    out.push_str(".count()");
    Ok(out)
}

/// `.where(..)/.doc(id)` then `.update({data})` or `.set({data})`.
pub(crate) fn update_text(
    collection: &str,
    target: TargetRef<'_>,
    update: UpdateRef<'_>,
) -> Result<String> {
    let mut out = String::new();
    write_collection(&mut out, collection)?;
    write_target(&mut out, target)?;
    let data = Path::Root("data");
    match update {
        UpdateRef::Operators(doc) => {
            out.push_str(".update({\"data\": ");
            write_update(&mut out, doc, &data)?;
        }
        UpdateRef::Replace(doc) => {
            if matches!(target, TargetRef::Where(_)) {
                return Err(Error::statement(
                    "a replacement (`set`) needs a document id, not a filter",
                ));
            }
            if doc.contains_key("_id") {
                return Err(error_at(&data.key("_id"), "`_id` cannot be replaced"));
            }
            out.push_str(".set({\"data\": ");
            write_document(&mut out, doc, Mode::Data, &data)?;
        }
    }
    out.push_str("})");
    Ok(out)
}

/// `.where(..).remove()` or `.doc(id).remove()`.
pub(crate) fn remove_text(collection: &str, target: TargetRef<'_>) -> Result<String> {
    let mut out = String::new();
    write_collection(&mut out, collection)?;
    write_target(&mut out, target)?;
    out.push_str(".remove()");
    Ok(out)
}

impl ToStatement for Statement {
    fn to_statement(&self) -> Result<Cow<'_, str>> {
        self.to_text().map(Cow::Owned)
    }
}

fn write_collection(out: &mut String, name: &str) -> Result<()> {
    validate_collection_name(name)?;
    out.push_str("db.collection(");
    write_string(out, name);
    out.push(')');
    Ok(())
}

fn write_where(out: &mut String, filter: Option<&Document>) -> Result<()> {
    if let Some(filter) = filter {
        out.push_str(".where(");
        write_filter(out, filter, &Path::Root("where"))?;
        out.push(')');
    }
    Ok(())
}

/// `.doc(id)`: the SDK takes a string or a number.
fn write_doc_id(out: &mut String, id: &Value) -> Result<()> {
    let path = Path::Root("id");
    out.push_str(".doc(");
    match id {
        Value::String(s) => write_string(out, s),
        Value::Int32(n) => write_int(out, (*n).into(), &path)?,
        Value::Int64(n) => write_int(out, *n, &path)?,
        Value::Double(x) => write_double(out, *x, &path)?,
        _ => {
            return Err(error_at(
                &path,
                "a document id must be a string or a number",
            ));
        }
    }
    out.push(')');
    Ok(())
}

fn write_target(out: &mut String, target: TargetRef<'_>) -> Result<()> {
    match target {
        TargetRef::Where(filter) => write_where(out, Some(filter)),
        TargetRef::Doc(id) => write_doc_id(out, id),
    }
}

/// `db.collection(c)....get()`.
pub(crate) fn query_text(query: &Query) -> Result<String> {
    let mut out = String::new();
    write_query(&mut out, query)?;
    Ok(out)
}

fn write_query(out: &mut String, query: &Query) -> Result<()> {
    write_collection(out, &query.collection)?;
    if let Some(id) = &query.doc {
        if query.filter.is_some()
            || !query.order_by.is_empty()
            || query.skip.is_some()
            || query.limit.is_some()
        {
            return Err(Error::statement(
                "a query by document id cannot also have a filter, order, skip or limit",
            ));
        }
        write_doc_id(out, id)?;
    }
    write_where(out, query.filter.as_ref())?;
    for (i, (field, direction)) in query.order_by.iter().enumerate() {
        // The SDK's field path check: the first character is a letter, digit, `-`, `_` or `.`.
        let ok = field
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok {
            return Err(error_at(
                &Path::Root("order_by").index(i),
                format_args!("cannot order by the field {field:?}"),
            ));
        }
        out.push_str(".orderBy(");
        write_string(out, field);
        out.push_str(match direction {
            Direction::Asc => ", \"asc\")",
            Direction::Desc => ", \"desc\")",
        });
    }
    for (name, value) in [("skip", query.skip), ("limit", query.limit)] {
        if let Some(n) = value {
            let n = i64::try_from(n).unwrap_or(i64::MAX);
            out.push('.');
            out.push_str(name);
            out.push('(');
            write_int(out, n, &Path::Root(name))?;
            out.push(')');
        }
    }
    if let Some(fields) = &query.fields {
        out.push_str(".field(");
        write_document(out, fields, Mode::Raw, &Path::Root("fields"))?;
        out.push(')');
    }
    out.push_str(".get()");
    Ok(())
}

/// `db.collection(c).add({data: doc | [docs]})`.
pub(crate) fn add_text(collection: &str, docs: &[Document], many: bool) -> Result<String> {
    let mut out = String::new();
    write_add(&mut out, collection, docs, many)?;
    Ok(out)
}

fn write_add(out: &mut String, collection: &str, docs: &[Document], many: bool) -> Result<()> {
    write_collection(out, collection)?;
    let data = Path::Root("data");
    out.push_str(".add({\"data\": ");
    if many {
        if docs.is_empty() {
            return Err(Error::statement(
                "nothing to add: the list of documents is empty",
            ));
        }
        out.push('[');
        for (i, doc) in docs.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_document(out, doc, Mode::Data, &data.index(i))?;
        }
        out.push(']');
    } else {
        let [doc] = docs else {
            return Err(Error::statement(
                "adding one document needs exactly one document",
            ));
        };
        write_document(out, doc, Mode::Data, &data)?;
    }
    out.push_str("})");
    Ok(())
}
