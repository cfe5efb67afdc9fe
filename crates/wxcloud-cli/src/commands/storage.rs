//! `wxcloud storage upload|download|url|rm`: files in the env's cloud storage.
//!
//! Uploads and downloads stream: memory stays bounded whatever the file's size, and a
//! progress bar on stderr counts the bytes when stderr is a terminal. `url` and `rm` print one
//! line per file in the order given and exit 1 if any file failed (after printing them all).

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use indicatif::ProgressBar;
use serde_json::json;
use wxcloud::UploadSource;

use super::Context;
use super::transfer::bytes_bar;
use crate::cli::{ConnArgs, OutputArgs, StorageAction};
use crate::failure::Failure;
use crate::output::io_failure;

/// Runs one storage action.
pub async fn run(action: StorageAction, conn: &ConnArgs, out: &OutputArgs) -> Result<(), Failure> {
    match action {
        StorageAction::Upload {
            local,
            cloud_path,
            common,
        } => {
            let (reader, length) = open_local(&local)?;
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    let bar = bytes_bar("uploading", length);
                    let source = UploadSource::reader(
                        Counted {
                            inner: reader,
                            bar: bar.clone(),
                        },
                        length,
                    );
                    let result = session.client.upload_file(&cloud_path, source).await;
                    finish(&bar, result.is_ok());
                    printer.json(json!({ "file_id": result? }))
                })
                .await
        }
        StorageAction::Download {
            file_id,
            output,
            common,
        } => {
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    let download = session.client.download_file_stream(&file_id).await?;
                    match &output {
                        Some(path) => {
                            let bar = bytes_bar("downloading", download.content_length());
                            let written = download_to_file(download, path, &bar).await;
                            finish(&bar, written.is_ok());
                            printer.json(
                                json!({ "file_id": file_id, "path": path, "bytes": written? }),
                            )
                        }
                        None => {
                            let mut stdout = std::io::stdout().lock();
                            copy(download, &mut stdout, &ProgressBar::hidden()).await?;
                            Ok(())
                        }
                    }
                })
                .await
        }
        StorageAction::Url {
            file_ids,
            max_age,
            common,
        } => {
            if max_age == 0 {
                return Err(Failure::usage("--max-age must be at least 1 second"));
            }
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    let links = session
                        .client
                        .download_urls(&file_ids, Duration::from_secs(max_age))
                        .await?;
                    let failed = links.iter().filter(|l| !l.is_ok()).count();
                    for l in links {
                        printer.json(json!({ "file_id": l.file_id, "url": l.url, "status": l.status, "errmsg": l.errmsg }))?;
                    }
                    per_file_outcome(failed, file_ids.len(), "have no download link")
                })
                .await
        }
        StorageAction::Rm { file_ids, common } => {
            Context::new(&common, conn, out)
                .with_session(async |session, printer| {
                    let results = session.client.delete_files(&file_ids).await?;
                    let failed = results.iter().filter(|r| !r.is_ok()).count();
                    for r in results {
                        printer.json(
                            json!({ "file_id": r.file_id, "status": r.status, "errmsg": r.errmsg }),
                        )?;
                    }
                    per_file_outcome(failed, file_ids.len(), "were not deleted")
                })
                .await
        }
    }
}

/// The local file (or stdin for `-`) to upload, opened, and its size when known. A file that
/// cannot be opened is a usage error, before anything is sent.
fn open_local(path: &Path) -> Result<(Box<dyn Read + Send>, Option<u64>), Failure> {
    if path == Path::new("-") {
        return Ok((Box::new(std::io::stdin()), None));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let meta = file
        .metadata()
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Failure::usage(format!("{} is not a file", path.display())));
    }
    Ok((Box::new(file), Some(meta.len())))
}

/// A reader that moves a progress bar as it is read.
struct Counted<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// Writes the download to `path`, removing the partial file if it fails.
async fn download_to_file(
    download: wxcloud::FileDownload,
    path: &Path,
    bar: &ProgressBar,
) -> Result<u64, Failure> {
    let file = std::fs::File::create(path)
        .map_err(|e| Failure::local(format!("cannot create {}: {e}", path.display())))?;
    let mut file = std::io::BufWriter::new(file);
    let result = copy(download, &mut file, bar).await;
    let result = result.and_then(|n| file.flush().map(|()| n).map_err(io_failure));
    if result.is_err() {
        drop(file);
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Copies the download to `out` chunk by chunk, moving `bar`.
async fn copy(
    mut download: wxcloud::FileDownload,
    out: &mut impl Write,
    bar: &ProgressBar,
) -> Result<u64, Failure> {
    let mut written = 0u64;
    while let Some(chunk) = download.chunk().await? {
        out.write_all(&chunk).map_err(io_failure)?;
        written += chunk.len() as u64;
        bar.set_position(written);
    }
    out.flush().map_err(io_failure)?;
    Ok(written)
}

fn finish(bar: &ProgressBar, ok: bool) {
    if ok {
        bar.finish_and_clear();
    } else {
        bar.abandon();
    }
}

/// Exit 1 after the per-file lines when some files failed.
fn per_file_outcome(failed: usize, total: usize, what: &str) -> Result<(), Failure> {
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure::local(format!(
            "{failed} of {total} files {what} (see their status and errmsg)"
        )))
    }
}
