//! Access tokens: where they come from ([`TokenSource`]), where they are kept ([`TokenStore`]),
//! and the one cache per client that refreshes them.
//!
//! A [`crate::Client`] builds one of the five sources from its configuration — `stable_token`
//! (the default), `client_credential`, a third-party platform's authorizer token, a fixed token,
//! or a callback — and keeps what it fetches in a cache shared by all its clones. The cache
//! refreshes ahead of expiry, runs one fetch at a time, and after a database call rejects a token
//! drops it only if it is still the cached one.

mod cache;
mod clock;
#[cfg(feature = "redis")]
mod redis_store;
#[cfg(feature = "redis")]
mod redis_target;
mod sources;
mod store;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub(crate) use cache::{CacheConfig, TokenCache};
pub use clock::{Clock, ManualClock, SystemClock};
#[cfg(feature = "redis")]
pub use redis_store::{
    DEFAULT_REDIS_CONNECT_TIMEOUT, DEFAULT_REDIS_KEY_PREFIX, DEFAULT_REDIS_TIMEOUT, RedisTokenStore,
};
pub use sources::{
    AuthorizerSource, CallbackSource, ClientCredentialSource, FixedSource, StableTokenSource,
    VerifyTicket,
};
pub use store::{LockId, MemoryTokenStore, StoredToken, TokenStore};

use crate::Result;
use crate::transport::Http;

/// An access token and how long it lives. Its `Debug` never shows the token. Two tokens are
/// equal when their token strings are (whatever lifetime each was stored with).
#[derive(Clone)]
pub struct AccessToken {
    token: Arc<str>,
    lifetime: Option<Duration>,
    refresh_token: Option<Secret>,
}

impl AccessToken {
    /// A token that lives `lifetime` from now.
    pub fn new(token: impl Into<String>, lifetime: Duration) -> Self {
        AccessToken {
            token: Arc::from(token.into()),
            lifetime: Some(lifetime),
            refresh_token: None,
        }
    }

    /// A token with no known expiry (it is used until the service rejects it).
    pub fn without_expiry(token: impl Into<String>) -> Self {
        AccessToken {
            token: Arc::from(token.into()),
            lifetime: None,
            refresh_token: None,
        }
    }

    /// The token itself, for the URL of a call. Do not log it.
    pub fn as_str(&self) -> &str {
        &self.token
    }

    /// How long the token lives from when it was issued, if known.
    pub fn lifetime(&self) -> Option<Duration> {
        self.lifetime
    }

    /// The token with the refresh token that must be used to get its successor (a third-party
    /// platform's authorizer refresh token, which the service may rotate). The cache writes it
    /// to the token store together with the token, so the next refresher — in any process
    /// sharing the store — uses it ([`FetchContext::stored_refresh_token`]).
    pub fn with_refresh_token(mut self, refresh_token: impl Into<String>) -> Self {
        self.refresh_token = Some(Secret::new(refresh_token));
        self
    }

    /// The refresh token kept with this token, if any. Do not log it.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(Secret::expose)
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.token == other.token
    }
}

impl Eq for AccessToken {}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"** redacted **")
            .field("lifetime", &self.lifetime)
            .field("refresh_token", &self.refresh_token)
            .finish()
    }
}

/// A secret string (app secret, refresh token, verify ticket) whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) Arc<str>);

impl Secret {
    pub(crate) fn new(s: impl Into<String>) -> Self {
        Secret(Arc::from(s.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// Why the cache is asking a source for a token.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchReason {
    /// No token is cached (first use, or after an expiry).
    Missing,
    /// The cached token is close to expiry and is being refreshed ahead of time.
    Expiring,
    /// A database call rejected this token as stale.
    Rejected(AccessToken),
}

impl FetchReason {
    /// A one-word name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            FetchReason::Missing => "missing",
            FetchReason::Expiring => "expiring",
            FetchReason::Rejected(_) => "rejected",
        }
    }
}

/// What a [`TokenSource`] gets when asked for a token.
pub struct FetchContext {
    pub(crate) http: Http,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) reason: FetchReason,
    pub(crate) stored_refresh_token: Option<Secret>,
}

impl FetchContext {
    /// The refresh token last written to the token store with this source's token (by this or
    /// any other process sharing the store), read while holding the refresh lock; `None` if
    /// there is none. A source whose refresh token rotates should prefer it to its own copy.
    pub fn stored_refresh_token(&self) -> Option<&str> {
        self.stored_refresh_token.as_ref().map(Secret::expose)
    }

    /// Why a token is wanted.
    pub fn reason(&self) -> &FetchReason {
        &self.reason
    }

    /// The current time on the client's clock.
    pub fn now(&self) -> std::time::SystemTime {
        self.clock.now()
    }
}

impl fmt::Debug for FetchContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchContext")
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// Where tokens come from. The client's cache calls [`TokenSource::fetch`] when it has no
/// fresh token; it never calls it twice at once for one client.
///
/// Most programs configure a source through [`crate::ClientBuilder`]; implement this trait to
/// plug in another one with [`crate::ClientBuilder::token_source`].
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + 'static {
    /// A name for the token this source issues, used as its key in a [`TokenStore`]. It must
    /// tell tokens of different apps and kinds apart and must not contain a secret
    /// (e.g. `stable_token:wx123`).
    fn cache_key(&self) -> String;

    /// Fetches a new token.
    async fn fetch(&self, ctx: &FetchContext) -> Result<AccessToken>;

    /// Whether fetching again can give a different token. A fixed token cannot, so a call that
    /// sees it rejected fails at once instead of retrying.
    fn can_refresh(&self) -> bool {
        true
    }

    /// A short description for people (`"stable_token"`, `"fixed access token"` ...), without secrets.
    fn describe(&self) -> String;
}

/// How the client gets its own token from appid and secret.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TokenMode {
    /// `POST /cgi-bin/stable_token`: the same token for every fetcher while it is valid, so
    /// several processes do not evict each other's tokens. The default.
    #[default]
    Stable,
    /// `GET /cgi-bin/token?grant_type=client_credential`: each fetch replaces the previous token
    /// after a 5-minute overlap.
    ClientCredential,
}

impl std::str::FromStr for TokenMode {
    type Err = crate::Error;

    /// Parses `"stable"` or `"client_credential"` (as in `WXCLOUD_TOKEN_MODE`).
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stable" | "stable_token" => Ok(TokenMode::Stable),
            "client_credential" | "client-credential" => Ok(TokenMode::ClientCredential),
            other => Err(crate::Error::config(format!(
                "token mode must be \"stable\" or \"client_credential\", got {other:?}"
            ))),
        }
    }
}

/// Information about the token a client currently uses, for display (`wxcloud token`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The token. Its `Debug` is redacted; use [`AccessToken::as_str`] to show it on purpose.
    pub token: AccessToken,
    /// When it expires, if known.
    pub expires_at: Option<std::time::SystemTime>,
    /// Where it came from, e.g. `"stable_token for appid wx123"`.
    pub source: String,
}
