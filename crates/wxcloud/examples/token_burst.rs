//! One worker of a fleet sharing a token cache in Redis: builds a client from the `WXCLOUD_*`
//! variables (`WXCLOUD_REDIS_URL` among them), prints `ready`, waits for a line on stdin, then
//! runs `--calls N` (default 200) concurrent count calls and prints
//! `ok=N err=M token=FINGERPRINT` (a hash of the token it ended with, never the token). With
//! `--pause-after K` it runs K of the calls first, prints `paused` and waits for another line
//! before the rest (so a test can break Redis mid-run). `WXCLOUD_REDIS_CA_FILE` is read too.
//!
//! `cargo run -p wxcloud --features redis --example token_burst -- --calls 200 [--pause-after 100] [--lease-ms 1500]`
//!
//! The Redis fleet test (`crates/wxcloud-emulator/tests/redis_fleet.rs`) spawns several of
//! these at once.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, Write};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut calls = 200usize;
    let mut pause_after = None;
    let mut builder = wxcloud::ClientBuilder::from_env();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--calls" => calls = args.next().ok_or("--calls needs a number")?.parse()?,
            "--pause-after" => {
                pause_after = Some(args.next().ok_or("--pause-after needs a number")?.parse()?)
            }
            "--lease-ms" => {
                let ms: u64 = args.next().ok_or("--lease-ms needs a number")?.parse()?;
                builder = builder.token_lock_lease(Duration::from_millis(ms));
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let client = builder.build()?;
    println!("ready");
    std::io::stdout().flush()?;
    wait_for_line()?;

    let first = pause_after.unwrap_or(calls).min(calls);
    let (mut ok, mut err) = burst(&client, first).await?;
    if first < calls {
        println!("paused");
        std::io::stdout().flush()?;
        wait_for_line()?;
        let (more_ok, more_err) = burst(&client, calls - first).await?;
        (ok, err) = (ok + more_ok, err + more_err);
    }
    let token = client.token_info().await?.token;
    let mut hasher = DefaultHasher::new();
    token.as_str().hash(&mut hasher);
    println!("ok={ok} err={err} token={:016x}", hasher.finish());
    Ok(())
}

fn wait_for_line() -> std::io::Result<()> {
    let mut go = String::new();
    std::io::stdin().lock().read_line(&mut go)?;
    Ok(())
}

/// Runs `calls` concurrent count calls; how many succeeded and failed.
async fn burst(
    client: &wxcloud::Client,
    calls: usize,
) -> Result<(usize, usize), Box<dyn std::error::Error>> {
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .count(r#"db.collection("test_collection").count()"#)
                    .await
            })
        })
        .collect();
    let (mut ok, mut err) = (0, 0);
    for task in tasks {
        match task.await? {
            Ok(_) => ok += 1,
            Err(e) => {
                err += 1;
                eprintln!("call failed: {e}");
            }
        }
    }
    Ok((ok, err))
}
