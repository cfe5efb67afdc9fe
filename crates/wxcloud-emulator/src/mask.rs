//! Hiding secrets in what the console shows: tokens, app secrets, tickets, signatures and signed
//! URLs never leave the emulator in a request log entry, a token list or a function call record.

use serde_json::{Map, Value};

/// Words that make a field secret wherever they appear in its name (case-insensitive).
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "ticket",
    "signature",
    "authorization",
    "password",
    "credential",
];

/// Whether a field or query parameter called `name` holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "sign" || SECRET_WORDS.iter().any(|w| name.contains(w))
}

/// A token shown by its first four characters only: `AbCd…(136 chars)`.
pub fn token(token: &str) -> String {
    let head: String = token.chars().take(4).collect();
    format!("{head}…({} chars)", token.chars().count())
}

/// A query string with the value of every secret parameter masked.
pub fn query(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if is_secret_name(name) => format!("{name}={}", token(value)),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A JSON value with every secret field masked, the query of every URL dropped (signed URLs),
/// and JSON carried inside strings (`req_data`, `resp_data`) masked the same way.
pub fn json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(object(map)),
        Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        Value::String(s) => Value::String(string(s)),
        other => other.clone(),
    }
}

fn object(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(k, v)| {
            let shown = match v {
                Value::String(s) if is_secret_name(k) => Value::String(token(s)),
                Value::Null | Value::Bool(_) | Value::Number(_) => v.clone(),
                _ if is_secret_name(k) => Value::String("…(masked)".into()),
                _ => json(v),
            };
            (k.clone(), shown)
        })
        .collect()
}

fn string(s: &str) -> String {
    let trimmed = s.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(inner) = serde_json::from_str::<Value>(s)
    {
        return json(&inner).to_string();
    }
    if (s.starts_with("http://") || s.starts_with("https://")) && s.contains('?') {
        let base = s.split('?').next().unwrap_or_default();
        return format!("{base}?…(signature masked)");
    }
    s.to_owned()
}

/// A captured body as the console shows it: masked JSON, or a note of its size and type
/// (other bodies may carry secrets in forms the emulator cannot parse, so they are not shown).
pub fn body(bytes: Option<&[u8]>, content_type: &str, len: Option<u64>) -> Value {
    match bytes.map(serde_json::from_slice::<Value>) {
        Some(Ok(v)) => json(&v),
        Some(Err(_)) if bytes.is_some_and(<[u8]>::is_empty) => Value::Null,
        _ => {
            let size = len
                .or(bytes.map(|b| b.len() as u64))
                .map_or_else(|| "a streamed body".to_owned(), |n| format!("{n} bytes"));
            let kind = if content_type.is_empty() {
                "no content type"
            } else {
                content_type
            };
            Value::String(format!("<{size}, {kind}: not shown>"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_in_queries_bodies_nested_json_and_urls_are_masked() {
        let secret = "S3cr3tValueThatMustNeverShow";
        assert!(!query(&format!("access_token={secret}&env=e")).contains(secret));
        assert!(query("env=e&limit=5").contains("env=e&limit=5"));
        let body = json!({
            "appid": "wx1",
            "secret": secret,
            "component_appsecret": secret,
            "nested": {"authorizer_refresh_token": secret, "keep": 1},
            "req_data": json!({"password": secret}).to_string(),
            "file_list": [{"download_url": format!("http://127.0.0.1/f?sign={secret}")}],
        });
        let shown = json(&body).to_string();
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("wx1") && shown.contains("\"keep\":1"));
    }

    #[test]
    fn bodies_that_are_not_json_are_described_not_shown() {
        let shown = body(
            Some(b"secret=abc"),
            "application/x-www-form-urlencoded",
            None,
        );
        assert_eq!(
            shown,
            json!("<10 bytes, application/x-www-form-urlencoded: not shown>")
        );
        assert_eq!(body(Some(b""), "", None), Value::Null);
    }
}
