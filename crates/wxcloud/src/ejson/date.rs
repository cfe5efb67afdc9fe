//! ISO-8601 dates as Extended JSON writes them: `2020-01-02T03:04:05.678Z`, to and from
//! milliseconds since the Unix epoch.
//!
//! Parsing accepts what pymongo's `bson.json_util` accepts: `YYYY-MM-DDTHH:MM:SS`, an optional
//! fraction of any length (truncated to milliseconds), and an optional offset `Z`, `+HH:MM`,
//! `+HHMM` or `+HH` (no offset means UTC).

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
///
/// `month` is 1 to 12. `day` may fall outside the month: the count goes on from the month's
/// first day (`day` 0 is the last day of the month before).
///
/// ```
/// use wxcloud::ejson::days_from_civil;
/// assert_eq!(days_from_civil(1970, 1, 1), 0);
/// assert_eq!(days_from_civil(2000, 3, 1), 11_017);
/// assert_eq!(days_from_civil(1969, 12, 31), -1);
/// ```
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month 1-12, day 1-31)` of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`); the inverse of [`days_from_civil`].
///
/// ```
/// use wxcloud::ejson::civil_from_days;
/// assert_eq!(civil_from_days(0), (1970, 1, 1));
/// assert_eq!(civil_from_days(-1), (1969, 12, 31));
/// ```
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads exactly `N` ASCII digits at `*pos`, advancing past them.
fn digits<const N: usize>(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let slice = bytes.get(*pos..*pos + N)?;
    let mut n = 0u32;
    for &b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    *pos += N;
    Some(n)
}

fn expect(bytes: &[u8], pos: &mut usize, want: u8) -> Option<()> {
    (bytes.get(*pos) == Some(&want)).then(|| *pos += 1)
}

/// Parses an ISO-8601 date-time into milliseconds since the epoch, or `None` if it is not one.
pub(crate) fn parse_iso8601(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let mut pos = 0;
    let year = digits::<4>(b, &mut pos)?;
    expect(b, &mut pos, b'-')?;
    let month = digits::<2>(b, &mut pos)?;
    expect(b, &mut pos, b'-')?;
    let day = digits::<2>(b, &mut pos)?;
    expect(b, &mut pos, b'T')?;
    let hour = digits::<2>(b, &mut pos)?;
    expect(b, &mut pos, b':')?;
    let minute = digits::<2>(b, &mut pos)?;
    expect(b, &mut pos, b':')?;
    let second = digits::<2>(b, &mut pos)?;
    let year = i64::from(year);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut millis = 0i64;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            if pos - start < 3 {
                millis = millis * 10 + i64::from(b[pos] - b'0');
            }
            pos += 1;
        }
        let len = pos - start;
        if len == 0 {
            return None;
        }
        for _ in len..3 {
            millis *= 10;
        }
    }
    let offset_minutes = parse_offset(&b[pos..])?;
    let days = days_from_civil(year, i64::from(month), i64::from(day));
    let seconds = i64::from(hour * 3600 + minute * 60 + second) - offset_minutes * 60;
    Some(days * MS_PER_DAY + seconds * 1000 + millis)
}

/// Parses the offset suffix (`Z`, `+HH:MM`, `+HHMM`, `+HH` or nothing) into minutes east of UTC.
fn parse_offset(b: &[u8]) -> Option<i64> {
    let sign = match b.first() {
        None => return Some(0),
        Some(b'Z') if b.len() == 1 => return Some(0),
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let mut pos = 1;
    let hours = digits::<2>(b, &mut pos)?;
    let minutes = match b.len() {
        3 => 0,
        5 => digits::<2>(b, &mut pos)?,
        6 => {
            expect(b, &mut pos, b':')?;
            digits::<2>(b, &mut pos)?
        }
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * i64::from(hours * 60 + minutes))
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS[.mmm]Z`, if the year is
/// between 1970 and 9999 (the range relaxed Extended JSON writes as a string).
pub(crate) fn format_iso8601(millis: i64) -> Option<String> {
    let days = millis.div_euclid(MS_PER_DAY);
    let in_day = millis.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    if !(1970..=9999).contains(&year) {
        return None;
    }
    let (secs, ms) = (in_day / 1000, in_day % 1000);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    Some(if ms == 0 {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets_to_the_same_instant() {
        let utc = parse_iso8601("2020-01-02T03:04:05.678Z").unwrap();
        assert_eq!(utc, 1_577_934_245_678);
        assert_eq!(parse_iso8601("2020-01-02T11:04:05.678+08:00"), Some(utc));
        assert_eq!(parse_iso8601("2020-01-02T11:04:05.678+0800"), Some(utc));
        assert_eq!(parse_iso8601("2020-01-02T11:04:05.678+08"), Some(utc));
        assert_eq!(parse_iso8601("2020-01-02T03:04:05.678"), Some(utc));
        assert_eq!(parse_iso8601("2020-01-02T03:04:05.6789Z"), Some(utc));
        assert_eq!(parse_iso8601("2020-01-02T03:04:05.6Z"), Some(utc - 78));
    }

    #[test]
    fn dates_before_the_epoch_are_negative() {
        assert_eq!(parse_iso8601("1969-12-31T23:59:59.999Z"), Some(-1));
        assert_eq!(format_iso8601(-1), None);
    }

    #[test]
    fn rejects_impossible_dates_and_garbage() {
        for bad in [
            "2019-02-29T00:00:00Z",
            "2020-13-01T00:00:00Z",
            "2020-01-01T24:00:00Z",
            "2020-01-01 00:00:00Z",
            "2020-01-01T00:00:00.Z",
            "2020-01-01T00:00:00z",
            "2020-01-01T00:00:00+8",
            "2020-01-01",
            "",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_and_parses_back() {
        for ms in [
            0,
            1,
            999,
            1_577_934_245_678,
            253_402_300_799_999,
            951_782_400_000,
        ] {
            let text = format_iso8601(ms).unwrap();
            assert_eq!(parse_iso8601(&text), Some(ms), "{text}");
        }
        assert_eq!(format_iso8601(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(format_iso8601(253_402_300_800_000), None);
    }
}
