//! `wxcloud.Client` (blocking) and `wxcloud.AsyncClient` (asyncio), over one shared tokio runtime.
//!
//! Both hold a core `wxcloud::Client` (cheap to clone; clones share the connection pool and the
//! token cache). The blocking client releases the GIL while it waits, so many Python threads can
//! call it at once; the async client returns asyncio awaitables. Their methods are written once,
//! by `operations!`, and differ only in `submit`.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::calls::{self, Call, Reply, form};
use crate::errors::to_py_err;
use crate::structured::{self, QueryArgs};
use crate::tokens::{LoopSlot, PythonTokenProvider};

/// The runtime every client (and the emulator) runs on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// Builds a core client from `b` (`ClientBuilder::from_env()` for the constructors, so unset
/// options fall back to the `WXCLOUD_*` variables) and the constructor options.
#[allow(clippy::too_many_arguments)]
pub fn build_core(
    py: Python<'_>,
    mut b: wxcloud::ClientBuilder,
    appid: Option<String>,
    secret: Option<String>,
    env: Option<String>,
    base_url: Option<String>,
    access_token: Option<String>,
    token_provider: Option<Py<PyAny>>,
    token_mode: Option<String>,
    timeout: Option<f64>,
    max_retries: Option<u32>,
    loop_slot: &LoopSlot,
) -> PyResult<wxcloud::Client> {
    crate::logging::refresh_level(py);
    if let Some(v) = appid {
        b = b.appid(v);
    }
    if let Some(v) = secret {
        b = b.secret(v);
    }
    if let Some(v) = env {
        b = b.env(v);
    }
    if let Some(v) = base_url {
        b = b.base_url(v);
    }
    if let Some(v) = access_token {
        b = b.access_token(v);
    }
    if let Some(p) = token_provider {
        let provider = std::sync::Arc::new(PythonTokenProvider::new(p, loop_slot.clone()));
        b = b.token_provider(move || {
            let provider = provider.clone();
            async move { provider.fetch().await }
        });
    }
    if let Some(mode) = token_mode {
        let mode: wxcloud::TokenMode = mode
            .parse()
            .map_err(|e: wxcloud::Error| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        b = b.token_mode(mode);
    }
    if let Some(secs) = timeout {
        let t = Duration::try_from_secs_f64(secs).map_err(|_| {
            pyo3::exceptions::PyValueError::new_err("timeout must be a positive number of seconds")
        })?;
        b = b.timeout(t);
    }
    if let Some(n) = max_retries {
        b = b.max_retries(n);
    }
    // Building never does I/O, but it may start the token cache's machinery on the runtime.
    let _guard = runtime().enter();
    b.build().map_err(to_py_err)
}

/// `redis_url=`: one URL (a server, Sentinel, or comma-separated cluster nodes) or a list of
/// cluster node URLs.
#[derive(FromPyObject)]
enum RedisUrl {
    One(String),
    Cluster(Vec<String>),
}

/// `b` keeping tokens in the Redis at `url` (shared by every process using it), if given.
fn with_redis(
    mut b: wxcloud::ClientBuilder,
    url: Option<RedisUrl>,
    ca_file: Option<std::path::PathBuf>,
    key_prefix: Option<String>,
) -> wxcloud::ClientBuilder {
    match url {
        Some(RedisUrl::One(url)) => b = b.redis_url(url),
        Some(RedisUrl::Cluster(nodes)) => b = b.redis_cluster(nodes),
        None => {}
    }
    if let Some(path) = ca_file {
        b = b.redis_ca_file(path);
    }
    if let Some(prefix) = key_prefix {
        b = b.redis_key_prefix(prefix);
    }
    b
}

/// A blocking client for the Cloud Base database. Every method waits for the reply with the GIL
/// released; one client can be shared by many threads.
#[pyclass(module = "wxcloud", frozen)]
pub struct Client {
    core: wxcloud::Client,
    raw: bool,
    loop_slot: LoopSlot,
}

/// An asyncio client for the Cloud Base database: every method returns an awaitable.
#[pyclass(module = "wxcloud", frozen)]
pub struct AsyncClient {
    core: wxcloud::Client,
    raw: bool,
    loop_slot: LoopSlot,
}

impl Client {
    fn submit(&self, py: Python<'_>, call: Call) -> PyResult<Py<PyAny>> {
        let (core, raw) = (self.core.clone(), self.raw);
        let in_flight = crate::aio::InFlight::start();
        // The call runs as a task on the runtime's workers rather than on this thread: a reply's
        // body arrives in chunks, each handed from the connection's task to the call's, and on
        // one worker that handoff is a function call where, to this thread, it is a wake-up.
        let task = runtime().spawn(calls::run(core, raw, call));
        let reply: wxcloud::Result<Reply> = py.detach(|| match runtime().block_on(task) {
            Ok(reply) => reply,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(wxcloud::Error::Transport {
                message: "the call was stopped: the runtime is shutting down".into(),
                status: None,
                request_sent: true,
            }),
        });
        drop(in_flight);
        Ok(reply.map_err(to_py_err)?.into_pyobject(py)?.unbind())
    }

    /// The core client.
    pub fn core(&self) -> &wxcloud::Client {
        &self.core
    }

    /// Wraps a core client in this class (for `with_env` and `Emulator.client()`).
    pub fn wrap(core: wxcloud::Client, raw: bool, loop_slot: LoopSlot) -> Self {
        Client {
            core,
            raw,
            loop_slot,
        }
    }
}

impl AsyncClient {
    fn submit(&self, py: Python<'_>, call: Call) -> PyResult<Py<PyAny>> {
        self.loop_slot.remember_running_loop(py);
        let (core, raw) = (self.core.clone(), self.raw);
        Ok(crate::aio::spawn(py, calls::run(core, raw, call))?.unbind())
    }

    /// The core client.
    pub fn core(&self) -> &wxcloud::Client {
        &self.core
    }

    /// Wraps a core client in this class (for `with_env` and `Emulator.async_client()`).
    pub fn wrap(core: wxcloud::Client, raw: bool, loop_slot: LoopSlot) -> Self {
        AsyncClient {
            core,
            raw,
            loop_slot,
        }
    }
}

/// Writes the constructor, the operations and the context-manager methods of one client class.
macro_rules! operations {
    ($class:ident, { $($extra:tt)* }) => {
        #[pymethods]
        impl $class {
            $($extra)*

            #[new]
            #[pyo3(signature = (appid = None, secret = None, env = None, *, base_url = None, access_token = None,
                token_provider = None, token_mode = None, timeout = None, max_retries = None,
                redis_url = None, redis_ca_file = None, redis_key_prefix = None, raw = false))]
            #[allow(clippy::too_many_arguments)]
            fn new(
                py: Python<'_>,
                appid: Option<String>,
                secret: Option<String>,
                env: Option<String>,
                base_url: Option<String>,
                access_token: Option<String>,
                token_provider: Option<Py<PyAny>>,
                token_mode: Option<String>,
                timeout: Option<f64>,
                max_retries: Option<u32>,
                redis_url: Option<RedisUrl>,
                redis_ca_file: Option<std::path::PathBuf>,
                redis_key_prefix: Option<String>,
                raw: bool,
            ) -> PyResult<Self> {
                let loop_slot = LoopSlot::default();
                let core = build_core(
                    py,
                    with_redis(wxcloud::ClientBuilder::from_env(), redis_url, redis_ca_file, redis_key_prefix), appid, secret, env, base_url, access_token, token_provider, token_mode, timeout,
                    max_retries, &loop_slot,
                )?;
                Ok(Self::wrap(core, raw, loop_slot))
            }

            /// Lets annotations like `Client[str]` (raw mode) work at run time.
            #[classmethod]
            fn __class_getitem__(cls: &Bound<'_, PyType>, _item: &Bound<'_, PyAny>) -> Py<PyType> {
                cls.clone().unbind()
            }

            /// The cloud environment this client addresses.
            #[getter]
            fn env(&self) -> Option<String> {
                self.core.env().map(str::to_owned)
            }

            /// Whether records come back as the service's Extended JSON strings.
            #[getter]
            fn raw(&self) -> bool {
                self.raw
            }

            /// The same client (sharing connections and tokens) addressing another environment.
            fn with_env(&self, env: String) -> Self {
                Self::wrap(self.core.with_env(env), self.raw, self.loop_slot.clone())
            }

            /// `aggregate(statement)` or `aggregate(collection, pipeline)` → list of records.
            #[pyo3(signature = (statement_or_collection, pipeline = None))]
            fn aggregate(&self, py: Python<'_>, statement_or_collection: &str, pipeline: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                let f = form(statement_or_collection, pipeline.is_none(), || {
                    structured::aggregate(statement_or_collection, pipeline)
                })?;
                self.submit(py, Call::Aggregate(f))
            }

            /// `query(statement)` or `query(collection, where=, order_by=, skip=, limit=, fields=)`.
            #[pyo3(signature = (statement_or_collection, *, r#where = None, order_by = None, skip = None, limit = None, fields = None))]
            #[allow(clippy::too_many_arguments)]
            fn query(
                &self,
                py: Python<'_>,
                statement_or_collection: &str,
                r#where: Option<&Bound<'_, PyAny>>,
                order_by: Option<&Bound<'_, PyAny>>,
                skip: Option<u64>,
                limit: Option<u64>,
                fields: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                let nothing_else = r#where.is_none() && order_by.is_none() && skip.is_none() && limit.is_none() && fields.is_none();
                let f = form(statement_or_collection, nothing_else, || {
                    structured::query(statement_or_collection, QueryArgs { filter: r#where, order_by, skip, limit, fields })
                })?;
                self.submit(py, Call::Query(f))
            }

            /// `count(statement)` or `count(collection, where=)` → int.
            #[pyo3(signature = (statement_or_collection, *, r#where = None))]
            fn count(&self, py: Python<'_>, statement_or_collection: &str, r#where: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                let f = form(statement_or_collection, r#where.is_none(), || structured::count(statement_or_collection, r#where))?;
                self.submit(py, Call::Count(f))
            }

            /// `add(statement)` or `add(collection, doc_or_docs)` → list of new `_id`s.
            #[pyo3(signature = (statement_or_collection, docs = None))]
            fn add(&self, py: Python<'_>, statement_or_collection: &str, docs: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                let f = form(statement_or_collection, docs.is_none(), || structured::add(statement_or_collection, docs))?;
                self.submit(py, Call::Add(f))
            }

            /// `update(statement)` or `update(collection, where, data)` → UpdateResult.
            #[pyo3(signature = (statement_or_collection, r#where = None, data = None))]
            fn update(&self, py: Python<'_>, statement_or_collection: &str, r#where: Option<&Bound<'_, PyAny>>, data: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                let f = form(statement_or_collection, r#where.is_none() && data.is_none(), || {
                    structured::update(statement_or_collection, r#where, data)
                })?;
                self.submit(py, Call::Update(f))
            }

            /// `delete(statement)` or `delete(collection, where)` → number of records deleted.
            #[pyo3(signature = (statement_or_collection, r#where = None))]
            fn delete(&self, py: Python<'_>, statement_or_collection: &str, r#where: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                let f = form(statement_or_collection, r#where.is_none(), || structured::delete(statement_or_collection, r#where))?;
                self.submit(py, Call::Delete(f))
            }

            /// Creates a collection.
            fn create_collection(&self, py: Python<'_>, name: String) -> PyResult<Py<PyAny>> {
                self.submit(py, Call::CreateCollection(name))
            }

            /// Deletes a collection and its records.
            fn delete_collection(&self, py: Python<'_>, name: String) -> PyResult<Py<PyAny>> {
                self.submit(py, Call::DeleteCollection(name))
            }

            /// Lists the env's collections → CollectionList.
            #[pyo3(signature = (*, limit = None, offset = None))]
            fn list_collections(&self, py: Python<'_>, limit: Option<u64>, offset: Option<u64>) -> PyResult<Py<PyAny>> {
                self.submit(py, Call::ListCollections { limit, offset })
            }

            /// Creates and drops indexes: `create=[{"name": .., "unique": bool, "keys": [(field, 1 | -1 | "2dsphere")]}]`,
            /// `drop=[name, ...]`.
            #[pyo3(signature = (collection, *, create = None, drop = None))]
            fn update_index(&self, py: Python<'_>, collection: String, create: Option<&Bound<'_, PyAny>>, drop: Option<Vec<String>>) -> PyResult<Py<PyAny>> {
                let create = match create {
                    Some(c) => crate::admin::index_specs(c)?,
                    None => Vec::new(),
                };
                self.submit(py, Call::UpdateIndex { collection, create, drop: drop.unwrap_or_default() })
            }

            /// Starts importing a file (already uploaded to cloud storage) → job id.
            #[pyo3(signature = (collection, file_path, *, file_type = "json", stop_on_error = false, conflict_mode = "insert"))]
            fn migrate_import(&self, py: Python<'_>, collection: String, file_path: String, file_type: &str, stop_on_error: bool, conflict_mode: &str) -> PyResult<Py<PyAny>> {
                let options = wxcloud::ImportOptions {
                    file_type: crate::admin::file_type(file_type)?,
                    stop_on_error,
                    conflict_mode: crate::admin::conflict_mode(conflict_mode)?,
                };
                self.submit(py, Call::MigrateImport { collection, file_path, options })
            }

            /// Starts exporting what a query statement selects to a file → job id.
            #[pyo3(signature = (file_path, query, *, file_type = "json"))]
            fn migrate_export(&self, py: Python<'_>, file_path: String, query: String, file_type: &str) -> PyResult<Py<PyAny>> {
                let file_type = crate::admin::file_type(file_type)?;
                self.submit(py, Call::MigrateExport { file_path, file_type, query })
            }

            /// The state of an import or export job → MigrateStatus.
            fn migrate_status(&self, py: Python<'_>, job_id: u64) -> PyResult<Py<PyAny>> {
                self.submit(py, Call::MigrateStatus(job_id))
            }

            /// Invokes cloud function `name` with `data` as its event (`{}` when None) and
            /// returns its return value decoded from JSON. `data` must be what `json.dumps`
            /// writes (TypeError / ValueError otherwise, before anything is sent). Never repeated
            /// once the service may have received it.
            #[pyo3(signature = (name, data = None))]
            fn invoke_function(&self, py: Python<'_>, name: String, data: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                let event = crate::storage::event(data)?;
                self.submit(py, Call::InvokeFunction { name, event })
            }

            /// Uploads `source` (bytes, a local path, or a binary file object read in chunks) to
            /// `cloud_path` in the env's storage and returns its file ID (`cloud://...`).
            fn upload_file(&self, py: Python<'_>, cloud_path: String, source: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                let source = crate::storage::upload_source(source)?;
                self.submit(py, Call::UploadFile { cloud_path, source })
            }

            /// Downloads one file → bytes. A missing file is `NotFoundError`.
            fn download_file(&self, py: Python<'_>, file_id: String) -> PyResult<Py<PyAny>> {
                self.submit(py, Call::DownloadFile(file_id))
            }

            /// Download links valid for `max_age` seconds → one `DownloadLink` per ID, in input
            /// order; a file without a link is reported in its own entry, not raised.
            #[pyo3(signature = (file_ids, max_age = 7200))]
            fn download_urls(&self, py: Python<'_>, file_ids: Vec<String>, max_age: u64) -> PyResult<Py<PyAny>> {
                let max_age = Duration::from_secs(max_age);
                self.submit(py, Call::DownloadUrls { file_ids, max_age })
            }

            /// Deletes files → one `DeleteResult` per ID, in input order.
            fn delete_files(&self, py: Python<'_>, file_ids: Vec<String>) -> PyResult<Py<PyAny>> {
                self.submit(py, Call::DeleteFiles(file_ids))
            }

            /// Temporary Tencent Cloud credentials valid for `lifespan` seconds → `QcloudToken`.
            #[pyo3(signature = (lifespan = 7200))]
            fn qcloud_token(&self, py: Python<'_>, lifespan: u64) -> PyResult<Py<PyAny>> {
                self.submit(py, Call::QcloudToken(Duration::from_secs(lifespan)))
            }

            fn __repr__(&self) -> String {
                format!("{}(env={:?}, raw={})", stringify!($class), self.core.env().unwrap_or(""), if self.raw { "True" } else { "False" })
            }
        }
    };
}

operations!(Client, {
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        false
    }

    /// Releases nothing yet: connections close when the last clone of the client is dropped.
    fn close(&self) {}
});

operations!(AsyncClient, {
    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        crate::aio::ready(slf.py(), slf.clone().into_any())
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _args: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::aio::ready(
            py,
            pyo3::types::PyBool::new(py, false).to_owned().into_any(),
        )
    }

    /// Releases nothing yet: connections close when the last clone of the client is dropped.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::aio::ready(py, py.None().into_bound(py))
    }
});
