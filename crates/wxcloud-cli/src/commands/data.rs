//! `aggregate`, `query`, `count`, `add`, `update`, `delete`: a statement as given, or one
//! written from a collection name and MongoDB-style flags.

use serde_json::json;
use wxcloud::Document;
use wxcloud::statement::{Query, Statement, Target as DocTarget, UpdateSpec};

use super::Context;
use crate::cli::{AddArgs, AggregateArgs, CountArgs, DeleteArgs, QueryArgs, UpdateArgs};
use crate::failure::Failure;
use crate::input;

/// The statement text `aggregate` sends.
pub fn aggregate_statement(a: &AggregateArgs) -> Result<String, Failure> {
    if input::is_statement(&a.target) {
        forbid_flags(&[("--pipeline", a.pipeline.is_some())])?;
        return Ok(a.target.clone());
    }
    let stages = match &a.pipeline {
        Some(p) => input::pipeline(p)?,
        None => Vec::new(),
    };
    super::write(&Statement::Aggregate {
        collection: a.target.clone(),
        stages,
    })
}

/// The statement text `query` sends.
pub fn query_statement(q: &QueryArgs) -> Result<String, Failure> {
    if input::is_statement(&q.target) {
        forbid_flags(&[
            ("--where", q.filter.is_some()),
            ("--order-by", !q.order_by.is_empty()),
            ("--limit", q.limit.is_some()),
            ("--skip", q.skip.is_some()),
            ("--fields", q.fields.is_some()),
        ])?;
        return Ok(q.target.clone());
    }
    let query = Query {
        collection: q.target.clone(),
        doc: None,
        filter: optional_where(q.filter.as_deref())?,
        order_by: input::order_by(&q.order_by)?,
        skip: q.skip,
        limit: q.limit,
        fields: q.fields.as_deref().map(input::fields).transpose()?,
    };
    super::write(&Statement::Query(query))
}

/// The statement text `count` sends.
pub fn count_statement(c: &CountArgs) -> Result<String, Failure> {
    if input::is_statement(&c.target) {
        forbid_flags(&[("--where", c.filter.is_some())])?;
        return Ok(c.target.clone());
    }
    super::write(&Statement::Count {
        collection: c.target.clone(),
        filter: optional_where(c.filter.as_deref())?,
    })
}

/// The statement text `add` sends.
pub fn add_statement(a: &AddArgs) -> Result<String, Failure> {
    if input::is_statement(&a.target) {
        forbid_flags(&[("--data", a.data.is_some())])?;
        return Ok(a.target.clone());
    }
    let data = a.data.as_deref().ok_or_else(|| {
        Failure::usage("add COLLECTION needs --data JSON (a document, an array, or @file.jsonl)")
    })?;
    let docs = input::documents(data)?;
    if docs.is_empty() {
        return Err(Failure::usage("--data holds no documents"));
    }
    super::write(&Statement::Add {
        collection: a.target.clone(),
        many: docs.len() > 1,
        docs,
    })
}

/// The statement text `update` sends.
pub fn update_statement(u: &UpdateArgs) -> Result<String, Failure> {
    if input::is_statement(&u.target) {
        forbid_flags(&[
            ("--where", u.filter.is_some()),
            ("--data", u.data.is_some()),
        ])?;
        return Ok(u.target.clone());
    }
    let (Some(filter), Some(data)) = (&u.filter, &u.data) else {
        return Err(Failure::usage(
            "update COLLECTION needs --where JSON and --data JSON (use --where '{}' for every record)",
        ));
    };
    super::write(&Statement::Update {
        collection: u.target.clone(),
        target: DocTarget::Where(input::document("--where", filter)?),
        update: UpdateSpec::Operators(input::document("--data", data)?),
    })
}

/// The statement text `delete` sends.
pub fn delete_statement(d: &DeleteArgs) -> Result<String, Failure> {
    if input::is_statement(&d.target) {
        forbid_flags(&[("--where", d.filter.is_some())])?;
        return Ok(d.target.clone());
    }
    let filter = d.filter.as_deref().ok_or_else(|| {
        Failure::usage(
            "delete COLLECTION needs --where JSON (use --where '{}' to delete every record)",
        )
    })?;
    super::write(&Statement::Remove {
        collection: d.target.clone(),
        target: DocTarget::Where(input::document("--where", filter)?),
    })
}

/// The document of an optional `--where` flag.
fn optional_where(filter: Option<&str>) -> Result<Option<Document>, Failure> {
    filter.map(|w| input::document("--where", w)).transpose()
}

fn forbid_flags(flags: &[(&str, bool)]) -> Result<(), Failure> {
    match flags.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(Failure::usage(format!(
            "{name} goes with a collection name, not with a statement (a statement starts with `db.` or `const`)"
        ))),
        None => Ok(()),
    }
}

/// Runs `aggregate`: prints each record.
pub async fn aggregate(ctx: Context, a: AggregateArgs) -> Result<(), Failure> {
    let statement = aggregate_statement(&a)?;
    ctx.run(&statement, async |session, printer| {
        let raw = session.client.aggregate_texts(&statement).await?;
        printer.raw_records(&raw)
    })
    .await
}

/// Runs `query`: prints each record, and on stderr a note when more records match.
pub async fn query(ctx: Context, q: QueryArgs) -> Result<(), Failure> {
    let statement = query_statement(&q)?;
    ctx.run(&statement, async |session, printer| {
        let page = session.client.query_texts(&statement).await?;
        printer.raw_records(&page.data)?;
        let shown = page.data.len() as u64;
        let pager = &page.pager;
        if pager.total > pager.offset + shown {
            eprintln!(
                "wxcloud: showed {shown} of {} matching records (from offset {}); use --skip/--limit to page, or `wxcloud export`",
                pager.total, pager.offset
            );
        }
        Ok(())
    })
    .await
}

/// Runs `count`: prints `{"count": N}`.
pub async fn count(ctx: Context, c: CountArgs) -> Result<(), Failure> {
    let statement = count_statement(&c)?;
    ctx.run(&statement, async |session, printer| {
        let n = session.client.count(&statement).await?;
        printer.json(json!({ "count": n }))
    })
    .await
}

/// Runs `add`: prints `{"ids": [...]}`.
pub async fn add(ctx: Context, a: AddArgs) -> Result<(), Failure> {
    let statement = add_statement(&a)?;
    ctx.run(&statement, async |session, printer| {
        let ids = session.client.add(&statement).await?;
        printer.json(json!({ "ids": ids }))
    })
    .await
}

/// Runs `update`: prints `{"matched": N, "modified": N}` (and `"id"` when `set()` inserted).
pub async fn update(ctx: Context, u: UpdateArgs) -> Result<(), Failure> {
    let statement = update_statement(&u)?;
    ctx.run(&statement, async |session, printer| {
        let r = session.client.update(&statement).await?;
        let mut obj = json!({ "matched": r.matched, "modified": r.modified });
        if let Some(id) = r.id.filter(|id| !id.is_empty()) {
            obj["id"] = json!(id);
        }
        printer.json(obj)
    })
    .await
}

/// Runs `delete`: prints `{"deleted": N}`.
pub async fn delete(ctx: Context, d: DeleteArgs) -> Result<(), Failure> {
    let statement = delete_statement(&d)?;
    ctx.run(&statement, async |session, printer| {
        let n = session.client.delete(&statement).await?;
        printer.json(json!({ "deleted": n }))
    })
    .await
}
