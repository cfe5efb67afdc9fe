//! The statement parser: the JavaScript-syntax `query` strings of the Cloud Base HTTP API to a
//! [`Statement`], without a JavaScript engine.
//!
//! A hand-written lexer and recursive-descent parser accept what the official examples write:
//! method chains on `db.collection(..)`, object and array literals with quoted or unquoted
//! keys, both quote styles with escapes, numbers (typed by value like js-bson), regular
//! expression literals, `new Date(..)`, `db.command.*` (also `_`) with chained `.and/.or`,
//! `db.command.aggregate.*` (also `$`), `db.RegExp`, `db.Geo.*`, `db.serverDate` and leading
//! `const X = ...;` declarations. Only those names resolve; nothing is evaluated as code.
//! Errors carry the line and column where the statement went wrong.
//!
//! ```
//! use wxcloud::statement::Statement;
//!
//! let s = wxcloud_emulator::parser::parse(
//!     r#"db.collection("todos").where({done: false}).limit(5).get()"#,
//!     0,
//! )?;
//! assert!(matches!(s, Statement::Query(q) if q.limit == Some(5)));
//! # Ok::<(), wxcloud_emulator::parser::ParseError>(())
//! ```

mod date;
mod expr;
mod lexer;

use wxcloud::statement::Statement;

/// The longest statement accepted, in bytes.
pub const MAX_LEN: usize = 16 * 1024 * 1024;
/// The deepest nesting of expressions (objects, arrays, calls) accepted.
pub const MAX_DEPTH: u32 = 128;

/// A statement the parser cannot accept, with the line and column (1-based) where it failed.
pub use wxcloud::statement::chain::ChainError as ParseError;

/// Parses one statement. `now_ms` is what `new Date()` without arguments means.
pub fn parse(text: &str, now_ms: i64) -> Result<Statement, ParseError> {
    if text.len() > MAX_LEN {
        return Err(ParseError {
            line: 1,
            column: 1,
            message: format!("statement longer than {MAX_LEN} bytes"),
        });
    }
    let tokens = lexer::tokenize(text)?;
    let (value, pos) = expr::Parser::new(&tokens, now_ms).program()?;
    match value {
        wxcloud::statement::chain::Js::Chain(chain) => wxcloud::statement::chain::statement(chain),
        other => Err(ParseError {
            line: pos.line,
            column: pos.column,
            message: format!(
                "a statement starts with db.collection(..), not {}",
                other.describe()
            ),
        }),
    }
}
