//! Statements: the JavaScript-syntax `query` strings the service runs, written safely.
//!
//! Users write MongoDB-style filters, update documents and pipelines; this module writes the
//! statement text for them, with every user value as a literal (never spliced as code), and
//! refuses what the statement language cannot express with a [`crate::ErrorKind::Statement`]
//! error naming the operator and its path, before anything is sent.
//!
//! ```
//! use wxcloud::statement::{Direction, Query};
//! use wxcloud::{Document, Value};
//!
//! let filter: Document = [("age".to_string(),
//!     Value::Document([("$gt".to_string(), Value::Int32(5)), ("$lt".to_string(), Value::Int32(9))].into_iter().collect()))]
//!     .into_iter().collect();
//! let text = wxcloud::statement::query(&Query::new("users").filter(filter).order_by("age", Direction::Asc))?;
//! assert_eq!(text, r#"db.collection("users").where({"age": db.command.gt(5).and(db.command.lt(9))}).orderBy("age", "asc").get()"#);
//! # Ok::<(), wxcloud::Error>(())
//! ```
//!
//! Entry points: the free functions [`aggregate`], [`query`], [`count`], [`add`], [`update`],
//! [`delete`] return the text; the builders [`Aggregate`], [`Query`], [`Count`], [`Add`],
//! [`Update`], [`Delete`] implement [`ToStatement`]; [`Statement::to_text`] prints any statement.
//!
//! Numbers: integers print exactly (an Int64 beyond ±2^53 is refused, since the service's
//! JavaScript would round it), doubles always with a fraction or exponent (`1.0`, `1e300`).
//! JavaScript has one number type, so the service, like the official SDK (js-bson), types a
//! number by its value: a Double holding an integer such as `1.0` is stored as Int32 `1`. No
//! statement can spell an integral Double; the writer keeps the `.0` so the text reads as the
//! input did, and the oracle test (`tests/statement_oracle.rs`) allows exactly this difference.
//!
//! The [`Statement`] type is the meaning of a statement, shared with the emulator's parser: the
//! writer prints it, the parser produces it, and both speak MongoDB's vocabulary for filters,
//! update documents and pipeline stages.

use std::borrow::Cow;

use crate::Result;

mod ast;
mod builder;
pub mod chain;
mod filter;
mod geo;
mod literal;
mod pipeline;
mod print;
mod update;
pub mod vocab;

pub use ast::*;
pub use builder::{
    Add, Aggregate, Count, Delete, Update, add, aggregate, count, delete, query, update,
};
pub use literal::string_from_utf16;
pub use print::{MAX_COLLECTION_NAME_LEN, validate_collection_name};

/// Something that can become the text of a statement: a ready-made string, or a statement the
/// SDK writes from structured input.
pub trait ToStatement {
    /// The statement text to send, or a [`crate::ErrorKind::Statement`] error before anything is sent.
    fn to_statement(&self) -> Result<Cow<'_, str>>;
}

impl ToStatement for str {
    fn to_statement(&self) -> Result<Cow<'_, str>> {
        Ok(Cow::Borrowed(self))
    }
}

impl ToStatement for String {
    fn to_statement(&self) -> Result<Cow<'_, str>> {
        Ok(Cow::Borrowed(self.as_str()))
    }
}

impl<T: ToStatement + ?Sized> ToStatement for &T {
    fn to_statement(&self) -> Result<Cow<'_, str>> {
        (**self).to_statement()
    }
}
