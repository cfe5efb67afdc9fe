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
async fn json_reply(request: reqwest::RequestBuilder) -> Value {
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
