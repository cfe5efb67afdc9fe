//! Whole collections and recorded SDK chains, for `client.iter_query(..)` and
//! `client.database()` (both in `python/wxcloud/database.py`): the core's keyed walk a page at
//! a time, and a recorded chain turned into its statement by the core's chain lowering.

use std::sync::Arc;

use pyo3::prelude::*;
use tokio::sync::Mutex;
use wxcloud::statement::Statement;
use wxcloud::statement::chain::{self, Operation};
use wxcloud::walk::Pages;

use crate::calls::Reply;
use crate::client::{AsyncClient, Client, runtime};
use crate::convert::py_to_value;
use crate::errors::to_py_err;
use crate::structured::{self, QueryArgs};

/// The statement a recorded chain (`{"collection": .., "calls": [[method, *args], ..]}`, SDK
/// objects tagged `$wxcloud`) means, and the client method that sends it:
/// `(operation, statement)`.
#[pyfunction]
fn _chain_statement(chain: &Bound<'_, PyAny>) -> PyResult<(&'static str, String)> {
    let statement = lower(chain)?;
    let text = statement.to_text().map_err(to_py_err)?;
    Ok((Operation::of(&statement).name(), text))
}

fn lower(chain: &Bound<'_, PyAny>) -> PyResult<Statement> {
    chain::statement_from_value(&py_to_value(chain)?).map_err(to_py_err)
}

/// The SDK names `database.py` builds `db.command`, its `aggregate`, the aggregate chain and
/// `db.Geo` from: `(commands, aggregate_operators, stages, geo_types)`, from the core's one
/// vocabulary.
#[pyfunction]
fn _vocabulary() -> (
    Vec<&'static str>,
    Vec<&'static str>,
    Vec<&'static str>,
    Vec<&'static str>,
) {
    use wxcloud::statement::vocab;
    (
        chain::command_names(),
        vocab::AGGREGATE_OPERATORS.iter().map(|(n, _)| *n).collect(),
        vocab::AGGREGATE_STAGES.to_vec(),
        vocab::GEO_TYPES.to_vec(),
    )
}

/// A walk over every record a query matches, read a page (up to 1,000 records) at a time.
#[pyclass(module = "wxcloud", frozen)]
pub struct QueryPages {
    client: wxcloud::Client,
    pages: Arc<Mutex<Pages>>,
}

async fn next(client: wxcloud::Client, pages: Arc<Mutex<Pages>>) -> wxcloud::Result<Reply> {
    let page = pages.lock().await.next_page(&client).await?;
    // An empty list ends the walk: a page is never empty otherwise.
    Ok(Reply::Documents(page.unwrap_or_default()))
}

#[pymethods]
impl QueryPages {
    /// The next page as a list of dicts, or `None` once every match has been read (blocking,
    /// without the GIL).
    fn next_page<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, pyo3::types::PyList>>> {
        let (client, pages) = (self.client.clone(), self.pages.clone());
        let in_flight = crate::aio::InFlight::start();
        let page =
            py.detach(|| runtime().block_on(async { pages.lock().await.next_page(&client).await }));
        drop(in_flight);
        match page.map_err(to_py_err)? {
            Some(records) => Ok(Some(crate::records::decoded(py, &records)?)),
            None => Ok(None),
        }
    }

    /// An awaitable of the next page as a list of dicts (empty once every match has been read).
    fn next_page_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::aio::spawn(py, next(self.client.clone(), self.pages.clone()))
    }
}

fn core_of(client: &Bound<'_, PyAny>) -> PyResult<wxcloud::Client> {
    if let Ok(c) = client.cast::<Client>() {
        return Ok(c.get().core().clone());
    }
    if let Ok(c) = client.cast::<AsyncClient>() {
        return Ok(c.get().core().clone());
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "expected a wxcloud Client or AsyncClient",
    ))
}

fn walk(
    client: &Bound<'_, PyAny>,
    statement: Statement,
    page_size: Option<u64>,
) -> PyResult<QueryPages> {
    let Statement::Query(query) = statement else {
        return Err(crate::errors::statement(
            "iter() walks a query: end the chain with where/order_by/field",
        ));
    };
    let mut pages = Pages::new(query).map_err(to_py_err)?;
    if let Some(n) = page_size {
        pages = pages.page_size(n).map_err(to_py_err)?;
    }
    Ok(QueryPages {
        client: core_of(client)?,
        pages: Arc::new(Mutex::new(pages)),
    })
}

/// The walk behind `client.iter_query(collection, where=, order_by=, fields=)`.
#[pyfunction]
#[pyo3(signature = (client, collection, *, r#where = None, order_by = None, fields = None, limit = None, page_size = None))]
fn _query_pages(
    client: &Bound<'_, PyAny>,
    collection: &str,
    r#where: Option<&Bound<'_, PyAny>>,
    order_by: Option<&Bound<'_, PyAny>>,
    fields: Option<&Bound<'_, PyAny>>,
    limit: Option<u64>,
    page_size: Option<u64>,
) -> PyResult<QueryPages> {
    let args = QueryArgs {
        filter: r#where,
        order_by,
        skip: None,
        limit,
        fields,
    };
    walk(client, structured::query(collection, args)?, page_size)
}

/// The walk behind `db.collection(..).where(..).iter()`.
#[pyfunction]
#[pyo3(signature = (client, chain, *, page_size = None))]
fn _chain_pages(
    client: &Bound<'_, PyAny>,
    chain: &Bound<'_, PyAny>,
    page_size: Option<u64>,
) -> PyResult<QueryPages> {
    walk(client, lower(chain)?, page_size)
}

/// Adds the functions and class to the `_native` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<QueryPages>()?;
    m.add_function(wrap_pyfunction!(_chain_statement, m)?)?;
    m.add_function(wrap_pyfunction!(_vocabulary, m)?)?;
    m.add_function(wrap_pyfunction!(_query_pages, m)?)?;
    m.add_function(wrap_pyfunction!(_chain_pages, m)?)?;
    Ok(())
}
