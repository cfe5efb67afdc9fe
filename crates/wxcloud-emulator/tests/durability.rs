//! Acknowledged writes survive `kill -9`: a child emulator process is killed mid-stream and a
//! new one on the same data file finds every document it acknowledged.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::json;
use support::*;

/// The `serve` example binary, built next to this test (building it if `cargo test` did not).
fn serve_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let binary = profile_dir
        .join("examples")
        .join(format!("serve{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "wxcloud-emulator", "--example", "serve"])
            .status()
            .unwrap();
        assert!(status.success(), "building the serve example failed");
    }
    binary
}

/// Spawns the `serve` example on `data` and returns it with its base URL.
fn spawn(data: &Path) -> (Child, String) {
    let mut child = Command::new(serve_binary())
        .args(["--data", data.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    (child, url)
}

async fn client_token(base: &str) -> String {
    let url = format!(
        "{base}/cgi-bin/token?grant_type=client_credential&appid=wxemulator&secret=emulator-secret"
    );
    get_json(&url).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("emulator.db");
    let (mut child, base) = spawn(&data);
    let t = client_token(&base).await;
    let call = |op: &str, query: String| {
        let url = format!("{base}/tcb/{op}?access_token={t}");
        async move { post_json(&url, &json!({"env": "test2-4a89da", "query": query})).await }
    };
    ok(post_json(
        &format!("{base}/tcb/databasecollectionadd?access_token={t}"),
        &json!({"env": "test2-4a89da", "collection_name": "durable"}),
    )
    .await);

    // Writers run concurrently; the process is killed while they are still sending.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let acknowledged = acknowledged.clone();
        let url = format!("{base}/tcb/databaseadd?access_token={t}");
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let query = format!(
                    "db.collection(\"durable\").add({{data: {{_id: \"w{w}-{i}\", i: {i}}}}})"
                );
                let Ok(reply) = http()
                    .post(&url)
                    .json(&json!({"env": "test2-4a89da", "query": query}))
                    .send()
                    .await
                else {
                    break;
                };
                let Ok(reply) = reply.json::<serde_json::Value>().await else {
                    break;
                };
                if reply["errcode"] == 0 {
                    acknowledged.lock().unwrap().push(format!("w{w}-{i}"));
                }
            }
        }));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while acknowledged.lock().unwrap().len() < 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the writers stalled before 200 acknowledged writes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // An update acknowledged before the kill must survive too.
    ok(call(
        "databaseupdate",
        "db.collection(\"durable\").doc(\"w0-0\").update({data: {updated: true}})".into(),
    )
    .await);
    // Child::kill is SIGKILL on Unix: no chance to flush or close anything.
    child.kill().unwrap();
    child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let (mut child, base) = spawn(&data);
    let t = client_token(&base).await;
    let url = format!("{base}/tcb/databasequery?access_token={t}");
    let mut found = std::collections::HashSet::new();
    let mut skip = 0;
    loop {
        let query = format!("db.collection(\"durable\").skip({skip}).limit(1000).get()");
        let reply = ok(post_json(&url, &json!({"env": "test2-4a89da", "query": query})).await);
        let page = records(&reply);
        if page.is_empty() {
            break;
        }
        skip += page.len();
        found.extend(
            page.into_iter()
                .map(|d| d["_id"].as_str().unwrap().to_owned()),
        );
    }
    let missing: Vec<_> = acknowledged
        .iter()
        .filter(|id| !found.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes lost: {:?}",
        missing.len(),
        acknowledged.len(),
        &missing[..missing.len().min(5)]
    );
    let reply = ok(post_json(
        &url,
        &json!({"env": "test2-4a89da", "query": "db.collection(\"durable\").doc(\"w0-0\").get()"}),
    )
    .await);
    assert_eq!(records(&reply)[0]["updated"], wxcloud::Value::Bool(true));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A child emulator killed (SIGKILL) when dropped, so a failing test leaves no process behind.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_file_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("emulator.db");
    let (child, base) = spawn(&data);
    let child = Killed(child);
    let t = client_token(&base).await;
    let env = "test2-4a89da";
    let path = "kept/photo.jpg";
    let bytes: Vec<u8> = (0..3 * 1024 * 1024 + 17u32)
        .map(|i| (i % 253) as u8)
        .collect();
    let grant = ok(post_json(
        &format!("{base}/tcb/uploadfile?access_token={t}"),
        &json!({"env": env, "path": path}),
    )
    .await);
    let (status, body) = post_form(
        grant["url"].as_str().unwrap(),
        &grant_fields(&grant, path, &bytes),
    )
    .await;
    assert_eq!((status, body.as_str()), (204, ""));
    drop(child); // SIGKILL: no chance to flush or close anything

    let (child, base) = spawn(&data);
    let _child = Killed(child);
    let t = client_token(&base).await;
    let list = ok(post_json(
        &format!("{base}/tcb/batchdownloadfile?access_token={t}"),
        &json!({"env": env, "file_list": [{"fileid": grant["file_id"], "max_age": 60}]}),
    )
    .await);
    let entry = &list["file_list"][0];
    assert_eq!(entry["status"], 0, "{entry}");
    let back = http()
        .get(entry["download_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        back.as_ref() == bytes.as_slice(),
        "the file came back changed"
    );
}
