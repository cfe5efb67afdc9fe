//! Cloud storage (Tencent COS): the form upload step of [`crate::Client::upload_file`], the
//! signed download of [`crate::Client::download_file`], and what COS error codes mean.
//!
//! COS answers errors with an XML document (`<Error><Code>SignatureDoesNotMatch</Code>
//! <Message>..</Message></Error>`). Such a reply becomes [`Error::Cos`] carrying the code;
//! anything else that is not a success (an HTML page, an empty or truncated body) becomes
//! [`Error::Transport`] with the HTTP status. Only the code and the message are read from the
//! reply: COS may echo the string it signed, and that is never kept.
//!
//! ```
//! use wxcloud::ErrorKind;
//! use wxcloud::cos::kind_of;
//!
//! assert_eq!(kind_of("SignatureDoesNotMatch"), ErrorKind::AccessDenied);
//! assert_eq!(kind_of("NoSuchKey"), ErrorKind::NotFound);
//! assert_eq!(kind_of("ServiceUnavailable"), ErrorKind::Transient);
//! ```

use std::fmt;
use std::time::Duration;

use crate::transport::from_reqwest;
use crate::{Error, ErrorKind, Result};

/// The most of an error reply read: COS error documents are a few hundred bytes.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The longest COS message kept in an error.
const MAX_MESSAGE_CHARS: usize = 300;

/// What kind of error a COS error code means.
///
/// Signature, credential and clock problems are [`ErrorKind::AccessDenied`]; a missing key or
/// bucket [`ErrorKind::NotFound`]; a busy or failing service [`ErrorKind::Transient`] (a
/// transfer retries those); `SlowDown` [`ErrorKind::RateLimit`]; a malformed request
/// [`ErrorKind::InvalidRequest`]; any other code [`ErrorKind::Api`].
pub fn kind_of(code: &str) -> ErrorKind {
    match code {
        "SignatureDoesNotMatch"
        | "AccessDenied"
        | "InvalidAccessKeyId"
        | "ExpiredToken"
        | "InvalidToken"
        | "TokenRefreshRequired"
        | "RequestTimeTooSkewed"
        | "RequestExpired"
        | "UserNetworkTooSlow"
        | "AccountProblem"
        | "InvalidObjectState" => ErrorKind::AccessDenied,
        "NoSuchKey" | "NoSuchBucket" | "NoSuchUpload" | "NoSuchVersion" => ErrorKind::NotFound,
        "InternalError" | "ServiceUnavailable" | "RequestTimeout" | "ServerError" => {
            ErrorKind::Transient
        }
        "SlowDown" | "TooManyRequests" => ErrorKind::RateLimit,
        "EntityTooLarge"
        | "EntityTooSmall"
        | "InvalidArgument"
        | "InvalidRequest"
        | "InvalidDigest"
        | "BadDigest"
        | "KeyTooLong"
        | "MalformedXML"
        | "MalformedPOSTRequest"
        | "MissingContentLength"
        | "MissingFields"
        | "IncompleteBody"
        | "InvalidURI"
        | "MethodNotAllowed"
        | "MaxMessageLengthExceeded"
        | "MetadataTooLarge" => ErrorKind::InvalidRequest,
        _ => ErrorKind::Api,
    }
}

/// A one-line suggestion for people about a COS error code.
pub fn hint(code: &str) -> &'static str {
    match code {
        "SignatureDoesNotMatch" => {
            "cloud storage rejected the upload's signature: the upload ticket was altered or belongs to another path; upload again"
        }
        "ExpiredToken" | "TokenRefreshRequired" | "RequestExpired" => {
            "the storage credentials or the download link expired: upload again, or ask for a new link"
        }
        "InvalidAccessKeyId" | "InvalidToken" => {
            "cloud storage does not know the credentials of the request: upload again"
        }
        "RequestTimeTooSkewed" => {
            "this machine's clock differs too much from cloud storage's: synchronise it (NTP)"
        }
        "AccessDenied" => {
            "cloud storage refused access: the link may have expired, or the env's storage rules forbid it"
        }
        _ => match kind_of(code) {
            ErrorKind::NotFound => "the file does not exist in cloud storage",
            ErrorKind::Transient => "cloud storage is busy or failing; try again later",
            ErrorKind::RateLimit => "cloud storage asks to slow down; try again later",
            ErrorKind::InvalidRequest => {
                "cloud storage refused the request as malformed or too large"
            }
            _ => "cloud storage refused the request; the code says why",
        },
    }
}

/// The upload ticket `uploadfile` returns: where and how to POST the file. Its `Debug`
/// shows none of the credentials.
#[derive(Clone, serde::Deserialize)]
pub(crate) struct UploadTicket {
    /// The form endpoint to POST to.
    #[serde(default)]
    pub(crate) url: String,
    /// Goes in `x-cos-security-token`.
    #[serde(default)]
    pub(crate) token: String,
    /// Goes in `Signature`.
    #[serde(default)]
    pub(crate) authorization: String,
    /// The file ID the upload creates (`cloud://..`).
    #[serde(default)]
    pub(crate) file_id: String,
    /// Goes in `x-cos-meta-fileid`; without it the file cannot be downloaded later.
    #[serde(default)]
    pub(crate) cos_file_id: String,
}

impl fmt::Debug for UploadTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadTicket")
            .field("url", &redact_url(&self.url))
            .field("token", &"** redacted **")
            .field("authorization", &"** redacted **")
            .field("file_id", &self.file_id)
            .finish_non_exhaustive()
    }
}

impl UploadTicket {
    /// Refuses a ticket the form upload cannot use, naming the missing field (never its value).
    pub(crate) fn check(&self) -> Result<()> {
        for (name, value) in [
            ("url", &self.url),
            ("authorization", &self.authorization),
            ("file_id", &self.file_id),
            ("cos_file_id", &self.cos_file_id),
        ] {
            if value.is_empty() {
                return Err(Error::decode(format!(
                    "the reply of /tcb/uploadfile has no {name}"
                )));
            }
        }
        if !(self.url.starts_with("https://") || self.url.starts_with("http://")) {
            return Err(Error::decode(
                "the reply of /tcb/uploadfile has a url that is not http(s)",
            ));
        }
        Ok(())
    }

    /// The credentials a COS reply must never be allowed to echo into an error.
    fn secrets(&self) -> [&str; 2] {
        [&self.token, &self.authorization]
    }
}

/// `url` with its query (which holds a signature) replaced by `** redacted **`, for showing a
/// download link (the bindings use it in their reprs).
pub fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?** redacted **"),
        None => url.to_string(),
    }
}

/// POSTs `file` to the ticket's form endpoint with the fields COS expects, `file` last, and
/// returns once COS answered with a success (204). `timeout` bounds the whole request.
pub(crate) async fn post_form(
    pool: &reqwest::Client,
    ticket: &UploadTicket,
    key: &str,
    file: reqwest::multipart::Part,
    timeout: Duration,
) -> Result<()> {
    let form = reqwest::multipart::Form::new()
        .text("key", key.to_string())
        .text("Signature", ticket.authorization.clone())
        .text("x-cos-security-token", ticket.token.clone())
        .text("x-cos-meta-fileid", ticket.cos_file_id.clone())
        .part("file", file);
    let response = pool
        .post(&ticket.url)
        .timeout(timeout)
        .multipart(form)
        .send()
        .await
        .map_err(from_reqwest)?;
    if !response.status().is_success() {
        return Err(refusal(response, "the upload", &ticket.secrets()).await);
    }
    // A 2xx carrying an <Error> document is still an error (a proxy may rewrite statuses).
    let status = response.status().as_u16();
    match parse_error(&read_bounded(response).await?) {
        Some((code, message)) => Err(cos_error(status, code, message, &ticket.secrets())),
        None => Ok(()),
    }
}

/// Sends a GET for a signed download link and returns the response once it is a success.
/// An error reply becomes [`Error::Cos`] (e.g. `NoSuchKey`, an expired link's
/// `AccessDenied`) or [`Error::Transport`].
pub(crate) async fn open_download(
    pool: &reqwest::Client,
    url: &str,
    timeout: Duration,
) -> Result<reqwest::Response> {
    let response = pool
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .map_err(from_reqwest)?;
    if response.status().is_success() {
        return Ok(response);
    }
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    Err(refusal(response, "the download", &[query]).await)
}

/// What a reply that is not a success means: [`Error::Cos`] for a COS error document, else
/// [`Error::Transport`] with the status. `secrets` are removed from the COS message.
async fn refusal(response: reqwest::Response, what: &str, secrets: &[&str]) -> Error {
    let status = response.status().as_u16();
    let content_type = content_type(&response);
    match read_bounded(response).await {
        Err(err) => err,
        Ok(body) => match parse_error(&body) {
            Some((code, message)) => cos_error(status, code, message, secrets),
            None => not_cos_reply(what, status, &content_type),
        },
    }
}

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type")
        .to_string()
}

/// The first [`MAX_ERROR_BODY`] bytes of a reply; the rest is left unread.
async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(from_reqwest)? {
        let room = MAX_ERROR_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    Ok(body)
}

fn not_cos_reply(what: &str, status: u16, content_type: &str) -> Error {
    // The body is not quoted: a proxy's page may echo the signed URL.
    Error::Transport {
        message: format!(
            "cloud storage answered {what} with HTTP {status} ({content_type}), not a COS reply"
        ),
        status: Some(status),
        request_sent: true,
    }
}

fn cos_error(status: u16, code: String, message: String, secrets: &[&str]) -> Error {
    let mut message = message;
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        message = message.replace(secret, "** redacted **");
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        message = message.chars().take(MAX_MESSAGE_CHARS).collect::<String>() + "…";
    }
    Error::Cos {
        kind: kind_of(&code),
        code,
        message,
        status,
    }
}

/// The `Code` and `Message` of a COS `<Error>` document, if `body` is one.
pub(crate) fn parse_error(body: &[u8]) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(body);
    if !text.contains("<Error") {
        return None;
    }
    let code = element(&text, "Code")?;
    let plausible = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    if !plausible {
        return None;
    }
    let message = element(&text, "Message").unwrap_or_default();
    Some((code, message))
}

/// The text of the first `<name>..</name>` element, entities decoded.
fn element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let len = text[start..].find(&close)?;
    Some(unescape(text[start..start + len].trim()))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_documents_give_their_code_and_message() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The Signature you specified is invalid &amp; stale.</Message>
<StringToSign>secret-string</StringToSign><RequestId>NjA</RequestId></Error>"#;
        let (code, message) = parse_error(body).unwrap();
        assert_eq!(code, "SignatureDoesNotMatch");
        assert_eq!(message, "The Signature you specified is invalid & stale.");
    }

    #[test]
    fn anything_else_is_not_an_error_document() {
        for body in [
            &b""[..],
            b"<html><body>502 Bad Gateway</body></html>",
            b"<Error><Code>NoSuch",
            b"<Error><Code></Code></Error>",
            b"<Error><Code>not a code at all</Code></Error>",
            &[0xff, 0xfe, 0x00][..],
        ] {
            assert_eq!(parse_error(body), None, "{body:?}");
        }
        // No message is still an error with a code.
        assert_eq!(
            parse_error(b"<Error><Code>NoSuchKey</Code></Error>"),
            Some(("NoSuchKey".into(), String::new()))
        );
    }

    #[test]
    fn codes_have_kinds_and_hints() {
        let table = [
            ("SignatureDoesNotMatch", ErrorKind::AccessDenied),
            ("AccessDenied", ErrorKind::AccessDenied),
            ("ExpiredToken", ErrorKind::AccessDenied),
            ("InvalidAccessKeyId", ErrorKind::AccessDenied),
            ("RequestTimeTooSkewed", ErrorKind::AccessDenied),
            ("NoSuchKey", ErrorKind::NotFound),
            ("NoSuchBucket", ErrorKind::NotFound),
            ("InternalError", ErrorKind::Transient),
            ("ServiceUnavailable", ErrorKind::Transient),
            ("SlowDown", ErrorKind::RateLimit),
            ("EntityTooLarge", ErrorKind::InvalidRequest),
            ("SomethingNew", ErrorKind::Api),
        ];
        for (code, kind) in table {
            assert_eq!(kind_of(code), kind, "{code}");
            assert!(!hint(code).is_empty());
        }
        assert!(hint("RequestTimeTooSkewed").contains("clock"));
    }

    #[test]
    fn credentials_echoed_by_cos_are_removed_and_long_messages_cut() {
        let err = cos_error(
            403,
            "AccessDenied".into(),
            format!("denied for token-abcdefgh {}", "x".repeat(1000)),
            &["token-abcdefgh"],
        );
        let text = format!("{err} {err:?}");
        assert!(!text.contains("token-abcdefgh"));
        assert!(text.len() < 1000);
        assert_eq!(err.cos_code(), Some("AccessDenied"));
        assert_eq!(err.kind(), ErrorKind::AccessDenied);
    }

    #[test]
    fn ticket_debug_and_urls_hide_credentials() {
        let ticket = UploadTicket {
            url: "https://cos.example/bucket?sign=s3cr3t".into(),
            token: "tok-s3cr3t".into(),
            authorization: "q-sign-s3cr3t".into(),
            file_id: "cloud://env.b/a.png".into(),
            cos_file_id: "meta-s3cr3t".into(),
        };
        let text = format!("{ticket:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("cloud://env.b/a.png"));
        assert_eq!(
            redact_url("https://h/p.png?sign=abc&t=1"),
            "https://h/p.png?** redacted **"
        );
    }
}
