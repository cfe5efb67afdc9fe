//! Access tokens with the service's rules.
//!
//! - Every token expires after the configured lifetime (7200 s by default): 42001.
//! - `/cgi-bin/token` (client_credential) issues a new token on every call; the app's previous
//!   client_credential tokens stop working 5 minutes later (40001 "not latest").
//! - `/cgi-bin/stable_token` returns the same token while it has more than 5 minutes left, then
//!   a new one (the old keeps working until it expires). `force_refresh: true` issues a new token
//!   at once and invalidates the old one; it is allowed at most 20 times a day and 30 s apart.
//! - The kinds are isolated: fetching one kind never invalidates a token of another kind.
//! - Component tokens (third-party platforms) only authorise `api_authorizer_token`; authorizer
//!   tokens behave like client_credential tokens of the authorizer app.
//!
//! With a token lifetime under 10 minutes the two 5-minute windows shrink to half the lifetime,
//! so short-lived tokens still have a valid period.

use std::collections::HashMap;

use rand::Rng;
use rand::distr::Alphanumeric;

use crate::reply::ApiError;

/// Which endpoint issued a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `GET /cgi-bin/token`.
    ClientCredential,
    /// `POST /cgi-bin/stable_token`.
    Stable,
    /// `POST /cgi-bin/component/api_component_token`.
    Component,
    /// `POST /cgi-bin/component/api_authorizer_token`.
    Authorizer,
}

impl TokenKind {
    /// The kind as the console names it.
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::ClientCredential => "client_credential",
            TokenKind::Stable => "stable",
            TokenKind::Component => "component",
            TokenKind::Authorizer => "authorizer",
        }
    }
}

/// The 5-minute window of the service, in milliseconds.
const WINDOW_MS: i64 = 5 * 60 * 1000;
/// Minimum spacing of stable_token force refreshes.
const FORCE_SPACING_MS: i64 = 30 * 1000;
/// How many tokens are kept before long-dead ones are forgotten.
const PRUNE_AT: usize = 10_000;
/// Force refreshes allowed per app per UTC day.
const FORCE_PER_DAY: u32 = 20;

#[derive(Debug)]
struct Token {
    kind: TokenKind,
    /// The app the token acts for (the authorizer app for authorizer tokens).
    appid: String,
    expires_ms: i64,
    /// Set when a newer token replaced this one: it stops working at this time.
    revoked_ms: Option<i64>,
}

/// A token just issued: its text and lifetime in seconds.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The token text.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// Who a valid token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// The token's kind.
    pub kind: TokenKind,
    /// The app it acts for.
    pub appid: String,
}

/// Every token the emulator issued, with the rules above.
#[derive(Debug)]
pub struct Tokens {
    ttl_ms: i64,
    tokens: HashMap<String, Token>,
    /// The current stable token per app.
    stable: HashMap<String, String>,
    /// Force refreshes per app: (UTC day, count, last time).
    forced: HashMap<String, (i64, u32, i64)>,
}

impl Tokens {
    /// An empty registry issuing tokens that live `ttl_ms` milliseconds.
    pub fn new(ttl_ms: i64) -> Self {
        Tokens {
            ttl_ms: ttl_ms.max(1000),
            tokens: HashMap::new(),
            stable: HashMap::new(),
            forced: HashMap::new(),
        }
    }

    fn window(&self) -> i64 {
        WINDOW_MS.min(self.ttl_ms / 2)
    }

    fn mint(&mut self, kind: TokenKind, appid: &str, now: i64) -> Issued {
        // Forget tokens dead for a day (they would answer 40001 instead of 42001), so a
        // long-running emulator does not grow without bound.
        if self.tokens.len() >= PRUNE_AT {
            let horizon = now - 86_400_000;
            self.tokens
                .retain(|_, t| t.expires_ms.min(t.revoked_ms.unwrap_or(i64::MAX)) > horizon);
        }
        let token: String = rand::rng()
            .sample_iter(Alphanumeric)
            .take(136)
            .map(char::from)
            .collect();
        let expires_ms = now + self.ttl_ms;
        self.tokens.insert(
            token.clone(),
            Token {
                kind,
                appid: appid.to_owned(),
                expires_ms,
                revoked_ms: None,
            },
        );
        Issued {
            token,
            expires_in: self.ttl_ms / 1000,
        }
    }

    /// Issues a token that replaces every earlier one of the same kind and app after the
    /// overlap window (client_credential, component and authorizer tokens).
    pub fn issue_replacing(&mut self, kind: TokenKind, appid: &str, now: i64) -> Issued {
        let until = now + self.window();
        for t in self.tokens.values_mut() {
            if t.kind == kind && t.appid == appid && t.revoked_ms.is_none() {
                t.revoked_ms = Some(until.min(t.expires_ms));
            }
        }
        self.mint(kind, appid, now)
    }

    /// The stable token of `appid`, renewed when it has less than the window left, or at once
    /// with `force_refresh` (which invalidates the old one and is rate limited).
    pub fn stable(
        &mut self,
        appid: &str,
        force_refresh: bool,
        now: i64,
    ) -> Result<Issued, ApiError> {
        if force_refresh {
            let day = now.div_euclid(86_400_000);
            let entry = self
                .forced
                .entry(appid.to_owned())
                .or_insert((day, 0, i64::MIN / 2));
            if entry.0 != day {
                *entry = (day, 0, entry.2);
            }
            if now - entry.2 < FORCE_SPACING_MS {
                return Err(ApiError::new(
                    45011,
                    "api minute-quota reach limit  mustslower  retry next minute",
                ));
            }
            if entry.1 >= FORCE_PER_DAY {
                return Err(ApiError::new(45009, "reach max api daily quota limit"));
            }
            entry.1 += 1;
            entry.2 = now;
            if let Some(old) = self.stable.get(appid).and_then(|t| self.tokens.get_mut(t)) {
                old.revoked_ms = Some(now);
            }
        } else if let Some(current) = self
            .stable
            .get(appid)
            .and_then(|t| self.tokens.get_key_value(t))
        {
            let (text, t) = current;
            if t.revoked_ms.is_none() && now < t.expires_ms - self.window() {
                return Ok(Issued {
                    token: text.clone(),
                    expires_in: (t.expires_ms - now) / 1000,
                });
            }
        }
        let issued = self.mint(TokenKind::Stable, appid, now);
        self.stable.insert(appid.to_owned(), issued.token.clone());
        Ok(issued)
    }

    /// Checks a token sent in a URL; `allowed` lists the kinds this endpoint accepts.
    /// Errors: 41001 missing, 40014 not shaped like a token, 40001 unknown, replaced or of
    /// another kind, 42001 expired.
    pub fn check(
        &self,
        token: Option<&str>,
        allowed: &[TokenKind],
        now: i64,
    ) -> Result<Holder, ApiError> {
        let token = match token {
            None | Some("") => return Err(ApiError::new(41001, "access_token missing")),
            Some(t) => t,
        };
        let shaped = (32..=512).contains(&token.len())
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !shaped {
            return Err(ApiError::new(40014, "invalid access_token"));
        }
        let not_latest = || {
            ApiError::new(
                40001,
                "invalid credential, access_token is invalid or not latest",
            )
        };
        let t = self.tokens.get(token).ok_or_else(not_latest)?;
        if !allowed.contains(&t.kind) {
            return Err(not_latest());
        }
        if now >= t.expires_ms {
            return Err(ApiError::new(42001, "access_token expired"));
        }
        if t.revoked_ms.is_some_and(|r| now >= r) {
            return Err(not_latest());
        }
        Ok(Holder {
            kind: t.kind,
            appid: t.appid.clone(),
        })
    }

    /// Makes every token issued so far expire now (the next use answers 42001).
    pub fn expire_all(&mut self, now: i64) {
        for t in self.tokens.values_mut() {
            t.expires_ms = t.expires_ms.min(now);
        }
    }

    /// Every token still remembered, newest first, as the console shows it: masked, with its
    /// kind, app, expiry and state (`valid`, `expired`, `replaced`).
    pub fn list(&self, now: i64) -> Vec<serde_json::Value> {
        let mut all: Vec<(&String, &Token)> = self.tokens.iter().collect();
        all.sort_by_key(|(_, t)| std::cmp::Reverse(t.expires_ms));
        all.into_iter()
            .map(|(text, t)| {
                let state = if now >= t.expires_ms {
                    "expired"
                } else if t.revoked_ms.is_some_and(|r| now >= r) {
                    "replaced"
                } else {
                    "valid"
                };
                serde_json::json!({
                    "token": crate::mask::token(text),
                    "kind": t.kind.name(),
                    "appid": t.appid,
                    "expires_ms": t.expires_ms,
                    "expires_in": (t.expires_ms - now).max(0) / 1000,
                    "state": state,
                })
            })
            .collect()
    }

    /// Forgets every token and rate-limit counter.
    pub fn clear(&mut self) {
        self.tokens.clear();
        self.stable.clear();
        self.forced.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &[TokenKind] = &[
        TokenKind::ClientCredential,
        TokenKind::Stable,
        TokenKind::Authorizer,
    ];

    #[test]
    fn an_unshaped_token_is_40014_and_an_unknown_one_40001() {
        let tokens = Tokens::new(7_200_000);
        assert_eq!(
            tokens.check(Some("abc def"), DB, 0).unwrap_err().errcode,
            40014
        );
        assert_eq!(
            tokens
                .check(Some(&"a".repeat(136)), DB, 0)
                .unwrap_err()
                .errcode,
            40001
        );
        assert_eq!(tokens.check(None, DB, 0).unwrap_err().errcode, 41001);
    }

    #[test]
    fn a_component_token_is_not_accepted_where_database_tokens_are() {
        let mut tokens = Tokens::new(7_200_000);
        let c = tokens.issue_replacing(TokenKind::Component, "comp", 0);
        assert_eq!(
            tokens.check(Some(&c.token), DB, 0).unwrap_err().errcode,
            40001
        );
        assert!(
            tokens
                .check(Some(&c.token), &[TokenKind::Component], 0)
                .is_ok()
        );
    }
}
