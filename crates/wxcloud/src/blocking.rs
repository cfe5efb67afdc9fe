//! A blocking client for programs without an async runtime.
//!
//! It wraps a [`crate::Client`] and a small runtime of its own; every method blocks the
//! calling thread until the call finishes. Do not use it from inside an async runtime (call
//! the async client there), and do not drop the last clone inside one.
//!
//! ```no_run
//! # fn demo() -> wxcloud::Result<()> {
//! let client = wxcloud::Client::builder()
//!     .appid("wx1234567890")
//!     .secret("app-secret")
//!     .env("test2-4a89da")
//!     .build_blocking()?;
//! let n = client.count(r#"db.collection("todos").count()"#)?;
//! # let _ = n; Ok(()) }
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use serde::de::DeserializeOwned;

use crate::RecordTexts;
use crate::model::{
    CollectionList, FileType, ImportOptions, IndexSpec, MigrateStatus, QueryResult, QueryTexts,
    RawQueryResult, UpdateResult,
};
use crate::statement::ToStatement;
use crate::token::TokenInfo;
use crate::{DeleteResult, Document, DownloadLink, Error, QcloudToken, Result, UploadSource};

/// The blocking twin of [`crate::Client`], with the same methods. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl Client {
    /// A builder; finish it with [`crate::ClientBuilder::build_blocking`].
    pub fn builder() -> crate::ClientBuilder {
        crate::ClientBuilder::new()
    }

    /// Wraps an async client with a runtime of its own (one worker thread).
    pub fn from_async(inner: crate::Client) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("wxcloud-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::config(format!("cannot start the blocking client's runtime: {e}"))
            })?;
        Ok(Client {
            inner,
            runtime: Arc::new(runtime),
        })
    }

    /// The async client inside.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// A clone calling env `env`; see [`crate::Client::with_env`].
    pub fn with_env(&self, env: impl Into<String>) -> Client {
        Client {
            inner: self.inner.with_env(env),
            runtime: Arc::clone(&self.runtime),
        }
    }

    /// The env this client calls, if one is set.
    pub fn env(&self) -> Option<&str> {
        self.inner.env()
    }

    fn run<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        self.runtime.block_on(call)
    }

    /// See [`crate::Client::token_info`].
    pub fn token_info(&self) -> Result<TokenInfo> {
        self.run(self.inner.token_info())
    }

    /// See [`crate::Client::aggregate`].
    pub fn aggregate(&self, statement: impl ToStatement) -> Result<Vec<Document>> {
        self.run(self.inner.aggregate(statement))
    }

    /// See [`crate::Client::aggregate_raw`].
    pub fn aggregate_raw(&self, statement: impl ToStatement) -> Result<Vec<String>> {
        self.run(self.inner.aggregate_raw(statement))
    }

    /// See [`crate::Client::aggregate_texts`].
    pub fn aggregate_texts(&self, statement: impl ToStatement) -> Result<RecordTexts> {
        self.run(self.inner.aggregate_texts(statement))
    }

    /// See [`crate::Client::aggregate_as`].
    pub fn aggregate_as<T: DeserializeOwned>(&self, statement: impl ToStatement) -> Result<Vec<T>> {
        self.run(self.inner.aggregate_as(statement))
    }

    /// See [`crate::Client::query`].
    pub fn query(&self, statement: impl ToStatement) -> Result<QueryResult> {
        self.run(self.inner.query(statement))
    }

    /// See [`crate::Client::query_raw`].
    pub fn query_raw(&self, statement: impl ToStatement) -> Result<RawQueryResult> {
        self.run(self.inner.query_raw(statement))
    }

    /// See [`crate::Client::query_texts`].
    pub fn query_texts(&self, statement: impl ToStatement) -> Result<QueryTexts> {
        self.run(self.inner.query_texts(statement))
    }

    /// See [`crate::Client::count`].
    pub fn count(&self, statement: impl ToStatement) -> Result<u64> {
        self.run(self.inner.count(statement))
    }

    /// See [`crate::Client::add`].
    pub fn add(&self, statement: impl ToStatement) -> Result<Vec<String>> {
        self.run(self.inner.add(statement))
    }

    /// See [`crate::Client::update`].
    pub fn update(&self, statement: impl ToStatement) -> Result<UpdateResult> {
        self.run(self.inner.update(statement))
    }

    /// See [`crate::Client::delete`].
    pub fn delete(&self, statement: impl ToStatement) -> Result<u64> {
        self.run(self.inner.delete(statement))
    }

    /// See [`crate::Client::create_collection`].
    pub fn create_collection(&self, name: &str) -> Result<()> {
        self.run(self.inner.create_collection(name))
    }

    /// See [`crate::Client::delete_collection`].
    pub fn delete_collection(&self, name: &str) -> Result<()> {
        self.run(self.inner.delete_collection(name))
    }

    /// See [`crate::Client::list_collections`].
    pub fn list_collections(&self, limit: u64, offset: u64) -> Result<CollectionList> {
        self.run(self.inner.list_collections(limit, offset))
    }

    /// See [`crate::Client::update_index`].
    pub fn update_index(
        &self,
        collection: &str,
        create: &[IndexSpec],
        drop: &[&str],
    ) -> Result<()> {
        self.run(self.inner.update_index(collection, create, drop))
    }

    /// See [`crate::Client::migrate_import`].
    pub fn migrate_import(
        &self,
        collection: &str,
        file_path: &str,
        options: ImportOptions,
    ) -> Result<u64> {
        self.run(self.inner.migrate_import(collection, file_path, options))
    }

    /// See [`crate::Client::migrate_export`].
    pub fn migrate_export(
        &self,
        file_path: &str,
        file_type: FileType,
        statement: impl ToStatement,
    ) -> Result<u64> {
        self.run(self.inner.migrate_export(file_path, file_type, statement))
    }

    /// See [`crate::Client::migrate_status`].
    pub fn migrate_status(&self, job_id: u64) -> Result<MigrateStatus> {
        self.run(self.inner.migrate_status(job_id))
    }

    /// See [`crate::Client::invoke_function`].
    pub fn invoke_function(
        &self,
        name: &str,
        event: &(impl Serialize + Sync + ?Sized),
    ) -> Result<serde_json::Value> {
        self.run(self.inner.invoke_function(name, event))
    }

    /// See [`crate::Client::invoke_function_as`].
    pub fn invoke_function_as<T: DeserializeOwned>(
        &self,
        name: &str,
        event: &(impl Serialize + Sync + ?Sized),
    ) -> Result<T> {
        self.run(self.inner.invoke_function_as(name, event))
    }

    /// See [`crate::Client::invoke_function_raw`].
    pub fn invoke_function_raw(
        &self,
        name: &str,
        event: &(impl Serialize + Sync + ?Sized),
    ) -> Result<String> {
        self.run(self.inner.invoke_function_raw(name, event))
    }

    /// See [`crate::Client::upload_file`]; [`UploadSource::reader`] uploads from a blocking reader.
    pub fn upload_file(&self, cloud_path: &str, source: impl Into<UploadSource>) -> Result<String> {
        self.run(self.inner.upload_file(cloud_path, source))
    }

    /// See [`crate::Client::download_urls`].
    pub fn download_urls<S: AsRef<str> + Sync>(
        &self,
        file_ids: &[S],
        max_age: Duration,
    ) -> Result<Vec<DownloadLink>> {
        self.run(self.inner.download_urls(file_ids, max_age))
    }

    /// See [`crate::Client::download_file`].
    pub fn download_file(&self, file_id: &str) -> Result<Vec<u8>> {
        self.run(self.inner.download_file(file_id))
    }

    /// See [`crate::Client::download_to`].
    pub fn download_to(&self, file_id: &str, path: impl AsRef<Path>) -> Result<u64> {
        self.run(self.inner.download_to(file_id, path))
    }

    /// Downloads one file into `writer`, a chunk at a time, and returns its size; see
    /// [`crate::Client::download_file_stream`].
    pub fn download_into(
        &self,
        file_id: &str,
        writer: &mut (impl std::io::Write + ?Sized),
    ) -> Result<u64> {
        let mut download = self.run(self.inner.download_file_stream(file_id))?;
        let mut written = 0u64;
        while let Some(chunk) = self.run(download.chunk())? {
            writer
                .write_all(&chunk)
                .map_err(crate::storage::write_error)?;
            written += chunk.len() as u64;
        }
        Ok(written)
    }

    /// See [`crate::Client::delete_files`].
    pub fn delete_files<S: AsRef<str> + Sync>(&self, file_ids: &[S]) -> Result<Vec<DeleteResult>> {
        self.run(self.inner.delete_files(file_ids))
    }

    /// See [`crate::Client::qcloud_token`].
    pub fn qcloud_token(&self, lifespan: Duration) -> Result<QcloudToken> {
        self.run(self.inner.qcloud_token(lifespan))
    }

    /// Every record `query` matches, read by key a page (up to 1,000 records) at a time: the
    /// blocking twin of [`crate::Client::iter_query`], as an [`Iterator`].
    ///
    /// ```no_run
    /// # fn demo(client: wxcloud::blocking::Client) -> wxcloud::Result<()> {
    /// use wxcloud::statement::Query;
    ///
    /// for todo in client.iter_query(Query::new("todos"))? {
    ///     println!("{:?}", todo?.get("_id"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn iter_query(&self, query: crate::statement::Query) -> Result<QueryIter> {
        Ok(QueryIter {
            client: self.clone(),
            pages: crate::walk::Pages::new(query)?,
            buffer: std::collections::VecDeque::new(),
            done: false,
        })
    }
}

/// The records of a walk, from [`Client::iter_query`]; an error ends it.
#[derive(Debug)]
pub struct QueryIter {
    client: Client,
    pages: crate::walk::Pages,
    buffer: std::collections::VecDeque<Document>,
    done: bool,
}

impl QueryIter {
    /// Asks for pages of `n` records (1 to 1,000; default 1,000).
    pub fn page_size(mut self, n: u64) -> Result<QueryIter> {
        self.pages = self.pages.page_size(n)?;
        Ok(self)
    }
}

impl Iterator for QueryIter {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        loop {
            if let Some(record) = self.buffer.pop_front() {
                return Some(Ok(record));
            }
            if self.done {
                return None;
            }
            let (client, pages) = (&self.client, &mut self.pages);
            match client.run(pages.next_page(&client.inner)) {
                Ok(Some(page)) => self.buffer.extend(page),
                Ok(None) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
