//! MongoDB regular expressions (PCRE syntax with options `i`, `m`, `s`, `x`) on the `regex` crate.

use regex::Regex;

use super::EngineError;

/// Compiles a MongoDB pattern with its option letters. Constructs the `regex` crate lacks
/// (look-around, back-references) are an error naming the pattern.
pub fn compile(pattern: &str, options: &str) -> Result<Regex, EngineError> {
    let mut flags = String::new();
    for c in options.chars() {
        match c {
            'i' | 'm' | 's' | 'x' => {
                if !flags.contains(c) {
                    flags.push(c)
                }
            }
            // `u` (Unicode) is always on here; `l` (locale) has no effect in MongoDB either.
            'u' | 'l' => {}
            other => {
                return Err(EngineError(format!(
                    "invalid flag in regex options: {other}"
                )));
            }
        }
    }
    let source = if flags.is_empty() {
        pattern.to_owned()
    } else {
        format!("(?{flags}){pattern}")
    };
    Regex::new(&source).map_err(|e| {
        EngineError(format!(
            "unsupported regular expression /{pattern}/{options}: {e}"
        ))
    })
}
