//! What the web console's request log costs the emulator's hot path: requests per second of a
//! small statement call (`databasecount` on the sample collection) against two in-process
//! emulators side by side, one with the log on (the default, 500 entries) and one with it off
//! (`request_log(0)`). Rounds alternate between the two so machine noise hits both alike.
//!
//! `cargo bench -p wxcloud-emulator --bench request_log_overhead [-- ROUNDS]` (default 15 rounds
//! of 400 requests each, one keep-alive client sending one request at a time).

use std::time::Instant;

use serde_json::json;
use wxcloud_emulator::{Emulator, RunningEmulator};

const REQUESTS: usize = 400;

struct Target {
    name: &'static str,
    emu: RunningEmulator,
    url: String,
    rates: Vec<f64>,
}

async fn target(
    name: &'static str,
    log: usize,
    http: &reqwest::Client,
) -> Result<Target, Box<dyn std::error::Error>> {
    let emu = Emulator::builder()
        .in_memory()
        .seed_sample(true)
        .request_log(log)
        .start()
        .await?;
    let token_url = format!(
        "{}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
        emu.base_url(),
        emu.appid(),
        emu.secret()
    );
    let token: serde_json::Value = http.get(&token_url).send().await?.json().await?;
    let url = format!(
        "{}/tcb/databasecount?access_token={}",
        emu.base_url(),
        token["access_token"].as_str().unwrap_or_default()
    );
    Ok(Target {
        name,
        emu,
        url,
        rates: Vec::new(),
    })
}

async fn round(t: &mut Target, http: &reqwest::Client) -> Result<(), Box<dyn std::error::Error>> {
    let body = json!({"env": t.emu.env(), "query": r#"db.collection("test_collection").count()"#});
    let started = Instant::now();
    for _ in 0..REQUESTS {
        let reply: serde_json::Value = http.post(&t.url).json(&body).send().await?.json().await?;
        assert_eq!(reply["count"], 4, "{reply}");
    }
    t.rates
        .push(REQUESTS as f64 / started.elapsed().as_secs_f64());
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(15);
    let http = reqwest::Client::builder().no_proxy().build()?;
    let mut on = target("log on (500)", 500, &http).await?;
    let mut off = target("log off (0)", 0, &http).await?;
    for i in 0..rounds {
        if i % 2 == 0 {
            round(&mut on, &http).await?;
            round(&mut off, &http).await?;
        } else {
            round(&mut off, &http).await?;
            round(&mut on, &http).await?;
        }
    }
    let (a, b) = (median(&mut on.rates), median(&mut off.rates));
    println!(
        "{:<14} {:>10.0} req/s (median of {rounds} rounds of {REQUESTS})",
        on.name, a
    );
    println!("{:<14} {:>10.0} req/s", off.name, b);
    println!("log on / log off: {:.3}", a / b);
    on.emu.shutdown().await;
    off.emu.shutdown().await;
    Ok(())
}
