//! Records straight from Extended JSON text to JavaScript objects, through V8's own JSON parser.
//!
//! Building objects one Node-API call per property costs far more than V8's `JSON.parse`, which
//! builds them natively. So the core's decoder reads each record once and reports it to
//! [`JsonText`], a sink that writes plain JSON text as it goes: wrappers are rewritten in place
//! (`{"$numberDouble": "113.0"}` → `113.0`, an ObjectId → its hex string) and the few values JSON
//! cannot carry (a `Date`, a `BigInt`, a `Buffer`, a `RegExp`, a non-finite double) are written
//! as `null` and listed, with their path, in a second small JSON text. One JavaScript function
//! (compiled once per thread, see [`PATCH_SOURCE`]) parses both texts and sets each listed value
//! at its path. Key order is kept (JSON.parse inserts keys in text order).
//!
//! A batch's text is cut into arrays of about [`CHUNK_BYTES`] each, parsed one by one and joined:
//! V8 puts a string over 128 KiB in its large-object space, on pages that are new (and faulted
//! in) for every batch, which cost more than the joining.

use std::cell::RefCell;
use std::io::Write;

use base64::Engine as _;

use napi::{Result, sys};
use wxcloud::ejson::{self, Scalar, Sink, SinkError};

use crate::errors::throwable;
use crate::raw::{Js, JsValue};
use crate::values::{MAX_DATE_MS, MAX_SAFE_INTEGER, hex};

/// Text buffers up to this size are kept for the next batch.
const MAX_KEPT_TEXT: usize = 16 << 20;

/// A batch's JSON text is cut into arrays of about this many bytes (below V8's large-object
/// size), after the top-level value that passes it.
const CHUNK_BYTES: usize = 64 << 10;

/// Parses the records' text and the patches' text, then sets each patched value. A patch is
/// `depth, step_1 .. step_depth, kind, value` in one flat array (steps are array indexes or
/// keys). Kinds: 0 `Date` from milliseconds, 1 `BigInt` from its decimal string, 2 a non-finite
/// number from its name, 3 a `Buffer` from base64, 4 a `RegExp` from `[pattern, flags,
/// options]` (a pattern JavaScript rejects stays its `{$regularExpression}` wrapper).
const PATCH_SOURCE: &str = r#"(function wxcloudDecode(texts, patchText) {
  const root = JSON.parse(texts[0])
  for (let t = 1; t < texts.length; t++) {
    const more = JSON.parse(texts[t])
    for (let i = 0; i < more.length; i++) root.push(more[i])
  }
  if (patchText === '[]') return root
  const p = JSON.parse(patchText)
  for (let n = 0; n < p.length;) {
    const depth = p[n++]
    let target = root
    for (let d = 1; d < depth; d++) target = target[p[n++]]
    const last = p[n++]
    const kind = p[n++]
    const v = p[n++]
    let value
    switch (kind) {
      case 0: value = new Date(v); break
      case 1: value = BigInt(v); break
      case 2: value = Number(v); break
      case 3: value = Buffer.from(v, 'base64'); break
      default:
        try { value = new RegExp(v[0], v[1]) } catch (e) {
          value = { $regularExpression: { pattern: v[0], options: v[2] } }
        }
    }
    target[last] = value
  }
  return root
})"#;

thread_local! {
    /// The JSON text buffers, reused across batches on the JavaScript thread.
    static BUFFERS: RefCell<(Vec<u8>, Vec<u8>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    /// The compiled [`PATCH_SOURCE`] function, with the env it belongs to.
    static PATCHER: RefCell<Option<(usize, sys::napi_ref)>> = const { RefCell::new(None) };
}

/// Where a value sits in its container.
#[derive(Clone, Copy)]
enum Step {
    /// The next item's index in an array.
    Index(u32),
    /// The current key of a document: where [`JsonText::out`] has it, as a JSON string.
    Key(usize, usize),
}

/// An open container and how many entries it has written so far.
struct Level {
    step: Step,
    count: u32,
}

/// Writes what the decoder reports as plain JSON, listing the values JSON cannot carry.
///
/// Plain scalars are copied from the record's text as they were read (a string with its
/// escapes, a number with its digits), so most of a record goes through as a copy; only
/// wrappers, keys and the values listed for patching are written anew.
pub(crate) struct JsonText {
    out: Vec<u8>,
    patches: Vec<u8>,
    open: Vec<Level>,
    /// Where each chunk of `out` after the first starts (see [`CHUNK_BYTES`]).
    chunks: Vec<usize>,
}

impl JsonText {
    fn new(out: Vec<u8>, patches: Vec<u8>) -> Self {
        let mut text = JsonText {
            out,
            patches,
            open: Vec::new(),
            chunks: Vec::new(),
        };
        text.out.clear();
        text.patches.clear();
        text.patches.push(b'[');
        text
    }

    /// Starts a value: the comma and index inside an array (inside a document, `key` did it).
    /// Between two top-level values, once the chunk is long enough, a new chunk starts instead.
    #[inline]
    fn start_value(&mut self) {
        let top = self.open.len() == 1;
        if let Some(level) = self.open.last_mut()
            && let Step::Index(_) = level.step
        {
            if level.count > 0 {
                let chunk_start = self.chunks.last().copied().unwrap_or(0);
                if top && self.out.len() - chunk_start >= CHUNK_BYTES {
                    self.out.extend_from_slice(b"][");
                    self.chunks.push(self.out.len() - 1);
                } else {
                    self.out.push(b',');
                }
            }
            level.step = Step::Index(level.count);
            level.count += 1;
        }
    }

    /// The chunks of the text, each a JSON array.
    fn texts(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.chunks.iter().copied());
        let ends = self
            .chunks
            .iter()
            .copied()
            .chain(std::iter::once(self.out.len()));
        starts.zip(ends).map(|(start, end)| &self.out[start..end])
    }

    fn open(&mut self, bracket: u8, step: Step) {
        self.start_value();
        self.out.push(bracket);
        self.open.push(Level { step, count: 0 });
    }

    fn close(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.open.pop();
    }

    /// Writes `s` as a JSON string: copied between quotes when it needs no escapes.
    #[inline]
    fn string(out: &mut Vec<u8>, s: &str) {
        let plain = s.bytes().fold(true, |plain, b| {
            plain & (b != b'"') & (b != b'\\') & (b >= 0x20)
        });
        if plain {
            out.reserve(s.len() + 2);
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
        } else {
            // Writing into a Vec cannot fail.
            let _ = serde_json::to_writer(out, s);
        }
    }

    /// Writes an integer.
    #[inline]
    fn integer(out: &mut Vec<u8>, n: impl itoa::Integer) {
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// Writes `null` in place and lists the value to set there: its path, `kind`, then the
    /// value's JSON written by `value`.
    fn patch(&mut self, kind: u8, value: impl FnOnce(&mut Vec<u8>)) {
        self.out.extend_from_slice(b"null");
        let p = &mut self.patches;
        if p.len() > 1 {
            p.push(b',');
        }
        Self::integer(p, self.open.len());
        for level in &self.open {
            p.push(b',');
            match level.step {
                Step::Index(i) => Self::integer(p, i),
                Step::Key(start, end) => p.extend_from_slice(&self.out[start..end]),
            }
        }
        p.push(b',');
        Self::integer(p, kind);
        p.push(b',');
        value(p);
    }

    /// Closes the batch's texts.
    fn finish(&mut self) {
        self.patches.push(b']');
    }
}

impl Sink for JsonText {
    fn begin_document(&mut self, _size_hint: Option<usize>) -> std::result::Result<(), SinkError> {
        self.open(b'{', Step::Key(0, 0));
        Ok(())
    }

    #[inline]
    fn key(&mut self, key: &str) -> std::result::Result<(), SinkError> {
        if let Some(level) = self.open.last_mut() {
            if level.count > 0 {
                self.out.push(b',');
            }
            level.count += 1;
            let start = self.out.len();
            Self::string(&mut self.out, key);
            level.step = Step::Key(start, self.out.len());
        }
        self.out.push(b':');
        Ok(())
    }

    fn end_document(&mut self) -> std::result::Result<(), SinkError> {
        self.close(b'}');
        Ok(())
    }

    fn begin_array(&mut self, _size_hint: Option<usize>) -> std::result::Result<(), SinkError> {
        self.open(b'[', Step::Index(0));
        Ok(())
    }

    fn end_array(&mut self) -> std::result::Result<(), SinkError> {
        self.close(b']');
        Ok(())
    }

    /// A plain scalar is its text, except an integer beyond what a number holds exactly.
    #[inline]
    fn plain(&mut self, value: Scalar<'_>, text: &str) -> std::result::Result<(), SinkError> {
        match value {
            Scalar::Int64(n) if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) => {
                self.scalar(value)
            }
            _ => {
                self.start_value();
                self.out.extend_from_slice(text.as_bytes());
                Ok(())
            }
        }
    }

    fn scalar(&mut self, value: Scalar<'_>) -> std::result::Result<(), SinkError> {
        self.start_value();
        let out = &mut self.out;
        match value {
            Scalar::Null => out.extend_from_slice(b"null"),
            Scalar::Bool(true) => out.extend_from_slice(b"true"),
            Scalar::Bool(false) => out.extend_from_slice(b"false"),
            Scalar::Int32(n) => Self::integer(out, n),
            Scalar::Int64(n) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) => {
                Self::integer(out, n)
            }
            Scalar::Int64(n) => self.patch(1, |p| {
                p.push(b'"');
                Self::integer(p, n);
                p.push(b'"');
            }),
            Scalar::Double(d) if d.is_finite() => {
                let _ = serde_json::to_writer(out, &d);
            }
            Scalar::Double(d) => {
                let name = match d {
                    d if d.is_nan() => "\"NaN\"",
                    d if d > 0.0 => "\"Infinity\"",
                    _ => "\"-Infinity\"",
                };
                self.patch(2, |p| p.extend_from_slice(name.as_bytes()));
            }
            Scalar::String(s) | Scalar::Decimal128(s) => Self::string(out, s),
            Scalar::Date(ms) if (-MAX_DATE_MS..=MAX_DATE_MS).contains(&ms) => {
                self.patch(0, |p| Self::integer(p, ms))
            }
            Scalar::Date(ms) => {
                // Beyond what a JavaScript Date holds: keep it exact as its wrapper.
                let _ = write!(out, r#"{{"$date":{{"$numberLong":"{ms}"}}}}"#);
            }
            Scalar::ObjectId(id) => Self::string(out, &hex(&id)),
            Scalar::Binary { bytes, .. } => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                self.patch(3, |p| Self::string(p, &b64));
            }
            Scalar::Regex { pattern, options } => {
                let flags: String = options
                    .chars()
                    .filter(|c| matches!(c, 'i' | 'm' | 's' | 'u'))
                    .collect();
                self.patch(4, |p| {
                    p.push(b'[');
                    Self::string(p, pattern);
                    p.push(b',');
                    Self::string(p, &flags);
                    p.push(b',');
                    Self::string(p, options);
                    p.push(b']');
                });
            }
            Scalar::Timestamp { t, i } => {
                let _ = write!(out, r#"{{"$timestamp":{{"t":{t},"i":{i}}}}}"#);
            }
            Scalar::MinKey => out.extend_from_slice(br#"{"$minKey":1}"#),
            Scalar::MaxKey => out.extend_from_slice(br#"{"$maxKey":1}"#),
        }
        Ok(())
    }
}

/// Decodes Extended JSON texts into one JavaScript array of their values; a decoding error
/// throws (or rejects with) a `WxCloudError` whose message has the position.
pub(crate) fn to_array<'a, I>(js: Js, texts: I, records: bool) -> Result<JsValue>
where
    I: IntoIterator<Item = &'a str>,
{
    emit(js, |w| write_texts(w, texts, records))
}

/// Decodes the Extended JSON strings of a JavaScript array into one JavaScript array of their
/// values, reading each string into one reused buffer; a string that does not decode, or an
/// item that is not a string, throws a `WxCloudError` (`WXCLOUD_DECODE`).
pub(crate) fn decode_array(js: Js, array: JsValue) -> Result<JsValue> {
    let not_strings = || wxcloud::Error::decode("decode() takes an array of Extended JSON strings");
    if !js.is_array(array)? {
        return Err(throwable(js, &not_strings()));
    }
    let len = js.array_len(array)?;
    let mut buf = Vec::new();
    emit(js, |w| {
        for i in 0..len {
            let read = js
                .element(array, i)
                .and_then(|item| js.string_into(item, &mut buf));
            let text = match read {
                Ok(Some(text)) => text,
                Ok(None) => return Err(not_strings()),
                Err(e) => {
                    js.clear_exception();
                    return Err(wxcloud::Error::decode(format!("cannot read item {i}: {e}")));
                }
            };
            ejson::decode_value_into(text, &mut *w)?;
        }
        Ok(())
    })
}

/// Builds one JavaScript array of records the core has already decoded (a walk's pages),
/// written through the same writer.
pub(crate) fn documents_to_array(js: Js, docs: &[wxcloud::Document]) -> Result<JsValue> {
    emit(js, |w| {
        for doc in docs {
            ejson::replay_document(&mut *w, doc)
                .map_err(|e| wxcloud::Error::decode(e.to_string()))?;
        }
        Ok(())
    })
}

/// Decodes each text into the writer (`records` requires each to be a document).
fn write_texts<'a>(
    w: &mut JsonText,
    texts: impl IntoIterator<Item = &'a str>,
    records: bool,
) -> wxcloud::Result<()> {
    for text in texts {
        if records {
            ejson::decode_document_into(text, &mut *w)?;
        } else {
            ejson::decode_value_into(text, &mut *w)?;
        }
    }
    Ok(())
}

/// Writes one JSON array of the values `write` reports, or gives the first error.
fn write_with(
    buffers: (Vec<u8>, Vec<u8>),
    write: impl FnOnce(&mut JsonText) -> wxcloud::Result<()>,
) -> (JsonText, wxcloud::Result<()>) {
    let mut w = JsonText::new(buffers.0, buffers.1);
    let result = w
        .begin_array(None)
        .map_err(|e| wxcloud::Error::decode(e.to_string()))
        .and_then(|()| write(&mut w));
    let _ = w.end_array();
    w.finish();
    (w, result)
}

/// The texts as one JSON array of their values, for the writer's tests.
#[cfg(test)]
fn write_batch<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    records: bool,
    buffers: (Vec<u8>, Vec<u8>),
) -> (JsonText, wxcloud::Result<()>) {
    write_with(buffers, |w| write_texts(w, texts, records))
}

/// Writes the values `write` reports with this thread's buffers, then parses and patches them
/// into one JavaScript array; a failure throws a `WxCloudError` whose message has the position.
fn emit(js: Js, write: impl FnOnce(&mut JsonText) -> wxcloud::Result<()>) -> Result<JsValue> {
    let buffers = BUFFERS.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let (w, result) = write_with(buffers, write);
    let parsed = match result {
        Ok(()) => parse(js, &w),
        Err(e) => Err(throwable(js, &e)),
    };
    // Keep the buffers for the next batch unless they grew unusually large.
    if w.out.capacity() <= MAX_KEPT_TEXT && w.patches.capacity() <= MAX_KEPT_TEXT {
        BUFFERS.with(|b| *b.borrow_mut() = (w.out, w.patches));
    }
    parsed
}

/// Runs the patching function over the written texts.
fn parse(js: Js, w: &JsonText) -> Result<JsValue> {
    let patcher = patcher(js)?;
    let texts = js.array(w.chunks.len() + 1)?;
    for (i, text) in w.texts().enumerate() {
        js.set_element(texts, i as u32, js.utf8(text)?)?;
    }
    let patches = js.utf8(&w.patches)?;
    js.call(js.global()?, patcher, &[texts, patches])
}

/// The compiled [`PATCH_SOURCE`] of this env, compiled on first use.
fn patcher(js: Js) -> Result<JsValue> {
    let env = js.0 as usize;
    if let Some((owner, reference)) = PATCHER.with(|p| *p.borrow())
        && owner == env
    {
        return js.deref(reference);
    }
    let function = js.run_script(PATCH_SOURCE)?;
    let reference = js.reference(function)?;
    PATCHER.with(|p| *p.borrow_mut() = Some((env, reference)));
    Ok(function)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(texts: &[&str]) -> (String, String) {
        let (w, result) = write_batch(texts.iter().copied(), false, Default::default());
        result.unwrap();
        (
            String::from_utf8(w.out).unwrap(),
            String::from_utf8(w.patches).unwrap(),
        )
    }

    #[test]
    fn plain_values_are_copied_as_written_and_wrappers_rewritten_keeping_key_order() {
        let (text, patches) = write(&[
            r#"{"z":1,"a":{"$numberDouble":"113.0"},"s":"q\"\u2028","n":{"$numberLong":"9007199254740991"},"o":{"$oid":"abababababababababababab"},"d":{"$numberDecimal":"1.10"}}"#,
            r#"[1,{"$numberInt":"2"}]"#,
        ]);
        assert_eq!(
            text,
            "[{\"z\":1,\"a\":113.0,\"s\":\"q\\\"\\u2028\",\"n\":9007199254740991,\"o\":\"abababababababababababab\",\"d\":\"1.10\"},[1,2]]"
        );
        assert_eq!(patches, "[]");
    }

    #[test]
    fn values_json_cannot_carry_are_null_with_their_path() {
        let (text, patches) = write(&[
            r#"{"x":1}"#,
            r#"{"at":{"$date":{"$numberLong":"5"}},"big":{"$numberLong":"9007199254740993"},"list":[{"$numberDouble":"NaN"},{"$regularExpression":{"pattern":"a","options":"ix"}}],"bin":{"$binary":{"base64":"AQ==","subType":"00"}}}"#,
        ]);
        assert_eq!(
            text,
            "[{\"x\":1},{\"at\":null,\"big\":null,\"list\":[null,null],\"bin\":null}]"
        );
        assert_eq!(
            patches,
            r#"[2,1,"at",0,5,2,1,"big",1,"9007199254740993",3,1,"list",0,2,"NaN",3,1,"list",1,4,["a","i","ix"],2,1,"bin",3,"AQ=="]"#
        );
    }

    #[test]
    fn patch_paths_name_keys_as_written_escapes_included() {
        let (text, patches) =
            write(&[r#"{"a\"b":{"$date":{"$numberLong":"5"}},"\u00e9":[9007199254740993]}"#]);
        assert_eq!(text, "[{\"a\\\"b\":null,\"\u{e9}\":[null]}]");
        assert_eq!(
            patches,
            "[2,0,\"a\\\"b\",0,5,3,0,\"\u{e9}\",0,1,\"9007199254740993\"]"
        );
    }

    #[test]
    fn dates_beyond_the_js_range_and_special_types_become_wrappers() {
        let (text, patches) = write(&[
            r#"[{"$date":{"$numberLong":"9223372036854775807"}},{"$timestamp":{"t":1,"i":2}},{"$minKey":1},{"$maxKey":1}]"#,
        ]);
        assert_eq!(
            text,
            "[[{\"$date\":{\"$numberLong\":\"9223372036854775807\"}},{\"$timestamp\":{\"t\":1,\"i\":2}},{\"$minKey\":1},{\"$maxKey\":1}]]"
        );
        assert_eq!(patches, "[]");
    }

    #[test]
    fn a_long_batch_is_cut_into_json_arrays_between_records_and_patched_by_its_whole_index() {
        let record = format!(
            r#"{{"s":"{}","d":{{"$date":{{"$numberLong":"7"}}}}}}"#,
            "x".repeat(100)
        );
        let texts = vec![record.as_str(); 3000];
        let (w, result) = write_batch(texts.iter().copied(), true, Default::default());
        result.unwrap();
        let chunks: Vec<serde_json::Value> = w
            .texts()
            .map(|t| serde_json::from_slice(t).expect("each chunk is a JSON array"))
            .collect();
        assert!(chunks.len() > 1, "{} chunks", chunks.len());
        let lengths: Vec<usize> = chunks.iter().map(|c| c.as_array().unwrap().len()).collect();
        assert_eq!(lengths.iter().sum::<usize>(), 3000);
        assert!(w.texts().all(|t| t.len() < CHUNK_BYTES + record.len() + 2));
        let patches = String::from_utf8(w.patches).unwrap();
        assert!(
            patches.ends_with(r#"2,2999,"d",0,7]"#),
            "{}",
            &patches[patches.len() - 40..]
        );
    }

    #[test]
    fn a_bad_record_is_a_decode_error_with_its_position() {
        let (_, result) = write_batch(
            ["{\"a\":1}", "{\"a\":{\"$numberLong\":\"x\"}}"],
            true,
            Default::default(),
        );
        let err = result.unwrap_err();
        assert_eq!(err.kind(), wxcloud::ErrorKind::Decode);
        assert!(err.to_string().contains("column"), "{err}");
    }
}
