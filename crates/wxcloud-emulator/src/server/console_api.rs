//! The console's JSON endpoints for the request log, tokens, faults and cloud functions
//! (loopback only, like every `/__emulator/` hook). Every reply is `{"errcode": 0, ...}` or an
//! error with the emulator's errcode.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use crate::reply::{ApiError, ok};
use crate::request_log::Filter;
use crate::state::{Shared, lock};

/// The routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__emulator/requests", get(requests).delete(clear_requests))
        .route("/__emulator/requests/{seq}", get(request))
        .route("/__emulator/tokens", get(tokens))
        .route("/__emulator/faults", get(faults).delete(clear_faults))
        .route("/__emulator/functions", get(functions))
}

/// The fields of a success reply.
pub(super) fn fields(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `GET /__emulator/requests?after=SEQ&path=TEXT&errcode=N`: `{"last_seq", "requests": [..]}`,
/// oldest first, bodies left out, tokens masked.
async fn requests(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let number = |key: &str| {
        params
            .get(key)
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().parse::<i64>())
    };
    let after = match number("after").transpose() {
        Ok(a) => a.unwrap_or(0).max(0) as u64,
        Err(_) => return ApiError::invalid("after", "must be a number").into_response(),
    };
    let errcode = match number("errcode").transpose() {
        Ok(c) => c,
        Err(_) => return ApiError::invalid("errcode", "must be a number").into_response(),
    };
    let filter = Filter {
        after,
        path: params.get("path").filter(|p| !p.is_empty()).cloned(),
        errcode,
    };
    let log = lock(&shared.requests);
    let list: Vec<Value> = log.matching(&filter).iter().map(|e| e.summary()).collect();
    ok(fields(
        json!({"last_seq": log.last_seq(), "requests": list}),
    ))
}

/// `GET /__emulator/requests/{seq}`: one request with its bodies, secrets masked.
async fn request(State(shared): State<Arc<Shared>>, Path(seq): Path<String>) -> Response {
    let Ok(seq) = seq.parse::<u64>() else {
        return ApiError::invalid("seq", "must be a number").into_response();
    };
    let log = lock(&shared.requests);
    match log.get(seq) {
        Some(e) => ok(fields(json!({"request": e.detail()}))),
        None => ApiError::new(
            -1,
            format!(
                "request {seq} is not in the log (it keeps the last {})",
                log.capacity()
            ),
        )
        .into_response(),
    }
}

/// `DELETE /__emulator/requests`: empties the log.
async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.requests).clear();
    ok(Map::new())
}

/// `GET /__emulator/tokens`: `{"now_ms", "tokens": [{"token" (masked), "kind", "appid",
/// "expires_ms", "expires_in", "state"}]}`.
async fn tokens(State(shared): State<Arc<Shared>>) -> Response {
    let now = shared.clock.now_ms();
    let list = lock(&shared.tokens).list(now);
    ok(fields(json!({"now_ms": now, "tokens": list})))
}

/// `GET /__emulator/faults`: the pending faults, each with `left` (calls it still applies to).
async fn faults(State(shared): State<Arc<Shared>>) -> Response {
    let list: Vec<Value> = lock(&shared.faults)
        .pending()
        .into_iter()
        .map(|(fault, left)| {
            let mut v = serde_json::to_value(fault).unwrap_or(Value::Null);
            v["left"] = left.into();
            v
        })
        .collect();
    ok(fields(json!({"faults": list})))
}

/// `DELETE /__emulator/faults`: drops every pending fault.
async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.faults).clear();
    ok(Map::new())
}

/// `GET /__emulator/functions`: `{"functions": [names], "invocations": [..]}`, the last calls
/// newest first with their event, reply, errcode and duration (secrets masked).
async fn functions(State(shared): State<Arc<Shared>>) -> Response {
    let names = shared.functions.names();
    let calls: Vec<Value> = lock(&shared.invocations)
        .newest_first()
        .map(|c| c.to_json())
        .collect();
    ok(fields(json!({"functions": names, "invocations": calls})))
}
