//! `wxcloud export` and `wxcloud import`: whole collections as JSON lines, with progress on
//! stderr (hidden when stderr is not a terminal).
//!
//! Export writes canonical Extended JSON by default, so a file says exactly what the service
//! stored (an Int64 stays `{"$numberLong": ..}`); `--relaxed` writes the human-friendly form
//! the other commands print. Import sends documents as statements, whose numbers are typed by
//! value (as in the official SDK): what statements wrote imports back unchanged, while a value
//! no statement can carry (a Decimal128, an Int64 beyond ±2^53) is refused before sending and
//! an Int64 small enough for 32 bits comes back as an Int32.

use std::io::{BufWriter, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use wxcloud::statement::{Count, Query, Statement};
use wxcloud::walk::{MAX_PAGE_SIZE, Pages};
use wxcloud::{Document, Value, ejson};

use super::Context;
use crate::cli::{ExportArgs, ImportArgs};
use crate::failure::Failure;
use crate::input;
use crate::output::{io_failure, print_line};

/// Runs `export`: every matching record, one per line, on stdout.
pub async fn export(ctx: Context, e: ExportArgs) -> Result<(), Failure> {
    let filter = e
        .filter
        .as_deref()
        .map(|w| input::document("--where", w))
        .transpose()?;
    let mut query = Query::new(e.collection.clone());
    query.filter = filter.clone();
    // The core's walk: pages by key (ordered by `_id`), so records added or removed while the
    // export runs never shift the others; each page is a retried read.
    let mut pages = Pages::new(query)?.page_size(e.page_size).map_err(|_| {
        Failure::usage(format!("--page-size must be between 1 and {MAX_PAGE_SIZE}"))
    })?;
    if ctx.out.print_statement {
        return print_line(&super::write(&Statement::Query(pages.next_query()))?);
    }
    let relaxed = e.relaxed;
    let collection = e.collection.clone();
    ctx.with_session(async |session, _printer| {
        let mut out = BufWriter::new(std::io::stdout().lock());
        let bar = progress_bar("exporting");
        if !bar.is_hidden() {
            let mut count = Count::new(collection.clone());
            if let Some(f) = &filter {
                count = count.filter(f.clone());
            }
            bar.set_length(session.client.count(&count).await?);
        }
        let mut written: u64 = 0;
        while let Some(page) = pages.next_page(&session.client).await? {
            for doc in page {
                let line = if relaxed {
                    ejson::to_relaxed_string(&Value::Document(doc))
                } else {
                    ejson::to_canonical_string(&doc)
                };
                writeln!(out, "{line}").map_err(io_failure)?;
                written += 1;
            }
            bar.set_position(written);
        }
        out.flush().map_err(io_failure)?;
        bar.finish_and_clear();
        eprintln!("wxcloud: exported {written} records from {collection}");
        Ok(())
    })
    .await
}

/// Runs `import`: checks every line first, then adds the documents in batches and prints
/// `{"collection", "imported", "batches"}`.
pub async fn import(ctx: Context, i: ImportArgs) -> Result<(), Failure> {
    if i.batch_size == 0 {
        return Err(Failure::usage("--batch-size must be at least 1"));
    }
    let text = input::read_file(&i.file)?;
    let mut docs = Vec::new();
    let mut line_numbers = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        docs.push(input::line_document(idx + 1, line)?);
        line_numbers.push(idx + 1);
    }
    drop(text);
    let total = docs.len();
    let collection = i.collection.clone();
    let mut batches = Vec::new();
    let mut rest = docs.into_iter();
    loop {
        let batch: Vec<Document> = rest.by_ref().take(i.batch_size).collect();
        if batch.is_empty() {
            break;
        }
        let len = batch.len();
        let statement = super::write(&Statement::Add {
            collection: collection.clone(),
            docs: batch,
            many: true,
        })?;
        batches.push((statement, len));
    }
    if ctx.out.print_statement {
        for (statement, _) in &batches {
            print_line(statement)?;
        }
        return Ok(());
    }
    ctx.with_session(async |session, printer| {
        let bar = progress_bar("importing");
        bar.set_length(total as u64);
        let mut imported = 0usize;
        for (n, (statement, len)) in batches.iter().enumerate() {
            if let Err(err) = session.client.add(statement).await {
                bar.abandon();
                let first = line_numbers[imported];
                let last = line_numbers[imported + len - 1];
                eprintln!(
                    "wxcloud: imported {imported} of {total} documents; batch {} (lines {first}-{last}) failed and nothing after it was sent",
                    n + 1
                );
                return Err(err.into());
            }
            imported += len;
            bar.set_position(imported as u64);
        }
        bar.finish_and_clear();
        let plural = if batches.len() == 1 { "" } else { "es" };
        eprintln!(
            "wxcloud: imported {imported} documents into {collection} in {} batch{plural}",
            batches.len()
        );
        printer.json(json!({ "collection": collection, "imported": imported, "batches": batches.len() }))
    })
    .await
}

/// A progress bar counting records on stderr; indicatif hides it when stderr is not a terminal.
fn progress_bar(verb: &str) -> ProgressBar {
    bar_with(&format!(
        "{verb} {{bar:40}} {{pos}}/{{len}} records ({{per_sec}}, {{eta}} left)"
    ))
}

/// A progress bar counting bytes on stderr, hidden likewise (storage upload and download).
pub fn bytes_bar(verb: &str, total: Option<u64>) -> ProgressBar {
    let bar = bar_with(&format!(
        "{verb} {{bar:40}} {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, {{eta}} left)"
    ));
    if let Some(total) = total {
        bar.set_length(total);
    }
    bar
}

fn bar_with(template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
