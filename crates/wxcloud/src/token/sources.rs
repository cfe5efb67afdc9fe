//! The five token sources: stable_token, client_credential, a third-party platform's
//! authorizer token, a fixed token, and a callback.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::json;

use super::{AccessToken, FetchContext, FetchReason, Secret, TokenSource};
use crate::errcode::{self, Endpoint};
use crate::transport::{Body, parse_reply};
use crate::{Error, Result};

const STABLE_TOKEN: &str = "/cgi-bin/stable_token";
const CLIENT_CREDENTIAL: &str = "/cgi-bin/token";
const COMPONENT_TOKEN: &str = "/cgi-bin/component/api_component_token";
const AUTHORIZER_TOKEN: &str = "/cgi-bin/component/api_authorizer_token";
/// api_authorizer_token's errcode for a refresh token it does not accept.
const INVALID_REFRESH_TOKEN: i64 = 61023;

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    expires_in: u64,
}

/// Checks a token the service issued and gives it its lifetime.
fn issued(token: String, expires_in: u64, endpoint: &str) -> Result<AccessToken> {
    if token.is_empty() {
        return Err(Error::token(format!("{endpoint} returned an empty token")));
    }
    Ok(AccessToken::new(token, Duration::from_secs(expires_in)))
}

/// `POST /cgi-bin/stable_token`: the default. Every fetcher gets the same token while it is
/// valid. After a rejection it asks normally first and forces a new token only if the service
/// hands back the rejected one.
pub struct StableTokenSource {
    appid: String,
    secret: Secret,
}

impl StableTokenSource {
    /// A source for `appid` with its app secret.
    pub fn new(appid: impl Into<String>, secret: impl Into<String>) -> Self {
        StableTokenSource {
            appid: appid.into(),
            secret: Secret::new(secret),
        }
    }

    async fn request(&self, ctx: &FetchContext, force_refresh: bool) -> Result<AccessToken> {
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret.expose(),
            "force_refresh": force_refresh,
        });
        let bytes = ctx.http.send(STABLE_TOKEN, &[], Body::Json(&body)).await?;
        let reply: TokenReply = parse_reply(&bytes, STABLE_TOKEN, Endpoint::Token)?;
        issued(reply.access_token, reply.expires_in, STABLE_TOKEN)
    }
}

#[async_trait::async_trait]
impl TokenSource for StableTokenSource {
    fn cache_key(&self) -> String {
        format!("stable_token:{}", self.appid)
    }

    async fn fetch(&self, ctx: &FetchContext) -> Result<AccessToken> {
        let token = self.request(ctx, false).await?;
        match ctx.reason() {
            FetchReason::Rejected(failed) if failed.as_str() == token.as_str() => {
                self.request(ctx, true).await
            }
            _ => Ok(token),
        }
    }

    fn describe(&self) -> String {
        format!("stable_token for appid {}", self.appid)
    }
}

impl fmt::Debug for StableTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StableTokenSource")
            .field("appid", &self.appid)
            .field("secret", &self.secret)
            .finish()
    }
}

/// `GET /cgi-bin/token?grant_type=client_credential`. Each fetch replaces the previous token
/// after a 5-minute overlap, so only one process per appid should use it.
pub struct ClientCredentialSource {
    appid: String,
    secret: Secret,
}

impl ClientCredentialSource {
    /// A source for `appid` with its app secret.
    pub fn new(appid: impl Into<String>, secret: impl Into<String>) -> Self {
        ClientCredentialSource {
            appid: appid.into(),
            secret: Secret::new(secret),
        }
    }
}

#[async_trait::async_trait]
impl TokenSource for ClientCredentialSource {
    fn cache_key(&self) -> String {
        format!("client_credential:{}", self.appid)
    }

    async fn fetch(&self, ctx: &FetchContext) -> Result<AccessToken> {
        let query = [
            ("grant_type", "client_credential"),
            ("appid", self.appid.as_str()),
            ("secret", self.secret.expose()),
        ];
        let bytes = ctx.http.send(CLIENT_CREDENTIAL, &query, Body::None).await?;
        let reply: TokenReply = parse_reply(&bytes, CLIENT_CREDENTIAL, Endpoint::Token)?;
        issued(reply.access_token, reply.expires_in, CLIENT_CREDENTIAL)
    }

    fn describe(&self) -> String {
        format!("client_credential token for appid {}", self.appid)
    }
}

impl fmt::Debug for ClientCredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentialSource")
            .field("appid", &self.appid)
            .field("secret", &self.secret)
            .finish()
    }
}

/// A fixed token given by the caller. It is never refreshed: a call that sees it rejected
/// fails with a [`crate::ErrorKind::Token`] error.
pub struct FixedSource {
    token: AccessToken,
}

impl FixedSource {
    /// A source that always returns `token`.
    pub fn new(token: impl Into<String>) -> Self {
        FixedSource {
            token: AccessToken::without_expiry(token),
        }
    }
}

#[async_trait::async_trait]
impl TokenSource for FixedSource {
    fn cache_key(&self) -> String {
        "fixed".to_string()
    }

    async fn fetch(&self, _ctx: &FetchContext) -> Result<AccessToken> {
        Ok(self.token.clone())
    }

    fn can_refresh(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        "fixed access token".to_string()
    }
}

impl fmt::Debug for FixedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedSource")
            .field("token", &self.token)
            .finish()
    }
}

type TokenCallback = dyn Fn() -> BoxFuture<'static, Result<AccessToken>> + Send + Sync;

/// A token from the caller's own async function (a central token service, a secret manager
/// ...). It is called when a token is needed, one call at a time.
#[derive(Clone)]
pub struct CallbackSource {
    callback: Arc<TokenCallback>,
    appid: Option<String>,
}

impl CallbackSource {
    /// A source calling `callback` for each new token.
    pub fn new<F, Fut>(callback: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<AccessToken>> + Send + 'static,
    {
        CallbackSource {
            callback: Arc::new(move || callback().boxed()),
            appid: None,
        }
    }

    /// The same source, with its tokens kept under a key naming `appid` (`callback:<appid>`)
    /// rather than `callback`, so that apps sharing a token store do not read each other's.
    pub fn for_app(&self, appid: impl Into<String>) -> Self {
        CallbackSource {
            callback: Arc::clone(&self.callback),
            appid: Some(appid.into()),
        }
    }
}

#[async_trait::async_trait]
impl TokenSource for CallbackSource {
    fn cache_key(&self) -> String {
        match &self.appid {
            Some(appid) => format!("callback:{appid}"),
            None => "callback".to_string(),
        }
    }

    async fn fetch(&self, _ctx: &FetchContext) -> Result<AccessToken> {
        let token = (self.callback)().await?;
        if token.as_str().is_empty() {
            return Err(Error::token("the token provider returned an empty token"));
        }
        Ok(token)
    }

    fn describe(&self) -> String {
        "token provider callback".to_string()
    }
}

impl fmt::Debug for CallbackSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackSource")
            .field("appid", &self.appid)
            .finish_non_exhaustive()
    }
}

type TicketCallback = dyn Fn() -> BoxFuture<'static, Result<String>> + Send + Sync;

/// The `component_verify_ticket` WeChat pushes to a third-party platform every 10 minutes:
/// a value, or a callback that reads the latest one.
#[derive(Clone)]
pub enum VerifyTicket {
    /// A ticket known now.
    Value(String),
    /// A function returning the latest ticket.
    Callback(Arc<TicketCallback>),
}

impl VerifyTicket {
    /// A ticket read from `callback` each time a component token is fetched.
    pub fn callback<F, Fut>(callback: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String>> + Send + 'static,
    {
        VerifyTicket::Callback(Arc::new(move || callback().boxed()))
    }

    async fn get(&self) -> Result<String> {
        match self {
            VerifyTicket::Value(ticket) => Ok(ticket.clone()),
            VerifyTicket::Callback(callback) => callback().await,
        }
    }
}

impl fmt::Debug for VerifyTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyTicket(** redacted **)")
    }
}

#[derive(Deserialize)]
struct ComponentReply {
    component_access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct AuthorizerReply {
    authorizer_access_token: String,
    expires_in: u64,
    #[serde(default)]
    authorizer_refresh_token: Option<String>,
}

/// A third-party platform calling on behalf of an authorizer: gets a component token
/// (`api_component_token`, from the component appid, secret and verify ticket), then the
/// authorizer's token (`api_authorizer_token`). The component token is kept until 5 minutes
/// before its expiry, and a rotated refresh token is used from then on.
pub struct AuthorizerSource {
    component_appid: String,
    component_secret: Secret,
    ticket: VerifyTicket,
    authorizer_appid: String,
    refresh_token: Mutex<Secret>,
    /// The refresh token this source was created with, tried if a stored one is refused
    /// (after the authorizer re-authorised the platform and the process was redeployed).
    configured_refresh_token: Secret,
    component_token: tokio::sync::Mutex<Option<(Secret, SystemTime)>>,
}

impl AuthorizerSource {
    /// A source for `authorizer_appid` through the platform `component_appid`.
    pub fn new(
        component_appid: impl Into<String>,
        component_secret: impl Into<String>,
        ticket: VerifyTicket,
        authorizer_appid: impl Into<String>,
        authorizer_refresh_token: impl Into<String>,
    ) -> Self {
        let authorizer_refresh_token: String = authorizer_refresh_token.into();
        AuthorizerSource {
            component_appid: component_appid.into(),
            component_secret: Secret::new(component_secret),
            ticket,
            authorizer_appid: authorizer_appid.into(),
            refresh_token: Mutex::new(Secret::new(authorizer_refresh_token.clone())),
            configured_refresh_token: Secret::new(authorizer_refresh_token),
            component_token: tokio::sync::Mutex::new(None),
        }
    }

    /// The authorizer refresh token in use now (the service may rotate it); persist it if
    /// the process restarts.
    pub fn authorizer_refresh_token(&self) -> String {
        self.refresh_token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .expose()
            .to_string()
    }

    async fn component_token(&self, ctx: &FetchContext, renew: bool) -> Result<Secret> {
        let mut cached = self.component_token.lock().await;
        if let Some((token, refresh_at)) = &*cached
            && !renew
            && ctx.now() < *refresh_at
        {
            return Ok(token.clone());
        }
        let body = json!({
            "component_appid": self.component_appid,
            "component_appsecret": self.component_secret.expose(),
            "component_verify_ticket": self.ticket.get().await?,
        });
        let bytes = ctx
            .http
            .send(COMPONENT_TOKEN, &[], Body::Json(&body))
            .await?;
        let reply: ComponentReply = parse_reply(&bytes, COMPONENT_TOKEN, Endpoint::Token)?;
        let token = issued(
            reply.component_access_token,
            reply.expires_in,
            COMPONENT_TOKEN,
        )?;
        let lifetime = Duration::from_secs(reply.expires_in);
        let refresh_at = ctx.now() + lifetime - Duration::from_secs(300).min(lifetime / 2);
        let secret = Secret::new(token.as_str());
        *cached = Some((secret.clone(), refresh_at));
        Ok(secret)
    }

    fn set_refresh_token(&self, token: Secret) {
        *self.refresh_token.lock().unwrap_or_else(|e| e.into_inner()) = token;
    }

    /// Asks for the authorizer's token with the newest refresh token known (the store's, if
    /// another process rotated it; the configured one if the service refuses that), and
    /// returns the token carrying the refresh token to use next, so the cache stores both.
    async fn authorizer_token(
        &self,
        ctx: &FetchContext,
        component: &Secret,
    ) -> Result<AccessToken> {
        if let Some(stored) = ctx.stored_refresh_token() {
            self.set_refresh_token(Secret::new(stored));
        }
        match self.request_authorizer_token(ctx, component).await {
            Err(err)
                if err.errcode() == Some(INVALID_REFRESH_TOKEN)
                    && self.authorizer_refresh_token()
                        != self.configured_refresh_token.expose() =>
            {
                self.set_refresh_token(self.configured_refresh_token.clone());
                self.request_authorizer_token(ctx, component).await
            }
            other => other,
        }
    }

    async fn request_authorizer_token(
        &self,
        ctx: &FetchContext,
        component: &Secret,
    ) -> Result<AccessToken> {
        let body = json!({
            "component_appid": self.component_appid,
            "authorizer_appid": self.authorizer_appid,
            "authorizer_refresh_token": self.authorizer_refresh_token(),
        });
        let query = [("component_access_token", component.expose())];
        let bytes = ctx
            .http
            .send(AUTHORIZER_TOKEN, &query, Body::Json(&body))
            .await?;
        let reply: AuthorizerReply = parse_reply(&bytes, AUTHORIZER_TOKEN, Endpoint::Token)?;
        if let Some(rotated) = reply.authorizer_refresh_token.filter(|t| !t.is_empty()) {
            self.set_refresh_token(Secret::new(rotated));
        }
        let token = issued(
            reply.authorizer_access_token,
            reply.expires_in,
            AUTHORIZER_TOKEN,
        )?;
        Ok(token.with_refresh_token(self.authorizer_refresh_token()))
    }
}

#[async_trait::async_trait]
impl TokenSource for AuthorizerSource {
    fn cache_key(&self) -> String {
        format!(
            "authorizer:{}:{}",
            self.component_appid, self.authorizer_appid
        )
    }

    async fn fetch(&self, ctx: &FetchContext) -> Result<AccessToken> {
        let component = self.component_token(ctx, false).await?;
        match self.authorizer_token(ctx, &component).await {
            // The component token went stale: renew it once and ask again.
            Err(err) if err.errcode().is_some_and(errcode::is_stale_token) => {
                let component = self.component_token(ctx, true).await?;
                self.authorizer_token(ctx, &component).await
            }
            other => other,
        }
    }

    fn describe(&self) -> String {
        format!(
            "authorizer token for {} via platform {}",
            self.authorizer_appid, self.component_appid
        )
    }
}

impl fmt::Debug for AuthorizerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizerSource")
            .field("component_appid", &self.component_appid)
            .field("component_secret", &self.component_secret)
            .field("ticket", &self.ticket)
            .field("authorizer_appid", &self.authorizer_appid)
            .field("authorizer_refresh_token", &"** redacted **")
            .finish()
    }
}
