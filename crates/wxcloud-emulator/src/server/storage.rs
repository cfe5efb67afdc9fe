//! The storage endpoints under `/tcb/`: `uploadfile`, `batchdownloadfile`, `batchdeletefile`,
//! and `getqcloudtoken`.
//!
//! They run after the checks every `/tcb/` call shares (method, token, body, env; see
//! [`super::tcb`]). A batch names at most [`MAX_BATCH`] files (-501007 beyond); a file that is
//! missing, or was uploaded without the right `x-cos-meta-fileid`, is reported in its own entry
//! with status -503003 and errmsg `STORAGE_FILE_NONEXIST`, never as an error of the call.

use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Map, Value as Json, json};

use super::body::{opt_u64, req_str};
use crate::cos;
use crate::reply::ApiError;
use crate::state::{Shared, lock};

/// The most files one `batchdownloadfile` or `batchdeletefile` call may name.
pub const MAX_BATCH: usize = 50;

/// The longest cloud path accepted, in bytes.
const MAX_PATH: usize = 1024;

/// A download link's lifetime when `max_age` is not given.
const DEFAULT_MAX_AGE: u64 = 7200;

/// The longest `getqcloudtoken` lifespan.
const MAX_LIFESPAN: u64 = 7200;

/// A cloud path as stored: without leading slashes, with no `.`/`..` segment or control
/// character (40097 otherwise, 40101 when empty).
pub fn cloud_path(field: &str, path: &str) -> Result<String, ApiError> {
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        return Err(ApiError::missing(field));
    }
    if path.len() > MAX_PATH {
        return Err(ApiError::invalid(field, "is longer than 1024 bytes"));
    }
    if path.split('/').any(|s| s == "." || s == "..") || path.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field,
            "must not contain . or .. segments or control characters",
        ));
    }
    Ok(path.to_owned())
}

/// Seconds since the epoch on the emulator's clock.
pub fn now_s(shared: &Shared) -> i64 {
    shared.clock.now_ms().div_euclid(1000)
}

fn fields(value: Json) -> Map<String, Json> {
    value.as_object().cloned().unwrap_or_default()
}

/// `uploadfile` `{env, path}` → `url`, `token`, `authorization`, `file_id`, `cos_file_id`.
pub fn upload_file(
    shared: &Shared,
    env: &str,
    b: &Map<String, Json>,
    origin: &str,
) -> Result<Map<String, Json>, ApiError> {
    let path = cloud_path("path", req_str(b, "path")?)?;
    let grant = shared.cos.grant(env, &path, now_s(shared));
    Ok(fields(json!({
        "url": format!("{origin}/cos/{}/{}", cos::bucket(env), cos::encode_path(&path)),
        "token": grant.token,
        "authorization": grant.authorization,
        "file_id": cos::file_id(env, &path),
        "cos_file_id": grant.cos_file_id,
    })))
}

/// The array at `key`, at most [`MAX_BATCH`] long.
fn batch<'b>(b: &'b Map<String, Json>, key: &str) -> Result<&'b [Json], ApiError> {
    let list = match b.get(key) {
        None | Some(Json::Null) => return Err(ApiError::missing(key)),
        Some(Json::Array(list)) => list,
        Some(_) => return Err(ApiError::invalid(key, "must be an array")),
    };
    if list.len() > MAX_BATCH {
        return Err(ApiError::new(
            -501007,
            format!(
                "Invalid parameter: {key} has {} files, at most {MAX_BATCH} per call",
                list.len()
            ),
        ));
    }
    Ok(list)
}

/// The per-file failure for a file that does not exist (or cannot be downloaded).
fn missing(hint: &str) -> (i64, String) {
    (-503003, format!("STORAGE_FILE_NONEXIST{hint}"))
}

/// `batchdownloadfile` `{env, file_list: [{fileid, max_age}]}` → `file_list: [{fileid,
/// download_url, status, errmsg}]`, in request order.
pub fn download_files(
    shared: &Shared,
    env: &str,
    b: &Map<String, Json>,
    origin: &str,
) -> Result<Map<String, Json>, ApiError> {
    let list = batch(b, "file_list")?;
    let mut requested = Vec::with_capacity(list.len());
    for entry in list {
        let entry = entry
            .as_object()
            .ok_or_else(|| ApiError::invalid("file_list", "entries must be objects"))?;
        let file_id = req_str(entry, "fileid")?;
        let max_age = opt_u64(entry, "max_age", DEFAULT_MAX_AGE)?;
        if max_age == 0 {
            return Err(ApiError::invalid("max_age", "must be at least 1 second"));
        }
        requested.push((file_id, max_age));
    }
    let now = now_s(shared);
    let db = lock(&shared.db);
    let mut out = Vec::with_capacity(requested.len());
    for (file_id, max_age) in requested {
        let found = match cos::path_of(env, file_id) {
            None => None,
            Some(path) => db
                .find_file(env, &path)
                .map_err(ApiError::database)?
                .map(|f| (path, f)),
        };
        let (url, (status, errmsg)) = match found {
            None => (String::new(), missing("")),
            Some((_, f)) if !f.downloadable => (
                String::new(),
                missing(": uploaded without its x-cos-meta-fileid"),
            ),
            Some((path, _)) => {
                let expires = now.saturating_add(i64::try_from(max_age).unwrap_or(i64::MAX));
                let url = shared.cos.download_url(origin, env, &path, expires);
                (url, (0, "ok".to_owned()))
            }
        };
        out.push(
            json!({"fileid": file_id, "download_url": url, "status": status, "errmsg": errmsg}),
        );
    }
    Ok(fields(json!({ "file_list": out })))
}

/// `batchdeletefile` `{env, fileid_list}` → `delete_list: [{fileid, status, errmsg}]`.
pub fn delete_files(
    shared: &Shared,
    env: &str,
    b: &Map<String, Json>,
) -> Result<Map<String, Json>, ApiError> {
    let list = batch(b, "fileid_list")?;
    let ids: Vec<&str> = list
        .iter()
        .map(|v| {
            v.as_str()
                .ok_or_else(|| ApiError::invalid("fileid_list", "entries must be strings"))
        })
        .collect::<Result<_, _>>()?;
    let mut db = lock(&shared.db);
    let mut out = Vec::with_capacity(ids.len());
    for file_id in ids {
        let deleted = match cos::path_of(env, file_id) {
            None => false,
            Some(path) => db.delete_file(env, &path).map_err(ApiError::database)?,
        };
        let (status, errmsg) = if deleted {
            (0, "ok".to_owned())
        } else {
            missing("")
        };
        out.push(json!({"fileid": file_id, "status": status, "errmsg": errmsg}));
    }
    Ok(fields(json!({ "delete_list": out })))
}

fn random(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// `getqcloudtoken` `{lifespan}` (seconds, 1 to 7200, default 7200) → `secretid`, `secretkey`,
/// `token`, `expired_time` (Unix seconds).
pub fn qcloud_token(shared: &Shared, b: &Map<String, Json>) -> Result<Map<String, Json>, ApiError> {
    let lifespan = opt_u64(b, "lifespan", MAX_LIFESPAN)?;
    if !(1..=MAX_LIFESPAN).contains(&lifespan) {
        return Err(ApiError::invalid("lifespan", "must be 1 to 7200 seconds"));
    }
    Ok(fields(json!({
        "secretid": format!("AKID{}", random(32)),
        "secretkey": random(32),
        "token": random(128),
        "expired_time": now_s(shared) + lifespan as i64,
    })))
}
