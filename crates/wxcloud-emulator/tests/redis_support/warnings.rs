//! The client's token-store log lines, caught by a global tracing subscriber so a test can
//! count the warnings an outage costs.

use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// The "token store failed" warnings logged in this test binary, each with its error.
#[derive(Clone, Default)]
pub struct Warnings(Arc<Mutex<Vec<String>>>);

impl Warnings {
    /// Installs the subscriber (once per test binary) and returns what it collects.
    pub fn install() -> Warnings {
        static INSTALLED: OnceLock<Warnings> = OnceLock::new();
        INSTALLED
            .get_or_init(|| {
                let warnings = Warnings::default();
                tracing::subscriber::set_global_default(Collector(warnings.clone())).unwrap();
                warnings
            })
            .clone()
    }

    /// How many "token store failed" warnings were logged so far.
    pub fn store_failures(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// How many of them name `needle` in their error.
    pub fn store_failures_naming(&self, needle: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|w| w.contains(needle))
            .count()
    }
}

struct Collector(Warnings);

/// The message and error of one event.
#[derive(Default)]
struct Fields {
    message: String,
    error: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "error" => self.error = format!("{value:?}"),
            _ => {}
        }
    }
}

impl Subscriber for Collector {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && *metadata.level() <= Level::INFO
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        if fields.message.contains("token store") {
            eprintln!(
                "{}: {} {}",
                event.metadata().level(),
                fields.message,
                fields.error
            );
        }
        if *event.metadata().level() == Level::WARN && fields.message.contains("token store failed")
        {
            (self.0).0.lock().unwrap().push(fields.error);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
