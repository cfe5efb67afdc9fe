//! A [`TokenStore`] in Redis, so that a fleet of processes (and machines) shares one token
//! per app and refreshes it once between them: on one server, a Redis Cluster or a
//! Sentinel-managed primary, in plain text or TLS (see [`super::redis_target`]).
//!
//! Key layout, for a source whose [`super::TokenSource::cache_key`] is `K` and the default
//! prefix `wxcloud:`. Every key of one token shares the hash tag `{wxcloud:K}`, so on a cluster
//! the lock, the token and a rotated refresh token are in one slot and one script can touch
//! them all:
//!
//! | key | type | content | expiry |
//! |---|---|---|---|
//! | `{wxcloud:K}` | hash | `token`, `expires_at`, `refresh_at` (Unix ms, empty if unknown) | the token's expiry |
//! | `{wxcloud:K}:lock` | string | the id of the process refreshing the token | the lease |
//! | `{wxcloud:K}:refresh_token` | string | an authorizer's latest refresh token | none |
//!
//! Versions before the hash tag wrote `wxcloud:K`, `wxcloud:K:lock` and
//! `wxcloud:K:refresh_token`. When a key of the new layout is missing, the store reads the
//! token and refresh token of the old layout once per key (so a rolling upgrade takes over
//! the old fleet's token and, above all, an authorizer's rotated refresh token, which nothing
//! else could recover); it never writes the old layout.
//!
//! The app secret is never written; only tokens are.

use std::collections::HashSet;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::{AsyncCommands, Script};

use super::redis_target::{Connection, Target, detail, redact_urls, split_urls};
use super::{AccessToken, LockId, StoredToken, TokenStore};
use crate::{Error, Result};

/// The key prefix used unless [`RedisTokenStore::with_key_prefix`] says otherwise.
pub const DEFAULT_REDIS_KEY_PREFIX: &str = "wxcloud:";
/// How long one Redis operation may take before the store counts as unreachable.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// How long connecting may take (TCP, TLS handshake, authentication, and for Sentinel asking
/// for the primary) before the store counts as unreachable.
pub const DEFAULT_REDIS_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

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
/// the same Redis and key prefix. Most programs set it up with
/// [`crate::ClientBuilder::redis_url`].
///
/// The Redis may be one server or primary (`redis://[[user]:password@]host[:port][/db]`,
/// `rediss://` for TLS), a cluster ([`RedisTokenStore::cluster`] with its node URLs, or one
/// string of comma-separated URLs), or the primary that Sentinel names
/// (`redis+sentinel://[[user]:password@]HOST[:PORT][,HOST[:PORT]...]/MASTER_NAME[/db]`,
/// `rediss+sentinel://` for TLS). TLS verifies the server's certificate against the system
/// roots, or against [`RedisTokenStore::with_ca_file`]; there is no way to turn verification
/// off.
///
/// It connects on first use and reconnects by itself (a cluster follows `MOVED`/`ASK` and
/// failovers, a Sentinel target asks the sentinels for the primary again after a failure);
/// connecting is bounded by [`DEFAULT_REDIS_CONNECT_TIMEOUT`] and every operation by a short
/// timeout ([`DEFAULT_REDIS_TIMEOUT`]), so an unreachable Redis costs a call at most a few
/// timeouts before the client falls back to its in-process cache. Its `Debug` hides the URLs' passwords.
///
/// ```no_run
/// # fn demo() -> wxcloud::Result<()> {
/// use std::sync::Arc;
/// use wxcloud::token::RedisTokenStore;
///
/// let store = RedisTokenStore::new("rediss://:password@cache.internal:6380/0")?
///     .with_ca_file("/etc/ssl/redis-ca.pem")?
///     .with_key_prefix("myapp:");
/// let client = wxcloud::Client::builder()
///     .appid("wx1234567890")
///     .secret("app-secret")
///     .token_store(Arc::new(store))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
pub struct RedisTokenStore {
    target: Target,
    urls: Vec<String>,
    cluster: bool,
    display_url: String,
    prefix: String,
    timeout: Duration,
    connect_timeout: Duration,
    /// Keys whose old-layout (untagged) copy was already looked for.
    legacy_read: Mutex<HashSet<String>>,
    put: Script,
    invalidate: Script,
    unlock: Script,
}

impl RedisTokenStore {
    /// A store at `url`: one server (`redis://`, `rediss://`), Sentinel (`redis+sentinel://`,
    /// `rediss+sentinel://`), or a cluster when `url` lists several comma-separated node URLs.
    /// Nothing is connected until the store is first used.
    pub fn new(url: &str) -> Result<Self> {
        Self::open(split_urls(&[url.to_string()]), false)
    }

    /// A store on the Redis Cluster that `nodes` (node URLs, `redis://` or `rediss://`) belong
    /// to; one reachable node is enough, the others are found from it.
    ///
    /// ```no_run
    /// # fn demo() -> wxcloud::Result<()> {
    /// let store = wxcloud::token::RedisTokenStore::cluster([
    ///     "redis://:password@10.0.0.5:6379",
    ///     "redis://:password@10.0.0.6:6379",
    /// ])?;
    /// # let _ = store; Ok(()) }
    /// ```
    pub fn cluster<I, S>(nodes: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let nodes: Vec<String> = nodes.into_iter().map(Into::into).collect();
        Self::open(split_urls(&nodes), true)
    }

    fn open(urls: Vec<String>, cluster: bool) -> Result<Self> {
        let display_url = redact_urls(&urls);
        let target = Target::open(&urls, cluster, None, &display_url)?;
        Ok(RedisTokenStore {
            target,
            urls,
            cluster,
            display_url,
            prefix: DEFAULT_REDIS_KEY_PREFIX.to_string(),
            timeout: DEFAULT_REDIS_TIMEOUT,
            connect_timeout: DEFAULT_REDIS_CONNECT_TIMEOUT,
            legacy_read: Mutex::new(HashSet::new()),
            put: Script::new(PUT),
            invalidate: Script::new(INVALIDATE),
            unlock: Script::new(UNLOCK),
        })
    }

    /// Verifies the servers' TLS certificates against the PEM certificates in the file at
    /// `path` instead of the system roots (for a private CA). The URLs must be `rediss://` or
    /// `rediss+sentinel://`; an unreadable file or one without a certificate is a
    /// configuration error.
    pub fn with_ca_file(mut self, path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let pem = std::fs::read(path).map_err(|e| {
            Error::config(format!(
                "cannot read the Redis CA file {}: {e}",
                path.display()
            ))
        })?;
        if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
            return Err(Error::config(format!(
                "the Redis CA file {} holds no PEM certificate",
                path.display()
            )));
        }
        let all_tls = self.urls.iter().all(|u| {
            let scheme = u.split("://").next().unwrap_or("").to_ascii_lowercase();
            scheme == "rediss" || scheme == "rediss+sentinel"
        });
        if !all_tls {
            return Err(Error::config(format!(
                "a Redis CA file is set, but {} is not a TLS URL (rediss:// or rediss+sentinel://)",
                self.display_url
            )));
        }
        self.target = Target::open(&self.urls, self.cluster, Some(&pem), &self.display_url)?;
        Ok(self)
    }

    /// Prefixes every key with `prefix` (default `wxcloud:`), e.g. to keep several
    /// deployments apart in one Redis. (It becomes part of each key's hash tag, so it should
    /// hold no `{` or `}`.)
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The prefix of every key (see [`with_key_prefix`](Self::with_key_prefix)).
    pub fn key_prefix(&self) -> &str {
        &self.prefix
    }

    /// Bounds each Redis operation by `timeout`; default 500 ms. Connecting has its own
    /// bound, [`with_connect_timeout`](Self::with_connect_timeout).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Bounds connecting (TCP, TLS handshake, authentication, asking Sentinel for the
    /// primary) by `timeout`; default 2 s. A TLS handshake can take longer than a command.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The key the token of `cache_key` is stored under: `{<prefix><cache_key>}`, the hash
    /// tag its lock and refresh token share.
    pub fn token_key(&self, cache_key: &str) -> String {
        format!("{{{}{cache_key}}}", self.prefix)
    }

    fn lock_key(&self, cache_key: &str) -> String {
        format!("{}:lock", self.token_key(cache_key))
    }

    fn refresh_token_key(&self, cache_key: &str) -> String {
        format!("{}:refresh_token", self.token_key(cache_key))
    }

    /// The key of the layout before hash tags, `<prefix><cache_key><suffix>`, if it was not
    /// looked at yet for this `suffix` and `cache_key`.
    fn legacy_key_once(&self, cache_key: &str, suffix: &str) -> Option<String> {
        let key = format!("{}{cache_key}{suffix}", self.prefix);
        let mut read = self.legacy_read.lock().unwrap_or_else(|e| e.into_inner());
        read.insert(key.clone()).then_some(key)
    }

    /// Runs one operation within the store's timeout.
    async fn run<T, F, Fut>(&self, what: &'static str, op: F) -> Result<T>
    where
        F: FnOnce(Connection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let connecting = self.target.connection(self.connect_timeout, self.timeout);
        let result = match tokio::time::timeout(self.connect_timeout, connecting).await {
            Ok(Ok(con)) => match tokio::time::timeout(self.timeout, op(con)).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(e)) => self.failed(what, e),
                Err(_) => self.too_slow(what, self.timeout),
            },
            Ok(Err(e)) => self.failed("connect", e),
            Err(_) => self.too_slow("connect", self.connect_timeout),
        };
        self.target.failed().await;
        Err(result)
    }

    fn too_slow(&self, what: &str, limit: Duration) -> Error {
        Error::Timeout {
            message: format!(
                "token store {} ({}): {what} took longer than {limit:?}",
                self.display_url,
                self.target.kind()
            ),
        }
    }

    fn failed(&self, what: &str, err: redis::RedisError) -> Error {
        let detail = detail(&err);
        let hint = if detail.to_ascii_lowercase().contains("certificate") {
            " (the server's TLS certificate is not trusted: give the CA that signed it as the Redis CA file)"
        } else {
            ""
        };
        Error::Transport {
            message: format!(
                "token store {} ({}): {what} failed: {detail}{hint}",
                self.display_url,
                self.target.kind()
            ),
            status: None,
            request_sent: true,
        }
    }

    async fn hmget(&self, key: &str) -> Result<Option<StoredToken>> {
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

    async fn get_string(&self, key: &str) -> Result<Option<String>> {
        let value: Option<String> = self
            .run("GET", |mut con| async move { con.get(key).await })
            .await?;
        Ok(value.filter(|t| !t.is_empty()))
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
        let found = self.hmget(&self.token_key(key)).await?;
        match (found, self.legacy_key_once(key, "")) {
            (None, Some(legacy)) => self.hmget(&legacy).await,
            (found, _) => Ok(found),
        }
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
        let found = self.get_string(&self.refresh_token_key(key)).await?;
        match (found, self.legacy_key_once(key, ":refresh_token")) {
            (None, Some(legacy)) => self.get_string(&legacy).await,
            (found, _) => Ok(found),
        }
    }
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("url", &self.display_url)
            .field("key_prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::redis_target::{redact_url, redact_urls};
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
        assert_eq!(
            redact_url("rediss+sentinel://app:s3cret@10.0.0.7:26379,10.0.0.8:26379/mymaster/2"),
            "rediss+sentinel://app:***@10.0.0.7:26379,10.0.0.8:26379/mymaster/2"
        );
        assert_eq!(
            redact_urls(&[
                "redis://:s3cret@a:7000".into(),
                "rediss://u:s3cret@b:7001".into()
            ]),
            "redis://:***@a:7000,rediss://u:***@b:7001"
        );
    }

    /// Every URL form, valid or not, and with a CA file: `Debug` and errors show no password.
    #[test]
    fn every_url_form_hides_its_password() {
        let stores = [
            RedisTokenStore::new("rediss://app:hunter2@127.0.0.1:6380/0").unwrap(),
            RedisTokenStore::new("redis://:hunter2@127.0.0.1:7000,redis://:hunter2@127.0.0.1:7001")
                .unwrap(),
            RedisTokenStore::cluster(["redis://:hunter2@127.0.0.1:7000"]).unwrap(),
            RedisTokenStore::new("redis+sentinel://:hunter2@127.0.0.1:26379,127.0.0.1/mymaster")
                .unwrap(),
            RedisTokenStore::new("rediss+sentinel://app:hunter2@127.0.0.1:26379/mymaster/1")
                .unwrap(),
        ];
        for store in &stores {
            let shown = format!("{store:?}");
            assert!(
                shown.contains("***") && !shown.contains("hunter2"),
                "{shown}"
            );
        }
        let bad = [
            "redis+sentinel://:hunter2@127.0.0.1:26379",
            "redis+sentinel://:hunter2@/mymaster",
            "rediss://:hunter2@127.0.0.1:6380/#insecure",
            "redis://:hunter2@127.0.0.1:7000,redis://:hunter2@[bad",
        ];
        for url in bad {
            let err = RedisTokenStore::new(url).unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{url}: {err:?}");
            assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
        }
        let err =
            RedisTokenStore::cluster(["rediss://:hunter2@127.0.0.1:7000#insecure"]).unwrap_err();
        assert!(err.to_string().contains("always verified"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn a_ca_file_must_hold_a_certificate_and_needs_a_tls_url() {
        let dir = std::env::temp_dir().join(format!("wxcloud-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_pem = dir.join("not.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        let tls = || RedisTokenStore::new("rediss://:hunter2@127.0.0.1:6380").unwrap();
        let missing = tls().with_ca_file(dir.join("missing.pem")).unwrap_err();
        assert!(matches!(missing, Error::Config { .. }), "{missing:?}");
        let empty = tls().with_ca_file(&not_pem).unwrap_err();
        assert!(empty.to_string().contains("no PEM certificate"), "{empty}");
        let cert = dir.join("ca.pem");
        std::fs::write(
            &cert,
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let plain = RedisTokenStore::new("redis://:hunter2@127.0.0.1:6379")
            .unwrap()
            .with_ca_file(&cert)
            .unwrap_err();
        assert!(plain.to_string().contains("not a TLS URL"), "{plain}");
        assert!(!plain.to_string().contains("hunter2"), "{plain}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_tokens_keys_share_a_hash_tag() {
        let store = RedisTokenStore::new("redis://127.0.0.1:1").unwrap();
        assert_eq!(
            store.token_key("stable_token:wx1"),
            "{wxcloud:stable_token:wx1}"
        );
        assert_eq!(
            store.lock_key("stable_token:wx1"),
            "{wxcloud:stable_token:wx1}:lock"
        );
        assert_eq!(
            store.refresh_token_key("stable_token:wx1"),
            "{wxcloud:stable_token:wx1}:refresh_token"
        );
        assert_eq!(
            store
                .legacy_key_once("stable_token:wx1", ":refresh_token")
                .as_deref(),
            Some("wxcloud:stable_token:wx1:refresh_token")
        );
        assert_eq!(
            store.legacy_key_once("stable_token:wx1", ":refresh_token"),
            None,
            "once"
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
