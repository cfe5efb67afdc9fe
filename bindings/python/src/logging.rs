//! Forwards the core's `tracing` events to Python's `logging` (logger `wxcloud`).
//!
//! A small `tracing` layer formats each event's message and fields and hands them to a Python
//! sink set by `wxcloud._logging`. The core never puts a token or a secret into an event, so
//! nothing here needs redacting; a test asserts it on the records Python receives.

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The Python callable `(level: int, target: str, message: str) -> None`.
static SINK: OnceLock<Py<PyAny>> = OnceLock::new();

/// The least severe level forwarded, as a Python logging level (10 DEBUG ... 50 CRITICAL).
static MIN_LEVEL: AtomicU8 = AtomicU8::new(10);

fn python_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

/// Collects an event's message and fields into one line: `message key=value ...`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }
}

struct PyLogLayer;

impl<S: Subscriber> Layer<S> for PyLogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        SINK.get().is_some() && python_level(metadata.level()) >= MIN_LEVEL.load(Ordering::Relaxed)
    }

    fn register_callsite(
        &self,
        _metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        // Ask `enabled` on every event: the level follows the Python logger's, which can change.
        tracing::subscriber::Interest::sometimes()
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let Some(sink) = SINK.get() else { return };
        if crate::aio::closing() {
            return;
        }
        let mut line = Line::default();
        event.record(&mut line);
        let level = python_level(event.metadata().level());
        let target = event.metadata().target();
        let text = format!("{}{}", line.message, line.fields);
        // Never attach while the interpreter is shutting down.
        Python::try_attach(|py| {
            if let Err(err) = sink.call1(py, (level, target, text)) {
                err.write_unraisable(py, None);
            }
        });
    }
}

/// Sets the Python sink for the core's events and the least severe level worth forwarding.
/// The first call installs the forwarding layer as the process's `tracing` subscriber (if the
/// host program already installed one, that one stays and keeps receiving the events).
#[pyfunction]
pub fn _set_log_sink(sink: Py<PyAny>, min_level: u8) {
    MIN_LEVEL.store(min_level, Ordering::Relaxed);
    if SINK.set(sink).is_ok() {
        let _ = tracing_subscriber::registry().with(PyLogLayer).try_init();
    }
}

/// Changes the least severe level forwarded (Python logging levels).
#[pyfunction]
pub fn _set_log_level(min_level: u8) {
    MIN_LEVEL.store(min_level, Ordering::Relaxed);
}

/// Re-reads the `wxcloud` logger's effective level, so events below it never cost a trip into
/// Python (clients call this when they are made, which picks up `logging` configured later).
pub fn refresh_level(py: Python<'_>) {
    let level = py
        .import("logging")
        .and_then(|m| m.call_method1("getLogger", ("wxcloud",)))
        .and_then(|l| l.call_method0("getEffectiveLevel"))
        .and_then(|l| l.extract::<u8>());
    if let Ok(level) = level {
        MIN_LEVEL.store(level.max(10), Ordering::Relaxed);
    }
}
