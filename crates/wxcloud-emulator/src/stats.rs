//! Request counts per path, for tests that check how often a client called the service.

use std::collections::BTreeMap;

use serde::Serialize;

/// What the emulator has served since it started (or since the last reset).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Requests received per path (`/tcb/databasequery`, `/cgi-bin/token`, ...), hooks excluded.
    pub requests: BTreeMap<String, u64>,
    /// Tokens issued per token endpoint path.
    pub token_fetches: BTreeMap<String, u64>,
}

impl Stats {
    /// Counts one request to `path`.
    pub fn request(&mut self, path: &str) {
        *self.requests.entry(path.to_owned()).or_default() += 1;
    }

    /// Counts one token issued by the endpoint at `path`.
    pub fn token_fetch(&mut self, path: &str) {
        *self.token_fetches.entry(path.to_owned()).or_default() += 1;
    }

    /// The number of requests to `path` so far.
    pub fn requests_to(&self, path: &str) -> u64 {
        self.requests.get(path).copied().unwrap_or(0)
    }

    /// The number of tokens issued by `path` so far.
    pub fn token_fetches_from(&self, path: &str) -> u64 {
        self.token_fetches.get(path).copied().unwrap_or(0)
    }
}
