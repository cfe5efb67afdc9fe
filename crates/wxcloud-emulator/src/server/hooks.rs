//! Test hooks under `/__emulator/` (loopback clients only).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, json};

use super::body::json_object;
use crate::faults::Fault;
use crate::reply::{ApiError, ok};
use crate::state::{Shared, lock};

/// `POST /__emulator/faults` with a [`Fault`].
pub async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let fault = match json_object(&Method::POST, &body).and_then(|m| {
        serde_json::from_value::<Fault>(m.into())
            .map_err(|e| ApiError::invalid("fault", &e.to_string()))
    }) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    if let Err(why) = fault.validate() {
        return ApiError::invalid("fault", &why).into_response();
    }
    lock(&shared.faults).add(fault);
    ok(Map::new())
}

/// `POST /__emulator/tokens/expire`: every token issued so far now answers 42001.
pub async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let now = shared.clock.now_ms();
    lock(&shared.tokens).expire_all(now);
    ok(Map::new())
}

/// `GET /__emulator/stats`: `{"requests": {path: n}, "token_fetches": {path: n}}`.
pub async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    let stats = lock(&shared.stats).clone();
    Json(stats).into_response()
}

/// `POST /__emulator/reset`: drops all data, tokens, faults and counters (and reseeds).
pub async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    match crate::seed::reset(&shared) {
        Ok(()) => ok(Map::new()),
        Err(e) => e.into_response(),
    }
}

/// `POST /__emulator/clock/advance` with `{"ms": N}`: moves the emulator's clock forward.
pub async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let ms = match json_object(&Method::POST, &body) {
        Ok(m) => match m.get("ms").and_then(|v| v.as_u64()) {
            Some(ms) => ms,
            None => return ApiError::missing("ms").into_response(),
        },
        Err(e) => return e.into_response(),
    };
    shared.clock.advance(Duration::from_millis(ms));
    ok(json!({"now_ms": shared.clock.now_ms()})
        .as_object()
        .cloned()
        .unwrap_or_default())
}
