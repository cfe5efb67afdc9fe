//! Where fetched tokens are kept: in this process by default, or somewhere several processes
//! share (a Redis implementation fits the same trait).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use super::AccessToken;
use crate::Result;

/// A token as kept in a store, with the wall-clock times that govern it. (Non-exhaustive so
/// that a store can later carry more, such as an authorizer's rotated refresh token.)
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredToken {
    /// The token (its `Debug` is redacted).
    pub token: AccessToken,
    /// When the service stops accepting it; `None` if unknown.
    pub expires_at: Option<SystemTime>,
    /// When to start fetching a successor (ahead of `expires_at`); `None` if never.
    pub refresh_at: Option<SystemTime>,
}

impl StoredToken {
    /// A token with its expiry and the time to start refreshing it.
    pub fn new(
        token: AccessToken,
        expires_at: Option<SystemTime>,
        refresh_at: Option<SystemTime>,
    ) -> Self {
        StoredToken {
            token,
            expires_at,
            refresh_at,
        }
    }

    /// Whether the token can be used at `now` without fetching a new one first.
    pub fn is_usable(&self, now: SystemTime) -> bool {
        self.expires_at.is_none_or(|t| now < t)
    }

    /// Whether a successor should be fetched at `now` (the token may still be usable).
    pub fn wants_refresh(&self, now: SystemTime) -> bool {
        self.refresh_at.is_some_and(|t| now >= t)
    }
}

/// The proof of holding a store's refresh lock for one key; only its holder releases it.
#[derive(Clone, PartialEq, Eq)]
pub struct LockId(pub String);

impl fmt::Debug for LockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LockId({})", self.0)
    }
}

/// Keeps tokens under keys (from [`super::TokenSource::cache_key`]) and coordinates refreshes.
///
/// The client's cache reads the store when its own copy is missing or due for refresh, takes
/// the refresh lock before asking the token source, and writes the result back, so processes
/// sharing a store fetch once between them. A process that cannot take the lock waits for the
/// holder's token by re-reading instead of fetching. A store that fails is bypassed (with one
/// warning) so calls keep working on the in-process cache.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// The token stored under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<StoredToken>>;

    /// Stores `token` under `key`, replacing what was there.
    async fn put(&self, key: &str, token: &StoredToken) -> Result<()>;

    /// Removes the token under `key` only if it is still `failed` (compare-and-delete), so a
    /// token another process has already replaced is left alone.
    async fn invalidate(&self, key: &str, failed: &str) -> Result<()>;

    /// Takes the refresh lock of `key` for at most `lease` if nobody holds it (set-if-absent
    /// with expiry). `None` means another holder has it.
    async fn try_lock(&self, key: &str, lease: Duration) -> Result<Option<LockId>>;

    /// Releases the refresh lock of `key` if `lock` still holds it.
    async fn unlock(&self, key: &str, lock: &LockId) -> Result<()>;

    /// The refresh token last stored with `key`'s token ([`AccessToken::refresh_token`]).
    /// A store should keep it after the token itself expires or is invalidated; by default it
    /// is read from the stored token.
    async fn refresh_token(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .get(key)
            .await?
            .and_then(|t| t.token.refresh_token().map(str::to_string)))
    }
}

/// The default store: a map in this process.
#[derive(Default)]
pub struct MemoryTokenStore {
    state: Mutex<MemoryState>,
}

#[derive(Default)]
struct MemoryState {
    tokens: HashMap<String, StoredToken>,
    locks: HashMap<String, (LockId, Instant)>,
    next_lock: u64,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.state().tokens.len();
        f.debug_struct("MemoryTokenStore")
            .field("tokens", &keys)
            .finish()
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryTokenStore {
    async fn get(&self, key: &str) -> Result<Option<StoredToken>> {
        Ok(self.state().tokens.get(key).cloned())
    }

    async fn put(&self, key: &str, token: &StoredToken) -> Result<()> {
        self.state().tokens.insert(key.to_string(), token.clone());
        Ok(())
    }

    async fn invalidate(&self, key: &str, failed: &str) -> Result<()> {
        let mut state = self.state();
        if state
            .tokens
            .get(key)
            .is_some_and(|t| t.token.as_str() == failed)
        {
            state.tokens.remove(key);
        }
        Ok(())
    }

    async fn try_lock(&self, key: &str, lease: Duration) -> Result<Option<LockId>> {
        let mut state = self.state();
        let now = Instant::now();
        if state.locks.get(key).is_some_and(|(_, until)| *until > now) {
            return Ok(None);
        }
        state.next_lock += 1;
        let id = LockId(format!("memory-{}", state.next_lock));
        state
            .locks
            .insert(key.to_string(), (id.clone(), now + lease));
        Ok(Some(id))
    }

    async fn unlock(&self, key: &str, lock: &LockId) -> Result<()> {
        let mut state = self.state();
        if state.locks.get(key).is_some_and(|(id, _)| id == lock) {
            state.locks.remove(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(token: &str) -> StoredToken {
        StoredToken {
            token: AccessToken::without_expiry(token),
            expires_at: None,
            refresh_at: None,
        }
    }

    #[tokio::test]
    async fn invalidate_removes_only_the_failed_token() {
        let store = MemoryTokenStore::new();
        store.put("k", &stored("new")).await.unwrap();
        store.invalidate("k", "old").await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), Some(stored("new")));
        store.invalidate("k", "new").await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), None);
    }

    async fn take(store: &MemoryTokenStore) -> Option<LockId> {
        store.try_lock("k", Duration::from_secs(30)).await.unwrap()
    }

    #[tokio::test]
    async fn the_lock_has_one_holder_and_only_it_releases() {
        let store = MemoryTokenStore::new();
        let first = take(&store).await.expect("free at first");
        assert!(take(&store).await.is_none());
        store
            .unlock("k", &LockId("someone else".into()))
            .await
            .unwrap();
        assert!(take(&store).await.is_none(), "only the holder releases");
        store.unlock("k", &first).await.unwrap();
        assert!(take(&store).await.is_some());
    }

    #[tokio::test]
    async fn an_expired_lease_can_be_taken_over() {
        let store = MemoryTokenStore::new();
        store.try_lock("k", Duration::ZERO).await.unwrap().unwrap();
        assert!(
            store
                .try_lock("k", Duration::from_secs(30))
                .await
                .unwrap()
                .is_some()
        );
    }
}
