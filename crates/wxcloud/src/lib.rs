//! A client for the WeChat Cloud Base database HTTP API.
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
//! The modules by concept: [`Client`] and [`ClientBuilder`] (the calls), [`token`] (token
//! sources, the cache's store and clock), [`error`] and [`errcode`] (what went wrong),
//! [`retry`] (what is tried again), [`statement`] (writing statements), [`ejson`] (records),
//! [`blocking`] (the same client without async).

#![warn(missing_docs)]

pub mod blocking;
mod builder;
mod client;
mod database;
pub mod ejson;
pub mod errcode;
pub mod error;
mod model;
pub mod retry;
pub mod statement;
pub mod token;
mod transport;
pub mod value;

pub use builder::{
    Authorizer, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REFRESH_MARGIN, DEFAULT_TIMEOUT,
};
pub use client::Client;
pub use error::{Error, ErrorKind, Result};
pub use model::{
    CollectionInfo, CollectionList, ConflictMode, FileType, ImportOptions, IndexDirection, IndexKey, IndexSpec,
    MigrateStatus, Pager, QueryResult, RawQueryResult, UpdateResult,
};
pub use token::{AccessToken, TokenMode};
pub use value::{Document, Value};
