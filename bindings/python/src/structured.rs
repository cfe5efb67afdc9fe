//! The structured forms of the operations: Python arguments → the core's `Statement`.
//!
//! Only argument conversion happens here (dicts to documents, `order_by` pairs to directions);
//! the core writes the statement text and refuses what it cannot express.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use wxcloud::statement::{Direction, Query, Statement, Target, UpdateSpec};
use wxcloud::{Document, Value};

use crate::convert::{py_to_document, py_to_value};
use crate::errors;

/// Whether a lone string argument is a statement rather than a collection name. Collection names
/// hold letters, digits, `_` and `-`; every statement calls at least one function.
pub fn is_statement(text: &str) -> bool {
    text.contains('(')
}

fn optional_document(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Document>> {
    match obj {
        Some(o) if !o.is_none() => py_to_document(o).map(Some),
        _ => Ok(None),
    }
}

fn required_document(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Document> {
    optional_document(obj)?
        .ok_or_else(|| errors::statement(format!("{what} is required in the structured form")))
}

/// A list or tuple of documents (a pipeline, or documents to add).
fn documents(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Document>> {
    if !(obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()) {
        return Err(errors::statement(format!("{what} must be a list of dicts")));
    }
    obj.try_iter()?.map(|item| py_to_document(&item?)).collect()
}

/// `aggregate(collection, pipeline)`.
pub fn aggregate(collection: &str, pipeline: Option<&Bound<'_, PyAny>>) -> PyResult<Statement> {
    let stages = match pipeline {
        Some(p) if !p.is_none() => documents(p, "pipeline")?,
        _ => Vec::new(),
    };
    Ok(Statement::Aggregate {
        collection: collection.to_owned(),
        stages,
    })
}

/// Keyword arguments of `query(collection, where=, order_by=, skip=, limit=, fields=)`.
#[derive(Default)]
pub struct QueryArgs<'a, 'py> {
    pub filter: Option<&'a Bound<'py, PyAny>>,
    pub order_by: Option<&'a Bound<'py, PyAny>>,
    pub skip: Option<u64>,
    pub limit: Option<u64>,
    pub fields: Option<&'a Bound<'py, PyAny>>,
}

/// `query(collection, ...)`.
pub fn query(collection: &str, args: QueryArgs<'_, '_>) -> PyResult<Statement> {
    Ok(Statement::Query(Query {
        collection: collection.to_owned(),
        doc: None,
        filter: optional_document(args.filter)?,
        order_by: match args.order_by {
            Some(o) if !o.is_none() => order_by(o)?,
            _ => Vec::new(),
        },
        skip: args.skip,
        limit: args.limit,
        fields: match args.fields {
            Some(f) if !f.is_none() => Some(projection(f)?),
            _ => None,
        },
    }))
}

/// `[(field, "asc" | "desc" | 1 | -1), ...]` (pairs as tuples or lists); a single pair too.
fn order_by(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, Direction)>> {
    let bad = || errors::statement("order_by takes (field, direction) pairs");
    let pair = |item: &Bound<'_, PyAny>| -> PyResult<(String, Direction)> {
        if item.is_instance_of::<PyString>() {
            return Err(bad());
        }
        let parts: Vec<Bound<'_, PyAny>> = item
            .try_iter()
            .map_err(|_| bad())?
            .collect::<PyResult<_>>()?;
        let [field, dir] = parts.as_slice() else {
            return Err(bad());
        };
        Ok((field.extract().map_err(|_| bad())?, direction(dir)?))
    };
    if let Ok(t) = obj.cast::<PyTuple>()
        && t.len() == 2
        && t.get_item(0)?.is_instance_of::<PyString>()
    {
        return Ok(vec![pair(obj)?]);
    }
    obj.try_iter()?.map(|item| pair(&item?)).collect()
}

fn direction(dir: &Bound<'_, PyAny>) -> PyResult<Direction> {
    Direction::from_value(&py_to_value(dir)?).map_err(errors::to_py_err)
}

/// `fields`: a list of field names (each included) or a projection document.
fn projection(obj: &Bound<'_, PyAny>) -> PyResult<Document> {
    if obj.is_instance_of::<PyDict>() {
        return py_to_document(obj);
    }
    if obj.is_instance_of::<PyString>() {
        return Err(errors::statement(
            "fields takes a list of field names or a projection dict",
        ));
    }
    obj.try_iter()?
        .map(|item| {
            let name: String = item?
                .extract()
                .map_err(|_| errors::statement("fields takes a list of field names"))?;
            Ok((name, Value::Bool(true)))
        })
        .collect()
}

/// `count(collection, where=)`.
pub fn count(collection: &str, filter: Option<&Bound<'_, PyAny>>) -> PyResult<Statement> {
    Ok(Statement::Count {
        collection: collection.to_owned(),
        filter: optional_document(filter)?,
    })
}

/// `add(collection, doc_or_docs)`.
pub fn add(collection: &str, docs: Option<&Bound<'_, PyAny>>) -> PyResult<Statement> {
    let docs =
        docs.ok_or_else(|| errors::statement("add() needs a document or a list of documents"))?;
    let (docs, many) = if docs.is_instance_of::<PyDict>() {
        (vec![py_to_document(docs)?], false)
    } else {
        (documents(docs, "documents")?, true)
    };
    Ok(Statement::Add {
        collection: collection.to_owned(),
        docs,
        many,
    })
}

/// `update(collection, where, data)`: `data` is a MongoDB update document (`{"$set": ...}`,
/// `{"$inc": ...}`); plain fields are set, as the Cloud Base SDK's `update({data})` does.
pub fn update(
    collection: &str,
    filter: Option<&Bound<'_, PyAny>>,
    data: Option<&Bound<'_, PyAny>>,
) -> PyResult<Statement> {
    Ok(Statement::Update {
        collection: collection.to_owned(),
        target: Target::Where(required_document(filter, "where")?),
        update: UpdateSpec::Operators(required_document(data, "data")?),
    })
}

/// `delete(collection, where)`.
pub fn delete(collection: &str, filter: Option<&Bound<'_, PyAny>>) -> PyResult<Statement> {
    Ok(Statement::Remove {
        collection: collection.to_owned(),
        target: Target::Where(required_document(filter, "where")?),
    })
}
