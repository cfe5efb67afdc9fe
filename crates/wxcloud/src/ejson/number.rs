//! JSON numbers read from text, typed as serde_json types plain numbers: an integer is an Int32
//! if it fits, else an Int64 if it fits, else a double; anything with a fraction or an
//! exponent is a double (and so is `-0`).
//!
//! Digits are accumulated as they are scanned. A double whose significant digits fit in 53
//! bits and whose decimal exponent is at most 22 either way is computed exactly with one
//! multiplication or division of two exact doubles (Clinger's fast path: one rounding, so
//! correctly rounded); every other one goes to the standard library's parser, which is also
//! correctly rounded. So both paths give the double nearest to the text.

use super::sink::Scalar;

/// Powers of ten a double holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Why a number (or, in `text`, an escape) could not be read, and where reading stopped.
pub(crate) type Refusal = (usize, &'static str);

/// Reads the JSON number that starts at `text[start]`: its value and the offset just past it.
/// Fails (with the offset and why) on bad syntax, or a double beyond the finite range.
pub(crate) fn read(text: &str, start: usize) -> Result<(Scalar<'static>, usize), Refusal> {
    let bytes = text.as_bytes();
    let digit = |at: usize| {
        bytes
            .get(at)
            .filter(|b| b.is_ascii_digit())
            .map(|b| b - b'0')
    };
    let mut pos = start;
    let negative = bytes.get(pos) == Some(&b'-');
    pos += usize::from(negative);
    let mut mantissa: u64 = 0;
    // Significant digits: those after any leading zeros.
    let mut digits = 0usize;
    match digit(pos) {
        Some(0) => {
            pos += 1;
            if digit(pos).is_some() {
                return Err((pos, "invalid number"));
            }
        }
        Some(_) => {
            while let Some(d) = digit(pos) {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
                digits += 1;
                pos += 1;
            }
        }
        None => return Err((pos, "invalid number")),
    }
    let int_digits = digits.max(1);
    let mut fraction_digits = 0usize;
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        while let Some(d) = digit(pos) {
            digits += usize::from(digits > 0 || d != 0);
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            fraction_digits += 1;
            pos += 1;
        }
        if fraction_digits == 0 {
            return Err((pos, "invalid number"));
        }
    }
    let mut exponent: i64 = 0;
    let has_exponent = matches!(bytes.get(pos), Some(b'e' | b'E'));
    if has_exponent {
        pos += 1;
        let exponent_negative = bytes.get(pos) == Some(&b'-');
        pos += usize::from(matches!(bytes.get(pos), Some(b'-' | b'+')));
        let exponent_start = pos;
        while let Some(d) = digit(pos) {
            exponent = (exponent * 10 + i64::from(d)).min(1 << 40);
            pos += 1;
        }
        if pos == exponent_start {
            return Err((pos, "invalid number"));
        }
        if exponent_negative {
            exponent = -exponent;
        }
    }
    if fraction_digits == 0 && !has_exponent {
        return Ok((
            integer(text, start, pos, negative, mantissa, int_digits),
            pos,
        ));
    }
    let scale = exponent - fraction_digits as i64;
    if digits <= 19 && mantissa <= 1 << 53 && (-22..=22).contains(&scale) {
        let m = mantissa as f64;
        let magnitude = if scale < 0 {
            m / POW10[scale.unsigned_abs() as usize]
        } else {
            m * POW10[scale as usize]
        };
        return Ok((
            Scalar::Double(if negative { -magnitude } else { magnitude }),
            pos,
        ));
    }
    match text[start..pos].parse::<f64>() {
        Ok(d) if d.is_finite() => Ok((Scalar::Double(d), pos)),
        _ => Err((pos, "number out of range")),
    }
}

/// A plain integer of `digits` digits (`mantissa` holds it when there are at most 19).
fn integer(
    text: &str,
    start: usize,
    end: usize,
    negative: bool,
    mantissa: u64,
    digits: usize,
) -> Scalar<'static> {
    if digits > 19 {
        // Beyond 64 bits: only a double can hold it, rounded from the text.
        return Scalar::Double(text[start..end].parse().unwrap_or(f64::NAN));
    }
    let small = |n: i64| i32::try_from(n).map_or(Scalar::Int64(n), Scalar::Int32);
    match (negative, mantissa) {
        (true, 0) => Scalar::Double(-0.0),
        (true, m) if m <= 1 << 63 => small((m as i64).wrapping_neg()),
        (true, m) => Scalar::Double(-(m as f64)),
        (false, m) => i64::try_from(m).map_or(Scalar::Double(m as f64), small),
    }
}

/// A double written as text (a `$numberDouble`'s contents): exactly what the standard
/// library's parser gives, by the fast path when the text is a plain JSON number.
pub(crate) fn parse_double(text: &str) -> Option<f64> {
    match read(text, 0) {
        Ok((Scalar::Double(d), end)) if end == text.len() => Some(d),
        Ok((Scalar::Int32(n), end)) if end == text.len() => Some(f64::from(n)),
        _ => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Scalar<'static> {
        let (scalar, end) = read(text, 0).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(end, text.len(), "{text}");
        scalar
    }

    #[test]
    fn integers_are_typed_by_their_range() {
        assert_eq!(number("0"), Scalar::Int32(0));
        assert_eq!(number("-2147483648"), Scalar::Int32(i32::MIN));
        assert_eq!(number("2147483648"), Scalar::Int64(2_147_483_648));
        assert_eq!(number("-9223372036854775808"), Scalar::Int64(i64::MIN));
        assert_eq!(
            number("9223372036854775808"),
            Scalar::Double(9.223_372_036_854_776e18)
        );
        assert_eq!(
            number("123456789012345678901234"),
            Scalar::Double(1.234_567_890_123_456_8e23)
        );
        assert!(matches!(number("-0"), Scalar::Double(z) if z == 0.0 && z.is_sign_negative()));
    }

    #[test]
    fn doubles_are_the_nearest_to_their_text_on_both_paths() {
        for text in [
            "113.0",
            "23.0",
            "-0.0",
            "0.1",
            "1.25e2",
            "5e-324",
            "1.7976931348623157e308",
            "0.30000000000000004",
            "9007199254740993.0",
            "123456789012345678.9",
            "1e22",
            "1e23",
            "2.2250738585072014e-308",
            "0.000001",
            "-12.5E-3",
        ] {
            assert_eq!(
                number(text),
                Scalar::Double(text.parse().unwrap()),
                "{text}"
            );
            assert_eq!(parse_double(text), text.parse().ok(), "{text}");
        }
    }

    #[test]
    fn bad_syntax_and_infinite_doubles_are_refused_where_they_stop() {
        assert_eq!(read("01", 0), Err((1, "invalid number")));
        assert_eq!(read("-", 0), Err((1, "invalid number")));
        assert_eq!(read("1.", 0), Err((2, "invalid number")));
        assert_eq!(read("1e+", 0), Err((3, "invalid number")));
        assert_eq!(read("1e400", 0), Err((5, "number out of range")));
        assert_eq!(read("[1,2]", 1), Ok((Scalar::Int32(1), 2)));
    }

    #[test]
    fn a_number_double_falls_back_to_the_standard_parser_for_other_forms() {
        assert_eq!(parse_double("1e400"), Some(f64::INFINITY));
        assert_eq!(parse_double("+1.5"), Some(1.5));
        assert_eq!(parse_double("1.5x"), None);
        assert_eq!(parse_double("7"), Some(7.0));
    }
}
