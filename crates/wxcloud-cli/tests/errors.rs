//! Exit codes and messages: 1 for service errors (errcode, errmsg, hint), 2 for usage and
//! configuration errors — and never a token or secret on stderr.

mod support;

use support::{EmulatorProcess, run, wxcloud};

const SECRET: &str = "S3CRET-never-print-me";

#[test]
fn a_missing_collection_exits_1_with_errcode_errmsg_and_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start_with(dir.path(), "wxapp", SECRET, &[]);
    let out = run(emu.cmd(dir.path()).args(["query", "nope"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(
        lines[0].starts_with("wxcloud: errcode -502005: "),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("hint: "), "{}", lines[1]);
    assert!(!out.stderr.contains(SECRET));
}

#[test]
fn a_wrong_secret_exits_1_without_printing_either_secret() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start_with(dir.path(), "wxapp", SECRET, &[]);
    let wrong = "WRONG-secret-also-private";
    let out = run(emu
        .cmd(dir.path())
        .env("WXCLOUD_SECRET", wrong)
        .args(["count", "c"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("errcode"), "{}", out.stderr);
    assert!(out.stderr.contains("hint: "), "{}", out.stderr);
    assert!(
        !out.stderr.contains(wrong) && !out.stderr.contains(SECRET),
        "{}",
        out.stderr
    );
}

#[test]
fn a_rejected_token_exits_1_without_printing_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start_with(dir.path(), "wxapp", SECRET, &[]);
    let token = "TOKEN-that-must-stay-private";
    let out = run(wxcloud(dir.path())
        .env("WXCLOUD_BASE_URL", &emu.base_url)
        .env("WXCLOUD_ACCESS_TOKEN", token)
        .env("WXCLOUD_ENV", "local")
        .args(["count", "c"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("errcode 4"), "{}", out.stderr);
    assert!(!out.stderr.contains(token), "{}", out.stderr);
}

#[test]
fn an_unknown_env_exits_1_with_the_services_code() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start(dir.path());
    let out = run(emu
        .cmd(dir.path())
        .env("WXCLOUD_ENV", "no-such-env")
        .args(["count", "c"]));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("errcode -501007"), "{}", out.stderr);
}

#[test]
fn a_refused_connection_exits_1_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    // Bind then drop a listener: a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run(wxcloud(dir.path())
        .env("WXCLOUD_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("WXCLOUD_APPID", "wx1")
        .env("WXCLOUD_SECRET", SECRET)
        .env("WXCLOUD_ENV", "e")
        .env("WXCLOUD_MAX_RETRIES", "0")
        .args(["count", "c"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("hint: "), "{}", out.stderr);
    assert!(!out.stderr.contains(SECRET), "{}", out.stderr);
}

/// Arguments, environment variables, and a word stderr must contain.
type Case = (
    Vec<&'static str>,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

#[test]
fn usage_and_configuration_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<Case> = vec![
        (
            vec!["query", "c", "--where", "{not json"],
            vec![],
            "--where",
        ),
        (
            vec!["query", "c", "--order-by", "a:sideways"],
            vec![],
            "direction",
        ),
        (
            vec!["query", "db.collection(\"c\").get()", "--limit", "3"],
            vec![],
            "--limit",
        ),
        (vec!["update", "c", "--data", "{}"], vec![], "--where"),
        (vec!["delete", "c"], vec![], "--where"),
        (vec!["add", "c"], vec![], "--data"),
        (
            vec!["count", "c"],
            vec![("WXCLOUD_SECRET", SECRET)],
            "appid",
        ),
        (
            vec!["count", "c"],
            vec![("WXCLOUD_APPID", "wx1"), ("WXCLOUD_SECRET", SECRET)],
            "env",
        ),
        (
            vec!["count", "c"],
            vec![("WXCLOUD_TIMEOUT", "soon")],
            "WXCLOUD_TIMEOUT",
        ),
        (vec!["frobnicate"], vec![], "unrecognized"),
        (
            vec!["emulator", "--app", "no-colon"],
            vec![],
            "APPID:SECRET",
        ),
    ];
    for (args, vars, needle) in cases {
        let mut cmd = wxcloud(d);
        cmd.args(&args).env("WXCLOUD_HOME", d.join("home"));
        for (k, v) in &vars {
            cmd.env(k, v);
        }
        let out = run(&mut cmd);
        assert_eq!(out.code, 2, "{args:?} {vars:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(needle),
            "{args:?}: expected {needle:?} in {}",
            out.stderr
        );
        assert!(!out.stderr.contains(SECRET), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn a_statement_that_cannot_be_written_exits_2_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(wxcloud(dir.path()).env("WXCLOUD_HOME", dir.path()).args([
        "aggregate",
        "c",
        "--pipeline",
        r#"[{"$frobnicate":{}}]"#,
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("frobnicate"), "{}", out.stderr);
}
