//! Differential test against the official serializer, npm `@cloudbase/database`.
//!
//! Every statement we print — the shared vectors plus seeded random filters, updates, documents
//! and pipelines full of hostile strings — is evaluated by the SDK with its request class
//! replaced by a recorder (`tests/oracle/cloudbase/record.js`). What it would send must equal
//! our input, up to the differences documented in `statement_support/model.rs`. A hostile
//! string that escaped its literal would change what is sent, or make the statement fail.
//!
//! Needs `node` and `npm ci` in `tests/oracle/cloudbase` (`scripts/suites/oracles.sh` does
//! both and sets `WXCLOUD_ORACLE=required`); without them the test says so and passes, unless
//! required. `STATEMENT_ORACLE_SEED` and `STATEMENT_ORACLE_CASES` vary the random part.

mod statement_support;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value as Json;
use statement_support::random::{self, Rng};
use statement_support::{build, model, vectors};
use wxcloud::statement::Statement;
use wxcloud::{Document, Value};

fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oracle/cloudbase")
}

/// Runs the recorder over these statements; None if it is not installed (and not required).
fn record(statements: &[String]) -> Option<Vec<Json>> {
    let dir = oracle_dir();
    let required = std::env::var("WXCLOUD_ORACLE").is_ok_and(|v| v == "required");
    if !dir.join("node_modules/@cloudbase/database").is_dir() {
        assert!(
            !required,
            "the oracle is required but {} has no node_modules: run npm ci there",
            dir.display()
        );
        eprintln!(
            "skipping: @cloudbase/database is not installed (scripts/suites/oracles.sh installs it)"
        );
        return None;
    }
    let mut child = Command::new("node")
        .arg(dir.join("record.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run node");
    let mut input = String::new();
    for s in statements {
        input.push_str(&serde_json::json!({ "statement": s }).to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("recorder output");
    writer
        .join()
        .expect("writer thread")
        .expect("write statements");
    assert!(
        output.status.success(),
        "record.js failed: {:?}",
        output.status
    );
    let replies: Vec<Json> = String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON reply line"))
        .collect();
    assert_eq!(replies.len(), statements.len(), "one reply per statement");
    Some(replies)
}

/// Compares what the SDK sent for `text` with what `stmt` means; a description if they differ.
fn compare(stmt: &Statement, text: &str, reply: &Json) -> Option<String> {
    if reply["ok"] != Json::Bool(true) {
        return Some(format!(
            "the SDK refused {text}\n  error: {}",
            reply["error"]
        ));
    }
    let sends = reply["sends"].as_array().expect("sends");
    if sends.len() != 1 {
        return Some(format!("{text}\n  sent {} requests", sends.len()));
    }
    let want = format!("{:?}", model::expected(stmt));
    let got = format!("{:?}", model::recorded(&sends[0]));
    if std::env::var_os("STATEMENT_ORACLE_SHOW").is_some() {
        eprintln!("{text}\n  sent {}\n  normal form {got}\n", sends[0]);
    }
    (want != got).then(|| format!("{text}\n  want {want}\n  got  {got}"))
}

fn seed() -> u64 {
    std::env::var("STATEMENT_ORACLE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_128)
}

fn generated_cases() -> usize {
    std::env::var("STATEMENT_ORACLE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400)
}

#[test]
fn the_official_serializer_reads_every_statement_as_its_input() {
    let mut cases: Vec<(String, Statement, String)> = Vec::new();
    for case in vectors().into_iter().filter(|c| c.expect.is_some()) {
        let (stmt, text) = build(&case);
        cases.push((
            format!("vector {:?}", case.name),
            stmt,
            text.expect("vector prints"),
        ));
    }
    // Every aggregate operator of the vocabulary exists in the SDK under that name.
    for (name, op) in wxcloud::statement::vocab::AGGREGATE_OPERATORS {
        let expr = Value::Document([(op.to_string(), Value::from("$x"))].into_iter().collect());
        let project = Value::Document([("v".to_owned(), expr)].into_iter().collect());
        let stage: Document = [("$project".to_owned(), project)].into_iter().collect();
        let stmt = Statement::Aggregate {
            collection: "c".into(),
            stages: vec![stage],
        };
        let text = stmt.to_text().expect("every vocabulary operator prints");
        cases.push((format!("aggregate operator {name}"), stmt, text));
    }
    let seed = seed();
    let mut rng = Rng::new(seed);
    for i in 0..generated_cases() {
        let stmt = random::statement(&mut rng);
        let text = stmt.to_text().unwrap_or_else(|e| {
            panic!("generated case {i} (seed {seed}) does not print: {e}\n{stmt:?}")
        });
        cases.push((format!("generated case {i} (seed {seed})"), stmt, text));
    }
    let texts: Vec<String> = cases.iter().map(|(_, _, t)| t.clone()).collect();
    let Some(replies) = record(&texts) else {
        return;
    };
    let failures: Vec<String> = cases
        .iter()
        .zip(&replies)
        .filter_map(|((name, stmt, text), reply)| {
            compare(stmt, text, reply).map(|d| format!("{name}: {d}"))
        })
        .collect();
    eprintln!(
        "oracle: {} statements compared, {} differ (seed {seed})",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} statements differ from the official serializer:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    assert!(
        cases.len() >= 300,
        "at least 300 cases, got {}",
        cases.len()
    );
}

/// The comparison is not vacuous: a statement whose literal was changed, or one that escapes
/// its literal, is caught.
#[test]
fn a_changed_or_escaped_statement_is_caught() {
    let filter: Document = [("name".to_owned(), Value::from("x"))]
        .into_iter()
        .collect();
    let stmt = Statement::Count {
        collection: "users".into(),
        filter: Some(filter),
    };
    let honest = stmt.to_text().expect("prints");
    let changed = honest.replace("\"x\"", "\"y\"");
    // What naive splicing of `x"}); db.collection("other").where({"a": "` would produce.
    let escaped = r#"db.collection("users").where({"name": "x"}).count(); db.collection("other").where({"a": ""}).count()"#.to_owned();
    let Some(replies) = record(&[honest.clone(), changed.clone(), escaped.clone()]) else {
        return;
    };
    assert_eq!(compare(&stmt, &honest, &replies[0]), None);
    assert!(
        compare(&stmt, &changed, &replies[1]).is_some(),
        "a changed value must be caught"
    );
    assert!(
        compare(&stmt, &escaped, &replies[2]).is_some(),
        "a second request must be caught"
    );
}
