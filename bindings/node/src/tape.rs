//! Records straight from Extended JSON text to JavaScript objects: the core's decoder reads each
//! record once and reports it to [`Tape`], a sink that writes what JavaScript needs to build the
//! values — and then one JavaScript function (compiled once per thread, [`BUILDER_SOURCE`])
//! builds them all.
//!
//! The tape is a `Float64Array` of operations in postorder (a string's length, a number, a
//! date's milliseconds, "close a document of shape 3", "close an array of 2 items"), beside one
//! string holding every string value back to back. The builder keeps a stack: scalars are pushed
//! (a string sliced from the text), and a closing container takes its values off the stack.
//! A document is built by a function made for its shape — its keys, in order — once per
//! thread: an object literal with those keys (`{"_id": s[b], "done": s[b + 1]}`), which V8
//! creates from a ready-made layout, faster than `JSON.parse` builds an object key by key.
//! Keys travel once per shape, not once per record; values never go through JSON text.
//!
//! Measured against the other candidates (docs/benchmarks.md): JSON text rewritten for one
//! `JSON.parse` (the previous decoder) and objects built by Node-API calls were slower.
//!
//! Key order is the record's, as `JSON.parse` would give it (integer-like keys first, as every
//! JavaScript object orders them); a `__proto__` key is an own property, as in `JSON.parse`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use base64::Engine as _;

use napi::{Result, sys};
use wxcloud::ejson::{self, Scalar, Sink, SinkError};

use crate::errors::throwable;
use crate::raw::{Js, JsValue};
use crate::values::{MAX_DATE_MS, MAX_SAFE_INTEGER};

/// Operations of the tape (each followed by its operands, all `f64`).
mod op {
    /// A string: its length in UTF-16 units, sliced from the text.
    pub const STRING: f64 = 1.0;
    /// A number (any double, NaN and infinities included).
    pub const NUMBER: f64 = 2.0;
    pub const TRUE: f64 = 3.0;
    pub const FALSE: f64 = 4.0;
    pub const NULL: f64 = 5.0;
    /// A `Date`: its milliseconds.
    pub const DATE: f64 = 6.0;
    /// A document of a known shape: the shape's number (its values are on the stack).
    pub const DOCUMENT: f64 = 7.0;
    /// An array: how many items (on the stack).
    pub const ARRAY: f64 = 8.0;
    /// A document of no shape (too many shapes, or too many keys): the length of the JSON
    /// text of its keys (its values are on the stack).
    pub const ENTRIES: f64 = 9.0;
    /// A `BigInt`: the length of its decimal text.
    pub const BIGINT: f64 = 10.0;
    /// A `Buffer`: the length of its base64 text.
    pub const BUFFER: f64 = 11.0;
    /// A `RegExp`: the length of the JSON text `[pattern, flags, options]`.
    pub const REGEXP: f64 = 12.0;
    /// Any value JSON can carry (the wrappers of Timestamp, MinKey, MaxKey, far dates): the
    /// length of its JSON text.
    pub const JSON: f64 = 13.0;
    /// The strings that follow are in the next text.
    pub const NEXT_TEXT: f64 = 14.0;
}

/// Builds the values of a tape. `texts` holds the strings (a new one at each NEXT_TEXT),
/// `shapes` the key lists of shapes this thread has not compiled yet (as JSON text, or '' for
/// none). Returns the top-level values, in order.
const BUILDER_SOURCE: &str = r#"(function () {
  const factories = []
  function factory(keys) {
    const body = keys
      .map((k, i) => (k === '__proto__' ? '["__proto__"]' : JSON.stringify(k)) + ': s[b + ' + i + ']')
      .join(', ')
    return new Function('s', 'b', 'return {' + body + '}')
  }
  function entries(keys, s, b) {
    const o = {}
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]
      if (k === '__proto__') Object.defineProperty(o, k, { value: s[b + i], writable: true, enumerable: true, configurable: true })
      else o[k] = s[b + i]
    }
    return o
  }
  // The stack is an array that never shrinks (setting an array's length is slow in V8): `n`
  // is its height.
  const s = []
  return function wxcloudBuild(texts, tape, shapes) {
    if (shapes !== '') for (const keys of JSON.parse(shapes)) factories.push([factory(keys), keys.length])
    let n = 0
    let t = 0
    let text = texts[0]
    let pos = 0
    for (let p = 0; p < tape.length;) {
      switch (tape[p++]) {
        case 1: { const len = tape[p++]; s[n++] = text.slice(pos, pos + len); pos += len; break }
        case 2: s[n++] = tape[p++]; break
        case 3: s[n++] = true; break
        case 4: s[n++] = false; break
        case 5: s[n++] = null; break
        case 6: s[n++] = new Date(tape[p++]); break
        case 7: {
          const f = factories[tape[p++]]
          n -= f[1]
          s[n] = f[0](s, n)
          n++
          break
        }
        case 8: { const len = tape[p++]; n -= len; s[n] = s.slice(n, n + len); n++; break }
        case 9: {
          const len = tape[p++]
          const keys = JSON.parse(text.slice(pos, pos + len))
          pos += len
          n -= keys.length
          s[n] = entries(keys, s, n)
          n++
          break
        }
        case 14: text = texts[++t]; pos = 0; break
        default: {
          const kind = tape[p - 1]
          const len = tape[p++]
          const v = text.slice(pos, pos + len)
          pos += len
          if (kind === 10) s[n++] = BigInt(v)
          else if (kind === 11) s[n++] = Buffer.from(v, 'base64')
          else if (kind === 12) {
            const r = JSON.parse(v)
            try { s[n++] = new RegExp(r[0], r[1]) } catch (e) { s[n++] = { $regularExpression: { pattern: r[0], options: r[2] } } }
          } else s[n++] = JSON.parse(v)
        }
      }
    }
    const out = s.slice(0, n)
    // Let go of everything the batch left on the stack: its values belong to the caller now.
    s.fill(undefined)
    return out
  }
})()"#;

/// Texts are cut at a string boundary once they pass this many bytes. Strings of 13 characters
/// or more that the builder slices from a text are views of it in V8, which keep the text alive
/// while they live: a small text bounds what one kept string holds on to. (And V8 would put a
/// text over 128 KiB in its large-object space, on pages new for every batch.)
const TEXT_CHUNK: usize = 16 << 10;

/// Shapes given a factory per thread; documents of further shapes are built key by key.
const MAX_SHAPES: usize = 1024;

/// Documents with more keys than this are built key by key (a factory per shape of a huge
/// document would cost more to compile than it saves).
const MAX_SHAPE_KEYS: usize = 256;

/// Buffers up to this size are kept for the next batch.
const MAX_KEPT: usize = 16 << 20;

/// The shapes this thread's builder has factories for, numbered in the order it got them.
#[derive(Default)]
struct Shapes {
    /// The env whose builder holds the factories (a new env starts over).
    env: usize,
    /// Shape numbers by their keys: each key's length, then the key (so no two lists of keys
    /// give the same text).
    by_keys: HashMap<Box<[u8]>, u32, BuildHasherDefault<WordHasher>>,
}

/// A hasher for shape keys that takes eight bytes at a time (SipHash, the default, cost more
/// than the rest of finding a record's shape).
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

thread_local! {
    static SHAPES: RefCell<Shapes> = RefCell::default();
    /// The tape and text buffers, reused across batches on the JavaScript thread.
    static BUFFERS: RefCell<(Vec<f64>, Vec<u8>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// An open container of the tape.
enum Open {
    /// A document; its keys so far are `Tape::keys[start..]` (by their ends in `key_text`).
    Document { start: usize },
    /// An array and how many items it has so far.
    Array { items: u32 },
}

/// Writes what the decoder reports as a tape for the builder.
pub(crate) struct Tape<'s> {
    ops: Vec<f64>,
    text: Vec<u8>,
    /// Where each text after the first starts in `text`.
    cuts: Vec<usize>,
    /// Whether `text` is all ASCII (it is then made into strings byte for byte).
    ascii: bool,
    open: Vec<Open>,
    /// The keys of the open documents, back to back, and where each ends.
    key_text: String,
    keys: Vec<usize>,
    shapes: &'s mut Shapes,
    /// Whether documents are built key by key (the shapes are another call's).
    shapeless: bool,
    /// A document's keys as [`Shapes::by_keys`] holds them (a buffer kept between documents).
    joined: Vec<u8>,
    /// The key lists of the shapes first seen in this batch, as a JSON array of arrays.
    new_shapes: String,
}

impl<'s> Tape<'s> {
    /// A tape written into `ops` and `text` (emptied first), numbering shapes in `shapes` — or
    /// building every document key by key if `shapeless`.
    fn new(mut ops: Vec<f64>, mut text: Vec<u8>, shapes: &'s mut Shapes, shapeless: bool) -> Self {
        ops.clear();
        text.clear();
        Tape {
            ops,
            text,
            cuts: Vec::new(),
            ascii: true,
            open: Vec::new(),
            key_text: String::new(),
            keys: Vec::new(),
            shapes,
            shapeless,
            joined: Vec::new(),
            new_shapes: String::new(),
        }
    }

    /// Counts a value in the open array, if the innermost container is one.
    #[inline]
    fn item(&mut self) {
        if let Some(Open::Array { items }) = self.open.last_mut() {
            *items += 1;
        }
    }

    /// Appends a string's text and its length in UTF-16 units after `kind`.
    #[inline]
    fn text(&mut self, kind: f64, s: &str) {
        let chunk_start = self.cuts.last().copied().unwrap_or(0);
        if self.text.len() - chunk_start >= TEXT_CHUNK {
            self.cuts.push(self.text.len());
            self.ops.push(op::NEXT_TEXT);
        }
        let units = if s.is_ascii() {
            s.len()
        } else {
            self.ascii = false;
            s.encode_utf16().count()
        };
        self.text.extend_from_slice(s.as_bytes());
        self.ops.push(kind);
        self.ops.push(units as f64);
    }

    /// The texts, each a slice of `text`.
    fn texts(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.cuts.iter().copied());
        let ends = self
            .cuts
            .iter()
            .copied()
            .chain(std::iter::once(self.text.len()));
        starts.zip(ends).map(|(start, end)| &self.text[start..end])
    }

    /// The keys `self.keys[start..]`, in order.
    fn keys_from(&self, start: usize) -> impl Iterator<Item = &str> {
        let from = start.checked_sub(1).map_or(0, |i| self.keys[i]);
        let starts = std::iter::once(from).chain(self.keys[start..].iter().copied());
        starts
            .zip(self.keys[start..].iter().copied())
            .map(|(a, b)| &self.key_text[a..b])
    }

    /// The keys `self.keys[start..]` as a JSON array.
    fn keys_json(&self, start: usize) -> String {
        let mut json = vec![b'['];
        for (i, key) in self.keys_from(start).enumerate() {
            if i > 0 {
                json.push(b',');
            }
            ejson::write_json_string(&mut json, key);
        }
        json.push(b']');
        // Written from `&str`s and ASCII punctuation: always UTF-8.
        String::from_utf8(json).unwrap_or_default()
    }

    /// The shape number of the keys `self.keys[start..]`, given one if new (`None` when
    /// there are too many shapes or keys: the document is built key by key).
    fn shape(&mut self, start: usize) -> Option<u32> {
        let count = self.keys.len() - start;
        if self.shapeless || count > MAX_SHAPE_KEYS {
            return None;
        }
        let mut joined = std::mem::take(&mut self.joined);
        joined.clear();
        for key in self.keys_from(start) {
            joined.extend_from_slice(&(key.len() as u32).to_le_bytes());
            joined.extend_from_slice(key.as_bytes());
        }
        let found = self.shapes.by_keys.get(joined.as_slice()).copied();
        let shape = match found {
            Some(n) => Some(n),
            None if self.shapes.by_keys.len() >= MAX_SHAPES => None,
            None => {
                let n = self.shapes.by_keys.len() as u32;
                let keys = self.keys_json(start);
                self.new_shapes
                    .push(if self.new_shapes.is_empty() { '[' } else { ',' });
                self.new_shapes.push_str(&keys);
                self.shapes.by_keys.insert(joined.as_slice().into(), n);
                Some(n)
            }
        };
        self.joined = joined;
        shape
    }
}

impl Sink for Tape<'_> {
    fn begin_document(&mut self, _size_hint: Option<usize>) -> std::result::Result<(), SinkError> {
        self.item();
        self.open.push(Open::Document {
            start: self.keys.len(),
        });
        Ok(())
    }

    #[inline]
    fn key(&mut self, key: &str) -> std::result::Result<(), SinkError> {
        self.key_text.push_str(key);
        self.keys.push(self.key_text.len());
        Ok(())
    }

    fn end_document(&mut self) -> std::result::Result<(), SinkError> {
        let Some(Open::Document { start }) = self.open.pop() else {
            return Ok(());
        };
        match self.shape(start) {
            Some(n) => {
                self.ops.push(op::DOCUMENT);
                self.ops.push(f64::from(n));
            }
            None => {
                let keys = self.keys_json(start);
                self.text(op::ENTRIES, &keys);
            }
        }
        let from = start.checked_sub(1).map_or(0, |i| self.keys[i]);
        self.keys.truncate(start);
        self.key_text.truncate(from);
        Ok(())
    }

    fn begin_array(&mut self, _size_hint: Option<usize>) -> std::result::Result<(), SinkError> {
        self.item();
        self.open.push(Open::Array { items: 0 });
        Ok(())
    }

    fn end_array(&mut self) -> std::result::Result<(), SinkError> {
        if let Some(Open::Array { items }) = self.open.pop() {
            self.ops.push(op::ARRAY);
            self.ops.push(f64::from(items));
        }
        Ok(())
    }

    #[inline]
    fn scalar(&mut self, value: Scalar<'_>) -> std::result::Result<(), SinkError> {
        self.item();
        match value {
            Scalar::Null => self.ops.push(op::NULL),
            Scalar::Bool(true) => self.ops.push(op::TRUE),
            Scalar::Bool(false) => self.ops.push(op::FALSE),
            Scalar::Int32(n) => self.ops.extend([op::NUMBER, f64::from(n)]),
            Scalar::Int64(n) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) => {
                self.ops.extend([op::NUMBER, n as f64]);
            }
            Scalar::Int64(n) => self.text(op::BIGINT, &n.to_string()),
            Scalar::Double(d) => self.ops.extend([op::NUMBER, d]),
            Scalar::String(s) | Scalar::Decimal128(s) => self.text(op::STRING, s),
            Scalar::Date(ms) if (-MAX_DATE_MS..=MAX_DATE_MS).contains(&ms) => {
                self.ops.extend([op::DATE, ms as f64]);
            }
            Scalar::ObjectId(id) => self.text(op::STRING, &ejson::object_id_hex(&id)),
            Scalar::Binary { bytes, .. } => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                self.text(op::BUFFER, &b64);
            }
            Scalar::Regex { pattern, options } => {
                // Flags JavaScript cannot hold are dropped; the wrapper keeps them all.
                let flags: String = options
                    .chars()
                    .filter(|c| matches!(c, 'i' | 'm' | 's' | 'u'))
                    .collect();
                let parts = serde_json::json!([pattern, flags, options]).to_string();
                self.text(op::REGEXP, &parts);
            }
            // What JavaScript has no type for (and a date beyond what a `Date` holds): kept
            // exact, as its canonical wrapper.
            other @ (Scalar::Date(_)
            | Scalar::Timestamp { .. }
            | Scalar::MinKey
            | Scalar::MaxKey) => {
                self.text(
                    op::JSON,
                    &ejson::to_canonical_value_string(&other.to_value()),
                );
            }
        }
        Ok(())
    }
}

thread_local! {
    /// The compiled [`BUILDER_SOURCE`] function, with the env it belongs to.
    static BUILDER: RefCell<Option<(usize, sys::napi_ref)>> = const { RefCell::new(None) };
}

/// Decodes Extended JSON texts into one JavaScript array of their values; a decoding error
/// throws (or rejects with) a `WxCloudError` whose message has the position.
pub(crate) fn to_array<'a, I>(js: Js, texts: I, records: bool) -> Result<JsValue>
where
    I: IntoIterator<Item = &'a str>,
{
    build(js, |tape| {
        for text in texts {
            if records {
                ejson::decode_document_into(text, &mut *tape)?;
            } else {
                ejson::decode_value_into(text, &mut *tape)?;
            }
        }
        Ok(())
    })
}

/// Builds one JavaScript array of records the core has already decoded (a walk's pages).
pub(crate) fn documents_to_array(js: Js, docs: &[wxcloud::Document]) -> Result<JsValue> {
    build(js, |tape| {
        for doc in docs {
            ejson::replay_document(&mut *tape, doc)
                .map_err(|e| wxcloud::Error::decode(e.to_string()))?;
        }
        Ok(())
    })
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
    build(js, |tape| {
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
            ejson::decode_value_into(text, &mut *tape)?;
        }
        Ok(())
    })
}

/// Writes the values `write` reports as a tape, then has the builder make them: one
/// JavaScript array. A decoding failure throws a `WxCloudError` with the position.
fn build(js: Js, write: impl FnOnce(&mut Tape) -> wxcloud::Result<()>) -> Result<JsValue> {
    let env = js.0 as usize;
    let builder = builder(js)?;
    let (ops, text) = BUFFERS.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let mut fresh = Shapes::default();
    // A decode started from inside another (a getter reading `decode()`'s array calling it)
    // finds the shapes in use: its documents are then built key by key.
    let result = SHAPES.with(|cell| {
        let mut shared = cell.try_borrow_mut();
        let mut tape = match shared.as_deref_mut() {
            Ok(shapes) => {
                if shapes.env != env {
                    *shapes = Shapes {
                        env,
                        ..Shapes::default()
                    };
                }
                Tape::new(ops, text, shapes, false)
            }
            Err(_) => Tape::new(ops, text, &mut fresh, true),
        };
        let written = write(&mut tape);
        let made = match written {
            Ok(()) => run(js, builder, &tape),
            Err(e) => Err(throwable(js, &e)),
        };
        (made, tape.ops, tape.text)
    });
    let (made, ops, text) = result;
    if ops.capacity() * 8 <= MAX_KEPT && text.capacity() <= MAX_KEPT {
        BUFFERS.with(|b| *b.borrow_mut() = (ops, text));
    }
    made
}

/// Calls the builder with the tape's texts, operations and new shapes.
fn run(js: Js, builder: JsValue, tape: &Tape) -> Result<JsValue> {
    let texts = js.array(tape.cuts.len() + 1)?;
    for (i, text) in tape.texts().enumerate() {
        let text = if tape.ascii {
            js.latin1(text)?
        } else {
            js.utf8(text)?
        };
        js.set_element(texts, i as u32, text)?;
    }
    let ops = js.float64_array(&tape.ops)?;
    let shapes = if tape.new_shapes.is_empty() {
        js.string("")?
    } else {
        js.string(&format!("{}]", tape.new_shapes))?
    };
    js.call(js.global()?, builder, &[texts, ops, shapes])
}

/// The compiled [`BUILDER_SOURCE`] of this env, compiled on first use.
fn builder(js: Js) -> Result<JsValue> {
    let env = js.0 as usize;
    if let Some((owner, reference)) = BUILDER.with(|b| *b.borrow())
        && owner == env
    {
        return js.deref(reference);
    }
    let function = js.run_script(BUILDER_SOURCE)?;
    let reference = js.reference(function)?;
    BUILDER.with(|b| *b.borrow_mut() = Some((env, reference)));
    // A new builder has no factories yet: the shapes numbered for another start over.
    SHAPES.with(|cell| {
        if let Ok(mut shapes) = cell.try_borrow_mut() {
            *shapes = Shapes {
                env,
                ..Shapes::default()
            };
        }
    });
    Ok(function)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tape of `texts` (decoded as any values), and the texts and new shapes it made.
    fn write(shapes: &mut Shapes, texts: &[&str]) -> (Vec<f64>, Vec<String>, String) {
        let mut tape = Tape::new(Vec::new(), Vec::new(), shapes, false);
        for text in texts {
            ejson::decode_value_into(text, &mut tape).unwrap();
        }
        let strings = tape
            .texts()
            .map(|t| String::from_utf8(t.to_vec()).unwrap())
            .collect();
        (tape.ops, strings, tape.new_shapes)
    }

    #[test]
    fn values_go_on_the_tape_in_postorder_and_strings_into_the_text() {
        let mut shapes = Shapes::default();
        let (ops, texts, new_shapes) = write(
            &mut shapes,
            &[
                r#"{"a":"xy","b":[1,{"$numberDouble":"2.5"},true,null],"d":{"$date":{"$numberLong":"5"}},"\u00e9":"\u00e9!"}"#,
            ],
        );
        assert_eq!(
            ops,
            [
                op::STRING,
                2.0,
                op::NUMBER,
                1.0,
                op::NUMBER,
                2.5,
                op::TRUE,
                op::NULL,
                op::ARRAY,
                4.0,
                op::DATE,
                5.0,
                op::STRING,
                2.0,
                op::DOCUMENT,
                0.0,
            ]
        );
        assert_eq!(texts, ["xy\u{e9}!"]);
        assert_eq!(new_shapes, "[[\"a\",\"b\",\"d\",\"\u{e9}\"]");
    }

    #[test]
    fn a_shape_is_numbered_once_and_sent_once() {
        let mut shapes = Shapes::default();
        let (ops, _, new_shapes) = write(
            &mut shapes,
            &[r#"{"a":1}"#, r#"{"b":{"a":2}}"#, r#"{"a":3}"#],
        );
        let documents: Vec<f64> = ops
            .chunks(2)
            .filter(|pair| pair[0] == op::DOCUMENT)
            .map(|pair| pair[1])
            .collect();
        assert_eq!(documents, [0.0, 0.0, 1.0, 0.0]);
        assert_eq!(new_shapes, r#"[["a"],["b"]"#);
        // The next batch knows them: nothing new to send.
        let (_, _, again) = write(&mut shapes, &[r#"{"b":{"a":1}}"#]);
        assert_eq!(again, "");
    }

    #[test]
    fn keys_that_only_join_alike_are_different_shapes() {
        let mut shapes = Shapes::default();
        let (_, _, new_shapes) = write(&mut shapes, &[r#"{"ab":1,"c":2}"#, r#"{"a":1,"bc":2}"#]);
        assert_eq!(new_shapes, r#"[["ab","c"],["a","bc"]"#);
    }

    #[test]
    fn documents_beyond_the_shapes_kept_are_built_from_their_keys() {
        let mut shapes = Shapes::default();
        let many_keys = format!(
            "{{{}}}",
            (0..=MAX_SHAPE_KEYS)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let (ops, texts, new_shapes) = write(&mut shapes, &[&many_keys]);
        assert_eq!(new_shapes, "");
        assert_eq!(ops[ops.len() - 2], op::ENTRIES);
        assert!(
            texts[0].starts_with(r#"["k0","k1","#),
            "{}",
            &texts[0][..20]
        );
    }

    #[test]
    fn values_javascript_numbers_and_dates_cannot_hold_travel_as_text() {
        let mut shapes = Shapes::default();
        let (ops, texts, _) = write(
            &mut shapes,
            &[
                r#"{"$numberLong":"9007199254740993"}"#,
                r#"{"$binary":{"base64":"AQ==","subType":"00"}}"#,
                r#"{"$regularExpression":{"pattern":"a","options":"ix"}}"#,
                r#"{"$date":{"$numberLong":"9223372036854775807"}}"#,
                r#"{"$timestamp":{"t":1,"i":2}}"#,
                r#"{"$numberDouble":"-Infinity"}"#,
            ],
        );
        assert_eq!(
            ops,
            [
                op::BIGINT,
                16.0,
                op::BUFFER,
                4.0,
                op::REGEXP,
                14.0,
                op::JSON,
                47.0,
                op::JSON,
                28.0,
                op::NUMBER,
                f64::NEG_INFINITY,
            ]
        );
        assert_eq!(
            texts,
            [concat!(
                "9007199254740993",
                "AQ==",
                r#"["a","i","ix"]"#,
                r#"{"$date":{"$numberLong":"9223372036854775807"}}"#,
                r#"{"$timestamp":{"t":1,"i":2}}"#
            )]
        );
    }

    #[test]
    fn a_long_batch_is_cut_into_texts_between_strings() {
        let mut shapes = Shapes::default();
        let record = format!(r#"{{"s":"{}"}}"#, "x".repeat(100));
        let (ops, texts, _) = write(&mut shapes, &vec![record.as_str(); 1000]);
        assert!(texts.len() > 1);
        assert!(
            texts
                .iter()
                .all(|t| t.len() < TEXT_CHUNK + 100 && t.len() % 100 == 0)
        );
        assert_eq!(
            ops.iter().filter(|&&o| o == op::NEXT_TEXT).count(),
            texts.len() - 1
        );
    }
}
