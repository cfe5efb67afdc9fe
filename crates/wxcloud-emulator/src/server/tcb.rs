//! The endpoints under `/tcb/`: the database calls here, storage in [`super::storage`],
//! cloud functions in [`super::functions`].
//!
//! Checks run in the service's order: method (43002), token (41001, 40014, 40001, 42001),
//! body (44002, 47001), fields (40101, 40097), env (-501007), statement (-502002), then the
//! statement runs (-502005 for a missing collection, -502001 for a refused write).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json};
use wxcloud::statement::Statement;

use super::body::{json_object, opt_u64, req_str};
use super::storage;
use crate::exec;
use crate::migrate;
use crate::reply::{ApiError, ok};
use crate::state::{Shared, lock};
use crate::storage::IndexSpec;
use crate::tokens::TokenKind;

/// Token kinds the database, function and storage endpoints accept.
pub(super) const DATABASE_TOKENS: &[TokenKind] = &[
    TokenKind::ClientCredential,
    TokenKind::Stable,
    TokenKind::Authorizer,
];

/// The endpoints that take a statement in `query`, with the statement kind each expects.
const STATEMENT_ENDPOINTS: &[(&str, &str)] = &[
    ("databaseaggregate", "aggregate"),
    ("databasequery", "query"),
    ("databasecount", "count"),
    ("databaseadd", "add"),
    ("databaseupdate", "update"),
    ("databasedelete", "delete"),
];

const OTHER_ENDPOINTS: &[&str] = &[
    "uploadfile",
    "batchdownloadfile",
    "batchdeletefile",
    "getqcloudtoken",
    "databasecollectionadd",
    "databasecollectiondelete",
    "databasecollectionget",
    "updateindex",
    "databasemigrateimport",
    "databasemigrateexport",
    "databasemigratequeryinfo",
];

/// Any `/tcb/{op}` call.
pub async fn handle(
    State(shared): State<Arc<Shared>>,
    Path(op): Path<String>,
    method: Method,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if op == "invokecloudfunction" {
        return reply(super::functions::invoke(shared, params, method, body).await);
    }
    if !STATEMENT_ENDPOINTS.iter().any(|(e, _)| *e == op) && !OTHER_ENDPOINTS.contains(&op.as_str())
    {
        return (StatusCode::NOT_FOUND, ApiError::new(40066, "invalid url")).into_response();
    }
    // SQLite work (and its fsyncs in durable mode) runs off the async workers, so token and
    // hook requests are answered while a write is being synced.
    let origin = origin(&headers);
    let outcome = tokio::task::spawn_blocking(move || {
        let token = params.get("access_token").map(String::as_str);
        call(&shared, &op, &method, token, &body, &origin)
    })
    .await;
    match outcome {
        Ok(outcome) => reply(outcome),
        Err(_) => ApiError::new(-1, "system error").into_response(),
    }
}

/// `http://HOST` as the client reached the emulator: the base of the URLs it hands out.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// The service's reply for an outcome: `errcode` 0 with the fields, or the error.
fn reply(outcome: Result<Map<String, Json>, ApiError>) -> Response {
    match outcome {
        Ok(fields) => ok(fields),
        Err(e) => e.into_response(),
    }
}

fn call(
    shared: &Shared,
    op: &str,
    method: &Method,
    token: Option<&str>,
    body: &Bytes,
    origin: &str,
) -> Result<Map<String, Json>, ApiError> {
    if method != Method::POST {
        return Err(ApiError::require_post());
    }
    let now = shared.clock.now_ms();
    lock(&shared.tokens).check(token, DATABASE_TOKENS, now)?;
    let b = json_object(method, body)?;
    if op == "getqcloudtoken" {
        return storage::qcloud_token(shared, &b);
    }
    run_op(shared, op, &b, now, origin)
}

/// Runs the call `op` (`databasequery`, `updateindex`, ...) with body `b`, whose caller was
/// already let in: checks the env and the fields, then does the work.
pub(super) fn run_op(
    shared: &Shared,
    op: &str,
    b: &Map<String, Json>,
    now: i64,
    origin: &str,
) -> Result<Map<String, Json>, ApiError> {
    let env = req_str(b, "env")?;
    if !shared.has_env(env) {
        return Err(ApiError::env_not_exists(env));
    }
    if let Some((_, kind)) = STATEMENT_ENDPOINTS.iter().find(|(e, _)| *e == op) {
        let text = req_str(b, "query")?;
        let statement = crate::parser::parse(text, now).map_err(ApiError::statement)?;
        return run_statement(shared, env, op, kind, statement, now);
    }
    match op {
        "databasecollectionadd" => {
            let name = collection_name(b)?;
            if !lock(&shared.db)
                .create_collection(env, name, now)
                .map_err(ApiError::database)?
            {
                return Err(ApiError::database(format!(
                    "collection already exists: {name}"
                )));
            }
            Ok(Map::new())
        }
        "databasecollectiondelete" => {
            let name = collection_name(b)?;
            if !lock(&shared.db)
                .drop_collection(env, name)
                .map_err(ApiError::database)?
            {
                return Err(ApiError::collection_not_exists(name));
            }
            Ok(Map::new())
        }
        "databasecollectionget" => list_collections(shared, env, b),
        "updateindex" => update_index(shared, env, b),
        "uploadfile" => storage::upload_file(shared, env, b, origin),
        "batchdownloadfile" => storage::download_files(shared, env, b, origin),
        "batchdeletefile" => storage::delete_files(shared, env, b),
        "databasemigrateimport" => migrate::import(shared, env, b, now),
        "databasemigrateexport" => migrate::export(shared, env, b, now),
        _ => migrate::query_info(shared, env, b, origin),
    }
}

/// The endpoint that runs statements of `kind` (`query` -> `databasequery`).
pub(super) fn statement_endpoint(kind: &str) -> Option<&'static str> {
    STATEMENT_ENDPOINTS
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(e, _)| *e)
}

/// What kind of statement `s` is (`query`, `aggregate`, ...).
pub(super) fn statement_kind(s: &Statement) -> &'static str {
    match s {
        Statement::Aggregate { .. } => "aggregate",
        Statement::Query(_) => "query",
        Statement::Count { .. } => "count",
        Statement::Add { .. } => "add",
        Statement::Update { .. } => "update",
        Statement::Remove { .. } => "delete",
    }
}

fn run_statement(
    shared: &Shared,
    env: &str,
    op: &str,
    kind: &str,
    statement: Statement,
    now: i64,
) -> Result<Map<String, Json>, ApiError> {
    if statement_kind(&statement) != kind {
        return Err(ApiError::statement(format!(
            "{op} runs {kind} statements, this is a {} statement",
            statement_kind(&statement)
        )));
    }
    let mut db = lock(&shared.db);
    match statement {
        Statement::Aggregate { collection, stages } => {
            exec::aggregate(&db, env, &collection, &stages, now)
        }
        Statement::Query(q) => exec::query(&db, env, &q, now),
        Statement::Count { collection, filter } => {
            exec::count(&db, env, &collection, filter.as_ref(), now)
        }
        Statement::Add {
            collection, docs, ..
        } => exec::add(&mut db, env, &collection, &docs, now),
        Statement::Update {
            collection,
            target,
            update,
        } => exec::update(&mut db, env, &collection, &target, &update, now),
        Statement::Remove { collection, target } => {
            exec::remove(&mut db, env, &collection, &target, now)
        }
    }
}

/// `collection_name`, which must be a usable collection name (40097 otherwise).
pub fn collection_name(b: &Map<String, Json>) -> Result<&str, ApiError> {
    let name = req_str(b, "collection_name")?;
    match wxcloud::statement::validate_collection_name(name) {
        Ok(()) => Ok(name),
        Err(e) => Err(ApiError::invalid("collection_name", &e.to_string())),
    }
}

fn list_collections(
    shared: &Shared,
    env: &str,
    b: &Map<String, Json>,
) -> Result<Map<String, Json>, ApiError> {
    let limit = opt_u64(b, "limit", 10)?;
    let offset = opt_u64(b, "offset", 0)?;
    let all = lock(&shared.db)
        .list_collections(env)
        .map_err(ApiError::database)?;
    let total = all.len();
    let collections: Vec<Json> = all
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|c| {
            // The _id index plus declared ones; index size estimated at 64 bytes per entry.
            let index_count = 1 + c.indexes.len() as u64;
            serde_json::json!({
                "name": c.name,
                "count": c.count,
                "size": c.size,
                "index_count": index_count,
                "index_size": index_count * c.count * 64,
            })
        })
        .collect();
    let mut out = Map::new();
    out.insert(
        "pager".into(),
        serde_json::json!({"Offset": offset, "Limit": limit, "Total": total}),
    );
    out.insert("collections".into(), Json::Array(collections));
    Ok(out)
}

/// The array at `key` of a request body, or nothing when the key is absent or not an array.
fn optional_array<'b>(b: &'b Map<String, Json>, key: &str) -> &'b [Json] {
    b.get(key)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn update_index(
    shared: &Shared,
    env: &str,
    b: &Map<String, Json>,
) -> Result<Map<String, Json>, ApiError> {
    let coll = collection_name(b)?;
    let bad = |why: &str| ApiError::invalid("create_indexes", why);
    let mut create = Vec::new();
    for ix in optional_array(b, "create_indexes") {
        let name = ix
            .get("name")
            .and_then(Json::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| bad("needs a name"))?;
        let unique = match ix.get("unique") {
            None | Some(Json::Null) => false,
            Some(Json::Bool(u)) => *u,
            Some(_) => return Err(bad("unique must be a boolean")),
        };
        let mut keys = Vec::new();
        for k in ix
            .get("keys")
            .and_then(Json::as_array)
            .ok_or_else(|| bad("needs keys"))?
        {
            let field = k
                .get("name")
                .and_then(Json::as_str)
                .ok_or_else(|| bad("key needs a name"))?;
            let direction = match k.get("direction") {
                Some(Json::String(d)) if matches!(d.as_str(), "1" | "-1" | "2dsphere") => d.clone(),
                Some(Json::Number(n)) if n.as_i64() == Some(1) || n.as_i64() == Some(-1) => {
                    n.to_string()
                }
                _ => return Err(bad("key direction must be \"1\", \"-1\" or \"2dsphere\"")),
            };
            keys.push((field.to_owned(), direction));
        }
        if keys.is_empty() {
            return Err(bad("needs keys"));
        }
        create.push(IndexSpec {
            name: name.to_owned(),
            unique,
            keys,
        });
    }
    let mut drop = Vec::new();
    for ix in optional_array(b, "drop_indexes") {
        let name = ix
            .get("name")
            .and_then(Json::as_str)
            .ok_or_else(|| ApiError::invalid("drop_indexes", "needs names"))?;
        drop.push(name.to_owned());
    }
    exec::update_indexes(&mut lock(&shared.db), env, coll, &create, &drop)?;
    Ok(Map::new())
}
