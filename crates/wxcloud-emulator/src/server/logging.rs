//! The request log layer: records every service request (hooks and the console excluded) in
//! the bounded [`RequestLog`](crate::request_log::RequestLog) the console reads.
//!
//! Cheap by design: a body is kept only when it is small (its bytes are reference-counted, not
//! copied); large or streamed bodies (file uploads and downloads) pass through untouched.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, HttpBody, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::reply::Errcode;
use crate::request_log::{CAPTURE_LIMIT, Captured, Entry};
use crate::state::{Shared, lock};

/// Runs the request and logs it with its reply.
pub async fn log_requests(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().starts_with(super::HOOKS) || !lock(&shared.requests).enabled() {
        return next.run(request).await;
    }
    let started = Instant::now();
    let time_ms = shared.clock.now_ms();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let (parts, body) = request.into_parts();
    let (body, request_body) = capture(&parts.headers, body).await;
    let response = next.run(Request::from_parts(parts, body)).await;
    let duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    let errcode = response.extensions().get::<Errcode>().map(|e| e.0);
    let (parts, body) = response.into_parts();
    let (body, reply_body) = capture(&parts.headers, body).await;
    lock(&shared.requests).push(Entry {
        seq: 0,
        time_ms,
        method,
        path,
        query,
        status,
        errcode,
        duration_us,
        request: request_body,
        reply: reply_body,
    });
    Response::from_parts(parts, body)
}

/// Keeps a copy of `body` when its length is declared and small; otherwise only describes it.
async fn capture(headers: &HeaderMap, body: Body) -> (Body, Captured) {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .or_else(|| HttpBody::size_hint(&body).exact());
    let mut captured = Captured {
        bytes: None,
        content_type,
        len: declared,
    };
    match declared {
        Some(n) if n <= CAPTURE_LIMIT as u64 => match to_bytes(body, CAPTURE_LIMIT).await {
            Ok(bytes) => {
                captured.bytes = Some(bytes.clone());
                (Body::from(bytes), captured)
            }
            // The client sent less (or more) than it declared: hyper has failed the body.
            Err(_) => (Body::empty(), captured),
        },
        _ => (body, captured),
    }
}
