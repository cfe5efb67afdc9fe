//! JSON string contents, scanned sixteen bytes at a time (SIMD compares through `wide`, then
//! eight-byte words for the last bytes): the one place that knows which bytes a JSON string
//! cannot hold as they are (a quote, a backslash, a control character) and what its escapes
//! stand for — for the record reader, which finds where a string's plain run ends, for the
//! reply reader (`crate::records`), which unescapes the record strings of a reply, and for
//! [`write_json_string`], which escapes a string for JSON text.

use wide::u8x16;

use super::number::Refusal;

/// Bytes that end a run of plain string contents: a quote, a backslash or a control character.
#[inline]
fn special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask whose lowest set bit marks the first special byte of a little-endian word (bits
/// above it may be set spuriously, which is why only the lowest is used).
#[inline]
fn special_mask(word: u64) -> u64 {
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    zero_in(word ^ (ONES * u64::from(b'"')))
        | zero_in(word ^ (ONES * u64::from(b'\\')))
        | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS)
}

/// The bytes of sixteen that matter in a JSON string, a bit each (bit `i` for byte `i`).
#[derive(Clone, Copy)]
pub(crate) struct Marks16 {
    pub(crate) quote: u32,
    pub(crate) backslash: u32,
    pub(crate) slash: u32,
    /// Bytes below 0x20, which JSON forbids in strings.
    pub(crate) control: u32,
}

impl Marks16 {
    /// Finds them with one SIMD compare each.
    #[inline]
    pub(crate) fn of(bytes: &[u8; 16]) -> Marks16 {
        let v = u8x16::from(*bytes);
        let last_control = u8x16::splat(0x1f);
        let at = |byte: u8| v.simd_eq(u8x16::splat(byte)).to_bitmask();
        Marks16 {
            quote: at(b'"'),
            backslash: at(b'\\'),
            slash: at(b'/'),
            // max(b, 0x1f) == 0x1f exactly when b <= 0x1f (unsigned).
            control: v.max(last_control).simd_eq(last_control).to_bitmask(),
        }
    }
}

/// How many bytes at the start of `bytes` a JSON string holds as they are (up to the first
/// quote, backslash or control character).
#[inline]
pub(crate) fn plain_len(bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 16) {
        let marks = Marks16::of(chunk.try_into().unwrap_or(&[0; 16]));
        let mask = marks.quote | marks.backslash | marks.control;
        if mask != 0 {
            return at + mask.trailing_zeros() as usize;
        }
        at += 16;
    }
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let mask = special_mask(word);
        if mask != 0 {
            return at + (mask.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while at < bytes.len() && !special(bytes[at]) {
        at += 1;
    }
    at
}

/// Reads the escape whose backslash comes just before `bytes[at]`: the character it stands for
/// (a `\uXXXX` pair of surrogates is one) and where it ends; or where reading stopped and why
/// it is not an escape, in serde_json's words.
pub(crate) fn unescape(bytes: &[u8], at: usize) -> Result<(char, usize), Refusal> {
    let Some(&b) = bytes.get(at) else {
        return Err((at, "EOF while parsing a string"));
    };
    let c = match b {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return unicode_escape(bytes, at + 1),
        _ => return Err((at, "invalid escape")),
    };
    Ok((c, at + 1))
}

/// The rest of a `\u` escape, from its four digits at `bytes[at]`: one code unit, or a
/// surrogate pair.
fn unicode_escape(bytes: &[u8], at: usize) -> Result<(char, usize), Refusal> {
    let unit = hex4(bytes, at)?;
    let mut end = at + 4;
    let code = match unit {
        0xD800..=0xDBFF => {
            if !bytes[end..].starts_with(b"\\u") {
                return Err((end, "lone leading surrogate in hex escape"));
            }
            let low = hex4(bytes, end + 2)?;
            end += 6;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return Err((end, "lone leading surrogate in hex escape"));
            }
            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        }
        0xDC00..=0xDFFF => return Err((end, "lone trailing surrogate in hex escape")),
        _ => unit,
    };
    match char::from_u32(code) {
        Some(c) => Ok((c, end)),
        None => Err((end, "invalid unicode code point")),
    }
}

/// Four hex digits at `bytes[at]`.
fn hex4(bytes: &[u8], at: usize) -> Result<u32, Refusal> {
    let Some(digits) = bytes.get(at..at + 4) else {
        return Err((bytes.len(), "EOF while parsing a string"));
    };
    digits
        .iter()
        .try_fold(0, |unit, &d| match (d as char).to_digit(16) {
            Some(v) => Ok(unit * 16 + v),
            None => Err((at, "invalid escape")),
        })
}

/// Appends `s` to `out` as a JSON string literal, quotes included, escaping what JSON requires
/// the way serde_json does (`\"`, `\\`, `\n`-style short escapes, `\u00XX` for the other control
/// characters), so the output is byte for byte serde_json's. Runs between escapes are copied
/// whole.
///
/// ```
/// let mut out = Vec::new();
/// wxcloud::ejson::write_json_string(&mut out, "say \"hi\"\n");
/// assert_eq!(out, br#""say \"hi\"\n""#);
/// ```
pub fn write_json_string(out: &mut Vec<u8>, s: &str) {
    let mut rest = s.as_bytes();
    out.reserve(rest.len() + 2);
    out.push(b'"');
    loop {
        let run = plain_len(rest);
        out.extend_from_slice(&rest[..run]);
        let Some(&b) = rest.get(run) else {
            break;
        };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
        }
        rest = &rest[run + 1..];
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut all = String::new();
        for c in (0u32..0x80).chain([0xe9, 0x2028, 0x4e2d, 0x1f600]) {
            all.push(char::from_u32(c).unwrap());
        }
        for s in [
            "",
            "plain",
            "a\"b\\c",
            "\u{1}\u{1f}\u{7f}",
            &all,
            &all.repeat(3),
        ] {
            let mut out = Vec::new();
            write_json_string(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn plain_len_stops_at_the_first_special_byte_in_every_position() {
        // Through the 16-byte, 8-byte and byte-by-byte parts, with bytes on either side of each
        // boundary (0x1f/0x20, and the high bytes of UTF-8, which are never special).
        let filler: Vec<u8> = (0..40u8)
            .map(|i| [b'a', 0x20, 0x7f, 0x80, 0xff, b'#'][i as usize % 6])
            .collect();
        for len in 0..filler.len() {
            assert_eq!(plain_len(&filler[..len]), len);
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x0a, 0x1f] {
                    let mut bytes = filler[..len].to_vec();
                    bytes[at] = special;
                    assert_eq!(plain_len(&bytes), at, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn the_special_byte_mask_finds_the_first_quote_backslash_or_control_character() {
        for (text, first) in [
            (*b"abcdefgh", None),
            (*b"abc\"efgh", Some(3)),
            (*b"\\bcdefgh", Some(0)),
            (*b"abcdefg\n", Some(7)),
            (*b"a\x1f\"defgh", Some(1)),
            (*b"\x7f\x80\xffdefgh", None),
            (*b" !#[]~\x20\x21", None),
        ] {
            let mask = special_mask(u64::from_le_bytes(text));
            let found = (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize);
            assert_eq!(found, first, "{text:?}");
            assert_eq!(found, text.iter().position(|&b| special(b)), "{text:?}");
        }
    }
}
