//! The `wxcloud` command: run statements against WeChat Cloud Base or a local emulator.
//!
//! See `docs/cli.md` for the user guide. Exit codes: 0 success, 1 the service (or the
//! connection to it) failed, 2 a usage or configuration error.

mod cli;
mod commands;
mod config;
mod failure;
mod input;
mod output;
mod session;
mod table;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the emulator this command runs, and the records it decodes, make many small
/// allocations that are freed together, which glibc's allocator serves slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse(); // exits 2 on a usage error, 0 for --help/--version
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wxcloud: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(commands::run(cli));
    // Do not wait for stray blocking work (a stdin reader) once the command is done.
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure::Failure::Local(m)) if m == output::BROKEN_PIPE => ExitCode::SUCCESS,
        Err(f) => {
            let mut err = std::io::stderr().lock();
            let _ = f.report(&mut err);
            let _ = err.flush();
            ExitCode::from(f.exit_code())
        }
    }
}

/// Logs go to stderr, off unless `WXCLOUD_LOG` (an `EnvFilter` directive, e.g. `debug`) is set.
fn init_logging() {
    if let Ok(filter) = std::env::var("WXCLOUD_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }
}
