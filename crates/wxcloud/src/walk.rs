//! Reading every record a query matches: [`Client::iter_query`] and its [`QueryStream`].
//!
//! The service returns at most 1,000 records per query, so a whole collection takes many
//! calls. The stream pages **by key**: it orders by the requested fields plus `_id`, and asks
//! each next page for the records after the last key it saw (`{$or: [{k1: {$gt: v1}},
//! {k1: v1, k2: {$gt: v2}}, ..]}` joined to the caller's filter). A record added or removed
//! while the walk runs never shifts the others, so no record present for the whole walk is
//! skipped or repeated, and deep pages cost what the first one does.
//!
//! Keyed paging needs every sort value to compare with `$gt`/`$lt` against the last one: a
//! number, string, date, boolean or ObjectId, of one type per field across the walk. `_id`
//! always qualifies. For any other sort field the stream checks once, after the first page,
//! that no match holds a value that compares neither below nor above the first page's (one
//! `count` call per field); and it checks every record it reads. When a match holds something
//! else in a requested sort field (missing, null, a document, a value of another type), the
//! stream falls back to `skip` paging from that point, which — like any skip paging — can skip
//! or repeat records inserted or removed during the walk. Arrays in a sort field are not
//! detected by the first check (MongoDB sorts them by an element); avoid ordering a walk by one. Each page is a read, retried by the client's retry
//! policy; memory stays bounded by one page.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;

use crate::statement::{Direction, Query};
use crate::{Client, Document, Error, Result, Value};

/// The most records one query call returns, and the default page size.
pub const MAX_PAGE_SIZE: u64 = 1000;

/// How the next page is asked for.
#[derive(Clone, Debug, PartialEq)]
enum Position {
    /// The first page.
    Start,
    /// After this key (one value per sort field).
    After(Vec<Value>),
    /// Skip this many records in the requested order (the fallback).
    Skip(u64),
}

/// Which values compare with each other under `$gt`/`$lt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bracket {
    Number,
    Decimal,
    String,
    Date,
    Bool,
    ObjectId,
}

fn bracket(value: Option<&Value>) -> Option<Bracket> {
    Some(match value? {
        Value::Int32(_) | Value::Int64(_) | Value::Double(_) => Bracket::Number,
        Value::Decimal128(_) => Bracket::Decimal,
        Value::String(_) => Bracket::String,
        Value::Date(_) => Bracket::Date,
        Value::Bool(_) => Bracket::Bool,
        Value::ObjectId(_) => Bracket::ObjectId,
        _ => return None,
    })
}

/// The value at a dot path (`"a.b"`) of a record.
fn at_path<'d>(doc: &'d Document, path: &str) -> Option<&'d Value> {
    let mut parts = path.split('.');
    let mut value = doc.get(parts.next()?)?;
    for part in parts {
        value = value.as_document()?.get(part)?;
    }
    Some(value)
}

/// Removes the value at a dot path, if there is one.
fn remove_path(doc: &mut Document, path: &str) {
    match path.split_once('.') {
        None => {
            doc.shift_remove(path);
        }
        Some((head, rest)) => {
            if let Some(Value::Document(child)) = doc.get_mut(head) {
                remove_path(child, rest);
            }
        }
    }
}

fn one(key: &str, value: Value) -> Document {
    let mut d = Document::new();
    d.insert(key.to_owned(), value);
    d
}

/// Where a walk stands: the query of its next page, and what it has seen. Each
/// [`Pages::next_page`] reads one page with the client it is given; [`QueryStream`] yields the
/// records one by one.
#[derive(Clone, Debug)]
pub struct Pages {
    collection: String,
    filter: Option<Document>,
    order: Vec<(String, Direction)>,
    fields: Option<Document>,
    /// Sort fields added to the caller's projection, removed again from each record.
    strip: Vec<String>,
    page_size: u64,
    remaining: Option<u64>,
    position: Position,
    brackets: Vec<Option<Bracket>>,
    seen: u64,
    done: bool,
}

impl Pages {
    /// Asks for pages of `n` records (1 to 1,000; default 1,000).
    pub fn page_size(mut self, n: u64) -> Result<Pages> {
        if !(1..=MAX_PAGE_SIZE).contains(&n) {
            return Err(Error::statement(format!(
                "a page holds 1 to {MAX_PAGE_SIZE} records, not {n}"
            )));
        }
        self.page_size = n;
        Ok(self)
    }

    /// A walk over every record `query` matches (see [`Client::iter_query`] for what it takes).
    pub fn new(query: Query) -> Result<Pages> {
        if query.skip.is_some() {
            return Err(Error::statement(
                "a walk reads every match by key: skip() does not apply (narrow the filter instead)",
            ));
        }
        if query.doc.is_some() {
            return Err(Error::statement(
                "a walk reads a query's matches: doc(id) does not apply",
            ));
        }
        let mut order = query.order_by;
        if !order.iter().any(|(f, _)| f == "_id") {
            order.push(("_id".to_owned(), Direction::Asc));
        }
        let (fields, strip) = match query.fields {
            None => (None, Vec::new()),
            Some(projection) => with_sort_fields(projection, &order),
        };
        Ok(Pages {
            brackets: vec![None; order.len()],
            collection: query.collection,
            filter: query.filter,
            order,
            fields,
            strip,
            page_size: MAX_PAGE_SIZE,
            remaining: query.limit,
            position: Position::Start,
            seen: 0,
            done: false,
        })
    }

    /// The query the next page is read with (for logs and `--print-statement`).
    pub fn next_query(&self) -> Query {
        self.query_of(self.next_size())
    }

    fn next_size(&self) -> u64 {
        self.remaining
            .map_or(self.page_size, |r| r.min(self.page_size))
    }

    fn query_of(&self, size: u64) -> Query {
        let mut q = Query::new(self.collection.clone()).limit(size);
        q.order_by = self.order.clone();
        q.fields = self.fields.clone();
        q.filter = match &self.position {
            Position::After(key) => {
                let after = self.after(key);
                Some(match &self.filter {
                    Some(f) if !f.is_empty() => one(
                        "$and",
                        Value::Array(vec![Value::Document(f.clone()), Value::Document(after)]),
                    ),
                    _ => after,
                })
            }
            _ => self.filter.clone(),
        };
        if let Position::Skip(n) = self.position {
            q.skip = Some(n);
        }
        q
    }

    /// `{$or: [{k1: {$gt: v1}}, {k1: v1, k2: {$gt: v2}}, ...]}` for the last key.
    fn after(&self, key: &[Value]) -> Document {
        let mut terms: Vec<Value> = Vec::with_capacity(key.len());
        for i in 0..key.len() {
            let mut term = Document::new();
            for (j, (field, _)) in self.order.iter().enumerate().take(i) {
                term.insert(field.clone(), key[j].clone());
            }
            let (field, dir) = &self.order[i];
            let op = if *dir == Direction::Asc { "$gt" } else { "$lt" };
            term.insert(field.clone(), Value::Document(one(op, key[i].clone())));
            terms.push(Value::Document(term));
        }
        match terms.len() {
            1 => match terms.pop() {
                Some(Value::Document(d)) => d,
                _ => Document::new(),
            },
            _ => one("$or", Value::Array(terms)),
        }
    }

    /// Reads the sort key of `record`, or `None` when keyed paging cannot resume after it.
    fn key_of(&mut self, record: &Document) -> Option<Vec<Value>> {
        let mut key = Vec::with_capacity(self.order.len());
        for (i, (field, _)) in self.order.iter().enumerate() {
            let value = at_path(record, field);
            let b = bracket(value)?;
            match self.brackets[i] {
                None => self.brackets[i] = Some(b),
                Some(seen) if seen != b => return None,
                Some(_) => {}
            }
            key.push(value?.clone());
        }
        Some(key)
    }

    /// Whether every match holds, in each requested sort field, a value of the type the first
    /// page found there (asked once, after the first page, by counting the matches that
    /// compare neither below nor above it). If not, `$gt`/`$lt` would miss the others.
    async fn sorts_alike(&self, client: &Client, first: &Document, key: &[Value]) -> Result<bool> {
        for (i, (field, _)) in self.order.iter().enumerate() {
            if field == "_id" {
                continue;
            }
            let v = at_path(first, field)
                .cloned()
                .unwrap_or_else(|| key[i].clone());
            let comparable = Value::Array(vec![
                Value::Document(one(field, Value::Document(one("$lte", v.clone())))),
                Value::Document(one(field, Value::Document(one("$gt", v)))),
            ]);
            let mut parts = vec![Value::Document(one("$nor", comparable))];
            if let Some(f) = self.filter.as_ref().filter(|f| !f.is_empty()) {
                parts.insert(0, Value::Document(f.clone()));
            }
            let others = crate::statement::Count::new(self.collection.clone())
                .filter(one("$and", Value::Array(parts)));
            if client.count(&others).await? > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Reads the next page: `None` once every match has been read.
    pub async fn next_page(&mut self, client: &Client) -> Result<Option<Vec<Document>>> {
        if self.done {
            return Ok(None);
        }
        let size = self.next_size();
        if size == 0 {
            self.done = true;
            return Ok(None);
        }
        let mut page = client.query(&self.query_of(size)).await?.data;
        let read = page.len() as u64;
        self.seen += read;
        if let Some(r) = &mut self.remaining {
            *r -= read.min(*r);
        }
        if read < size {
            self.done = true;
        } else if !matches!(self.position, Position::Skip(_)) {
            let mut resumable = true;
            for record in &page {
                if self.key_of(record).is_none() {
                    resumable = false;
                    break;
                }
            }
            let mut last = page
                .last()
                .and_then(|r| if resumable { self.key_of(r) } else { None });
            if let (Some(key), Some(first)) = (&last, page.first())
                && self.position == Position::Start
                && !self.sorts_alike(client, first, key).await?
            {
                last = None;
            }
            self.position = match last {
                Some(key) => Position::After(key),
                None => {
                    tracing::debug!(
                        collection = %self.collection,
                        "sort values do not allow keyed paging; falling back to skip"
                    );
                    Position::Skip(self.seen)
                }
            };
        } else {
            self.position = Position::Skip(self.seen);
        }
        if !self.strip.is_empty() {
            for record in &mut page {
                for path in &self.strip {
                    remove_path(record, path);
                }
            }
        }
        if page.is_empty() {
            return Ok(None);
        }
        Ok(Some(page))
    }
}

/// The caller's projection with every sort field kept (so the key can be read), and the
/// fields to remove again from each record.
fn with_sort_fields(
    mut projection: Document,
    order: &[(String, Direction)],
) -> (Option<Document>, Vec<String>) {
    let truthy = |v: &Value| match v {
        Value::Bool(b) => *b,
        v => v.as_f64().is_none_or(|n| n != 0.0),
    };
    let inclusion = projection.iter().any(|(k, v)| k != "_id" && truthy(v));
    let mut strip = Vec::new();
    for (field, _) in order {
        if inclusion {
            if field != "_id" && !projection.contains_key(field) {
                projection.insert(field.clone(), Value::Bool(true));
                strip.push(field.clone());
            }
        } else if projection.get(field).is_some_and(|v| !truthy(v)) {
            projection.shift_remove(field);
            strip.push(field.clone());
        }
    }
    if inclusion && projection.get("_id").is_some_and(|v| !truthy(v)) {
        projection.shift_remove("_id");
        strip.push("_id".to_owned());
    }
    let projection = (!projection.is_empty()).then_some(projection);
    (projection, strip)
}

type PageFuture = Pin<Box<dyn Future<Output = (Pages, Result<Option<Vec<Document>>>)> + Send>>;

/// Every record a query matches, one page (up to 1,000 records) per call: a
/// [`Stream`] of `Result<Document>`. Made by [`Client::iter_query`]; see the [module
/// docs](self) for how it pages.
///
/// ```no_run
/// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
/// use futures::TryStreamExt;
/// use wxcloud::statement::{Direction, Query};
///
/// let mut todos = client.iter_query(Query::new("todos").order_by("due", Direction::Asc))?;
/// while let Some(todo) = todos.try_next().await? {
///     println!("{:?}", todo.get("description"));
/// }
/// # Ok(()) }
/// ```
pub struct QueryStream {
    client: Client,
    pages: Option<Pages>,
    pending: Option<PageFuture>,
    buffer: VecDeque<Document>,
    finished: bool,
}

impl QueryStream {
    /// Asks for pages of `n` records (1 to 1,000; default 1,000).
    pub fn page_size(mut self, n: u64) -> Result<QueryStream> {
        self.pages = match self.pages.take() {
            Some(p) => Some(p.page_size(n)?),
            None => None,
        };
        Ok(self)
    }
}

impl std::fmt::Debug for QueryStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryStream")
            .field("buffered", &self.buffer.len())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl Stream for QueryStream {
    type Item = Result<Document>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(record) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(record)));
            }
            if self.finished {
                return Poll::Ready(None);
            }
            if self.pending.is_none() {
                let Some(mut pages) = self.pages.take() else {
                    return Poll::Ready(None);
                };
                let client = self.client.clone();
                self.pending = Some(Box::pin(async move {
                    let page = pages.next_page(&client).await;
                    (pages, page)
                }));
            }
            let Some(pending) = self.pending.as_mut() else {
                return Poll::Ready(None);
            };
            let (pages, page) = futures::ready!(pending.as_mut().poll(cx));
            self.pending = None;
            self.pages = Some(pages);
            match page {
                Ok(Some(records)) => self.buffer.extend(records),
                Ok(None) => self.finished = true,
                Err(e) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

impl Client {
    /// Every record `query` matches, as a [`QueryStream`] of pages of up to 1,000 read by key
    /// (see [`crate::walk`]). `query`'s `limit` caps the total; `skip` and `doc` are refused
    /// with a [`crate::ErrorKind::Statement`] error.
    pub fn iter_query(&self, query: Query) -> Result<QueryStream> {
        Ok(QueryStream {
            client: self.clone(),
            pages: Some(Pages::new(query)?),
            pending: None,
            buffer: VecDeque::new(),
            finished: false,
        })
    }
}
