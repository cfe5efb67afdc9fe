//! The emulator's COS endpoints: the upload form that `uploadfile`'s `url` points to, and the
//! signed download URLs `batchdownloadfile` hands out.
//!
//! - `POST /cos/<bucket>[/<path>]`, `multipart/form-data` with `key`, `Signature`,
//!   `x-cos-security-token`, `x-cos-meta-fileid` and `file` last. Fields after `file` are never
//!   read (COS ignores them). The file is streamed into storage a chunk at a time. Success is
//!   `204 No Content`; errors are COS's XML (`<Error><Code>..</Code><Message>..`).
//! - `GET /cos/<bucket>/<path>?sign=..&t=..` (and `HEAD`): the bytes, streamed, with a content
//!   type guessed from the extension and a `content-length`; 403 XML once `t` has passed.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::storage::{cloud_path, now_s};
use crate::cos::{self, CosError};
use crate::files::{CHUNK, StoredFile};
use crate::state::{Shared, lock};

/// The largest text field of an upload form.
const MAX_FIELD: usize = 16 * 1024;

/// COS's XML error body for `e` about `resource`.
fn xml_error(e: CosError, resource: &str) -> Response {
    let body = format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n  <Code>{}</Code>\n  <Message>{}</Message>\n  <Resource>{}</Resource>\n  <RequestId>{}</RequestId>\n</Error>\n",
        e.code,
        escape(&e.message),
        escape(resource),
        uuid::Uuid::new_v4().simple(),
    );
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The env whose bucket this is (404 NoSuchBucket otherwise).
fn env_of(shared: &Shared, bucket: &str) -> Result<String, CosError> {
    shared
        .config
        .envs
        .iter()
        .find(|e| cos::bucket(e) == bucket)
        .cloned()
        .ok_or_else(|| CosError::new(404, "NoSuchBucket", "The specified bucket does not exist."))
}

fn malformed(why: impl std::fmt::Display) -> CosError {
    CosError::new(
        400,
        "MalformedPOSTRequest",
        format!("The body of your POST request is not well-formed multipart/form-data: {why}"),
    )
}

fn internal(why: impl std::fmt::Display) -> CosError {
    CosError::new(
        500,
        "InternalError",
        format!("We encountered an internal error: {why}"),
    )
}

/// `POST /cos/<bucket>`: the upload form.
pub async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(bucket): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    match receive(&shared, &bucket, form).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => xml_error(e, &format!("/{bucket}")),
    }
}

/// `POST /cos/<bucket>/<path>`: the same form (the `key` field names the file, not the URL).
pub async fn upload_at(
    state: State<Arc<Shared>>,
    Path((bucket, _path)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    upload(state, Path(bucket), form).await
}

async fn receive(
    shared: &Arc<Shared>,
    bucket: &str,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(), CosError> {
    let env = env_of(shared, bucket)?;
    let mut form = form.map_err(|e| malformed(e.body_text()))?;
    let mut fields: HashMap<String, String> = HashMap::new();
    let file = loop {
        let Some(mut field) = form.next_field().await.map_err(malformed)? else {
            return Err(malformed("the form has no file field"));
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            break field;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            value.extend_from_slice(&chunk);
            if value.len() > MAX_FIELD {
                return Err(malformed(format!("the {name} field is too long")));
            }
        }
        fields.insert(name, String::from_utf8_lossy(&value).into_owned());
    };
    let key = fields
        .get("key")
        .ok_or_else(|| CosError::new(400, "InvalidArgument", "the key field is missing"))?;
    let key =
        cloud_path("key", key).map_err(|e| CosError::new(400, "InvalidArgument", e.errmsg))?;
    shared.cos.check_upload(
        &env,
        &key,
        fields.get("Signature").map(String::as_str),
        fields.get("x-cos-security-token").map(String::as_str),
        now_s(shared),
    )?;
    let downloadable = fields.get("x-cos-meta-fileid").map(String::as_str)
        == Some(shared.cos.cos_file_id(bucket, &key).as_str());
    store(shared, &env, &key, downloadable, file).await
}

/// Streams the file field into storage, a chunk row at a time.
async fn store(
    shared: &Arc<Shared>,
    env: &str,
    key: &str,
    downloadable: bool,
    mut file: Field<'_>,
) -> Result<(), CosError> {
    let now = shared.clock.now_ms();
    let id = blocking(shared, {
        let (env, key) = (env.to_owned(), key.to_owned());
        move |s| lock(&s.db).begin_file(&env, &key, now)
    })
    .await?;
    let written = async {
        let (mut buf, mut seq, mut size) = (Vec::with_capacity(CHUNK), 0i64, 0u64);
        loop {
            let next = file.chunk().await.map_err(malformed)?;
            let done = next.is_none();
            if let Some(bytes) = next {
                size += bytes.len() as u64;
                buf.extend_from_slice(&bytes);
            }
            while buf.len() >= CHUNK || (done && !buf.is_empty()) {
                let rest = buf.split_off(buf.len().min(CHUNK));
                let chunk = std::mem::replace(&mut buf, rest);
                blocking(shared, move |s| lock(&s.db).write_chunk(id, seq, &chunk)).await?;
                seq += 1;
            }
            if done {
                break;
            }
        }
        blocking(shared, move |s| {
            lock(&s.db).finish_file(id, size, downloadable)
        })
        .await
    }
    .await;
    if written.is_err() {
        let _ = blocking(shared, move |s| lock(&s.db).abandon_file(id)).await;
    }
    written
}

/// Runs storage work off the async workers.
async fn blocking<T: Send + 'static>(
    shared: &Arc<Shared>,
    work: impl FnOnce(&Shared) -> Result<T, crate::storage::StorageError> + Send + 'static,
) -> Result<T, CosError> {
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || work(&shared))
        .await
        .map_err(internal)?
        .map_err(internal)
}

/// `GET /cos/<bucket>/<path>?sign=..&t=..`: a stored file's bytes.
pub async fn download(
    State(shared): State<Arc<Shared>>,
    Path((bucket, path)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match serve(&shared, &bucket, &path, &q).await {
        Ok(r) => r,
        Err(e) => xml_error(e, &format!("/{bucket}/{path}")),
    }
}

async fn serve(
    shared: &Arc<Shared>,
    bucket: &str,
    path: &str,
    q: &HashMap<String, String>,
) -> Result<Response, CosError> {
    let env = env_of(shared, bucket)?;
    shared.cos.check_download(
        bucket,
        path,
        q.get("sign").map(String::as_str),
        q.get("t").map(String::as_str),
        now_s(shared),
    )?;
    let no_key = || CosError::new(404, "NoSuchKey", "The specified key does not exist.");
    let file = blocking(shared, {
        let (env, path) = (env.clone(), path.to_owned());
        move |s| lock(&s.db).find_file(&env, &path)
    })
    .await?
    .ok_or_else(no_key)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type(path).to_owned()),
            (header::CONTENT_LENGTH, file.size.to_string()),
        ],
        file_body(shared, &file),
    )
        .into_response())
}

/// A stored file's bytes as a body read a chunk at a time (never held whole in memory).
pub fn file_body(shared: &Arc<Shared>, file: &StoredFile) -> Body {
    let chunks = file.chunks();
    let reader = shared.clone();
    let id = file.id;
    let stream = futures::stream::unfold(0i64, move |seq| {
        let reader = reader.clone();
        async move {
            if seq >= chunks {
                return None;
            }
            let chunk = tokio::task::spawn_blocking(move || lock(&reader.db).read_chunk(id, seq))
                .await
                .map_err(std::io::Error::other)
                .and_then(|r| r.map_err(std::io::Error::other))
                .and_then(|c| {
                    c.ok_or_else(|| std::io::Error::other("the file was deleted while it was read"))
                });
            Some((chunk, seq + 1))
        }
    });
    Body::from_stream(stream)
}

/// The content type of a file, guessed from its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" | "log" => "text/plain; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}
