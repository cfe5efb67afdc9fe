//! Import and export ("migrate") jobs against files in the env's cloud storage.
//!
//! As on the real service, `file_path` is a path in the env's storage: an import reads a file
//! uploaded there first (`uploadfile`), an export writes its result there (replacing a file at
//! that path) and `databasemigratequeryinfo` gives its `file_url`, a signed download URL valid
//! for [`FILE_URL_SECONDS`]. There is no fallback to the emulator's own file system. Jobs run to
//! completion before the call returns, so `databasemigratequeryinfo` already reports the final
//! status. File type 1 is JSON lines (one Extended JSON document per line, canonical or
//! relaxed); 2 is CSV with a header row. An import file is read whole (its records are all
//! decoded anyway).

use std::collections::HashMap;

use serde_json::{Map, Value as Json, json};
use wxcloud::statement::{Statement, Target, UpdateSpec};
use wxcloud::{Document, Value};

use crate::exec;
use crate::reply::ApiError;
use crate::server::body::{opt_bool, opt_u64, req_str};
use crate::server::storage::{cloud_path, now_s};
use crate::state::{Shared, lock};
use crate::storage::Storage;

/// A finished job.
#[derive(Clone, Debug)]
struct Job {
    env: String,
    status: &'static str,
    success: u64,
    fail: u64,
    err_msg: String,
    /// The storage path an export wrote.
    export_path: Option<String>,
}

/// How long a `file_url` stays valid.
pub const FILE_URL_SECONDS: i64 = 7200;

/// The jobs run since start (or the last reset).
#[derive(Debug, Default)]
pub struct Jobs {
    next: u64,
    jobs: HashMap<u64, Job>,
}

impl Jobs {
    fn push(&mut self, job: Job) -> u64 {
        self.next += 1;
        self.jobs.insert(self.next, job);
        self.next
    }

    /// Forgets every job.
    pub fn clear(&mut self) {
        self.jobs.clear();
    }
}

fn job_reply(id: u64) -> Map<String, Json> {
    let mut out = Map::new();
    out.insert("job_id".into(), id.into());
    out
}

fn file_type(b: &Map<String, Json>) -> Result<u64, ApiError> {
    match opt_u64(b, "file_type", 1)? {
        t @ (1 | 2) => Ok(t),
        _ => Err(ApiError::invalid(
            "file_type",
            "must be 1 (JSON) or 2 (CSV)",
        )),
    }
}

/// `databasemigrateimport`: `{collection_name, file_path, file_type, stop_on_error, conflict_mode}`.
pub fn import(
    shared: &Shared,
    env: &str,
    b: &Map<String, Json>,
    now: i64,
) -> Result<Map<String, Json>, ApiError> {
    let coll = crate::server::collection_name(b)?;
    let path = cloud_path("file_path", req_str(b, "file_path")?)?;
    let kind = file_type(b)?;
    let stop_on_error = opt_bool(b, "stop_on_error")?;
    let upsert = match opt_u64(b, "conflict_mode", 1)? {
        1 => false,
        2 => true,
        _ => {
            return Err(ApiError::invalid(
                "conflict_mode",
                "must be 1 (insert) or 2 (upsert)",
            ));
        }
    };
    let mut db = lock(&shared.db);
    if !db
        .collection_exists(env, coll)
        .map_err(ApiError::database)?
    {
        return Err(ApiError::collection_not_exists(coll));
    }
    let mut job = Job {
        env: env.to_owned(),
        status: "success",
        success: 0,
        fail: 0,
        err_msg: String::new(),
        export_path: None,
    };
    match read_records(&db, env, &path, kind) {
        Err(e) => {
            job.status = "fail";
            job.err_msg = e;
        }
        // Fast path: in insert mode, a file whose records all decode and fit goes in as one
        // transaction; otherwise records are imported one by one, counting each failure.
        Ok(records) if !upsert && insert_all(&mut db, env, coll, &records, now) => {
            job.success = records.len() as u64;
        }
        Ok(records) => {
            for record in records {
                match record
                    .map_err(ApiError::database)
                    .and_then(|doc| import_one(&mut db, env, coll, doc, upsert, now))
                {
                    Ok(()) => job.success += 1,
                    Err(e) => {
                        job.fail += 1;
                        if job.err_msg.is_empty() {
                            job.err_msg = e.errmsg;
                        }
                        if stop_on_error {
                            job.status = "fail";
                            break;
                        }
                    }
                }
            }
        }
    }
    drop(db);
    Ok(job_reply(lock(&shared.jobs).push(job)))
}

/// Inserts every record in one transaction; false (and nothing written) if any fails.
fn insert_all(
    db: &mut Storage,
    env: &str,
    coll: &str,
    records: &[Result<Document, String>],
    now: i64,
) -> bool {
    let docs: Option<Vec<Document>> = records.iter().map(|r| r.as_ref().ok().cloned()).collect();
    match docs {
        Some(docs) if !docs.is_empty() => exec::add(db, env, coll, &docs, now).is_ok(),
        _ => false,
    }
}

fn import_one(
    db: &mut Storage,
    env: &str,
    coll: &str,
    doc: Document,
    upsert: bool,
    now: i64,
) -> Result<(), ApiError> {
    match doc.get("_id") {
        Some(id) if upsert => {
            let target = Target::Doc(id.clone());
            exec::update(db, env, coll, &target, &UpdateSpec::Replace(doc), now).map(drop)
        }
        _ => exec::add(db, env, coll, &[doc], now).map(drop),
    }
}

/// The records of a stored file, each decoded or with the reason it could not be.
fn read_records(
    db: &Storage,
    env: &str,
    path: &str,
    kind: u64,
) -> Result<Vec<Result<Document, String>>, String> {
    let file = db
        .find_file(env, path)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("file not exist: {path} (upload it to the env's storage first)"))?;
    let bytes = db.read_file(&file).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8 text"))?;
    if kind == 1 {
        return Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| wxcloud::ejson::decode_document(l).map_err(|e| e.to_string()))
            .collect());
    }
    let mut rows = csv_rows(&text).into_iter();
    let header = rows.next().ok_or("the CSV file is empty")?;
    Ok(rows
        .filter(|r| !(r.len() == 1 && r[0].is_empty()))
        .map(|r| {
            if r.len() != header.len() {
                return Err(format!(
                    "a CSV row has {} fields, the header {}",
                    r.len(),
                    header.len()
                ));
            }
            Ok(header
                .iter()
                .cloned()
                .zip(r.into_iter().map(csv_value))
                .collect())
        })
        .collect())
}

/// Splits CSV text into rows of fields (RFC 4180 quoting).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// A CSV field as a value: booleans and numbers typed, everything else a string.
fn csv_value(s: String) -> Value {
    match s.as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(n) = s.parse::<i64>() {
        return i32::try_from(n)
            .map(Value::Int32)
            .unwrap_or(Value::Int64(n));
    }
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && s.chars().any(|c| c.is_ascii_digit()) => Value::Double(f),
        _ => Value::String(s),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `databasemigrateexport`: `{file_path, file_type, query}` where `query` is a `.get()` statement.
pub fn export(
    shared: &Shared,
    env: &str,
    b: &Map<String, Json>,
    now: i64,
) -> Result<Map<String, Json>, ApiError> {
    let path = cloud_path("file_path", req_str(b, "file_path")?)?;
    let kind = file_type(b)?;
    let text = req_str(b, "query")?;
    let Statement::Query(q) = crate::parser::parse(text, now).map_err(ApiError::statement)? else {
        return Err(ApiError::statement(
            "an export query must be a get() statement",
        ));
    };
    let (docs, _) = exec::select(&lock(&shared.db), env, &q, now, None)?;
    let mut out = String::new();
    if kind == 1 {
        for d in &docs {
            out.push_str(&wxcloud::ejson::to_canonical_string(d));
            out.push('\n');
        }
    } else {
        let mut header: Vec<&str> = Vec::new();
        for d in &docs {
            for k in d.keys() {
                if !header.contains(&k.as_str()) {
                    header.push(k);
                }
            }
        }
        out.push_str(
            &header
                .iter()
                .map(|h| csv_field(h))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
        for d in &docs {
            let fields: Vec<String> = header
                .iter()
                .map(|h| match d.get(*h) {
                    None => String::new(),
                    Some(Value::String(s)) => csv_field(s),
                    Some(v) => csv_field(&wxcloud::ejson::to_relaxed_string(v)),
                })
                .collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    let mut job = Job {
        env: env.to_owned(),
        status: "success",
        success: docs.len() as u64,
        fail: 0,
        err_msg: String::new(),
        export_path: Some(path.clone()),
    };
    if let Err(e) = lock(&shared.db).put_file(env, &path, out.as_bytes(), now) {
        job.status = "fail";
        job.success = 0;
        job.err_msg = format!("cannot write {path}: {e}");
        job.export_path = None;
    }
    Ok(job_reply(lock(&shared.jobs).push(job)))
}

/// `databasemigratequeryinfo`: `{job_id}` → status, record_success, record_fail, err_msg, file_url.
pub fn query_info(
    shared: &Shared,
    env: &str,
    b: &Map<String, Json>,
    origin: &str,
) -> Result<Map<String, Json>, ApiError> {
    let id = match b.get("job_id") {
        None | Some(Json::Null) => return Err(ApiError::missing("job_id")),
        Some(Json::Number(n)) => n.as_u64(),
        Some(Json::String(s)) => s.parse().ok(),
        Some(_) => None,
    }
    .ok_or_else(|| ApiError::invalid("job_id", "must be a job id"))?;
    let jobs = lock(&shared.jobs);
    let job = jobs
        .jobs
        .get(&id)
        .filter(|j| j.env == env)
        .ok_or_else(|| ApiError::invalid("job_id", "no such job"))?;
    let expires = now_s(shared) + FILE_URL_SECONDS;
    let file_url = job
        .export_path
        .as_ref()
        .map(|p| shared.cos.download_url(origin, env, p, expires))
        .unwrap_or_default();
    let out = json!({
        "status": job.status,
        "record_success": job.success,
        "record_fail": job.fail,
        "err_msg": job.err_msg,
        "file_url": file_url,
    });
    Ok(out.as_object().cloned().unwrap_or_default())
}
