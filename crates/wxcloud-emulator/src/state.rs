//! Everything a running emulator holds, shared by its request handlers.

use std::sync::{Mutex, MutexGuard};

use crate::clock::Clock;
use crate::cos::Cos;
use crate::faults::Faults;
use crate::functions::Functions;
use crate::invocations::Invocations;
use crate::migrate::Jobs;
use crate::request_log::RequestLog;
use crate::stats::Stats;
use crate::storage::Storage;
use crate::tokens::Tokens;

/// A third-party platform (component) app and the authorizer apps it may act for.
#[derive(Clone, Debug)]
pub struct ComponentApp {
    /// The component appid.
    pub appid: String,
    /// The component appsecret.
    pub secret: String,
    /// (authorizer appid, authorizer refresh token) pairs.
    pub authorizers: Vec<(String, String)>,
}

/// The emulator's fixed configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// (appid, secret) pairs accepted by the token endpoints.
    pub apps: Vec<(String, String)>,
    /// Component apps for the third-party token endpoints.
    pub components: Vec<ComponentApp>,
    /// Environment ids served.
    pub envs: Vec<String>,
    /// Whether `reset` reloads the sample data set.
    pub seed_sample: bool,
}

/// Shared state of one emulator.
pub struct Shared {
    pub config: Config,
    pub clock: Clock,
    pub tokens: Mutex<Tokens>,
    pub stats: Mutex<Stats>,
    pub faults: Mutex<Faults>,
    pub db: Mutex<Storage>,
    pub jobs: Mutex<Jobs>,
    /// The cloud functions served (fixed at start).
    pub functions: Functions,
    /// The last requests served, for the console.
    pub requests: Mutex<RequestLog>,
    /// The last cloud function calls, for the console.
    pub invocations: Mutex<Invocations>,
    /// The signing key of upload grants and download URLs.
    pub cos: Cos,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: every critical section
/// leaves its data consistent (SQLite rolls back unfinished transactions).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    /// Whether `env` is served.
    pub fn has_env(&self, env: &str) -> bool {
        self.config.envs.iter().any(|e| e == env)
    }
}
