//! The result classes of the operations that return more than a list or a number.

use pyo3::prelude::*;
use pyo3::types::PyList;

/// What `query` returns: the records and the pager the service reported.
#[pyclass(module = "wxcloud", frozen, get_all)]
pub struct QueryResult {
    /// The records (dicts, or strings in raw mode).
    pub data: Py<PyAny>,
    /// The pager's offset.
    pub offset: u64,
    /// The pager's limit.
    pub limit: u64,
    /// How many records match in all (not just this page).
    pub total: u64,
}

#[pymethods]
impl QueryResult {
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.data.bind(py).len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.data.bind(py).try_iter()?.into_any())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "QueryResult(<{} records>, offset={}, limit={}, total={})",
            self.data.bind(py).len()?,
            self.offset,
            self.limit,
            self.total
        ))
    }
}

/// What `update` returns.
#[pyclass(module = "wxcloud", frozen, get_all)]
pub struct UpdateResult {
    /// How many records the filter matched.
    pub matched: u64,
    /// How many were changed (a record inserted by `set()` is not counted).
    pub modified: u64,
    /// The `_id` of a record `set()` inserted, if it inserted one.
    pub id: Option<String>,
}

#[pymethods]
impl UpdateResult {
    fn __repr__(&self) -> String {
        format!(
            "UpdateResult(matched={}, modified={}, id={:?})",
            self.matched, self.modified, self.id
        )
    }
}

/// One collection in `list_collections()`.
#[pyclass(module = "wxcloud", frozen, get_all)]
pub struct CollectionInfo {
    /// The collection's name.
    pub name: String,
    /// How many records it holds.
    pub count: u64,
    /// Its size in bytes.
    pub size: u64,
    /// How many indexes it has.
    pub index_count: u64,
    /// The indexes' size in bytes.
    pub index_size: u64,
}

#[pymethods]
impl CollectionInfo {
    fn __repr__(&self) -> String {
        format!("CollectionInfo(name={:?}, count={})", self.name, self.count)
    }
}

/// What `list_collections()` returns: the collections and the pager.
#[pyclass(module = "wxcloud", frozen, get_all)]
pub struct CollectionList {
    /// The collections on this page.
    pub collections: Py<PyList>,
    /// The pager's offset.
    pub offset: u64,
    /// The pager's limit.
    pub limit: u64,
    /// How many collections the env has in all.
    pub total: u64,
}

#[pymethods]
impl CollectionList {
    fn __len__(&self, py: Python<'_>) -> usize {
        self.collections.bind(py).len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.collections.bind(py).try_iter()?.into_any())
    }

    /// The collections' names, in order.
    fn names(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.collections
            .bind(py)
            .iter()
            .map(|c| Ok(c.cast::<CollectionInfo>()?.get().name.clone()))
            .collect()
    }
}

/// What `migrate_status(job_id)` returns.
#[pyclass(module = "wxcloud", frozen, get_all)]
pub struct MigrateStatus {
    /// `"waiting"`, `"reading"`, `"writing"`, `"success"` or `"fail"`, as the service says.
    pub status: String,
    /// Records imported or exported.
    pub record_success: u64,
    /// Records that failed.
    pub record_fail: u64,
    /// The error message, if the job failed.
    pub error_message: Option<String>,
    /// The download URL of an export.
    pub file_url: Option<String>,
}

#[pymethods]
impl MigrateStatus {
    fn __repr__(&self) -> String {
        format!(
            "MigrateStatus(status={:?}, record_success={}, record_fail={})",
            self.status, self.record_success, self.record_fail
        )
    }
}

/// Converts the core's collection list.
pub fn collections(
    py: Python<'_>,
    list: wxcloud::CollectionList,
) -> PyResult<Bound<'_, CollectionList>> {
    let items = PyList::empty(py);
    for c in list.collections {
        items.append(Bound::new(
            py,
            CollectionInfo {
                name: c.name,
                count: c.count,
                size: c.size,
                index_count: c.index_count,
                index_size: c.index_size,
            },
        )?)?;
    }
    let p = list.pager;
    Bound::new(
        py,
        CollectionList {
            collections: items.unbind(),
            offset: p.offset,
            limit: p.limit,
            total: p.total,
        },
    )
}

/// Converts the core's migration status.
pub fn migrate_status(
    py: Python<'_>,
    s: wxcloud::MigrateStatus,
) -> PyResult<Bound<'_, MigrateStatus>> {
    Bound::new(
        py,
        MigrateStatus {
            status: s.status,
            record_success: s.record_success,
            record_fail: s.record_fail,
            error_message: s.err_msg,
            file_url: s.file_url,
        },
    )
}

/// Registers the result classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<QueryResult>()?;
    m.add_class::<UpdateResult>()?;
    m.add_class::<CollectionInfo>()?;
    m.add_class::<CollectionList>()?;
    m.add_class::<MigrateStatus>()?;
    Ok(())
}
