//! What one decoding call reuses from the last: Python strings for field names and for short
//! values, and the shapes of the documents built from them.
//!
//! Field names come from a cache of Python strings whose hash is computed once (CPython keeps
//! it in the string, so a dict insert with it never hashes again); short values come from
//! another while it pays (see [`Values`]). A field name is handed out as a [`Key`], an index the
//! cache answers for until the record is finished, so no reference count changes hands per
//! key (in the stable ABI each change is a function call, and a record has a dozen keys).
//!
//! A document's dict is built once all its entries are decoded. A dict built by inserting a dozen
//! keys one by one is resized twice on the way (8 slots, then 16, then 32), and the stable ABI
//! has no way to create one at its final size. But the records of a reply have the same fields
//! in the same order, so the first document of a shape leaves a template behind — a dict of
//! those keys, each holding `None` — and the next ones start as a copy of it (`PyDict_Copy`
//! clones the key table in one go) whose values are then replaced in place. Key order is the
//! template's, which is the document's: a document is built from a template only if its keys
//! are the very same strings in the same order.

use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// The caches of one call: the process's, or fresh ones when another call holds those.
pub enum Caches {
    Shared(MutexGuard<'static, Cache>),
    Local(Box<Cache>),
}

impl Caches {
    /// The process's caches, unless another decoding call is using them.
    pub fn take() -> Self {
        match CACHE.try_lock() {
            Ok(shared) => Caches::Shared(shared),
            Err(_) => Caches::Local(Box::new(Cache::new())),
        }
    }

    #[inline]
    pub fn get(&mut self) -> &mut Cache {
        match self {
            Caches::Shared(shared) => shared,
            Caches::Local(local) => local,
        }
    }
}

/// Field names and document shapes, shared by every decoding call of the process.
static CACHE: Mutex<Cache> = Mutex::new(Cache::new());

pub struct Cache {
    keys: StringCache,
    values: Values,
    shapes: Vec<Option<Shape>>,
}

/// Documents with fewer entries than this are built by inserting (a fresh dict holds five
/// without resizing).
const MIN_SHAPED: usize = 6;
/// Documents with more entries than this are not given a template.
const MAX_SHAPED: usize = 64;
/// Slots for templates (a power of two).
const SHAPE_SLOTS: usize = 64;
/// A template that fails this many documents in a row in its slot gives way to a new one.
const MAX_MISSES: u32 = 8;

/// A document shape: its keys in order, and a dict of them holding `None`.
struct Shape {
    keys: Vec<Py<PyString>>,
    template: Py<PyDict>,
    misses: u32,
}

impl Cache {
    const fn new() -> Self {
        Cache {
            keys: StringCache::new(MAX_CACHED_KEY, true),
            values: Values {
                strings: StringCache::new(MAX_CACHED_VALUE, false),
                lookups: 0,
                hits: 0,
                bypass: 0,
            },
            shapes: Vec::new(),
        }
    }

    /// The Python string for a field name, valid until [`Cache::record_done`].
    #[inline]
    pub fn key(&mut self, py: Python<'_>, key: &str) -> Key {
        self.keys.get(py, key).0
    }

    /// Lets go of the strings no slot holds any more (evicted ones, long keys), once enough have
    /// piled up; call it between records, when no [`Key`] is in use.
    pub fn record_done(&mut self, py: Python<'_>) {
        self.keys.tidy(py);
        self.values.strings.tidy(py);
    }

    /// The Python string for a string value: short ones come from a cache while it pays (see
    /// [`Values`]).
    #[inline]
    pub fn value<'py>(&mut self, py: Python<'py>, value: &str) -> Bound<'py, PyString> {
        let values = &mut self.values;
        if value.len() > MAX_CACHED_VALUE || values.bypass > 0 {
            values.bypass = values.bypass.saturating_sub(1);
            return PyString::new(py, value);
        }
        let (key, hit) = values.strings.get(py, value);
        let string = values.strings.string(py, key).clone();
        values.lookups += 1;
        values.hits += u32::from(hit);
        if values.lookups == VALUE_WINDOW {
            if values.hits < VALUE_WINDOW / 2 {
                values.bypass = VALUE_BYPASS;
            }
            values.lookups = 0;
            values.hits = 0;
        }
        string
    }

    /// A dict of `entries`, in their order (a later duplicate key replaces the earlier value,
    /// keeping its place, as inserting does).
    pub fn dict<'py>(
        &mut self,
        py: Python<'py>,
        entries: &[(Key, Bound<'py, PyAny>)],
    ) -> PyResult<Bound<'py, PyDict>> {
        let keys = &self.keys;
        let n = entries.len();
        if !(MIN_SHAPED..=MAX_SHAPED).contains(&n) {
            return keys.fill(PyDict::new(py), entries);
        }
        if self.shapes.is_empty() {
            self.shapes.resize_with(SHAPE_SLOTS, || None);
        }
        let first = keys.string(py, entries[0].0).as_ptr() as usize;
        let slot = &mut self.shapes[((first >> 4) ^ n) & (SHAPE_SLOTS - 1)];
        if let Some(shape) = slot {
            let same = shape.keys.len() == n
                && shape
                    .keys
                    .iter()
                    .zip(entries)
                    .all(|(a, (b, _))| a.as_ptr() == keys.string(py, *b).as_ptr());
            if same {
                shape.misses = 0;
                return keys.fill(shape.template.bind(py).copy()?, entries);
            }
            shape.misses += 1;
            if shape.misses < MAX_MISSES {
                return keys.fill(PyDict::new(py), entries);
            }
        }
        let dict = keys.fill(PyDict::new(py), entries)?;
        // Only a document without duplicate keys leaves a template.
        if dict.len() == n {
            let template = PyDict::new(py);
            for (key, _) in entries {
                template.set_item(keys.string(py, *key), py.None())?;
            }
            *slot = Some(Shape {
                keys: entries
                    .iter()
                    .map(|(k, _)| keys.string(py, *k).clone().unbind())
                    .collect(),
                template: template.unbind(),
                misses: 0,
            });
        }
        Ok(dict)
    }
}

/// String values longer than this are not cached.
const MAX_CACHED_VALUE: usize = 16;
/// How many value lookups the cache's hit rate is judged over.
const VALUE_WINDOW: u32 = 256;
/// How many short values are created directly after a window with fewer than half hits.
const VALUE_BYPASS: u32 = 4096;

/// Short string values, cached like field names while that pays. Records repeat many of their
/// short values (a type, a status, a tag, a unit), and a cached string costs a lookup where a new
/// one costs an allocation, a copy and later a free. Where values do not repeat (ids, names),
/// each miss costs a lookup on top; so a window with fewer than half hits turns the cache off
/// for the next few thousand values, and then it is tried again.
struct Values {
    strings: StringCache,
    lookups: u32,
    hits: u32,
    /// Values still to create without the cache.
    bypass: u32,
}

/// Keys longer than this are not cached (field names are short; long keys are data).
const MAX_CACHED_KEY: usize = 64;
/// Sets of two slots in each string cache (a power of two).
const SETS: usize = 512;

/// A two-way set-associative cache of Python strings: a string's bytes pick a set of two
/// slots; a third string landing there replaces the older of the two. A cached field name has
/// its hash computed once, which CPython keeps in the string, so a dict insert with it never
/// hashes again.
///
/// The strings themselves sit in a list the slots index into. A string leaves that list only
/// in [`StringCache::tidy`], between records, so a [`Key`] handed out during a record stays
/// good until the record is finished even if its slot is taken by another string meanwhile.
///
/// A string is looked up by its length and its first and last eight bytes (overlapping for short
/// keys, zero-padded below eight): one multiplication picks the set, and for keys of up to 16
/// bytes — nearly every field name — those two words *are* the key, so comparing them is the
/// whole comparison. Longer keys are also compared byte for byte. A set is one 64-byte cache
/// line, so a lookup touches one line of the table. (A direct-mapped cache would let two fields
/// of one record that hash alike evict each other on every record; two ways make that take
/// three.)
struct StringCache {
    sets: Vec<Set>,
    /// The strings: those the slots hold, and since the last tidy, those they held before and
    /// uncached long ones.
    strings: Vec<Py<PyString>>,
    /// The text of each string of `strings` longer than 16 bytes (which its words do not
    /// determine), for comparing.
    texts: Vec<Option<Box<str>>>,
    /// Strings longer than this are not cached.
    max_len: usize,
    /// Whether each cached string has its hash computed when it is made (for dict keys).
    hashed: bool,
}

/// Two slots, newest first, in one cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Set([Slot; 2]);

/// A cached string: its words, and where it is in the cache's list.
#[derive(Clone, Copy)]
struct Slot {
    words: Words,
    string: Key,
}

impl Slot {
    /// A slot holding nothing: no key is this long.
    const EMPTY: Slot = Slot {
        words: Words {
            len: u32::MAX,
            head: 0,
            tail: 0,
        },
        string: Key(0),
    };
}

/// A string of a [`StringCache`], by its place in the cache's list: good until the next tidy.
#[derive(Clone, Copy)]
pub struct Key(u32);

/// How many strings a cache's list may hold before a tidy drops those no slot holds.
const TIDY_AT: usize = 4 * SETS;

/// A key's length and its first and last eight bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Words {
    head: u64,
    tail: u64,
    len: u32,
}

impl Words {
    /// The words of a key of at most `MAX_CACHED_KEY` bytes.
    #[inline]
    fn of(key: &[u8]) -> Words {
        let len = key.len() as u32;
        let word = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&key[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        let (head, tail) = if key.len() >= 8 {
            (word(0), word(key.len() - 8))
        } else {
            (short_word(key), 0)
        };
        Words { head, tail, len }
    }

    /// The set the key belongs in.
    #[inline]
    fn set(self) -> usize {
        const K1: u64 = 0x9E37_79B9_7F4A_7C15;
        const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
        let mut mixed =
            self.head.wrapping_mul(K1) ^ self.tail.wrapping_mul(K2) ^ u64::from(self.len);
        mixed ^= mixed >> 32;
        (mixed.wrapping_mul(K1) >> (64 - SETS.trailing_zeros())) as usize
    }
}

/// Fewer than eight bytes as a zero-padded little-endian word.
#[inline]
fn short_word(b: &[u8]) -> u64 {
    // Two overlapping loads: the bytes they share are the same, so or-ing them is exact.
    let load = |at: usize, width: usize| {
        b[at..at + width]
            .iter()
            .rev()
            .fold(0u64, |w, &byte| (w << 8) | u64::from(byte))
    };
    match b.len() {
        0 => 0,
        1 => u64::from(b[0]),
        n @ 2..=3 => load(0, 2) | (load(n - 2, 2) << ((n - 2) * 8)),
        n => load(0, 4) | (load(n - 4, 4) << ((n - 4) * 8)),
    }
}

impl StringCache {
    const fn new(max_len: usize, hashed: bool) -> Self {
        StringCache {
            sets: Vec::new(),
            strings: Vec::new(),
            texts: Vec::new(),
            max_len,
            hashed,
        }
    }

    /// The Python string for `key`, and whether it came from the cache.
    #[inline]
    fn get(&mut self, py: Python<'_>, key: &str) -> (Key, bool) {
        if key.len() > self.max_len {
            return (self.add(PyString::new(py, key), None), false);
        }
        if self.sets.is_empty() {
            self.sets.resize(SETS, Set([Slot::EMPTY; 2]));
        }
        let words = Words::of(key.as_bytes());
        let set = &mut self.sets[words.set()];
        for slot in &set.0 {
            if slot.words == words
                && (key.len() <= 16 || self.texts[slot.string.0 as usize].as_deref() == Some(key))
            {
                return (slot.string, true);
            }
        }
        let string = PyString::new(py, key);
        // Computed now and kept by the string object; a failure only means it is not cached.
        if self.hashed {
            let _ = string.hash();
        }
        let string = self.add(string, (key.len() > 16).then(|| key.into()));
        // The newer of the set's two keys moves to its second slot, the older leaves.
        let set = &mut self.sets[words.set()];
        set.0[1] = set.0[0];
        set.0[0] = Slot { words, string };
        (string, false)
    }

    fn add(&mut self, string: Bound<'_, PyString>, text: Option<Box<str>>) -> Key {
        self.strings.push(string.unbind());
        self.texts.push(text);
        Key((self.strings.len() - 1) as u32)
    }

    /// The string `key` stands for.
    #[inline]
    fn string<'a, 'py>(&'a self, py: Python<'py>, key: Key) -> &'a Bound<'py, PyString> {
        self.strings[key.0 as usize].bind(py)
    }

    /// Sets each entry in `dict`.
    fn fill<'py>(
        &self,
        dict: Bound<'py, PyDict>,
        entries: &[(Key, Bound<'py, PyAny>)],
    ) -> PyResult<Bound<'py, PyDict>> {
        let py = dict.py();
        for (key, value) in entries {
            dict.set_item(self.string(py, *key), value)?;
        }
        Ok(dict)
    }

    /// Drops the strings no slot holds, once there are enough of them: only between records.
    fn tidy(&mut self, py: Python<'_>) {
        if self.strings.len() < TIDY_AT {
            return;
        }
        let (mut strings, mut texts) = (Vec::with_capacity(2 * SETS), Vec::with_capacity(2 * SETS));
        for slot in self.sets.iter_mut().flat_map(|set| &mut set.0) {
            if slot.words.len != u32::MAX {
                let at = slot.string.0 as usize;
                strings.push(self.strings[at].clone_ref(py));
                texts.push(self.texts[at].take());
                slot.string = Key((strings.len() - 1) as u32);
            }
        }
        (self.strings, self.texts) = (strings, texts);
    }
}
