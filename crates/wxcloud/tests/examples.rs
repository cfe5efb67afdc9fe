//! The examples run against the local test server, so they cannot rot.

mod support;

use std::path::PathBuf;
use std::process::Command;

use serde_json::json;
use support::{APPID, ENV, Reply, SECRET, Server};

/// The compiled example `name` (cargo builds examples before running tests).
fn example(name: &str) -> Command {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let path: PathBuf = deps.parent().unwrap().join("examples").join(name);
    assert!(
        path.exists(),
        "example {name} is not built at {}",
        path.display()
    );
    Command::new(path)
}

fn configured(mut command: Command, server: &Server) -> Command {
    for var in [
        "WXCLOUD_ACCESS_TOKEN",
        "WXCLOUD_TOKEN_MODE",
        "WXCLOUD_TIMEOUT",
        "WXCLOUD_MAX_RETRIES",
    ] {
        command.env_remove(var);
    }
    command
        .env("WXCLOUD_BASE_URL", &server.url)
        .env("WXCLOUD_APPID", APPID)
        .env("WXCLOUD_SECRET", SECRET)
        .env("WXCLOUD_ENV", ENV);
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aggregate_example_prints_the_seed_records() {
    let server = Server::start().await;
    let reply: serde_json::Value =
        serde_json::from_str(include_str!("data/seed-aggregate-reply.json")).unwrap();
    server.script("/tcb/databaseaggregate", Reply::Json(reply));

    let output = tokio::task::spawn_blocking({
        let command = configured(example("aggregate"), &server);
        move || {
            let mut command = command;
            command.output().unwrap()
        }
    })
    .await
    .unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["location"]["coordinates"], json!([113.0, 23.0]));
    assert!(stdout.contains("113.0"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_example_counts_and_reports_errors_with_a_failing_exit() {
    let server = Server::start().await;
    server.script(
        "/tcb/databasecount",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","count":4})),
    );
    server.script("/tcb/databasecount", Reply::Errcode(-502005));

    let run = |server: &Server| {
        let mut command = configured(example("blocking_count"), server);
        command.arg("test_collection");
        tokio::task::spawn_blocking(move || command.output().unwrap())
    };
    let ok = run(&server).await.unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(String::from_utf8(ok.stdout).unwrap().trim(), "4");
    assert_eq!(
        server.seen("/tcb/databasecount")[0].body["query"],
        r#"db.collection("test_collection").count()"#
    );

    let failed = run(&server).await.unwrap();
    assert!(!failed.status.success());
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert!(stderr.contains("-502005"), "{stderr}");
    support::assert_no_secrets(&stderr);
}
