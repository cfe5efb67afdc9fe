//! The service's error replies: `{"errcode": N, "errmsg": "..."}` with HTTP status 200.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json_};
use wxcloud::ejson;

/// An error the emulator answers with, exactly as the real service spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The errcode (never 0).
    pub errcode: i64,
    /// The errmsg.
    pub errmsg: String,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(errcode: i64, errmsg: impl Into<String>) -> Self {
        ApiError {
            errcode,
            errmsg: errmsg.into(),
        }
    }

    /// 43002: the endpoint wants POST.
    pub fn require_post() -> Self {
        Self::new(43002, "require POST method")
    }
    /// 43001: the endpoint wants GET.
    pub fn require_get() -> Self {
        Self::new(43001, "require GET method")
    }
    /// 44002: the POST body is empty.
    pub fn empty_body() -> Self {
        Self::new(44002, "empty post data")
    }
    /// 47001: the POST body is not the JSON the endpoint expects.
    pub fn bad_json() -> Self {
        Self::new(47001, "data format error")
    }
    /// 40101: a required field is missing.
    pub fn missing(field: &str) -> Self {
        Self::new(40101, format!("missing parameter: {field}"))
    }
    /// 40097: a field has the wrong type or an invalid value.
    pub fn invalid(field: &str, why: &str) -> Self {
        Self::new(40097, format!("invalid args: {field} {why}"))
    }
    /// -501007: the environment is not one the emulator serves.
    pub fn env_not_exists(env: &str) -> Self {
        Self::new(
            -501007,
            format!("Invalid parameter: env not exists ({env})"),
        )
    }
    /// -502005: the collection does not exist.
    pub fn collection_not_exists(name: &str) -> Self {
        Self::new(-502005, format!("database collection not exists: {name}"))
    }
    /// -502001: the database refused the operation (duplicate key, collection exists, ...).
    pub fn database(why: impl std::fmt::Display) -> Self {
        Self::new(-502001, format!("database request fail: {why}"))
    }
    /// -502002: the statement cannot be accepted.
    pub fn statement(why: impl std::fmt::Display) -> Self {
        Self::new(-502002, format!("illegal database command: {why}"))
    }
}

/// The errcode a reply carries, attached to the response so the request log can read it
/// without parsing the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errcode(pub i64);

/// A success reply: `{"errcode": 0, "errmsg": "ok"}` followed by `fields`.
pub fn ok(fields: Map<String, Json_>) -> Response {
    let mut body = Map::new();
    body.insert("errcode".into(), 0.into());
    body.insert("errmsg".into(), "ok".into());
    body.extend(fields);
    let mut response = json_response(&Json_::Object(body));
    response.extensions_mut().insert(Errcode(0));
    response
}

/// `value` as an `application/json` response, the bytes axum's `Json` sends, written into a
/// plain `Vec` with the core's string writer: a reply of many records is mostly their text,
/// every quote of it escaped, and [`ejson::write_json_string`] copies the runs between escapes
/// whole where `serde_json` looks at each byte.
fn json_response(value: &Json_) -> Response {
    let mut bytes = Vec::new();
    write_json(&mut bytes, value);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

/// Appends `value` as compact JSON, byte for byte what `serde_json::to_vec` writes.
fn write_json(out: &mut Vec<u8>, value: &Json_) {
    match value {
        Json_::String(s) => ejson::write_json_string(out, s),
        Json_::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(out, item);
            }
            out.push(b']');
        }
        Json_::Object(entries) => {
            out.push(b'{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                ejson::write_json_string(out, key);
                out.push(b':');
                write_json(out, item);
            }
            out.push(b'}');
        }
        // Numbers, booleans and null: writing them into a Vec cannot fail.
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response =
            Json(serde_json::json!({"errcode": self.errcode, "errmsg": self.errmsg}))
                .into_response();
        response.extensions_mut().insert(Errcode(self.errcode));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_written_byte_for_byte_as_serde_json_writes_them() {
        let value = serde_json::json!({
            "errcode": 0,
            "errmsg": "ok",
            "data": ["{\"_id\":\"a\",\"n\":{\"$numberDouble\":\"1.5\"}}", "tab\there\u{1}\u{2028}é"],
            "pager": {"Offset": 0, "Limit": 10, "Total": -1, "f": 1.5, "b": [true, null]},
            "": {}
        });
        let mut out = Vec::new();
        write_json(&mut out, &value);
        assert_eq!(out, serde_json::to_vec(&value).unwrap());
    }
}
