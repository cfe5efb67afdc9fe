//! The token endpoints under `/cgi-bin/`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::body::{json_object, opt_bool, opt_str, req_str};
use crate::reply::ApiError;
use crate::state::{Shared, lock};
use crate::tokens::{Issued, TokenKind};

type Params = Query<HashMap<String, String>>;

fn reply(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

fn issued(shared: &Shared, path: &str, key: &str, token: Issued) -> Response {
    lock(&shared.stats).token_fetch(path);
    let mut body = serde_json::Map::new();
    body.insert(key.to_owned(), token.token.into());
    body.insert("expires_in".to_owned(), token.expires_in.into());
    Json(body).into_response()
}

fn check_grant(grant: Option<&str>) -> Result<(), ApiError> {
    match grant {
        Some("client_credential") => Ok(()),
        _ => Err(ApiError::new(40002, "invalid grant_type")),
    }
}

/// The appid of a token request; 41002 when it is missing or empty.
fn need_appid(appid: Option<&str>) -> Result<&str, ApiError> {
    appid
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::new(41002, "appid missing"))
}

/// The secret of a token request; 41004 when it is missing or empty.
fn need_secret(secret: Option<&str>) -> Result<&str, ApiError> {
    secret
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::new(41004, "appsecret missing"))
}

/// Checks an app's credentials. `wrong_secret` is the code the endpoint uses for a bad secret.
fn check_app(
    shared: &Shared,
    appid: Option<&str>,
    secret: Option<&str>,
    wrong_secret: ApiError,
) -> Result<String, ApiError> {
    let appid = need_appid(appid)?;
    let secret = need_secret(secret)?;
    if shared.config.components.iter().any(|c| c.appid == appid) {
        return Err(ApiError::new(
            61024,
            "there is no need to use this api for component appid",
        ));
    }
    match shared.config.apps.iter().find(|(a, _)| a == appid) {
        None => Err(ApiError::new(40013, "invalid appid")),
        Some((_, s)) if s != secret => Err(wrong_secret),
        Some(_) => Ok(appid.to_owned()),
    }
}

/// `GET /cgi-bin/token?grant_type=client_credential&appid=..&secret=..`
pub async fn token(
    State(shared): State<Arc<Shared>>,
    method: Method,
    Query(q): Params,
) -> Response {
    reply((|| {
        if method != Method::GET {
            return Err(ApiError::require_get());
        }
        check_grant(q.get("grant_type").map(String::as_str))?;
        let wrong = ApiError::new(
            40001,
            "invalid credential, AppSecret error or access_token is invalid",
        );
        let appid = check_app(
            &shared,
            q.get("appid").map(String::as_str),
            q.get("secret").map(String::as_str),
            wrong,
        )?;
        let now = shared.clock.now_ms();
        let t = lock(&shared.tokens).issue_replacing(TokenKind::ClientCredential, &appid, now);
        Ok(issued(&shared, "/cgi-bin/token", "access_token", t))
    })())
}

/// `POST /cgi-bin/stable_token` with `{grant_type, appid, secret, force_refresh}`.
pub async fn stable_token(
    State(shared): State<Arc<Shared>>,
    method: Method,
    body: Bytes,
) -> Response {
    reply((|| {
        let b = json_object(&method, &body)?;
        check_grant(opt_str(&b, "grant_type")?)?;
        let wrong = ApiError::new(40125, "invalid appsecret");
        let appid = check_app(
            &shared,
            opt_str(&b, "appid")?,
            opt_str(&b, "secret")?,
            wrong,
        )?;
        let force = opt_bool(&b, "force_refresh")?;
        let now = shared.clock.now_ms();
        let t = lock(&shared.tokens).stable(&appid, force, now)?;
        Ok(issued(&shared, "/cgi-bin/stable_token", "access_token", t))
    })())
}

/// `POST /cgi-bin/component/api_component_token` with
/// `{component_appid, component_appsecret, component_verify_ticket}` (any non-empty ticket).
pub async fn component_token(
    State(shared): State<Arc<Shared>>,
    method: Method,
    body: Bytes,
) -> Response {
    reply((|| {
        let b = json_object(&method, &body)?;
        let appid = need_appid(opt_str(&b, "component_appid")?)?;
        let secret = need_secret(opt_str(&b, "component_appsecret")?)?;
        if opt_str(&b, "component_verify_ticket")?.is_none_or(str::is_empty) {
            return Err(ApiError::new(61006, "component ticket is invalid"));
        }
        let component = shared
            .config
            .components
            .iter()
            .find(|c| c.appid == appid)
            .ok_or_else(|| ApiError::new(40013, "invalid appid"))?;
        if component.secret != secret {
            return Err(ApiError::new(40125, "invalid appsecret"));
        }
        let now = shared.clock.now_ms();
        let t = lock(&shared.tokens).issue_replacing(TokenKind::Component, appid, now);
        Ok(issued(
            &shared,
            "/cgi-bin/component/api_component_token",
            "component_access_token",
            t,
        ))
    })())
}

/// `POST /cgi-bin/component/api_authorizer_token?component_access_token=..` with
/// `{component_appid, authorizer_appid, authorizer_refresh_token}`.
pub async fn authorizer_token(
    State(shared): State<Arc<Shared>>,
    method: Method,
    Query(q): Params,
    body: Bytes,
) -> Response {
    reply((|| {
        if method != Method::POST {
            return Err(ApiError::require_post());
        }
        let now = shared.clock.now_ms();
        let holder = lock(&shared.tokens).check(
            q.get("component_access_token").map(String::as_str),
            &[TokenKind::Component],
            now,
        )?;
        let b = json_object(&method, &body)?;
        let component_appid = req_str(&b, "component_appid")?;
        let authorizer_appid = req_str(&b, "authorizer_appid")?;
        let refresh = req_str(&b, "authorizer_refresh_token")?;
        if holder.appid != component_appid {
            return Err(ApiError::invalid(
                "component_appid",
                "does not match the component_access_token",
            ));
        }
        let known = shared.config.components.iter().any(|c| {
            c.appid == component_appid
                && c.authorizers
                    .iter()
                    .any(|(a, r)| a == authorizer_appid && r == refresh)
        });
        if !known {
            return Err(ApiError::new(61023, "invalid refresh_token"));
        }
        let t = lock(&shared.tokens).issue_replacing(TokenKind::Authorizer, authorizer_appid, now);
        lock(&shared.stats).token_fetch("/cgi-bin/component/api_authorizer_token");
        Ok(Json(json!({
            "authorizer_access_token": t.token,
            "expires_in": t.expires_in,
            "authorizer_refresh_token": refresh,
        }))
        .into_response())
    })())
}
