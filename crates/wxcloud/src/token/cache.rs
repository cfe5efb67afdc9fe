//! The one token cache of a client: refresh ahead of expiry, one fetch at a time, and
//! compare-and-invalidate after a rejection.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use tracing::Instrument;

use super::{AccessToken, Clock, FetchContext, FetchReason, StoredToken, TokenSource, TokenStore};
use crate::retry::{self, RetryPolicy, Safety};
use crate::transport::Http;
use crate::{Error, Result};

/// After a failed background refresh, wait this long before trying again in the background
/// (callers keep using the still-valid token meanwhile).
const BACKGROUND_RETRY_AFTER: Duration = Duration::from_secs(10);
/// How often a process waiting for another holder of the store's lock re-reads the store.
const STORE_POLL: Duration = Duration::from_millis(100);

type SharedFetch = Shared<BoxFuture<'static, Result<StoredToken>>>;

/// A client's token cache; clones share it.
#[derive(Clone)]
pub(crate) struct TokenCache {
    inner: Arc<Inner>,
}

/// How the cache is set up.
pub(crate) struct CacheConfig {
    pub(crate) source: Arc<dyn TokenSource>,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) http: Http,
    /// How long before expiry a successor is fetched (at most half the token's lifetime).
    pub(crate) refresh_margin: Duration,
    pub(crate) retry: RetryPolicy,
    /// The time budget of one fetch, retries included.
    pub(crate) fetch_timeout: Duration,
}

struct Inner {
    config: CacheConfig,
    key: String,
    local: Mutex<Option<StoredToken>>,
    inflight: Mutex<Option<SharedFetch>>,
    last_background_failure: Mutex<Option<SystemTime>>,
    store_warned: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TokenCache {
    pub(crate) fn new(config: CacheConfig) -> Self {
        let key = config.source.cache_key();
        TokenCache {
            inner: Arc::new(Inner {
                config,
                key,
                local: Mutex::new(None),
                inflight: Mutex::new(None),
                last_background_failure: Mutex::new(None),
                store_warned: AtomicBool::new(false),
            }),
        }
    }

    /// Whether a rejected token can be replaced by fetching again.
    pub(crate) fn can_refresh(&self) -> bool {
        self.inner.config.source.can_refresh()
    }

    /// The source's description, for display.
    pub(crate) fn describe(&self) -> String {
        self.inner.config.source.describe()
    }

    /// A usable token: the cached one, or a fetched one if none is usable. A token due for
    /// refresh is returned at once while its successor is fetched in the background.
    pub(crate) async fn get(&self) -> Result<StoredToken> {
        let now = self.inner.config.clock.now();
        let cached = lock(&self.inner.local).clone();
        if let Some(token) = cached {
            if token.is_usable(now) {
                if token.wants_refresh(now) && self.background_refresh_allowed(now) {
                    // Dropping the handle does not stop the fetch: it runs in its own task.
                    drop(self.start(FetchReason::Expiring));
                }
                return Ok(token);
            }
        }
        self.start(FetchReason::Missing).await
    }

    /// A replacement for `failed`, which a call just rejected as stale. The cached token is
    /// dropped only if it is still `failed`; if another caller already replaced it, the
    /// replacement is returned without fetching.
    pub(crate) async fn refresh_after_rejection(
        &self,
        failed: &AccessToken,
    ) -> Result<StoredToken> {
        {
            let mut local = lock(&self.inner.local);
            match &*local {
                Some(current) if current.token != *failed => return Ok(current.clone()),
                _ => *local = None,
            }
        }
        if let Err(err) = self
            .inner
            .config
            .store
            .invalidate(&self.inner.key, failed.as_str())
            .await
        {
            self.inner.warn_store(&err);
        }
        self.start(FetchReason::Rejected(failed.clone())).await
    }

    fn background_refresh_allowed(&self, now: SystemTime) -> bool {
        let last = *lock(&self.inner.last_background_failure);
        last.is_none_or(|t| now.duration_since(t).unwrap_or_default() >= BACKGROUND_RETRY_AFTER)
    }

    /// Joins the fetch in flight, or starts one in its own task so that it completes (and
    /// fills the cache) even if every caller waiting for it is cancelled.
    fn start(&self, reason: FetchReason) -> SharedFetch {
        let mut slot = lock(&self.inner.inflight);
        if let Some(fetch) = &*slot {
            return fetch.clone();
        }
        let inner = Arc::clone(&self.inner);
        let background = reason == FetchReason::Expiring;
        let span = tracing::debug_span!(
            "wxcloud.token",
            source = %self.inner.config.source.describe(),
            reason = reason.name()
        );
        let task = tokio::spawn(
            async move {
                let result = inner.fetch(reason).await;
                match &result {
                    Ok(token) => *lock(&inner.local) = Some(token.clone()),
                    Err(err) => {
                        tracing::warn!(error = %err, "access token fetch failed");
                        if background {
                            *lock(&inner.last_background_failure) = Some(inner.config.clock.now());
                        }
                    }
                }
                *lock(&inner.inflight) = None;
                result
            }
            .instrument(span),
        );
        let fetch = async move {
            task.await
                .unwrap_or_else(|e| Err(Error::token(format!("the token fetch task stopped: {e}"))))
        }
        .boxed()
        .shared();
        *slot = Some(fetch.clone());
        fetch
    }
}

impl Inner {
    /// Gets a token for `reason`: from the store if another process refreshed it, else from
    /// the source while holding the store's refresh lock.
    async fn fetch(&self, reason: FetchReason) -> Result<StoredToken> {
        let rejected = match &reason {
            FetchReason::Rejected(token) => Some(token.clone()),
            _ => None,
        };
        let fresh = |t: &StoredToken, now: SystemTime| {
            t.is_usable(now) && !t.wants_refresh(now) && rejected.as_ref() != Some(&t.token)
        };
        let store = &self.config.store;
        match store.get(&self.key).await {
            Ok(Some(t)) if fresh(&t, self.config.clock.now()) => return Ok(t),
            Ok(_) => {}
            Err(err) => self.warn_store(&err),
        }
        let lease = self.config.fetch_timeout + Duration::from_secs(5);
        match store.try_lock(&self.key, lease).await {
            Ok(Some(lock_id)) => {
                let result = self.fetch_from_source(reason).await;
                if let Err(err) = store.unlock(&self.key, &lock_id).await {
                    self.warn_store(&err);
                }
                result
            }
            Ok(None) => {
                // Another process is refreshing: wait for its token rather than evicting it.
                let until = tokio::time::Instant::now() + lease;
                while tokio::time::Instant::now() < until {
                    tokio::time::sleep(STORE_POLL).await;
                    match store.get(&self.key).await {
                        Ok(Some(t)) if fresh(&t, self.config.clock.now()) => return Ok(t),
                        Ok(_) => {}
                        Err(err) => {
                            self.warn_store(&err);
                            break;
                        }
                    }
                }
                self.fetch_from_source(reason).await
            }
            Err(err) => {
                self.warn_store(&err);
                self.fetch_from_source(reason).await
            }
        }
    }

    /// Asks the source (retrying transient failures within the fetch budget) and stores the token.
    async fn fetch_from_source(&self, reason: FetchReason) -> Result<StoredToken> {
        let ctx = FetchContext {
            http: self.config.http.clone(),
            clock: Arc::clone(&self.config.clock),
            reason,
        };
        let deadline = tokio::time::Instant::now() + self.config.fetch_timeout;
        let source = &self.config.source;
        let token = retry::run(
            &self.config.retry,
            Safety::Read,
            deadline,
            "token fetch",
            |attempt| {
                tracing::debug!(attempt = attempt + 1, "fetching access token");
                source.fetch(&ctx)
            },
        )
        .await?;
        let stored = self.stamp(token);
        if let Err(err) = self.config.store.put(&self.key, &stored).await {
            self.warn_store(&err);
        }
        Ok(stored)
    }

    /// The token with its expiry and refresh times on the client's clock.
    fn stamp(&self, token: AccessToken) -> StoredToken {
        let now = self.config.clock.now();
        let (expires_at, refresh_at) = match token.lifetime() {
            Some(lifetime) => {
                let margin = self.config.refresh_margin.min(lifetime / 2);
                (Some(now + lifetime), Some(now + (lifetime - margin)))
            }
            None => (None, None),
        };
        StoredToken {
            token,
            expires_at,
            refresh_at,
        }
    }

    fn warn_store(&self, err: &Error) {
        if !self.store_warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(error = %err, "token store failed; using the in-process token cache");
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("key", &self.inner.key)
            .field("source", &self.inner.config.source.describe())
            .field("token", &"** redacted **")
            .finish()
    }
}
