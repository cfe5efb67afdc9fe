//! `statements.*`: the statement each structured form would send, written but not sent — for
//! logs, reviews and other tools.
//!
//! (Their TypeScript declarations live in `node/types-header.d.ts`: `statements.delete` cannot
//! be declared as a namespace function, `delete` being a reserved word.)

use napi_derive::napi;
use wxcloud::statement::{Statement, ToStatement};

use crate::args::Arg;
use crate::errors::Reply;
use crate::structured::{self, QueryOptions};
use crate::values::{Data, Docs, Pipeline, Where};

/// The text of a statement, or the `WXCLOUD_STATEMENT` error explaining why it cannot be written.
fn write(statement: wxcloud::Result<Statement>) -> Reply<String> {
    Reply(statement.and_then(|s| s.to_statement().map(|text| text.into_owned())))
}

/// The statement of `client.aggregate(collection, pipeline)`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn aggregate(collection: String, pipeline: Arg<Pipeline>) -> Reply<String> {
    write(structured::aggregate(collection, Some(pipeline)))
}

/// The statement of `client.query(collection, {where, orderBy, skip, limit, fields})`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn query(collection: String, options: Option<Arg<QueryOptions>>) -> Reply<String> {
    write(structured::query(collection, options))
}

/// The statement of `client.count(collection, {where})`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn count(collection: String, options: Option<Arg<QueryOptions>>) -> Reply<String> {
    write(structured::count_of(collection, options))
}

/// The statement of `client.add(collection, docs)`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn add(collection: String, docs: Arg<Docs>) -> Reply<String> {
    write(structured::add(collection, docs))
}

/// The statement of `client.update(collection, where, data)`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn update(collection: String, filter: Arg<Where>, data: Arg<Data>) -> Reply<String> {
    write(structured::update(collection, filter, data))
}

/// The statement of `client.delete(collection, where)`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn delete(collection: String, filter: Arg<Where>) -> Reply<String> {
    write(structured::delete(collection, filter))
}
