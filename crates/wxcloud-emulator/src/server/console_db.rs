//! The console's database endpoints under `/__emulator/db` and `/__emulator/statement`
//! (loopback only). They run the same code as the `/tcb/database*` endpoints, without a token.
//!
//! Documents travel as Extended JSON (canonical when read, so types stay visible: `$date`,
//! `$numberLong`, `$numberDouble`); errors carry the service's errcode, errmsg and a hint.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Map, Value as Json, json};
use wxcloud::statement::{Direction, Target, UpdateSpec};
use wxcloud::{Document, Value};

use super::console_api::fields;
use super::tcb;
use crate::exec;
use crate::reply::{ApiError, Errcode, ok};
use crate::state::{Shared, lock};
use crate::storage::Storage;

/// The routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__emulator/db", get(envs))
        .route("/__emulator/db/{env}", post(create_collection))
        .route("/__emulator/db/{env}/{coll}", delete(drop_collection))
        .route(
            "/__emulator/db/{env}/{coll}/documents",
            get(documents).post(add_document).put(replace_document),
        )
        .route(
            "/__emulator/db/{env}/{coll}/documents/delete",
            post(delete_document),
        )
        .route("/__emulator/db/{env}/{coll}/indexes", post(create_index))
        .route(
            "/__emulator/db/{env}/{coll}/indexes/{name}",
            delete(drop_index),
        )
        .route("/__emulator/statement", post(statement))
}

type Outcome = Result<Map<String, Json>, ApiError>;

/// The reply for an outcome; an error also carries the hint the client library would give.
fn answer(outcome: Outcome) -> Response {
    match outcome {
        Ok(fields) => ok(fields),
        Err(e) => {
            let hint = wxcloud::errcode::hint(e.errcode, wxcloud::errcode::Endpoint::Database);
            let mut response =
                axum::Json(json!({"errcode": e.errcode, "errmsg": e.errmsg, "hint": hint}))
                    .into_response();
            response.extensions_mut().insert(Errcode(e.errcode));
            response
        }
    }
}

/// Runs database work off the async workers (SQLite may fsync), as the service endpoints do.
async fn blocking(
    shared: Arc<Shared>,
    work: impl FnOnce(&Shared, i64) -> Outcome + Send + 'static,
) -> Response {
    let outcome = tokio::task::spawn_blocking(move || work(&shared, shared.clock.now_ms())).await;
    answer(outcome.unwrap_or_else(|_| Err(ApiError::new(-1, "system error"))))
}

/// Runs the service call `op` with `body` plus the env.
fn service(shared: &Shared, now: i64, op: &str, env: &str, mut body: Json) -> Outcome {
    body["env"] = env.into();
    tcb::run_op(shared, op, &fields(body), now, "http://127.0.0.1")
}

/// A request body as an Extended JSON document: 40097 with the reason when it is not one.
fn document(body: &Bytes) -> Result<Document, ApiError> {
    let text =
        std::str::from_utf8(body).map_err(|_| ApiError::invalid("document", "is not UTF-8"))?;
    wxcloud::ejson::decode_document(text).map_err(|e| ApiError::invalid("document", &e.to_string()))
}

/// `GET /__emulator/db`: `{"envs": [{"env", "collections": [{"name", "count", "size",
/// "indexes": [{"name", "unique", "keys": [{"name", "direction"}]}]}]}]}`.
async fn envs(State(shared): State<Arc<Shared>>) -> Response {
    blocking(shared, |shared, _| {
        let db = lock(&shared.db);
        let mut envs = Vec::new();
        for env in &shared.config.envs {
            let collections: Vec<Json> = db
                .list_collections(env)
                .map_err(ApiError::database)?
                .into_iter()
                .map(|c| {
                    let indexes: Vec<Json> = c
                        .indexes
                        .iter()
                        .map(|ix| {
                            let keys: Vec<Json> = ix
                                .keys
                                .iter()
                                .map(|(n, d)| json!({"name": n, "direction": d}))
                                .collect();
                            json!({"name": ix.name, "unique": ix.unique, "keys": keys})
                        })
                        .collect();
                    json!({"name": c.name, "count": c.count, "size": c.size, "indexes": indexes})
                })
                .collect();
            envs.push(json!({"env": env, "collections": collections}));
        }
        Ok(fields(json!({"envs": envs})))
    })
    .await
}

/// `POST /__emulator/db/{env}` with `{"name"}`: creates a collection.
async fn create_collection(
    State(shared): State<Arc<Shared>>,
    Path(env): Path<String>,
    body: Bytes,
) -> Response {
    let name = serde_json::from_slice::<Json>(&body)
        .ok()
        .and_then(|b| b.get("name").cloned());
    blocking(shared, move |shared, now| {
        let name = name.ok_or_else(|| ApiError::missing("name"))?;
        service(
            shared,
            now,
            "databasecollectionadd",
            &env,
            json!({"collection_name": name}),
        )
    })
    .await
}

/// `DELETE /__emulator/db/{env}/{coll}`: drops a collection with its documents and indexes.
async fn drop_collection(
    State(shared): State<Arc<Shared>>,
    Path((env, coll)): Path<(String, String)>,
) -> Response {
    blocking(shared, move |shared, now| {
        service(
            shared,
            now,
            "databasecollectiondelete",
            &env,
            json!({"collection_name": coll}),
        )
    })
    .await
}

/// `GET /__emulator/db/{env}/{coll}/documents?offset=0&limit=50&sort=FIELD&order=asc|desc`:
/// `{"total", "offset", "limit", "documents": [canonical Extended JSON]}`, newest first unless
/// sorted.
async fn documents(
    State(shared): State<Arc<Shared>>,
    Path((env, coll)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    blocking(shared, move |shared, _| {
        let number = |key: &str, default: u64| match params.get(key).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| ApiError::invalid(key, "must be a non-negative integer")),
        };
        let (offset, limit) = (
            number("offset", 0)?,
            number("limit", 50)?.clamp(1, exec::MAX_QUERY_LIMIT),
        );
        let order = match params.get("sort").filter(|s| !s.is_empty()) {
            None => None,
            Some(field) => {
                let dir = params.get("order").map_or(Ok(Direction::Asc), |o| {
                    o.parse::<Direction>()
                        .map_err(|e| ApiError::invalid("order", &e.to_string()))
                })?;
                Some((field.clone(), dir))
            }
        };
        if !shared.has_env(&env) {
            return Err(ApiError::env_not_exists(&env));
        }
        let (docs, total) = exec::browse(&lock(&shared.db), &env, &coll, order, offset, limit)?;
        let docs: Vec<Json> = docs
            .iter()
            .map(|d| {
                serde_json::from_str(&wxcloud::ejson::to_canonical_string(d)).unwrap_or(Json::Null)
            })
            .collect();
        Ok(fields(
            json!({"total": total, "offset": offset, "limit": limit, "documents": docs}),
        ))
    })
    .await
}

/// Runs `work` on the request's Extended JSON document in collection `coll` of `env`.
async fn with_document(
    shared: Arc<Shared>,
    (env, coll): (String, String),
    body: Bytes,
    work: impl FnOnce(&mut Storage, &str, &str, Document, i64) -> Outcome + Send + 'static,
) -> Response {
    blocking(shared, move |shared, now| {
        let doc = document(&body)?;
        check_env(shared, &env)?;
        work(&mut lock(&shared.db), &env, &coll, doc, now)
    })
    .await
}

/// `POST /__emulator/db/{env}/{coll}/documents` with an Extended JSON document: adds it
/// (an `_id` is generated when it has none): `{"id_list": [id]}`.
async fn add_document(
    State(shared): State<Arc<Shared>>,
    Path(at): Path<(String, String)>,
    body: Bytes,
) -> Response {
    with_document(shared, at, body, |db, env, coll, doc, now| {
        exec::add(db, env, coll, &[doc], now)
    })
    .await
}

/// `PUT /__emulator/db/{env}/{coll}/documents` with an Extended JSON document that has an
/// `_id`: replaces the stored document with that `_id` (never creates one):
/// `{"matched", "modified"}`.
async fn replace_document(
    State(shared): State<Arc<Shared>>,
    Path(at): Path<(String, String)>,
    body: Bytes,
) -> Response {
    with_document(shared, at, body, |db, env, coll, doc, now| {
        let id = id_of(&doc)?;
        require_document(db, env, coll, &id)?;
        exec::update(
            db,
            env,
            coll,
            &Target::Doc(id),
            &UpdateSpec::Replace(doc),
            now,
        )
    })
    .await
}

/// `POST /__emulator/db/{env}/{coll}/documents/delete` with `{"_id": id}` (Extended JSON):
/// `{"deleted": n}`.
async fn delete_document(
    State(shared): State<Arc<Shared>>,
    Path(at): Path<(String, String)>,
    body: Bytes,
) -> Response {
    with_document(shared, at, body, |db, env, coll, doc, now| {
        let id = id_of(&doc)?;
        exec::remove(db, env, coll, &Target::Doc(id), now)
    })
    .await
}

/// The document's `_id` (40101 without one).
fn id_of(doc: &Document) -> Result<Value, ApiError> {
    doc.get("_id")
        .cloned()
        .ok_or_else(|| ApiError::missing("_id"))
}

fn check_env(shared: &Shared, env: &str) -> Result<(), ApiError> {
    if shared.has_env(env) {
        Ok(())
    } else {
        Err(ApiError::env_not_exists(env))
    }
}

/// An edit must not silently create the document it meant to change.
fn require_document(db: &Storage, env: &str, coll: &str, id: &Value) -> Result<(), ApiError> {
    let found = db.get(env, coll, id).map_err(ApiError::database)?;
    if found.is_none()
        && db
            .collection_exists(env, coll)
            .map_err(ApiError::database)?
    {
        return Err(ApiError::new(
            -1,
            "no document with this _id (it was deleted meanwhile?)",
        ));
    }
    Ok(())
}

/// `POST /__emulator/db/{env}/{coll}/indexes` with `{"name", "unique", "keys": [{"name",
/// "direction"}]}`: creates an index (as `updateindex` does).
async fn create_index(
    State(shared): State<Arc<Shared>>,
    Path((env, coll)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    blocking(shared, move |shared, now| {
        let index: Json = serde_json::from_slice(&body).map_err(|_| ApiError::bad_json())?;
        service(
            shared,
            now,
            "updateindex",
            &env,
            json!({"collection_name": coll, "create_indexes": [index]}),
        )
    })
    .await
}

/// `DELETE /__emulator/db/{env}/{coll}/indexes/{name}`: drops an index.
async fn drop_index(
    State(shared): State<Arc<Shared>>,
    Path((env, coll, name)): Path<(String, String, String)>,
) -> Response {
    blocking(shared, move |shared, now| {
        service(
            shared,
            now,
            "updateindex",
            &env,
            json!({"collection_name": coll, "drop_indexes": [{"name": name}]}),
        )
    })
    .await
}

/// `POST /__emulator/statement` with `{"env", "statement"}`: runs any statement (its kind is
/// read from the text) and answers as its `/tcb/database*` endpoint would, plus `"kind"`.
async fn statement(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    blocking(shared, move |shared, now| {
        let b = fields(serde_json::from_slice(&body).map_err(|_| ApiError::bad_json())?);
        let env = super::body::req_str(&b, "env")?.to_owned();
        let text = super::body::req_str(&b, "statement")?.to_owned();
        let parsed = crate::parser::parse(&text, now).map_err(ApiError::statement)?;
        let kind = tcb::statement_kind(&parsed);
        let op = tcb::statement_endpoint(kind).unwrap_or("databasequery");
        let mut out = service(shared, now, op, &env, json!({"query": text}))?;
        out.insert("kind".into(), kind.into());
        Ok(out)
    })
    .await
}
