//! `wxcloud storage ...` and `wxcloud functions invoke` against an emulator process.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;

use serde_json::{Value, json};
use support::{EmulatorProcess, run};

/// Requests the emulator counted on `path`, from its stats hook.
fn requests(emu: &EmulatorProcess, path: &str) -> u64 {
    // The CLI has no stats command: ask the hook over plain HTTP/1.1.
    let addr = emu.base_url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /__emulator/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let body = reply.split("\r\n\r\n").nth(1).unwrap_or("");
    // The body may be chunked: take the JSON object inside.
    let start = body.find('{').unwrap();
    let end = body.rfind('}').unwrap();
    let stats: Value = serde_json::from_str(&body[start..=end]).unwrap();
    stats["requests"][path].as_u64().unwrap_or(0)
}

#[test]
fn upload_url_download_and_rm_round_trip_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = EmulatorProcess::start(d);
    let content: String = (0..5000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(d.join("in.txt"), &content).unwrap();

    let up = run(emu
        .cmd(d)
        .args(["storage", "upload", "in.txt", "docs/in.txt"]))
    .ok();
    let id = up.json_lines()[0]["file_id"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with("cloud://local.") && id.ends_with("/docs/in.txt"),
        "{id}"
    );

    let url = run(emu.cmd(d).args(["storage", "url", &id, "--max-age", "120"])).ok();
    let link = &url.json_lines()[0];
    assert_eq!(link["file_id"], id.as_str());
    assert_eq!(link["status"], 0);
    assert!(link["url"].as_str().unwrap().starts_with(&emu.base_url));

    let to_file = run(emu
        .cmd(d)
        .args(["storage", "download", &id, "-o", "out.txt"]))
    .ok();
    assert_eq!(to_file.json_lines()[0]["bytes"], content.len());
    assert_eq!(std::fs::read_to_string(d.join("out.txt")).unwrap(), content);
    let to_stdout = run(emu.cmd(d).args(["storage", "download", &id])).ok();
    assert_eq!(to_stdout.stdout, content);

    let rm = run(emu.cmd(d).args(["storage", "rm", &id])).ok();
    assert_eq!(
        rm.json_lines(),
        [json!({"file_id": id, "status": 0, "errmsg": "ok"})]
    );

    // Gone: the link line says so, and the command exits 1 after printing it.
    let url = run(emu.cmd(d).args(["storage", "url", &id]));
    assert_eq!(url.code, 1, "{}", url.stderr);
    assert_eq!(url.json_lines()[0]["status"], -503003);
    assert!(
        url.stderr.contains("1 of 1 files have no download link"),
        "{}",
        url.stderr
    );
    let download = run(emu
        .cmd(d)
        .args(["storage", "download", &id, "-o", "gone.txt"]));
    assert_eq!(download.code, 1);
    assert!(
        download
            .stderr
            .contains("errcode -503003: STORAGE_FILE_NONEXIST"),
        "{}",
        download.stderr
    );
    assert!(download.stderr.contains("hint: "), "{}", download.stderr);
    assert!(!d.join("gone.txt").exists());
}

#[test]
fn an_upload_from_stdin_and_several_ids_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = EmulatorProcess::start(d);
    let mut child = emu
        .cmd(d)
        .args(["storage", "upload", "-", "piped.bin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from a pipe")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let piped: Value = serde_json::from_slice(&out.stdout).unwrap();
    let piped = piped["file_id"].as_str().unwrap().to_owned();
    let missing = piped.replace("piped.bin", "never.bin");

    let url = run(emu.cmd(d).args(["storage", "url", &missing, &piped]));
    assert_eq!(url.code, 1);
    let lines = url.json_lines();
    assert_eq!(lines[0]["file_id"], missing.as_str());
    assert_eq!(lines[0]["errmsg"], "STORAGE_FILE_NONEXIST");
    assert_eq!(lines[1]["file_id"], piped.as_str());
    assert_eq!(lines[1]["status"], 0);
    let got = run(emu.cmd(d).args(["storage", "download", &piped])).ok();
    assert_eq!(got.stdout, "from a pipe");
}

#[test]
fn bad_uploads_exit_2_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = EmulatorProcess::start(d);
    std::fs::write(d.join("in.txt"), "x").unwrap();

    let missing = run(emu.cmd(d).args(["storage", "upload", "nope.txt", "a.txt"]));
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("cannot read nope.txt"),
        "{}",
        missing.stderr
    );
    for cloud in ["/abs.txt", "a/../b.txt", ""] {
        let bad = run(emu.cmd(d).args(["storage", "upload", "in.txt", cloud]));
        assert_eq!(bad.code, 2, "{cloud:?}: {}", bad.stderr);
        assert!(bad.stderr.contains("cloud path"), "{}", bad.stderr);
    }
    let no_age = run(emu
        .cmd(d)
        .args(["storage", "url", "cloud://x", "--max-age", "0"]));
    assert_eq!(no_age.code, 2);
    assert_eq!(requests(&emu, "/tcb/uploadfile"), 0);
}

/// A one-function HTTP server: answers each POST with `{"got": <the event>}`; serves `n`
/// requests, then stops.
fn function_server(n: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/fn", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let reply = json!({ "got": event }).to_string();
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            )
            .unwrap();
        }
    });
    url
}

#[test]
fn functions_invoke_sends_the_event_and_prints_the_return_value() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = function_server(3);
    let emu = EmulatorProcess::start_with(
        d,
        "wxemulator",
        "emulator-secret",
        &["--function", &format!("greet={url}")],
    );
    std::fs::write(d.join("event.json"), r#"{"from": "file"}"#).unwrap();

    let inline = run(emu.cmd(d).args([
        "functions",
        "invoke",
        "greet",
        "--data",
        r#"{"name":"Ada","n":[1,2]}"#,
    ]))
    .ok();
    let got = &inline.json_lines()[0]["got"];
    assert_eq!(got["name"], "Ada");
    assert_eq!(got["n"], json!([1, 2]));
    let from_file = run(emu
        .cmd(d)
        .args(["functions", "invoke", "greet", "--data", "@event.json"]))
    .ok();
    assert_eq!(from_file.json_lines()[0]["got"]["from"], "file");
    let no_event = run(emu.cmd(d).args(["functions", "invoke", "greet", "--raw"])).ok();
    let raw: Value = serde_json::from_str(no_event.stdout.trim()).unwrap();
    assert!(raw["got"].is_object(), "{}", no_event.stdout);
}

#[test]
fn functions_invoke_reports_unknown_functions_and_bad_events() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = EmulatorProcess::start(d);

    let unknown = run(emu.cmd(d).args(["functions", "invoke", "nope"]));
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("errcode -501000"),
        "{}",
        unknown.stderr
    );
    assert!(
        unknown.stderr.contains("hint: ") && unknown.stderr.contains("function"),
        "{}",
        unknown.stderr
    );

    let bad = run(emu
        .cmd(d)
        .args(["functions", "invoke", "f", "--data", "{not json"]));
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("--data is not valid JSON"),
        "{}",
        bad.stderr
    );
    let bad_name = run(emu.cmd(d).args(["functions", "invoke", "has space"]));
    assert_eq!(bad_name.code, 2, "{}", bad_name.stderr);
    assert_eq!(
        requests(&emu, "/tcb/invokecloudfunction"),
        1,
        "only the unknown one was sent"
    );
}
