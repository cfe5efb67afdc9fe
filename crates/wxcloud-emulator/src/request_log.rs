//! The last requests the emulator served, for the console's Requests panel.
//!
//! A bounded ring buffer: the hot path only pushes an entry holding reference-counted body
//! bytes (small bodies only); masking, errcode filtering and JSON rendering happen when the log
//! is read.

use std::collections::VecDeque;

use axum::body::Bytes;
use serde_json::{Value, json};

use crate::mask;

/// How many requests are kept unless the emulator is told otherwise.
pub const CAPACITY: usize = 500;
/// Bodies larger than this are described, not kept.
pub const CAPTURE_LIMIT: usize = 64 * 1024;

/// A request or reply body as captured (its Debug shows only its type and size).
#[derive(Clone, Default)]
pub struct Captured {
    /// The bytes, when the body was small enough to keep.
    pub bytes: Option<Bytes>,
    /// Its content type.
    pub content_type: String,
    /// Its length, when known.
    pub len: Option<u64>,
}

impl std::fmt::Debug for Captured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Captured")
            .field("content_type", &self.content_type)
            .field(
                "len",
                &self.len.or(self.bytes.as_ref().map(|b| b.len() as u64)),
            )
            .finish_non_exhaustive()
    }
}

/// One served request (its Debug is the masked summary).
#[derive(Clone)]
pub struct Entry {
    /// Position in the log, counting from 1 since the emulator started.
    pub seq: u64,
    /// When it arrived, milliseconds since the epoch on the emulator's clock.
    pub time_ms: i64,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The raw query string (masked when shown).
    pub query: String,
    /// HTTP status of the reply.
    pub status: u16,
    /// The reply's errcode, when it had one.
    pub errcode: Option<i64>,
    /// Time to the reply's head, in microseconds.
    pub duration_us: u64,
    /// The request body.
    pub request: Captured,
    /// The reply body.
    pub reply: Captured,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Entry({})", self.summary())
    }
}

impl Entry {
    /// The entry as a list row: no bodies, query masked.
    pub fn summary(&self) -> Value {
        json!({
            "seq": self.seq,
            "time_ms": self.time_ms,
            "method": self.method,
            "path": self.path,
            "query": mask::query(&self.query),
            "status": self.status,
            "errcode": self.errcode,
            "duration_ms": self.duration_us as f64 / 1000.0,
        })
    }

    /// The entry with its bodies, every secret masked.
    pub fn detail(&self) -> Value {
        let mut v = self.summary();
        let shown = |c: &Captured| mask::body(c.bytes.as_deref(), &c.content_type, c.len);
        v["request_body"] = shown(&self.request);
        v["reply_body"] = shown(&self.reply);
        v
    }
}

/// Which entries a reader wants.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only entries after this sequence number.
    pub after: u64,
    /// Only paths containing this text.
    pub path: Option<String>,
    /// Only replies with this errcode.
    pub errcode: Option<i64>,
}

/// The ring buffer.
#[derive(Debug)]
pub struct RequestLog {
    entries: VecDeque<Entry>,
    capacity: usize,
    last_seq: u64,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::new(CAPACITY)
    }
}

impl RequestLog {
    /// A log keeping the last `capacity` requests (0: none, requests skip the log).
    pub fn new(capacity: usize) -> Self {
        RequestLog {
            entries: VecDeque::with_capacity(capacity.min(CAPACITY)),
            capacity,
            last_seq: 0,
        }
    }

    /// Whether requests are logged at all.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// How many requests it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Appends an entry (its `seq` is assigned here), forgetting the oldest when full.
    pub fn push(&mut self, mut entry: Entry) {
        self.last_seq += 1;
        entry.seq = self.last_seq;
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// The sequence number of the newest entry (0 when none yet).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Entries matching `filter`, oldest first.
    pub fn matching(&self, filter: &Filter) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.seq > filter.after)
            .filter(|e| filter.path.as_deref().is_none_or(|p| e.path.contains(p)))
            .filter(|e| filter.errcode.is_none_or(|c| e.errcode == Some(c)))
            .collect()
    }

    /// The entry with this sequence number, if still kept.
    pub fn get(&self, seq: u64) -> Option<&Entry> {
        self.entries.iter().find(|e| e.seq == seq)
    }

    /// Forgets every entry (sequence numbers keep counting).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, errcode: i64) -> Entry {
        Entry {
            seq: 0,
            time_ms: 0,
            method: "POST".into(),
            path: path.into(),
            query: "access_token=abcdefghijklmnop".into(),
            status: 200,
            errcode: Some(errcode),
            duration_us: 1500,
            request: Captured::default(),
            reply: Captured::default(),
        }
    }

    #[test]
    fn the_log_keeps_the_newest_entries_and_filters_them() {
        let mut log = RequestLog::default();
        for i in 0..CAPACITY + 10 {
            log.push(entry(
                if i % 2 == 0 {
                    "/tcb/databasequery"
                } else {
                    "/tcb/databaseadd"
                },
                (i % 3) as i64,
            ));
        }
        assert_eq!(log.last_seq(), (CAPACITY + 10) as u64);
        assert_eq!(log.matching(&Filter::default()).len(), CAPACITY);
        assert!(log.get(1).is_none() && log.get(11).is_some());
        let adds = log.matching(&Filter {
            path: Some("add".into()),
            errcode: Some(0),
            ..Filter::default()
        });
        assert!(
            adds.iter()
                .all(|e| e.path.ends_with("add") && e.errcode == Some(0))
        );
        assert!(!adds.is_empty());
        let summary = log.get(11).unwrap().summary().to_string();
        assert!(!summary.contains("abcdefghijklmnop"), "{summary}");
        let debug = format!("{log:?}");
        assert!(!debug.contains("abcdefghijklmnop") && debug.contains("access_token=abcd…"));
    }
}
