//! One worker of a fleet sharing a token cache in Redis: builds a client from the `WXCLOUD_*`
//! variables (`WXCLOUD_REDIS_URL` among them), prints `ready`, waits for a line on stdin, then
//! runs `--calls N` (default 200) concurrent count calls and prints
//! `ok=N err=M token=FINGERPRINT` (a hash of the token it ended with, never the token).
//!
//! `cargo run -p wxcloud --features redis --example token_burst -- --calls 200 [--lease-ms 1500]`
//!
//! The Redis fleet test (`crates/wxcloud-emulator/tests/redis_fleet.rs`) spawns several of
//! these at once.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, Write};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut calls = 200usize;
    let mut builder = wxcloud::ClientBuilder::from_env();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--calls" => calls = args.next().ok_or("--calls needs a number")?.parse()?,
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
    let mut go = String::new();
    std::io::stdin().lock().read_line(&mut go)?;

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
    let token = client.token_info().await?.token;
    let mut hasher = DefaultHasher::new();
    token.as_str().hash(&mut hasher);
    println!("ok={ok} err={err} token={:016x}", hasher.finish());
    Ok(())
}
