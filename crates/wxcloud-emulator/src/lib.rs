//! A local emulator of the WeChat Cloud Base database HTTP API.
//!
//! It serves the token endpoints and every `/tcb/database*` call with the real service's error
//! codes, runs statements on a real embedded database (SQLite), and offers test hooks for fault
//! injection, token expiry and request statistics, and a web console at `/` (loopback clients
//! only) that shows and changes what the emulator holds.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wxcloud_emulator::Error> {
//! use wxcloud_emulator::Emulator;
//!
//! let emulator = Emulator::builder().in_memory().seed_sample(true).start().await?;
//! // Point a client at emulator.base_url() with emulator.appid() / emulator.secret(),
//! // env emulator.env().
//! println!("listening on {}", emulator.base_url());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```

mod builder;
mod clock;
mod cos;
pub mod engine;
mod exec;
mod faults;
mod files;
mod functions;
mod ids;
mod invocations;
mod mask;
mod migrate;
pub mod parser;
mod reply;
mod request_log;
mod seed;
mod server;
mod state;
mod stats;
mod storage;
mod tokens;

pub use builder::{
    DEFAULT_APPID, DEFAULT_COMPONENT, DEFAULT_ENVS, DEFAULT_SECRET, DEFAULT_TOKEN_TTL, Emulator,
    EmulatorBuilder, Error, RunningEmulator,
};
pub use faults::Fault;
pub use functions::{
    DEFAULT_FUNCTION_TIMEOUT, FunctionFuture, FunctionHandler, FunctionReply, MAX_FUNCTION_PAYLOAD,
};
pub use stats::Stats;
