//! `Client`: every database call as a method returning a Promise.
//!
//! Each record-level operation takes either a statement (`aggregate(statement)`) or a
//! collection plus structured arguments (`aggregate(collection, pipeline)`), which the core
//! writes into a statement. A lone string is a statement when it calls something (contains
//! `(`), otherwise a collection name.

use napi::Env;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use wxcloud::statement::Statement;

use crate::args::{Arg, optional};
use crate::errors::{Reply, throwable};
use crate::options::{ClientOptions, IndexChanges, MigrateOptions};
use crate::raw::Js;
use crate::replies::{Collections, Count, Migration, Page, Rows, Updated};
use crate::storage::{Credentials, Deleted, Event, Json, Links, Source};
use crate::structured::{self, QueryOptions};
use crate::values::{Data, Docs, Pipeline, Where};

/// A client for one app and cloud environment. Cheap to share: every call on it (and on
/// clients from `withEnv`) shares one connection pool and one token cache.
#[napi]
pub struct Client {
    inner: wxcloud::Client,
    raw: bool,
}

impl Client {
    /// Wraps a core client (used by `Emulator.client()`).
    pub(crate) fn from_core(inner: wxcloud::Client, raw: bool) -> Self {
        Client { inner, raw }
    }

    /// The core client.
    pub(crate) fn core(&self) -> &wxcloud::Client {
        &self.inner
    }
}

/// A statement to send: the caller's text, or one the core writes.
enum Target {
    Text(String),
    Built(Box<Statement>),
}

impl Target {
    fn built(statement: Statement) -> Target {
        Target::Built(Box::new(statement))
    }

    /// The caller's text when `text` calls something and no structured argument was given;
    /// otherwise the structured form built by `build`.
    fn pick(
        text: String,
        structured: bool,
        build: impl FnOnce(String) -> wxcloud::Result<Statement>,
    ) -> wxcloud::Result<Target> {
        if !structured && text.contains('(') {
            Ok(Target::Text(text))
        } else {
            build(text).map(Target::built)
        }
    }
}

/// Sends a target (or fails with the error that building it met).
macro_rules! send {
    ($client:expr, $method:ident, $target:expr) => {
        match $target {
            Ok(Target::Text(text)) => $client.$method(text.as_str()).await,
            Ok(Target::Built(statement)) => $client.$method(&*statement).await,
            Err(e) => Err(e),
        }
    };
}

#[napi]
impl Client {
    /// A client configured by `options`, falling back to the `WXCLOUD_*` environment variables.
    #[napi(constructor, catch_unwind, ts_args_type = "options?: ClientOptions")]
    pub fn new(env: Env, options: Option<ClientOptions>) -> napi::Result<Self> {
        let options = options.unwrap_or_default();
        let raw = options.raw;
        options
            .apply(wxcloud::ClientBuilder::from_env())
            .build()
            .map(|inner| Client { inner, raw })
            .map_err(|e| throwable(Js(env.raw()), &e))
    }

    /// The same client (pool, token cache) calling another cloud environment.
    #[napi(catch_unwind)]
    pub fn with_env(&self, env: String) -> Client {
        Client {
            inner: self.inner.with_env(env),
            raw: self.raw,
        }
    }

    /// The cloud environment calls go to.
    #[napi(getter, catch_unwind, ts_return_type = "string | null")]
    pub fn env(&self) -> Option<String> {
        self.inner.env().map(str::to_owned)
    }

    /// Runs an aggregation: `aggregate(statement)` or `aggregate(collection, pipeline)`.
    #[napi(
        catch_unwind,
        ts_generic_types = "T = Document",
        ts_args_type = "statementOrCollection: string, pipeline?: Document[]",
        ts_return_type = "Promise<T[]>"
    )]
    pub async fn aggregate(&self, target: String, pipeline: Option<Arg<Pipeline>>) -> Reply<Rows> {
        let target = Target::pick(target, pipeline.is_some(), |c| {
            structured::aggregate(c, pipeline)
        });
        let rows = if self.raw { Rows::Raw } else { Rows::Records };
        Reply(send!(self.inner, aggregate_texts, target).map(rows))
    }

    /// Runs a query: `query(statement)` or `query(collection, {where, orderBy, skip, limit,
    /// fields})`; resolves to `{data, offset, limit, total}`.
    #[napi(
        catch_unwind,
        ts_generic_types = "T = Document",
        ts_args_type = "statementOrCollection: string, options?: QueryOptions",
        ts_return_type = "Promise<QueryResult<T>>"
    )]
    pub async fn query(&self, target: String, options: Option<Arg<QueryOptions>>) -> Reply<Page> {
        let target = Target::pick(target, options.is_some(), |c| structured::query(c, options));
        let rows = if self.raw { Rows::Raw } else { Rows::Records };
        Reply(send!(self.inner, query_texts, target).map(|r| Page {
            data: rows(r.data),
            pager: r.pager,
        }))
    }

    /// Counts records: `count(statement)` or `count(collection, {where})`.
    #[napi(
        catch_unwind,
        ts_args_type = "statementOrCollection: string, options?: CountOptions",
        ts_return_type = "Promise<number>"
    )]
    pub async fn count(&self, target: String, options: Option<Arg<QueryOptions>>) -> Reply<Count> {
        let target = Target::pick(target, options.is_some(), |c| {
            structured::count_of(c, options)
        });
        Reply(send!(self.inner, count, target).map(Count))
    }

    /// Inserts records: `add(statement)` or `add(collection, docOrDocs)`; resolves to their ids.
    /// Never repeated once the service may have received it.
    #[napi(
        catch_unwind,
        ts_args_type = "statementOrCollection: string, docs?: Document | Document[]",
        ts_return_type = "Promise<string[]>"
    )]
    pub async fn add(&self, target: String, docs: Option<Arg<Docs>>) -> Reply<Vec<String>> {
        let target = match docs {
            Some(docs) => structured::add(target, docs).map(Target::built),
            None => Ok(Target::Text(target)),
        };
        Reply(send!(self.inner, add, target))
    }

    /// Updates records: `update(statement)` or `update(collection, where, data)` with a
    /// MongoDB update document (`{$set: ..}`, `{$inc: ..}`); resolves to
    /// `{matched, modified, id}`. Never repeated once the service may have received it.
    #[napi(
        catch_unwind,
        ts_args_type = "statementOrCollection: string, where?: Document, data?: Document",
        ts_return_type = "Promise<UpdateResult>"
    )]
    pub async fn update(
        &self,
        target: String,
        filter: Option<Arg<Where>>,
        data: Option<Arg<Data>>,
    ) -> Reply<Updated> {
        let target = match (filter, data) {
            (Some(filter), Some(data)) => {
                structured::update(target, filter, data).map(Target::built)
            }
            (None, None) => Ok(Target::Text(target)),
            _ => {
                return Reply(Err(wxcloud::Error::statement(
                    "update(collection, where, data) needs both where and data",
                )));
            }
        };
        Reply(send!(self.inner, update, target).map(Updated))
    }

    /// Deletes records: `delete(statement)` or `delete(collection, where)` (`{}` deletes every
    /// record); resolves to how many were deleted. Never repeated once the service may have
    /// received it.
    #[napi(
        catch_unwind,
        ts_args_type = "statementOrCollection: string, where?: Document",
        ts_return_type = "Promise<number>"
    )]
    pub async fn delete(&self, target: String, filter: Option<Arg<Where>>) -> Reply<Count> {
        let target = match filter {
            Some(filter) => structured::delete(target, filter).map(Target::built),
            None if target.contains('(') => Ok(Target::Text(target)),
            None => {
                return Reply(Err(wxcloud::Error::statement(
                    "delete(collection, where) needs a filter; pass {} to delete every record",
                )));
            }
        };
        Reply(send!(self.inner, delete, target).map(Count))
    }

    /// Creates a collection.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub async fn create_collection(&self, name: String) -> Reply<()> {
        Reply(self.inner.create_collection(&name).await)
    }

    /// Deletes a collection and its records.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub async fn delete_collection(&self, name: String) -> Reply<()> {
        Reply(self.inner.delete_collection(&name).await)
    }

    /// Lists collections with their counts and sizes: `{collections, offset, limit, total}`.
    #[napi(
        catch_unwind,
        ts_args_type = "options?: ListOptions",
        ts_return_type = "Promise<CollectionList>"
    )]
    pub async fn list_collections(&self, options: Option<ListOptions>) -> Reply<Collections> {
        let o = options.unwrap_or_default();
        Reply(
            self.inner
                .list_collections(o.limit.map_or(10, u64::from), o.offset.map_or(0, u64::from))
                .await
                .map(Collections),
        )
    }

    /// Creates and drops indexes of a collection.
    #[napi(
        catch_unwind,
        ts_args_type = "collection: string, changes: IndexChanges",
        ts_return_type = "Promise<void>"
    )]
    pub async fn update_index(&self, collection: String, changes: Arg<IndexChanges>) -> Reply<()> {
        let changes = match changes.get() {
            Ok(c) => c,
            Err(e) => return Reply(Err(e)),
        };
        let drop: Vec<&str> = changes.drop.iter().map(String::as_str).collect();
        Reply(
            self.inner
                .update_index(&collection, &changes.create, &drop)
                .await,
        )
    }

    /// Starts importing a file from the env's cloud storage into a collection; resolves to the
    /// job id for `migrateStatus`.
    #[napi(
        catch_unwind,
        ts_args_type = "collection: string, filePath: string, options?: ImportOptions",
        ts_return_type = "Promise<number>"
    )]
    pub async fn migrate_import(
        &self,
        collection: String,
        file_path: String,
        options: Option<Arg<MigrateOptions>>,
    ) -> Reply<Count> {
        let o = match optional(options) {
            Ok(o) => o.0,
            Err(e) => return Reply(Err(e)),
        };
        Reply(
            self.inner
                .migrate_import(&collection, &file_path, o)
                .await
                .map(Count),
        )
    }

    /// Starts exporting what a statement selects to a file in the env's cloud storage; resolves
    /// to the job id for `migrateStatus`.
    #[napi(
        catch_unwind,
        ts_args_type = "filePath: string, statement: string, options?: ExportOptions",
        ts_return_type = "Promise<number>"
    )]
    pub async fn migrate_export(
        &self,
        file_path: String,
        statement: String,
        options: Option<Arg<MigrateOptions>>,
    ) -> Reply<Count> {
        let file_type = match optional(options) {
            Ok(o) => o.0.file_type,
            Err(e) => return Reply(Err(e)),
        };
        Reply(
            self.inner
                .migrate_export(&file_path, file_type, statement.as_str())
                .await
                .map(Count),
        )
    }

    /// The state of a migration job.
    #[napi(catch_unwind, ts_return_type = "Promise<MigrateStatus>")]
    pub async fn migrate_status(&self, job_id: i64) -> Reply<Migration> {
        let job_id = match u64::try_from(job_id) {
            Ok(id) => id,
            Err(_) => {
                return Reply(Err(wxcloud::Error::config(
                    "migrateStatus: job id must be non-negative",
                )));
            }
        };
        Reply(self.inner.migrate_status(job_id).await.map(Migration))
    }

    /// Invokes cloud function `name` with `data` as its event (`{}` when omitted) and resolves
    /// to its return value. `data` is sent as `JSON.stringify` writes it; a value it refuses
    /// (a cycle, a BigInt) rejects before anything is sent. Never repeated once the service may
    /// have received it.
    #[napi(
        catch_unwind,
        ts_generic_types = "T = any",
        ts_args_type = "name: string, data?: unknown",
        ts_return_type = "Promise<T>"
    )]
    pub async fn invoke_function(&self, name: String, data: Option<Arg<Event>>) -> Reply<Json> {
        let event = match optional_event(data) {
            Ok(e) => e,
            Err(e) => return Reply(Err(e)),
        };
        Reply(self.inner.invoke_function(&name, &event).await.map(Json))
    }

    /// Uploads `source` — a Buffer or Uint8Array, a local file's path, or a `Readable` (read
    /// chunk by chunk as it is sent, never held whole) — to `cloudPath` in the env's storage
    /// and resolves to its file ID (`cloud://...`).
    #[napi(
        catch_unwind,
        ts_args_type = "cloudPath: string, source: UploadSource",
        ts_return_type = "Promise<string>"
    )]
    pub async fn upload_file(&self, cloud_path: String, source: Arg<Source>) -> Reply<String> {
        let source = match source.get() {
            Ok(s) => s.0,
            Err(e) => return Reply(Err(e)),
        };
        Reply(self.inner.upload_file(&cloud_path, source).await)
    }

    /// Downloads one file into a Buffer. A missing file rejects with `WXCLOUD_NOT_FOUND`.
    #[napi(catch_unwind, ts_return_type = "Promise<Buffer>")]
    pub async fn download_file(&self, file_id: String) -> Reply<Buffer> {
        Reply(self.inner.download_file(&file_id).await.map(Buffer::from))
    }

    /// Download links valid for `maxAge` seconds (default 7200), one per ID in input order; a
    /// file without a link is reported in its own entry (`status`, `errmsg`), not rejected.
    #[napi(
        catch_unwind,
        ts_args_type = "fileIds: string[], options?: DownloadUrlOptions",
        ts_return_type = "Promise<DownloadLink[]>"
    )]
    pub async fn download_urls(
        &self,
        file_ids: Vec<String>,
        options: Option<DownloadUrlOptions>,
    ) -> Reply<Links> {
        let max_age = match seconds(options.and_then(|o| o.max_age), "downloadUrls: maxAge") {
            Ok(d) => d,
            Err(e) => return Reply(Err(e)),
        };
        Reply(
            self.inner
                .download_urls(&file_ids, max_age)
                .await
                .map(Links),
        )
    }

    /// Deletes files, reporting each one's outcome in input order.
    #[napi(catch_unwind, ts_return_type = "Promise<DeleteResult[]>")]
    pub async fn delete_files(&self, file_ids: Vec<String>) -> Reply<Deleted> {
        Reply(self.inner.delete_files(&file_ids).await.map(Deleted))
    }

    /// Temporary Tencent Cloud credentials valid for `lifespan` seconds (default 7200).
    #[napi(
        catch_unwind,
        ts_args_type = "lifespan?: number",
        ts_return_type = "Promise<QcloudToken>"
    )]
    pub async fn qcloud_token(&self, lifespan: Option<f64>) -> Reply<Credentials> {
        let lifespan = match seconds(lifespan, "qcloudToken: lifespan") {
            Ok(d) => d,
            Err(e) => return Reply(Err(e)),
        };
        Reply(self.inner.qcloud_token(lifespan).await.map(Credentials))
    }
}

/// `listCollections({limit, offset})`.
#[napi(object)]
#[derive(Default)]
pub struct ListOptions {
    /// How many collections per page (default 10).
    pub limit: Option<u32>,
    /// How many to skip.
    pub offset: Option<u32>,
}

/// `downloadUrls(fileIds, { maxAge })`.
#[napi(object)]
#[derive(Default)]
pub struct DownloadUrlOptions {
    /// How long the links stay valid, in seconds (default 7200).
    pub max_age: Option<f64>,
}

/// A number of seconds (default 7200, the service's default for links and credentials); the
/// core refuses what is under one second.
fn seconds(value: Option<f64>, what: &str) -> wxcloud::Result<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(value.unwrap_or(7200.0)).map_err(|_| {
        wxcloud::Error::invalid_argument(format!("{what} must be a number of seconds"))
    })
}

/// The event of `invokeFunction`: none (`null`, sent as `{}`) when omitted.
fn optional_event(data: Option<Arg<Event>>) -> wxcloud::Result<serde_json::Value> {
    data.map_or(Ok(serde_json::Value::Null), |d| d.get().map(|e| e.0))
}
