//! String operators. Byte-based operators count UTF-8 bytes, `CP` operators count code points.

use wxcloud::Value;

use super::arith::N;
use super::type_name;
use crate::engine::EngineError;

fn string<'a>(name: &str, v: &'a Value) -> Result<Option<&'a str>, EngineError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(EngineError(format!(
            "{name} requires a string argument, found: {}",
            type_name(other)
        ))),
    }
}

fn int_arg(name: &str, v: &Value) -> Result<i64, EngineError> {
    match N::of(v) {
        Some(n) if n.f().fract() == 0.0 => Ok(n.f() as i64),
        _ => Err(EngineError(format!(
            "{name} requires an integral argument, found: {}",
            type_name(v)
        ))),
    }
}

/// `$concat`: null if any argument is null.
pub fn concat(args: &[Value]) -> Result<Value, EngineError> {
    let mut out = String::new();
    for a in args {
        match string("$concat", a)? {
            Some(s) => out.push_str(s),
            None => return Ok(Value::Null),
        }
    }
    Ok(Value::String(out))
}

fn index_of(args: &[Value], name: &str, cp: bool) -> Result<Value, EngineError> {
    let Some(hay) = string(name, &args[0])? else {
        return Ok(Value::Null);
    };
    let needle = string(name, &args[1])?
        .ok_or_else(|| EngineError(format!("{name} requires a string as the second argument")))?;
    let len = if cp { hay.chars().count() } else { hay.len() } as i64;
    let start = args
        .get(2)
        .map(|v| int_arg(name, v))
        .transpose()?
        .unwrap_or(0);
    let end = args
        .get(3)
        .map(|v| int_arg(name, v))
        .transpose()?
        .unwrap_or(len)
        .min(len);
    if start < 0 || end < 0 {
        return Err(EngineError(format!("{name} requires non-negative indexes")));
    }
    if start > end {
        return Ok(Value::Int32(-1));
    }
    let found = if cp {
        let chars: Vec<char> = hay.chars().collect();
        let n: Vec<char> = needle.chars().collect();
        (start as usize..=end as usize)
            .find(|&i| i + n.len() <= end as usize && chars[i..i + n.len()] == n[..])
    } else {
        let (s, e) = (start as usize, end as usize);
        let b = hay.as_bytes();
        let n = needle.as_bytes();
        (s..=e).find(|&i| i + n.len() <= e && &b[i..i + n.len()] == n)
    };
    Ok(Value::Int32(found.map(|i| i as i32).unwrap_or(-1)))
}

/// `$indexOfBytes`.
pub fn index_of_bytes(args: &[Value]) -> Result<Value, EngineError> {
    index_of(args, "$indexOfBytes", false)
}

/// `$indexOfCP`.
pub fn index_of_cp(args: &[Value]) -> Result<Value, EngineError> {
    index_of(args, "$indexOfCP", true)
}

/// `$split`.
pub fn split(args: &[Value]) -> Result<Value, EngineError> {
    let Some(s) = string("$split", &args[0])? else {
        return Ok(Value::Null);
    };
    let sep = string("$split", &args[1])?
        .ok_or_else(|| EngineError("$split requires a string delimiter".into()))?;
    if sep.is_empty() {
        return Err(EngineError("$split requires a non-empty separator".into()));
    }
    Ok(Value::Array(
        s.split(sep).map(|p| Value::String(p.to_owned())).collect(),
    ))
}

/// `$strLenBytes`.
pub fn len_bytes(args: &[Value]) -> Result<Value, EngineError> {
    match &args[0] {
        Value::String(s) => Ok(Value::Int32(s.len() as i32)),
        other => Err(EngineError(format!(
            "$strLenBytes requires a string argument, found: {}",
            type_name(other)
        ))),
    }
}

/// `$strLenCP`.
pub fn len_cp(args: &[Value]) -> Result<Value, EngineError> {
    match &args[0] {
        Value::String(s) => Ok(Value::Int32(s.chars().count() as i32)),
        other => Err(EngineError(format!(
            "$strLenCP requires a string argument, found: {}",
            type_name(other)
        ))),
    }
}

/// Renders a value the way `$toLower`/`$substr` coerce their input (null is empty).
fn coerce(name: &str, v: &Value) -> Result<String, EngineError> {
    Ok(match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Int32(i) => i.to_string(),
        Value::Int64(i) => i.to_string(),
        Value::Double(f) => super::types::double_string(*f),
        Value::Date(ms) => super::date::iso_string(*ms),
        other => {
            return Err(EngineError(format!(
                "{name} cannot convert a {} to a string",
                type_name(other)
            )));
        }
    })
}

/// `$strcasecmp`: case-insensitive comparison (ASCII folding, like MongoDB).
pub fn strcasecmp(args: &[Value]) -> Result<Value, EngineError> {
    let a = coerce("$strcasecmp", &args[0])?.to_ascii_uppercase();
    let b = coerce("$strcasecmp", &args[1])?.to_ascii_uppercase();
    Ok(Value::Int32(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

/// `$toLower` (ASCII letters, like MongoDB).
pub fn to_lower(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::String(
        coerce("$toLower", &args[0])?.to_ascii_lowercase(),
    ))
}

/// `$toUpper` (ASCII letters, like MongoDB).
pub fn to_upper(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::String(
        coerce("$toUpper", &args[0])?.to_ascii_uppercase(),
    ))
}

/// `$substrBytes` / `$substr`: a negative length means "to the end".
pub fn substr_bytes(args: &[Value]) -> Result<Value, EngineError> {
    let s = coerce("$substrBytes", &args[0])?;
    let start = int_arg("$substrBytes", &args[1])?;
    let len = int_arg("$substrBytes", &args[2])?;
    if start < 0 {
        return Ok(Value::String(String::new()));
    }
    let b = s.as_bytes();
    let from = (start as usize).min(b.len());
    let to = if len < 0 {
        b.len()
    } else {
        (from + len as usize).min(b.len())
    };
    if !s.is_char_boundary(from) || !s.is_char_boundary(to) {
        return Err(EngineError(
            "$substrBytes: Invalid range, ending index is in the middle of a UTF-8 character"
                .into(),
        ));
    }
    Ok(Value::String(s[from..to].to_owned()))
}

/// `$substrCP`.
pub fn substr_cp(args: &[Value]) -> Result<Value, EngineError> {
    let s = coerce("$substrCP", &args[0])?;
    let start = int_arg("$substrCP", &args[1])?;
    let len = int_arg("$substrCP", &args[2])?;
    if start < 0 || len < 0 {
        return Err(EngineError(
            "$substrCP: the starting index and length must be non-negative".into(),
        ));
    }
    Ok(Value::String(
        s.chars().skip(start as usize).take(len as usize).collect(),
    ))
}

/// Trims `chars` (default whitespace) from the chosen ends.
pub fn trim(input: &Value, chars: &Value, start: bool, end: bool) -> Result<Value, EngineError> {
    let Some(s) = string("$trim", input)? else {
        return Ok(Value::Null);
    };
    let set: Option<Vec<char>> = match chars {
        Value::Null => None,
        Value::String(c) => Some(c.chars().collect()),
        other => {
            return Err(EngineError(format!(
                "$trim requires 'chars' to be a string, found: {}",
                type_name(other)
            )));
        }
    };
    let is_trim = |c: char| match &set {
        Some(cs) => cs.contains(&c),
        None => c.is_whitespace() || c == '\0',
    };
    let mut t: &str = s;
    if start {
        t = t.trim_start_matches(is_trim);
    }
    if end {
        t = t.trim_end_matches(is_trim);
    }
    Ok(Value::String(t.to_owned()))
}

/// `$replaceOne` / `$replaceAll`.
pub fn replace(input: &Value, find: &Value, with: &Value, all: bool) -> Result<Value, EngineError> {
    let name = if all { "$replaceAll" } else { "$replaceOne" };
    let (Some(s), Some(f), Some(w)) = (
        string(name, input)?,
        string(name, find)?,
        string(name, with)?,
    ) else {
        return Ok(Value::Null);
    };
    Ok(Value::String(if all {
        s.replace(f, w)
    } else {
        s.replacen(f, w, 1)
    }))
}
