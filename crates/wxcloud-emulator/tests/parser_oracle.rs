//! Differential test: for every statement of `data/parser_corpus.jsonl`, and every wx-server-sdk
//! snippet of `tests/vectors/sdk-snippets.json` (the chains the Python and Node
//! `client.database()` record, lowered by the same core code), what this parser makes of it equals what the official `@cloudbase/database` SDK would send (its request class
//! replaced by the recorder at `tests/oracle/cloudbase/record.js`), or both refuse it.
//!
//! Needs `node` and the recorder's npm packages (installed here with `npm ci` in
//! tests/oracle/cloudbase when missing); without them the test says so and passes, unless
//! `WXCLOUD_ORACLE=required`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value as Json;
use wxcloud::statement::{Statement, Target, UpdateSpec};
use wxcloud::{Document, Value};
use wxcloud_emulator::parser::parse;

/// The params the SDK sends that carry the statement's meaning.
const COMPARED: &[&str] = &[
    "query",
    "order",
    "offset",
    "limit",
    "projection",
    "data",
    "stages",
];

fn doc(pairs: Vec<(&str, Value)>) -> Document {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn id_query(id: &Value) -> Value {
    Value::Document(doc(vec![("_id", id.clone())]))
}

/// What the SDK would send for a statement we parsed: (action, compared params).
fn expected(s: &Statement) -> (&'static str, Document) {
    match s {
        Statement::Query(q) => {
            let mut p = Document::new();
            if let Some(id) = &q.doc {
                p.insert("query".into(), id_query(id));
                if let Some(f) = &q.fields {
                    p.insert("projection".into(), Value::Document(f.clone()));
                }
                return ("database.getDocument", p);
            }
            if let Some(f) = &q.filter {
                p.insert("query".into(), Value::Document(f.clone()));
            }
            if !q.order_by.is_empty() {
                let order = q.order_by.iter().map(|(f, d)| {
                    (
                        f.clone(),
                        Value::Int32(if *d == wxcloud::statement::Direction::Asc {
                            1
                        } else {
                            -1
                        }),
                    )
                });
                p.insert("order".into(), Value::Document(order.collect()));
            }
            if let Some(skip) = q.skip.filter(|s| *s > 0) {
                p.insert("offset".into(), Value::Int32(skip as i32));
            }
            let limit = q
                .limit
                .filter(|l| *l > 0)
                .map(|l| l.min(1000))
                .unwrap_or(100);
            p.insert("limit".into(), Value::Int32(limit as i32));
            if let Some(f) = &q.fields {
                p.insert("projection".into(), Value::Document(f.clone()));
            }
            ("database.getDocument", p)
        }
        Statement::Count { filter, .. } => (
            "database.calculateDocument",
            filter
                .iter()
                .map(|f| ("query".to_owned(), Value::Document(f.clone())))
                .collect(),
        ),
        Statement::Add { docs, .. } => (
            "database.insertDocument",
            doc(vec![(
                "data",
                Value::Array(docs.iter().cloned().map(Value::Document).collect()),
            )]),
        ),
        Statement::Update { target, update, .. } => {
            let query = match target {
                Target::Doc(id) => id_query(id),
                Target::Where(f) => Value::Document(f.clone()),
            };
            let data = match update {
                UpdateSpec::Operators(d) | UpdateSpec::Replace(d) => Value::Document(d.clone()),
            };
            (
                "database.modifyDocument",
                doc(vec![("query", query), ("data", data)]),
            )
        }
        Statement::Remove { target, .. } => {
            let query = match target {
                Target::Doc(id) => id_query(id),
                Target::Where(f) => Value::Document(f.clone()),
            };
            ("database.removeDocument", doc(vec![("query", query)]))
        }
        Statement::Aggregate { stages, .. } => (
            "database.aggregateDocuments",
            doc(vec![(
                "stages",
                Value::Array(stages.iter().cloned().map(Value::Document).collect()),
            )]),
        ),
    }
}

/// The SDK spells `db.serverDate()` `$tcb_server_date`; the shared AST spells it `$serverDate`.
fn normalise(v: Value) -> Value {
    match v {
        Value::Document(d) => Value::Document(
            d.into_iter()
                .map(|(k, v)| {
                    (
                        if k == "$tcb_server_date" {
                            "$serverDate".to_owned()
                        } else {
                            k
                        },
                        normalise(v),
                    )
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(normalise).collect()),
        other => other,
    }
}

fn recorded(send: &Json) -> (String, Document) {
    let action = send["action"].as_str().unwrap_or_default().to_owned();
    let mut params = Document::new();
    for key in COMPARED {
        if let Some(v) = send["params"].get(*key) {
            let value = wxcloud::ejson::decode_value(&v.to_string())
                .unwrap_or_else(|e| panic!("recorder output {v}: {e}"));
            params.insert((*key).to_owned(), normalise(value));
        }
    }
    (action, params)
}

#[test]
fn the_parser_agrees_with_the_official_sdk_on_the_corpus() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let oracle = manifest.join("../../tests/oracle/cloudbase");
    let corpus = std::fs::read_to_string(manifest.join("tests/data/parser_corpus.jsonl")).unwrap();
    let mut statements: Vec<String> = corpus
        .lines()
        .map(|l| {
            serde_json::from_str::<Json>(l).unwrap()["statement"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        statements.len() >= 200,
        "the corpus has {} statements",
        statements.len()
    );
    let snippets: Json = serde_json::from_str(
        &std::fs::read_to_string(manifest.join("../../tests/vectors/sdk-snippets.json")).unwrap(),
    )
    .unwrap();
    for snippet in snippets["snippets"].as_array().unwrap() {
        let js = snippet["js"].as_str().unwrap();
        statements.push(
            js.replace("db.collection(C)", "db.collection(\"books\")")
                .replace("\"from\": C", "\"from\": \"books\""),
        );
    }
    let corpus: String = statements
        .iter()
        .map(|s| serde_json::json!({ "statement": s }).to_string() + "\n")
        .collect();

    let installed = || oracle.join("node_modules/@cloudbase/database").exists();
    if !installed() {
        // A fresh clone: install the recorder's pinned packages if npm is here.
        let _ = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&oracle)
            .status();
    }
    let ready = installed()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var("WXCLOUD_ORACLE").as_deref() != Ok("required"),
            "the @cloudbase/database recorder is not installed"
        );
        eprintln!(
            "skipping: node or tests/oracle/cloudbase/node_modules missing (run npm ci there)"
        );
        return;
    }
    let mut child = Command::new("node")
        .arg(oracle.join("record.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = corpus.clone();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let replies: Vec<Json> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(replies.len(), statements.len(), "one reply per statement");

    let mut disagreements = Vec::new();
    let mut compared = 0;
    for (statement, reply) in statements.iter().zip(&replies) {
        let ours = parse(statement, 0);
        match (ours, reply["ok"].as_bool() == Some(true)) {
            (Err(_), false) => compared += 1,
            (Err(e), true) => disagreements.push(format!(
                "{statement}\n  we refuse ({e}), the SDK sends {}",
                reply["sends"][0]
            )),
            (Ok(s), false) => disagreements.push(format!(
                "{statement}\n  we accept ({s:?}), the SDK refuses: {}",
                reply["error"]
            )),
            (Ok(s), true) => {
                compared += 1;
                let (action, params) = expected(&s);
                let (sdk_action, sdk_params) = recorded(&reply["sends"][0]);
                // Compared as canonical text, so key order counts too (Document equality does not).
                let (ours_text, sdk_text) = (
                    wxcloud::ejson::to_canonical_string(&params),
                    wxcloud::ejson::to_canonical_string(&sdk_params),
                );
                if action != sdk_action || ours_text != sdk_text {
                    disagreements.push(format!(
                        "{statement}\n  ours: {action} {ours_text}\n  SDK:  {sdk_action} {sdk_text}"
                    ));
                }
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} statements differ:\n{}",
        disagreements.len(),
        statements.len(),
        disagreements.join("\n")
    );
    assert_eq!(compared, statements.len());
}
