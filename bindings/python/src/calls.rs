//! One operation, ready to run: parsed from Python arguments while attached to Python, then run
//! by the core without Python, and its reply turned into Python objects afterwards.
//!
//! `Client` (blocking) and `AsyncClient` (asyncio) share all of this; they differ only in how
//! they wait for [`run`].

use std::borrow::Cow;

use pyo3::prelude::*;
use wxcloud::statement::{Statement, ToStatement};

use crate::structured;

/// A statement the caller wrote, or one the core writes from structured arguments.
pub enum Form {
    /// Sent as is.
    Text(String),
    /// Written by the core.
    Built(Box<Statement>),
}

impl ToStatement for Form {
    fn to_statement(&self) -> wxcloud::Result<Cow<'_, str>> {
        match self {
            Form::Text(s) => Ok(Cow::Borrowed(s)),
            Form::Built(s) => s.to_statement(),
        }
    }
}

/// Picks the statement form when the first argument is a statement and nothing else is given.
pub fn form(
    first: &str,
    nothing_else: bool,
    build: impl FnOnce() -> PyResult<Statement>,
) -> PyResult<Form> {
    if nothing_else && structured::is_statement(first) {
        Ok(Form::Text(first.to_owned()))
    } else {
        build().map(|s| Form::Built(Box::new(s)))
    }
}

/// One operation with its arguments.
pub enum Call {
    Aggregate(Form),
    Query(Form),
    Count(Form),
    Add(Form),
    Update(Form),
    Delete(Form),
    CreateCollection(String),
    DeleteCollection(String),
    ListCollections {
        limit: Option<u64>,
        offset: Option<u64>,
    },
    UpdateIndex {
        collection: String,
        create: Vec<wxcloud::IndexSpec>,
        drop: Vec<String>,
    },
    MigrateImport {
        collection: String,
        file_path: String,
        options: wxcloud::ImportOptions,
    },
    MigrateExport {
        file_path: String,
        file_type: wxcloud::FileType,
        query: String,
    },
    MigrateStatus(u64),
    InvokeFunction {
        name: String,
        event: serde_json::Value,
    },
    UploadFile {
        cloud_path: String,
        source: wxcloud::UploadSource,
    },
    DownloadFile(String),
    DownloadUrls {
        file_ids: Vec<String>,
        max_age: std::time::Duration,
    },
    DeleteFiles(Vec<String>),
    QcloudToken(std::time::Duration),
}

/// What an operation returned, still in Rust; becomes Python objects in `into_pyobject`.
pub enum Reply {
    /// Record strings, decoded into dicts in one pass when handed to Python.
    Records(wxcloud::RecordTexts),
    /// Records the core has already decoded (a walk's pages).
    Documents(Vec<wxcloud::Document>),
    /// Record strings handed to Python as `str`s (raw mode).
    Raw(wxcloud::RecordTexts),
    Query {
        data: Box<Reply>,
        offset: u64,
        limit: u64,
        total: u64,
    },
    Int(u64),
    Ids(Vec<String>),
    Update {
        matched: u64,
        modified: u64,
        id: Option<String>,
    },
    Collections(wxcloud::CollectionList),
    JobId(u64),
    Migrate(wxcloud::MigrateStatus),
    Json(serde_json::Value),
    Text(String),
    Bytes(Vec<u8>),
    Links(Vec<wxcloud::DownloadLink>),
    Deleted(Vec<wxcloud::DeleteResult>),
    Credentials(wxcloud::QcloudToken),
    Nothing,
}

/// Record strings as a reply: kept as they are in raw mode, else decoded once Python is at hand.
fn rows(raw: bool, texts: wxcloud::RecordTexts) -> Reply {
    if raw {
        Reply::Raw(texts)
    } else {
        Reply::Records(texts)
    }
}

/// Runs a call on the core client. `raw` keeps records as the Extended JSON strings the service
/// returned.
pub async fn run(client: wxcloud::Client, raw: bool, call: Call) -> wxcloud::Result<Reply> {
    Ok(match call {
        Call::Aggregate(f) => rows(raw, client.aggregate_texts(&f).await?),
        Call::Query(f) => {
            let page = client.query_texts(&f).await?;
            let p = page.pager;
            Reply::Query {
                data: Box::new(rows(raw, page.data)),
                offset: p.offset,
                limit: p.limit,
                total: p.total,
            }
        }
        Call::Count(f) => Reply::Int(client.count(&f).await?),
        Call::Add(f) => Reply::Ids(client.add(&f).await?),
        Call::Update(f) => {
            let r = client.update(&f).await?;
            Reply::Update {
                matched: r.matched,
                modified: r.modified,
                id: r.id,
            }
        }
        Call::Delete(f) => Reply::Int(client.delete(&f).await?),
        Call::CreateCollection(name) => {
            client.create_collection(&name).await?;
            Reply::Nothing
        }
        Call::DeleteCollection(name) => {
            client.delete_collection(&name).await?;
            Reply::Nothing
        }
        Call::ListCollections { limit, offset } => Reply::Collections(
            client
                .list_collections(limit.unwrap_or(10), offset.unwrap_or(0))
                .await?,
        ),
        Call::UpdateIndex {
            collection,
            create,
            drop,
        } => {
            let drop: Vec<&str> = drop.iter().map(String::as_str).collect();
            client.update_index(&collection, &create, &drop).await?;
            Reply::Nothing
        }
        Call::MigrateImport {
            collection,
            file_path,
            options,
        } => Reply::JobId(
            client
                .migrate_import(&collection, &file_path, options)
                .await?,
        ),
        Call::MigrateExport {
            file_path,
            file_type,
            query,
        } => Reply::JobId(
            client
                .migrate_export(&file_path, file_type, query.as_str())
                .await?,
        ),
        Call::MigrateStatus(job_id) => Reply::Migrate(client.migrate_status(job_id).await?),
        Call::InvokeFunction { name, event } => {
            Reply::Json(client.invoke_function(&name, &event).await?)
        }
        Call::UploadFile { cloud_path, source } => {
            Reply::Text(client.upload_file(&cloud_path, source).await?)
        }
        Call::DownloadFile(file_id) => Reply::Bytes(client.download_file(&file_id).await?),
        Call::DownloadUrls { file_ids, max_age } => {
            Reply::Links(client.download_urls(&file_ids, max_age).await?)
        }
        Call::DeleteFiles(file_ids) => Reply::Deleted(client.delete_files(&file_ids).await?),
        Call::QcloudToken(lifespan) => Reply::Credentials(client.qcloud_token(lifespan).await?),
    })
}

impl<'py> IntoPyObject<'py> for Reply {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self {
            Reply::Records(texts) => crate::records::documents(py, &texts)?.into_any(),
            Reply::Documents(docs) => crate::records::decoded(py, &docs)?.into_any(),
            Reply::Raw(texts) => pyo3::types::PyList::new(py, &texts)?.into_any(),
            Reply::Query {
                data,
                offset,
                limit,
                total,
            } => {
                let data = data.into_pyobject(py)?.unbind();
                Bound::new(
                    py,
                    crate::results::QueryResult {
                        data,
                        offset,
                        limit,
                        total,
                    },
                )?
                .into_any()
            }
            Reply::Int(n) => n.into_pyobject(py)?.into_any(),
            Reply::Ids(ids) => ids.into_pyobject(py)?.into_any(),
            Reply::Update {
                matched,
                modified,
                id,
            } => Bound::new(
                py,
                crate::results::UpdateResult {
                    matched,
                    modified,
                    id,
                },
            )?
            .into_any(),
            Reply::Collections(list) => crate::results::collections(py, list)?.into_any(),
            Reply::JobId(id) => id.into_pyobject(py)?.into_any(),
            Reply::Migrate(status) => crate::results::migrate_status(py, status)?.into_any(),
            Reply::Json(value) => crate::storage::json_to_py(py, &value)?,
            Reply::Text(text) => text.into_pyobject(py)?.into_any(),
            Reply::Bytes(bytes) => pyo3::types::PyBytes::new(py, &bytes).into_any(),
            Reply::Links(links) => {
                let links = links.into_iter().map(crate::storage::DownloadLink::from);
                pyo3::types::PyList::new(py, links)?.into_any()
            }
            Reply::Deleted(results) => {
                let results = results.into_iter().map(crate::storage::DeleteResult::from);
                pyo3::types::PyList::new(py, results)?.into_any()
            }
            Reply::Credentials(token) => {
                Bound::new(py, crate::storage::QcloudToken::from(token))?.into_any()
            }
            Reply::Nothing => py.None().into_bound(py),
        })
    }
}
