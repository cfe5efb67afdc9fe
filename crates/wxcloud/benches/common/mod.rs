//! The records both Extended JSON benchmarks decode, and the decoders they compare.

#![allow(dead_code)]

use serde::Deserialize;
use wxcloud::{Document, Value, ejson};

/// How many interleaved rounds to run: `ROUNDS` if set, else `default` under `cargo bench`
/// (which passes `--bench`), else 1 (`cargo test --benches` runs each bench briefly).
pub fn rounds(default: usize) -> usize {
    match std::env::var("ROUNDS") {
        Ok(n) => n.parse().expect("ROUNDS is a number"),
        Err(_) if std::env::args().any(|a| a == "--bench") => default,
        Err(_) => 1,
    }
}

/// How many records one measured run decodes.
pub const RECORDS: usize = 10_000;

/// The four sample records, as the service sends them.
fn sample_records() -> Vec<Document> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/ejson-seed-records.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let records: Vec<String> = serde_json::from_str(&text).expect("an array of record strings");
    records
        .iter()
        .map(|r| ejson::decode_document(r).expect("a sample record"))
        .collect()
}

/// 10,000 records of the sample shape (key orders of the four samples), with distinct ids,
/// descriptions and coordinates, written as canonical Extended JSON like the service does.
pub fn records() -> Vec<String> {
    let samples = sample_records();
    (0..RECORDS)
        .map(|i| {
            let mut record = samples[i % samples.len()].clone();
            record.insert(
                "_id".into(),
                format!("{:08x}-f1cf-4aa8-bd59-{:012x}", i * 7919, i).into(),
            );
            record.insert(
                "description".into(),
                format!("study cloud database, lesson {i}").into(),
            );
            if let Some(Value::Document(location)) = record.get_mut("location") {
                let (x, y) = (113.0 + i as f64 / 1000.0, 23.0 - i as f64 / 4096.0);
                location.insert("coordinates".into(), vec![x, y].into());
            }
            ejson::to_canonical_string(&record)
        })
        .collect()
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct Todo {
    _id: String,
    location: Location,
    done: bool,
    description: String,
    due: String,
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct Location {
    coordinates: Vec<f64>,
}

/// `wxcloud::ejson::decode_document` on every record.
pub fn wxcloud_decode(records: &[String]) -> usize {
    records
        .iter()
        .map(|r| ejson::decode_document(r).unwrap().len())
        .sum()
}

/// `serde_json::from_str::<serde_json::Value>` on every record: plain JSON, no wrappers.
pub fn serde_json_value(records: &[String]) -> usize {
    records
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(r)
                .unwrap()
                .as_object()
                .unwrap()
                .len()
        })
        .sum()
}

/// The `bson` crate's Extended JSON path: `serde_json::Value`, then `bson::Bson::try_from`.
pub fn bson_extjson(records: &[String]) -> usize {
    records
        .iter()
        .map(|r| {
            let json = serde_json::from_str::<serde_json::Value>(r).unwrap();
            match bson::Bson::try_from(json).unwrap() {
                bson::Bson::Document(doc) => doc.len(),
                _ => 0,
            }
        })
        .sum()
}

/// `wxcloud::ejson::from_str::<Todo>` on every record.
pub fn wxcloud_typed(records: &[String]) -> usize {
    records
        .iter()
        .map(|r| ejson::from_str::<Todo>(r).unwrap().tags.len())
        .sum()
}

/// A sink that builds nothing: counts the events, so the decoder's own cost (parsing and
/// recognising wrappers, without building any output) shows.
#[derive(Default)]
struct Count(usize);

impl ejson::Sink for Count {
    fn begin_document(&mut self, _: Option<usize>) -> Result<(), ejson::SinkError> {
        self.0 += 1;
        Ok(())
    }
    fn key(&mut self, _: &str) -> Result<(), ejson::SinkError> {
        self.0 += 1;
        Ok(())
    }
    fn end_document(&mut self) -> Result<(), ejson::SinkError> {
        Ok(())
    }
    fn begin_array(&mut self, _: Option<usize>) -> Result<(), ejson::SinkError> {
        self.0 += 1;
        Ok(())
    }
    fn end_array(&mut self) -> Result<(), ejson::SinkError> {
        Ok(())
    }
    fn scalar(&mut self, _: ejson::Scalar<'_>) -> Result<(), ejson::SinkError> {
        self.0 += 1;
        Ok(())
    }
}

/// `wxcloud::ejson::decode_document_into` a sink that only counts events.
pub fn wxcloud_events(records: &[String]) -> usize {
    let mut count = Count::default();
    for r in records {
        ejson::decode_document_into(r, &mut count).unwrap();
    }
    count.0
}

/// A decoder under test: decodes every record and returns a number that depends on the result.
pub type Decoder = fn(&[String]) -> usize;

/// The decoders both benchmarks compare, by name; the first is the one the ratios are against.
pub const DECODERS: [(&str, Decoder); 5] = [
    ("wxcloud ejson::decode_document", wxcloud_decode),
    ("serde_json::Value (no Extended JSON)", serde_json_value),
    ("bson 3: serde_json::Value + Bson::try_from", bson_extjson),
    ("wxcloud ejson::from_str::<Todo> (typed)", wxcloud_typed),
    (
        "wxcloud decode_document_into (counting sink)",
        wxcloud_events,
    ),
];
