//! A client for the WeChat Cloud Base HTTP API: database, cloud functions and file storage.
//!
//! `wxcloud` fetches and caches access tokens, writes database statements without injection,
//! maps the service's error codes to errors a program can act on, retries what is safe to
//! retry, and decodes the Extended JSON records the service returns into [`Value`]s.
//!
//! ```no_run
//! # async fn demo() -> wxcloud::Result<()> {
//! // WXCLOUD_APPID, WXCLOUD_SECRET and WXCLOUD_ENV configure the client.
//! let client = wxcloud::Client::from_env()?;
//! let records = client
//!     .aggregate(r#"db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()"#)
//!     .await?;
//! for record in records {
//!     println!("{}", wxcloud::ejson::to_relaxed_string(&wxcloud::Value::Document(record)));
//! }
//! # Ok(()) }
//! ```
//!
//! Besides the database calls, [`Client::invoke_function`] calls cloud functions and
//! [`Client::upload_file`], [`Client::download_urls`], [`Client::download_file`] and
//! [`Client::delete_files`] manage the env's file storage ([`storage`], [`cos`]).
//!
//! The modules by concept: [`Client`] and [`ClientBuilder`] (the calls), [`token`] (token
//! sources, the cache's store and clock), [`error`] and [`errcode`] (what went wrong),
//! [`retry`] (what is tried again), [`statement`] (writing statements), [`ejson`] (records),
//! [`records`] (the record strings of a reply, for callers that decode them themselves),
//! [`blocking`] (the same client without async), [`walk`] (reading every record a query
//! matches, as a `Stream`).
//!
//! # Choices where the API reference is silent
//!
//! - A refusal from a token endpoint is [`Error::TokenEndpoint`] of kind [`ErrorKind::Token`]
//!   (wrong secret, unknown appid, IP not whitelisted, platform appid) — except busy and quota
//!   codes, which keep their kinds and, for busy, are retried. It is never confused with a stale
//!   token on a database call, which is refreshed once.
//! - 41001 (token missing) on a database call is treated as a stale token: the client never
//!   sends an empty token, so the service lost track of the one it sent.
//! - After a rejection, `stable_token` is asked normally first; `force_refresh` (limited to 20 a
//!   day) is used only if the service hands back the very token that was rejected.
//! - A 2xx reply that is not a JSON object (an HTML page, an empty or truncated body) is a
//!   [`ErrorKind::Transport`] error and is retried for reads; a reply over the size limit
//!   (17 MiB by default) or a JSON reply of the wrong shape is [`ErrorKind::Decode`] and is not.
//! - A client without credentials or env fails with [`Error::Config`], whose kind is
//!   [`ErrorKind::InvalidRequest`]; nothing is sent.
//! - Defaults: 30 s per call (token fetch and retries included), 10 s to connect, 3 retries
//!   for reads with backoff between 0 and 200 ms × 2ⁿ (at most 5 s), tokens refreshed 5 minutes
//!   (at most half their lifetime) before expiry.

#![warn(missing_docs)]

pub mod blocking;
mod builder;
mod client;
pub mod cos;
mod database;
pub mod ejson;
pub mod errcode;
pub mod error;
mod functions;
mod model;
pub mod records;
pub mod retry;
pub mod statement;
pub mod storage;
pub mod token;
mod transport;
pub mod value;
pub mod walk;

pub use builder::{
    Authorizer, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REFRESH_MARGIN,
    DEFAULT_TIMEOUT,
};
pub use bytes::Bytes;
pub use client::Client;
pub use error::{Error, ErrorKind, Result};
pub use functions::{MAX_EVENT_BYTES, QcloudToken};
pub use model::{
    CollectionInfo, CollectionList, ConflictMode, FileType, ImportOptions, IndexDirection,
    IndexKey, IndexSpec, MigrateStatus, Pager, QueryResult, QueryTexts, RawQueryResult,
    UpdateResult,
};
pub use records::RecordTexts;
pub use storage::{DeleteResult, DownloadLink, FileDownload, UploadSource};
pub use token::{AccessToken, TokenMode};
pub use value::{Document, Value};
