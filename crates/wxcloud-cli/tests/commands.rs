//! Every subcommand against an emulator process started by the test.

mod support;

use serde_json::json;
use support::{EmulatorProcess, run};

#[test]
fn emulator_prints_where_it_listens_first_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut emu = EmulatorProcess::start(dir.path());
    let pid = emu.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = emu.child.wait().unwrap();
    assert!(
        status.success(),
        "the emulator should exit 0 on SIGTERM, got {status:?}"
    );
}

#[test]
fn emulator_data_survives_a_clean_stop_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data.sqlite3");
    let start = || {
        let mut child = support::wxcloud(d)
            .args(["emulator", "--port", "0", "--data"])
            .arg(&data)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut first,
        )
        .unwrap();
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap()
            .to_owned();
        (child, url)
    };
    let with = |url: &str, args: &[&str]| {
        run(support::wxcloud(d)
            .env("WXCLOUD_BASE_URL", url)
            .env("WXCLOUD_APPID", "wxemulator")
            .env("WXCLOUD_SECRET", "emulator-secret")
            .env("WXCLOUD_ENV", "test2-4a89da")
            .args(args))
        .ok()
    };

    let (mut child, url) = start();
    // A new data file gets the sample data set.
    assert_eq!(
        with(&url, &["count", "test_collection"]).stdout.trim(),
        r#"{"count":4}"#
    );
    with(
        &url,
        &["add", "test_collection", "--data", r#"{"_id":"kept"}"#],
    );
    let int = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    assert!(int.unwrap().success());
    assert!(
        child.wait().unwrap().success(),
        "SIGINT stops the emulator with exit 0"
    );

    let (mut child, url) = start();
    assert_eq!(
        with(&url, &["count", "test_collection"]).stdout.trim(),
        r#"{"count":5}"#
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn structured_commands_create_add_query_count_update_delete_and_drop() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start(dir.path());
    let d = dir.path();

    let created = run(emu.cmd(d).args(["collections", "create", "books"])).ok();
    assert_eq!(created.json_lines(), [json!({"created": "books"})]);

    let added = run(emu.cmd(d).args([
        "add",
        "books",
        "--data",
        r#"[{"_id":"b1","title":"Dune","year":1965,"price":9.5},
            {"_id":"b2","title":"Emma","year":1815,"price":3.75},
            {"_id":"b3","title":"Ulysses","year":1922,"price":12.25}]"#,
    ]))
    .ok();
    assert_eq!(added.json_lines(), [json!({"ids": ["b1", "b2", "b3"]})]);

    let listed = run(emu.cmd(d).args(["collections", "list"])).ok();
    let books = listed
        .json_lines()
        .into_iter()
        .find(|c| c["name"] == "books")
        .expect("books is listed");
    assert_eq!(books["count"], 3);

    let q = run(emu.cmd(d).args([
        "query",
        "books",
        "--where",
        r#"{"year":{"$gt":1900}}"#,
        "--order-by",
        "year:desc",
        "--fields",
        "title,price",
    ]))
    .ok();
    assert_eq!(
        q.lines(),
        [
            r#"{"_id":"b1","title":"Dune","price":9.5}"#,
            r#"{"_id":"b3","title":"Ulysses","price":12.25}"#
        ]
    );

    let page = run(emu.cmd(d).args([
        "query",
        "books",
        "--order-by",
        "_id",
        "--skip",
        "1",
        "--limit",
        "1",
    ]))
    .ok();
    assert_eq!(page.json_lines()[0]["_id"], "b2");
    assert!(page.stderr.contains("showed 1 of 3"), "{}", page.stderr);

    let n = run(emu
        .cmd(d)
        .args(["count", "books", "--where", r#"{"price":{"$lt":10}}"#]))
    .ok();
    assert_eq!(n.json_lines(), [json!({"count": 2})]);

    let u = run(emu.cmd(d).args([
        "update",
        "books",
        "--where",
        r#"{"_id":"b2"}"#,
        "--data",
        r#"{"$inc":{"year":1}}"#,
    ]))
    .ok();
    assert_eq!(u.json_lines(), [json!({"matched": 1, "modified": 1})]);
    let emma = run(emu
        .cmd(d)
        .args(["query", "books", "--where", r#"{"_id":"b2"}"#]))
    .ok();
    assert_eq!(emma.json_lines()[0]["year"], 1816);
    assert!(emma.stdout.contains(r#""price":3.75"#), "{}", emma.stdout);

    let agg = run(emu.cmd(d).args([
        "aggregate",
        "books",
        "--pipeline",
        r#"[{"$match":{"year":{"$lt":1950}}},{"$sort":{"year":1}},{"$project":{"_id":0,"title":1}}]"#,
    ]))
    .ok();
    assert_eq!(
        agg.lines(),
        [r#"{"title":"Emma"}"#, r#"{"title":"Ulysses"}"#]
    );

    let del = run(emu
        .cmd(d)
        .args(["delete", "books", "--where", r#"{"year":{"$lt":1900}}"#]))
    .ok();
    assert_eq!(del.json_lines(), [json!({"deleted": 1})]);

    let dropped = run(emu.cmd(d).args(["collections", "drop", "books"])).ok();
    assert_eq!(dropped.json_lines(), [json!({"dropped": "books"})]);
    let gone = run(emu.cmd(d).args(["count", "books"]));
    assert_eq!(gone.code, 1);
}

#[test]
fn statements_run_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start(dir.path());
    let d = dir.path();
    run(emu.cmd(d).args(["collections", "create", "t"])).ok();

    let add = run(emu.cmd(d).args([
        "add",
        r#"db.collection("t").add({data: [{_id: "a", n: 1}, {_id: "b", n: 2}]})"#,
    ]))
    .ok();
    assert_eq!(add.json_lines(), [json!({"ids": ["a", "b"]})]);
    let q = run(emu.cmd(d).args([
        "query",
        r#"db.collection("t").where({n: db.command.gt(1)}).get()"#,
    ]))
    .ok();
    assert_eq!(q.lines(), [r#"{"_id":"b","n":2}"#]);
    let c = run(emu.cmd(d).args(["count", r#"db.collection("t").count()"#])).ok();
    assert_eq!(c.json_lines(), [json!({"count": 2})]);
    let u = run(emu.cmd(d).args([
        "update",
        r#"const _ = db.command; db.collection("t").doc("a").update({data: {n: _.inc(10)}})"#,
    ]))
    .ok();
    assert_eq!(u.json_lines()[0]["matched"], 1);
    let a = run(emu.cmd(d).args([
        "aggregate",
        r#"db.collection("t").aggregate().sort({n: -1}).limit(1).end()"#,
    ]))
    .ok();
    assert_eq!(a.lines(), [r#"{"_id":"a","n":11}"#]);
    let r = run(emu
        .cmd(d)
        .args(["delete", r#"db.collection("t").doc("b").remove()"#]))
    .ok();
    assert_eq!(r.json_lines(), [json!({"deleted": 1})]);
}

#[test]
fn output_formats_raw_pretty_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start_with(dir.path(), "wxapp", "app-secret", &["--seed-sample"]);
    let d = dir.path();
    let env = ["--env", "test2-4a89da"];
    let filter = [
        "--where",
        r#"{"_id":"f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea"}"#,
    ];

    let raw = run(emu
        .cmd(d)
        .args(["query", "test_collection"])
        .args(filter)
        .args(env)
        .arg("--raw"))
    .ok();
    assert!(
        raw.stdout.contains(r#"{"$numberDouble":"113.0"}"#),
        "{}",
        raw.stdout
    );

    let pretty = run(emu
        .cmd(d)
        .args(["query", "test_collection"])
        .args(filter)
        .args(env)
        .arg("--pretty"))
    .ok();
    assert!(
        pretty.stdout.starts_with("{\n  \"_id\": \"f77e039f"),
        "{}",
        pretty.stdout
    );
    assert!(pretty.stdout.contains("113.0"));

    let table = run(emu
        .cmd(d)
        .args(["query", "test_collection", "--fields", "description,done"])
        .args(env)
        .arg("--table"))
    .ok();
    let lines = table.lines();
    let mut header: Vec<&str> = lines[0].split_whitespace().collect();
    header.sort();
    assert_eq!(header, ["_id", "description", "done"]);
    assert!(lines[1].starts_with("----"));
    assert_eq!(lines.len(), 2 + 4);
    assert!(lines[2].contains("learn cloud database"));
}

#[test]
fn print_statement_writes_the_statement_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Not even a server: nothing is sent, so no connection is needed.
    let out = run(support::wxcloud(dir.path())
        .env("WXCLOUD_BASE_URL", "http://127.0.0.1:9")
        .env("WXCLOUD_APPID", "wx1")
        .env("WXCLOUD_SECRET", "s")
        .env("WXCLOUD_ENV", "e")
        .args([
            "query",
            "books",
            "--where",
            r#"{"title":"x\"); db.collection(\"y"}"#,
            "--limit",
            "5",
            "--print-statement",
        ]))
    .ok();
    let stmt = out.stdout.trim();
    assert!(stmt.starts_with(r#"db.collection("books")"#), "{stmt}");
    assert!(stmt.ends_with(".get()"), "{stmt}");
    assert!(stmt.contains(".limit(5)"), "{stmt}");
    // The hostile value stays inside its string literal, escaped.
    assert!(stmt.contains(r#""x\"); db.collection(\"y""#), "{stmt}");
}

#[test]
fn token_shows_source_and_expiry_but_the_token_only_with_show() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start(dir.path());
    let d = dir.path();
    let info = run(emu.cmd(d).arg("token")).ok();
    let obj = &info.json_lines()[0];
    assert!(obj["source"].as_str().unwrap().contains("stable"), "{obj}");
    let expires_in = obj["expires_in"].as_u64().unwrap();
    assert!(expires_in > 7000 && expires_in <= 7200, "{obj}");
    assert!(obj.get("access_token").is_none());

    let shown = run(emu.cmd(d).args(["token", "--show"])).ok();
    let token = shown.json_lines()[0]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!token.is_empty());
    assert!(!info.stdout.contains(&token) && !info.stderr.contains(&token));

    // A fixed access token works for data commands, and `token` does not echo it.
    let fixed = |args: &[&str]| {
        run(support::wxcloud(d)
            .env("WXCLOUD_BASE_URL", &emu.base_url)
            .env("WXCLOUD_ACCESS_TOKEN", &token)
            .env("WXCLOUD_ENV", "local")
            .args(args))
        .ok()
    };
    run(emu.cmd(d).args(["collections", "create", "t"])).ok();
    assert_eq!(fixed(&["count", "t"]).stdout.trim(), r#"{"count":0}"#);
    let fixed_info = fixed(&["token"]);
    assert!(!fixed_info.stdout.contains(&token), "{}", fixed_info.stdout);
    assert!(fixed_info.json_lines()[0]["source"].is_string());
}

#[test]
fn indexes_enforce_uniqueness_and_can_be_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start(dir.path());
    let d = dir.path();
    run(emu.cmd(d).args(["collections", "create", "users"])).ok();
    let made = run(emu.cmd(d).args([
        "indexes",
        "users",
        "--create",
        r#"{"name":"by_email","keys":{"email":1},"unique":true}"#,
    ]))
    .ok();
    assert_eq!(
        made.json_lines(),
        [json!({"collection": "users", "created": ["by_email"], "dropped": []})]
    );
    run(emu
        .cmd(d)
        .args(["add", "users", "--data", r#"{"email":"a@x"}"#]))
    .ok();
    let dup = run(emu
        .cmd(d)
        .args(["add", "users", "--data", r#"{"email":"a@x"}"#]));
    assert_eq!(
        dup.code, 1,
        "a unique index refuses the second record: {}",
        dup.stderr
    );

    run(emu.cmd(d).args(["indexes", "users", "--drop", "by_email"])).ok();
    run(emu
        .cmd(d)
        .args(["add", "users", "--data", r#"{"email":"a@x"}"#]))
    .ok();
    let bad = run(emu.cmd(d).args([
        "indexes",
        "users",
        "--create",
        r#"{"name":"x","keys":{"a":7}}"#,
    ]));
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn migrate_export_import_and_status_run_the_services_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let emu = EmulatorProcess::start(dir.path());
    let d = dir.path();
    // Migration files live in the env's cloud storage, as on the real service: the export
    // writes this path there (leading slashes dropped) and the import reads it back.
    let file = d.join("books.json");
    let file = file.to_str().unwrap();
    for c in ["books", "copy"] {
        run(emu.cmd(d).args(["collections", "create", c])).ok();
    }
    run(emu.cmd(d).args([
        "add",
        "books",
        "--data",
        r#"[{"_id":"a","n":1},{"_id":"b","n":2},{"_id":"c","n":3}]"#,
    ]))
    .ok();

    let started = run(emu.cmd(d).args([
        "migrate",
        "export",
        file,
        "books",
        "--where",
        r#"{"n":{"$gte":2}}"#,
    ]))
    .ok();
    let job = started.json_lines()[0]["job_id"]
        .as_u64()
        .expect("a job id");
    let status = run(emu.cmd(d).args(["migrate", "status", &job.to_string()])).ok();
    let s = &status.json_lines()[0];
    assert_eq!(s["status"], "success", "{s}");
    assert_eq!(s["record_success"], 2, "{s}");

    let imported = run(emu.cmd(d).args(["migrate", "import", "copy", file])).ok();
    let job = imported.json_lines()[0]["job_id"].as_u64().unwrap();
    let s = run(emu.cmd(d).args(["migrate", "status", &job.to_string()])).ok();
    assert_eq!(s.json_lines()[0]["record_success"], 2);
    let copy = run(emu.cmd(d).args(["query", "copy", "--order-by", "_id"])).ok();
    assert_eq!(
        copy.lines(),
        [r#"{"_id":"b","n":2}"#, r#"{"_id":"c","n":3}"#]
    );
}
