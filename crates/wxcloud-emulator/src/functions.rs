//! Cloud functions the emulator runs for `invokecloudfunction`: in-process handlers registered
//! with [`EmulatorBuilder::function`](crate::EmulatorBuilder::function) and functions forwarded
//! to a URL with [`EmulatorBuilder::function_url`](crate::EmulatorBuilder::function_url).
//!
//! A handler receives the call's event (the request body, a JSON object) with
//! `userInfo: {"appId": ...}` added, as the real service adds it, and returns the function's
//! return value. The emulator answers as the service does when something goes wrong:
//!
//! | what happens | errcode | errmsg |
//! |---|---|---|
//! | no function of that name | -501000 | `FunctionName parameter could not be found.` |
//! | the handler returns `Err(message)` (raises, rejects) or panics | -504002 | `functions execute fail: <message>` |
//! | the reply is text that is not JSON | -504002 | `functions execute fail: the function's return value is not JSON` |
//! | the reply is over 6 MB | -504002 | `functions execute fail: the size of response exceeds the upper limit (6MB)` |
//! | the handler runs past the limit (5 s) | -504003 | `Invoking task timed out after 5 seconds` |

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::reply::ApiError;

/// How long an HTTP-invoked function may run (the service's limit for HTTP API calls).
pub const DEFAULT_FUNCTION_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest event and return value a synchronous call carries (Tencent SCF: 6 MB).
pub const MAX_FUNCTION_PAYLOAD: usize = 6 * 1024 * 1024;

/// What a cloud function returned.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionReply {
    /// A return value, serialised as the reply's `resp_data`.
    Json(Value),
    /// A return value already serialised: it must be JSON text (otherwise the call fails with
    /// -504002, as a function whose reply cannot be decoded does).
    Text(String),
}

impl From<Value> for FunctionReply {
    fn from(v: Value) -> Self {
        FunctionReply::Json(v)
    }
}

impl From<String> for FunctionReply {
    fn from(text: String) -> Self {
        FunctionReply::Text(text)
    }
}

/// The future a [`FunctionHandler`] returns: the reply, or the error message the function raised.
pub type FunctionFuture =
    Pin<Box<dyn Future<Output = Result<FunctionReply, String>> + Send + 'static>>;

/// A cloud function run in-process.
///
/// Any `Fn(serde_json::Value) -> impl Future<Output = Result<R, String>>` (with `R` a
/// [`serde_json::Value`] or a `String` of JSON text) is a handler; bindings implement the trait
/// on their own type to wrap a Python or JavaScript callable. The handler runs on the emulator's
/// tokio runtime, in its own task: a panic fails the call (-504002) without affecting the
/// emulator. A blocking handler should move its work to `tokio::task::spawn_blocking`.
pub trait FunctionHandler: Send + Sync + 'static {
    /// Runs the function on `event` (the request body with `userInfo` added).
    fn call(&self, event: Value) -> FunctionFuture;
}

impl<F, Fut, R> FunctionHandler for F
where
    F: Fn(Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, String>> + Send + 'static,
    R: Into<FunctionReply>,
{
    fn call(&self, event: Value) -> FunctionFuture {
        let fut = self(event);
        Box::pin(async move { fut.await.map(Into::into) })
    }
}

/// A function served by an HTTP server: the event is POSTed to `url` as JSON and the reply body
/// is the function's return value.
struct UrlFunction {
    url: String,
    http: reqwest::Client,
}

impl FunctionHandler for UrlFunction {
    fn call(&self, event: Value) -> FunctionFuture {
        let request = self.http.post(&self.url).json(&event);
        Box::pin(async move {
            let reply = request.send().await.map_err(|e| {
                format!(
                    "the function's server cannot be reached: {}",
                    e.without_url()
                )
            })?;
            let status = reply.status();
            let body = reply.text().await.map_err(|e| {
                format!(
                    "the function's reply could not be read: {}",
                    e.without_url()
                )
            })?;
            if !status.is_success() {
                let head: String = body.chars().take(200).collect();
                return Err(format!(
                    "the function's server answered HTTP {status}: {head}"
                ));
            }
            Ok(FunctionReply::Text(body))
        })
    }
}

/// The functions an emulator serves, by name.
#[derive(Clone, Default)]
pub struct Functions {
    handlers: HashMap<String, Arc<dyn FunctionHandler>>,
    timeout: Option<Duration>,
}

impl std::fmt::Debug for Functions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.handlers.keys().collect();
        names.sort();
        f.debug_struct("Functions")
            .field("names", &names)
            .field("timeout", &self.timeout())
            .finish()
    }
}

impl Functions {
    /// Registers (or replaces) an in-process handler.
    pub fn insert(&mut self, name: String, handler: Arc<dyn FunctionHandler>) {
        self.handlers.insert(name, handler);
    }

    /// Registers a function forwarded to `url`.
    pub fn insert_url(&mut self, name: String, url: String) {
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap_or_default();
        self.insert(name, Arc::new(UrlFunction { url, http }));
    }

    /// The registered function names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.handlers.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Sets how long a function may run.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_FUNCTION_TIMEOUT)
    }

    /// Runs function `name` on `event` and returns its reply as `resp_data` text, or the
    /// service's error for what went wrong.
    pub async fn invoke(&self, name: &str, event: Value) -> Result<String, ApiError> {
        let handler =
            self.handlers.get(name).cloned().ok_or_else(|| {
                ApiError::new(-501000, "FunctionName parameter could not be found.")
            })?;
        let limit = self.timeout();
        let task = tokio::spawn(async move { handler.call(event).await });
        let abort = task.abort_handle();
        let outcome = match tokio::time::timeout(limit, task).await {
            Err(_) => {
                abort.abort();
                return Err(ApiError::new(
                    -504003,
                    format!("Invoking task timed out after {} seconds", seconds(limit)),
                ));
            }
            Ok(Err(join)) => Err(if join.is_panic() {
                "the function panicked".to_owned()
            } else {
                "the function was cancelled".to_owned()
            }),
            Ok(Ok(outcome)) => outcome,
        };
        let text = match outcome.map_err(execute_fail)? {
            FunctionReply::Json(v) => v.to_string(),
            FunctionReply::Text(t) => {
                if serde_json::from_str::<Value>(&t).is_err() {
                    return Err(execute_fail("the function's return value is not JSON"));
                }
                t
            }
        };
        if text.len() > MAX_FUNCTION_PAYLOAD {
            return Err(execute_fail(
                "the size of response exceeds the upper limit (6MB)",
            ));
        }
        Ok(text)
    }
}

/// -504002: the function ran and failed.
fn execute_fail(why: impl std::fmt::Display) -> ApiError {
    ApiError::new(-504002, format!("functions execute fail: {why}"))
}

/// A duration in seconds for messages ("after 5 seconds", "after 0.2 seconds").
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 || d.as_secs() >= 10 {
        d.as_secs().to_string()
    } else {
        format!("{:.1}", d.as_secs_f64())
    }
}
