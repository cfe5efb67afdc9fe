//! The record strings of a reply, as the service sent them, read in one fast pass.

mod reply;
mod string;

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, SeqAccess, Visitor};

use crate::Result;
use crate::errcode::Endpoint;
use crate::transport;

/// The records of one reply as Extended JSON strings, unescaped once into a single buffer.
///
/// This is what [`crate::Client::aggregate_texts`] and [`crate::Client::query_texts`] return for
/// callers that decode the records themselves (the Python and Node bindings do): a reply's
/// thousand records cost one allocation instead of a thousand.
///
/// ```
/// let texts: wxcloud::RecordTexts = [r#"{"a":1}"#, r#"{"b":2}"#].into_iter().collect();
/// assert_eq!(texts.len(), 2);
/// assert_eq!(texts.get(1), Some(r#"{"b":2}"#));
/// assert_eq!(texts.iter().collect::<Vec<_>>(), [r#"{"a":1}"#, r#"{"b":2}"#]);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RecordTexts {
    text: String,
    /// Where each record ends in `text`; each starts where the one before ends.
    ends: Vec<usize>,
}

impl RecordTexts {
    /// How many records there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Record `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.text[start..end])
    }

    /// The records in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            texts: self,
            next: 0,
        }
    }

    /// Each record as a `String` of its own.
    pub fn into_strings(self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// Adds a record at the end.
    pub fn push(&mut self, record: &str) {
        self.text.push_str(record);
        self.ends.push(self.text.len());
    }
}

impl fmt::Debug for RecordTexts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<S: AsRef<str>> FromIterator<S> for RecordTexts {
    fn from_iter<I: IntoIterator<Item = S>>(records: I) -> Self {
        let mut texts = RecordTexts::default();
        for record in records {
            texts.push(record.as_ref());
        }
        texts
    }
}

impl<'a> IntoIterator for &'a RecordTexts {
    type Item = &'a str;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The records of a [`RecordTexts`], in order.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    texts: &'a RecordTexts,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let record = self.texts.get(self.next)?;
        self.next += 1;
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.texts.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// An array of strings, appended to one buffer as serde_json hands them over.
impl<'de> Deserialize<'de> for RecordTexts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Strings;
        impl<'de> Visitor<'de> for Strings {
            type Value = RecordTexts;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of record strings")
            }

            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<RecordTexts, A::Error> {
                let mut texts = RecordTexts::default();
                while seq.next_element_seed(Append(&mut texts))?.is_some() {}
                Ok(texts)
            }
        }
        deserializer.deserialize_seq(Strings)
    }
}

/// One string of the array, appended.
struct Append<'a>(&'a mut RecordTexts);

impl<'de> de::DeserializeSeed<'de> for Append<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Append<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record string")
    }

    fn visit_str<E: de::Error>(self, record: &str) -> std::result::Result<(), E> {
        self.0.push(record);
        Ok(())
    }
}

/// A reply's records beside its other fields `R`, for serde to read in one piece.
#[derive(Deserialize)]
struct WithRecords<R> {
    #[serde(default)]
    data: RecordTexts,
    #[serde(flatten)]
    rest: R,
}

/// Parses a reply with records (`data`) and other fields `R`, as [`transport::parse_reply`] does
/// (the same errors for the same replies), but reading the records in one fast pass when the
/// reply has the usual shape.
pub(crate) fn parse_reply<R: DeserializeOwned>(
    bytes: &[u8],
    path: &'static str,
    endpoint: Endpoint,
) -> Result<(RecordTexts, R)> {
    if let Some(split) = reply::split(bytes)
        && let Some(rest) = transport::success::<R>(&split.rest)
    {
        return Ok((split.records, rest));
    }
    let whole: WithRecords<R> = transport::parse_reply(bytes, path, endpoint)?;
    Ok((whole.data, whole.rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use proptest::prelude::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Pager {
        #[serde(default)]
        total: u64,
    }

    fn parse(reply: &str) -> Result<(RecordTexts, Pager)> {
        parse_reply(reply.as_bytes(), "/tcb/databasequery", Endpoint::Database)
    }

    #[test]
    fn both_paths_read_the_same_records_and_fields() {
        let fast = r#"{"errcode":0,"errmsg":"ok","data":["{\"a\":\"\\u00e9\"}","{}"],"total":7}"#;
        // The same reply in another order, with a key the fast pass leaves to serde (escaped).
        let slow = r#"{"tot\u0061l":7,"data":["{\"a\":\"\\u00e9\"}","{}"],"errcode":0}"#;
        assert!(reply::split(fast.as_bytes()).is_some());
        assert!(reply::split(slow.as_bytes()).is_none());
        for reply in [fast, slow] {
            let (records, pager) = parse(reply).unwrap();
            assert_eq!(
                records.iter().collect::<Vec<_>>(),
                [r#"{"a":"\u00e9"}"#, "{}"]
            );
            assert_eq!(pager, Pager { total: 7 });
        }
    }

    #[test]
    fn errors_are_those_of_the_whole_reply() {
        let busy = parse(r#"{"errcode":-1,"errmsg":"system busy","data":[]}"#).unwrap_err();
        assert_eq!(busy.errcode(), Some(-1));
        let truncated = parse(r#"{"errcode":0,"data":["{}""#).unwrap_err();
        assert_eq!(truncated.kind(), ErrorKind::Transport);
        let not_strings = parse(r#"{"errcode":0,"data":[1]}"#).unwrap_err();
        assert_eq!(not_strings.kind(), ErrorKind::Decode);
        let (none, _) = parse(r#"{"errcode":0}"#).unwrap();
        assert!(none.is_empty());
    }

    /// What serde_json alone makes of a reply, as the fast pass must.
    fn serde_only(reply: &[u8]) -> Result<(RecordTexts, Pager)> {
        let whole: WithRecords<Pager> =
            transport::parse_reply(reply, "/tcb/databasequery", Endpoint::Database)?;
        Ok((whole.data, whole.rest))
    }

    /// A reply the service could send: records, errcode, errmsg and a pager in any order, with
    /// any spacing.
    fn replies() -> impl Strategy<Value = Vec<u8>> {
        let records = proptest::collection::vec("(\\PC|[\"\\\\/\\x00-\\x1f]){0,150}", 0..6);
        (records, any::<u64>(), "\\PC{0,8}", any::<u64>(), " {0,2}").prop_map(
            |(records, total, errmsg, order, space)| {
                let mut entries = [
                    format!(
                        "\"data\":{space}{}",
                        serde_json::to_string(&records).unwrap()
                    ),
                    format!("\"errcode\":{space}0"),
                    format!("\"errmsg\":{}", serde_json::to_string(&errmsg).unwrap()),
                    format!("\"total\":{total}"),
                ];
                let rotate = (order % 4) as usize;
                entries.rotate_left(rotate);
                if order & 4 != 0 {
                    entries.swap(0, 1);
                }
                format!("{space}{{{}}}{space}", entries.join(&format!(",{space}"))).into_bytes()
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A well-formed reply reads the same by both paths, and by the fast one.
        #[test]
        fn the_fast_pass_reads_what_serde_reads(reply in replies()) {
            prop_assert!(reply::split(&reply).is_some());
            let want = serde_only(&reply).unwrap();
            prop_assert_eq!(parse_reply::<Pager>(&reply, "/tcb/databasequery", Endpoint::Database).unwrap(), want);
        }

        /// Any reply, damaged anywhere, gives the result serde_json alone gives: the same
        /// records or the same error.
        #[test]
        fn a_damaged_reply_ends_as_serde_says(reply in replies(), at in any::<prop::sample::Index>(), byte in prop_oneof![Just(b'"'), Just(b'\\'), Just(b','), Just(b']'), Just(b'}'), Just(b'\n'), Just(0xffu8), any::<u8>()]) {
            let mut reply = reply;
            let at = at.index(reply.len());
            reply[at] = byte;
            let ours = parse_reply::<Pager>(&reply, "/tcb/databasequery", Endpoint::Database);
            match (ours, serde_only(&reply)) {
                (Ok(ours), Ok(theirs)) => prop_assert_eq!(ours, theirs),
                (Err(ours), Err(theirs)) => prop_assert_eq!(ours.to_string(), theirs.to_string()),
                (ours, theirs) => prop_assert!(false, "ours {:?}, serde {:?}", ours, theirs),
            }
        }
    }
}
