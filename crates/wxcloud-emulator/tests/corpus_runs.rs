//! Every statement of the parser corpus runs against the emulator over HTTP and gets a clean
//! reply: success, or an error code the service uses for it (never a dropped connection, a
//! non-JSON body or a 5xx).

mod support;

use serde_json::Value as Json;
use support::*;
use wxcloud::statement::Statement;

fn endpoint(s: &Statement) -> &'static str {
    match s {
        Statement::Aggregate { .. } => "databaseaggregate",
        Statement::Query(_) => "databasequery",
        Statement::Count { .. } => "databasecount",
        Statement::Add { .. } => "databaseadd",
        Statement::Update { .. } => "databaseupdate",
        Statement::Remove { .. } => "databasedelete",
    }
}

#[tokio::test]
async fn every_corpus_statement_gets_a_clean_reply() {
    let emu = start().await;
    let t = token(&emu).await;
    for name in ["c", "geo"] {
        create_collection(&emu, &t, name).await;
    }
    let seed = r#"db.collection("c").add({data: [{a: 1, b: 2, tags: ["a", "b"], n: 3, price: 15, due: new Date(0), location: db.Geo.Point(113, 23), items: [{price: 6, qty: 1}]}, {a: 2, description: "learn", f: "s", progress: 60, k: "x", v: 2.5}]})"#;
    run_ok(&emu, &t, "databaseadd", seed).await;
    let corpus = include_str!("data/parser_corpus.jsonl");
    let (mut succeeded, mut refused) = (0, 0);
    for line in corpus.lines() {
        let statement = serde_json::from_str::<Json>(line).unwrap()["statement"]
            .as_str()
            .unwrap()
            .to_owned();
        let op = match wxcloud_emulator::parser::parse(&statement, 0) {
            Ok(s) => endpoint(&s),
            Err(_) => "databasequery",
        };
        let reply = run(&emu, &t, op, &statement).await;
        match errcode(&reply) {
            0 => succeeded += 1,
            -502002 | -502001 | -502005 => {
                eprintln!("refused: {statement}\n  {}", reply["errmsg"]);
                refused += 1;
            }
            other => panic!("{statement}: errcode {other}: {reply}"),
        }
    }
    // Most of the corpus is meant to run; the rest are statements the service refuses too.
    assert!(succeeded >= 200, "{succeeded} succeeded, {refused} refused");
}
