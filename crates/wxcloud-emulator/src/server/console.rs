//! The web console's page and assets, compiled into the binary: `GET /` and `/__emulator/ui/`.
//!
//! The page is plain HTML, CSS and JavaScript (no build step, nothing fetched from the network);
//! everything it shows comes from the JSON endpoints in [`super::console_api`],
//! [`super::console_db`] and [`super::console_files`].

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::state::Shared;

const INDEX: &str = include_str!("../../console/index.html");
const APP: &str = include_str!("../../console/app.js");
const STYLE: &str = include_str!("../../console/style.css");

/// The console's routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(index))
        .route(
            "/__emulator/ui",
            get(|| async { Redirect::permanent("/__emulator/ui/") }),
        )
        .route("/__emulator/ui/", get(index))
        .route(
            "/__emulator/ui/app.js",
            get(|| asset(APP, "text/javascript; charset=utf-8")),
        )
        .route(
            "/__emulator/ui/style.css",
            get(|| asset(STYLE, "text/css; charset=utf-8")),
        )
}

async fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8").await
}

async fn asset(text: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; frame-ancestors 'none'",
            ),
        ],
        text,
    )
        .into_response()
}
