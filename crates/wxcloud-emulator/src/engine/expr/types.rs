//! Comparison, boolean and type-conversion operators.

use std::cmp::Ordering;

use wxcloud::Value;

use super::arith::N;
use super::{truthy, type_name};
use crate::engine::EngineError;
use crate::engine::order::compare;

fn ord(args: &[Value]) -> Ordering {
    compare(&args[0], &args[1])
}

/// `$cmp`: -1, 0 or 1 by BSON order.
pub fn cmp(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Int32(match ord(args) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

/// `$eq`.
pub fn eq(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(ord(args) == Ordering::Equal))
}
/// `$ne`.
pub fn ne(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(ord(args) != Ordering::Equal))
}
/// `$gt`.
pub fn gt(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(ord(args) == Ordering::Greater))
}
/// `$gte`.
pub fn gte(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(ord(args) != Ordering::Less))
}
/// `$lt`.
pub fn lt(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(ord(args) == Ordering::Less))
}
/// `$lte`.
pub fn lte(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(ord(args) != Ordering::Greater))
}
/// `$not`.
pub fn not(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(!truthy(&args[0])))
}

/// `$isNumber`.
pub fn is_number(args: &[Value]) -> Result<Value, EngineError> {
    Ok(Value::Bool(N::of(&args[0]).is_some()))
}

fn cannot(v: &Value, to: &str) -> EngineError {
    EngineError(format!(
        "Unsupported conversion from {} to {to} in $convert with no onError value",
        type_name(v)
    ))
}

/// Converts a value to the named BSON type, as `$convert` does (null stays null).
pub fn convert(v: &Value, to: &str) -> Result<Value, EngineError> {
    if matches!(v, Value::Null) {
        return Ok(Value::Null);
    }
    match to {
        "bool" => Ok(Value::Bool(truthy(v) || matches!(v, Value::String(_)))),
        "string" => Ok(Value::String(match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Int32(i) => i.to_string(),
            Value::Int64(i) => i.to_string(),
            Value::Double(f) => double_string(*f),
            Value::Decimal128(s) => s.clone(),
            Value::Date(ms) => super::date::iso_string(*ms),
            Value::ObjectId(b) => wxcloud::ejson::object_id_hex(b),
            other => return Err(cannot(other, to)),
        })),
        "int" | "long" => {
            let i: i64 = match v {
                Value::Bool(b) => i64::from(*b),
                Value::Int32(i) => (*i).into(),
                Value::Int64(i) => *i,
                Value::Double(f) => {
                    if !f.is_finite() || f.abs() >= 9.2e18 {
                        return Err(EngineError(format!(
                            "Conversion would overflow target type in $convert: {f}"
                        )));
                    }
                    f.trunc() as i64
                }
                Value::Decimal128(s) => crate::engine::order::decimal_to_f64(s).trunc() as i64,
                Value::Date(ms) if to == "long" => *ms,
                Value::String(s) => s.trim().parse().map_err(|_| {
                    EngineError(format!(
                        "Failed to parse number '{s}' in $convert with no onError value"
                    ))
                })?,
                other => return Err(cannot(other, to)),
            };
            if to == "int" {
                i32::try_from(i).map(Value::Int32).map_err(|_| {
                    EngineError(format!(
                        "Conversion would overflow target type in $convert: {i}"
                    ))
                })
            } else {
                Ok(Value::Int64(i))
            }
        }
        "double" | "decimal" => {
            let f = match v {
                Value::Bool(b) => f64::from(u8::from(*b)),
                Value::Date(ms) => *ms as f64,
                Value::String(s) => s.trim().parse().map_err(|_| {
                    EngineError(format!(
                        "Failed to parse number '{s}' in $convert with no onError value"
                    ))
                })?,
                other => N::of(other).ok_or_else(|| cannot(other, to))?.f(),
            };
            Ok(if to == "double" {
                Value::Double(f)
            } else {
                Value::Decimal128(double_string(f))
            })
        }
        "date" => match v {
            Value::Date(ms) => Ok(Value::Date(*ms)),
            Value::Int64(ms) => Ok(Value::Date(*ms)),
            Value::Double(f) => Ok(Value::Date(*f as i64)),
            Value::Decimal128(s) => Ok(Value::Date(crate::engine::order::decimal_to_f64(s) as i64)),
            Value::String(s) => super::date::parse_iso(s)
                .map(Value::Date)
                .ok_or_else(|| EngineError(format!("Error parsing date string '{s}'"))),
            Value::ObjectId(b) => Ok(Value::Date(
                i64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])) * 1000,
            )),
            Value::Timestamp { t, .. } => Ok(Value::Date(i64::from(*t) * 1000)),
            other => Err(cannot(other, to)),
        },
        "objectId" => match v {
            Value::ObjectId(b) => Ok(Value::ObjectId(*b)),
            Value::String(s) if s.len() == 24 && s.bytes().all(|c| c.is_ascii_hexdigit()) => {
                let mut b = [0u8; 12];
                for (i, x) in b.iter_mut().enumerate() {
                    *x = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0);
                }
                Ok(Value::ObjectId(b))
            }
            other => Err(cannot(other, to)),
        },
        other => Err(EngineError(format!(
            "Unknown type name in $convert: {other}"
        ))),
    }
}

/// The shortest decimal text that reads back as the same double (`1.5`, `3`, `NaN`).
pub fn double_string(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        let s = format!("{f}");
        s
    }
}

/// The type name `$convert`'s `to` stands for (numeric codes are accepted too).
pub fn target_name(v: &Value) -> Result<String, EngineError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        v => match N::of(v).map(|n| n.f() as i64) {
            Some(1) => Ok("double".into()),
            Some(2) => Ok("string".into()),
            Some(7) => Ok("objectId".into()),
            Some(8) => Ok("bool".into()),
            Some(9) => Ok("date".into()),
            Some(16) => Ok("int".into()),
            Some(18) => Ok("long".into()),
            Some(19) => Ok("decimal".into()),
            _ => Err(EngineError(
                "$convert's 'to' must be a type name or code".into(),
            )),
        },
    }
}

/// `$toBool`.
pub fn to_bool(a: &[Value]) -> Result<Value, EngineError> {
    convert(&a[0], "bool")
}
/// `$toString`.
pub fn to_string(a: &[Value]) -> Result<Value, EngineError> {
    convert(&a[0], "string")
}
/// `$toInt`.
pub fn to_int(a: &[Value]) -> Result<Value, EngineError> {
    convert(&a[0], "int")
}
/// `$toLong`.
pub fn to_long(a: &[Value]) -> Result<Value, EngineError> {
    convert(&a[0], "long")
}
/// `$toDouble`.
pub fn to_double(a: &[Value]) -> Result<Value, EngineError> {
    convert(&a[0], "double")
}
/// `$toDecimal`.
pub fn to_decimal(a: &[Value]) -> Result<Value, EngineError> {
    convert(&a[0], "decimal")
}
/// `$toDate`.
pub fn to_date(a: &[Value]) -> Result<Value, EngineError> {
    convert(&a[0], "date")
}
/// `$toObjectId`.
pub fn to_object_id(a: &[Value]) -> Result<Value, EngineError> {
    convert(&a[0], "objectId")
}
