//! A scriptable stand-in for the WeChat service: a real axum server on 127.0.0.1 that issues
//! tokens, checks them on `/tcb/*` calls, records every request, and plays scripted replies
//! (errcodes, HTML pages, truncated JSON, stalls) in order.
#![allow(dead_code)]

pub mod storage;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

pub const APPID: &str = "wx-test-appid";
/// The app secret every test uses; it must never appear in an error, `Debug` or log.
pub const SECRET: &str = "app-secret-9f8e7d6c5b4a";
/// Every token the server issues starts with this; it must never appear in an error either.
pub const TOKEN_PREFIX: &str = "tok-secret-";
pub const ENV: &str = "test2-4a89da";

/// One scripted reply.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A JSON body with status 200.
    Json(Json),
    /// `{"errcode": code, "errmsg": ...}` with status 200.
    Errcode(i64),
    /// Any status, content type and body.
    Raw {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Never answer.
    Stall,
}

/// A request the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub body: Json,
    /// The body's size in bytes.
    pub body_len: usize,
}

#[derive(Default)]
struct ServerState {
    seen: Mutex<Vec<Seen>>,
    script: Mutex<HashMap<String, VecDeque<Reply>>>,
    valid_tokens: Mutex<HashSet<String>>,
    issued: AtomicU64,
    token_delay_ms: AtomicU64,
    token_lifetime_s: AtomicU64,
    /// Cloud storage: files, forms and the server's own address (see [`storage`]).
    pub(crate) storage: storage::Storage,
}

/// The running server; it stops with the test's runtime.
pub struct Server {
    pub url: String,
    state: Arc<ServerState>,
}

impl Server {
    pub async fn start() -> Server {
        let state = Arc::new(ServerState::default());
        state.token_lifetime_s.store(7200, Ordering::SeqCst);
        let app = Router::new()
            .fallback(handle)
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        state.storage.set_base_url(&url);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server { url, state }
    }

    /// Queues `reply` as the next answer for `path`; queued replies are used in order, then
    /// the default behaviour resumes.
    pub fn script(&self, path: &str, reply: Reply) {
        self.state
            .script
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_default()
            .push_back(reply);
    }

    /// Every request seen on `path`, in order.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.state
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }

    /// How many requests `path` saw.
    pub fn count(&self, path: &str) -> usize {
        self.seen(path).len()
    }

    /// How many tokens were issued, over every token endpoint.
    pub fn tokens_issued(&self) -> u64 {
        self.state.issued.load(Ordering::SeqCst)
    }

    /// Delays every token reply (to let callers pile up behind a fetch).
    pub fn set_token_delay(&self, delay: Duration) {
        self.state
            .token_delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// The lifetime (`expires_in`) of tokens issued from now on.
    pub fn set_token_lifetime(&self, secs: u64) {
        self.state.token_lifetime_s.store(secs, Ordering::SeqCst);
    }

    /// Makes every token issued so far invalid; calls with them get 40001.
    pub fn revoke_tokens(&self) {
        self.state.valid_tokens.lock().unwrap().clear();
    }

    /// Makes `token` valid for `/tcb/*` calls (for tokens a scripted reply hands out).
    pub fn allow_token(&self, token: &str) {
        self.state
            .valid_tokens
            .lock()
            .unwrap()
            .insert(token.to_string());
    }

    /// A client builder for this server with the test app's credentials and env.
    pub fn builder(&self) -> wxcloud::ClientBuilder {
        wxcloud::Client::builder()
            .base_url(&self.url)
            .appid(APPID)
            .secret(SECRET)
            .env(ENV)
            .timeout(Duration::from_secs(10))
            .retry_policy(wxcloud::retry::RetryPolicy {
                max_retries: 3,
                initial_backoff: Duration::from_millis(5),
                max_backoff: Duration::from_millis(20),
            })
    }

    pub fn client(&self) -> wxcloud::Client {
        self.builder().build().expect("client")
    }

    /// A client from [`Server::builder`] after `configure` changes some of its options.
    pub fn client_with(
        &self,
        configure: impl FnOnce(wxcloud::ClientBuilder) -> wxcloud::ClientBuilder,
    ) -> wxcloud::Client {
        configure(self.builder()).build().expect("client")
    }
}

fn issue_token(state: &ServerState) -> Json {
    let n = state.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let token = format!("{TOKEN_PREFIX}{n}");
    state.valid_tokens.lock().unwrap().insert(token.clone());
    json!({"access_token": token, "expires_in": state.token_lifetime_s.load(Ordering::SeqCst)})
}

fn errcode(code: i64, msg: &str) -> Json {
    json!({"errcode": code, "errmsg": msg})
}

/// What the server does for a request no script covers.
fn default_reply(state: &ServerState, seen: &Seen) -> Json {
    match seen.path.as_str() {
        "/cgi-bin/stable_token" => {
            if seen.body["appid"] != APPID || seen.body["secret"] != SECRET {
                return errcode(
                    40001,
                    "invalid credential, access_token is invalid or not latest",
                );
            }
            issue_token(state)
        }
        "/cgi-bin/token" => {
            if seen.query.get("appid").map(String::as_str) != Some(APPID)
                || seen.query.get("secret").map(String::as_str) != Some(SECRET)
            {
                return errcode(40125, "invalid appsecret");
            }
            issue_token(state)
        }
        path if path.starts_with("/tcb/") => {
            let token = seen.query.get("access_token").cloned().unwrap_or_default();
            if token.is_empty() {
                return errcode(41001, "access_token missing");
            }
            if !state.valid_tokens.lock().unwrap().contains(&token) {
                return errcode(
                    40001,
                    "invalid credential, access_token is invalid or not latest",
                );
            }
            if let Some(reply) = storage::default_reply(&state.storage, seen) {
                return reply;
            }
            // A success with every endpoint's fields, empty.
            json!({
                "errcode": 0, "errmsg": "ok", "data": [], "count": 0, "id_list": [], "deleted": 0,
                "matched": 0, "modified": 0, "id": "", "job_id": 1, "collections": [],
                "pager": {"Offset": 0, "Limit": 10, "Total": 0}
            })
        }
        _ => errcode(-1, "unknown path"),
    }
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: header::HeaderMap,
    body: Bytes,
) -> Response {
    let query: HashMap<String, String> = uri.query().map(url_pairs).unwrap_or_default();
    let seen = Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        query,
        body: serde_json::from_slice(&body).unwrap_or(Json::Null),
        body_len: body.len(),
    };
    state.seen.lock().unwrap().push(seen.clone());
    if seen.path.starts_with("/cgi-bin/") {
        let delay = state.token_delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
    }
    let scripted = state
        .script
        .lock()
        .unwrap()
        .get_mut(&seen.path)
        .and_then(VecDeque::pop_front);
    let reply = match scripted {
        Some(reply) => reply,
        None if seen.path.starts_with("/cos/") => {
            return storage::cos_reply(&state.storage, &seen, &headers, &body);
        }
        None => Reply::Json(default_reply(&state, &seen)),
    };
    match reply {
        Reply::Json(json) => (StatusCode::OK, axum::Json(json)).into_response(),
        Reply::Errcode(code) => {
            (StatusCode::OK, axum::Json(errcode(code, "scripted error"))).into_response()
        }
        Reply::Raw {
            status,
            content_type,
            body,
        } => (
            StatusCode::from_u16(status).unwrap(),
            [(header::CONTENT_TYPE, content_type)],
            body,
        )
            .into_response(),
        Reply::Stall => {
            futures::future::pending::<()>().await;
            unreachable!()
        }
    }
}

/// Decodes `a=b&c=d` with percent-escapes.
fn url_pairs(query: &str) -> HashMap<String, String> {
    fn unescape(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (unescape(k), unescape(v))
        })
        .collect()
}

/// Asserts that nothing a caller can see of `err` (message, `Debug`, hint) holds the
/// secret or a token, and returns it. Every error the suite produces passes through here.
pub fn clean(err: wxcloud::Error) -> wxcloud::Error {
    let seen = format!("{err}\n{err:?}\n{:?}", err.hint());
    assert_no_secrets(&seen);
    err
}

/// Asserts `text` holds neither the app secret, any issued token, nor any storage credential
/// or download-link signature.
pub fn assert_no_secrets(text: &str) {
    assert!(
        !text.contains(storage::COS_SECRET),
        "a storage credential or link signature leaked into: {text}"
    );
    assert!(!text.contains(SECRET), "the app secret leaked into: {text}");
    assert!(
        !text.contains(TOKEN_PREFIX),
        "an access token leaked into: {text}"
    );
}

/// The error of `result`, checked by [`clean`]; panics on success.
pub fn expect_err<T: std::fmt::Debug>(result: wxcloud::Result<T>) -> wxcloud::Error {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(err) => clean(err),
    }
}
