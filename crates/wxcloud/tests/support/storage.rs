//! The stand-in's cloud functions and file storage: `/tcb/uploadfile` hands out tickets for a
//! COS-like form endpoint on this server (`/cos/upload`), which checks the form's fields like
//! COS does (names, order, signature) and keeps the file; `/tcb/batchdownloadfile` signs links
//! to `/cos/files/<key>`; `/tcb/batchdeletefile` deletes; `/tcb/invokecloudfunction` echoes
//! the event, env and name it got; `/tcb/getqcloudtoken` issues credentials.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

use super::{ENV, Seen};

/// Every storage credential and link signature the server issues holds this; it must never
/// appear in an error, `Debug` or log.
pub const COS_SECRET: &str = "cos-secret-";

/// The bucket part of every file ID.
pub const BUCKET: &str = "7465-test2-4a89da-1250000000";

/// The per-file status and errmsg of a file that does not exist.
pub const MISSING_STATUS: i64 = -503003;
pub const MISSING_ERRMSG: &str = "STORAGE_FILE_NONEXIST";

/// The file ID of cloud path `path`.
pub fn file_id(path: &str) -> String {
    format!("cloud://{ENV}.{BUCKET}/{path}")
}

/// One form POSTed to the COS endpoint, as received.
#[derive(Clone, Debug)]
pub struct Form {
    /// The field names in the order they came.
    pub names: Vec<String>,
    /// The text fields' values.
    pub values: HashMap<String, String>,
    /// The `file` field's size and sha256 (hex).
    pub file_len: usize,
    pub file_sha256: String,
}

#[derive(Default)]
pub struct Storage {
    base_url: OnceLock<String>,
    files: Mutex<HashMap<String, Vec<u8>>>,
    forms: Mutex<Vec<Form>>,
}

impl Storage {
    pub(crate) fn set_base_url(&self, url: &str) {
        let _ = self.base_url.set(url.to_string());
    }

    fn base(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }
}

impl super::Server {
    /// Every form the COS endpoint received, in order.
    pub fn forms(&self) -> Vec<Form> {
        self.state.storage.forms.lock().unwrap().clone()
    }

    /// The content stored at cloud path `path`.
    pub fn stored(&self, path: &str) -> Option<Vec<u8>> {
        self.state.storage.files.lock().unwrap().get(path).cloned()
    }

    /// Stores `content` at cloud path `path` as if it had been uploaded.
    pub fn put_file(&self, path: &str, content: &[u8]) {
        self.state
            .storage
            .files
            .lock()
            .unwrap()
            .insert(path.to_string(), content.to_vec());
    }
}

/// The sha256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The signature a ticket for `path` carries.
fn signature(path: &str) -> String {
    format!("{COS_SECRET}sign-{path}")
}

const LINK_SIGNATURE: &str = "cos-secret-link";

/// The default success of a storage or function call that passed the token check.
pub(crate) fn default_reply(storage: &Storage, seen: &Seen) -> Option<Json> {
    let ok = |mut fields: Json| {
        fields["errcode"] = json!(0);
        fields["errmsg"] = json!("ok");
        fields
    };
    let reply = match seen.path.as_str() {
        "/tcb/uploadfile" => {
            let path = seen.body["path"].as_str().unwrap_or_default();
            ok(json!({
                "url": format!("{}/cos/upload", storage.base()),
                "token": format!("{COS_SECRET}token"),
                "authorization": signature(path),
                "file_id": file_id(path),
                "cos_file_id": format!("meta-{path}"),
            }))
        }
        "/tcb/batchdownloadfile" => {
            let files = storage.files.lock().unwrap();
            let list: Vec<Json> = seen.body["file_list"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|entry| {
                    let id = entry["fileid"].as_str().unwrap_or_default();
                    match key_of(id).filter(|key| files.contains_key(*key)) {
                        Some(key) => json!({
                            "fileid": id,
                            "download_url": format!("{}/cos/files/{key}?sign={LINK_SIGNATURE}&t={}", storage.base(), entry["max_age"]),
                            "status": 0, "errmsg": "ok",
                        }),
                        None => json!({"fileid": id, "download_url": "", "status": MISSING_STATUS, "errmsg": MISSING_ERRMSG}),
                    }
                })
                .collect();
            ok(json!({ "file_list": list }))
        }
        "/tcb/batchdeletefile" => {
            let mut files = storage.files.lock().unwrap();
            let list: Vec<Json> = seen.body["fileid_list"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|id| {
                    let id = id.as_str().unwrap_or_default();
                    match key_of(id).and_then(|key| files.remove(key)) {
                        Some(_) => json!({"fileid": id, "status": 0, "errmsg": "ok"}),
                        None => json!({"fileid": id, "status": MISSING_STATUS, "errmsg": MISSING_ERRMSG}),
                    }
                })
                .collect();
            ok(json!({ "delete_list": list }))
        }
        "/tcb/invokecloudfunction" => {
            let got = json!({
                "event": seen.body,
                "env": seen.query.get("env"),
                "name": seen.query.get("name"),
                "body_len": seen.body_len,
            });
            ok(json!({ "resp_data": got.to_string() }))
        }
        "/tcb/getqcloudtoken" => ok(json!({
            "secretid": "AKIDtestid",
            "secretkey": format!("{COS_SECRET}key"),
            "token": format!("{COS_SECRET}session"),
            "expired_time": 1_700_000_000u64 + seen.body["lifespan"].as_u64().unwrap_or(0),
        })),
        _ => return None,
    };
    Some(reply)
}

fn key_of(file_id: &str) -> Option<&str> {
    file_id.strip_prefix(&format!("cloud://{ENV}.{BUCKET}/"))
}

/// A COS-style XML error reply.
pub fn cos_xml(status: u16, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><StringToSign>{COS_SECRET}string-to-sign</StringToSign><RequestId>req-1</RequestId></Error>"
    );
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/xml")],
        body,
    )
        .into_response()
}

/// What the COS endpoints answer when no reply is scripted.
pub(crate) fn cos_reply(
    storage: &Storage,
    seen: &Seen,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if seen.path == "/cos/upload" {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let Some(parts) = multipart(content_type, body) else {
            return cos_xml(400, "MalformedPOSTRequest", "not a multipart form");
        };
        let mut form = Form {
            names: Vec::new(),
            values: HashMap::new(),
            file_len: 0,
            file_sha256: String::new(),
        };
        for (name, value) in &parts {
            form.names.push(name.clone());
            if name == "file" {
                form.file_len = value.len();
                form.file_sha256 = sha256_hex(value);
            } else {
                form.values
                    .insert(name.clone(), String::from_utf8_lossy(value).into_owned());
            }
        }
        storage.forms.lock().unwrap().push(form.clone());
        let key = form.values.get("key").cloned().unwrap_or_default();
        if form.values.get("Signature") != Some(&signature(&key)) {
            return cos_xml(
                403,
                "SignatureDoesNotMatch",
                "The Signature you specified is invalid.",
            );
        }
        if form.names.last().map(String::as_str) != Some("file") {
            return cos_xml(
                400,
                "MalformedPOSTRequest",
                "the file must be the last field",
            );
        }
        let file = parts.into_iter().find(|(n, _)| n == "file").map(|(_, v)| v);
        storage
            .files
            .lock()
            .unwrap()
            .insert(key, file.unwrap_or_default());
        return StatusCode::NO_CONTENT.into_response();
    }
    if let Some(key) = seen.path.strip_prefix("/cos/files/") {
        if seen.query.get("sign").map(String::as_str) != Some(LINK_SIGNATURE) {
            return cos_xml(403, "AccessDenied", "Request has expired");
        }
        return match storage.files.lock().unwrap().get(key) {
            Some(bytes) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/octet-stream")],
                bytes.clone(),
            )
                .into_response(),
            None => cos_xml(404, "NoSuchKey", "The specified key does not exist."),
        };
    }
    cos_xml(404, "NoSuchBucket", "no such endpoint")
}

/// The (name, content) of each part of a `multipart/form-data` body, in order.
fn multipart(content_type: &str, body: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    // The body starts with the first delimiter without its leading CRLF.
    let mut rest = body.strip_prefix(&delimiter[2..])?;
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let name = head.split("name=\"").nth(1)?.split('"').next()?.to_string();
        let content = &rest[head_end + 4..];
        let end = find(content, &delimiter)?;
        parts.push((name, content[..end].to_vec()));
        rest = &content[end + delimiter.len()..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut start = 0;
    while let Some(i) = haystack[start..].iter().position(|&b| b == first) {
        let at = start + i;
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        start = at + 1;
    }
    None
}
