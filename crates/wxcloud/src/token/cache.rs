//! The one token cache of a client: refresh ahead of expiry, one fetch at a time, and
//! compare-and-invalidate after a rejection.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use tracing::Instrument;

use super::{
    AccessToken, Clock, FetchContext, FetchReason, LockId, MemoryTokenStore, Secret, StoredToken,
    TokenSource, TokenStore,
};
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
    /// How long the store's refresh lock is held at most; default `fetch_timeout` + 5 s.
    pub(crate) lock_lease: Option<Duration>,
}

struct Inner {
    config: CacheConfig,
    key: String,
    local: Mutex<Option<StoredToken>>,
    inflight: Mutex<Option<SharedFetch>>,
    last_background_failure: Mutex<Option<SystemTime>>,
    store_warned: AtomicBool,
    /// How many store outages were warned about.
    store_outages: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TokenCache {
    pub(crate) fn new(mut config: CacheConfig) -> Self {
        let key = config.source.cache_key();
        if !config.source.can_refresh() {
            // A fixed token is not worth sharing, and its key does not name an app.
            config.store = Arc::new(MemoryTokenStore::new());
        }
        TokenCache {
            inner: Arc::new(Inner {
                config,
                key,
                local: Mutex::new(None),
                inflight: Mutex::new(None),
                last_background_failure: Mutex::new(None),
                store_warned: AtomicBool::new(false),
                store_outages: AtomicUsize::new(0),
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
        if let Some(token) = cached
            && token.is_usable(now)
        {
            if token.wants_refresh(now) && self.background_refresh_allowed(now) {
                // Dropping the handle does not stop the fetch: it runs in its own task.
                drop(self.start(FetchReason::Expiring));
            }
            return Ok(token);
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
        let store = &self.config.store;
        match store.get(&self.key).await {
            Ok(Some(t)) if self.fresh(&t, &reason) => {
                self.store_ok();
                return Ok(t);
            }
            Ok(_) => self.store_ok(),
            Err(err) => self.warn_store(&err),
        }
        let lease = self.lease();
        match store.try_lock(&self.key, lease).await {
            Ok(Some(lock_id)) => self.fetch_holding(reason, lock_id).await,
            Ok(None) => self.wait_for_holder(reason, lease).await,
            Err(err) => {
                self.warn_store(&err);
                self.fetch_from_source_guarded(reason, None).await
            }
        }
    }

    /// Whether a token read from the store can be used instead of fetching for `reason`.
    fn fresh(&self, t: &StoredToken, reason: &FetchReason) -> bool {
        let now = self.config.clock.now();
        let rejected = matches!(reason, FetchReason::Rejected(r) if *r == t.token);
        t.is_usable(now) && !t.wants_refresh(now) && !rejected
    }

    /// How long the store's refresh lock is held at most: long enough for a fetch, after
    /// which another process may take over from a holder that died.
    fn lease(&self) -> Duration {
        self.config
            .lock_lease
            .unwrap_or(self.config.fetch_timeout + Duration::from_secs(5))
    }

    /// Fetches while holding the store's lock, then releases it. The store is read again
    /// first: the previous holder may have stored a token between our read and our lock.
    async fn fetch_holding(&self, reason: FetchReason, lock_id: LockId) -> Result<StoredToken> {
        let store = &self.config.store;
        let result = match store.get(&self.key).await {
            Ok(Some(t)) if self.fresh(&t, &reason) => Ok(t),
            _ => {
                let refresh_token = match store.refresh_token(&self.key).await {
                    Ok(t) => t.map(Secret::new),
                    Err(err) => {
                        self.warn_store(&err);
                        None
                    }
                };
                let wanted = reason.clone();
                tokio::select! {
                    result = self.fetch_from_source_guarded(reason, refresh_token) => result,
                    Some(t) = self.taken_over(&wanted) => Ok(t),
                }
            }
        };
        if let Err(err) = store.unlock(&self.key, &lock_id).await {
            self.warn_store(&err);
        }
        result
    }

    /// A token stored by another process that took the lock over because this holder's
    /// fetch outlived its lease (a slow service); `None` if the store fails.
    async fn taken_over(&self, reason: &FetchReason) -> Option<StoredToken> {
        tokio::time::sleep(self.lease()).await;
        loop {
            match self.config.store.get(&self.key).await {
                Ok(Some(t)) if self.fresh(&t, reason) => return Some(t),
                Ok(_) => tokio::time::sleep(STORE_POLL).await,
                Err(_) => return None,
            }
        }
    }

    /// Another process holds the lock: wait for its token rather than evicting it. If the
    /// holder dies, its lease runs out and one waiter (in any process) takes the lock over.
    async fn wait_for_holder(&self, reason: FetchReason, lease: Duration) -> Result<StoredToken> {
        let store = &self.config.store;
        let give_up = tokio::time::Instant::now() + lease * 2;
        while tokio::time::Instant::now() < give_up {
            tokio::time::sleep(STORE_POLL).await;
            match store.get(&self.key).await {
                Ok(Some(t)) if self.fresh(&t, &reason) => return Ok(t),
                Ok(_) => {}
                Err(err) => {
                    self.warn_store(&err);
                    break;
                }
            }
            match store.try_lock(&self.key, lease).await {
                Ok(Some(lock_id)) => return self.fetch_holding(reason, lock_id).await,
                Ok(None) => {}
                Err(err) => {
                    self.warn_store(&err);
                    break;
                }
            }
        }
        self.fetch_from_source_guarded(reason, None).await
    }

    /// [`Inner::fetch_from_source`], with a panicking source turned into an error so the
    /// store's lock is still released and later calls are not held up.
    async fn fetch_from_source_guarded(
        &self,
        reason: FetchReason,
        stored_refresh_token: Option<Secret>,
    ) -> Result<StoredToken> {
        AssertUnwindSafe(self.fetch_from_source(reason, stored_refresh_token))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err(Error::token("the token source panicked")))
    }

    /// Asks the source (retrying transient failures within the fetch budget) and stores the token.
    async fn fetch_from_source(
        &self,
        reason: FetchReason,
        stored_refresh_token: Option<Secret>,
    ) -> Result<StoredToken> {
        let ctx = FetchContext {
            http: self.config.http.clone(),
            clock: Arc::clone(&self.config.clock),
            reason,
            stored_refresh_token,
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

    /// Logs a store failure once per outage; calls go on with the in-process cache.
    fn warn_store(&self, err: &Error) {
        if !self.store_warned.swap(true, Ordering::Relaxed) {
            self.store_outages.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %err, "token store failed; using the in-process token cache");
        }
    }

    /// Notes that the store answered, so that a later outage is reported again.
    fn store_ok(&self) {
        if self.store_warned.swap(false, Ordering::Relaxed) {
            tracing::info!("token store reachable again; sharing tokens through it");
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Wall-clock time that moves with tokio's (paused) clock.
    struct TokioClock {
        base: SystemTime,
        start: tokio::time::Instant,
    }

    impl Clock for TokioClock {
        fn now(&self) -> SystemTime {
            self.base + self.start.elapsed()
        }
    }

    /// An in-process source: each fetch takes `delay` and issues `t1`, `t2`, ...
    struct Counting {
        fetches: AtomicUsize,
        delay: Duration,
        lifetime: Duration,
    }

    #[async_trait::async_trait]
    impl TokenSource for Counting {
        fn cache_key(&self) -> String {
            "counting".into()
        }
        async fn fetch(&self, _ctx: &FetchContext) -> Result<AccessToken> {
            tokio::time::sleep(self.delay).await;
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(AccessToken::new(format!("t{n}"), self.lifetime))
        }
        fn describe(&self) -> String {
            "counting".into()
        }
    }

    fn cache_with(store: Arc<dyn TokenStore>) -> (TokenCache, Arc<Counting>) {
        let source = Arc::new(Counting {
            fetches: AtomicUsize::new(0),
            delay: Duration::from_secs(2),
            lifetime: Duration::from_secs(7200),
        });
        let cache = TokenCache::new(CacheConfig {
            source: source.clone(),
            store,
            clock: Arc::new(TokioClock {
                base: SystemTime::UNIX_EPOCH,
                start: tokio::time::Instant::now(),
            }),
            http: Http::new(
                "http://127.0.0.1:9",
                Duration::from_secs(30),
                Duration::from_secs(5),
                1024,
            )
            .unwrap(),
            refresh_margin: Duration::from_secs(300),
            retry: RetryPolicy::default(),
            fetch_timeout: Duration::from_secs(30),
            lock_lease: None,
        });
        (cache, source)
    }

    fn fetches(source: &Counting) -> usize {
        source.fetches.load(Ordering::SeqCst)
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch_even_if_the_first_is_cancelled() {
        let (cache, source) = cache_with(Arc::new(MemoryTokenStore::new()));
        let first = tokio::spawn({
            let cache = cache.clone();
            async move { cache.get().await }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        first.abort();
        let waiters: Vec<_> = (0..100)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.get().await.map(|t| t.token.as_str().to_string()) })
            })
            .collect();
        for waiter in waiters {
            assert_eq!(waiter.await.unwrap().unwrap(), "t1");
        }
        assert_eq!(fetches(&source), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_is_refreshed_in_the_background_inside_the_margin_and_fetched_after_expiry() {
        let (cache, source) = cache_with(Arc::new(MemoryTokenStore::new()));
        assert_eq!(cache.get().await.unwrap().token.as_str(), "t1");
        tokio::time::sleep(Duration::from_secs(7200 - 300 - 1)).await;
        assert_eq!(cache.get().await.unwrap().token.as_str(), "t1");
        assert_eq!(fetches(&source), 1, "not yet due");

        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            cache.get().await.unwrap().token.as_str(),
            "t1",
            "due: the old token is still served"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(cache.get().await.unwrap().token.as_str(), "t2");
        assert_eq!(fetches(&source), 2);

        tokio::time::sleep(Duration::from_secs(7300)).await;
        assert_eq!(
            cache.get().await.unwrap().token.as_str(),
            "t3",
            "expired: callers wait for a new one"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn only_the_token_that_failed_is_invalidated() {
        let (cache, source) = cache_with(Arc::new(MemoryTokenStore::new()));
        let t1 = cache.get().await.unwrap().token;
        let t2 = cache.refresh_after_rejection(&t1).await.unwrap().token;
        assert_eq!(t2.as_str(), "t2");
        // A late caller reporting t1 gets t2 without another fetch.
        assert_eq!(cache.refresh_after_rejection(&t1).await.unwrap().token, t2);
        assert_eq!(fetches(&source), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_on_another_holders_lock_reads_its_token_instead_of_fetching() {
        let store = Arc::new(MemoryTokenStore::new());
        let (cache, source) = cache_with(store.clone());
        let held = store
            .try_lock("counting", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        let waiter = tokio::spawn({
            let cache = cache.clone();
            async move { cache.get().await }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        let from_elsewhere = StoredToken {
            token: AccessToken::new("other-process", Duration::from_secs(7200)),
            expires_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(7201)),
            refresh_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(6900)),
        };
        store.put("counting", &from_elsewhere).await.unwrap();
        store.unlock("counting", &held).await.unwrap();
        assert_eq!(
            waiter.await.unwrap().unwrap().token.as_str(),
            "other-process"
        );
        assert_eq!(fetches(&source), 0);
    }

    /// A store that is down.
    struct Down;

    #[async_trait::async_trait]
    impl TokenStore for Down {
        async fn get(&self, _: &str) -> Result<Option<StoredToken>> {
            Err(Error::token("store down"))
        }
        async fn put(&self, _: &str, _: &StoredToken) -> Result<()> {
            Err(Error::token("store down"))
        }
        async fn invalidate(&self, _: &str, _: &str) -> Result<()> {
            Err(Error::token("store down"))
        }
        async fn try_lock(&self, _: &str, _: Duration) -> Result<Option<LockId>> {
            Err(Error::token("store down"))
        }
        async fn unlock(&self, _: &str, _: &LockId) -> Result<()> {
            Err(Error::token("store down"))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_store_is_bypassed_and_the_process_still_fetches_once() {
        let (cache, source) = cache_with(Arc::new(Down));
        let callers: Vec<_> = (0..50)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.get().await.map(|t| t.token.as_str().to_string()) })
            })
            .collect();
        for caller in callers {
            assert_eq!(caller.await.unwrap().unwrap(), "t1");
        }
        assert_eq!(cache.get().await.unwrap().token.as_str(), "t1");
        assert_eq!(fetches(&source), 1);
    }
    /// A store that can be taken down and brought back.
    struct Flaky {
        inner: MemoryTokenStore,
        down: std::sync::atomic::AtomicBool,
    }

    impl Flaky {
        fn check(&self) -> Result<()> {
            if self.down.load(Ordering::SeqCst) {
                Err(Error::token("store down"))
            } else {
                Ok(())
            }
        }
    }

    #[async_trait::async_trait]
    impl TokenStore for Flaky {
        async fn get(&self, key: &str) -> Result<Option<StoredToken>> {
            self.check()?;
            self.inner.get(key).await
        }
        async fn put(&self, key: &str, token: &StoredToken) -> Result<()> {
            self.check()?;
            self.inner.put(key, token).await
        }
        async fn invalidate(&self, key: &str, failed: &str) -> Result<()> {
            self.check()?;
            self.inner.invalidate(key, failed).await
        }
        async fn try_lock(&self, key: &str, lease: Duration) -> Result<Option<LockId>> {
            self.check()?;
            self.inner.try_lock(key, lease).await
        }
        async fn unlock(&self, key: &str, lock: &LockId) -> Result<()> {
            self.check()?;
            self.inner.unlock(key, lock).await
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_outage_is_warned_about_once_and_again_after_the_store_came_back() {
        let store = Arc::new(Flaky {
            inner: MemoryTokenStore::new(),
            down: true.into(),
        });
        let (cache, source) = cache_with(store.clone());

        let mut token = cache.get().await.unwrap().token;
        for _ in 0..3 {
            token = cache.refresh_after_rejection(&token).await.unwrap().token;
        }
        let outages = || cache.inner.store_outages.load(Ordering::SeqCst);
        assert_eq!(outages(), 1, "one warning per outage");

        store.down.store(false, Ordering::SeqCst);
        token = cache.refresh_after_rejection(&token).await.unwrap().token;
        assert!(!cache.inner.store_warned.load(Ordering::SeqCst), "back");

        store.down.store(true, Ordering::SeqCst);
        cache.refresh_after_rejection(&token).await.unwrap();
        assert_eq!(outages(), 2, "a new outage is reported");
        assert_eq!(fetches(&source), 6);
    }
}
