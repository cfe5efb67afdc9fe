//! One pooled HTTP client per [`crate::Client`]: sends a request, reads a bounded reply, and
//! turns every failure into a typed [`Error`] without the URL (which carries the token).

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::errcode::Endpoint;
use crate::{Error, Result};

/// The largest reply read by default: the service's 16 MB maximum plus room for the envelope
/// and string escaping.
pub(crate) const DEFAULT_MAX_REPLY_BYTES: usize = 17 * 1024 * 1024;

/// The HTTP side of a client: base URL, connection pool and reply limit.
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    base_url: String,
    max_reply_bytes: usize,
}

/// What a request carries besides its path.
#[derive(Clone, Copy)]
pub(crate) enum Body<'a> {
    /// A GET with no body.
    None,
    /// A POST with this JSON body.
    Json(&'a serde_json::Value),
    /// A POST with this JSON text, already encoded (a function's event).
    JsonText(&'a [u8]),
}

impl Http {
    /// A client for `base_url` with these timeouts; `timeout` bounds a whole attempt, body included.
    pub(crate) fn new(
        base_url: &str,
        timeout: Duration,
        connect_timeout: Duration,
        max_reply_bytes: usize,
    ) -> Result<Self> {
        let base_url = base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::config(format!(
                "base_url must start with http:// or https://, got {base_url:?}"
            )));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("wxcloud-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                Error::config(format!(
                    "cannot build the HTTP client: {}",
                    chain(&e.without_url())
                ))
            })?;
        Ok(Http {
            client,
            base_url,
            max_reply_bytes,
        })
    }

    /// The connection pool, for requests to URLs the service hands out (storage transfers).
    /// Their errors go through [`from_reqwest`], which drops the URL.
    pub(crate) fn pool(&self) -> &reqwest::Client {
        &self.client
    }

    /// The base URL, without a trailing slash.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends one request to `path` (with `query` pairs, which may hold a token) and returns
    /// the reply body of a 2xx reply.
    pub(crate) async fn send(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: Body<'_>,
    ) -> Result<Vec<u8>> {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.base_url, path))
            .map_err(|e| Error::config(format!("bad URL for {path}: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let json_post = |bytes: Vec<u8>| {
            self.client
                .post(url.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes)
        };
        let request = match body {
            Body::None => self.client.get(url.clone()),
            Body::Json(json) => json_post(
                serde_json::to_vec(json)
                    .map_err(|e| Error::decode(format!("cannot encode request body: {e}")))?,
            ),
            Body::JsonText(text) => json_post(text.to_vec()),
        };
        let mut response = request.send().await.map_err(from_reqwest)?;
        let status = response.status();
        if !status.is_success() {
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("no content type")
                .to_string();
            // The body is not quoted: a proxy's error page may echo the URL, and with it the token.
            return Err(Error::Transport {
                message: format!("{path} answered HTTP {} ({content_type})", status.as_u16()),
                status: Some(status.as_u16()),
                request_sent: true,
            });
        }
        let too_large = || {
            Error::decode(format!(
                "the reply of {path} is larger than the {} byte limit",
                self.max_reply_bytes
            ))
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.max_reply_bytes as u64)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = response.chunk().await.map_err(from_reqwest)? {
            if bytes.len() + chunk.len() > self.max_reply_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

/// The `errcode`/`errmsg` envelope every reply has (token replies omit it on success).
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// A successful reply: `errcode` (absent or 0) and what the call returns, side by side.
#[derive(Deserialize)]
struct Success<T> {
    #[serde(default)]
    errcode: i64,
    #[serde(flatten)]
    body: T,
}

/// Parses a reply of `path`: a non-JSON body is a [`Error::Transport`], a non-zero errcode an
/// API error for `endpoint`, and a success that does not fit `T` a [`Error::Decode`].
pub(crate) fn parse_reply<T: DeserializeOwned>(
    bytes: &[u8],
    path: &'static str,
    endpoint: Endpoint,
) -> Result<T> {
    let not_json = |detail: String| Error::Transport {
        message: format!(
            "the reply of {path} is not a JSON object ({} bytes): {detail}",
            bytes.len()
        ),
        status: Some(200),
        request_sent: true,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(not_json("empty body".into()));
    }
    // A success is read in one pass, envelope and contents together (reading a reply twice
    // cost a third of a call when it held records; those now go through `records::parse_reply`).
    if let Some(body) = success(bytes) {
        return Ok(body);
    }
    // Anything else is read again, to say exactly what it is.
    let envelope: Envelope = serde_json::from_slice(bytes).map_err(|e| not_json(e.to_string()))?;
    if envelope.errcode != 0 {
        return Err(match endpoint {
            Endpoint::Database => Error::from_errcode(envelope.errcode, envelope.errmsg),
            Endpoint::Token => Error::from_token_errcode(path, envelope.errcode, envelope.errmsg),
        });
    }
    serde_json::from_slice(bytes)
        .map_err(|e| Error::decode(format!("unexpected reply from {path}: {e}")))
}

/// What a successful reply (`errcode` absent or 0) carries, or `None` for any other reply.
pub(crate) fn success<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    match serde_json::from_slice::<Success<T>>(bytes) {
        Ok(Success { errcode: 0, body }) => Some(body),
        _ => None,
    }
}

/// A reqwest error as a typed error: its URL removed, its causes spelled out.
pub(crate) fn from_reqwest(err: reqwest::Error) -> Error {
    let err = err.without_url();
    let message = chain(&err);
    if err.is_connect() {
        // Covers refused connections, DNS failures and connect timeouts: nothing was sent.
        Error::Transport {
            message: format!("cannot connect: {message}"),
            status: None,
            request_sent: false,
        }
    } else if err.is_timeout() {
        Error::Timeout {
            message: format!("no complete reply within the timeout: {message}"),
        }
    } else {
        Error::Transport {
            message,
            status: None,
            request_sent: true,
        }
    }
}

/// An error and its sources, joined with ": ".
fn chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[derive(Debug, Deserialize)]
    struct Count {
        count: u64,
    }

    fn parse(body: &str) -> Result<Count> {
        parse_reply(body.as_bytes(), "/tcb/databasecount", Endpoint::Database)
    }

    #[test]
    fn replies_become_typed_results_or_errors() {
        assert_eq!(
            parse(r#"{"errcode":0,"errmsg":"ok","count":3}"#)
                .unwrap()
                .count,
            3
        );
        assert_eq!(
            parse(r#"{"errcode":-1,"errmsg":"system busy"}"#)
                .unwrap_err()
                .kind(),
            ErrorKind::Transient
        );
        assert_eq!(parse("").unwrap_err().kind(), ErrorKind::Transport);
        assert_eq!(
            parse("<html>502</html>").unwrap_err().kind(),
            ErrorKind::Transport
        );
        assert_eq!(
            parse(r#"{"errcode":0,"count":"#).unwrap_err().kind(),
            ErrorKind::Transport
        );
        assert_eq!(parse(r#"[1,2]"#).unwrap_err().kind(), ErrorKind::Transport);
        assert_eq!(
            parse(r#"{"errcode":0,"count":"many"}"#).unwrap_err().kind(),
            ErrorKind::Decode
        );
    }

    #[test]
    fn token_endpoint_codes_become_token_endpoint_errors() {
        let err = parse_reply::<serde_json::Value>(
            br#"{"errcode":40125,"errmsg":"invalid appsecret"}"#,
            "/cgi-bin/stable_token",
            Endpoint::Token,
        )
        .unwrap_err();
        assert!(err.is_token_endpoint());
        assert_eq!(err.kind(), ErrorKind::Token);
        assert_eq!(err.errmsg(), Some("invalid appsecret"));
    }
}
