//! The client: one connection pool and one token cache, shared by every clone, and the
//! request path every database call takes (token, send, classify, retry).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::errcode::Endpoint;
use crate::records::{self, RecordTexts};
use crate::retry::{self, Decision, RetryPolicy, Safety};
use crate::token::{StoredToken, TokenCache, TokenInfo};
use crate::transport::{Body, Http, parse_reply};
use crate::{ClientBuilder, Error, Result};

/// Reads a reply's bytes for the endpoint at a path into what a call returns.
type Parse<T> = fn(&[u8], &'static str, Endpoint) -> Result<T>;

/// A client for the Cloud Base database HTTP API.
///
/// Cheap to clone: clones share the connection pool and the token cache. Every call carries
/// the token in its URL, has a total timeout, retries what is safe to retry, and refreshes a
/// stale token once.
///
/// ```no_run
/// # async fn demo() -> wxcloud::Result<()> {
/// let client = wxcloud::Client::builder()
///     .appid("wx1234567890")
///     .secret("app-secret")
///     .env("test2-4a89da")
///     .build()?;
/// let records = client
///     .aggregate(r#"db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()"#)
///     .await?;
/// for record in &records {
///     println!("{:?}", record.get("description"));
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) shared: Arc<Shared>,
    env: Option<Arc<str>>,
}

/// What every clone of a client shares.
pub(crate) struct Shared {
    pub(crate) http: Http,
    pub(crate) cache: TokenCache,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
}

/// A database call: its path and whether repeating it is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Aggregate,
    Query,
    Count,
    Add,
    Update,
    Delete,
    CreateCollection,
    DeleteCollection,
    ListCollections,
    UpdateIndex,
    MigrateImport,
    MigrateExport,
    MigrateStatus,
    InvokeFunction,
    UploadFile,
    DownloadUrls,
    DeleteFiles,
    QcloudToken,
}

impl Op {
    pub(crate) fn path(self) -> &'static str {
        match self {
            Op::Aggregate => "/tcb/databaseaggregate",
            Op::Query => "/tcb/databasequery",
            Op::Count => "/tcb/databasecount",
            Op::Add => "/tcb/databaseadd",
            Op::Update => "/tcb/databaseupdate",
            Op::Delete => "/tcb/databasedelete",
            Op::CreateCollection => "/tcb/databasecollectionadd",
            Op::DeleteCollection => "/tcb/databasecollectiondelete",
            Op::ListCollections => "/tcb/databasecollectionget",
            Op::UpdateIndex => "/tcb/updateindex",
            Op::MigrateImport => "/tcb/databasemigrateimport",
            Op::MigrateExport => "/tcb/databasemigrateexport",
            Op::MigrateStatus => "/tcb/databasemigratequeryinfo",
            Op::InvokeFunction => "/tcb/invokecloudfunction",
            Op::UploadFile => "/tcb/uploadfile",
            Op::DownloadUrls => "/tcb/batchdownloadfile",
            Op::DeleteFiles => "/tcb/batchdeletefile",
            Op::QcloudToken => "/tcb/getqcloudtoken",
        }
    }

    pub(crate) fn name(self) -> &'static str {
        self.path().trim_start_matches("/tcb/")
    }

    pub(crate) fn safety(self) -> Safety {
        match self {
            // Asking for links or temporary credentials again changes nothing.
            Op::Aggregate
            | Op::Query
            | Op::Count
            | Op::ListCollections
            | Op::MigrateStatus
            | Op::DownloadUrls
            | Op::QcloudToken => Safety::Read,
            _ => Safety::Write,
        }
    }
}

impl Client {
    /// A builder with nothing configured.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the `WXCLOUD_*` environment variables
    /// (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }

    pub(crate) fn from_parts(shared: Arc<Shared>, env: Option<Arc<str>>) -> Self {
        Client { shared, env }
    }

    /// A clone of this client that calls env `env`; it shares the pool and token cache.
    pub fn with_env(&self, env: impl Into<String>) -> Client {
        Client {
            shared: Arc::clone(&self.shared),
            env: Some(Arc::from(env.into())),
        }
    }

    /// The env this client calls, if one is set.
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    /// The service's address this client calls.
    pub fn base_url(&self) -> &str {
        self.shared.http.base_url()
    }

    /// The token the client uses now (fetching one if needed), with its expiry and source.
    /// For display; calls fetch tokens themselves.
    pub async fn token_info(&self) -> Result<TokenInfo> {
        let deadline = tokio::time::Instant::now() + self.shared.timeout;
        let stored = self.token_before(deadline).await?;
        Ok(TokenInfo {
            token: stored.token,
            expires_at: stored.expires_at,
            source: self.shared.cache.describe(),
        })
    }

    /// The env, or a configuration error if none is set.
    pub(crate) fn require_env(&self) -> Result<&str> {
        self.env().ok_or_else(|| {
            Error::config(
                "no env set: call .env(..) on the builder, with_env(..), or set WXCLOUD_ENV",
            )
        })
    }

    async fn token_before(&self, deadline: tokio::time::Instant) -> Result<StoredToken> {
        tokio::time::timeout_at(deadline, self.shared.cache.get())
            .await
            .unwrap_or_else(|_| {
                Err(Error::Timeout {
                    message: "no access token within the call's timeout".into(),
                })
            })
    }

    /// Runs database call `op` with `body` and parses its successful reply as `T`, in a
    /// `wxcloud.call` span (operation, env, attempts, errcode; never the token).
    ///
    /// Transient failures of reads are retried with backoff; a stale-token rejection drops
    /// the token (if it is still the cached one), fetches a new one, and retries once.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        op: Op,
        body: &serde_json::Value,
    ) -> Result<T> {
        self.call_with(op, &[], Body::Json(body)).await
    }

    /// [`Client::call`] with `query` pairs added to the URL after the token and any body.
    pub(crate) async fn call_with<T: DeserializeOwned>(
        &self,
        op: Op,
        query: &[(&str, &str)],
        body: Body<'_>,
    ) -> Result<T> {
        self.call_parsed(op, query, body, parse_reply::<T>).await
    }

    /// [`Client::call`] for a reply with records: the records, read in one fast pass, and the
    /// reply's other fields as `R`.
    pub(crate) async fn call_records<R: DeserializeOwned>(
        &self,
        op: Op,
        body: &serde_json::Value,
    ) -> Result<(RecordTexts, R)> {
        self.call_parsed(op, &[], Body::Json(body), records::parse_reply::<R>)
            .await
    }

    /// [`Client::call_with`] with the reply read by `parse`.
    async fn call_parsed<T>(
        &self,
        op: Op,
        query: &[(&str, &str)],
        body: Body<'_>,
        parse: Parse<T>,
    ) -> Result<T> {
        let span = tracing::info_span!(
            "wxcloud.call",
            operation = op.name(),
            env = self.env().unwrap_or(""),
            attempts = tracing::field::Empty,
            errcode = tracing::field::Empty,
        );
        let mut attempts = 0;
        let result = self
            .call_inner(op, query, body, parse, &mut attempts)
            .instrument(span.clone())
            .await;
        span.record("attempts", attempts);
        if let Err(err) = &result {
            if let Some(code) = err.errcode() {
                span.record("errcode", code);
            }
            span.in_scope(|| tracing::debug!(kind = %err.kind(), "call failed: {err}"));
        }
        result
    }

    async fn call_inner<T>(
        &self,
        op: Op,
        query: &[(&str, &str)],
        body: Body<'_>,
        parse: Parse<T>,
        attempts: &mut u32,
    ) -> Result<T> {
        let deadline = tokio::time::Instant::now() + self.shared.timeout;
        let mut token = self.token_before(deadline).await?;
        let mut refreshed = false;
        loop {
            let result = retry::run(&self.shared.retry, op.safety(), deadline, op.name(), |_| {
                *attempts += 1;
                self.attempt(op, &token, query, body, parse)
                    .instrument(tracing::debug_span!("attempt", n = *attempts))
            })
            .await;
            match result {
                Err(err) if retry::decide(op.safety(), &err) == Decision::RefreshToken => {
                    if refreshed || !self.shared.cache.can_refresh() {
                        return Err(err);
                    }
                    refreshed = true;
                    tracing::debug!(errcode = err.errcode(), "token rejected; refreshing once");
                    token = tokio::time::timeout_at(
                        deadline,
                        self.shared.cache.refresh_after_rejection(&token.token),
                    )
                    .await
                    .unwrap_or_else(|_| {
                        Err(Error::Timeout {
                            message: "no fresh access token within the call's timeout".into(),
                        })
                    })?;
                }
                other => return other,
            }
        }
    }

    async fn attempt<T>(
        &self,
        op: Op,
        token: &StoredToken,
        extra: &[(&str, &str)],
        body: Body<'_>,
        parse: Parse<T>,
    ) -> Result<T> {
        let mut query = vec![("access_token", token.token.as_str())];
        query.extend_from_slice(extra);
        let bytes = self.shared.http.send(op.path(), &query, body).await?;
        parse(&bytes, op.path(), Endpoint::Database)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.shared.http.base_url())
            .field("env", &self.env)
            .field("token", &self.shared.cache)
            .field("timeout", &self.shared.timeout)
            .field("retry", &self.shared.retry)
            .finish()
    }
}
