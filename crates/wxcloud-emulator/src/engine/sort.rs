//! Sorting by a specification (`{"a": 1, "b": -1}`) the way MongoDB does: a field holding an
//! array sorts by its smallest element ascending and its largest descending, a missing field
//! sorts as null, and an empty array sorts before null.

use std::cmp::Ordering;

use wxcloud::{Document, Value};

use super::EngineError;
use super::order::compare;
use super::path;

/// A compiled sort specification.
#[derive(Debug, Clone)]
pub struct SortKeys {
    keys: Vec<(Vec<String>, bool)>,
}

/// One document's sort key for one field: `None` sorts before every other value except MinKey
/// (an empty array).
type KeyPart = Option<Value>;

fn cmp_part(a: &KeyPart, b: &KeyPart) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(v)) => {
            if matches!(v, Value::MinKey) {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Some(_), None) => cmp_part(b, a).reverse(),
        (Some(x), Some(y)) => compare(x, y),
    }
}

impl SortKeys {
    /// Compiles a sort specification; directions must be 1 or -1.
    pub fn compile(spec: &Document) -> Result<SortKeys, EngineError> {
        if spec.is_empty() {
            return Err(EngineError(
                "$sort stage must have at least one sort key".into(),
            ));
        }
        let keys = spec
            .iter()
            .map(|(k, v)| {
                let dir = match v.as_f64() {
                    Some(1.0) => true,
                    Some(-1.0) => false,
                    _ => {
                        if let Value::Document(d) = v
                            && d.contains_key("$meta")
                        {
                            return Err(EngineError("unsupported sort: $meta".into()));
                        }
                        return Err(EngineError(format!("$sort key ordering must be 1 (for ascending) or -1 (for descending): {k}")));
                    }
                };
                Ok((path::split(k), dir))
            })
            .collect::<Result<_, _>>()?;
        Ok(SortKeys { keys })
    }

    /// Adds to `fields` the top-level fields the sort keys are read from.
    pub fn top_fields(&self, fields: &mut Vec<String>) {
        fields.extend(self.keys.iter().filter_map(|(p, _)| p.first().cloned()));
    }

    /// The sort key of one document.
    fn key(&self, doc: &Document) -> Vec<KeyPart> {
        self.keys
            .iter()
            .map(|(p, asc)| field_key(doc, p, *asc))
            .collect()
    }

    fn cmp_keys(&self, a: &[KeyPart], b: &[KeyPart]) -> Ordering {
        for ((x, y), (_, asc)) in a.iter().zip(b).zip(&self.keys) {
            let o = cmp_part(x, y);
            if o != Ordering::Equal {
                return if *asc { o } else { o.reverse() };
            }
        }
        Ordering::Equal
    }

    /// Compares two documents by this specification.
    pub fn compare(&self, a: &Document, b: &Document) -> Ordering {
        self.cmp_keys(&self.key(a), &self.key(b))
    }

    /// Sorts documents stably, computing each document's key once.
    pub fn sort(&self, docs: &mut Vec<Document>) {
        self.sort_by(docs, |d| d);
    }

    /// Sorts items stably by the document `doc` finds in each, computing each key once.
    pub fn sort_by<T>(&self, items: &mut Vec<T>, doc: fn(&T) -> &Document) {
        let mut keyed: Vec<(Vec<KeyPart>, T)> =
            items.drain(..).map(|t| (self.key(doc(&t)), t)).collect();
        keyed.sort_by(|a, b| self.cmp_keys(&a.0, &b.0));
        items.extend(keyed.into_iter().map(|(_, t)| t));
    }

    /// The first `k` items in order of the document `doc` finds in each (stably: on equal keys
    /// the earlier item first), holding at most `2k` at a time: items are gathered, and each
    /// time `2k` are held they are sorted and cut back to `k`, whose last is then the bar a
    /// later item must pass to be kept at all.
    pub fn top_k<T, E>(
        &self,
        input: impl Iterator<Item = Result<T, E>>,
        k: usize,
        doc: fn(&T) -> &Document,
    ) -> Result<Vec<T>, E> {
        let held_at_most = k.saturating_mul(2).max(1);
        let mut held: Vec<(Vec<KeyPart>, T)> = Vec::with_capacity(held_at_most.min(2048));
        // The k-th smallest key so far, once `k` items have been cut back to.
        let mut bar: Option<Vec<KeyPart>> = None;
        for t in input {
            let t = t?;
            let key = self.key(doc(&t));
            // Held items all come earlier, so a tie with the bar loses.
            if bar
                .as_ref()
                .is_some_and(|bar| self.cmp_keys(&key, bar) != Ordering::Less)
            {
                continue;
            }
            held.push((key, t));
            if held.len() >= held_at_most {
                self.cut(&mut held, k);
                bar = held.last().map(|(key, _)| key.clone());
            }
        }
        self.cut(&mut held, k);
        Ok(held.into_iter().map(|(_, t)| t).collect())
    }

    /// Sorts `held` stably by key and keeps the first `k`.
    fn cut<T>(&self, held: &mut Vec<(Vec<KeyPart>, T)>, k: usize) {
        held.sort_by(|a, b| self.cmp_keys(&a.0, &b.0));
        held.truncate(k);
    }
}

/// The sort key of one field: every value reached through arrays, the smallest (ascending) or
/// largest (descending); missing is null; only empty arrays reached gives `None`.
fn field_key(doc: &Document, parts: &[String], asc: bool) -> KeyPart {
    let mut cands = Vec::new();
    path::filter_candidates(doc, parts, &mut cands);
    let null = Value::Null;
    // No value on the way (a scalar or null parent) sorts as missing, i.e. null.
    if cands.is_empty() {
        return Some(null);
    }
    let mut best: Option<&Value> = None;
    for c in &cands {
        let items: &[Value] = match c {
            None => std::slice::from_ref(&null),
            Some(Value::Array(items)) => items,
            Some(v) => std::slice::from_ref(*v),
        };
        for v in items {
            let better = match best {
                None => true,
                Some(b) => {
                    let o = compare(v, b);
                    if asc {
                        o == Ordering::Less
                    } else {
                        o == Ordering::Greater
                    }
                }
            };
            if better {
                best = Some(v);
            }
        }
    }
    best.cloned()
}
