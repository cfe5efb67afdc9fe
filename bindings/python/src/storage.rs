//! The arguments and results of the storage and function calls: what `upload_file` accepts as
//! its source, the JSON of a function's event and return value, and the result classes
//! (`DownloadLink`, `DeleteResult`, `QcloudToken`), whose reprs hide what is secret.

use std::io;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString, PyType};

static TEXT_IO: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

const WRONG_SOURCE: &str =
    "upload_file() takes bytes, a path or a binary file object (opened with 'rb') as its source";

/// Reads `upload_file`'s source: a `str` or `os.PathLike` is a local path, anything with the
/// `bytes`, `bytearray` or `memoryview` is the content, and an object with a
/// `read` method is a binary file read in chunks as it is sent. Anything else (text files
/// included) is a `TypeError`, raised before anything is sent.
pub fn upload_source(source: &Bound<'_, PyAny>) -> PyResult<wxcloud::UploadSource> {
    let py = source.py();
    if source.is_instance_of::<PyString>() || source.hasattr("__fspath__")? {
        return Ok(wxcloud::UploadSource::path(
            source.extract::<std::path::PathBuf>()?,
        ));
    }
    if let Ok(bytes) = source.cast::<PyBytes>() {
        // `bytes` cannot change: the upload reads the object itself, no copy.
        let backed = PyBackedBytes::from(bytes.clone());
        return Ok(wxcloud::UploadSource::bytes(wxcloud::Bytes::from_owner(
            backed,
        )));
    }
    if let Ok(bytes) = source.cast::<PyByteArray>() {
        // A bytearray can change while the upload runs: send a copy of it as it is now.
        return Ok(wxcloud::UploadSource::bytes(bytes.to_vec()));
    }
    if source.is_instance_of::<PyMemoryView>() {
        let bytes = source.call_method0("tobytes")?;
        return Ok(wxcloud::UploadSource::bytes(
            bytes.cast::<PyBytes>()?.as_bytes().to_vec(),
        ));
    }
    let text_io = TEXT_IO.import(py, "io", "TextIOBase")?;
    if source.hasattr("read")? && !source.is_instance(text_io)? {
        let length = remaining_length(source);
        let reader = PyReader(source.clone().unbind());
        return Ok(wxcloud::UploadSource::reader(reader, length));
    }
    Err(PyTypeError::new_err(format!(
        "{WRONG_SOURCE}, not {}",
        source.get_type().name()?
    )))
}

/// How many bytes a seekable file has left from its position (the upload's length), if it
/// says; a file that cannot tell is sent with no length.
fn remaining_length(file: &Bound<'_, PyAny>) -> Option<u64> {
    let seekable = file
        .call_method0("seekable")
        .and_then(|s| s.is_truthy())
        .unwrap_or(false);
    if !seekable {
        return None;
    }
    let measure = || -> PyResult<u64> {
        let here: u64 = file.call_method0("tell")?.extract()?;
        let end: u64 = file.call_method1("seek", (0, 2))?.extract()?;
        file.call_method1("seek", (here,))?;
        Ok(end.saturating_sub(here))
    };
    measure().ok()
}

/// A Python binary file object as a blocking reader: the core calls it on a blocking thread,
/// which attaches to Python for each `read(n)`.
struct PyReader(Py<PyAny>);

impl io::Read for PyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if crate::aio::closing() {
            return Err(io::Error::other("the Python interpreter is shutting down"));
        }
        Python::attach(|py| {
            let chunk = self
                .0
                .bind(py)
                .call_method1("read", (buf.len(),))
                .map_err(|e| {
                    io::Error::other(format!(
                        "the file object's read() raised {}",
                        e.get_type(py)
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    ))
                })?;
            let chunk = chunk.cast::<PyBytes>().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the file object's read() must return bytes (open the file with 'rb')",
                )
            })?;
            let bytes = chunk.as_bytes();
            if bytes.len() > buf.len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the file object's read() returned more than it was asked for",
                ));
            }
            buf[..bytes.len()].copy_from_slice(bytes);
            Ok(bytes.len())
        })
    }
}

/// A function's event as JSON, written by `json.dumps` (so `TypeError` / `ValueError` for what
/// JSON cannot hold: other types, cycles, NaN), before anything is sent.
pub fn event(data: Option<&Bound<'_, PyAny>>) -> PyResult<serde_json::Value> {
    let Some(data) = data else {
        return Ok(serde_json::Value::Null);
    };
    let py = data.py();
    let dumps = JSON_DUMPS.import(py, "json", "dumps")?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("allow_nan", false)?;
    let text: String = dumps.call((data,), Some(&kwargs))?.extract()?;
    serde_json::from_str(&text).map_err(|e| {
        pyo3::exceptions::PyValueError::new_err(format!("the event cannot be sent as JSON: {e}"))
    })
}

/// A function's return value as Python objects (`json.loads`).
pub fn json_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    JSON_LOADS
        .import(py, "json", "loads")?
        .call1((value.to_string(),))
}

/// One file of `download_urls()`, in input order. `status` 0 means `url` is a link valid for the
/// `max_age` asked for; otherwise `url` is empty and `errmsg` says why. The repr hides the
/// link's signature.
#[pyclass(module = "wxcloud", frozen, get_all)]
pub struct DownloadLink {
    /// The file ID asked for.
    pub file_id: String,
    /// The signed link (empty when `status` is not 0). Treat it as a secret until it expires.
    pub url: String,
    /// 0 on success, else the service's per-file status.
    pub status: i64,
    /// The service's per-file message.
    pub errmsg: String,
}

#[pymethods]
impl DownloadLink {
    /// Whether the service gave a link for this file.
    #[getter]
    fn ok(&self) -> bool {
        self.status == 0 && !self.url.is_empty()
    }

    fn __repr__(&self) -> String {
        format!(
            "DownloadLink(file_id={:?}, url={:?}, status={}, errmsg={:?})",
            self.file_id,
            wxcloud::cos::redact_url(&self.url),
            self.status,
            self.errmsg
        )
    }
}

impl From<wxcloud::DownloadLink> for DownloadLink {
    fn from(l: wxcloud::DownloadLink) -> Self {
        DownloadLink {
            file_id: l.file_id,
            url: l.url,
            status: l.status,
            errmsg: l.errmsg,
        }
    }
}

/// One file of `delete_files()`, in input order: `status` 0 means it was deleted.
#[pyclass(module = "wxcloud", frozen, get_all)]
pub struct DeleteResult {
    /// The file ID asked for.
    pub file_id: String,
    /// 0 on success, else the service's per-file status.
    pub status: i64,
    /// The service's per-file message.
    pub errmsg: String,
}

#[pymethods]
impl DeleteResult {
    /// Whether the file was deleted.
    #[getter]
    fn ok(&self) -> bool {
        self.status == 0
    }

    fn __repr__(&self) -> String {
        format!(
            "DeleteResult(file_id={:?}, status={}, errmsg={:?})",
            self.file_id, self.status, self.errmsg
        )
    }
}

impl From<wxcloud::DeleteResult> for DeleteResult {
    fn from(r: wxcloud::DeleteResult) -> Self {
        DeleteResult {
            file_id: r.file_id,
            status: r.status,
            errmsg: r.errmsg,
        }
    }
}

/// Temporary Tencent Cloud credentials from `qcloud_token()`. The repr hides `secretkey` and
/// `token`.
#[pyclass(module = "wxcloud", frozen, get_all)]
pub struct QcloudToken {
    /// The temporary SecretId.
    pub secretid: String,
    /// The temporary SecretKey. A secret: never log it.
    pub secretkey: String,
    /// The session token that goes with the key. A secret: never log it.
    pub token: String,
    /// When the credentials expire, in seconds since the Unix epoch.
    pub expired_time: u64,
}

#[pymethods]
impl QcloudToken {
    fn __repr__(&self) -> String {
        format!(
            "QcloudToken(secretid={:?}, secretkey='** redacted **', token='** redacted **', expired_time={})",
            self.secretid, self.expired_time
        )
    }
}

impl From<wxcloud::QcloudToken> for QcloudToken {
    fn from(t: wxcloud::QcloudToken) -> Self {
        QcloudToken {
            secretid: t.secret_id,
            secretkey: t.secret_key,
            token: t.token,
            expired_time: t.expired_time,
        }
    }
}

/// Registers the result classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<DownloadLink>()?;
    m.add_class::<DeleteResult>()?;
    m.add_class::<QcloudToken>()?;
    Ok(())
}
