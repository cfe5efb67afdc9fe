//! Shared helpers for the emulator's HTTP tests: plain requests with reqwest, no wxcloud client.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use wxcloud_emulator::{Emulator, EmulatorBuilder, RunningEmulator};

/// An in-memory emulator with the sample data loaded.
pub async fn start() -> RunningEmulator {
    start_with(Emulator::builder().in_memory().seed_sample(true)).await
}

/// Starts an emulator from a builder.
pub async fn start_with(builder: EmulatorBuilder) -> RunningEmulator {
    builder.start().await.expect("the emulator starts")
}

/// A plain HTTP client.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// Sends a request and returns the JSON reply.
pub async fn json_reply(request: reqwest::RequestBuilder) -> Value {
    request
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json reply")
}

/// GETs a URL and returns the JSON reply.
pub async fn get_json(url: &str) -> Value {
    json_reply(http().get(url)).await
}

/// POSTs JSON and returns the JSON reply.
pub async fn post_json(url: &str, body: &Value) -> Value {
    json_reply(http().post(url).json(body)).await
}

/// The emulator's `GET /cgi-bin/token` URL (grant type `client_credential`) for an app.
pub fn token_url(emu: &RunningEmulator, appid: &str, secret: &str) -> String {
    format!(
        "{}/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}",
        emu.base_url()
    )
}

/// A client_credential token for the emulator's default app.
pub async fn token(emu: &RunningEmulator) -> String {
    let reply = get_json(&token_url(emu, emu.appid(), emu.secret())).await;
    reply["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token in {reply}"))
        .to_owned()
}

/// A stable token for the emulator's default app.
pub async fn stable_token(emu: &RunningEmulator, force_refresh: bool) -> Value {
    let body = json!({"grant_type": "client_credential", "appid": emu.appid(), "secret": emu.secret(), "force_refresh": force_refresh});
    post_json(&format!("{}/cgi-bin/stable_token", emu.base_url()), &body).await
}

/// Calls `/tcb/{op}` with a token and a JSON body.
pub async fn tcb(emu: &RunningEmulator, token: &str, op: &str, body: Value) -> Value {
    post_json(
        &format!("{}/tcb/{op}?access_token={token}", emu.base_url()),
        &body,
    )
    .await
}

/// Runs a statement on the emulator's default env through `op` (`databasequery`, ...).
pub async fn run(emu: &RunningEmulator, token: &str, op: &str, statement: &str) -> Value {
    tcb(
        emu,
        token,
        op,
        json!({"env": emu.env(), "query": statement}),
    )
    .await
}

/// Runs a statement like [`run`] and asserts the reply succeeded (see [`ok`]).
pub async fn run_ok(emu: &RunningEmulator, token: &str, op: &str, statement: &str) -> Value {
    ok(run(emu, token, op, statement).await)
}

/// Runs a `databasequery` statement, asserts it succeeded and decodes its records.
pub async fn query_records(
    emu: &RunningEmulator,
    token: &str,
    statement: &str,
) -> Vec<wxcloud::Document> {
    records(&run_ok(emu, token, "databasequery", statement).await)
}

/// The errcode of a reply.
pub fn errcode(reply: &Value) -> i64 {
    reply["errcode"]
        .as_i64()
        .unwrap_or_else(|| panic!("no errcode in {reply}"))
}

/// Asserts the reply succeeded and returns it.
pub fn ok(reply: Value) -> Value {
    assert_eq!(errcode(&reply), 0, "expected success, got {reply}");
    reply
}

/// Decodes the `data` records of a reply.
pub fn records(reply: &Value) -> Vec<wxcloud::Document> {
    reply["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data in {reply}"))
        .iter()
        .map(|s| {
            wxcloud::ejson::decode_document(s.as_str().expect("records are strings"))
                .expect("records decode")
        })
        .collect()
}

/// Creates a collection in the default env.
pub async fn create_collection(emu: &RunningEmulator, token: &str, name: &str) {
    ok(tcb(
        emu,
        token,
        "databasecollectionadd",
        json!({"env": emu.env(), "collection_name": name}),
    )
    .await);
}

/// A `multipart/form-data` body with these fields in this order: (content type, body).
pub fn form(fields: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "wxcloudtestboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        let filename = if *name == "file" {
            "; filename=\"upload.bin\""
        } else {
            ""
        };
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POSTs a form to a URL: (status, body text).
pub async fn post_form(url: &str, fields: &[(&str, &[u8])]) -> (u16, String) {
    let (content_type, body) = form(fields);
    let reply = http()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("form request");
    let status = reply.status().as_u16();
    (status, reply.text().await.expect("form reply"))
}

/// `uploadfile` for `path` in the default env, asserting success.
pub async fn upload_grant(emu: &RunningEmulator, token: &str, path: &str) -> Value {
    ok(tcb(
        emu,
        token,
        "uploadfile",
        json!({"env": emu.env(), "path": path}),
    )
    .await)
}

/// The form fields COS expects for a grant, `file` last.
pub fn grant_fields<'a>(
    grant: &'a Value,
    path: &'a str,
    bytes: &'a [u8],
) -> Vec<(&'a str, &'a [u8])> {
    vec![
        ("key", path.as_bytes()),
        (
            "Signature",
            grant["authorization"].as_str().unwrap().as_bytes(),
        ),
        (
            "x-cos-security-token",
            grant["token"].as_str().unwrap().as_bytes(),
        ),
        (
            "x-cos-meta-fileid",
            grant["cos_file_id"].as_str().unwrap().as_bytes(),
        ),
        ("file", bytes),
    ]
}

/// Uploads `bytes` to `path` in the default env the way the real two-step upload goes and
/// returns the file ID.
pub async fn upload(emu: &RunningEmulator, token: &str, path: &str, bytes: &[u8]) -> String {
    let grant = upload_grant(emu, token, path).await;
    let (status, body) = post_form(
        grant["url"].as_str().unwrap(),
        &grant_fields(&grant, path, bytes),
    )
    .await;
    assert_eq!((status, body.as_str()), (204, ""), "the COS form upload");
    grant["file_id"].as_str().unwrap().to_owned()
}

/// `batchdownloadfile` for one file: its entry of `file_list`.
pub async fn download_entry(
    emu: &RunningEmulator,
    token: &str,
    file_id: &str,
    max_age: u64,
) -> Value {
    let body = json!({"env": emu.env(), "file_list": [{"fileid": file_id, "max_age": max_age}]});
    ok(tcb(emu, token, "batchdownloadfile", body).await)["file_list"][0].clone()
}

/// Downloads a stored file through a fresh download URL and returns its bytes.
pub async fn download(emu: &RunningEmulator, token: &str, file_id: &str) -> Vec<u8> {
    let entry = download_entry(emu, token, file_id, 600).await;
    assert_eq!(entry["status"], 0, "{entry}");
    let reply = http()
        .get(entry["download_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    reply.bytes().await.unwrap().to_vec()
}

/// A `wxcloud::Client` for the emulator's default app and env, with quick retries.
pub fn client(emu: &RunningEmulator) -> wxcloud::Client {
    wxcloud::Client::builder()
        .base_url(emu.base_url())
        .appid(emu.appid())
        .secret(emu.secret())
        .env(emu.env())
        .retry_policy(wxcloud::retry::RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
        })
        .build()
        .expect("client")
}

/// Requests the emulator counted on `path` (from `/__emulator/stats`).
pub async fn requests(emu: &RunningEmulator, path: &str) -> u64 {
    get_json(&format!("{}/__emulator/stats", emu.base_url())).await["requests"][path]
        .as_u64()
        .unwrap_or(0)
}

/// Makes the next `times` calls of `path` answer errcode `code`.
pub fn fail_with(emu: &RunningEmulator, path: &str, code: i64, times: u32) {
    emu.inject_fault(wxcloud_emulator::Fault {
        path: path.into(),
        errcode: Some(code),
        times: Some(times),
        ..Default::default()
    })
    .expect("fault");
}

/// Starts a migration job through `op` (`databasemigrateimport`/`export`) and returns its
/// `databasemigratequeryinfo` reply (jobs finish before the call returns).
pub async fn migrate_job(emu: &RunningEmulator, token: &str, op: &str, body: Value) -> Value {
    let job = ok(tcb(emu, token, op, body).await)["job_id"].clone();
    let info = json!({"env": emu.env(), "job_id": job});
    ok(tcb(emu, token, "databasemigratequeryinfo", info).await)
}
