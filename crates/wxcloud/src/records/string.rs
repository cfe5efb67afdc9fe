//! Reads the contents of a JSON string 64 bytes at a time, unescaping as it goes.
//!
//! A reply's records are JSON texts inside JSON strings: a thousand records make half a
//! megabyte with an escaped quote every seven bytes, and a reader that takes one escape at a
//! time spends its time on branches it cannot predict. This one finds the backslashes, quotes
//! and control characters of 64 bytes at once with SIMD compares (SSE2 on x86-64, NEON on
//! aarch64, plain code elsewhere, through `wide`), works out from those masks which backslashes
//! escape something, and copies the runs between them. Escapes other than `\"`, `\\` and `\/`
//! are rare in this text and are read one by one (by `ejson::text`, as the record reader reads
//! them).
//!
//! Whatever is not valid JSON makes it give up (`None`) without saying why: its caller then reads
//! the whole reply with serde_json, whose errors say what is wrong.

use crate::ejson::text::{self, Marks16};

/// Bytes examined at once.
const BLOCK: usize = 64;
/// Bits at even positions.
const EVEN: u64 = 0x5555_5555_5555_5555;
/// Cuts every 16 bytes, so that no run copied in one move is longer than a move.
const CUTS: u64 = 1 << 16 | 1 << 32 | 1 << 48;

/// Reads the string whose contents start at `src[start]` (just after its opening quote),
/// appending them unescaped to `out`; returns where the string ends (just after its closing
/// quote), or `None` if it is not a valid JSON string.
pub(crate) fn read(src: &[u8], start: usize, out: &mut Vec<u8>) -> Option<usize> {
    let mut pos = start;
    loop {
        let Some(block) = src.get(pos..pos + BLOCK) else {
            return read_short(src, pos, out);
        };
        let block: &[u8; BLOCK] = block.try_into().ok()?;
        let marks = Marks::of(block);
        let escaped = escaped(marks.backslash);
        let escapers = marks.backslash & !escaped;
        let unusual = escaped & !(marks.quote | marks.backslash | marks.slash);
        // Where this block's fast copy stops: the closing quote, a control character, or the
        // backslash of an unusual escape.
        let stops = marks.quote & !escaped | marks.control | unusual >> 1;
        let mut limit = stops.trailing_zeros() as usize;
        if limit == BLOCK && escapers >> (BLOCK - 1) != 0 {
            limit = BLOCK - 1; // the escape straddles blocks: the next block starts with it
        }
        append_without(out, block, limit, escapers & below(limit));
        pos += limit;
        if limit >= BLOCK - 1 {
            continue;
        }
        match block[limit] {
            b'"' => return Some(pos + 1),
            b'\\' => pos = escape(src, pos, out)?,
            _ => return None, // a control character
        }
    }
}

/// [`read`] for the last bytes of `src`, fewer than a block: one byte at a time.
fn read_short(src: &[u8], mut pos: usize, out: &mut Vec<u8>) -> Option<usize> {
    loop {
        match *src.get(pos)? {
            b'"' => return Some(pos + 1),
            b'\\' => pos = escape(src, pos, out)?,
            byte if byte < 0x20 => return None,
            byte => {
                out.push(byte);
                pos += 1;
            }
        }
    }
}

/// The bytes of a block that matter, one bit per byte (bit `i` for `block[i]`).
struct Marks {
    backslash: u64,
    quote: u64,
    slash: u64,
    /// Bytes below 0x20, which JSON forbids in strings.
    control: u64,
}

impl Marks {
    fn of(block: &[u8; BLOCK]) -> Marks {
        let mut marks = Marks {
            backslash: 0,
            quote: 0,
            slash: 0,
            control: 0,
        };
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let lane = Marks16::of(lane.try_into().unwrap_or(&[0; 16]));
            let at = |bits: u32| u64::from(bits) << (16 * i);
            marks.backslash |= at(lane.backslash);
            marks.quote |= at(lane.quote);
            marks.slash |= at(lane.slash);
            marks.control |= at(lane.control);
        }
        marks
    }
}

/// The characters that follow an escaping backslash, given where a block's backslashes are (the
/// block starting outside any escape): in a run of backslashes, every second one is escaped, and
/// the character after a run of odd length is. Branch-free, after simdjson's `find_escaped`.
fn escaped(backslash: u64) -> u64 {
    let follows = backslash << 1;
    let odd_starts = backslash & !EVEN & !follows;
    let even_runs = odd_starts.wrapping_add(backslash);
    (EVEN ^ even_runs << 1) & follows
}

/// The bits below bit `n` (all 64 for `n` = 64).
fn below(n: usize) -> u64 {
    if n >= BLOCK { u64::MAX } else { (1 << n) - 1 }
}

/// Appends `block[..limit]` to `out` without the bytes marked in `drop` (escaping backslashes).
fn append_without(out: &mut Vec<u8>, block: &[u8; BLOCK], limit: usize, drop: u64) {
    if drop == 0 {
        out.extend_from_slice(&block[..limit]);
        return;
    }
    // Each run between dropped bytes is one 16-byte move (writing past the run, into room that
    // is cut off afterwards); the cuts keep runs to 16 bytes.
    let mut padded = [0u8; BLOCK + 16];
    padded[..BLOCK].copy_from_slice(block);
    let base = out.len();
    out.resize(base + BLOCK + 16, 0);
    let dst = &mut out[base..];
    let (mut written, mut from) = (0, 0);
    let mut ends = (drop | CUTS) & below(limit);
    loop {
        let end = if ends == 0 {
            limit
        } else {
            ends.trailing_zeros() as usize
        };
        dst[written..written + 16].copy_from_slice(&padded[from..from + 16]);
        written += end - from;
        if ends == 0 {
            break;
        }
        from = end + (drop >> end & 1) as usize;
        ends &= ends - 1;
    }
    out.truncate(base + written);
}

/// Reads the escape at `src[pos]` (a backslash) into `out`; returns where it ends.
fn escape(src: &[u8], pos: usize, out: &mut Vec<u8>) -> Option<usize> {
    let (c, end) = text::unescape(src, pos + 1).ok()?;
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `read` makes of `text` (a whole JSON string literal), as a Rust string.
    fn read_literal(text: &str) -> Option<String> {
        let bytes = text.as_bytes();
        if bytes.first() != Some(&b'"') {
            return None;
        }
        let mut out = Vec::new();
        let end = read(bytes, 1, &mut out)?;
        (end == bytes.len())
            .then(|| String::from_utf8(out).ok())
            .flatten()
    }

    #[test]
    fn escaped_marks_the_character_after_each_escaping_backslash() {
        // `a\"b\\c\\\"d`: backslashes at 1, 4, 5, 7, 8, 9.
        let text = br#"a\"b\\c\\\"d"#;
        let backslash = text
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\\')
            .fold(0u64, |m, (i, _)| m | 1 << i);
        let got = escaped(backslash);
        let want = [2, 5, 8, 10].iter().fold(0u64, |m, i| m | 1 << i);
        assert_eq!(got, want, "{got:b} vs {want:b}");
    }

    #[test]
    fn reads_what_serde_json_writes() {
        for s in [
            String::new(),
            "plain".to_string(),
            r#"{"a":"b\"c","d":[1,2]}"#.repeat(20),
            "\\".repeat(200),
            "\"".repeat(200),
            "é中\u{1F600}\n\t\u{0}\u{1f}\u{7f}/".repeat(30),
            format!("{}\"", "x".repeat(62)), // an escape across the first two blocks
            format!("{}\\", "x".repeat(63)),
        ] {
            let literal = serde_json::to_string(&s).unwrap();
            assert_eq!(
                read_literal(&literal).as_deref(),
                Some(s.as_str()),
                "{literal}"
            );
        }
    }

    #[test]
    fn reads_every_escape_json_has() {
        let text = r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d\ud83d\ude00""#;
        let want: String = serde_json::from_str(text).unwrap();
        assert_eq!(read_literal(text), Some(want));
    }

    #[test]
    fn refuses_what_is_not_a_json_string() {
        for text in [
            r#""unterminated"#,
            r#""bad \x escape""#,
            r#""lone \ud800 surrogate""#,
            r#""lone \udc00 surrogate""#,
            r#""short \u12""#,
            r#""signed \u+123""#,
            "\"raw \n newline\"",
            "\"trailing backslash \\",
        ] {
            let padded = format!("{text}{}", " ".repeat(70)); // through the block path as well
            for t in [text, padded.as_str()] {
                let mut out = Vec::new();
                let got = read(t.as_bytes(), 1, &mut out);
                let serde = serde_json::from_str::<String>(t.trim_end());
                assert!(
                    got.is_none() && serde.is_err(),
                    "{t:?}: {got:?}, serde {serde:?}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any string, written by serde_json, reads back as itself at any offset into a block.
        #[test]
        fn round_trips_through_serde_json(s in "(\\PC|[\"\\\\/\\x00-\\x1f]){0,300}", lead in 0usize..64) {
            let literal = serde_json::to_string(&s).unwrap();
            let text = format!("{}{literal}", " ".repeat(lead));
            let mut out = Vec::new();
            let end = read(text.as_bytes(), lead + 1, &mut out);
            prop_assert_eq!(end, Some(text.len()));
            prop_assert_eq!(String::from_utf8(out).unwrap(), s);
        }

        /// On arbitrary bytes it never panics, and wherever it accepts a string, serde_json
        /// accepts the same string and reads the same text.
        #[test]
        fn agrees_with_serde_json_on_any_bytes(body in proptest::collection::vec(
            prop_oneof![Just(b'"'), Just(b'\\'), Just(b'u'), Just(b'n'), Just(b'a'), Just(b'0'), Just(b'D'), Just(b'8'), Just(0x0au8), Just(0xc3u8), Just(0xa9u8), any::<u8>()],
            0..200,
        )) {
            let mut text = vec![b'"'];
            text.extend_from_slice(&body);
            let mut out = Vec::new();
            if let Some(end) = read(&text, 1, &mut out) {
                let serde = serde_json::from_slice::<String>(&text[..end]);
                match (String::from_utf8(out), serde) {
                    (Ok(ours), Ok(theirs)) => prop_assert_eq!(ours, theirs),
                    (Err(_), Err(_)) => {} // invalid UTF-8: refused later, by the caller
                    (ours, theirs) => prop_assert!(false, "ours {:?}, serde {:?}", ours, theirs),
                }
            }
        }
    }
}
