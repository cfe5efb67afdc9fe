//! Requests per second of the seed's aggregate call against an in-process emulator, at 1 and
//! 32 concurrent clients (each a keep-alive HTTP connection sending one request at a time).
//!
//! `cargo bench -p wxcloud-emulator --bench aggregate_throughput [-- SECONDS]` (default 5 s per level).
//! Clients and server share the machine, so the figures are for the pair, not the server alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use wxcloud_emulator::Emulator;

const SAMPLE: &str =
    r#"db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; a number is the seconds per level.
    let seconds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<u64>().ok())
        .unwrap_or(5);
    let emu = Emulator::builder()
        .in_memory()
        .seed_sample(true)
        .start()
        .await?;
    let token_url = format!(
        "{}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
        emu.base_url(),
        emu.appid(),
        emu.secret()
    );
    let token: serde_json::Value = reqwest::get(&token_url).await?.json().await?;
    let url = format!(
        "{}/tcb/databaseaggregate?access_token={}",
        emu.base_url(),
        token["access_token"].as_str().unwrap_or_default()
    );
    let body = json!({"env": emu.env(), "query": SAMPLE});

    println!("seed aggregate against the emulator ({seconds} s per level)");
    println!(
        "{:>8} {:>12} {:>14}",
        "clients", "requests/s", "mean latency"
    );
    for clients in [1usize, 32] {
        let done = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (url, body, done, failed, stop) = (
                url.clone(),
                body.clone(),
                done.clone(),
                failed.clone(),
                stop.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .expect("client");
                while !stop.load(Ordering::Relaxed) {
                    let reply = client.post(&url).json(&body).send().await;
                    let ok = match reply {
                        Ok(r) => r
                            .json::<serde_json::Value>()
                            .await
                            .is_ok_and(|v| v["data"].as_array().is_some_and(|d| d.len() == 4)),
                        Err(_) => false,
                    };
                    if ok { &done } else { &failed }.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        // Warm up for a second, then measure.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let start_count = done.load(Ordering::Relaxed);
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        let count = done.load(Ordering::Relaxed) - start_count;
        let elapsed = started.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await?;
        }
        let rps = count as f64 / elapsed;
        let latency_ms = clients as f64 / rps * 1000.0;
        println!("{clients:>8} {rps:>12.0} {latency_ms:>11.2} ms");
        if failed.load(Ordering::Relaxed) > 0 {
            return Err(format!("{} requests failed", failed.load(Ordering::Relaxed)).into());
        }
    }
    emu.shutdown().await;
    Ok(())
}
