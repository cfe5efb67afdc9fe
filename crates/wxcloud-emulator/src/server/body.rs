//! Reading request bodies and their fields with the service's error codes.

use axum::body::Bytes;
use axum::http::Method;
use serde_json::{Map, Value};

use crate::reply::ApiError;

/// A POST body as a JSON object: 43002 if not POST, 44002 if empty, 47001 if not a JSON object.
pub fn json_object(method: &Method, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if method != Method::POST {
        return Err(ApiError::require_post());
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::empty_body());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::bad_json()),
    }
}

/// A string field: `None` when absent or null, 40097 when not a string.
pub fn opt_str<'a>(map: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid(field, "must be a string")),
    }
}

/// A required, non-empty string field: 40101 when absent or empty, 40097 when not a string.
pub fn req_str<'a>(map: &'a Map<String, Value>, field: &str) -> Result<&'a str, ApiError> {
    match opt_str(map, field)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::missing(field)),
    }
}

/// A non-negative integer field with a default: 40097 when not one.
pub fn opt_u64(map: &Map<String, Value>, field: &str, default: u64) -> Result<u64, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| ApiError::invalid(field, "must be a non-negative integer")),
    }
}

/// A boolean field (also accepting 0/1): 40097 when neither.
pub fn opt_bool(map: &Map<String, Value>, field: &str) -> Result<bool, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) if v.as_u64() == Some(0) => Ok(false),
        Some(v) if v.as_u64() == Some(1) => Ok(true),
        Some(_) => Err(ApiError::invalid(field, "must be a boolean")),
    }
}
