//! The last cloud function calls, for the console's Functions panel (a bounded ring buffer).

use std::collections::VecDeque;

use serde_json::{Value, json};

use crate::mask;

/// How many calls are kept.
pub const CAPACITY: usize = 100;

/// One call of a cloud function (its Debug is the masked JSON).
#[derive(Clone)]
pub struct Invocation {
    /// When it started, milliseconds since the epoch on the emulator's clock.
    pub time_ms: i64,
    /// The function's name.
    pub name: String,
    /// The event it was given.
    pub event: Value,
    /// Its reply (`resp_data` text) or the error the call answered with.
    pub outcome: Result<String, (i64, String)>,
    /// How long it ran, in microseconds.
    pub duration_us: u64,
}

impl std::fmt::Debug for Invocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Invocation({})", self.to_json())
    }
}

impl Invocation {
    /// The call as the console shows it, secrets masked.
    pub fn to_json(&self) -> Value {
        let (reply, errcode, errmsg) = match &self.outcome {
            Ok(text) => (
                serde_json::from_str::<Value>(text).map_or(Value::Null, |v| mask::json(&v)),
                0,
                "ok".to_owned(),
            ),
            Err((code, msg)) => (Value::Null, *code, msg.clone()),
        };
        json!({
            "time_ms": self.time_ms,
            "name": self.name,
            "event": mask::json(&self.event),
            "reply": reply,
            "errcode": errcode,
            "errmsg": errmsg,
            "duration_ms": self.duration_us as f64 / 1000.0,
        })
    }
}

/// The ring buffer.
#[derive(Debug, Default)]
pub struct Invocations {
    calls: VecDeque<Invocation>,
}

impl Invocations {
    /// Records a call, forgetting the oldest when full.
    pub fn push(&mut self, call: Invocation) {
        if self.calls.len() == CAPACITY {
            self.calls.pop_front();
        }
        self.calls.push_back(call);
    }

    /// The kept calls, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Invocation> {
        self.calls.iter().rev()
    }

    /// Forgets every call.
    pub fn clear(&mut self) {
        self.calls.clear();
    }
}
