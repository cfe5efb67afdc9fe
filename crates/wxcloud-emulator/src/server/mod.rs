//! The HTTP server: routes, the fault and statistics layer, and the test hooks.

pub(crate) mod body;
mod cgi;
pub mod conn;
mod console;
mod console_api;
mod console_db;
mod console_files;
mod cos;
mod functions;
mod hooks;
mod logging;
pub(crate) mod storage;
mod tcb;

pub(crate) use tcb::collection_name;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};

use crate::reply::ApiError;
use crate::state::{Shared, lock};
use conn::Conn;

/// The largest request body accepted (axum's default of 2 MiB would refuse large adds).
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// Path prefix of the test hooks.
pub const HOOKS: &str = "/__emulator/";

/// The emulator's routes over `shared`.
pub fn router(shared: Arc<Shared>) -> Router {
    let service = Router::new()
        .route("/cgi-bin/token", any(cgi::token))
        .route("/cgi-bin/stable_token", any(cgi::stable_token))
        .route(
            "/cgi-bin/component/api_component_token",
            any(cgi::component_token),
        )
        .route(
            "/cgi-bin/component/api_authorizer_token",
            any(cgi::authorizer_token),
        )
        .route("/tcb/{op}", any(tcb::handle))
        .route(
            "/cos/{bucket}",
            post(cos::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/cos/{bucket}/{*path}",
            get(cos::download)
                .post(cos::upload_at)
                .layer(DefaultBodyLimit::disable()),
        )
        .fallback(unknown_path)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            count_and_inject,
        ))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            logging::log_requests,
        ));
    let hooks = Router::new()
        .route("/__emulator/faults", post(hooks::add_fault))
        .route("/__emulator/tokens/expire", post(hooks::expire_tokens))
        .route("/__emulator/stats", get(hooks::stats))
        .route("/__emulator/reset", post(hooks::reset))
        .route("/__emulator/clock/advance", post(hooks::advance_clock))
        .merge(console::routes())
        .merge(console_api::routes())
        .merge(console_db::routes())
        .merge(console_files::routes())
        .layer(middleware::from_fn(loopback_only));
    service
        .merge(hooks)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared)
}

async fn unknown_path() -> Response {
    (StatusCode::NOT_FOUND, ApiError::new(40066, "invalid url")).into_response()
}

/// Counts every service request and answers with an injected fault when one is pending.
async fn count_and_inject(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with(HOOKS) {
        return next.run(request).await;
    }
    lock(&shared.stats).request(&path);
    let fault = lock(&shared.faults).take(&path);
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    if let Some(ms) = fault.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if fault.drop {
        conn.drop_connection();
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if let Some(errcode) = fault.errcode {
        let errmsg = fault.errmsg.unwrap_or_else(|| "injected fault".into());
        return ApiError::new(errcode, errmsg).into_response();
    }
    if let Some(status) = fault.status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
        return (status, Body::from(fault.body.unwrap_or_default())).into_response();
    }
    next.run(request).await
}

/// Refuses the test hooks to anyone but this machine.
async fn loopback_only(
    ConnectInfo(conn): ConnectInfo<Conn>,
    request: Request,
    next: Next,
) -> Response {
    if conn.remote.ip().is_loopback() {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            ApiError::new(48001, "test hooks are served to loopback clients only"),
        )
            .into_response()
    }
}
