//! BSON comparison order: how MongoDB compares and sorts values of any types.
//!
//! Values of different types compare by the type's rank (MinKey < null < numbers < strings <
//! documents < arrays < binary < ObjectId < booleans < dates < timestamps < regexes < MaxKey);
//! numbers of different widths compare by numeric value, so `1`, `1.0` and `1L` are equal.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use wxcloud::{Document, Value};

/// The rank of a value's type in MongoDB's comparison order. All numeric types share a rank.
pub fn type_rank(v: &Value) -> u8 {
    match v {
        Value::MinKey => 1,
        Value::Null => 2,
        Value::Int32(_) | Value::Int64(_) | Value::Double(_) | Value::Decimal128(_) => 3,
        Value::String(_) => 4,
        Value::Document(_) => 5,
        Value::Array(_) => 6,
        Value::Binary { .. } => 7,
        Value::ObjectId(_) => 8,
        Value::Bool(_) => 9,
        Value::Date(_) => 10,
        Value::Timestamp { .. } => 11,
        Value::Regex { .. } => 12,
        Value::MaxKey => 13,
    }
}

/// A number in a form that compares exactly: integers stay integers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    /// The number a value holds, if it is numeric (Decimal128 is read as a double).
    pub(crate) fn of(v: &Value) -> Option<Num> {
        match v {
            Value::Int32(n) => Some(Num::Int(i64::from(*n))),
            Value::Int64(n) => Some(Num::Int(*n)),
            Value::Double(f) => Some(Num::Float(*f)),
            Value::Decimal128(s) => Some(Num::Float(decimal_to_f64(s))),
            _ => None,
        }
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Reads a Decimal128's canonical string as a double (exact enough for comparisons).
pub(crate) fn decimal_to_f64(s: &str) -> f64 {
    match s {
        "Infinity" | "+Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or(f64::NAN),
    }
}

/// Compares an integer with a double exactly. NaN is smaller than every number.
fn cmp_int_float(i: i64, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Greater;
    }
    if f >= 9_223_372_036_854_775_808.0 {
        return Ordering::Less;
    }
    if f < -9_223_372_036_854_775_808.0 {
        return Ordering::Greater;
    }
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal => {
            let frac = f - t;
            if frac > 0.0 {
                Ordering::Less
            } else if frac < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    }
}

fn cmp_float(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Compares two numbers by value.
pub(crate) fn cmp_num(a: Num, b: Num) -> Ordering {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x.cmp(&y),
        (Num::Int(x), Num::Float(y)) => cmp_int_float(x, y),
        (Num::Float(x), Num::Int(y)) => cmp_int_float(y, x).reverse(),
        (Num::Float(x), Num::Float(y)) => cmp_float(x, y),
    }
}

/// Orders two values the way MongoDB does (BSON type order, then value).
pub fn compare(a: &Value, b: &Value) -> Ordering {
    let (ra, rb) = (type_rank(a), type_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Document(x), Value::Document(y)) => compare_documents(x, y),
        (Value::Array(x), Value::Array(y)) => compare_arrays(x, y),
        (
            Value::Binary {
                subtype: sa,
                bytes: ba,
            },
            Value::Binary {
                subtype: sb,
                bytes: bb,
            },
        ) => ba
            .len()
            .cmp(&bb.len())
            .then(sa.cmp(sb))
            .then_with(|| ba.cmp(bb)),
        (Value::ObjectId(x), Value::ObjectId(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::Timestamp { t: ta, i: ia }, Value::Timestamp { t: tb, i: ib }) => {
            ta.cmp(tb).then(ia.cmp(ib))
        }
        (
            Value::Regex {
                pattern: pa,
                options: oa,
            },
            Value::Regex {
                pattern: pb,
                options: ob,
            },
        ) => pa.cmp(pb).then_with(|| oa.cmp(ob)),
        _ => match (Num::of(a), Num::of(b)) {
            (Some(x), Some(y)) => cmp_num(x, y),
            _ => Ordering::Equal,
        },
    }
}

/// Compares documents element by element: type rank, then field name, then value.
pub fn compare_documents(x: &Document, y: &Document) -> Ordering {
    for ((ka, va), (kb, vb)) in x.iter().zip(y.iter()) {
        let o = type_rank(va)
            .cmp(&type_rank(vb))
            .then_with(|| ka.as_bytes().cmp(kb.as_bytes()))
            .then_with(|| compare(va, vb));
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

fn compare_arrays(x: &[Value], y: &[Value]) -> Ordering {
    for (a, b) in x.iter().zip(y.iter()) {
        let o = compare(a, b);
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

/// Whether two values are equal by MongoDB's rules (`1 == 1.0`, key order matters in documents).
pub fn values_equal(a: &Value, b: &Value) -> bool {
    compare(a, b) == Ordering::Equal
}

/// A value wrapped so it hashes and compares by MongoDB equality (for `$group` keys and sets).
#[derive(Clone, Debug)]
pub struct Key(pub Value);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        values_equal(&self.0, &other.0)
    }
}
impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_value(&self.0, state);
    }
}

fn hash_value<H: Hasher>(v: &Value, state: &mut H) {
    type_rank(v).hash(state);
    match v {
        Value::Int32(_) | Value::Int64(_) | Value::Double(_) | Value::Decimal128(_) => {
            // Equal numbers of different widths must hash alike: integral values hash as i64.
            match Num::of(v) {
                Some(Num::Int(i)) => i.hash(state),
                Some(Num::Float(f)) => {
                    if f.fract() == 0.0 && f.abs() < 9.2e18 {
                        (f as i64).hash(state)
                    } else if f.is_nan() {
                        0xdead_u64.hash(state)
                    } else {
                        f.to_bits().hash(state)
                    }
                }
                None => {}
            }
        }
        Value::String(s) => s.hash(state),
        Value::Document(d) => {
            for (k, x) in d {
                k.hash(state);
                hash_value(x, state);
            }
        }
        Value::Array(a) => {
            a.len().hash(state);
            for x in a {
                hash_value(x, state);
            }
        }
        Value::Binary { subtype, bytes } => {
            subtype.hash(state);
            bytes.hash(state);
        }
        Value::ObjectId(b) => b.hash(state),
        Value::Bool(b) => b.hash(state),
        Value::Date(d) => d.hash(state),
        Value::Timestamp { t, i } => (t, i).hash(state),
        Value::Regex { pattern, options } => (pattern, options).hash(state),
        Value::Null | Value::MinKey | Value::MaxKey => {}
    }
}
