//! Injected faults: what the next N calls of a path answer instead of running.
//!
//! A fault is registered with `POST /__emulator/faults`:
//! `{"path": "/tcb/databasequery", "errcode": -1, "times": 2}`, or `"status": 502, "body": "<html>"`,
//! or `"drop": true` (the connection closes without a reply), optionally with `"delay_ms"`.
//! A fault with only `delay_ms` delays the call and then runs it normally (a slow server);
//! every other fault answers without executing the statement.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// What a faulty call does.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// The path it applies to, e.g. `/tcb/databaseadd` (query string ignored).
    pub path: String,
    /// Answer `{"errcode": errcode, "errmsg": ...}` with status 200.
    #[serde(default)]
    pub errcode: Option<i64>,
    /// An errmsg to go with `errcode` (default "injected fault").
    #[serde(default)]
    pub errmsg: Option<String>,
    /// Answer with this HTTP status and `body` verbatim.
    #[serde(default)]
    pub status: Option<u16>,
    /// The body that goes with `status` (default empty).
    #[serde(default)]
    pub body: Option<String>,
    /// Wait this long first.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Close the connection without answering.
    #[serde(default)]
    pub drop: bool,
    /// How many calls it applies to (default 1).
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    /// Whether the call should still run after the fault (a pure delay).
    pub fn runs_call(&self) -> bool {
        self.errcode.is_none() && self.status.is_none() && !self.drop
    }

    /// Checks that the fault says what to do.
    pub fn validate(&self) -> Result<(), String> {
        if !self.path.starts_with('/') {
            return Err("path must start with /".into());
        }
        if self.errcode.is_some() && self.status.is_some() {
            return Err("give errcode or status, not both".into());
        }
        if self.runs_call() && self.delay_ms.is_none() {
            return Err("a fault needs errcode, status, drop or delay_ms".into());
        }
        if self.errcode == Some(0) {
            return Err("errcode 0 is not a fault".into());
        }
        Ok(())
    }
}

/// Pending faults per path, first registered first served.
#[derive(Debug, Default)]
pub struct Faults {
    pending: HashMap<String, Vec<(Fault, u32)>>,
}

impl Faults {
    /// Queues `fault` for its path.
    pub fn add(&mut self, fault: Fault) {
        let times = fault.times.unwrap_or(1);
        if times > 0 {
            self.pending
                .entry(fault.path.clone())
                .or_default()
                .push((fault, times));
        }
    }

    /// The fault for this call of `path`, if one is pending (using up one of its times).
    pub fn take(&mut self, path: &str) -> Option<Fault> {
        let queue = self.pending.get_mut(path)?;
        let (fault, left) = queue.first_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            queue.remove(0);
        }
        Some(fault)
    }

    /// Every pending fault with the number of calls it still applies to, by path.
    pub fn pending(&self) -> Vec<(Fault, u32)> {
        let mut all: Vec<(Fault, u32)> = self.pending.values().flatten().cloned().collect();
        all.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        all
    }

    /// Drops every pending fault.
    pub fn clear(&mut self) {
        self.pending.clear();
    }
}
