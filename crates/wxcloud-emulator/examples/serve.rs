//! Runs an emulator in the foreground: `cargo run -p wxcloud-emulator --example serve -- [--data PATH] [--port N] [--seed]`.
//!
//! Prints `listening on http://HOST:PORT` first on stdout, then serves until killed. (The
//! `wxcloud emulator` command is the full front end; this example is what the durability test
//! spawns and kills.)

use std::io::Write;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = wxcloud_emulator::Emulator::builder();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => builder = builder.data_path(args.next().ok_or("--data needs a path")?),
            "--port" => {
                builder = builder.port(args.next().ok_or("--port needs a number")?.parse()?)
            }
            "--seed" => builder = builder.seed_sample(true),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let emulator = builder.start().await?;
    println!("listening on {}", emulator.base_url());
    std::io::stdout().flush()?;
    tokio::signal::ctrl_c().await?;
    emulator.shutdown().await;
    Ok(())
}
