//! Milliseconds per `databaseaggregate` (and `databasequery`) call that returns up to 1,000
//! sample-shaped records from an in-process emulator (in-memory storage): the emulator's own
//! read path — statement parse, storage read, engine, the records' text, the JSON reply — plus
//! one keep-alive HTTP round trip, fetched by `wxcloud::Client` in raw mode (no decoding).
//!
//! `cargo bench -p wxcloud-emulator --bench aggregate_records [-- ROUNDS]` (default 200).
//! Each call is also timed as a bare HTTP request whose reply is read but not parsed: the
//! emulator's own work and the round trip alone, so a faster client does not flatter it.
//! Two pipelines: `.limit(1000)` alone and `.match({done: false}).sort({due: -1}).limit(1000)`
//! (a filter, an order, the same output shape); then the same two as queries:
//! `.limit(1000).get()` and `.where({done: false}).orderBy("due", "desc").limit(1000).get()`. Under `valgrind --tool=callgrind` the same binary gives instruction counts, which do
//! not swing with the machine's load: `-- 20` keeps that run short.

use std::time::Instant;

/// The allocator the `wxcloud` command and the Python and Node packages run the emulator with
/// (`ALLOCATOR=system` is not an option: rebuild without these lines to compare).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use wxcloud::statement::{Aggregate, Direction, Query, ToStatement};
use wxcloud::{Document, Value, ejson};
use wxcloud_emulator::Emulator;

const RECORDS: usize = 1_000;
const COLLECTION: &str = "bench_records";

/// 1,000 records with the key orders and value types of the four sample records, distinct
/// `_id`s, descriptions and `done` flags.
fn records() -> Vec<Document> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/ejson-seed-records.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let samples: Vec<Document> = serde_json::from_str::<Vec<String>>(&text)
        .expect("an array of record strings")
        .iter()
        .map(|s| ejson::decode_document(s).expect("a sample record"))
        .collect();
    (0..RECORDS)
        .map(|n| {
            let mut doc = samples[n % samples.len()].clone();
            doc.insert("_id".into(), Value::String(format!("rec-{n:06}")));
            doc.insert(
                "description".into(),
                Value::String(format!("learn the cloud database, part {n}")),
            );
            doc.insert("done".into(), Value::Bool(n % 3 == 0));
            doc
        })
        .collect()
}

/// A one-key document `{key: value}`.
fn one(key: &str, value: impl Into<Value>) -> Document {
    let mut doc = Document::new();
    doc.insert(key.into(), value.into());
    doc
}

fn pipeline(filtered: bool) -> Aggregate {
    let mut stages = Aggregate::new(COLLECTION);
    if filtered {
        stages = stages
            .stage(one("$match", one("done", false)))
            .stage(one("$sort", one("due", -1)));
    }
    stages.stage(one("$limit", RECORDS as i32))
}

fn query(filtered: bool) -> Query {
    let query = Query::new(COLLECTION).limit(RECORDS as u64);
    if filtered {
        query
            .filter(one("done", false))
            .order_by("due", Direction::Desc)
    } else {
        query
    }
}

fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(200);
    let emu = Emulator::builder().in_memory().start().await?;
    let client = wxcloud::Client::builder()
        .base_url(emu.base_url())
        .appid(emu.appid())
        .secret(emu.secret())
        .env(emu.env())
        .build()?;
    client.create_collection(COLLECTION).await?;
    for chunk in records().chunks(100) {
        client
            .add(wxcloud::statement::Add::new(COLLECTION).docs(chunk.to_vec()))
            .await?;
    }

    // The same calls as bare HTTP requests whose replies are read but not parsed: the
    // emulator's own work and the round trip, whatever the client does with a reply.
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/cgi-bin/stable_token", emu.base_url()))
        .json(&serde_json::json!({
            "grant_type": "client_credential", "appid": emu.appid(), "secret": emu.secret()
        }))
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"].as_str().ok_or("no token")?.to_owned();

    println!("databaseaggregate returning records from the emulator, {rounds} rounds, medians");
    println!(
        "(ms/call: through wxcloud::Client in raw mode; and as bare HTTP, the reply unparsed)"
    );
    let cases = [
        ("limit(1000)", false, false),
        ("match+sort+limit(1000)", true, false),
        ("query limit(1000)", false, true),
        ("query where+orderBy", true, true),
    ];
    for (name, filtered, is_query) in cases {
        let call = || async {
            if is_query {
                client.query_raw(query(filtered)).await.map(|r| r.data)
            } else {
                client.aggregate_raw(pipeline(filtered)).await
            }
        };
        let (path, statement) = if is_query {
            (
                "databasequery",
                query(filtered).to_statement()?.into_owned(),
            )
        } else {
            (
                "databaseaggregate",
                pipeline(filtered).to_statement()?.into_owned(),
            )
        };
        let url = format!("{}/tcb/{path}?access_token={token}", emu.base_url());
        let body = serde_json::json!({"env": emu.env(), "query": statement}).to_string();
        let bare = || async {
            let reply = http
                .post(&url)
                .body(body.clone())
                .send()
                .await?
                .bytes()
                .await?;
            assert!(reply.starts_with(br#"{"errcode":0"#));
            Ok::<_, reqwest::Error>(reply.len())
        };
        let warm = call().await?;
        let bytes: usize = warm.iter().map(String::len).sum();
        let mut times = Vec::with_capacity(rounds);
        let mut bare_times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let start = Instant::now();
            let got = call().await?;
            times.push(start.elapsed().as_secs_f64() * 1e3);
            assert_eq!(got.len(), warm.len());
            let start = Instant::now();
            bare().await?;
            bare_times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let ms = median(times);
        println!(
            "{name:<24} {:>5} records, {:>7} bytes: {ms:>7.3} ms/call, {:>9.0} records/s; bare HTTP {:>7.3} ms/call",
            warm.len(),
            bytes,
            warm.len() as f64 / ms * 1e3,
            median(bare_times),
        );
    }
    Ok(())
}
