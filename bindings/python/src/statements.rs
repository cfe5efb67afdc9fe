//! `wxcloud.statements`: the statement text of each structured form, without sending it.

use pyo3::prelude::*;
use wxcloud::statement::ToStatement;

use crate::{errors, structured};

/// The text of a statement the core writes from structured arguments.
fn text(statement: wxcloud::statement::Statement) -> PyResult<String> {
    statement
        .to_statement()
        .map(|s| s.into_owned())
        .map_err(errors::to_py_err)
}

/// `wxcloud.statements.aggregate(collection, pipeline)`.
#[pyfunction]
fn statement_aggregate(collection: &str, pipeline: &Bound<'_, PyAny>) -> PyResult<String> {
    text(structured::aggregate(collection, Some(pipeline))?)
}

/// `wxcloud.statements.query(collection, where=, order_by=, skip=, limit=, fields=)`.
#[pyfunction]
#[pyo3(signature = (collection, *, r#where = None, order_by = None, skip = None, limit = None, fields = None))]
fn statement_query(
    collection: &str,
    r#where: Option<&Bound<'_, PyAny>>,
    order_by: Option<&Bound<'_, PyAny>>,
    skip: Option<u64>,
    limit: Option<u64>,
    fields: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    text(structured::query(
        collection,
        structured::QueryArgs {
            filter: r#where,
            order_by,
            skip,
            limit,
            fields,
        },
    )?)
}

/// `wxcloud.statements.count(collection, where=)`.
#[pyfunction]
#[pyo3(signature = (collection, *, r#where = None))]
fn statement_count(collection: &str, r#where: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    text(structured::count(collection, r#where)?)
}

/// `wxcloud.statements.add(collection, doc_or_docs)`.
#[pyfunction]
fn statement_add(collection: &str, docs: &Bound<'_, PyAny>) -> PyResult<String> {
    text(structured::add(collection, Some(docs))?)
}

/// `wxcloud.statements.update(collection, where, data)`.
#[pyfunction]
fn statement_update(
    collection: &str,
    r#where: &Bound<'_, PyAny>,
    data: &Bound<'_, PyAny>,
) -> PyResult<String> {
    text(structured::update(collection, Some(r#where), Some(data))?)
}

/// `wxcloud.statements.delete(collection, where)`.
#[pyfunction]
fn statement_delete(collection: &str, r#where: &Bound<'_, PyAny>) -> PyResult<String> {
    text(structured::delete(collection, Some(r#where))?)
}

/// Registers the statement functions (`wxcloud.statements` wraps them with their public names).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(statement_aggregate, m)?)?;
    m.add_function(wrap_pyfunction!(statement_query, m)?)?;
    m.add_function(wrap_pyfunction!(statement_count, m)?)?;
    m.add_function(wrap_pyfunction!(statement_add, m)?)?;
    m.add_function(wrap_pyfunction!(statement_update, m)?)?;
    m.add_function(wrap_pyfunction!(statement_delete, m)?)?;
    Ok(())
}
