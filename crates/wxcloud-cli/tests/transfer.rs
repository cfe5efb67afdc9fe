//! `export` then `import` of 5,000 documents round-trips exactly.

mod support;

use std::fmt::Write as _;

use support::{EmulatorProcess, run};
use wxcloud::{Document, ejson};

fn sample_file(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        // Every type a statement can carry: Int32, Int64 (beyond 32 bits, within ±2^53),
        // doubles, dates, nested documents and arrays, unicode and characters that
        // need escaping. (A statement types numbers by value, like the official SDK: a double
        // with no fraction becomes an integer, so the data set has none.)
        writeln!(
            out,
            r#"{{"_id":"doc-{i:05}","i":{i},"big":{{"$numberLong":"{big}"}},"d":{{"$numberDouble":"{d}"}},"when":{{"$date":{{"$numberLong":"{ms}"}}}},"s":"line\n\"quoted\" 雲 {i}","nested":{{"tags":["a","b"],"n":null,"ok":true}}}}"#,
            big = 3_000_000_000i64 + i as i64,
            d = i as f64 + 0.25,
            ms = 1_600_000_000_000i64 + i as i64,
        )
        .unwrap();
    }
    out
}

fn decode_lines(text: &str) -> Vec<Document> {
    text.lines()
        .map(|l| ejson::decode_document(l).expect("exported line decodes"))
        .collect()
}

#[test]
fn export_then_import_of_5000_documents_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = EmulatorProcess::start(d);
    let source = sample_file(5000);
    std::fs::write(d.join("in.jsonl"), &source).unwrap();

    for c in ["first", "second"] {
        run(emu.cmd(d).args(["collections", "create", c])).ok();
    }
    let imported = run(emu
        .cmd(d)
        .args(["import", "first", "in.jsonl", "--batch-size", "1000"]))
    .ok();
    let summary: serde_json::Value = serde_json::from_str(imported.stdout.trim()).unwrap();
    assert_eq!(summary["imported"], 5000);
    assert_eq!(summary["batches"], 5);

    let first = run(emu.cmd(d).args(["export", "first"])).ok();
    assert!(
        first.stderr.contains("exported 5000 records"),
        "{}",
        first.stderr
    );
    // Progress bars are hidden when stderr is not a terminal: only the summary line.
    assert_eq!(first.stderr.lines().count(), 1, "{}", first.stderr);
    assert_eq!(decode_lines(&first.stdout), decode_lines(&source));

    std::fs::write(d.join("out.jsonl"), &first.stdout).unwrap();
    run(emu
        .cmd(d)
        .args(["import", "second", "out.jsonl", "--batch-size", "1500"]))
    .ok();
    let second = run(emu.cmd(d).args(["export", "second"])).ok();
    assert_eq!(second.stdout, first.stdout, "re-exported bytes differ");
}

#[test]
fn export_with_a_filter_pages_through_only_the_matches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = EmulatorProcess::start(d);
    std::fs::write(d.join("in.jsonl"), sample_file(1500)).unwrap();
    run(emu.cmd(d).args(["collections", "create", "c"])).ok();
    run(emu.cmd(d).args(["import", "c", "in.jsonl"])).ok();
    let out = run(emu.cmd(d).args([
        "export",
        "c",
        "--where",
        r#"{"i":{"$gte":700}}"#,
        "--page-size",
        "500",
    ]))
    .ok();
    let docs = decode_lines(&out.stdout);
    assert_eq!(docs.len(), 800);
    let ids: Vec<&str> = docs.iter().map(|d| d["_id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "pages come back ordered by _id");
}

#[test]
fn a_bad_line_stops_the_import_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = EmulatorProcess::start(d);
    run(emu.cmd(d).args(["collections", "create", "c"])).ok();
    std::fs::write(d.join("bad.jsonl"), "{\"a\":1}\n{\"a\":2}\nnot json\n").unwrap();
    let out = run(emu.cmd(d).args(["import", "c", "bad.jsonl"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("line 3"), "{}", out.stderr);
    let n = run(emu.cmd(d).args(["count", "c"])).ok();
    assert_eq!(n.stdout.trim(), r#"{"count":0}"#);
}

#[test]
fn a_failed_batch_reports_what_was_imported_and_sends_nothing_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = EmulatorProcess::start(d);
    run(emu.cmd(d).args(["collections", "create", "c"])).ok();
    // The third batch repeats the first document's _id, which the service refuses.
    let lines = "{\"_id\":\"a\"}\n{\"_id\":\"b\"}\n{\"_id\":\"a\"}\n{\"_id\":\"d\"}\n";
    std::fs::write(d.join("dup.jsonl"), lines).unwrap();
    let out = run(emu
        .cmd(d)
        .args(["import", "c", "dup.jsonl", "--batch-size", "1"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("imported 2 of 4 documents; batch 3 (lines 3-3) failed"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("errcode"), "{}", out.stderr);
    let n = run(emu.cmd(d).args(["count", "c"])).ok();
    assert_eq!(
        n.stdout.trim(),
        r#"{"count":2}"#,
        "the fourth document was not sent"
    );
}
