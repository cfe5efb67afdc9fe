//! A 1,000-record `databaseaggregate` reply, end to end against a local server that answers
//! every call with the same canned body (no server work timed), against what a Rust program
//! would write instead with the same HTTP client: `reqwest` + `serde_json` for the envelope, and
//! the `bson` crate's Extended JSON path for the records. Interleaved rounds (each round runs
//! every contender once), medians and ratios.
//!
//! Run: `cargo bench -p wxcloud --bench reply_ratio` (`ROUNDS=N` to change the default 200).

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;

const RECORDS: usize = 1_000;
const STATEMENT: &str = r#"db.collection("todos").aggregate().limit(1000).end()"#;

#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    data: Vec<String>,
}

fn main() {
    let rounds = common::rounds(200);
    let records: Vec<String> = common::records().into_iter().take(RECORDS).collect();
    let body =
        serde_json::to_vec(&serde_json::json!({"errcode": 0, "errmsg": "ok", "data": records}))
            .expect("a reply");
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let reply = body.clone();
    let app = Router::new().route(
        "/tcb/databaseaggregate",
        post(move || {
            let reply = reply.clone();
            async move { ([("content-type", "application/json")], reply) }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await });

    let client = wxcloud::ClientBuilder::new()
        .base_url(&base)
        .access_token("bench-token")
        .env("bench")
        .build()
        .expect("a client");
    let http = reqwest::Client::new();
    let url = format!("{base}/tcb/databaseaggregate?access_token=bench-token");
    let request = serde_json::json!({"env": "bench", "query": STATEMENT});
    let fetch = || async {
        let bytes = http
            .post(&url)
            .json(&request)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let envelope: Envelope = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(envelope.errcode, 0);
        envelope.data
    };

    let mut contenders: [(&str, Vec<Duration>); 4] = [
        ("wxcloud Client::aggregate_texts (strings)", Vec::new()),
        ("reqwest + serde_json (Vec<String>)", Vec::new()),
        ("wxcloud Client::aggregate (Documents)", Vec::new()),
        ("reqwest + serde_json + bson per record", Vec::new()),
    ];
    for _ in 0..rounds {
        for (i, (_, times)) in contenders.iter_mut().enumerate() {
            let start = Instant::now();
            let n = rt.block_on(async {
                match i {
                    0 => client.aggregate_texts(STATEMENT).await.unwrap().len(),
                    1 => fetch().await.len(),
                    2 => client.aggregate(STATEMENT).await.unwrap().len(),
                    _ => common::bson_extjson(&fetch().await),
                }
            });
            times.push(start.elapsed());
            assert!(black_box(n) >= RECORDS);
        }
    }

    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2].as_secs_f64() * 1e3
    };
    println!(
        "{RECORDS} records, a {:.0} KB reply, {rounds} interleaved rounds",
        body.len() as f64 / 1e3
    );
    println!("{:<44} {:>10} {:>10}", "contender", "median ms", "best ms");
    let mut medians = Vec::new();
    for (name, times) in &mut contenders {
        let m = median(times);
        medians.push(m);
        println!(
            "{name:<44} {m:>10.3} {:>10.3}",
            times[0].as_secs_f64() * 1e3
        );
    }
    println!(
        "strings: wxcloud {:.2}x reqwest + serde_json; records: wxcloud {:.2}x reqwest + serde_json + bson",
        medians[1] / medians[0],
        medians[3] / medians[2]
    );
}
