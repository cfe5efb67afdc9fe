//! Decoding 10,000 records of the service's sample shape with criterion: `ejson::decode_document`
//! against plain `serde_json::Value` parsing of the same bytes and against the `bson` crate's
//! Extended JSON path (`serde_json::Value`, then `bson::Bson::try_from`). `ejson_ratio` measures
//! the same decoders interleaved, for ratios on a busy machine. Results: docs/benchmarks.md.
//!
//! Run: `cargo bench -p wxcloud --bench ejson_decode`.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn decode(c: &mut Criterion) {
    let records = common::records();
    let bytes: usize = records.iter().map(String::len).sum();
    let mut group = c.benchmark_group("decode 10k sample records");
    group.throughput(Throughput::Bytes(bytes as u64));
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));
    let decoders = common::DECODERS;
    for (name, decoder) in decoders {
        group.bench_function(name, |b| b.iter(|| black_box(decoder(black_box(&records)))));
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
