//! Decoding 10,000 records of the service's sample shape: `ejson::decode_document` against
//! plain `serde_json::Value` parsing of the same bytes and against the `bson` crate's Extended
//! JSON path (`serde_json::Value`, then `bson::Bson::try_from`). Results: docs/benchmarks.md.
//!
//! Run: `cargo bench -p wxcloud --bench ejson_decode`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;
use wxcloud::{Document, Value, ejson};

const RECORDS: usize = 10_000;

/// The four sample records, as the service sends them.
fn sample_records() -> Vec<Document> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/ejson-seed-records.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let records: Vec<String> = serde_json::from_str(&text).expect("an array of record strings");
    records.iter().map(|r| ejson::decode_document(r).expect("a sample record")).collect()
}

/// 10,000 records of the sample shape (key orders of the four samples), with distinct ids,
/// descriptions and coordinates, written as canonical Extended JSON like the service does.
fn records() -> Vec<String> {
    let samples = sample_records();
    (0..RECORDS)
        .map(|i| {
            let mut record = samples[i % samples.len()].clone();
            record.insert("_id".into(), format!("{:08x}-f1cf-4aa8-bd59-{:012x}", i * 7919, i).into());
            record.insert("description".into(), format!("study cloud database, lesson {i}").into());
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
struct Todo {
    _id: String,
    location: Location,
    done: bool,
    description: String,
    due: String,
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Location {
    coordinates: Vec<f64>,
}

fn decode(c: &mut Criterion) {
    let records = records();
    let bytes: usize = records.iter().map(String::len).sum();
    let mut group = c.benchmark_group("decode 10k sample records");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(30).measurement_time(Duration::from_secs(8));

    group.bench_function("wxcloud ejson::decode_document", |b| {
        b.iter(|| {
            for r in &records {
                black_box(ejson::decode_document(r).unwrap());
            }
        })
    });
    group.bench_function("serde_json::Value (no Extended JSON)", |b| {
        b.iter(|| {
            for r in &records {
                black_box(serde_json::from_str::<serde_json::Value>(r).unwrap());
            }
        })
    });
    group.bench_function("bson 3: serde_json::Value then Bson::try_from", |b| {
        b.iter(|| {
            for r in &records {
                let json = serde_json::from_str::<serde_json::Value>(r).unwrap();
                black_box(bson::Bson::try_from(json).unwrap());
            }
        })
    });
    group.bench_function("wxcloud ejson::from_str::<Todo> (typed)", |b| {
        b.iter(|| {
            for r in &records {
                black_box(ejson::from_str::<Todo>(r).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
