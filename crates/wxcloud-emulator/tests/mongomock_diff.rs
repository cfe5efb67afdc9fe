//! Differential test: the engine against mongomock, on the cases `tests/mongomock/generate.py`
//! writes (run it through `scripts/suites/mongomock.sh`, which sets `WXCLOUD_MONGOMOCK_CASES`).
//!
//! Every filter, update and pipeline must give mongomock's result, except where mongomock is
//! wrong by MongoDB's documentation: those cases are recognised by the rules in [`KNOWN`], each
//! with its reason, and asserted against the documented behaviour instead.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::BufRead;

use wxcloud::{Document, Value, ejson};
use wxcloud_emulator::engine::expr::Vars;
use wxcloud_emulator::engine::filter::Filter;
use wxcloud_emulator::engine::{Collections, aggregate, apply_update, compare};

#[derive(Default)]
struct Db(HashMap<String, Vec<Document>>);

impl Collections for Db {
    fn documents(&self, collection: &str) -> Vec<Document> {
        self.0.get(collection).cloned().unwrap_or_default()
    }
}

/// One generated case with mongomock's answer.
struct Case {
    id: String,
    kind: String,
    body: Document,
}

impl Case {
    /// The document at `key` of the case's body (empty when it is missing or not a document).
    fn doc(&self, key: &str) -> Document {
        self.body
            .get(key)
            .and_then(Value::as_document)
            .cloned()
            .unwrap_or_default()
    }

    /// Result documents as an outcome: in their order when the case says `ordered`, else sorted.
    fn docs_outcome(&self, docs: Vec<Value>) -> Outcome {
        if self.body.get("ordered") == Some(&Value::Bool(true)) {
            Outcome::Docs(docs)
        } else {
            Outcome::Docs(canonical_sort(docs))
        }
    }
}

/// What the engine answered, in the shape mongomock's answer has.
#[derive(Debug, PartialEq)]
enum Outcome {
    Error(String),
    Ids(Vec<Value>),
    Doc(Value),
    Docs(Vec<Value>),
}

#[path = "mongomock_diff/http.rs"]
mod http;
#[path = "mongomock_diff/known.rs"]
mod known;
#[path = "support/mod.rs"]
mod support;

use known::{KNOWN, Known};

/// Sorts document keys recursively so key order does not count (update results: MongoDB 5.0
/// orders new fields lexicographically, mongomock by insertion).
fn unordered_keys(v: &Value) -> Value {
    match v {
        Value::Document(d) => {
            let mut items: Vec<(String, Value)> = d
                .iter()
                .map(|(k, v)| (k.clone(), unordered_keys(v)))
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Document(items.into_iter().collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(unordered_keys).collect()),
        other => other.clone(),
    }
}

fn as_docs(v: Option<&Value>) -> Vec<Document> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|d| d.as_document().cloned())
            .collect(),
        _ => vec![],
    }
}

fn canonical_sort(mut v: Vec<Value>) -> Vec<Value> {
    v.sort_by(|a, b| {
        let o = compare(a, b);
        if o == Ordering::Equal {
            format!("{a:?}").cmp(&format!("{b:?}"))
        } else {
            o
        }
    });
    v
}

fn expected(case: &Case) -> Outcome {
    if case.body.get("error") == Some(&Value::Bool(true)) {
        return Outcome::Error("mongomock raised OperationFailure".into());
    }
    match case.kind.as_str() {
        "filter" => Outcome::Ids(canonical_sort(
            case.body
                .get("ids")
                .and_then(Value::as_array)
                .unwrap_or(&[])
                .to_vec(),
        )),
        "update" => Outcome::Doc(unordered_keys(
            case.body.get("after").unwrap_or(&Value::Null),
        )),
        _ => {
            let docs: Vec<Value> = as_docs(case.body.get("docs"))
                .into_iter()
                .map(|d| unordered_keys(&Value::Document(d)))
                .collect();
            case.docs_outcome(docs)
        }
    }
}

fn actual(case: &Case, db: &Db) -> Outcome {
    let items = db.0.get("items").map(Vec::as_slice).unwrap_or(&[]);
    match case.kind.as_str() {
        "filter" => {
            let f = case.doc("filter");
            let compiled = match Filter::compile(&f) {
                Ok(c) => c,
                Err(e) => return Outcome::Error(e.0),
            };
            let mut vars = Vars::new(0);
            let mut ids = Vec::new();
            for d in items {
                match compiled.matches(d, &mut vars) {
                    Ok(true) => ids.push(d.get("_id").cloned().unwrap_or(Value::Null)),
                    Ok(false) => {}
                    Err(e) => return Outcome::Error(e.0),
                }
            }
            Outcome::Ids(canonical_sort(ids))
        }
        "update" => {
            let mut d = case.doc("before");
            let u = case.doc("update");
            match apply_update(&mut d, &u) {
                Ok(_) => Outcome::Doc(unordered_keys(&Value::Document(d))),
                Err(e) => Outcome::Error(e.0),
            }
        }
        _ => {
            let stages = as_docs(case.body.get("pipeline"));
            match aggregate(&stages, Box::new(items.iter().cloned()), db, 0) {
                Ok(out) => {
                    let docs: Vec<Value> = out
                        .into_iter()
                        .map(|d| unordered_keys(&Value::Document(d)))
                        .collect();
                    case.docs_outcome(docs)
                }
                Err(e) => Outcome::Error(e.0),
            }
        }
    }
}

/// A short account of how the engine's answer differs from mongomock's.
fn describe(case: &Case, want: &Outcome, got: &Outcome, db: &Db) -> String {
    let input = match case.kind.as_str() {
        "filter" => format!("{:?}", case.body.get("filter")),
        "update" => format!(
            "{:?} on {:?}",
            case.body.get("update"),
            case.body.get("before")
        ),
        _ => format!("{:?}", case.body.get("pipeline")),
    };
    let detail = match (want, got) {
        (Outcome::Ids(w), Outcome::Ids(g)) => {
            let only_w: Vec<&Value> = w.iter().filter(|v| !g.contains(v)).collect();
            let only_g: Vec<&Value> = g.iter().filter(|v| !w.contains(v)).collect();
            let example = only_w.first().or(only_g.first()).and_then(|id| {
                db.0.get("items")?
                    .iter()
                    .find(|d| d.get("_id") == Some(*id))
            });
            format!(
                "only mongomock matched {} ({:?}..), only the engine matched {} ({:?}..); e.g. {:?}",
                only_w.len(),
                only_w.iter().take(3).collect::<Vec<_>>(),
                only_g.len(),
                only_g.iter().take(3).collect::<Vec<_>>(),
                example
            )
        }
        (Outcome::Docs(w), Outcome::Docs(g)) => {
            let i = w
                .iter()
                .zip(g)
                .position(|(a, b)| a != b)
                .unwrap_or(w.len().min(g.len()));
            format!(
                "{} vs {} documents; first difference at {i}:\n      mongomock: {:?}\n      engine:    {:?}",
                w.len(),
                g.len(),
                w.get(i),
                g.get(i)
            )
        }
        (w, g) => format!("\n      mongomock: {w:?}\n      engine:    {g:?}"),
    };
    format!("{}: {input}\n    {detail}", case.id)
}

fn same(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Outcome::Error(_), Outcome::Error(_)) => true,
        _ => a == b,
    }
}

/// The cases file named by `WXCLOUD_MONGOMOCK_CASES`: the data sets and the cases.
fn load_cases() -> Option<(Db, Vec<Case>)> {
    let Ok(path) = std::env::var("WXCLOUD_MONGOMOCK_CASES") else {
        eprintln!(
            "skipped: WXCLOUD_MONGOMOCK_CASES is not set (scripts/suites/mongomock.sh generates the cases)"
        );
        return None;
    };
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("open {path}: {e}"));
    let mut db = Db::default();
    let mut cases = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.expect("read a line");
        let mut body =
            ejson::decode_document(&line).unwrap_or_else(|e| panic!("decode {line}: {e}"));
        let kind = body
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if kind == "documents" {
            let name = body
                .get("collection")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            db.0.insert(name, as_docs(body.get("docs")));
            continue;
        }
        let id = body
            .shift_remove("id")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        cases.push(Case { id, kind, body });
    }
    assert!(
        cases.len() >= 1000,
        "too few cases in {path}: {}",
        cases.len()
    );
    Some((db, cases))
}

/// Runs every case through `run` (`None`: the case cannot be run this way) and fails on any
/// difference from mongomock that no [`KNOWN`] rule explains with the documented behaviour.
fn check_all(
    label: &str,
    db: &Db,
    cases: &[Case],
    normalize: fn(&Case, Outcome) -> Outcome,
    mut run: impl FnMut(&Case) -> Option<Outcome>,
) {
    let mut counts: HashMap<String, (usize, usize, usize)> = HashMap::new();
    let mut explained: HashMap<&'static str, usize> = HashMap::new();
    let mut failures = Vec::new();
    for case in cases {
        let entry = counts.entry(case.kind.clone()).or_default();
        let Some(got) = run(case) else {
            entry.2 += 1;
            continue;
        };
        let (want, got) = (normalize(case, expected(case)), normalize(case, got));
        entry.0 += 1;
        if same(&want, &got) {
            continue;
        }
        // A case is explained by a rule that applies and whose documented behaviour holds.
        let rules: Vec<&Known> = KNOWN
            .iter()
            .filter(|k| (k.applies)(case, &want, &got, db))
            .collect();
        match rules.iter().find(|k| (k.documented)(case, &got).is_ok()) {
            Some(k) => {
                entry.1 += 1;
                *explained.entry(k.reason).or_default() += 1;
            }
            None if !rules.is_empty() => {
                let why: Vec<String> = rules
                    .iter()
                    .filter_map(|k| (k.documented)(case, &got).err())
                    .collect();
                failures.push(format!(
                    "{}\n    not the documented behaviour: {}",
                    describe(case, &want, &got, db),
                    why.join("; ")
                ));
            }
            None => failures.push(describe(case, &want, &got, db)),
        }
    }
    let mut kinds: Vec<_> = counts.iter().collect();
    kinds.sort();
    for (kind, (n, k, skipped)) in kinds {
        eprintln!(
            "{label}: {kind}: {n} cases run, {k} where mongomock departs from MongoDB's documentation, {skipped} not run"
        );
    }
    let mut reasons: Vec<_> = explained.into_iter().collect();
    reasons.sort();
    for (reason, n) in reasons {
        eprintln!("  {n} x {reason}");
    }
    assert!(
        failures.is_empty(),
        "{label}: {} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn engine_agrees_with_mongomock() {
    let Some((db, cases)) = load_cases() else {
        return;
    };
    check_all(
        "engine",
        &db,
        &cases,
        |_, o| o,
        |case| Some(actual(case, &db)),
    );
}

/// The same cases as statements over HTTP: the statement writer (`wxcloud::statement`) writes
/// each filter, update and pipeline, a running emulator parses and executes it, and the records
/// come back as Extended JSON.
#[test]
fn emulator_over_http_agrees_with_mongomock() {
    let Some((db, cases)) = load_cases() else {
        return;
    };
    // Every n-th case (all with WXCLOUD_MONGOMOCK_HTTP_EVERY=1): a debug-build emulator
    // answers a few hundred statements a minute on two cores.
    let every: usize = std::env::var("WXCLOUD_MONGOMOCK_HTTP_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let cases: Vec<Case> = cases
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % every.max(1) == 0)
        .map(|(_, c)| c)
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let emulator = rt
        .block_on(wxcloud_emulator::Emulator::builder().in_memory().start())
        .expect("start the emulator");
    let remote = rt.block_on(http::Remote::connect(&emulator));
    rt.block_on(remote.load(&db));
    check_all("http", &db, &cases, statement_typing, |case| {
        rt.block_on(remote.run(case))
    });
    rt.block_on(emulator.shutdown());
}

/// Statement literals are typed by value (js-bson): `3.0` in an update or a pipeline reaches the
/// emulator as the Int32 `3`. Over HTTP, results of updates and pipelines are compared with
/// integral doubles read as Int32 on both sides.
fn statement_typing(case: &Case, o: Outcome) -> Outcome {
    fn int_like(v: &Value) -> Value {
        match v {
            Value::Double(f)
                if f.fract() == 0.0
                    && f.abs() < 2_147_483_648.0
                    && !(*f == 0.0 && f.is_sign_negative()) =>
            {
                Value::Int32(*f as i32)
            }
            Value::Array(a) => Value::Array(a.iter().map(int_like).collect()),
            Value::Document(d) => {
                Value::Document(d.iter().map(|(k, x)| (k.clone(), int_like(x))).collect())
            }
            other => other.clone(),
        }
    }
    if case.kind == "filter" {
        return o;
    }
    match o {
        Outcome::Doc(d) => Outcome::Doc(int_like(&d)),
        Outcome::Docs(d) => {
            let docs: Vec<Value> = d.iter().map(int_like).collect();
            case.docs_outcome(docs)
        }
        other => other,
    }
}
