//! The decoder of Extended JSON text: one pass over the bytes, reporting each value to a
//! [`Sink`] as it is read, with no tokenizer or intermediate value in between.
//!
//! It reads plain JSON (RFC 8259: strings validated, lone surrogates refused, numbers typed by
//! their text) and tells wrappers from documents by the first key, the way
//! [`decode`](super::decode) does for serde: an ordinary key (one byte compare, it does not
//! start with `$`) makes the object a document at once; a wrapper key makes the reader take its
//! contents (strings borrowed from the text), and the next key decides — the end of the object
//! gives the wrapper's scalar, a legacy partner key is read too, anything else makes it a
//! document whose entries read so far are replayed to the sink. What each wrapper means is
//! [`wrapper`](super::wrapper)'s to say, for both decoders.
//!
//! What keeps it fast: strings are scanned eight bytes at a time and borrowed from the text
//! unless they hold escapes; numbers are read by [`number`](super::number) as they are
//! scanned; what every read returns is two words wide (failures are boxed).
//! Errors carry the line and column of the byte where reading stopped.

use std::borrow::Cow;

use super::decode::MAX_DEPTH;
use super::sink::{Scalar, Sink, SinkError, ValueBuilder};
use super::wrapper::{self, Content, Outcome, Wrapper};
use super::{number, text};
use crate::{Error, Value};

/// Which entries of the document at the top of a text to report.
pub(crate) trait Keep {
    /// Whether the entry under `key` is reported; the values of the others are read past
    /// (checked as JSON) without being decoded.
    fn keeps(&self, key: &str) -> bool;
}

/// Every entry: what every decode but [`super::decode_document_fields`] uses (so the check
/// compiles away).
pub(crate) struct All;

impl Keep for All {
    #[inline(always)]
    fn keeps(&self, _key: &str) -> bool {
        true
    }
}

/// The entries whose key the function accepts.
pub(crate) struct Only<F>(pub(crate) F);

impl<F: Fn(&str) -> bool> Keep for Only<F> {
    #[inline]
    fn keeps(&self, key: &str) -> bool {
        (self.0)(key)
    }
}

/// Decodes the whole of `text` (one value, then only whitespace), reporting it to `sink`.
/// `document_only` refuses anything but a document at the top; `keep` picks the top
/// document's entries.
pub(crate) fn read<S: Sink + ?Sized, K: Keep>(
    text: &str,
    sink: &mut S,
    document_only: bool,
    keep: &K,
) -> crate::Result<()> {
    let mut reader = Reader {
        text,
        pos: 0,
        scratch: String::new(),
    };
    reader
        .top(sink, document_only, keep)
        .map_err(|failure| failure.into_error(text))
}

/// Why reading stopped, and where (a byte offset into the text).
struct Failure {
    message: Cow<'static, str>,
    at: usize,
}

impl Failure {
    fn into_error(self, text: &str) -> Error {
        let before = &text.as_bytes()[..self.at.min(text.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = before.len() - line_start + 1;
        Error::decode(format!(
            "invalid Extended JSON: {} at line {line} column {column}",
            self.message
        ))
    }
}

/// Boxed, so that what every read returns stays two words wide.
type Read<T> = Result<T, Box<Failure>>;

/// Where a string read from the text is: a range of the text (no escapes), or the reader's
/// scratch buffer (unescaped there), marked by [`Span::SCRATCH`].
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    const SCRATCH: Span = Span {
        start: usize::MAX,
        end: 0,
    };

    fn in_scratch(self) -> bool {
        self.start == Span::SCRATCH.start
    }
}

/// The reading position over one text.
struct Reader<'t> {
    text: &'t str,
    pos: usize,
    /// Strings with escapes, unescaped (one at a time).
    scratch: String,
}

/// A sink's refusal, at the value it was refusing.
fn refused(at: usize) -> impl FnOnce(SinkError) -> Box<Failure> {
    move |e| {
        Box::new(Failure {
            message: e.to_string().into(),
            at,
        })
    }
}

impl<'t> Reader<'t> {
    #[inline]
    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    #[cold]
    fn fail<T>(&self, message: impl Into<Cow<'static, str>>) -> Read<T> {
        Err(Box::new(Failure {
            message: message.into(),
            at: self.pos,
        }))
    }

    /// Skips whitespace and gives the next byte (not consumed).
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes().get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    fn top<S: Sink + ?Sized, K: Keep>(
        &mut self,
        sink: &mut S,
        document_only: bool,
        keep: &K,
    ) -> Read<()> {
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                self.object(sink, 0, keep, document_only)?;
            }
            Some(b'[') if document_only => return self.fail("expected a document, found array"),
            Some(_) if document_only => {
                let found = self.content(0)?.into_value();
                return self.fail(format!(
                    "expected a document, found {}",
                    super::type_name(&found)
                ));
            }
            _ => self.value(sink, 0)?,
        }
        match self.peek() {
            None => Ok(()),
            Some(_) => self.fail("trailing characters"),
        }
    }

    /// Reads one value at `depth` (the number of containers around it) into `sink`.
    fn value<S: Sink + ?Sized>(&mut self, sink: &mut S, depth: usize) -> Read<()> {
        let first = self.peek();
        let at = self.pos;
        match first {
            Some(b'{') => {
                self.pos += 1;
                self.object(sink, depth, &All, false)
            }
            Some(b'[') => {
                self.pos += 1;
                self.array(sink, depth)
            }
            Some(b'"') => {
                self.pos += 1;
                let span = self.string()?;
                sink.plain(Scalar::String(self.str_of(span)), &self.text[at..self.pos])
                    .map_err(refused(at))
            }
            Some(_) => {
                let scalar = self.scalar()?;
                sink.plain(scalar, &self.text[at..self.pos])
                    .map_err(refused(at))
            }
            None => self.fail("EOF while parsing a value"),
        }
    }

    /// Reads a number or a literal.
    fn scalar(&mut self) -> Read<Scalar<'static>> {
        match self.bytes().get(self.pos) {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Scalar::Bool(true)),
            Some(b'f') => self.literal("false", Scalar::Bool(false)),
            Some(b'n') => self.literal("null", Scalar::Null),
            _ => self.fail("expected value"),
        }
    }

    fn literal(&mut self, word: &str, scalar: Scalar<'static>) -> Read<Scalar<'static>> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(scalar)
        } else {
            self.fail("expected value")
        }
    }

    fn check_depth(&self, depth: usize) -> Read<()> {
        if depth >= MAX_DEPTH {
            return self.fail(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    /// Reads an array's items (after its `[`).
    fn array<S: Sink + ?Sized>(&mut self, sink: &mut S, depth: usize) -> Read<()> {
        self.check_depth(depth)?;
        let at = self.pos;
        sink.begin_array(None).map_err(refused(at))?;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.value(sink, depth + 1)?;
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.fail("expected `,` or `]`"),
                }
            }
        }
        sink.end_array().map_err(refused(at))
    }

    /// Reads an object (after its `{`): a wrapper's scalar, or a document.
    fn object<S: Sink + ?Sized, K: Keep>(
        &mut self,
        sink: &mut S,
        depth: usize,
        keep: &K,
        document_only: bool,
    ) -> Read<()> {
        self.check_depth(depth)?;
        let at = self.pos;
        let first = match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                sink.begin_document(Some(0)).map_err(refused(at))?;
                return sink.end_document().map_err(refused(at));
            }
            _ => self.key()?,
        };
        if let Some(wrapper) = Wrapper::from_key(self.str_of(first)) {
            return self.wrapper(sink, depth, keep, document_only, wrapper);
        }
        sink.begin_document(None).map_err(refused(at))?;
        self.entries(sink, depth, keep, first)
    }

    /// Reads a document's entries from the key `first` (already read) to its `}`, then closes it.
    fn entries<S: Sink + ?Sized, K: Keep>(
        &mut self,
        sink: &mut S,
        depth: usize,
        keep: &K,
        first: Span,
    ) -> Read<()> {
        let mut key = first;
        loop {
            self.colon()?;
            let at = self.pos;
            let name = self.str_of(key);
            if keep.keeps(name) {
                sink.key(name).map_err(refused(at))?;
                self.value(sink, depth + 1)?;
            } else {
                self.skip_value(depth + 1)?;
            }
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    key = self.key()?;
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return self.fail("expected `,` or `}`"),
            }
        }
        let at = self.pos;
        sink.end_document().map_err(refused(at))
    }

    /// Reads an object whose first key is a wrapper's (after that key): its contents, and
    /// then either the wrapper's value or, if the keys say it is not one, a document.
    fn wrapper<S: Sink + ?Sized, K: Keep>(
        &mut self,
        sink: &mut S,
        depth: usize,
        keep: &K,
        document_only: bool,
        key: Wrapper,
    ) -> Read<()> {
        // (A date's inner object is one level deeper, and must be within the limit too.)
        if !document_only
            && depth + 1 < MAX_DEPTH
            && let Some((scalar, json)) = self.canonical(key)
        {
            return match json {
                Some(text) => sink.plain(scalar, text),
                None => sink.scalar(scalar),
            }
            .map_err(refused(self.pos));
        }
        self.colon()?;
        let content = self.content(depth + 1)?;
        let Some(second) = self.after_entry()? else {
            if let Some(done) = self.wrapped(sink, document_only, wrapper::single(key, &content)) {
                return done;
            }
            return self.replayed(sink, depth, keep, [(key.key().into(), content)], None);
        };
        let first = (Cow::Borrowed(key.key()), content);
        if !key.pairs_with(self.str_of(second)) {
            return self.replayed(sink, depth, keep, [first], Some(second));
        }
        let second = self.cow(second);
        self.colon()?;
        let partner = self.content(depth + 1)?;
        let next = self.after_entry()?;
        if next.is_none()
            && let Some(done) =
                self.wrapped(sink, document_only, wrapper::pair(key, &first.1, &partner))
        {
            return done;
        }
        self.replayed(sink, depth, keep, [first, (second, partner)], next)
    }

    /// Reads the forms the service writes numbers and dates in — `{"$numberDouble": "1.5"}`,
    /// `{"$numberLong": "7"}`, `{"$date": {"$numberLong": "0"}}` — straight to their scalar,
    /// after the wrapper key, with the number's text when it is the JSON number for the value.
    /// Any other form (escapes, more keys, bad contents) gives `None` with nothing consumed,
    /// and the general path reads (and reports) it.
    #[inline]
    fn canonical(&mut self, key: Wrapper) -> Option<(Scalar<'static>, Option<&'t str>)> {
        let start = self.pos;
        let read = match key {
            Wrapper::Date => self
                .expect(b':')
                .and_then(|()| self.expect(b'{'))
                .and_then(|()| self.plain_string())
                .filter(|&inner| inner == Wrapper::NumberLong.key())
                .and_then(|_| self.expect(b':'))
                .and_then(|()| self.plain_string())
                .and_then(|text| text.parse().ok())
                .and_then(|ms| self.expect(b'}').map(|()| (Scalar::Date(ms), None))),
            _ => self
                .expect(b':')
                .and_then(|()| self.plain_string())
                .and_then(|text| {
                    let (scalar, json) = wrapper::number(key, text)?;
                    Some((scalar, json.then_some(text)))
                }),
        }
        .and_then(|read| self.expect(b'}').map(|()| read));
        if read.is_none() {
            self.pos = start;
        }
        read
    }

    /// Consumes `byte` (after whitespace), if it comes next.
    #[inline]
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    /// Reads a string without escapes (after whitespace), borrowed from the text; `None` if
    /// there is no string next or it has escapes (nothing consumed but whitespace, then).
    #[inline]
    fn plain_string(&mut self) -> Option<&'t str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let end = self.plain_run(self.pos + 1);
        if self.bytes().get(end) != Some(&b'"') {
            return None;
        }
        let text: &'t str = self.text;
        let string = &text[self.pos + 1..end];
        self.pos = end + 1;
        Some(string)
    }

    /// Reports what an object with wrapper keys stands for, or `None` if it is a document.
    fn wrapped<S: Sink + ?Sized>(
        &self,
        sink: &mut S,
        document_only: bool,
        outcome: Outcome,
    ) -> Option<Read<()>> {
        Some(match outcome {
            Outcome::Document => return None,
            Outcome::Invalid(message) => self.fail(message),
            Outcome::Value(value) if document_only => self.fail(format!(
                "expected a document, found {}",
                super::type_name(&value)
            )),
            Outcome::Value(value) => match Scalar::of(&value) {
                Some(scalar) => sink.scalar(scalar),
                None => sink.value(value),
            }
            .map_err(refused(self.pos)),
        })
    }

    /// Reports a document whose first entries were read while looking for a wrapper, then
    /// reads the rest from the key `next` (or closes it, if the object has ended).
    fn replayed<S: Sink + ?Sized, K: Keep>(
        &mut self,
        sink: &mut S,
        depth: usize,
        keep: &K,
        read: impl IntoIterator<Item = (Cow<'t, str>, Content<'t>)>,
        next: Option<Span>,
    ) -> Read<()> {
        let at = self.pos;
        sink.begin_document(None).map_err(refused(at))?;
        for (key, content) in read {
            if keep.keeps(&key) {
                sink.key(&key).map_err(refused(at))?;
                sink.value(content.into_value()).map_err(refused(at))?;
            }
        }
        match next {
            Some(key) => self.entries(sink, depth, keep, key),
            None => sink.end_document().map_err(refused(at)),
        }
    }

    /// After an entry of an object: `None` at its `}`, or the next key after a `,`.
    fn after_entry(&mut self) -> Read<Option<Span>> {
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                Ok(None)
            }
            Some(b',') => {
                self.pos += 1;
                self.key().map(Some)
            }
            _ => self.fail("expected `,` or `}`"),
        }
    }

    /// Reads a wrapper key's contents: a string (borrowed from the text when it has no
    /// escapes), or any other value, decoded (usually a scalar: nothing is allocated).
    fn content(&mut self, depth: usize) -> Read<Content<'t>> {
        if self.peek() == Some(b'"') {
            self.pos += 1;
            let span = self.string()?;
            return Ok(Content::Str(self.cow(span)));
        }
        let mut builder = ValueBuilder::default();
        self.value(&mut builder, depth)?;
        Ok(Content::Value(builder.take().unwrap_or(Value::Null)))
    }

    fn colon(&mut self) -> Read<()> {
        if self.peek() == Some(b':') {
            self.pos += 1;
            Ok(())
        } else {
            self.fail("expected `:`")
        }
    }

    /// Reads an object key (the next thing must be its opening quote).
    fn key(&mut self) -> Read<Span> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string()
            }
            Some(_) => self.fail("key must be a string"),
            None => self.fail("EOF while parsing an object"),
        }
    }

    #[inline]
    fn str_of(&self, span: Span) -> &str {
        if span.in_scratch() {
            &self.scratch
        } else {
            &self.text[span.start..span.end]
        }
    }

    fn cow(&self, span: Span) -> Cow<'t, str> {
        let text: &'t str = self.text;
        if span.in_scratch() {
            Cow::Owned(self.scratch.clone())
        } else {
            Cow::Borrowed(&text[span.start..span.end])
        }
    }

    /// The offset of the first quote, backslash or control character at or after `from`.
    #[inline]
    fn plain_run(&self, from: usize) -> usize {
        from + text::plain_len(&self.bytes()[from..])
    }

    /// Reads a string's contents and its closing quote (after the opening one).
    #[inline]
    fn string(&mut self) -> Read<Span> {
        let start = self.pos;
        let end = self.plain_run(start);
        match self.bytes().get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                Ok(Span { start, end })
            }
            Some(b'\\') => self.escaped(start, end),
            Some(_) => {
                self.pos = end;
                self.fail("control character (\\u0000-\\u001F) found while parsing a string")
            }
            None => {
                self.pos = end;
                self.fail("EOF while parsing a string")
            }
        }
    }

    /// Reads the rest of a string that has escapes, unescaping it into the scratch buffer;
    /// `start..end` is its plain beginning.
    #[cold]
    fn escaped(&mut self, start: usize, mut end: usize) -> Read<Span> {
        self.scratch.clear();
        self.scratch.push_str(&self.text[start..end]);
        loop {
            match self.bytes().get(end) {
                Some(b'"') => {
                    self.pos = end + 1;
                    return Ok(Span::SCRATCH);
                }
                Some(b'\\') => {
                    self.pos = end + 1;
                    let c = self.escape()?;
                    self.scratch.push(c);
                }
                Some(_) => {
                    self.pos = end;
                    return self
                        .fail("control character (\\u0000-\\u001F) found while parsing a string");
                }
                None => {
                    self.pos = end;
                    return self.fail("EOF while parsing a string");
                }
            }
            let from = self.pos;
            end = self.plain_run(from);
            self.scratch.push_str(&self.text[from..end]);
        }
    }

    /// Reads one escape (after its backslash).
    fn escape(&mut self) -> Read<char> {
        let read = text::unescape(self.bytes(), self.pos);
        self.moved(read)
    }

    /// Reads a JSON number (see [`number::read`]).
    fn number(&mut self) -> Read<Scalar<'static>> {
        let read = number::read(self.text, self.pos);
        self.moved(read)
    }

    /// Takes what a helper read from the current position: moves to where it ended, or to where
    /// it stopped, failing with its reason.
    fn moved<T>(&mut self, read: Result<(T, usize), number::Refusal>) -> Read<T> {
        match read {
            Ok((value, end)) => {
                self.pos = end;
                Ok(value)
            }
            Err((at, message)) => {
                self.pos = at;
                self.fail(message)
            }
        }
    }

    /// Reads past one value at `depth`, checking that it is JSON, without decoding it.
    fn skip_value(&mut self, depth: usize) -> Read<()> {
        // One bit per open container, innermost lowest: 1 for an object, 0 for an array.
        const _: () = assert!(MAX_DEPTH <= 128);
        let mut objects: u128 = 0;
        let mut open = 0usize;
        loop {
            // A value starts here.
            match self.peek() {
                Some(open_bracket @ (b'{' | b'[')) => {
                    self.check_depth(depth + open)?;
                    self.pos += 1;
                    let close = if open_bracket == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                    } else {
                        objects = (objects << 1) | u128::from(open_bracket == b'{');
                        open += 1;
                        if open_bracket == b'{' {
                            self.key()?;
                            self.colon()?;
                        }
                        continue;
                    }
                }
                Some(b'"') => {
                    self.pos += 1;
                    self.string()?;
                }
                Some(_) => {
                    self.scalar()?;
                }
                None => return self.fail("EOF while parsing a value"),
            }
            // A value has ended: close what it ends, or go on to the next one.
            loop {
                if open == 0 {
                    return Ok(());
                }
                let in_object = objects & 1 == 1;
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if in_object {
                            self.key()?;
                            self.colon()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {}
                    Some(b']') if !in_object => {}
                    _ if in_object => return self.fail("expected `,` or `}`"),
                    _ => return self.fail("expected `,` or `]`"),
                }
                self.pos += 1;
                objects >>= 1;
                open -= 1;
            }
        }
    }
}
