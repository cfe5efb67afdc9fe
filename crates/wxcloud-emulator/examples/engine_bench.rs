//! Times one aggregate pipeline over a JSON-lines data set with the emulator's engine.
//!
//! Used by `tests/mongomock/bench.py`, which times the same pipeline over the same documents in
//! mongomock. Usage: `engine_bench DOCS.jsonl PIPELINE.json [RUNS]`; prints one JSON line with
//! the median time in milliseconds and the result documents (canonical Extended JSON).

use std::time::Instant;

use wxcloud::{Document, Value, ejson};
use wxcloud_emulator::engine::{Collections, aggregate};

struct NoCollections;

impl Collections for NoCollections {
    fn documents(&self, _collection: &str) -> Vec<Document> {
        Vec::new()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(docs_path), Some(pipeline_path)) = (args.get(1), args.get(2)) else {
        return Err("usage: engine_bench DOCS.jsonl PIPELINE.json [RUNS]".into());
    };
    let runs: usize = args.get(3).map(|r| r.parse()).transpose()?.unwrap_or(5);
    let docs: Vec<Document> = std::fs::read_to_string(docs_path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(ejson::decode_document)
        .collect::<Result<_, _>>()?;
    let stages: Vec<Document> = match ejson::decode_value(&std::fs::read_to_string(pipeline_path)?)?
    {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| v.as_document().cloned())
            .collect(),
        _ => return Err("the pipeline file must hold an array of stages".into()),
    };
    let mut times = Vec::with_capacity(runs);
    let mut out = Vec::new();
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        // The input is cloned from memory, as the emulator hands the engine documents it loaded.
        out = aggregate(&stages, Box::new(docs.iter().cloned()), &NoCollections, 0)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let results: Vec<String> = out.iter().map(ejson::to_canonical_string).collect();
    println!(
        "{{\"docs\": {}, \"runs\": {}, \"median_ms\": {median:.3}, \"results\": [{}]}}",
        docs.len(),
        times.len(),
        results.join(", ")
    );
    Ok(())
}
