//! File storage: upload, download links, download, delete (`/tcb/uploadfile`,
//! `/tcb/batchdownloadfile`, `/tcb/batchdeletefile`, then cloud storage itself).
//!
//! Choices where the API reference is silent:
//!
//! - A cloud path is a relative path in the env's storage: `img/a.png`, never `/img/a.png`.
//!   An empty path, a leading or trailing `/`, an empty, `.` or `..` segment, a backslash, a
//!   control character or more than 850 bytes (COS's key limit) is refused before anything is
//!   sent ([`crate::Error::InvalidArgument`]).
//! - Lists of file IDs of any length are split into calls of [`MAX_FILES_PER_CALL`]; the
//!   results come back in input order. A file the service's reply does not mention gets a
//!   [`MISSING_FROM_REPLY`] status of its own instead of failing the whole list.
//! - Transfers to and from cloud storage are not bounded by the client's call timeout as a
//!   whole (a large file takes longer): an upload of known length may take the timeout plus one
//!   second per 64 KiB, a download's reply headers and each of its chunks must arrive within the
//!   timeout.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tracing::Instrument;

use crate::client::{Client, Op};
use crate::cos::{self, UploadTicket};
use crate::retry::{self, Safety};
use crate::transport::from_reqwest;
use crate::{Error, ErrorKind, Result};

/// The most file IDs the service takes in one `batchdownloadfile` or `batchdeletefile` call.
pub const MAX_FILES_PER_CALL: usize = 50;

/// The longest cloud path COS accepts as an object key, in bytes.
pub const MAX_CLOUD_PATH_BYTES: usize = 850;

/// The `status` of a [`DownloadLink`] or [`DeleteResult`] for a file the service's reply did
/// not mention at all.
pub const MISSING_FROM_REPLY: i64 = -1;

/// How long the links [`Client::download_file`] asks for stay valid.
const DOWNLOAD_LINK_AGE: Duration = Duration::from_secs(600);

/// The slowest transfer rate an upload of known length is given time for.
const SLOWEST_UPLOAD_BYTES_PER_SEC: u64 = 64 * 1024;

/// How long a transfer with no length to go by may take (a week: in effect, no limit).
const UNBOUNDED_TRANSFER: Duration = Duration::from_secs(7 * 24 * 3600);

/// The size of the pieces a file or reader is sent in.
const CHUNK_BYTES: usize = 64 * 1024;

/// A stream of file content, as [`UploadSource::stream`] takes it.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + 'static>>;

/// What [`Client::upload_file`] uploads: bytes in memory, a local file, a stream or a reader.
///
/// Files, streams and readers are sent as they are read, never held whole in memory. Bytes and
/// files can be sent again if cloud storage fails transiently; a stream or a reader is sent once.
///
/// ```
/// use std::path::Path;
/// use wxcloud::UploadSource;
///
/// let from_memory = UploadSource::from(b"hello".to_vec());
/// let from_file = UploadSource::from(Path::new("photo.png"));
/// let chunks = futures::stream::iter([Ok(wxcloud::Bytes::from_static(b"hello"))]);
/// let from_stream = UploadSource::stream(chunks, Some(5));
/// # let _ = (from_memory, from_file, from_stream);
/// ```
pub struct UploadSource(Source);

enum Source {
    Bytes(Bytes),
    Path(PathBuf),
    Stream(Option<(ByteStream, Option<u64>)>),
}

impl UploadSource {
    /// Content already in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        UploadSource(Source::Bytes(bytes.into()))
    }

    /// The content of the local file at `path`, read as it is sent. A path that does not
    /// name a readable file is refused before anything is sent.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        UploadSource(Source::Path(path.into()))
    }

    /// Content from a stream of chunks, with its total length in bytes if known (cloud storage
    /// may refuse a body of unknown length; the emulator takes it). An error from the stream
    /// aborts the upload.
    pub fn stream<S>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        UploadSource(Source::Stream(Some((Box::pin(stream), length))))
    }

    /// Content from a blocking reader (a file object of another language, say), read in 64 KiB
    /// pieces on the runtime's blocking threads, with its total length if known.
    pub fn reader<R>(reader: R, length: Option<u64>) -> Self
    where
        R: io::Read + Send + 'static,
    {
        let chunks = futures::stream::try_unfold(reader, |mut reader| async move {
            let (reader, chunk) = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; CHUNK_BYTES];
                let n = loop {
                    match reader.read(&mut buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                }?;
                buf.truncate(n);
                Ok::<_, io::Error>((reader, buf))
            })
            .await
            .map_err(io::Error::other)??;
            Ok((!chunk.is_empty()).then(|| (Bytes::from(chunk), reader)))
        });
        UploadSource::stream(chunks, length)
    }

    /// Checks the source before anything is sent (a file must exist and be a file) and
    /// returns its length if known.
    async fn prepare(&mut self) -> Result<Option<u64>> {
        match &self.0 {
            Source::Bytes(bytes) => Ok(Some(bytes.len() as u64)),
            Source::Path(path) => {
                let meta = tokio::fs::metadata(path).await.map_err(|e| {
                    Error::invalid_argument(format!("cannot read {}: {e}", path.display()))
                })?;
                if !meta.is_file() {
                    return Err(Error::invalid_argument(format!(
                        "{} is not a file",
                        path.display()
                    )));
                }
                Ok(Some(meta.len()))
            }
            Source::Stream(Some((_, length))) => Ok(*length),
            Source::Stream(None) => Err(Error::invalid_argument(
                "the upload stream was already consumed",
            )),
        }
    }

    /// Whether the content can be sent a second time.
    fn replayable(&self) -> bool {
        !matches!(self.0, Source::Stream(_))
    }

    /// The content as the form's `file` part; a stream can be taken once.
    async fn part(&mut self, file_name: &str) -> Result<reqwest::multipart::Part> {
        let part = match &mut self.0 {
            Source::Bytes(bytes) => {
                let len = bytes.len() as u64;
                reqwest::multipart::Part::stream_with_length(bytes.clone(), len)
            }
            Source::Path(path) => {
                let file = tokio::fs::File::open(&path).await.map_err(|e| {
                    Error::invalid_argument(format!("cannot open {}: {e}", path.display()))
                })?;
                let len = file.metadata().await.map(|m| m.len()).map_err(|e| {
                    Error::invalid_argument(format!("cannot read {}: {e}", path.display()))
                })?;
                reqwest::multipart::Part::stream_with_length(file, len)
            }
            Source::Stream(taken) => match taken.take() {
                Some((stream, Some(len))) => reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::wrap_stream(stream),
                    len,
                ),
                Some((stream, None)) => {
                    reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream))
                }
                None => {
                    return Err(Error::invalid_argument(
                        "the upload stream was already consumed",
                    ));
                }
            },
        };
        part.file_name(file_name.to_string())
            .mime_str("application/octet-stream")
            .map_err(from_reqwest)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(bytes: Vec<u8>) -> Self {
        UploadSource::bytes(bytes)
    }
}

impl From<&'static [u8]> for UploadSource {
    fn from(bytes: &'static [u8]) -> Self {
        UploadSource::bytes(bytes)
    }
}

impl From<Bytes> for UploadSource {
    fn from(bytes: Bytes) -> Self {
        UploadSource::bytes(bytes)
    }
}

impl From<&Path> for UploadSource {
    fn from(path: &Path) -> Self {
        UploadSource::path(path)
    }
}

impl From<PathBuf> for UploadSource {
    fn from(path: PathBuf) -> Self {
        UploadSource::path(path)
    }
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Bytes(bytes) => write!(f, "UploadSource::Bytes({} bytes)", bytes.len()),
            Source::Path(path) => write!(f, "UploadSource::Path({path:?})"),
            Source::Stream(Some((_, len))) => write!(f, "UploadSource::Stream(length {len:?})"),
            Source::Stream(None) => f.write_str("UploadSource::Stream(consumed)"),
        }
    }
}

/// One file's download link from [`Client::download_urls`].
///
/// `status` 0 means `url` is a link valid for the `max_age` asked for; otherwise `url` is empty
/// and `errmsg` says why (`STORAGE_FILE_NONEXIST` for a missing file). Its `Debug` hides the
/// link's signature (its query string).
#[derive(Clone, PartialEq, Eq)]
pub struct DownloadLink {
    /// The file ID asked for.
    pub file_id: String,
    /// The signed link; empty when `status` is not 0. Treat it as a secret until it expires.
    pub url: String,
    /// 0 on success, else the service's per-file status.
    pub status: i64,
    /// The service's per-file message.
    pub errmsg: String,
}

impl DownloadLink {
    /// Whether the service gave a link for this file.
    pub fn is_ok(&self) -> bool {
        self.status == 0 && !self.url.is_empty()
    }
}

impl fmt::Debug for DownloadLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadLink")
            .field("file_id", &self.file_id)
            .field("url", &cos::redact_url(&self.url))
            .field("status", &self.status)
            .field("errmsg", &self.errmsg)
            .finish()
    }
}

/// One file's outcome from [`Client::delete_files`]: `status` 0 means it was deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteResult {
    /// The file ID asked for.
    pub file_id: String,
    /// 0 on success, else the service's per-file status.
    pub status: i64,
    /// The service's per-file message.
    pub errmsg: String,
}

impl DeleteResult {
    /// Whether the file was deleted.
    pub fn is_ok(&self) -> bool {
        self.status == 0
    }
}

/// A download in progress from [`Client::download_file_stream`]: read it chunk by chunk, turn
/// it into a [`Stream`], or write it to an [`AsyncWrite`]. Memory stays bounded by one chunk.
pub struct FileDownload {
    response: reqwest::Response,
    idle_timeout: Duration,
}

impl FileDownload {
    /// The file's size in bytes, when cloud storage said it.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The file's content type, when cloud storage said it.
    pub fn content_type(&self) -> Option<&str> {
        self.response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The next chunk of the file, or `None` at its end. Each chunk must arrive within the
    /// client's timeout.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        match tokio::time::timeout(self.idle_timeout, self.response.chunk()).await {
            Ok(chunk) => chunk.map_err(from_reqwest),
            Err(_) => Err(Error::Timeout {
                message: "the download stalled: no data within the timeout".into(),
            }),
        }
    }

    /// The rest of the file as a stream of chunks.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes>> + Send + Unpin + 'static {
        Box::pin(futures::stream::try_unfold(
            self,
            |mut download| async move { Ok(download.chunk().await?.map(|chunk| (chunk, download))) },
        ))
    }

    /// Writes the rest of the file to `writer` and returns how many bytes were written.
    pub async fn write_to<W: AsyncWrite + Unpin + ?Sized>(mut self, writer: &mut W) -> Result<u64> {
        let mut written = 0u64;
        while let Some(chunk) = self.chunk().await? {
            writer.write_all(&chunk).await.map_err(write_error)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(write_error)?;
        Ok(written)
    }
}

impl fmt::Debug for FileDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the response: its Debug shows the signed URL.
        f.debug_struct("FileDownload")
            .field("content_length", &self.content_length())
            .field("content_type", &self.content_type())
            .finish_non_exhaustive()
    }
}

pub(crate) fn write_error(e: io::Error) -> Error {
    Error::Transport {
        message: format!("cannot write the downloaded file: {e}"),
        status: None,
        request_sent: true,
    }
}

/// Refuses a cloud path that is empty, absolute, or escapes its folder (see the module docs).
pub fn check_cloud_path(path: &str) -> Result<()> {
    let refuse = |why: &str| {
        Err(Error::invalid_argument(format!(
            "cloud path {path:?} {why}"
        )))
    };
    if path.is_empty() {
        return refuse("is empty");
    }
    if path.len() > MAX_CLOUD_PATH_BYTES {
        return refuse(&format!("is longer than {MAX_CLOUD_PATH_BYTES} bytes"));
    }
    if path.starts_with('/') {
        return refuse("starts with '/': write it relative to the storage root, like img/a.png");
    }
    if path.ends_with('/') {
        return refuse("ends with '/': name a file, not a folder");
    }
    if path.chars().any(|c| c.is_control() || c == '\\') {
        return refuse("holds a control character or a backslash");
    }
    if path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return refuse("has an empty, '.' or '..' segment");
    }
    Ok(())
}

fn check_file_ids(ids: &[impl AsRef<str>]) -> Result<()> {
    match ids.iter().position(|id| id.as_ref().trim().is_empty()) {
        Some(i) => Err(Error::invalid_argument(format!("file ID {i} is empty"))),
        None => Ok(()),
    }
}

/// One entry of a per-file reply list.
#[derive(Deserialize)]
struct FileEntry {
    #[serde(default)]
    fileid: String,
    #[serde(default)]
    download_url: String,
    #[serde(default)]
    status: i64,
    #[serde(default)]
    errmsg: String,
}

#[derive(Deserialize)]
struct DownloadUrlsReply {
    #[serde(default)]
    file_list: Vec<FileEntry>,
}

#[derive(Deserialize)]
struct DeleteFilesReply {
    #[serde(default)]
    delete_list: Vec<FileEntry>,
}

/// The reply's entries in the order of `asked`, matched by file ID (a repeated ID takes the
/// next entry for it); an ID the reply does not mention gets [`MISSING_FROM_REPLY`].
fn in_input_order(asked: &[impl AsRef<str>], reply: Vec<FileEntry>) -> Vec<FileEntry> {
    let mut by_id: std::collections::HashMap<String, std::collections::VecDeque<FileEntry>> =
        std::collections::HashMap::new();
    for entry in reply {
        by_id
            .entry(entry.fileid.clone())
            .or_default()
            .push_back(entry);
    }
    asked
        .iter()
        .map(|id| {
            let id = id.as_ref();
            by_id
                .get_mut(id)
                .and_then(|entries| entries.pop_front())
                .unwrap_or_else(|| FileEntry {
                    fileid: id.to_string(),
                    download_url: String::new(),
                    status: MISSING_FROM_REPLY,
                    errmsg: "the service's reply did not mention this file".into(),
                })
        })
        .collect()
}

impl Client {
    /// Uploads `source` to `cloud_path` in the env's storage and returns its file ID
    /// (`cloud://<env>.<bucket>/<cloud_path>`).
    ///
    /// Two steps: `uploadfile` asks for an upload ticket (never repeated once the service may
    /// have seen it), then the content is POSTed to cloud storage as a form with the file last
    /// (retried on transient failures when the source can be read again). A refusal by cloud
    /// storage is [`Error::Cos`] with its code. The cloud path and a file source are checked
    /// before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// use std::path::Path;
    ///
    /// let id = client.upload_file("img/a.png", Path::new("a.png")).await?;
    /// let greeting = client.upload_file("notes/hello.txt", b"hello".to_vec()).await?;
    /// println!("{id} {greeting}");
    /// # Ok(()) }
    /// ```
    pub async fn upload_file(
        &self,
        cloud_path: &str,
        source: impl Into<UploadSource>,
    ) -> Result<String> {
        let mut source = source.into();
        check_cloud_path(cloud_path)?;
        let length = source.prepare().await?;
        let body = self.body(json!({ "path": cloud_path }))?;
        let ticket: UploadTicket = self.call(Op::UploadFile, &body).await?;
        ticket.check()?;
        let timeout = match length {
            Some(len) => {
                self.shared.timeout + Duration::from_secs(len / SLOWEST_UPLOAD_BYTES_PER_SEC)
            }
            None => UNBOUNDED_TRANSFER,
        };
        let file_name = cloud_path.rsplit('/').next().unwrap_or(cloud_path);
        let pool = self.shared.http.pool();
        let span = tracing::info_span!(
            "wxcloud.transfer",
            operation = "upload",
            env = self.env().unwrap_or(""),
            bytes = length
        );
        let transfer = async {
            if source.replayable() {
                // Sending the same bytes to the same key again is harmless: a read's retries.
                let deadline = tokio::time::Instant::now() + timeout;
                let source = tokio::sync::Mutex::new(&mut source);
                retry::run(
                    &self.shared.retry,
                    Safety::Read,
                    deadline,
                    "the upload to cloud storage",
                    |_| async {
                        let part = source.lock().await.part(file_name).await?;
                        cos::post_form(pool, &ticket, cloud_path, part, timeout).await
                    },
                )
                .await
            } else {
                let part = source.part(file_name).await?;
                cos::post_form(pool, &ticket, cloud_path, part, timeout).await
            }
        };
        transfer.instrument(span).await?;
        Ok(ticket.file_id)
    }

    /// Download links for `file_ids`, valid for `max_age`, one per ID in input order.
    ///
    /// Any number of IDs: they are asked for [`MAX_FILES_PER_CALL`] at a time (each call a
    /// read, retried on transient failures). A file that has no link (missing, forbidden) is
    /// reported in its own entry's `status` and `errmsg`, not as an error.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// use std::time::Duration;
    ///
    /// let links = client
    ///     .download_urls(&["cloud://test2-4a89da.7465-test2-4a89da-1258717456/img/a.png"], Duration::from_secs(7200))
    ///     .await?;
    /// for link in &links {
    ///     if link.is_ok() {
    ///         println!("{}: {}", link.file_id, link.url);
    ///     } else {
    ///         eprintln!("{}: {}", link.file_id, link.errmsg);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn download_urls<S: AsRef<str> + Sync>(
        &self,
        file_ids: &[S],
        max_age: Duration,
    ) -> Result<Vec<DownloadLink>> {
        check_file_ids(file_ids)?;
        let max_age = max_age.as_secs();
        if max_age == 0 {
            return Err(Error::invalid_argument(
                "max_age must be at least one second",
            ));
        }
        let mut links = Vec::with_capacity(file_ids.len());
        for chunk in file_ids.chunks(MAX_FILES_PER_CALL) {
            let list: Vec<_> = chunk
                .iter()
                .map(|id| json!({ "fileid": id.as_ref(), "max_age": max_age }))
                .collect();
            let body = self.body(json!({ "file_list": list }))?;
            let reply: DownloadUrlsReply = self.call(Op::DownloadUrls, &body).await?;
            links.extend(in_input_order(chunk, reply.file_list).into_iter().map(|e| {
                DownloadLink {
                    file_id: e.fileid,
                    url: e.download_url,
                    status: e.status,
                    errmsg: e.errmsg,
                }
            }));
        }
        Ok(links)
    }

    /// Starts downloading one file: asks for a short-lived link, opens it (retried as a read)
    /// and hands back the download to read at the caller's pace.
    ///
    /// A file the service has no link for is an error of kind [`ErrorKind::NotFound`] (or
    /// [`ErrorKind::AccessDenied`] when the service says access is refused), keeping the
    /// per-file status and errmsg; cloud storage's refusal is [`Error::Cos`].
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let mut out = tokio::fs::File::create("a.png").await.map_err(|e| wxcloud::Error::config(e.to_string()))?;
    /// let download = client.download_file_stream("cloud://test2-4a89da.7465-test2-4a89da-1258717456/img/a.png").await?;
    /// let bytes = download.write_to(&mut out).await?;
    /// println!("{bytes} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn download_file_stream(&self, file_id: &str) -> Result<FileDownload> {
        let url = self.download_link(file_id).await?;
        let pool = self.shared.http.pool();
        let idle_timeout = self.shared.timeout;
        let deadline = tokio::time::Instant::now() + idle_timeout;
        let response = retry::run(
            &self.shared.retry,
            Safety::Read,
            deadline,
            "the download",
            |_| cos::open_download(pool, &url, UNBOUNDED_TRANSFER),
        )
        .await?;
        Ok(FileDownload {
            response,
            idle_timeout,
        })
    }

    /// Downloads one file whole into memory. See [`Client::download_file_stream`] for large
    /// files and for the errors; this form is retried whole on transient failures.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let bytes = client.download_file("cloud://test2-4a89da.7465-test2-4a89da-1258717456/notes/hello.txt").await?;
    /// assert_eq!(bytes, b"hello");
    /// # Ok(()) }
    /// ```
    pub async fn download_file(&self, file_id: &str) -> Result<Vec<u8>> {
        let url = self.download_link(file_id).await?;
        let pool = self.shared.http.pool();
        let idle_timeout = self.shared.timeout;
        retry::run(
            &self.shared.retry,
            Safety::Read,
            tokio::time::Instant::now() + UNBOUNDED_TRANSFER,
            "the download",
            |_| async {
                let response = tokio::time::timeout(
                    idle_timeout,
                    cos::open_download(pool, &url, UNBOUNDED_TRANSFER),
                )
                .await
                .map_err(|_| Error::Timeout {
                    message: "cloud storage did not answer the download in time".into(),
                })??;
                let mut download = FileDownload {
                    response,
                    idle_timeout,
                };
                let mut bytes = Vec::with_capacity(
                    download.content_length().unwrap_or(0).min(1 << 26) as usize,
                );
                while let Some(chunk) = download.chunk().await? {
                    bytes.extend_from_slice(&chunk);
                }
                Ok(bytes)
            },
        )
        .await
    }

    /// Downloads one file to the local file `path` (created or truncated) and returns its size.
    /// On failure the partial file is removed.
    pub async fn download_to(&self, file_id: &str, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let download = self.download_file_stream(file_id).await?;
        let mut file = tokio::fs::File::create(path).await.map_err(|e| {
            Error::invalid_argument(format!("cannot create {}: {e}", path.display()))
        })?;
        match download.write_to(&mut file).await {
            Ok(n) => Ok(n),
            Err(err) => {
                drop(file);
                let _ = tokio::fs::remove_file(path).await;
                Err(err)
            }
        }
    }

    /// The link of one file, or the error that it has none.
    async fn download_link(&self, file_id: &str) -> Result<String> {
        let link = self
            .download_urls(&[file_id], DOWNLOAD_LINK_AGE)
            .await?
            .pop()
            .ok_or_else(|| Error::decode("the reply of /tcb/batchdownloadfile is empty"))?;
        if link.is_ok() {
            return Ok(link.url);
        }
        let refused = ["AUTHORITY", "PERMISSION", "DENIED"]
            .iter()
            .any(|w| link.errmsg.to_ascii_uppercase().contains(w));
        Err(Error::Api {
            kind: if refused {
                ErrorKind::AccessDenied
            } else {
                ErrorKind::NotFound
            },
            errcode: link.status,
            errmsg: if link.errmsg.is_empty() {
                format!("no download link for {file_id}")
            } else {
                link.errmsg
            },
        })
    }

    /// Deletes files, [`MAX_FILES_PER_CALL`] per call, and reports each one's outcome in input
    /// order. Never repeated once the service may have received it.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let results = client.delete_files(&["cloud://test2-4a89da.7465-test2-4a89da-1258717456/img/a.png"]).await?;
    /// assert!(results.iter().all(|r| r.is_ok()));
    /// # Ok(()) }
    /// ```
    pub async fn delete_files<S: AsRef<str> + Sync>(
        &self,
        file_ids: &[S],
    ) -> Result<Vec<DeleteResult>> {
        check_file_ids(file_ids)?;
        let mut results = Vec::with_capacity(file_ids.len());
        for chunk in file_ids.chunks(MAX_FILES_PER_CALL) {
            let list: Vec<&str> = chunk.iter().map(AsRef::as_ref).collect();
            let body = self.body(json!({ "fileid_list": list }))?;
            let reply: DeleteFilesReply = self.call(Op::DeleteFiles, &body).await?;
            results.extend(
                in_input_order(chunk, reply.delete_list)
                    .into_iter()
                    .map(|e| DeleteResult {
                        file_id: e.fileid,
                        status: e.status,
                        errmsg: e.errmsg,
                    }),
            );
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[test]
    fn cloud_paths_that_are_refused() {
        for bad in [
            "",
            "/a.png",
            "a/",
            "a//b",
            "./a",
            "a/../b",
            "..",
            "a\\b",
            "a\nb",
            &"x".repeat(851),
        ] {
            let err = check_cloud_path(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{bad:?}");
        }
        for good in [
            "a.png",
            "img/a.png",
            "deep/er/name with space.txt",
            "中文/图.png",
            "a..b/c",
        ] {
            check_cloud_path(good).unwrap();
        }
    }

    #[test]
    fn replies_are_matched_to_input_order() {
        let entry = |id: &str, status| FileEntry {
            fileid: id.into(),
            download_url: String::new(),
            status,
            errmsg: String::new(),
        };
        let asked = ["a", "b", "a", "c"];
        let reply = vec![entry("b", 0), entry("a", 1), entry("a", 2)];
        let got: Vec<(String, i64)> = in_input_order(&asked, reply)
            .into_iter()
            .map(|e| (e.fileid, e.status))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a".into(), 1),
                ("b".into(), 0),
                ("a".into(), 2),
                ("c".into(), MISSING_FROM_REPLY)
            ]
        );
    }

    #[test]
    fn link_debug_hides_the_signature() {
        let link = DownloadLink {
            file_id: "cloud://e.b/a.png".into(),
            url: "https://b.tcb.qcloud.la/a.png?sign=s3cr3t&t=1".into(),
            status: 0,
            errmsg: "ok".into(),
        };
        let text = format!("{link:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("https://b.tcb.qcloud.la/a.png"));
    }

    #[tokio::test]
    async fn a_reader_source_streams_its_content() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let mut source =
            UploadSource::reader(io::Cursor::new(data.clone()), Some(data.len() as u64));
        assert_eq!(source.prepare().await.unwrap(), Some(200_000));
        let Source::Stream(Some((stream, _))) = &mut source.0 else {
            panic!()
        };
        let mut got = Vec::new();
        while let Some(chunk) = stream.next().await {
            got.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(got, data);
    }

    #[tokio::test]
    async fn a_missing_local_file_is_refused() {
        let mut source = UploadSource::path("/definitely/not/here.png");
        let err = source.prepare().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
        assert!(err.to_string().contains("/definitely/not/here.png"));
    }
}
