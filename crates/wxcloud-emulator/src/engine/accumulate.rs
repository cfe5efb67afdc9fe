//! Accumulators (`$sum`, `$avg`, `$push` ...): running state fed one value at a time, as
//! `$group` and `$bucket` use them (and expressions over an array).

use std::collections::HashSet;

use wxcloud::{Document, Value};

use super::EngineError;
use super::expr::arith::N;
use super::order::{Key, compare};

/// Which accumulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccKind {
    /// `$sum`: numbers only; int width kept unless it overflows.
    Sum,
    /// `$avg`: mean of numbers, null if none.
    Avg,
    /// `$min`: smallest non-null value by BSON order.
    Min,
    /// `$max`: largest non-null value.
    Max,
    /// `$first`: the first value (null if missing).
    First,
    /// `$last`: the last value (null if missing).
    Last,
    /// `$push`: every value (missing skipped).
    Push,
    /// `$addToSet`: distinct values (missing skipped).
    AddToSet,
    /// `$stdDevPop`.
    StdDevPop,
    /// `$stdDevSamp`.
    StdDevSamp,
    /// `$mergeObjects`.
    MergeObjects,
    /// `$count` (MongoDB 5.0): the number of documents.
    Count,
}

impl AccKind {
    /// The accumulator an operator name stands for.
    pub fn parse(name: &str) -> Option<AccKind> {
        Some(match name {
            "$sum" => AccKind::Sum,
            "$avg" => AccKind::Avg,
            "$min" => AccKind::Min,
            "$max" => AccKind::Max,
            "$first" => AccKind::First,
            "$last" => AccKind::Last,
            "$push" => AccKind::Push,
            "$addToSet" => AccKind::AddToSet,
            "$stdDevPop" => AccKind::StdDevPop,
            "$stdDevSamp" => AccKind::StdDevSamp,
            "$mergeObjects" => AccKind::MergeObjects,
            "$count" => AccKind::Count,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
enum State {
    Sum(N),
    Avg(N, u64),
    Pick(Option<Value>),
    First(Option<Value>),
    Last(Value),
    List(Vec<Value>),
    Set(Vec<Value>, HashSet<Key>),
    Std { n: u64, mean: f64, m2: f64 },
    Merge(Document),
    Count(i64),
}

/// One accumulator's running state.
#[derive(Clone, Debug)]
pub struct Acc {
    kind: AccKind,
    state: State,
}

impl Acc {
    /// A fresh accumulator.
    pub fn new(kind: AccKind) -> Acc {
        let state = match kind {
            AccKind::Sum => State::Sum(N::I32(0)),
            AccKind::Avg => State::Avg(N::I32(0), 0),
            AccKind::Min | AccKind::Max => State::Pick(None),
            AccKind::First => State::First(None),
            AccKind::Last => State::Last(Value::Null),
            AccKind::Push => State::List(Vec::new()),
            AccKind::AddToSet => State::Set(Vec::new(), HashSet::new()),
            AccKind::StdDevPop | AccKind::StdDevSamp => State::Std {
                n: 0,
                mean: 0.0,
                m2: 0.0,
            },
            AccKind::MergeObjects => State::Merge(Document::new()),
            AccKind::Count => State::Count(0),
        };
        Acc { kind, state }
    }

    /// Feeds one value (`None` = missing).
    pub fn add(&mut self, v: Option<Value>) -> Result<(), EngineError> {
        match &mut self.state {
            State::Sum(total) => {
                if let Some(n) = v.as_ref().and_then(N::of) {
                    *total = total.add(n);
                }
            }
            State::Avg(total, count) => {
                if let Some(n) = v.as_ref().and_then(N::of) {
                    *total = total.add(n);
                    *count += 1;
                }
            }
            State::Pick(best) => {
                if let Some(v) = v.filter(|v| !matches!(v, Value::Null)) {
                    let better = match best {
                        None => true,
                        Some(b) => {
                            let o = compare(&v, b);
                            if self.kind == AccKind::Min {
                                o.is_lt()
                            } else {
                                o.is_gt()
                            }
                        }
                    };
                    if better {
                        *best = Some(v);
                    }
                }
            }
            State::First(first) => {
                if first.is_none() {
                    *first = Some(v.unwrap_or(Value::Null));
                }
            }
            State::Last(last) => *last = v.unwrap_or(Value::Null),
            State::List(items) => {
                if let Some(v) = v {
                    items.push(v);
                }
            }
            State::Set(items, seen) => {
                if let Some(v) = v
                    && seen.insert(Key(v.clone()))
                {
                    items.push(v);
                }
            }
            State::Std { n, mean, m2 } => {
                if let Some(x) = v.as_ref().and_then(N::of) {
                    let x = x.f();
                    *n += 1;
                    let d = x - *mean;
                    *mean += d / *n as f64;
                    *m2 += d * (x - *mean);
                }
            }
            State::Merge(out) => {
                if let Some(v) = v {
                    super::expr::array::merge_into(out, &v, "$mergeObjects")?;
                }
            }
            State::Count(c) => *c += 1,
        }
        Ok(())
    }

    /// The accumulated result.
    pub fn finish(self) -> Value {
        match self.state {
            State::Sum(t) => t.value(),
            State::Avg(t, c) => {
                if c == 0 {
                    Value::Null
                } else {
                    Value::Double(t.f() / c as f64)
                }
            }
            State::Pick(v) => v.unwrap_or(Value::Null),
            State::First(v) => v.unwrap_or(Value::Null),
            State::Last(v) => v,
            State::List(items) | State::Set(items, _) => Value::Array(items),
            State::Std { n, m2, .. } => {
                let pop = self.kind == AccKind::StdDevPop;
                match (pop, n) {
                    (true, 0) | (false, 0 | 1) => Value::Null,
                    (true, n) => Value::Double((m2 / n as f64).sqrt()),
                    (false, n) => Value::Double((m2 / (n - 1) as f64).sqrt()),
                }
            }
            State::Merge(d) => Value::Document(d),
            State::Count(c) => {
                if let Ok(i) = i32::try_from(c) {
                    Value::Int32(i)
                } else {
                    Value::Int64(c)
                }
            }
        }
    }
}
