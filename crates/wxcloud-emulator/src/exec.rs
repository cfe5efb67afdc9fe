//! Runs parsed statements against storage through the engine.
//!
//! Each function checks that the collection exists (-502005), computes the result or the
//! changes on a snapshot of the collection, checks `_id` and unique indexes, and applies the
//! changes in one SQLite transaction.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::{Map, Value as Json, json};
use wxcloud::statement::{Direction, Query, Target, UpdateSpec};
use wxcloud::{Document, Value};

use crate::engine::{self, Collections};
use crate::ids::new_id;
use crate::reply::ApiError;
use crate::storage::{Changes, IndexSpec, Row, Storage};

/// Records a query returns without `limit()`.
pub const DEFAULT_QUERY_LIMIT: u64 = 10;
/// Most records a query returns.
pub const MAX_QUERY_LIMIT: u64 = 1000;
/// Records an aggregate returns when its pipeline has no `$limit` stage.
pub const DEFAULT_AGGREGATE_LIMIT: usize = 20;

fn engine_error(e: engine::EngineError) -> ApiError {
    ApiError::statement(e)
}

/// Replaces `{"$serverDate": {"offset": ms}}` by the date it stands for, everywhere in `value`.
pub fn resolve_server_dates(value: &mut Value, now_ms: i64) {
    match value {
        Value::Document(d) => {
            if d.len() == 1
                && let Some(Value::Document(opts)) = d.get("$serverDate")
            {
                let offset = opts.get("offset").and_then(Value::as_f64).unwrap_or(0.0);
                *value = Value::Date(now_ms + offset as i64);
                return;
            }
            d.values_mut().for_each(|v| resolve_server_dates(v, now_ms));
        }
        Value::Array(a) => a.iter_mut().for_each(|v| resolve_server_dates(v, now_ms)),
        _ => {}
    }
}

fn resolve_doc(doc: &mut Document, now_ms: i64) {
    doc.values_mut()
        .for_each(|v| resolve_server_dates(v, now_ms));
}

/// -502005 unless the collection exists.
fn require_collection(db: &Storage, env: &str, coll: &str) -> Result<(), ApiError> {
    if db
        .collection_exists(env, coll)
        .map_err(ApiError::database)?
    {
        Ok(())
    } else {
        Err(ApiError::collection_not_exists(coll))
    }
}

/// The rows of an existing collection, or -502005.
fn rows(db: &Storage, env: &str, coll: &str) -> Result<Vec<Row>, ApiError> {
    require_collection(db, env, coll)?;
    db.documents(env, coll).map_err(ApiError::database)
}

/// The one row with this `_id`, if any, in an existing collection.
fn row_by_id(db: &Storage, env: &str, coll: &str, id: &Value) -> Result<Vec<Row>, ApiError> {
    require_collection(db, env, coll)?;
    Ok(db
        .get(env, coll, id)
        .map_err(ApiError::database)?
        .into_iter()
        .collect())
}

/// A filter that is exactly `{_id: "<string>"}`, answered by one indexed lookup.
fn string_id_only(filter: &Document) -> Option<&Value> {
    match filter.get("_id") {
        Some(id @ Value::String(_)) if filter.len() == 1 => Some(id),
        _ => None,
    }
}

/// The rows `filter` matches; the filter is compiled once for all of them.
fn filtered(
    rows: Vec<Row>,
    filter: &engine::filter::Filter,
    now_ms: i64,
) -> Result<Vec<Row>, ApiError> {
    let mut vars = engine::expr::Vars::new(now_ms);
    let mut out = Vec::new();
    for row in rows {
        if filter.matches(&row.doc, &mut vars).map_err(engine_error)? {
            out.push(row);
        }
    }
    Ok(out)
}

fn compile_filter(filter: &Document) -> Result<engine::filter::Filter, ApiError> {
    engine::filter::Filter::compile(filter).map_err(engine_error)
}

/// The rows a `.where()` or `.doc()` target selects.
fn target_rows(
    db: &Storage,
    env: &str,
    coll: &str,
    target: &Target,
    now_ms: i64,
) -> Result<Vec<Row>, ApiError> {
    match target {
        Target::Doc(id) => row_by_id(db, env, coll, id),
        Target::Where(filter) => match string_id_only(filter) {
            Some(id) => row_by_id(db, env, coll, id),
            None => {
                let mut filter = filter.clone();
                resolve_doc(&mut filter, now_ms);
                let rows = rows(db, env, coll)?;
                filtered(rows, &compile_filter(&filter)?, now_ms)
            }
        },
    }
}

/// Encodes records the way the service returns them: canonical Extended JSON strings.
fn records(docs: impl IntoIterator<Item = Document>) -> Json {
    Json::Array(
        docs.into_iter()
            .map(|d| Json::String(wxcloud::ejson::to_canonical_string(&d)))
            .collect(),
    )
}

/// The documents a `.get()` query selects, sorted, paged and projected, with the number of
/// matches before paging. `default_limit` applies when the query has no `limit()` (`None`:
/// unlimited); a query's own limit is capped at [`MAX_QUERY_LIMIT`].
pub fn select(
    db: &Storage,
    env: &str,
    q: &Query,
    now_ms: i64,
    default_limit: Option<u64>,
) -> Result<(Vec<Document>, usize), ApiError> {
    let (rows, total) = select_rows(db, env, q, now_ms, default_limit, true)?;
    let page = rows.into_iter().map(|r| r.doc);
    let docs = match &q.fields {
        Some(p) => page
            .map(|d| engine::project(&d, p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(engine_error)?,
        None => page.collect(),
    };
    Ok((docs, total))
}

/// The rows a `.get()` query selects, sorted and paged but not projected, with the number of
/// matches before paging (see [`select`]). Unless `whole`, each row's document holds only the
/// top-level fields the filter and the order read: enough to select it, and its stored text
/// holds the rest.
fn select_rows(
    db: &Storage,
    env: &str,
    q: &Query,
    now_ms: i64,
    default_limit: Option<u64>,
    whole: bool,
) -> Result<(Vec<Row>, usize), ApiError> {
    let order = match q.order_by.as_slice() {
        [] => None,
        order_by => {
            let spec: Document = order_by
                .iter()
                .map(|(f, d)| {
                    (
                        f.clone(),
                        Value::Int32(if *d == Direction::Asc { 1 } else { -1 }),
                    )
                })
                .collect();
            Some(engine::sort::SortKeys::compile(&spec).map_err(engine_error)?)
        }
    };
    let mut matched = match (&q.doc, &q.filter) {
        (Some(id), _) => row_by_id(db, env, &q.collection, id)?,
        (None, Some(filter)) if whole || string_id_only(filter).is_some() => target_rows(
            db,
            env,
            &q.collection,
            &Target::Where(filter.clone()),
            now_ms,
        )?,
        (None, filter) => {
            require_collection(db, env, &q.collection)?;
            let mut filter = filter.clone().unwrap_or_default();
            resolve_doc(&mut filter, now_ms);
            let compiled = compile_filter(&filter)?;
            let mut fields = Vec::new();
            if let Some(keys) = &order {
                keys.top_fields(&mut fields);
            }
            let rows = if whole || !compiled.top_fields(&mut fields) {
                rows(db, env, &q.collection)?
            } else {
                db.documents_with_fields(env, &q.collection, &fields)
                    .map_err(ApiError::database)?
            };
            filtered(rows, &compiled, now_ms)?
        }
    };
    let total = matched.len();
    match &order {
        Some(keys) => keys.sort_by(&mut matched, |r| &r.doc),
        // MongoDB returns the results of a `$near` query nearest first unless told otherwise.
        None => {
            if let Some(filter) = &q.filter {
                engine::sort_by_near_by(&mut matched, filter, |r| &r.doc).map_err(engine_error)?;
            }
        }
    }
    let (skip, take) = page_of(q, default_limit);
    Ok((matched.into_iter().skip(skip).take(take).collect(), total))
}

/// How many matches a query skips and how many it then returns at most: its `limit()`, capped at
/// [`MAX_QUERY_LIMIT`], or `default_limit` when it has none (`None`: unlimited).
fn page_of(q: &Query, default_limit: Option<u64>) -> (usize, usize) {
    // limit(0) means "no limit given", as in the SDK.
    let limit = match q.limit.filter(|n| *n > 0) {
        Some(n) => n.min(MAX_QUERY_LIMIT),
        None => default_limit.unwrap_or(u64::MAX),
    };
    let skip = usize::try_from(q.skip.unwrap_or(0)).unwrap_or(usize::MAX);
    (skip, usize::try_from(limit).unwrap_or(usize::MAX))
}

/// One page of a collection for the console: newest first (the order documents were written,
/// reversed) unless sorted by `order` (a field path and its direction); with the collection's
/// document count.
pub fn browse(
    db: &Storage,
    env: &str,
    coll: &str,
    order: Option<(String, Direction)>,
    skip: u64,
    limit: u64,
) -> Result<(Vec<Document>, usize), ApiError> {
    let take = usize::try_from(limit.min(MAX_QUERY_LIMIT)).unwrap_or(usize::MAX);
    let skip_n = usize::try_from(skip).unwrap_or(usize::MAX);
    match order {
        None => {
            let all = rows(db, env, coll)?;
            let total = all.len();
            let page = all.into_iter().rev().skip(skip_n).take(take).map(|r| r.doc);
            Ok((page.collect(), total))
        }
        Some(order) => {
            let q = Query {
                collection: coll.to_owned(),
                order_by: vec![order],
                skip: Some(skip),
                limit: Some(limit.clamp(1, MAX_QUERY_LIMIT)),
                ..Query::default()
            };
            select(db, env, &q, 0, None)
        }
    }
}

/// `databasequery`: `{"pager": {"Offset", "Limit", "Total"}, "data": [..]}`; 10 records
/// unless the query says `limit()`, at most 1000.
pub fn query(
    db: &Storage,
    env: &str,
    q: &Query,
    now_ms: i64,
) -> Result<Map<String, Json>, ApiError> {
    // Without a projection the records go back as stored: no document is encoded again; with
    // no filter and no order either, only the page is read.
    let (data, total) = match &q.fields {
        None if q.doc.is_none() && q.filter.is_none() && q.order_by.is_empty() => {
            require_collection(db, env, &q.collection)?;
            let total = db.count(env, &q.collection).map_err(ApiError::database)?;
            let (skip, take) = page_of(q, Some(DEFAULT_QUERY_LIMIT));
            let texts = db
                .texts(env, &q.collection, skip, Some(take))
                .map_err(ApiError::database)?;
            (
                Json::Array(texts.into_iter().map(Json::String).collect()),
                total,
            )
        }
        None => {
            let (rows, total) = select_rows(db, env, q, now_ms, Some(DEFAULT_QUERY_LIMIT), false)?;
            let texts = rows.into_iter().map(|r| Json::String(r.text)).collect();
            (Json::Array(texts), total)
        }
        Some(_) => {
            let (docs, total) = select(db, env, q, now_ms, Some(DEFAULT_QUERY_LIMIT))?;
            (records(docs), total)
        }
    };
    let limit = q
        .limit
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_QUERY_LIMIT)
        .min(MAX_QUERY_LIMIT);
    let mut out = Map::new();
    out.insert(
        "pager".into(),
        json!({"Offset": q.skip.unwrap_or(0), "Limit": limit, "Total": total}),
    );
    out.insert("data".into(), data);
    Ok(out)
}

/// `databasecount`: `{"count": n}`.
pub fn count(
    db: &Storage,
    env: &str,
    coll: &str,
    filter: Option<&Document>,
    now_ms: i64,
) -> Result<Map<String, Json>, ApiError> {
    let n = match filter {
        Some(f) => target_rows(db, env, coll, &Target::Where(f.clone()), now_ms)?.len(),
        None => rows(db, env, coll)?.len(),
    };
    let mut out = Map::new();
    out.insert("count".into(), n.into());
    Ok(out)
}

/// Gives `$lookup` the other collections of the environment.
struct EnvCollections<'a> {
    db: &'a Storage,
    env: &'a str,
}

impl Collections for EnvCollections<'_> {
    fn documents(&self, collection: &str) -> Vec<Document> {
        self.db
            .documents(self.env, collection)
            .map(|rows| rows.into_iter().map(|r| r.doc).collect())
            .unwrap_or_default()
    }
}

/// `databaseaggregate`: `{"data": [..]}`; at most 20 records unless the pipeline has `$limit`.
///
/// A pipeline that only chooses and orders documents (`$match`, `$sort`, `$skip`, `$limit`)
/// returns the stored text of the documents it keeps instead of encoding them again, decoding
/// only the fields its stages read; one of `$skip`/`$limit` only reads just the rows it
/// returns, decoding none.
pub fn aggregate(
    db: &Storage,
    env: &str,
    coll: &str,
    stages: &[Document],
    now_ms: i64,
) -> Result<Map<String, Json>, ApiError> {
    require_collection(db, env, coll)?;
    let mut stages = stages.to_vec();
    stages.iter_mut().for_each(|s| resolve_doc(s, now_ms));
    let default_limit =
        (!stages.iter().any(|s| s.contains_key("$limit"))).then_some(DEFAULT_AGGREGATE_LIMIT);
    let data = match engine::stages::Selection::compile(&stages).map_err(engine_error)? {
        Some(selection) => match selection.window() {
            Some((skip, keep)) => db
                .texts(env, coll, skip, keep.or(default_limit))
                .map_err(ApiError::database)?,
            None => {
                // The selection reads a few fields of each document: decode only those.
                let rows = match selection.fields() {
                    Some(fields) => db
                        .documents_with_fields(env, coll, &fields)
                        .map_err(ApiError::database)?,
                    None => rows(db, env, coll)?,
                };
                let vars = engine::expr::Vars::new(now_ms);
                let mut kept = selection
                    .run(rows.into_iter(), |r| &r.doc, vars)
                    .map_err(engine_error)?;
                kept.truncate(default_limit.unwrap_or(usize::MAX));
                kept.into_iter().map(|r| r.text).collect()
            }
        },
        None => {
            let mut docs = run_pipeline(db, env, coll, &stages, now_ms)?;
            docs.truncate(default_limit.unwrap_or(usize::MAX));
            docs.iter()
                .map(wxcloud::ejson::to_canonical_string)
                .collect()
        }
    };
    let mut out = Map::new();
    out.insert(
        "data".into(),
        Json::Array(data.into_iter().map(Json::String).collect()),
    );
    Ok(out)
}

/// The documents the engine's pipeline makes from a collection's documents.
fn run_pipeline(
    db: &Storage,
    env: &str,
    coll: &str,
    stages: &[Document],
    now_ms: i64,
) -> Result<Vec<Document>, ApiError> {
    let input = rows(db, env, coll)?.into_iter().map(|r| r.doc);
    let lookup = EnvCollections { db, env };
    engine::aggregate(stages, Box::new(input), &lookup, now_ms).map_err(engine_error)
}

/// The value at a dot path, descending through embedded documents.
fn get_path<'a>(doc: &'a Document, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut cur = doc.get(parts.next()?)?;
    for part in parts {
        cur = cur.as_document()?.get(part)?;
    }
    Some(cur)
}

/// Checks that no two documents of the collection after `changes` share an `_id` or the
/// values of a unique index. `before` is the collection as stored.
///
/// Keys are sorted once per index (MongoDB's order, so `1` and `1.0` clash as they do there),
/// and a run of equal keys that holds a changed document is a clash: O(n log n), not O(n²).
fn check_unique(
    coll: &str,
    before: &[Row],
    changes: &Changes,
    indexes: &[IndexSpec],
) -> Result<(), ApiError> {
    let gone: HashSet<i64> = changes
        .deletes
        .iter()
        .chain(changes.replaces.iter().map(|(r, _)| r))
        .copied()
        .collect();
    let kept = before
        .iter()
        .filter(|r| !gone.contains(&r.rowid))
        .map(|r| (&r.doc, false));
    let changed = changes
        .replaces
        .iter()
        .map(|(_, d)| d)
        .chain(changes.inserts.iter())
        .map(|d| (d, true));
    let docs: Vec<(&Document, bool)> = kept.chain(changed).collect();
    let id_index = IndexSpec {
        name: "_id_".into(),
        unique: true,
        keys: vec![("_id".into(), "1".into())],
    };
    for index in std::iter::once(&id_index).chain(indexes.iter().filter(|i| i.unique)) {
        let mut keyed: Vec<(Vec<Value>, bool)> = docs
            .iter()
            .map(|(d, is_changed)| {
                let key = index
                    .keys
                    .iter()
                    .map(|(f, _)| get_path(d, f).cloned().unwrap_or(Value::Null))
                    .collect();
                (key, *is_changed)
            })
            .collect();
        keyed.sort_by(|a, b| compare_keys(&a.0, &b.0));
        for run in keyed.chunk_by(|a, b| compare_keys(&a.0, &b.0) == Ordering::Equal) {
            if run.len() > 1 && run.iter().any(|(_, is_changed)| *is_changed) {
                let shown = wxcloud::ejson::to_relaxed_string(&Value::Array(run[0].0.clone()));
                return Err(ApiError::database(format!(
                    "E11000 duplicate key error collection: {coll} index: {} dup key: {shown}",
                    index.name
                )));
            }
        }
    }
    Ok(())
}

/// Orders index keys field by field, in MongoDB's value order.
fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| engine::compare(x, y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// Checks uniqueness, then applies `changes` to an existing collection.
fn commit(
    db: &mut Storage,
    env: &str,
    coll: &str,
    changes: &Changes,
    now_ms: i64,
) -> Result<(), ApiError> {
    let indexes = db.indexes(env, coll).map_err(ApiError::database)?;
    let before = rows_that_may_clash(db, env, coll, changes, &indexes)?;
    check_unique(coll, &before, changes, &indexes)?;
    db.apply(env, coll, changes, now_ms)
        .map_err(ApiError::database)
}

/// The stored rows `changes` could clash with. With no unique index of the user's and only
/// string `_id`s among the changes (the usual case: generated ids), those are just the rows
/// with the same `_id`s, found through the `_id` index — a string equals only an equal string
/// in MongoDB's order. Otherwise every row of the collection.
fn rows_that_may_clash(
    db: &Storage,
    env: &str,
    coll: &str,
    changes: &Changes,
    indexes: &[IndexSpec],
) -> Result<Vec<Row>, ApiError> {
    let changed = || {
        changes
            .inserts
            .iter()
            .chain(changes.replaces.iter().map(|(_, d)| d))
    };
    let string_ids_only = changed().all(|d| matches!(d.get("_id"), Some(Value::String(_))));
    if indexes.iter().any(|i| i.unique) || !string_ids_only {
        return rows(db, env, coll);
    }
    let mut found = Vec::new();
    for doc in changed() {
        if let Some(row) = db.get(env, coll, &doc["_id"]).map_err(ApiError::database)? {
            found.push(row);
        }
    }
    found.sort_by_key(|r| r.rowid);
    found.dedup_by_key(|r| r.rowid);
    Ok(found)
}

/// `databaseadd`: inserts documents (generating missing `_id`s): `{"id_list": [..]}`.
pub fn add(
    db: &mut Storage,
    env: &str,
    coll: &str,
    docs: &[Document],
    now_ms: i64,
) -> Result<Map<String, Json>, ApiError> {
    require_collection(db, env, coll)?;
    let mut inserts = Vec::with_capacity(docs.len());
    let mut ids = Vec::with_capacity(docs.len());
    for doc in docs {
        let mut doc = doc.clone();
        resolve_doc(&mut doc, now_ms);
        if !doc.contains_key("_id") {
            doc.shift_insert(0, "_id".into(), Value::String(new_id()));
        }
        ids.push(id_json(&doc["_id"]));
        inserts.push(doc);
    }
    commit(
        db,
        env,
        coll,
        &Changes {
            inserts,
            ..Changes::default()
        },
        now_ms,
    )?;
    let mut out = Map::new();
    out.insert("id_list".into(), Json::Array(ids));
    Ok(out)
}

/// An `_id` as the service lists it: strings as they are, anything else as relaxed JSON.
fn id_json(id: &Value) -> Json {
    match id {
        Value::String(s) => Json::String(s.clone()),
        other => {
            serde_json::from_str(&wxcloud::ejson::to_relaxed_string(other)).unwrap_or(Json::Null)
        }
    }
}

/// `databaseupdate`: `{"matched", "modified", "id"}` (`id` set only when `set()` inserted).
pub fn update(
    db: &mut Storage,
    env: &str,
    coll: &str,
    target: &Target,
    spec: &UpdateSpec,
    now_ms: i64,
) -> Result<Map<String, Json>, ApiError> {
    let selected = target_rows(db, env, coll, target, now_ms)?;
    let mut changes = Changes::default();
    let (mut matched, mut modified, mut inserted_id) = (0u64, 0u64, String::new());
    match spec {
        UpdateSpec::Operators(ops) => {
            let mut ops = ops.clone();
            resolve_doc(&mut ops, now_ms);
            for row in selected {
                matched += 1;
                let mut doc = row.doc.clone();
                if engine::apply_update(&mut doc, &ops).map_err(engine_error)? {
                    if doc.get("_id") != row.doc.get("_id") {
                        return Err(ApiError::database(
                            "Performing an update on the path '_id' would modify the immutable field '_id'",
                        ));
                    }
                    modified += 1;
                    changes.replaces.push((row.rowid, doc));
                }
            }
        }
        UpdateSpec::Replace(data) => {
            let Target::Doc(id) = target else {
                return Err(ApiError::statement("set() needs doc(id)"));
            };
            let mut doc = data.clone();
            resolve_doc(&mut doc, now_ms);
            doc.shift_remove("_id");
            doc.shift_insert(0, "_id".into(), id.clone());
            match selected.into_iter().next() {
                Some(row) => {
                    matched = 1;
                    if row.doc != doc {
                        modified = 1;
                        changes.replaces.push((row.rowid, doc));
                    }
                }
                None => {
                    inserted_id = match id_json(id) {
                        Json::String(s) => s,
                        other => other.to_string(),
                    };
                    changes.inserts.push(doc);
                }
            }
        }
    }
    commit(db, env, coll, &changes, now_ms)?;
    let mut out = Map::new();
    out.insert("matched".into(), matched.into());
    out.insert("modified".into(), modified.into());
    out.insert("id".into(), inserted_id.into());
    Ok(out)
}

/// `databasedelete`: `{"deleted": n}`.
pub fn remove(
    db: &mut Storage,
    env: &str,
    coll: &str,
    target: &Target,
    now_ms: i64,
) -> Result<Map<String, Json>, ApiError> {
    let deletes: Vec<i64> = target_rows(db, env, coll, target, now_ms)?
        .into_iter()
        .map(|r| r.rowid)
        .collect();
    let n = deletes.len();
    db.apply(
        env,
        coll,
        &Changes {
            deletes,
            ..Changes::default()
        },
        now_ms,
    )
    .map_err(ApiError::database)?;
    let mut out = Map::new();
    out.insert("deleted".into(), n.into());
    Ok(out)
}

/// `updateindex`: creates indexes (refusing a unique one the data already violates) and drops others.
pub fn update_indexes(
    db: &mut Storage,
    env: &str,
    coll: &str,
    create: &[IndexSpec],
    drop: &[String],
) -> Result<(), ApiError> {
    let before = rows(db, env, coll)?;
    if drop.iter().any(|d| d == "_id_") {
        return Err(ApiError::database("cannot drop _id index"));
    }
    let existing = db.indexes(env, coll).map_err(ApiError::database)?;
    for name in drop {
        if !existing.iter().any(|i| &i.name == name) {
            return Err(ApiError::database(format!(
                "index not found with name [{name}]"
            )));
        }
    }
    // A new unique index must hold for the stored documents: check them as if all were new.
    let as_new = Changes {
        inserts: before.iter().map(|r| r.doc.clone()).collect(),
        ..Changes::default()
    };
    let unique: Vec<IndexSpec> = create.iter().filter(|i| i.unique).cloned().collect();
    check_unique(coll, &[], &as_new, &unique)?;
    db.update_indexes(env, coll, create, drop)
        .map_err(ApiError::database)
}
