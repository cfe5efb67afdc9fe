//! The README's main-job command: no credentials, an empty folder, the sample's four records.

mod support;

use support::{run, wxcloud};

const MAIN_JOB: &str =
    r#"db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()"#;

/// The four sample records, decoded: key order kept, `113.0` a number.
const SAMPLE_OUTPUT: &str = r#"{"_id":"f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea","location":{"type":"Point","coordinates":[113.0,23.0]},"done":false,"description":"learn cloud database","due":"2019-09-09","tags":["cloud","database"]}
{"_id":"6bb88938-49ea-42b6-a6f5-ce408970cfc6","due":"2019-09-09","tags":["cloud","database"],"location":{"type":"Point","coordinates":[113.0,23.0]},"done":false,"description":"Study cloud database"}
{"_id":"51F4F67E-A6A1-4C3E-A50F-827380B8DA86","description":"Study cloud database","due":"2019-09-09","tags":["cloud","database"],"location":{"coordinates":[113.0,23.0],"type":"Point"},"done":false}
{"_id":"ee1d69da-b7ec-4e7a-bc1f-2fae31da4ce0","tags":["cloud","database"],"location":{"type":"Point","coordinates":[113.0,23.0]},"done":false,"description":"Study cloud database","due":"2019-09-09"}
"#;

#[test]
fn the_main_job_in_an_empty_folder_prints_the_four_sample_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(wxcloud(dir.path()).args(["aggregate", MAIN_JOB])).ok();
    assert_eq!(out.stdout, SAMPLE_OUTPUT);
    // One line on stderr says it used the local emulator and how to point it at WeChat.
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains("local emulator"), "{}", out.stderr);
    assert!(out.stderr.contains("WXCLOUD_APPID"), "{}", out.stderr);
    // The data lives in ./.wxcloud of the current folder.
    assert!(dir.path().join(".wxcloud").is_dir());
}

#[test]
fn wxcloud_home_holds_the_data_and_a_second_run_does_not_seed_again() {
    let cwd = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let first = run(wxcloud(cwd.path())
        .env("WXCLOUD_HOME", home.path())
        .args(["aggregate", MAIN_JOB]))
    .ok();
    assert_eq!(first.stdout, SAMPLE_OUTPUT);
    assert!(!cwd.path().join(".wxcloud").exists());

    // Data persists between runs: a record added now is found by the next command.
    let added = run(wxcloud(cwd.path()).env("WXCLOUD_HOME", home.path()).args([
        "add",
        "test_collection",
        "--data",
        r#"{"_id":"mine","tags":["other"]}"#,
    ]))
    .ok();
    assert_eq!(added.stdout.trim(), r#"{"ids":["mine"]}"#);
    let count = run(wxcloud(cwd.path())
        .env("WXCLOUD_HOME", home.path())
        .args(["count", "test_collection"]))
    .ok();
    assert_eq!(count.stdout.trim(), r#"{"count":5}"#);

    // Dropping the sample collection is not undone by a reseed on the next run.
    run(wxcloud(cwd.path()).env("WXCLOUD_HOME", home.path()).args([
        "collections",
        "drop",
        "test_collection",
    ]))
    .ok();
    let after = run(wxcloud(cwd.path())
        .env("WXCLOUD_HOME", home.path())
        .args(["aggregate", MAIN_JOB]));
    assert_eq!(after.code, 1, "{}", after.stderr);
    assert!(after.stderr.contains("-502005"), "{}", after.stderr);
}
