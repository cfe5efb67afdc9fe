//! `POST /tcb/invokecloudfunction?access_token=..&env=..&name=..`: runs a cloud function.
//!
//! Checks run in the service's order: method (43002), token (41001, 40014, 40001, 42001), body
//! (44002 when empty), `env` and `name` (40101), env (-501007), event size (-501000 over 6 MB),
//! event (47001 unless a JSON object); then the function runs (see [`crate::functions`]).
//! The open-platform form of the call, with `env`, `name` and `req_data` (the event as a string)
//! in the body instead of the URL, is accepted too.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::Method;
use serde_json::{Map, Value};

use super::body::json_object;
use crate::functions::MAX_FUNCTION_PAYLOAD;
use crate::invocations::Invocation;
use crate::reply::ApiError;
use crate::state::{Shared, lock};

/// Runs the call; the success fields are `resp_data`.
pub async fn invoke(
    shared: Arc<Shared>,
    params: HashMap<String, String>,
    method: Method,
    body: Bytes,
) -> Result<Map<String, Value>, ApiError> {
    if method != Method::POST {
        return Err(ApiError::require_post());
    }
    let now = shared.clock.now_ms();
    let holder = lock(&shared.tokens).check(
        params.get("access_token").map(String::as_str),
        super::tcb::DATABASE_TOKENS,
        now,
    )?;
    let call = Call::read(&params, &method, &body)?;
    if !shared.has_env(&call.env) {
        return Err(ApiError::env_not_exists(&call.env));
    }
    if call.event.len() > MAX_FUNCTION_PAYLOAD {
        return Err(ApiError::new(
            -501000,
            "[RequestTooLarge] the request event exceeds the upper limit (6MB)",
        ));
    }
    let mut event = match serde_json::from_slice::<Value>(&call.event) {
        Ok(Value::Object(event)) => event,
        _ => return Err(ApiError::bad_json()),
    };
    event.insert(
        "userInfo".into(),
        serde_json::json!({ "appId": holder.appid }),
    );
    let event = Value::Object(event);
    let started = std::time::Instant::now();
    let outcome = shared.functions.invoke(&call.name, event.clone()).await;
    lock(&shared.invocations).push(Invocation {
        time_ms: now,
        name: call.name,
        event,
        outcome: outcome.clone().map_err(|e| (e.errcode, e.errmsg.clone())),
        duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
    });
    let resp_data = outcome?;
    let mut out = Map::new();
    out.insert("resp_data".into(), resp_data.into());
    Ok(out)
}

/// Which function to run where, and its event's bytes.
struct Call {
    env: String,
    name: String,
    event: Vec<u8>,
}

impl Call {
    fn read(
        params: &HashMap<String, String>,
        method: &Method,
        body: &Bytes,
    ) -> Result<Call, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::empty_body());
        }
        let param = |key: &str| params.get(key).filter(|v| !v.is_empty()).cloned();
        if let Some(name) = param("name") {
            let env = param("env").ok_or_else(|| ApiError::missing("env"))?;
            return Ok(Call {
                env,
                name,
                event: body.to_vec(),
            });
        }
        // The open-platform form: {"env", "name", "req_data"} in the body.
        let b = json_object(method, body)?;
        let field = |key: &str| {
            b.get(key)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| ApiError::missing(key))
        };
        let name = field("name")?;
        let env = param("env").map_or_else(|| field("env"), Ok)?;
        let event = b
            .get("req_data")
            .and_then(Value::as_str)
            .map(|s| s.as_bytes().to_vec())
            .unwrap_or_else(|| b"{}".to_vec());
        Ok(Call { env, name, event })
    }
}
