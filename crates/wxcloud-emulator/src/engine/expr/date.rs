//! Date operators on the proleptic Gregorian calendar. Time zones: `UTC`/`GMT`, fixed offsets
//! (`+08:00`, `-0500`, `+08`) and a few zones without daylight saving (`Asia/Shanghai` ...).

use wxcloud::ejson::{self, days_from_civil};
use wxcloud::{Document, Value};

use super::arith::N;
use super::type_name;
use crate::engine::EngineError;

const DAY_MS: i64 = 86_400_000;

/// The civil date (year, month 1-12, day 1-31) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let (year, month, day) = ejson::civil_from_days(days);
    (year, i64::from(month), i64::from(day))
}

/// A date broken into its parts (in some time zone).
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub millis: i64,
    /// Days since the epoch (for weekday arithmetic).
    pub days: i64,
}

/// Splits milliseconds since the epoch into calendar parts.
pub fn parts(ms: i64) -> Parts {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: rem / 3_600_000,
        minute: rem / 60_000 % 60,
        second: rem / 1000 % 60,
        millis: rem % 1000,
        days,
    }
}

impl Parts {
    /// 1 (Sunday) to 7 (Saturday).
    pub fn day_of_week(&self) -> i64 {
        (self.days + 4).rem_euclid(7) + 1
    }
    /// 1 (Monday) to 7 (Sunday).
    pub fn iso_day_of_week(&self) -> i64 {
        (self.days + 3).rem_euclid(7) + 1
    }
    /// 1 to 366.
    pub fn day_of_year(&self) -> i64 {
        self.days - days_from_civil(self.year, 1, 1) + 1
    }
    /// Week of the year (0-53), weeks starting on Sunday, as `%U`.
    pub fn week(&self) -> i64 {
        (self.day_of_year() - 1 + 7 - (self.day_of_week() - 1)) / 7
    }
    /// ISO 8601 week number and week-numbering year.
    pub fn iso_week(&self) -> (i64, i64) {
        let thursday = self.days - (self.iso_day_of_week() - 1) + 3;
        let (y, _, _) = civil_from_days(thursday);
        let week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
        (y, week)
    }
}

/// ISO 8601 text with milliseconds, `2020-01-02T03:04:05.678Z`.
pub fn iso_string(ms: i64) -> String {
    format_date(ms, "%Y-%m-%dT%H:%M:%S.%LZ", 0).unwrap_or_default()
}

/// Parses `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]` into milliseconds since the epoch.
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, mo, d) * DAY_MS;
    let mut rest = &s[10..];
    if let Some(t) = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' ')) {
        let tb = t.as_bytes();
        if tb.len() < 5 || tb[2] != b':' {
            return None;
        }
        let h: i64 = t[0..2].parse().ok()?;
        let mi: i64 = t[3..5].parse().ok()?;
        ms += h * 3_600_000 + mi * 60_000;
        rest = &t[5..];
        if let Some(r) = rest.strip_prefix(':') {
            let sec: i64 = r.get(0..2)?.parse().ok()?;
            ms += sec * 1000;
            rest = &r[2..];
            if let Some(f) = rest.strip_prefix('.') {
                let digits: String = f.chars().take_while(char::is_ascii_digit).collect();
                let frac = format!("{:0<3}", &digits[..digits.len().min(3)]);
                ms += frac.parse::<i64>().ok()?;
                rest = &f[digits.len()..];
            }
        }
    }
    match rest {
        "" | "Z" => Some(ms),
        tz => Some(ms - offset_ms(tz)?),
    }
}

/// The offset in milliseconds of a time zone name or `±HH[:MM]` offset.
pub fn offset_ms(tz: &str) -> Option<i64> {
    match tz {
        "UTC" | "GMT" | "Z" | "Etc/UTC" | "Etc/GMT" => return Some(0),
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Hong_Kong" | "Asia/Taipei"
        | "Asia/Singapore" | "PRC" => {
            return Some(8 * 3_600_000);
        }
        "Asia/Tokyo" | "Asia/Seoul" => return Some(9 * 3_600_000),
        "Asia/Kolkata" => return Some(19_800_000),
        _ => {}
    }
    let (sign, rest) = match tz.as_bytes().first()? {
        b'+' => (1, &tz[1..]),
        b'-' => (-1, &tz[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (
            digits[0..2].parse::<i64>().ok()?,
            digits[2..4].parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    Some(sign * (h * 3_600_000 + m * 60_000))
}

/// Reads a time zone argument (null or missing is UTC).
pub fn zone(v: &Value) -> Result<i64, EngineError> {
    match v {
        Value::Null => Ok(0),
        Value::String(s) => offset_ms(s)
            .ok_or_else(|| EngineError(format!("unrecognized time zone identifier: {s}"))),
        other => Err(EngineError(format!(
            "timezone must be a string, found {}",
            type_name(other)
        ))),
    }
}

/// Reads a date-like value as milliseconds (dates, timestamps, ObjectIds).
pub fn millis(name: &str, v: &Value) -> Result<Option<i64>, EngineError> {
    match v {
        Value::Null => Ok(None),
        Value::Date(ms) => Ok(Some(*ms)),
        Value::Timestamp { t, .. } => Ok(Some(i64::from(*t) * 1000)),
        Value::ObjectId(b) => Ok(Some(
            i64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])) * 1000,
        )),
        other => Err(EngineError(format!(
            "{name} can't convert from BSON type {} to Date",
            type_name(other)
        ))),
    }
}

/// The local parts of a one-argument date operator's input: a date or `{date, timezone}`.
fn local(name: &str, v: &Value) -> Result<Option<Parts>, EngineError> {
    let (date, tz) = match v {
        Value::Document(d) if d.contains_key("date") => (
            d.get("date").unwrap_or(&Value::Null),
            zone(d.get("timezone").unwrap_or(&Value::Null))?,
        ),
        other => (other, 0),
    };
    Ok(millis(name, date)?.map(|ms| parts(ms + tz)))
}

fn part(name: &str, args: &[Value], f: fn(&Parts) -> i64) -> Result<Value, EngineError> {
    Ok(match local(name, &args[0])? {
        Some(p) => Value::Int32(f(&p) as i32),
        None => Value::Null,
    })
}

/// `$year`.
pub fn year(a: &[Value]) -> Result<Value, EngineError> {
    part("$year", a, |p| p.year)
}
/// `$month`.
pub fn month(a: &[Value]) -> Result<Value, EngineError> {
    part("$month", a, |p| p.month)
}
/// `$dayOfMonth`.
pub fn day_of_month(a: &[Value]) -> Result<Value, EngineError> {
    part("$dayOfMonth", a, |p| p.day)
}
/// `$dayOfWeek` (1 = Sunday).
pub fn day_of_week(a: &[Value]) -> Result<Value, EngineError> {
    part("$dayOfWeek", a, Parts::day_of_week)
}
/// `$dayOfYear`.
pub fn day_of_year(a: &[Value]) -> Result<Value, EngineError> {
    part("$dayOfYear", a, Parts::day_of_year)
}
/// `$hour`.
pub fn hour(a: &[Value]) -> Result<Value, EngineError> {
    part("$hour", a, |p| p.hour)
}
/// `$minute`.
pub fn minute(a: &[Value]) -> Result<Value, EngineError> {
    part("$minute", a, |p| p.minute)
}
/// `$second`.
pub fn second(a: &[Value]) -> Result<Value, EngineError> {
    part("$second", a, |p| p.second)
}
/// `$millisecond`.
pub fn millisecond(a: &[Value]) -> Result<Value, EngineError> {
    part("$millisecond", a, |p| p.millis)
}
/// `$week` (0-53, weeks start on Sunday).
pub fn week(a: &[Value]) -> Result<Value, EngineError> {
    part("$week", a, Parts::week)
}
/// `$isoWeek`.
pub fn iso_week(a: &[Value]) -> Result<Value, EngineError> {
    part("$isoWeek", a, |p| p.iso_week().1)
}
/// `$isoWeekYear`.
pub fn iso_week_year(a: &[Value]) -> Result<Value, EngineError> {
    part("$isoWeekYear", a, |p| p.iso_week().0)
}
/// `$isoDayOfWeek` (1 = Monday).
pub fn iso_day_of_week(a: &[Value]) -> Result<Value, EngineError> {
    part("$isoDayOfWeek", a, Parts::iso_day_of_week)
}

/// Formats a date with MongoDB's `$dateToString` specifiers, `tz` ms east of UTC.
pub fn format_date(ms: i64, format: &str, tz: i64) -> Result<String, EngineError> {
    let p = parts(ms + tz);
    let mut out = String::new();
    let mut it = format.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let spec = it
            .next()
            .ok_or_else(|| EngineError("unmatched '%' at end of format string".into()))?;
        match spec {
            'Y' => out.push_str(&format!("{:04}", p.year)),
            'm' => out.push_str(&format!("{:02}", p.month)),
            'd' => out.push_str(&format!("{:02}", p.day)),
            'H' => out.push_str(&format!("{:02}", p.hour)),
            'M' => out.push_str(&format!("{:02}", p.minute)),
            'S' => out.push_str(&format!("{:02}", p.second)),
            'L' => out.push_str(&format!("{:03}", p.millis)),
            'j' => out.push_str(&format!("{:03}", p.day_of_year())),
            'w' => out.push_str(&p.day_of_week().to_string()),
            'u' => out.push_str(&p.iso_day_of_week().to_string()),
            'U' => out.push_str(&format!("{:02}", p.week())),
            'V' => out.push_str(&format!("{:02}", p.iso_week().1)),
            'G' => out.push_str(&format!("{:04}", p.iso_week().0)),
            'z' | 'Z' => {
                let mins = tz / 60_000;
                if spec == 'Z' {
                    out.push_str(&mins.to_string());
                } else {
                    let sign = if mins < 0 { '-' } else { '+' };
                    out.push_str(&format!(
                        "{sign}{:02}{:02}",
                        mins.abs() / 60,
                        mins.abs() % 60
                    ));
                }
            }
            '%' => out.push('%'),
            other => {
                return Err(EngineError(format!(
                    "invalid format character '%{other}' in format string"
                )));
            }
        }
    }
    Ok(out)
}

/// `$dateToString {date, format, timezone, onNull}`.
pub fn to_string(
    date: &Value,
    format: &Value,
    tz: &Value,
    on_null: Option<Value>,
) -> Result<Value, EngineError> {
    let Some(ms) = millis("$dateToString", date)? else {
        return Ok(on_null.unwrap_or(Value::Null));
    };
    let fmt = match format {
        Value::Null => "%Y-%m-%dT%H:%M:%S.%LZ",
        Value::String(s) => s.as_str(),
        other => {
            return Err(EngineError(format!(
                "$dateToString requires that 'format' be a string, found: {}",
                type_name(other)
            )));
        }
    };
    Ok(Value::String(format_date(ms, fmt, zone(tz)?)?))
}

/// `$dateFromString {dateString, timezone, onError, onNull}` (ISO 8601 input).
pub fn from_string(s: &Value, tz: &Value) -> Result<Value, EngineError> {
    match s {
        Value::Null => Ok(Value::Null),
        Value::String(text) => {
            let ms = parse_iso(text)
                .ok_or_else(|| EngineError(format!("Error parsing date string '{text}'")))?;
            let has_zone =
                text.ends_with('Z') || text.len() > 19 && text[19..].contains(['+', '-']);
            Ok(Value::Date(if has_zone { ms } else { ms - zone(tz)? }))
        }
        other => Err(EngineError(format!(
            "$dateFromString requires that 'dateString' be a string, found: {}",
            type_name(other)
        ))),
    }
}

fn int_part(v: &Value, default: i64) -> Result<Option<i64>, EngineError> {
    match v {
        Value::Null => Ok(Some(default)),
        v => match N::of(v) {
            Some(n) if n.f().fract() == 0.0 => Ok(Some(n.f() as i64)),
            _ => Err(EngineError(format!(
                "$dateFromParts requires integral parts, found {}",
                type_name(v)
            ))),
        },
    }
}

/// `$dateFromParts {year, month, day, hour, minute, second, millisecond, timezone}`;
/// values outside their ranges carry over (month 13 is January of the next year).
pub fn from_parts(parts_in: &[Value]) -> Result<Value, EngineError> {
    if matches!(parts_in[0], Value::Null) {
        return Ok(Value::Null);
    }
    let get = |i: usize, d: i64| int_part(&parts_in[i], d);
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s), Some(ms)) = (
        get(0, 1970)?,
        get(1, 1)?,
        get(2, 1)?,
        get(3, 0)?,
        get(4, 0)?,
        get(5, 0)?,
        get(6, 0)?,
    ) else {
        return Ok(Value::Null);
    };
    let total_months = y * 12 + (mo - 1);
    let (yy, mm) = (total_months.div_euclid(12), total_months.rem_euclid(12) + 1);
    let days = days_from_civil(yy, mm, 1) + d - 1;
    let t = days * DAY_MS + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
    Ok(Value::Date(t - zone(&parts_in[7])?))
}

/// `$dateToParts {date, timezone, iso8601}`.
pub fn to_parts(date: &Value, tz: &Value, iso: bool) -> Result<Value, EngineError> {
    let Some(ms) = millis("$dateToParts", date)? else {
        return Ok(Value::Null);
    };
    let p = parts(ms + zone(tz)?);
    let mut d = Document::new();
    if iso {
        let (y, w) = p.iso_week();
        d.insert("isoWeekYear".into(), Value::Int32(y as i32));
        d.insert("isoWeek".into(), Value::Int32(w as i32));
        d.insert(
            "isoDayOfWeek".into(),
            Value::Int32(p.iso_day_of_week() as i32),
        );
    } else {
        d.insert("year".into(), Value::Int32(p.year as i32));
        d.insert("month".into(), Value::Int32(p.month as i32));
        d.insert("day".into(), Value::Int32(p.day as i32));
    }
    for (k, v) in [
        ("hour", p.hour),
        ("minute", p.minute),
        ("second", p.second),
        ("millisecond", p.millis),
    ] {
        d.insert(k.into(), Value::Int32(v as i32));
    }
    Ok(Value::Document(d))
}
