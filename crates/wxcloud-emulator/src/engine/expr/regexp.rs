//! The regular-expression operators `$regexMatch`, `$regexFind` and `$regexFindAll`.

use wxcloud::{Document, Value};

use super::type_name;
use crate::engine::EngineError;

/// Which regular-expression operator.
#[derive(Debug, Clone, Copy)]
pub enum RegexMode {
    /// `$regexMatch`: a boolean.
    Match,
    /// `$regexFind`: the first match or null.
    Find,
    /// `$regexFindAll`: every match.
    FindAll,
}

/// Runs one regular-expression operator on its evaluated arguments.
pub fn regex_op(
    input: &Value,
    re: &Value,
    opts: &Value,
    mode: RegexMode,
) -> Result<Value, EngineError> {
    let (pattern, mut options) = match re {
        Value::Null => return Ok(null_result(mode)),
        Value::String(s) => (s.clone(), String::new()),
        Value::Regex { pattern, options } => (pattern.clone(), options.clone()),
        other => {
            return Err(EngineError(format!(
                "$regex operators need a string or regex, found {}",
                type_name(other)
            )));
        }
    };
    if let Value::String(o) = opts {
        options.push_str(o);
    }
    let s = match input {
        Value::Null => return Ok(null_result(mode)),
        Value::String(s) => s,
        other => {
            return Err(EngineError(format!(
                "$regex operators need a string input, found {}",
                type_name(other)
            )));
        }
    };
    let re = crate::engine::regex::compile(&pattern, &options)?;
    let found = |c: regex::Captures<'_>| {
        let m = c.get(0).map(|m| (m.as_str(), m.start())).unwrap_or(("", 0));
        let mut d = Document::new();
        d.insert("match".into(), Value::String(m.0.to_owned()));
        d.insert("idx".into(), Value::Int32(s[..m.1].chars().count() as i32));
        d.insert(
            "captures".into(),
            Value::Array(
                c.iter()
                    .skip(1)
                    .map(|g| {
                        g.map(|g| Value::String(g.as_str().to_owned()))
                            .unwrap_or(Value::Null)
                    })
                    .collect(),
            ),
        );
        Value::Document(d)
    };
    Ok(match mode {
        RegexMode::Match => Value::Bool(re.is_match(s)),
        RegexMode::Find => re.captures(s).map(found).unwrap_or(Value::Null),
        RegexMode::FindAll => Value::Array(re.captures_iter(s).map(found).collect()),
    })
}

fn null_result(mode: RegexMode) -> Value {
    match mode {
        RegexMode::Match => Value::Bool(false),
        RegexMode::Find => Value::Null,
        RegexMode::FindAll => Value::Array(vec![]),
    }
}
