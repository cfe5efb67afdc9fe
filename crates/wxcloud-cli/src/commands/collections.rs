//! `wxcloud collections list|create|drop`.

use serde_json::json;

use wxcloud::CollectionInfo;

use super::Context;
use crate::cli::{CollectionsAction, ConnArgs, OutputArgs};
use crate::failure::Failure;
use crate::session::Session;

/// Runs one collections action.
pub async fn run(
    action: CollectionsAction,
    conn: &ConnArgs,
    out: &OutputArgs,
) -> Result<(), Failure> {
    match action {
        CollectionsAction::List {
            limit,
            offset,
            common,
        } => {
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    for c in list_all(session, limit, offset).await? {
                        printer.json(json!({
                            "name": c.name,
                            "count": c.count,
                            "size": c.size,
                            "index_count": c.index_count,
                            "index_size": c.index_size,
                        }))?;
                    }
                    Ok(())
                })
                .await
        }
        CollectionsAction::Create { name, common } => {
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    session.client.create_collection(&name).await?;
                    printer.json(json!({ "created": name }))
                })
                .await
        }
        CollectionsAction::Drop { name, common } => {
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    session.client.delete_collection(&name).await?;
                    printer.json(json!({ "dropped": name }))
                })
                .await
        }
    }
}

/// The most collections asked for per request when listing them all.
const LIST_PAGE: u64 = 100;

/// One page when `limit` is given; otherwise every collection, a page at a time.
async fn list_all(
    session: &Session,
    limit: Option<u64>,
    offset: Option<u64>,
) -> Result<Vec<CollectionInfo>, Failure> {
    let mut offset = offset.unwrap_or(0);
    if let Some(limit) = limit {
        return Ok(session
            .client
            .list_collections(limit, offset)
            .await?
            .collections);
    }
    let mut all = Vec::new();
    loop {
        let page = session.client.list_collections(LIST_PAGE, offset).await?;
        let n = page.collections.len() as u64;
        all.extend(page.collections);
        offset += n;
        if n == 0 || offset >= page.pager.total {
            return Ok(all);
        }
    }
}
