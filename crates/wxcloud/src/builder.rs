//! Configuring a [`Client`]: credentials, env, endpoint, timeouts, retries, token storage.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Client, Shared};
use crate::retry::RetryPolicy;
use crate::token::{
    AccessToken, AuthorizerSource, CallbackSource, ClientCredentialSource, Clock, FixedSource,
    MemoryTokenStore, Secret, StableTokenSource, SystemClock, TokenCache, TokenMode, TokenSource,
    TokenStore, VerifyTicket,
};
use crate::transport::{DEFAULT_MAX_REPLY_BYTES, Http};
use crate::{Error, Result};

/// The service's address, used unless [`ClientBuilder::base_url`] says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";
/// The default time budget of one call, token fetch and retries included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long before expiry a token is refreshed by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A third-party platform's credentials for calling on behalf of an authorizer.
#[derive(Clone, Debug)]
pub struct Authorizer {
    /// The platform's (component) appid.
    pub component_appid: String,
    /// The platform's app secret (redacted in `Debug`).
    component_secret: Secret,
    /// The latest `component_verify_ticket`, or how to read it.
    pub verify_ticket: VerifyTicket,
    /// The authorizer's appid.
    pub authorizer_appid: String,
    /// The authorizer's refresh token (redacted in `Debug`).
    refresh_token: Secret,
}

impl Authorizer {
    /// Credentials for calling as `authorizer_appid` through the platform `component_appid`.
    pub fn new(
        component_appid: impl Into<String>,
        component_secret: impl Into<String>,
        verify_ticket: VerifyTicket,
        authorizer_appid: impl Into<String>,
        authorizer_refresh_token: impl Into<String>,
    ) -> Self {
        Authorizer {
            component_appid: component_appid.into(),
            component_secret: Secret::new(component_secret),
            verify_ticket,
            authorizer_appid: authorizer_appid.into(),
            refresh_token: Secret::new(authorizer_refresh_token),
        }
    }
}

/// Builds a [`Client`]. Start from [`Client::builder`] or [`ClientBuilder::from_env`].
///
/// The token source is the first of these that is set: [`token_source`](Self::token_source),
/// [`access_token`](Self::access_token), [`token_provider`](Self::token_provider),
/// [`authorizer`](Self::authorizer), then [`appid`](Self::appid) + [`secret`](Self::secret)
/// with [`token_mode`](Self::token_mode).
///
/// ```no_run
/// # async fn demo() -> wxcloud::Result<()> {
/// use std::time::Duration;
///
/// let client = wxcloud::Client::builder()
///     .appid("wx1234567890")
///     .secret("app-secret")
///     .env("test2-4a89da")
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// let n = client.count(r#"db.collection("todos").count()"#).await?;
/// # let _ = n; Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    appid: Option<String>,
    secret: Option<Secret>,
    env: Option<String>,
    base_url: Option<String>,
    access_token: Option<Secret>,
    provider: Option<CallbackSource>,
    authorizer: Option<Authorizer>,
    source: Option<Arc<dyn TokenSource>>,
    token_mode: TokenMode,
    timeout: Duration,
    attempt_timeout: Option<Duration>,
    connect_timeout: Duration,
    retry: RetryPolicy,
    refresh_margin: Duration,
    max_reply_bytes: usize,
    store: Option<Arc<dyn TokenStore>>,
    redis_url: Option<RedisUrls>,
    redis_ca_file: Option<std::path::PathBuf>,
    redis_key_prefix: Option<String>,
    lock_lease: Option<Duration>,
    clock: Option<Arc<dyn Clock>>,
    deferred_error: Option<Error>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            appid: None,
            secret: None,
            env: None,
            base_url: None,
            access_token: None,
            provider: None,
            authorizer: None,
            source: None,
            token_mode: TokenMode::Stable,
            timeout: DEFAULT_TIMEOUT,
            attempt_timeout: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            store: None,
            redis_url: None,
            redis_ca_file: None,
            redis_key_prefix: None,
            lock_lease: None,
            clock: None,
            deferred_error: None,
        }
    }
}

impl ClientBuilder {
    /// A builder with nothing configured.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder taking its defaults from the environment: `WXCLOUD_APPID`, `WXCLOUD_SECRET`,
    /// `WXCLOUD_ENV`, `WXCLOUD_BASE_URL`, `WXCLOUD_ACCESS_TOKEN`, `WXCLOUD_TOKEN_MODE`
    /// (`stable` or `client_credential`), `WXCLOUD_TIMEOUT` (seconds) and
    /// `WXCLOUD_MAX_RETRIES`, and for a token cache shared in Redis `WXCLOUD_REDIS_URL` and
    /// `WXCLOUD_REDIS_KEY_PREFIX` (and `WXCLOUD_REDIS_CA_FILE`). Empty variables are ignored; later builder calls override them.
    /// A malformed value is reported by [`build`](Self::build).
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut b = ClientBuilder::new();
        if let Some(v) = get("WXCLOUD_APPID") {
            b = b.appid(v);
        }
        if let Some(v) = get("WXCLOUD_SECRET") {
            b = b.secret(v);
        }
        if let Some(v) = get("WXCLOUD_ENV") {
            b = b.env(v);
        }
        if let Some(v) = get("WXCLOUD_BASE_URL") {
            b = b.base_url(v);
        }
        if let Some(v) = get("WXCLOUD_ACCESS_TOKEN") {
            b = b.access_token(v);
        }
        if let Some(v) = get("WXCLOUD_TOKEN_MODE") {
            match v.parse() {
                Ok(mode) => b = b.token_mode(mode),
                Err(e) => b.deferred_error = Some(e),
            }
        }
        if let Some(v) = get("WXCLOUD_TIMEOUT") {
            match v.parse::<f64>() {
                Ok(secs) if secs > 0.0 && secs.is_finite() => {
                    b = b.timeout(Duration::from_secs_f64(secs))
                }
                _ => {
                    b.deferred_error = Some(Error::config(format!(
                        "WXCLOUD_TIMEOUT must be seconds > 0, got {v:?}"
                    )))
                }
            }
        }
        if let Some(v) = get("WXCLOUD_REDIS_URL") {
            b = b.redis_url(v);
        }
        if let Some(v) = get("WXCLOUD_REDIS_CA_FILE") {
            b = b.redis_ca_file(v);
        }
        if let Some(v) = get("WXCLOUD_REDIS_KEY_PREFIX") {
            b = b.redis_key_prefix(v);
        }
        if let Some(v) = get("WXCLOUD_MAX_RETRIES") {
            match v.parse::<u32>() {
                Ok(n) => b = b.max_retries(n),
                Err(_) => {
                    b.deferred_error = Some(Error::config(format!(
                        "WXCLOUD_MAX_RETRIES must be a count, got {v:?}"
                    )))
                }
            }
        }
        b
    }

    /// The mini program's or official account's appid.
    pub fn appid(mut self, appid: impl Into<String>) -> Self {
        self.appid = Some(appid.into());
        self
    }

    /// The app secret, used only to fetch tokens; never logged.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(Secret::new(secret));
        self
    }

    /// The cloud environment id every call uses (override per call with [`Client::with_env`]).
    pub fn env(mut self, env: impl Into<String>) -> Self {
        self.env = Some(env.into());
        self
    }

    /// The service's address; default [`DEFAULT_BASE_URL`]. Point it at an emulator in tests.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Use this token as is; it is never refreshed.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(Secret::new(token));
        self
    }

    /// Get tokens from `provider`, an async function returning a token and its lifetime
    /// (e.g. from a central token service).
    ///
    /// ```no_run
    /// # fn demo() -> wxcloud::Result<()> {
    /// use std::time::Duration;
    /// use wxcloud::token::AccessToken;
    ///
    /// let client = wxcloud::Client::builder()
    ///     .env("prod-1a2b")
    ///     .token_provider(|| async {
    ///         // ask your token service here
    ///         Ok(AccessToken::new("TOKEN", Duration::from_secs(7200)))
    ///     })
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn token_provider<F, Fut>(mut self, provider: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<AccessToken>> + Send + 'static,
    {
        self.provider = Some(CallbackSource::new(provider));
        self
    }

    /// How to get a token from appid and secret; default [`TokenMode::Stable`].
    pub fn token_mode(mut self, mode: TokenMode) -> Self {
        self.token_mode = mode;
        self
    }

    /// Call as a third-party platform on behalf of an authorizer.
    pub fn authorizer(mut self, authorizer: Authorizer) -> Self {
        self.authorizer = Some(authorizer);
        self
    }

    /// Use a token source of your own; it takes precedence over every other credential.
    pub fn token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.source = Some(source);
        self
    }

    /// The time budget of one call, including its token fetch and retries; default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time one attempt may take (one HTTP exchange, body included); default the whole
    /// [`timeout`](Self::timeout). Set it shorter to let reads retry after a stalled attempt
    /// within the call's budget; a write that times out is never repeated.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The time allowed to establish a connection; default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How many times a failed read is retried; default 3. `0` disables retries (the one
    /// retry after a token refresh still happens).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The whole retry policy (count and backoff).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How long before expiry a token is refreshed; default 5 minutes (at most half a
    /// token's lifetime).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The largest reply read, in bytes; default 17 MiB (the service's replies are at most 16 MB).
    pub fn max_reply_bytes(mut self, bytes: usize) -> Self {
        self.max_reply_bytes = bytes;
        self
    }

    /// Where tokens are kept; default a [`MemoryTokenStore`] of this client. A shared store
    /// lets several processes use one token.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Keep tokens in the Redis at `url`, shared by every process configured with it: one of
    /// them fetches a token while the others wait for it, and a token is refreshed once for
    /// the whole fleet. If Redis cannot be reached, calls go on with the in-process cache (and
    /// one warning is logged). Needs the cargo feature `redis`; without it
    /// [`build`](Self::build) fails. The URL's password is never shown.
    ///
    /// `url` is one server or primary (`redis://[[user]:password@]host[:port][/db]`,
    /// `rediss://` for TLS), Sentinel
    /// (`redis+sentinel://[[user]:password@]HOST[:PORT][,HOST[:PORT]...]/MASTER_NAME[/db]`,
    /// `rediss+sentinel://` for TLS), or a cluster's node URLs separated by commas (see also
    /// [`redis_cluster`](Self::redis_cluster)). See [`crate::token::RedisTokenStore`] for the
    /// key layout.
    ///
    /// ```no_run
    /// # fn demo() -> wxcloud::Result<()> {
    /// let client = wxcloud::Client::builder()
    ///     .appid("wx1234567890")
    ///     .secret("app-secret")
    ///     .env("test2-4a89da")
    ///     .redis_url("redis+sentinel://10.0.0.7:26379,10.0.0.8:26379/mymaster")
    ///     .redis_key_prefix("wxcloud:")
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn redis_url(mut self, url: impl Into<String>) -> Self {
        self.redis_url = Some(RedisUrls {
            urls: vec![Secret::new(url)],
            cluster: false,
        });
        self
    }

    /// Keep tokens in the Redis Cluster these node URLs (`redis://` or `rediss://`) belong to,
    /// as [`redis_url`](Self::redis_url) does for one server. One reachable node is enough;
    /// the others are discovered.
    ///
    /// ```no_run
    /// # fn demo() -> wxcloud::Result<()> {
    /// let client = wxcloud::Client::builder()
    ///     .appid("wx1234567890")
    ///     .secret("app-secret")
    ///     .redis_cluster(vec!["redis://10.0.0.5:6379", "redis://10.0.0.6:6379"])
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn redis_cluster<I, S>(mut self, nodes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.redis_url = Some(RedisUrls {
            urls: nodes.into_iter().map(Secret::new).collect(),
            cluster: true,
        });
        self
    }

    /// Verify the Redis servers' TLS certificates against the PEM CA certificates in this
    /// file instead of the system roots (`rediss://` URLs only). Certificates are always
    /// verified; there is no switch to accept any certificate.
    pub fn redis_ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.redis_ca_file = Some(path.into());
        self
    }

    /// The prefix of every key written to Redis; default `wxcloud:`.
    pub fn redis_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.redis_key_prefix = Some(prefix.into());
        self
    }

    /// How long a process may hold a shared store's refresh lock before another process takes
    /// over (if the holder died mid-refresh); default the [`timeout`](Self::timeout) + 5 s.
    /// It must be longer than a token fetch takes.
    pub fn token_lock_lease(mut self, lease: Duration) -> Self {
        self.lock_lease = Some(lease);
        self
    }

    /// The clock token expiry is judged by; default the system clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Whether any credential is configured (so a front end can fall back to an emulator
    /// when there is none).
    pub fn has_credentials(&self) -> bool {
        self.source.is_some()
            || self.access_token.is_some()
            || self.provider.is_some()
            || self.authorizer.is_some()
            || (self.appid.is_some() && self.secret.is_some())
    }

    /// The env configured so far, if any.
    pub fn env_name(&self) -> Option<&str> {
        self.env.as_deref()
    }

    fn token_source_for(&self) -> Result<Arc<dyn TokenSource>> {
        if let Some(source) = &self.source {
            return Ok(Arc::clone(source));
        }
        if let Some(token) = &self.access_token {
            return Ok(Arc::new(FixedSource::new(token.expose())));
        }
        if let Some(provider) = &self.provider {
            // Name the app in the token's key, so apps sharing a token store keep apart.
            return Ok(Arc::new(match &self.appid {
                Some(appid) => provider.for_app(appid),
                None => provider.clone(),
            }));
        }
        if let Some(a) = &self.authorizer {
            return Ok(Arc::new(AuthorizerSource::new(
                a.component_appid.clone(),
                a.component_secret.expose(),
                a.verify_ticket.clone(),
                a.authorizer_appid.clone(),
                a.refresh_token.expose(),
            )));
        }
        match (&self.appid, &self.secret) {
            (Some(appid), Some(secret)) => Ok(match self.token_mode {
                TokenMode::Stable => {
                    Arc::new(StableTokenSource::new(appid.clone(), secret.expose()))
                }
                TokenMode::ClientCredential => {
                    Arc::new(ClientCredentialSource::new(appid.clone(), secret.expose()))
                }
            }),
            (Some(_), None) => Err(Error::config("an appid is set but no secret")),
            (None, Some(_)) => Err(Error::config("a secret is set but no appid")),
            (None, None) => Err(Error::config(
                "no credentials: set appid and secret, an access token, a token provider or an authorizer",
            )),
        }
    }

    fn token_store_for(&self) -> Result<Arc<dyn TokenStore>> {
        match (&self.store, &self.redis_url) {
            (Some(_), Some(_)) => Err(Error::config(
                "both a token store and a Redis URL are set: choose one",
            )),
            (Some(store), None) => Ok(Arc::clone(store)),
            (None, Some(urls)) => redis_store(
                urls,
                self.redis_ca_file.as_deref(),
                self.redis_key_prefix.as_deref(),
            ),
            (None, None) => Ok(Arc::new(MemoryTokenStore::new())),
        }
    }

    /// Builds the client. Fails with a configuration error (kind
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest)) if no credential is
    /// set, the base URL is not http(s), or an environment variable was malformed. The env
    /// may be left unset here and given per call with [`Client::with_env`].
    pub fn build(self) -> Result<Client> {
        if let Some(err) = self.deferred_error.clone() {
            return Err(err);
        }
        if self.timeout.is_zero() {
            return Err(Error::config("the timeout must be longer than zero"));
        }
        let source = self.token_source_for()?;
        let http = Http::new(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.attempt_timeout
                .unwrap_or(self.timeout)
                .min(self.timeout),
            self.connect_timeout,
            self.max_reply_bytes,
        )?;
        let cache = TokenCache::new(crate::token::CacheConfig {
            source,
            store: self.token_store_for()?,
            clock: self.clock.clone().unwrap_or_else(|| Arc::new(SystemClock)),
            http: http.clone(),
            refresh_margin: self.refresh_margin,
            retry: self.retry,
            fetch_timeout: self.timeout,
            lock_lease: self.lock_lease,
        });
        let shared = Shared {
            http,
            cache,
            retry: self.retry,
            timeout: self.timeout,
        };
        Ok(Client::from_parts(
            Arc::new(shared),
            self.env.map(Arc::from),
        ))
    }

    /// Builds a [`crate::blocking::Client`], which runs its own small runtime.
    pub fn build_blocking(self) -> Result<crate::blocking::Client> {
        crate::blocking::Client::from_async(self.build()?)
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |set: bool| if set { Some("** redacted **") } else { None };
        f.debug_struct("ClientBuilder")
            .field("appid", &self.appid)
            .field("secret", &redacted(self.secret.is_some()))
            .field("env", &self.env)
            .field("base_url", &self.base_url)
            .field("access_token", &redacted(self.access_token.is_some()))
            .field("token_provider", &self.provider.is_some())
            .field("authorizer", &self.authorizer)
            .field("token_mode", &self.token_mode)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("redis_url", &redacted(self.redis_url.is_some()))
            .field("redis_ca_file", &self.redis_ca_file)
            .field("redis_key_prefix", &self.redis_key_prefix)
            .finish_non_exhaustive()
    }
}

/// The Redis a client keeps its tokens in: one URL (a server, Sentinel, or comma-separated
/// cluster nodes) or a cluster's node list.
#[derive(Clone)]
// Without the `redis` feature the builder still takes the option, and refuses it at build().
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
struct RedisUrls {
    urls: Vec<Secret>,
    cluster: bool,
}

#[cfg(feature = "redis")]
fn redis_store(
    redis: &RedisUrls,
    ca_file: Option<&std::path::Path>,
    prefix: Option<&str>,
) -> Result<Arc<dyn TokenStore>> {
    use crate::token::RedisTokenStore;
    let urls = redis.urls.iter().map(|u| u.expose().to_string());
    let mut store = if redis.cluster {
        RedisTokenStore::cluster(urls)?
    } else {
        RedisTokenStore::new(&urls.collect::<Vec<_>>().join(","))?
    };
    if let Some(path) = ca_file {
        store = store.with_ca_file(path)?;
    }
    if let Some(prefix) = prefix {
        store = store.with_key_prefix(prefix);
    }
    Ok(Arc::new(store))
}

#[cfg(not(feature = "redis"))]
fn redis_store(
    _redis: &RedisUrls,
    _ca_file: Option<&std::path::Path>,
    _prefix: Option<&str>,
) -> Result<Arc<dyn TokenStore>> {
    Err(Error::config(
        "a Redis URL is set, but this build of wxcloud has no Redis support (cargo feature `redis`)",
    ))
}
