//! `wxcloud migrate import|export|status`: the service's own migration jobs, which read and
//! write files in the env's cloud storage (unlike `wxcloud import`/`export`, which stream
//! through this machine).

use serde_json::json;
use wxcloud::statement::{Query, Statement};
use wxcloud::{ConflictMode, FileType, ImportOptions};

use super::Context;
use crate::cli::{ConnArgs, MigrateAction, OutputArgs};
use crate::failure::Failure;
use crate::input;

fn file_type(csv: bool) -> FileType {
    if csv { FileType::Csv } else { FileType::Json }
}

/// The `.get()` statement a migration export runs: as given, or written from a collection name
/// and `--where`.
pub fn export_statement(target: &str, filter: Option<&str>) -> Result<String, Failure> {
    if input::is_statement(target) {
        if filter.is_some() {
            return Err(Failure::usage(
                "--where goes with a collection name, not with a statement",
            ));
        }
        return Ok(target.to_owned());
    }
    super::write(&Statement::Query(Query {
        collection: target.to_owned(),
        filter: filter.map(|w| input::document("--where", w)).transpose()?,
        ..Query::default()
    }))
}

/// Runs one migrate action.
pub async fn run(action: MigrateAction, conn: &ConnArgs, out: &OutputArgs) -> Result<(), Failure> {
    match action {
        MigrateAction::Import {
            collection,
            file_path,
            csv,
            stop_on_error,
            upsert,
            common,
        } => {
            let options = ImportOptions {
                file_type: file_type(csv),
                stop_on_error,
                conflict_mode: if upsert {
                    ConflictMode::Upsert
                } else {
                    ConflictMode::Insert
                },
            };
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    let job = session
                        .client
                        .migrate_import(&collection, &file_path, options)
                        .await?;
                    printer.json(json!({ "job_id": job }))
                })
                .await
        }
        MigrateAction::Export {
            file_path,
            target,
            filter,
            csv,
            common,
        } => {
            let statement = export_statement(&target, filter.as_deref())?;
            Context::new(&common, conn, out)
                .run(&statement, async |session, printer| {
                    let job = session
                        .client
                        .migrate_export(&file_path, file_type(csv), &statement)
                        .await?;
                    printer.json(json!({ "job_id": job }))
                })
                .await
        }
        MigrateAction::Status { job_id, common } => {
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    let s = session.client.migrate_status(job_id).await?;
                    printer.json(json!({
                        "job_id": job_id,
                        "status": s.status,
                        "record_success": s.record_success,
                        "record_fail": s.record_fail,
                        "err_msg": s.err_msg,
                        "file_url": s.file_url,
                    }))
                })
                .await
        }
    }
}
