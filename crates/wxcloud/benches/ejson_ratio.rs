//! The decoders of `ejson_decode`, timed in interleaved rounds (each round runs every decoder
//! once over the same 10,000 records), so that load from other processes falls on all of them
//! alike. Prints each decoder's median and best round and the ratios against
//! `ejson::decode_document`.
//!
//! Run: `cargo bench -p wxcloud --bench ejson_ratio` (`ROUNDS=N` to change the default 40;
//! `ONLY=0` to run just the first decoder, e.g. under a profiler).

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let rounds = common::rounds(40);
    let records = common::records();
    let bytes: usize = records.iter().map(String::len).sum();
    let decoders = common::DECODERS;
    let only: Option<usize> = std::env::var("ONLY")
        .ok()
        .map(|n| n.parse().expect("ONLY is an index"));
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); decoders.len()];
    for _ in 0..rounds {
        for (i, (_, decoder)) in decoders.iter().enumerate() {
            if only.is_some_and(|only| only != i) {
                continue;
            }
            let start = Instant::now();
            black_box(decoder(black_box(&records)));
            times[i].push(start.elapsed());
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let medians: Vec<Option<f64>> = times
        .iter_mut()
        .map(|t| {
            t.sort();
            t.get(t.len() / 2).copied().map(ms)
        })
        .collect();
    println!(
        "{} records, {:.2} MB, {rounds} interleaved rounds",
        common::RECORDS,
        bytes as f64 / 1e6
    );
    println!(
        "{:<46} {:>10} {:>10} {:>14}",
        "decoder", "median ms", "best ms", "× decode_doc"
    );
    for (i, (name, _)) in decoders.iter().enumerate() {
        let (Some(median), Some(&best)) = (medians[i], times[i].first()) else {
            continue;
        };
        let ratio = medians[0].map_or(f64::NAN, |first| median / first);
        println!("{name:<46} {median:>10.2} {:>10.2} {ratio:>14.2}", ms(best));
    }
}
