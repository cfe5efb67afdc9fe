//! A client for the WeChat Cloud Base database HTTP API.
//!
//! `wxcloud` fetches and caches access tokens, writes database statements without injection,
//! maps the service's error codes to errors a program can act on, retries what is safe to
//! retry, and decodes the Extended JSON records the service returns into [`Value`]s.

pub mod ejson;
pub mod error;
pub mod statement;
pub mod value;

pub use error::{Error, ErrorKind, Result};
pub use value::{Document, Value};
