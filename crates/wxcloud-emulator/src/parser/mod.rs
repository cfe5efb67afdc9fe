//! The statement parser (placeholder until the parser lands).

use wxcloud::statement::Statement;

/// A statement the parser cannot accept, with where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line}, column {column}")]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// Parses a statement.
pub fn parse(text: &str, now_ms: i64) -> Result<Statement, ParseError> {
    let _ = (text, now_ms);
    Err(ParseError { line: 1, column: 1, message: "the statement parser is not implemented yet".into() })
}
