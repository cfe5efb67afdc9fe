//! Statements: the JavaScript-syntax `query` strings the service runs, written safely.
//!
//! (Skeleton: the statement work fills this module in: AST, printer, MongoDB translation.)
//! The [`Statement`] type is the meaning of a statement, shared with the emulator's parser: the
//! writer prints it, the parser produces it, and both speak MongoDB's vocabulary for filters,
//! update documents and pipeline stages.

use std::borrow::Cow;

use crate::Result;

mod ast;
pub mod vocab;
pub use ast::*;

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

