//! Decimal128 strings: checks that a `$numberDecimal` value is a Decimal128 and writes it in
//! the canonical form the BSON specification (and Python's `Decimal128`) uses, e.g. `1.10`,
//! `1.0E+3`, `-0`, `NaN`, `Infinity`.

const MAX_DIGITS: usize = 34;
const MAX_EXPONENT: i64 = 6111;
const MIN_EXPONENT: i64 = -6176;

/// Returns the canonical string of a Decimal128 literal, or `None` if the text is not one or
/// cannot be held exactly in 128 bits.
pub(crate) fn canonical_decimal(text: &str) -> Option<String> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let sign = if negative { "-" } else { "" };
    if body.eq_ignore_ascii_case("infinity") || body.eq_ignore_ascii_case("inf") {
        return Some(format!("{sign}Infinity"));
    }
    if body.eq_ignore_ascii_case("nan") {
        return Some("NaN".to_owned());
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], parse_exponent(&body[at + 1..])?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut digits: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).collect();
    let mut exponent = exponent.checked_sub(frac_part.len() as i64)?;
    let leading = digits.iter().take_while(|&&d| d == b'0').count();
    digits.drain(..leading.min(digits.len().saturating_sub(1)));
    let zero = digits == [b'0'];
    if zero {
        exponent = exponent.clamp(MIN_EXPONENT, MAX_EXPONENT);
    }
    // Trailing zeros may be folded into the exponent, and the exponent into trailing zeros,
    // without changing the value (what "clamping" does in the Decimal128 encoder).
    while (digits.len() > MAX_DIGITS || exponent < MIN_EXPONENT) && digits.last() == Some(&b'0') {
        digits.pop();
        exponent += 1;
    }
    while exponent > MAX_EXPONENT && digits.len() < MAX_DIGITS && !zero {
        digits.push(b'0');
        exponent -= 1;
    }
    if digits.len() > MAX_DIGITS || !(MIN_EXPONENT..=MAX_EXPONENT).contains(&exponent) {
        return None;
    }
    Some(format!("{sign}{}", to_scientific(&digits, exponent)))
}

fn parse_exponent(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The IEEE 754 "to-scientific-string" of a coefficient's digits and an exponent.
fn to_scientific(digits: &[u8], exponent: i64) -> String {
    let digits = std::str::from_utf8(digits).unwrap_or("0");
    let len = digits.len() as i64;
    let adjusted = exponent + len - 1;
    if exponent <= 0 && adjusted >= -6 {
        if exponent == 0 {
            return digits.to_owned();
        }
        let point = len + exponent;
        return if point > 0 {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        } else {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        };
    }
    let (first, rest) = digits.split_at(1);
    let point = if rest.is_empty() { "" } else { "." };
    format!("{first}{point}{rest}E{adjusted:+}")
}

#[cfg(test)]
mod tests {
    use super::canonical_decimal;

    #[test]
    fn canonical_forms_match_the_bson_specification() {
        for (input, want) in [
            ("1.10", "1.10"),
            ("-1.10", "-1.10"),
            ("0", "0"),
            ("-0", "-0"),
            ("0.000", "0.000"),
            ("1000", "1000"),
            ("1E+3", "1E+3"),
            ("1.0e3", "1.0E+3"),
            ("0.0000001", "1E-7"),
            ("0.000001", "0.000001"),
            ("00012.5", "12.5"),
            (".5", "0.5"),
            ("5.", "5"),
            ("1E6144", "1.000000000000000000000000000000000E+6144"),
            ("inf", "Infinity"),
            ("-Infinity", "-Infinity"),
            ("NaN", "NaN"),
            (
                "1234567890123456789012345678901234",
                "1234567890123456789012345678901234",
            ),
        ] {
            assert_eq!(canonical_decimal(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn rejects_text_that_is_not_a_decimal128() {
        for bad in [
            "",
            ".",
            "abc",
            "1.2.3",
            "1e",
            "1e+",
            "--1",
            "1 ",
            "0x10",
            "1E6145",
            "12345678901234567890123456789012345",
        ] {
            assert_eq!(canonical_decimal(bad), None, "{bad}");
        }
    }
}
