//! `statements.*`: the statement each structured form would send, written but not sent — for
//! logs, reviews and other tools.
//!
//! (Their TypeScript declarations live in `node/types-header.d.ts`: `statements.delete` cannot
//! be declared as a namespace function, `delete` being a reserved word.)

use napi_derive::napi;
use wxcloud::statement::{Statement, ToStatement};

use crate::errors::Reply;
use crate::structured::{self, QueryOptions};
use crate::values::{InDocument, InDocuments, InOneOrMany};

/// The text of a statement, or the `WXCLOUD_STATEMENT` error explaining why it cannot be written.
pub(crate) fn write(statement: &Statement) -> wxcloud::Result<String> {
    statement.to_statement().map(|text| text.into_owned())
}

/// The statement of `client.aggregate(collection, pipeline)`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn aggregate(collection: String, pipeline: InDocuments) -> Reply<String> {
    Reply(write(&structured::aggregate(collection, pipeline)))
}

/// The statement of `client.query(collection, {where, orderBy, skip, limit, fields})`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn query(collection: String, options: Option<QueryOptions>) -> Reply<String> {
    Reply(write(&structured::query(collection, options)))
}

/// The statement of `client.count(collection, {where})`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn count(collection: String, options: Option<QueryOptions>) -> Reply<String> {
    Reply(write(&structured::count_of(collection, options)))
}

/// The statement of `client.add(collection, docs)`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn add(collection: String, docs: InOneOrMany) -> Reply<String> {
    Reply(write(&structured::add(collection, docs)))
}

/// The statement of `client.update(collection, where, data)`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn update(collection: String, filter: InDocument, data: InDocument) -> Reply<String> {
    Reply(write(&structured::update(collection, filter, data)))
}

/// The statement of `client.delete(collection, where)`.
#[napi(namespace = "statements", catch_unwind, skip_typescript)]
pub fn delete(collection: String, filter: InDocument) -> Reply<String> {
    Reply(write(&structured::delete(collection, filter)))
}
