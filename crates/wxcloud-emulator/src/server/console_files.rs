//! The console's file storage endpoints under `/__emulator/files` (loopback only). Paths are
//! cloud paths (`images/a.png`), given in the `path` query parameter since they hold slashes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value as Json, json};

use super::console_api::fields;
use super::cos::{content_type, file_body};
use super::storage::cloud_path;
use crate::cos;
use crate::reply::{ApiError, ok};
use crate::state::{Shared, lock};

/// The routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/__emulator/files", get(list)).route(
        "/__emulator/files/{env}",
        get(content).post(upload).delete(remove),
    )
}

fn env_and_path(
    shared: &Shared,
    env: &str,
    params: &HashMap<String, String>,
) -> Result<String, ApiError> {
    if !shared.has_env(env) {
        return Err(ApiError::env_not_exists(env));
    }
    cloud_path(
        "path",
        params.get("path").map(String::as_str).unwrap_or_default(),
    )
}

fn reply(outcome: Result<Map<String, Json>, ApiError>) -> Response {
    outcome.map_or_else(IntoResponse::into_response, ok)
}

/// `GET /__emulator/files?env=ENV`: `{"files": [{"env", "path", "file_id", "size",
/// "content_type", "uploaded_ms"}]}` for one env, or every env without `env`.
async fn list(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let envs: Vec<String> = match params.get("env").filter(|e| !e.is_empty()) {
        Some(env) if !shared.has_env(env) => return ApiError::env_not_exists(env).into_response(),
        Some(env) => vec![env.clone()],
        None => shared.config.envs.clone(),
    };
    let db = lock(&shared.db);
    let mut files = Vec::new();
    for env in envs {
        let listed = match db.list_files(&env) {
            Ok(l) => l,
            Err(e) => return ApiError::database(e).into_response(),
        };
        for (path, size, uploaded_ms) in listed {
            files.push(json!({
                "env": env,
                "path": path,
                "file_id": cos::file_id(&env, &path),
                "size": size,
                "content_type": content_type(&path),
                "uploaded_ms": uploaded_ms,
            }));
        }
    }
    ok(fields(json!({"files": files})))
}

/// `GET /__emulator/files/{env}?path=P[&download=1]`: the file's bytes (as an attachment with
/// `download=1`).
async fn content(
    State(shared): State<Arc<Shared>>,
    Path(env): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let found = tokio::task::spawn_blocking({
        let shared = shared.clone();
        move || {
            let path = env_and_path(&shared, &env, &params)?;
            let file = lock(&shared.db)
                .find_file(&env, &path)
                .map_err(ApiError::database)?
                .ok_or_else(|| {
                    ApiError::new(-503003, format!("storage file not exists: {path}"))
                })?;
            Ok::<_, ApiError>((path, file, params.contains_key("download")))
        }
    })
    .await;
    let (path, file, download) = match found {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => return e.into_response(),
        Err(_) => return ApiError::new(-1, "system error").into_response(),
    };
    let name = path
        .rsplit('/')
        .next()
        .unwrap_or("file")
        .replace(['"', '\\'], "_");
    let disposition = if download {
        format!("attachment; filename=\"{name}\"")
    } else {
        "inline".to_owned()
    };
    (
        [
            (header::CONTENT_TYPE, content_type(&path).to_owned()),
            (header::CONTENT_LENGTH, file.size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_owned()),
        ],
        file_body(&shared, &file),
    )
        .into_response()
}

/// `POST /__emulator/files/{env}?path=P` with the file's bytes as the body: stores it
/// (replacing the file at that path), downloadable by clients like an uploaded file.
async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(env): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let stored = tokio::task::spawn_blocking(move || {
        let path = env_and_path(&shared, &env, &params)?;
        let now = shared.clock.now_ms();
        lock(&shared.db)
            .put_file(&env, &path, &body, now)
            .map_err(ApiError::database)?;
        Ok(fields(
            json!({"file_id": cos::file_id(&env, &path), "size": body.len()}),
        ))
    })
    .await;
    reply(stored.unwrap_or_else(|_| Err(ApiError::new(-1, "system error"))))
}

/// `DELETE /__emulator/files/{env}?path=P`: deletes the file.
async fn remove(
    State(shared): State<Arc<Shared>>,
    Path(env): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let outcome = env_and_path(&shared, &env, &params).and_then(|path| {
        match lock(&shared.db).delete_file(&env, &path) {
            Ok(true) => Ok(Map::new()),
            Ok(false) => Err(ApiError::new(
                -503003,
                format!("storage file not exists: {path}"),
            )),
            Err(e) => Err(ApiError::database(e)),
        }
    });
    reply(outcome)
}
