//! Whole collections and recorded SDK chains, for `client.iterate(..)` and `client.database()`
//! (both in `node/database.js`): the core's keyed walk a page at a time, and a recorded chain
//! turned into its statement by the core's chain lowering.

use std::sync::Arc;

use napi_derive::napi;
use tokio::sync::Mutex;
use wxcloud::Value;
use wxcloud::statement::Statement;
use wxcloud::statement::chain::{self, Operation};
use wxcloud::walk::Pages;

use crate::args::{Arg, Read, ReadJs};
use crate::client::Client;
use crate::errors::Reply;
use crate::raw::{Js, JsValue};
use crate::replies::Rows;
use crate::structured::{self, QueryOptions};
use crate::values::FromJs;

/// A chain as `database.js` records it: `{collection, calls: [[method, ...args], ...]}`, SDK
/// objects tagged (see the core's `statement::chain`).
pub struct Recorded(Value);

impl ReadJs for Recorded {
    const TS: &'static str = "RecordedChain";

    fn read(js: Js, v: JsValue) -> Read<Self> {
        FromJs::new(js).value(v, "chain", 0).map(Recorded)
    }
}

/// The statement a recorded chain means and the client method that sends it.
#[napi(object)]
pub struct ChainStatement {
    /// `query`, `count`, `add`, `update`, `delete` or `aggregate`.
    pub operation: String,
    /// The statement text.
    pub statement: String,
}

fn lower(chain: Arg<Recorded>) -> wxcloud::Result<Statement> {
    chain::statement_from_value(&chain.get()?.0)
}

/// The statement of a recorded chain (test and tooling hook behind `client.database()`).
#[napi(
    namespace = "statements",
    js_name = "chain",
    catch_unwind,
    skip_typescript
)]
pub fn chain_statement(chain: Arg<Recorded>) -> Reply<ChainStatement> {
    Reply(lower(chain).and_then(|s| {
        Ok(ChainStatement {
            operation: Operation::of(&s).name().to_owned(),
            statement: s.to_text()?,
        })
    }))
}

/// A walk over every record a query matches, read a page (up to 1,000 records) at a time.
#[napi]
pub struct QueryPages {
    client: wxcloud::Client,
    pages: Arc<Mutex<Pages>>,
}

#[napi]
impl QueryPages {
    /// The next page of records, or `null` once every match has been read.
    #[napi(catch_unwind, ts_return_type = "Promise<Document[] | null>")]
    pub async fn next_page(&self) -> Reply<Option<Rows>> {
        let mut pages = self.pages.lock().await;
        Reply(
            pages
                .next_page(&self.client)
                .await
                .map(|page| page.map(Rows::Decoded)),
        )
    }
}

fn walk(
    client: &wxcloud::Client,
    statement: wxcloud::Result<Statement>,
    page_size: Option<u32>,
) -> wxcloud::Result<QueryPages> {
    let Statement::Query(query) = statement? else {
        return Err(wxcloud::Error::statement(
            "iterate() walks a query: end the chain with where/orderBy/field",
        ));
    };
    let mut pages = Pages::new(query)?;
    if let Some(n) = page_size {
        pages = pages.page_size(u64::from(n))?;
    }
    Ok(QueryPages {
        client: client.clone(),
        pages: Arc::new(Mutex::new(pages)),
    })
}

#[napi]
impl Client {
    /// The walk behind `client.iterate(collection, {where, orderBy, fields})`.
    #[napi(js_name = "__queryPages", catch_unwind, skip_typescript)]
    pub fn query_pages(
        &self,
        collection: String,
        options: Option<Arg<QueryOptions>>,
        page_size: Option<u32>,
    ) -> Reply<QueryPages> {
        Reply(walk(
            self.core(),
            structured::query(collection, options),
            page_size,
        ))
    }

    /// The walk behind `db.collection(..).where(..).iterate()`.
    #[napi(js_name = "__chainPages", catch_unwind, skip_typescript)]
    pub fn chain_pages(&self, chain: Arg<Recorded>, page_size: Option<u32>) -> Reply<QueryPages> {
        Reply(walk(self.core(), lower(chain), page_size))
    }
}

/// The SDK's names, from the core's one vocabulary, so `database.js` offers exactly the
/// commands, operators and stages the statement writer and the emulator know.
#[napi(object)]
pub struct Vocabulary {
    /// `db.command` methods: query, logic and update commands (`eq`, `in`, `and`, `inc`, ...).
    pub commands: Vec<String>,
    /// `db.command.aggregate` operators (`sum`, `avg`, `concat`, ...).
    pub aggregate_operators: Vec<String>,
    /// Aggregate stages (`match`, `group`, ...).
    pub stages: Vec<String>,
    /// `db.Geo` shapes (`Point`, `Polygon`, ...).
    pub geo_types: Vec<String>,
}

/// The vocabulary `database.js` builds `db.command`, `db.command.aggregate`, the aggregate
/// chain and `db.Geo` from.
#[napi(js_name = "__vocabulary", catch_unwind, skip_typescript)]
pub fn vocabulary() -> Vocabulary {
    use wxcloud::statement::vocab;
    let names = |table: &[(&str, &str)]| table.iter().map(|(n, _)| (*n).to_owned()).collect();
    Vocabulary {
        commands: chain::command_names()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        aggregate_operators: names(vocab::AGGREGATE_OPERATORS),
        stages: vocab::AGGREGATE_STAGES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        geo_types: vocab::GEO_TYPES.iter().map(|s| (*s).to_owned()).collect(),
    }
}
