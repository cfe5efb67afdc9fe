//! Splits a reply with records into its records and everything else, in one fast pass.
//!
//! A reply of a thousand records is half a megabyte of escaped strings around a few small
//! fields. This pass unescapes the `data` strings with the block reader ([`super::string`]) into
//! one buffer, and copies every other entry (`errcode`, `errmsg`, `pager` …) verbatim into a small
//! JSON object of its own for serde to read. It takes only the shape the service sends: on
//! anything else (`data` twice or not an array of strings, a key with an escape, invalid JSON in
//! a record string, text after the object) it gives up, and the reply is read by serde_json as a
//! whole, which says what is wrong.

use super::{RecordTexts, string};

/// A reply's records, and its other entries as a JSON object.
pub(crate) struct Split {
    pub(crate) records: RecordTexts,
    pub(crate) rest: Vec<u8>,
}

/// Splits `reply`, or `None` if it is not a JSON object with one `data` array of strings.
pub(crate) fn split(reply: &[u8]) -> Option<Split> {
    let mut scan = Scan { src: reply, pos: 0 };
    let mut records = None;
    let mut rest = vec![b'{'];
    scan.expect(b'{')?;
    loop {
        let key_start = scan.skip_ws();
        let key = scan.key()?;
        let key_end = scan.pos;
        scan.expect(b':')?;
        if key == b"data" {
            if records.is_some() {
                return None;
            }
            records = Some(scan.strings()?);
        } else {
            let value_start = scan.skip_ws();
            scan.skip_value()?;
            if rest.len() > 1 {
                rest.push(b',');
            }
            rest.extend_from_slice(&reply[key_start..key_end]);
            rest.push(b':');
            rest.extend_from_slice(&reply[value_start..scan.pos]);
        }
        match scan.next()? {
            b',' => continue,
            b'}' => break,
            _ => return None,
        }
    }
    scan.skip_ws();
    if scan.pos != reply.len() {
        return None;
    }
    rest.push(b'}');
    Some(Split {
        records: records?,
        rest,
    })
}

/// A position in a reply.
struct Scan<'a> {
    src: &'a [u8],
    pos: usize,
}

impl<'a> Scan<'a> {
    /// Skips whitespace; returns the position after it.
    fn skip_ws(&mut self) -> usize {
        while matches!(self.src.get(self.pos), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
        self.pos
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.src.get(self.pos).copied()
    }

    /// The next byte after whitespace, consumed.
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// An object key without escapes (the service's keys have none), quotes consumed.
    fn key(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.pos;
        let src: &'a [u8] = self.src;
        let len = src
            .get(start..)?
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        self.pos = start + len;
        self.expect(b'"')?;
        Some(&src[start..start + len])
    }

    /// An array of strings, unescaped into one buffer (sized for the whole reply, which the
    /// unescaped text cannot outgrow).
    fn strings(&mut self) -> Option<RecordTexts> {
        self.expect(b'[')?;
        let mut text = Vec::with_capacity(self.src.len());
        let mut ends = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.expect(b'"')?;
                self.pos = string::read(self.src, self.pos, &mut text)?;
                ends.push(text.len());
                match self.next()? {
                    b',' => continue,
                    b']' => break,
                    _ => return None,
                }
            }
        }
        let text = String::from_utf8(text).ok()?;
        Some(RecordTexts { text, ends })
    }

    /// Moves past one value without judging it (serde reads it later): strings by the block
    /// reader, arrays and objects by their brackets, anything else up to the next delimiter.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        let mut scratch = Vec::new();
        loop {
            match self.next()? {
                b'"' => {
                    scratch.clear();
                    self.pos = string::read(self.src, self.pos, &mut scratch)?;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.checked_sub(1)?,
                b',' | b':' if depth > 0 => {}
                b',' | b':' => return None,
                _ => {
                    let rest = self.src.get(self.pos..)?;
                    let len = rest
                        .iter()
                        .position(|b| {
                            matches!(
                                b,
                                b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | b':' | b'"'
                            )
                        })
                        .unwrap_or(rest.len());
                    self.pos += len;
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(split: &Split) -> Vec<&str> {
        split.records.iter().collect()
    }

    #[test]
    fn splits_the_records_from_the_rest() {
        let reply = br#" { "errcode" : 0, "errmsg":"ok", "data": [ "{\"a\":1}" , "{\"b\":\"x\\\"y\"}" ], "pager": {"Offset": 0, "Limit": [1, {"x": "]}"}], "Total": 2} } "#;
        let split = split(reply).unwrap();
        assert_eq!(texts(&split), [r#"{"a":1}"#, r#"{"b":"x\"y"}"#]);
        assert_eq!(
            std::str::from_utf8(&split.rest).unwrap(),
            r#"{"errcode":0,"errmsg":"ok","pager":{"Offset": 0, "Limit": [1, {"x": "]}"}], "Total": 2}}"#
        );
        let empty = super::split(br#"{"data":[],"errcode":0}"#).unwrap();
        assert!(empty.records.is_empty());
        assert_eq!(empty.rest, br#"{"errcode":0}"#);
    }

    #[test]
    fn leaves_every_other_shape_to_serde() {
        for reply in [
            &b""[..],
            b"{}",
            br#"{"errcode":0}"#,
            br#"{"data":["a"],"data":["b"]}"#,
            br#"{"data":"a"}"#,
            br#"{"data":[1]}"#,
            br#"{"data":null}"#,
            br#"{"data":["a"]} trailing"#,
            br#"{"data":["a"],}"#,
            br#"{"data":["a",]}"#,
            br#"{"da\u0074a":["a"]}"#,
            br#"{"data":["bad \x escape"]}"#,
            b"{\"data\":[\"\xff\"]}",
            br#"{"errcode":0 "data":["a"]}"#,
            br#"{"errcode":,"data":["a"]}"#,
            br#"{"errcode":{"a":1]],"data":["a"]}"#,
            br#"{"data":["a"]"#,
            b"<html>",
        ] {
            assert!(split(reply).is_none(), "{}", String::from_utf8_lossy(reply));
        }
    }
}
