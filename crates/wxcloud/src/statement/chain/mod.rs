//! Collection chains — `db.collection("c").where({..}).orderBy(..).get()` — and what they mean.
//!
//! One implementation of the `wx-server-sdk` / `@cloudbase/database` semantics, used twice:
//! the emulator's statement parser lowers the chains it parses here, and the Python and Node
//! `client.database()` surfaces hand their recorded chains here (see [`from_value`]). The
//! lowering ([`lower`]) encodes a `where` object the way the SDK's serializer does: nested plain
//! objects become dot paths, a field's `_.gt(1).and(_.lt(5))` or `_.or(..)` becomes a top-level
//! `$and`/`$or`, plain `update({data})` fields become `$set` by path while `_.set(..)` replaces
//! the field, and `db.RegExp`, `db.Geo.*` and `db.serverDate` become their values.
//!
//! ```
//! use wxcloud::statement::chain;
//! use wxcloud::Value;
//!
//! // What Python's `db.collection("todos").where({"n": _.gt(5)}).get()` records.
//! let recorded: Value = wxcloud::ejson::decode_value(
//!     r#"{"collection": "todos", "calls": [["where", {"n": {"$wxcloud": "gt", "args": [5]}}], ["get"]]}"#,
//! )?;
//! let statement = chain::statement_from_value(&recorded)?;
//! assert_eq!(
//!     wxcloud::statement::Statement::to_text(&statement)?,
//!     r#"db.collection("todos").where({"n": db.command.gt(5)}).get()"#,
//! );
//! # Ok::<(), wxcloud::Error>(())
//! ```

mod functions;
mod js;
mod lower;
mod tagged;

pub use functions::{call_function, geo_shape};
pub use js::{Call, Chain, Cmd, Func, Js, Pos};
pub use lower::{filter, number, stage, statement, to_value};
pub use tagged::{COMMAND_TAG, from_value, is_command, statement_from_value};

/// A chain that does not mean a statement, with the line and column (1-based) where it went
/// wrong when it was parsed from text (both 0 for a chain recorded by a binding).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", at(*line, *column))]
pub struct ChainError {
    /// 1-based line (0: no position).
    pub line: u32,
    /// 1-based column, in characters (0: no position).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

fn at(line: u32, column: u32) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" at line {line}, column {column}")
    }
}

impl From<ChainError> for crate::Error {
    fn from(e: ChainError) -> crate::Error {
        crate::Error::statement(e.to_string())
    }
}

pub(crate) fn err(pos: Pos, message: impl Into<String>) -> ChainError {
    ChainError {
        line: pos.line,
        column: pos.column,
        message: message.into(),
    }
}

/// The endpoint a statement goes to, named as the client method that sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `databasequery` (`.get()`, `.doc(id).get()`).
    Query,
    /// `databasecount` (`.count()`).
    Count,
    /// `databaseadd` (`.add(..)`).
    Add,
    /// `databaseupdate` (`.update(..)`, `.doc(id).set(..)`).
    Update,
    /// `databasedelete` (`.remove()`).
    Delete,
    /// `databaseaggregate` (`.aggregate()...end()`).
    Aggregate,
}

impl Operation {
    /// The operation `statement` is sent with.
    pub fn of(statement: &crate::statement::Statement) -> Operation {
        use crate::statement::Statement as S;
        match statement {
            S::Query(_) => Operation::Query,
            S::Count { .. } => Operation::Count,
            S::Add { .. } => Operation::Add,
            S::Update { .. } => Operation::Update,
            S::Remove { .. } => Operation::Delete,
            S::Aggregate { .. } => Operation::Aggregate,
        }
    }

    /// The client method's name: `"query"`, `"count"`, `"add"`, `"update"`, `"delete"` or
    /// `"aggregate"` (the same in Rust, Python and Node).
    pub fn name(self) -> &'static str {
        match self {
            Operation::Query => "query",
            Operation::Count => "count",
            Operation::Add => "add",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::Aggregate => "aggregate",
        }
    }
}

/// Every `db.command` method name a chain may use: the query, logic and update commands of
/// the shared vocabulary, and `expr`. What the Python and Node `db.command` offer.
pub fn command_names() -> Vec<&'static str> {
    use crate::statement::vocab;
    let mut names: Vec<&'static str> = vocab::QUERY_COMMANDS.iter().map(|(n, _)| *n).collect();
    names.extend(vocab::UPDATE_COMMANDS.iter().map(|(n, _)| *n));
    names.push("expr");
    names
}
