//! `new Date(..)` arguments to milliseconds since the epoch (UTC).
//!
//! ISO-8601 strings are read as JavaScript does, except that a date-time without an offset is
//! taken as UTC (JavaScript would use the local time zone of the machine running the SDK).

use wxcloud::ejson::days_from_civil;

/// `new Date(year, monthIndex, day, hours, minutes, seconds, ms)` (month overflow carries).
pub fn from_components(parts: &[f64]) -> Option<i64> {
    if parts.iter().any(|p| !p.is_finite()) {
        return None;
    }
    let get = |i: usize, default: i64| parts.get(i).map(|v| v.trunc() as i64).unwrap_or(default);
    let mut year = get(0, 1970);
    if (0..=99).contains(&year) {
        year += 1900;
    }
    let month = get(1, 0);
    let year = year + month.div_euclid(12);
    let month = month.rem_euclid(12) + 1;
    let days = days_from_civil(year, month, 1) + get(2, 1) - 1;
    let ms = days.checked_mul(86_400_000)?
        + get(3, 0) * 3_600_000
        + get(4, 0) * 60_000
        + get(5, 0) * 1000
        + get(6, 0);
    valid(ms)
}

/// The largest time a JavaScript Date holds: ±8.64e15 ms.
fn valid(ms: i64) -> Option<i64> {
    (ms.abs() <= 8_640_000_000_000_000).then_some(ms)
}

fn digits(s: &str, n: usize) -> Option<(i64, &str)> {
    if s.len() < n || !s.as_bytes()[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.sss]]` (or a
/// space instead of `T`) and `Z` or `±HH:MM`.
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (1, s),
    };
    let year_len = if s.starts_with(['+', '-']) { 6 } else { 4 };
    let (year, mut rest) = digits(rest, year_len)?;
    let year = sign * year;
    let (mut month, mut day) = (1, 1);
    if let Some(r) = rest.strip_prefix('-') {
        let (m, r) = digits(r, 2)?;
        month = m;
        rest = r;
        if let Some(r) = rest.strip_prefix('-') {
            let (d, r) = digits(r, 2)?;
            day = d;
            rest = r;
        }
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * 86_400_000;
    if rest.is_empty() {
        return valid(ms);
    }
    let r = rest.strip_prefix(['T', 't', ' '])?;
    let (h, r) = digits(r, 2)?;
    let r = r.strip_prefix(':')?;
    let (mi, mut r) = digits(r, 2)?;
    let mut sec = 0;
    let mut frac = 0;
    if let Some(x) = r.strip_prefix(':') {
        let (s2, x) = digits(x, 2)?;
        sec = s2;
        r = x;
        if let Some(x) = r.strip_prefix('.') {
            let n = x.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let mut text = x[..n].to_owned();
            text.truncate(3);
            while text.len() < 3 {
                text.push('0');
            }
            frac = text.parse().ok()?;
            r = &x[n..];
        }
    }
    if h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi, sec, frac) != (0, 0, 0)) {
        return None;
    }
    ms += h * 3_600_000 + mi * 60_000 + sec * 1000 + frac;
    match r {
        "" | "Z" | "z" => valid(ms),
        _ => {
            let sign = match r.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, x) = digits(&r[1..], 2)?;
            let x = x.strip_prefix(':').unwrap_or(x);
            let (om, x) = digits(x, 2)?;
            if !x.is_empty() {
                return None;
            }
            valid(ms - sign * (oh * 3_600_000 + om * 60_000))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_strings_with_and_without_offsets() {
        assert_eq!(parse_iso("1970-01-01"), Some(0));
        assert_eq!(
            parse_iso("2019-09-09T00:00:00.123Z"),
            Some(1_567_987_200_123)
        );
        assert_eq!(
            parse_iso("2019-09-09T08:00:00+08:00"),
            Some(1_567_987_200_000)
        );
        assert_eq!(parse_iso("2019-13-01"), None);
        assert_eq!(parse_iso("yesterday"), None);
    }

    #[test]
    fn components_carry_month_overflow() {
        assert_eq!(
            from_components(&[2020.0, 12.0, 1.0]),
            parse_iso("2021-01-01")
        );
    }
}
