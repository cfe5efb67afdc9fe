//! Arithmetic operators. Results keep MongoDB's widths: int op int stays int unless it
//! overflows (then long, then double); anything with a double is a double; null in → null out.

use wxcloud::Value;

use super::type_name;
use crate::engine::EngineError;
use crate::engine::order::decimal_to_f64;

/// A number with its BSON width.
#[derive(Clone, Copy, Debug)]
pub(crate) enum N {
    I32(i32),
    I64(i64),
    F(f64),
}

impl N {
    pub(crate) fn of(v: &Value) -> Option<N> {
        match v {
            Value::Int32(n) => Some(N::I32(*n)),
            Value::Int64(n) => Some(N::I64(*n)),
            Value::Double(f) => Some(N::F(*f)),
            Value::Decimal128(s) => Some(N::F(decimal_to_f64(s))),
            _ => None,
        }
    }

    pub(crate) fn f(self) -> f64 {
        match self {
            N::I32(i) => i.into(),
            N::I64(i) => i as f64,
            N::F(f) => f,
        }
    }

    pub(crate) fn value(self) -> Value {
        match self {
            N::I32(i) => Value::Int32(i),
            N::I64(i) => Value::Int64(i),
            N::F(f) => Value::Double(f),
        }
    }

    /// Adds with widening on overflow.
    pub(crate) fn add(self, o: N) -> N {
        match (self, o) {
            (N::I32(a), N::I32(b)) => a
                .checked_add(b)
                .map(N::I32)
                .unwrap_or(N::I64(i64::from(a) + i64::from(b))),
            (N::F(a), b) | (b, N::F(a)) => N::F(a + b.f()),
            (a, b) => {
                let (x, y) = (a.long(), b.long());
                x.checked_add(y)
                    .map(N::I64)
                    .unwrap_or(N::F(x as f64 + y as f64))
            }
        }
    }

    fn mul(self, o: N) -> N {
        match (self, o) {
            (N::I32(a), N::I32(b)) => a
                .checked_mul(b)
                .map(N::I32)
                .unwrap_or_else(|| N::I64(i64::from(a) * i64::from(b))),
            (N::F(a), b) | (b, N::F(a)) => N::F(a * b.f()),
            (a, b) => {
                let (x, y) = (a.long(), b.long());
                x.checked_mul(y)
                    .map(N::I64)
                    .unwrap_or(N::F(x as f64 * y as f64))
            }
        }
    }

    fn sub(self, o: N) -> N {
        match (self, o) {
            (N::I32(a), N::I32(b)) => a
                .checked_sub(b)
                .map(N::I32)
                .unwrap_or(N::I64(i64::from(a) - i64::from(b))),
            (N::F(_), _) | (_, N::F(_)) => N::F(self.f() - o.f()),
            (a, b) => {
                let (x, y) = (a.long(), b.long());
                x.checked_sub(y)
                    .map(N::I64)
                    .unwrap_or(N::F(x as f64 - y as f64))
            }
        }
    }

    fn long(self) -> i64 {
        match self {
            N::I32(i) => i.into(),
            N::I64(i) => i,
            N::F(f) => f as i64,
        }
    }
}

fn num(name: &str, v: &Value) -> Result<Option<N>, EngineError> {
    match v {
        Value::Null => Ok(None),
        v => N::of(v).map(Some).ok_or_else(|| {
            EngineError(format!(
                "{name} only supports numeric types, not {}",
                type_name(v)
            ))
        }),
    }
}

/// `$add`: numbers, plus at most one date (the result is then a date).
pub fn add(args: &[Value]) -> Result<Value, EngineError> {
    let mut total = N::I32(0);
    let mut date: Option<i64> = None;
    let mut null = false;
    for a in args {
        match a {
            Value::Null => null = true,
            Value::Date(ms) => {
                if date.is_some() {
                    return Err(EngineError(
                        "only one date allowed in an $add expression".into(),
                    ));
                }
                date = Some(*ms);
            }
            v => match N::of(v) {
                Some(n) => total = total.add(n),
                None => {
                    return Err(EngineError(format!(
                        "$add only supports numeric or date types, not {}",
                        type_name(v)
                    )));
                }
            },
        }
    }
    if null {
        return Ok(Value::Null);
    }
    Ok(match date {
        Some(ms) => Value::Date(ms + total.f().round() as i64),
        None => total.value(),
    })
}

/// `$multiply`.
pub fn multiply(args: &[Value]) -> Result<Value, EngineError> {
    let mut total = N::I32(1);
    for a in args {
        match num("$multiply", a)? {
            Some(n) => total = total.mul(n),
            None => return Ok(Value::Null),
        }
    }
    Ok(total.value())
}

/// `$subtract`: numbers, date − number (a date) or date − date (milliseconds, a long).
pub fn subtract(args: &[Value]) -> Result<Value, EngineError> {
    match (&args[0], &args[1]) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::Date(a), Value::Date(b)) => Ok(Value::Int64(a - b)),
        (Value::Date(a), b) => match N::of(b) {
            Some(n) => Ok(Value::Date(a - n.f().round() as i64)),
            None => Err(EngineError(format!(
                "cant $subtract a {} from a date",
                type_name(b)
            ))),
        },
        (a, b) => match (N::of(a), N::of(b)) {
            (Some(x), Some(y)) => Ok(x.sub(y).value()),
            _ => Err(EngineError(format!(
                "cant $subtract a {} from a {}",
                type_name(b),
                type_name(a)
            ))),
        },
    }
}

/// `$divide`: always a double; dividing by zero is an error.
pub fn divide(args: &[Value]) -> Result<Value, EngineError> {
    let (Some(a), Some(b)) = (num("$divide", &args[0])?, num("$divide", &args[1])?) else {
        return Ok(Value::Null);
    };
    if b.f() == 0.0 {
        return Err(EngineError("can't $divide by zero".into()));
    }
    Ok(Value::Double(a.f() / b.f()))
}

/// `$mod`: the remainder, with the dividend's sign.
pub fn modulo(args: &[Value]) -> Result<Value, EngineError> {
    let (Some(a), Some(b)) = (num("$mod", &args[0])?, num("$mod", &args[1])?) else {
        return Ok(Value::Null);
    };
    Ok(match (a, b) {
        (N::F(_), _) | (_, N::F(_)) => {
            if b.f() == 0.0 {
                return Err(EngineError("can't $mod by zero".into()));
            }
            Value::Double(a.f() % b.f())
        }
        (N::I32(x), N::I32(y)) => {
            if y == 0 {
                return Err(EngineError("can't $mod by zero".into()));
            }
            Value::Int32(x.wrapping_rem(y))
        }
        (x, y) => {
            if y.long() == 0 {
                return Err(EngineError("can't $mod by zero".into()));
            }
            Value::Int64(x.long().wrapping_rem(y.long()))
        }
    })
}

fn unary(
    name: &str,
    v: &Value,
    int: fn(N) -> N,
    float: fn(f64) -> f64,
) -> Result<Value, EngineError> {
    Ok(match num(name, v)? {
        None => Value::Null,
        Some(N::F(f)) => Value::Double(float(f)),
        Some(n) => int(n).value(),
    })
}

/// `$abs`.
pub fn abs(args: &[Value]) -> Result<Value, EngineError> {
    unary(
        "$abs",
        &args[0],
        |n| match n {
            N::I32(i) => i.checked_abs().map(N::I32).unwrap_or(N::I64(-i64::from(i))),
            N::I64(i) => i
                .checked_abs()
                .map(N::I64)
                .unwrap_or(N::F((i as f64).abs())),
            f => f,
        },
        f64::abs,
    )
}

/// `$ceil`.
pub fn ceil(args: &[Value]) -> Result<Value, EngineError> {
    unary("$ceil", &args[0], |n| n, f64::ceil)
}

/// `$floor`.
pub fn floor(args: &[Value]) -> Result<Value, EngineError> {
    unary("$floor", &args[0], |n| n, f64::floor)
}

fn float_only(name: &str, v: &Value, f: fn(f64) -> f64) -> Result<Value, EngineError> {
    Ok(match num(name, v)? {
        None => Value::Null,
        Some(n) => Value::Double(f(n.f())),
    })
}

/// `$exp`.
pub fn exp(args: &[Value]) -> Result<Value, EngineError> {
    float_only("$exp", &args[0], f64::exp)
}

/// `$ln` (the argument must be positive).
pub fn ln(args: &[Value]) -> Result<Value, EngineError> {
    if N::of(&args[0]).is_some_and(|n| n.f() <= 0.0) {
        return Err(EngineError(
            "$ln's argument must be a positive number".into(),
        ));
    }
    float_only("$ln", &args[0], f64::ln)
}

/// `$log10` (the argument must be positive).
pub fn log10(args: &[Value]) -> Result<Value, EngineError> {
    if N::of(&args[0]).is_some_and(|n| n.f() <= 0.0) {
        return Err(EngineError(
            "$log10's argument must be a positive number".into(),
        ));
    }
    float_only("$log10", &args[0], f64::log10)
}

/// `$sqrt` (the argument must not be negative).
pub fn sqrt(args: &[Value]) -> Result<Value, EngineError> {
    if N::of(&args[0]).is_some_and(|n| n.f() < 0.0) {
        return Err(EngineError(
            "$sqrt's argument must be greater than or equal to 0".into(),
        ));
    }
    float_only("$sqrt", &args[0], f64::sqrt)
}

/// `$log` with a base.
pub fn log(args: &[Value]) -> Result<Value, EngineError> {
    let (Some(a), Some(b)) = (num("$log", &args[0])?, num("$log", &args[1])?) else {
        return Ok(Value::Null);
    };
    if a.f() <= 0.0 || b.f() <= 0.0 || b.f() == 1.0 {
        return Err(EngineError(
            "$log's arguments must be positive and the base not 1".into(),
        ));
    }
    Ok(Value::Double(a.f().ln() / b.f().ln()))
}

/// `$pow`: integer powers of integers stay integers when they fit.
pub fn pow(args: &[Value]) -> Result<Value, EngineError> {
    let (Some(a), Some(b)) = (num("$pow", &args[0])?, num("$pow", &args[1])?) else {
        return Ok(Value::Null);
    };
    if a.f() == 0.0 && b.f() < 0.0 {
        return Err(EngineError(
            "$pow cannot take a base of 0 and a negative exponent".into(),
        ));
    }
    Ok(match (a, b) {
        (N::F(_), _) | (_, N::F(_)) => Value::Double(a.f().powf(b.f())),
        (x, y) => {
            let (base, e) = (x.long(), y.long());
            let wide = matches!(x, N::I64(_)) || matches!(y, N::I64(_));
            if e < 0 {
                return Ok(Value::Double((base as f64).powf(e as f64)));
            }
            match u32::try_from(e).ok().and_then(|e| base.checked_pow(e)) {
                Some(r) if !wide && i32::try_from(r).is_ok() => Value::Int32(r as i32),
                Some(r) => Value::Int64(r),
                None => Value::Double((base as f64).powf(e as f64)),
            }
        }
    })
}

fn places(args: &[Value], name: &str) -> Result<Option<i64>, EngineError> {
    match args.get(1) {
        None => Ok(Some(0)),
        Some(Value::Null) => Ok(None),
        Some(v) => match N::of(v) {
            Some(n) if n.f().fract() == 0.0 && (-20.0..100.0).contains(&n.f()) => {
                Ok(Some(n.f() as i64))
            }
            _ => Err(EngineError(format!(
                "{name}'s place must be an integer between -20 and 100"
            ))),
        },
    }
}

fn round_to(name: &str, args: &[Value], f: fn(f64) -> f64) -> Result<Value, EngineError> {
    let Some(p) = places(args, name)? else {
        return Ok(Value::Null);
    };
    let Some(n) = num(name, &args[0])? else {
        return Ok(Value::Null);
    };
    let scale = 10f64.powi(p as i32);
    let apply = |x: f64| f(x * scale) / scale;
    Ok(match n {
        N::F(x) => Value::Double(apply(x)),
        N::I32(i) if p < 0 => Value::Int32(apply(f64::from(i)) as i32),
        N::I64(i) if p < 0 => Value::Int64(apply(i as f64) as i64),
        other => other.value(),
    })
}

fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

/// `$round`: half to even, optionally at a number of decimal places.
pub fn round(args: &[Value]) -> Result<Value, EngineError> {
    round_to("$round", args, round_half_even)
}

/// `$trunc`, optionally at a number of decimal places.
pub fn trunc(args: &[Value]) -> Result<Value, EngineError> {
    round_to("$trunc", args, f64::trunc)
}
