//! A [`TokenStore`] in Redis, so that a fleet of processes (and machines) shares one token
//! per app and refreshes it once between them.
//!
//! Key layout, for a source whose [`super::TokenSource::cache_key`] is `K` and the default
//! prefix `wxcloud:`:
//!
//! | key | type | content | expiry |
//! |---|---|---|---|
//! | `wxcloud:K` | hash | `token`, `expires_at`, `refresh_at` (Unix ms, empty if unknown) | the token's expiry |
//! | `wxcloud:K:lock` | string | the id of the process refreshing the token | the lease |
//! | `wxcloud:K:refresh_token` | string | an authorizer's latest refresh token | none |
//!
//! The app secret is never written; only tokens are.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};
use tokio::sync::OnceCell;

use super::{AccessToken, LockId, StoredToken, TokenStore};
use crate::{Error, Result};

/// The key prefix used unless [`RedisTokenStore::with_key_prefix`] says otherwise.
pub const DEFAULT_REDIS_KEY_PREFIX: &str = "wxcloud:";
/// How long one Redis operation may take before the store counts as unreachable.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// Writes a token and (if it carries one) its refresh token in one step.
const PUT: &str = r#"
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'expires_at', ARGV[2], 'refresh_at', ARGV[3])
if ARGV[4] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
if ARGV[5] ~= '' then redis.call('SET', KEYS[2], ARGV[5]) end
return 1
"#;

/// Deletes the token only if it is still the one that failed.
const INVALIDATE: &str = r#"
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// Releases the lock only if the caller still holds it.
const UNLOCK: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// A [`TokenStore`] in Redis (cargo feature `redis`), shared by every process configured with
/// the same URL and key prefix. Most programs set it up with
/// [`crate::ClientBuilder::redis_url`].
///
/// It connects on first use and reconnects by itself; every operation is bounded by a short
/// timeout ([`DEFAULT_REDIS_TIMEOUT`]), so an unreachable Redis costs a call at most a few
/// timeouts before the client falls back to its in-process cache. Its `Debug` hides the URL's
/// password.
///
/// ```no_run
/// # fn demo() -> wxcloud::Result<()> {
/// use std::sync::Arc;
/// use wxcloud::token::RedisTokenStore;
///
/// let store = RedisTokenStore::new("redis://:password@10.0.0.5:6379/0")?.with_key_prefix("myapp:");
/// let client = wxcloud::Client::builder()
///     .appid("wx1234567890")
///     .secret("app-secret")
///     .token_store(Arc::new(store))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
pub struct RedisTokenStore {
    client: redis::Client,
    display_url: String,
    prefix: String,
    timeout: Duration,
    connection: OnceCell<ConnectionManager>,
    put: Script,
    invalidate: Script,
    unlock: Script,
}

impl RedisTokenStore {
    /// A store at `url` (`redis://[:password@]host[:port][/db]`, `rediss://` for TLS if the
    /// `redis` crate was built with it). Nothing is connected until the store is first used.
    pub fn new(url: &str) -> Result<Self> {
        let display_url = redact_url(url);
        let client = redis::Client::open(url).map_err(|e| {
            Error::config(format!(
                "invalid Redis URL {display_url}: {}",
                e.kind_and_detail()
            ))
        })?;
        Ok(RedisTokenStore {
            client,
            display_url,
            prefix: DEFAULT_REDIS_KEY_PREFIX.to_string(),
            timeout: DEFAULT_REDIS_TIMEOUT,
            connection: OnceCell::new(),
            put: Script::new(PUT),
            invalidate: Script::new(INVALIDATE),
            unlock: Script::new(UNLOCK),
        })
    }

    /// Prefixes every key with `prefix` (default `wxcloud:`), e.g. to keep several
    /// deployments apart in one Redis.
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Bounds each Redis operation (connecting included) by `timeout`; default 500 ms.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The key the token of `cache_key` is stored under.
    pub fn token_key(&self, cache_key: &str) -> String {
        format!("{}{cache_key}", self.prefix)
    }

    fn lock_key(&self, cache_key: &str) -> String {
        format!("{}{cache_key}:lock", self.prefix)
    }

    fn refresh_token_key(&self, cache_key: &str) -> String {
        format!("{}{cache_key}:refresh_token", self.prefix)
    }

    /// The connection, created on first use (it needs a tokio runtime, which the builder may
    /// not have). It connects lazily and reconnects after failures on its own.
    async fn connection(&self) -> Result<ConnectionManager> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        self.connection
            .get_or_try_init(|| async {
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
            .map_err(|e| self.failed("connect", e))
    }

    /// Runs one operation within the store's timeout.
    async fn run<T, F, Fut>(&self, what: &'static str, op: F) -> Result<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let attempt = async {
            let con = self.connection().await?;
            op(con).await.map_err(|e| self.failed(what, e))
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                message: format!(
                    "token store {}: {what} took longer than {:?}",
                    self.display_url, self.timeout
                ),
            }),
        }
    }

    fn failed(&self, what: &str, err: redis::RedisError) -> Error {
        Error::Transport {
            message: format!(
                "token store {}: {what} failed: {}",
                self.display_url,
                err.kind_and_detail()
            ),
            status: None,
            request_sent: true,
        }
    }
}

/// A Redis error's text without anything it might quote from the URL.
trait KindAndDetail {
    fn kind_and_detail(&self) -> String;
}

impl KindAndDetail for redis::RedisError {
    fn kind_and_detail(&self) -> String {
        match self.detail() {
            Some(detail) => format!("{:?}: {detail}", self.kind()),
            None => self.to_string(),
        }
    }
}

/// Milliseconds since the Unix epoch, as stored; empty for "unknown".
fn to_millis(t: Option<SystemTime>) -> String {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_millis().to_string())
        .unwrap_or_default()
}

fn from_millis(s: Option<String>) -> Option<SystemTime> {
    let ms: u64 = s?.parse().ok()?;
    Some(UNIX_EPOCH + Duration::from_millis(ms))
}

/// A random lock id naming this process and its machine (`host/pid-<pid>-<random>`), so an
/// operator can tell who holds a lock.
fn new_lock_id() -> LockId {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".into());
    LockId(format!(
        "{host}/pid-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ))
}

#[async_trait::async_trait]
impl TokenStore for RedisTokenStore {
    async fn get(&self, key: &str) -> Result<Option<StoredToken>> {
        let key = &self.token_key(key);
        let (token, expires_at, refresh_at): (Option<String>, Option<String>, Option<String>) =
            self.run("HMGET", |mut con| async move {
                redis::cmd("HMGET")
                    .arg(key)
                    .arg(&["token", "expires_at", "refresh_at"])
                    .query_async(&mut con)
                    .await
            })
            .await?;
        Ok(token.filter(|t| !t.is_empty()).map(|token| {
            StoredToken::new(
                AccessToken::without_expiry(token),
                from_millis(expires_at),
                from_millis(refresh_at),
            )
        }))
    }

    async fn put(&self, key: &str, token: &StoredToken) -> Result<()> {
        let ttl_ms = match token.expires_at {
            Some(at) => match at.duration_since(SystemTime::now()) {
                Ok(left) if left.as_millis() > 0 => left.as_millis().to_string(),
                // Already expired: nothing worth sharing.
                _ => return Ok(()),
            },
            None => String::new(),
        };
        let mut invocation = self.put.prepare_invoke();
        invocation
            .key(self.token_key(key))
            .key(self.refresh_token_key(key))
            .arg(token.token.as_str())
            .arg(to_millis(token.expires_at))
            .arg(to_millis(token.refresh_at))
            .arg(ttl_ms)
            .arg(token.token.refresh_token().unwrap_or(""));
        let invocation = &invocation;
        self.run("put", |mut con| async move {
            invocation.invoke_async::<i64>(&mut con).await
        })
        .await?;
        Ok(())
    }

    async fn invalidate(&self, key: &str, failed: &str) -> Result<()> {
        let mut invocation = self.invalidate.prepare_invoke();
        invocation.key(self.token_key(key)).arg(failed);
        let invocation = &invocation;
        self.run("invalidate", |mut con| async move {
            invocation.invoke_async::<i64>(&mut con).await
        })
        .await?;
        Ok(())
    }

    async fn try_lock(&self, key: &str, lease: Duration) -> Result<Option<LockId>> {
        let lock_key = self.lock_key(key);
        let id = new_lock_id();
        let lease_ms = lease.as_millis().max(1) as u64;
        let (lock_key, id_str) = (&lock_key, &id.0);
        let taken: Option<String> = self
            .run("SET NX", |mut con| async move {
                redis::cmd("SET")
                    .arg(lock_key)
                    .arg(id_str)
                    .arg("NX")
                    .arg("PX")
                    .arg(lease_ms)
                    .query_async(&mut con)
                    .await
            })
            .await?;
        Ok(taken.map(|_| id))
    }

    async fn unlock(&self, key: &str, lock: &LockId) -> Result<()> {
        let mut invocation = self.unlock.prepare_invoke();
        invocation.key(self.lock_key(key)).arg(&lock.0);
        let invocation = &invocation;
        self.run("unlock", |mut con| async move {
            invocation.invoke_async::<i64>(&mut con).await
        })
        .await?;
        Ok(())
    }

    async fn refresh_token(&self, key: &str) -> Result<Option<String>> {
        let key = &self.refresh_token_key(key);
        let token: Option<String> = self
            .run("GET", |mut con| async move { con.get(key).await })
            .await?;
        Ok(token.filter(|t| !t.is_empty()))
    }
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("url", &self.display_url)
            .field("key_prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// `url` with the password of its user info, and any `password=`/`pass=` query value, hidden.
fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                    format!("{user}:***@{host}")
                }
                None => authority.to_string(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_string(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _))
                    if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("pass") =>
                {
                    format!("{k}=***")
                }
                _ => p.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_passwords() {
        assert_eq!(
            redact_url("redis://:s3cret@10.0.0.5:6379/2"),
            "redis://:***@10.0.0.5:6379/2"
        );
        assert_eq!(
            redact_url("rediss://app:s3cret@cache.internal"),
            "rediss://app:***@cache.internal"
        );
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(
            redact_url("redis+unix:///run/redis.sock?db=1&pass=s3cret"),
            "redis+unix:///run/redis.sock?db=1&pass=***"
        );
    }

    #[test]
    fn debug_and_errors_hide_the_password() {
        let store = RedisTokenStore::new("redis://:hunter2@127.0.0.1:1/0").unwrap();
        assert!(!format!("{store:?}").contains("hunter2"));
        let err = RedisTokenStore::new("redis://:hunter2@[bad/0").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[tokio::test]
    async fn an_unreachable_redis_fails_fast_without_the_password() {
        // Port 1 on loopback refuses connections.
        let store = RedisTokenStore::new("redis://:hunter2@127.0.0.1:1/0")
            .unwrap()
            .with_timeout(Duration::from_millis(300));
        let err = store.get("stable_token:wx1").await.unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = store
            .try_lock("stable_token:wx1", Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    }
}
