//! Errors: one enum for every way a call can fail, with [`ErrorKind`] for deciding what to do.
//!
//! Every error keeps what the service said verbatim (`errcode`, `errmsg`) and never contains an
//! access token or an app secret: URLs (which carry the token) are stripped before a message is
//! built, and the client's own messages never mention credentials.
//!
//! ```
//! use wxcloud::{Error, ErrorKind};
//!
//! fn explain(err: &Error) -> String {
//!     match err.kind() {
//!         ErrorKind::Transient | ErrorKind::Timeout => "try again later".to_string(),
//!         _ => match (err.errcode(), err.hint()) {
//!             (Some(code), Some(hint)) => format!("errcode {code}: {hint}"),
//!             _ => err.to_string(),
//!         },
//!     }
//! }
//! # let _ = explain;
//! ```

use crate::errcode::{self, Endpoint};

/// What kind of failure an [`Error`] is; the same kinds exist in Python and Node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The token was rejected even after one refresh, or the token endpoint refused the credentials.
    Token,
    /// A transient errcode was still returned after the retry budget.
    Transient,
    /// A quota or rate-limit errcode.
    RateLimit,
    /// The request was malformed (bad field, bad statement, wrong env ...).
    InvalidRequest,
    /// Access or setup problem (IP whitelist, permission denied, Cloud Base not enabled ...).
    AccessDenied,
    /// A collection or other resource does not exist.
    NotFound,
    /// Any other non-zero errcode.
    Api,
    /// The connection failed, or the reply was not JSON or not a 2xx.
    Transport,
    /// The call ran past its timeout.
    Timeout,
    /// A reply or record could not be decoded.
    Decode,
    /// A pipeline, filter or value cannot be written as a statement; nothing was sent.
    Statement,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::Token,
        ErrorKind::Transient,
        ErrorKind::RateLimit,
        ErrorKind::InvalidRequest,
        ErrorKind::AccessDenied,
        ErrorKind::NotFound,
        ErrorKind::Api,
        ErrorKind::Transport,
        ErrorKind::Timeout,
        ErrorKind::Decode,
        ErrorKind::Statement,
    ];

    /// The kind's name as written in the contract and the shared test vectors (`"Token"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Token => "Token",
            ErrorKind::Transient => "Transient",
            ErrorKind::RateLimit => "RateLimit",
            ErrorKind::InvalidRequest => "InvalidRequest",
            ErrorKind::AccessDenied => "AccessDenied",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::Api => "Api",
            ErrorKind::Transport => "Transport",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Decode => "Decode",
            ErrorKind::Statement => "Statement",
        }
    }

    /// The kind named `name` (as returned by [`ErrorKind::name`]), if there is one.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether this kind comes from an errcode the service returned (the Python `ApiError` family).
    pub fn is_api(self) -> bool {
        matches!(
            self,
            ErrorKind::Token
                | ErrorKind::Transient
                | ErrorKind::RateLimit
                | ErrorKind::InvalidRequest
                | ErrorKind::AccessDenied
                | ErrorKind::NotFound
                | ErrorKind::Api
        )
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed call. Never contains an access token or an app secret.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A database call was answered with a non-zero errcode.
    #[error("WeChat API error {errcode}: {errmsg}")]
    Api {
        /// What kind of error the errcode means.
        kind: ErrorKind,
        /// The errcode, verbatim.
        errcode: i64,
        /// The errmsg, verbatim.
        errmsg: String,
    },
    /// A token endpoint (`/cgi-bin/stable_token`, `/cgi-bin/token`, the component endpoints)
    /// refused to issue a token. Unlike a stale token on a database call, this does not go away
    /// by refreshing: the appid, secret, IP whitelist or platform setup must be fixed.
    #[error("token endpoint {endpoint} refused: errcode {errcode}: {errmsg}")]
    TokenEndpoint {
        /// What kind of error the errcode means on a token endpoint.
        kind: ErrorKind,
        /// The path that refused, e.g. `/cgi-bin/stable_token`.
        endpoint: &'static str,
        /// The errcode, verbatim.
        errcode: i64,
        /// The errmsg, verbatim.
        errmsg: String,
    },
    /// No token could be obtained for a reason other than an errcode (a token callback failed,
    /// a token reply had no token in it, ...).
    #[error("access token unavailable: {message}")]
    Token {
        /// What went wrong.
        message: String,
    },
    /// The connection failed or the reply was not a JSON object with a 2xx status.
    #[error("transport error: {message}")]
    Transport {
        /// What went wrong, with any URL's token removed.
        message: String,
        /// The HTTP status, when a reply arrived.
        status: Option<u16>,
        /// Whether the request may have reached the service. `false` only when the connection
        /// was never established, so a write certainly did not happen.
        request_sent: bool,
    },
    /// The call ran past its timeout.
    #[error("timed out: {message}")]
    Timeout {
        /// What timed out.
        message: String,
    },
    /// A reply or a record could not be decoded.
    #[error("decode error: {message}")]
    Decode {
        /// What could not be decoded, and where.
        message: String,
    },
    /// A statement could not be written; nothing was sent.
    #[error("statement error: {message}")]
    Statement {
        /// What cannot be expressed, naming the operator and its path.
        message: String,
    },
    /// The client is not configured well enough to make the call (no credentials, no env, a
    /// bad base URL ...). Its kind is [`ErrorKind::InvalidRequest`]; nothing was sent.
    #[error("configuration error: {message}")]
    Config {
        /// What is missing or wrong.
        message: String,
    },
    /// An argument of a call was refused before anything was sent (an empty or unsafe cloud
    /// path, a local file that does not exist, a function event over the size limit ...).
    /// Its kind is [`ErrorKind::InvalidRequest`].
    #[error("invalid argument: {message}")]
    InvalidArgument {
        /// What is wrong with the argument.
        message: String,
    },
    /// Cloud storage (COS) refused a transfer and said why in its XML error reply, e.g.
    /// `SignatureDoesNotMatch`, `AccessDenied`, `NoSuchKey`, `ExpiredToken`.
    /// Its kind follows the code (see [`crate::cos::kind_of`]).
    #[error("cloud storage refused with HTTP {status}: {code}: {message}")]
    Cos {
        /// What kind of error the COS code means.
        kind: ErrorKind,
        /// The COS error code, verbatim (`SignatureDoesNotMatch`, ...).
        code: String,
        /// The COS error message, shortened, with any credential of the request removed.
        message: String,
        /// The HTTP status of the reply.
        status: u16,
    },
}

impl Error {
    /// A [`ErrorKind::Decode`] error with this message.
    pub fn decode(message: impl Into<String>) -> Self {
        Error::Decode {
            message: message.into(),
        }
    }

    /// A [`ErrorKind::Statement`] error with this message.
    pub fn statement(message: impl Into<String>) -> Self {
        Error::Statement {
            message: message.into(),
        }
    }

    /// A [`ErrorKind::Token`] error without an errcode, e.g. for a token callback that failed.
    pub fn token(message: impl Into<String>) -> Self {
        Error::Token {
            message: message.into(),
        }
    }

    /// A configuration error (kind [`ErrorKind::InvalidRequest`]).
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    /// An [`Error::InvalidArgument`]: a call's argument refused before anything was sent.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            message: message.into(),
        }
    }

    /// The error a database call gets for a non-zero errcode, classified by the code table.
    pub fn from_errcode(errcode: i64, errmsg: impl Into<String>) -> Self {
        Error::Api {
            kind: errcode::kind_of(errcode, Endpoint::Database),
            errcode,
            errmsg: errmsg.into(),
        }
    }

    /// The error a token endpoint's non-zero errcode becomes (see [`Error::TokenEndpoint`]).
    pub fn from_token_errcode(
        endpoint: &'static str,
        errcode: i64,
        errmsg: impl Into<String>,
    ) -> Self {
        Error::TokenEndpoint {
            kind: errcode::kind_of(errcode, Endpoint::Token),
            endpoint,
            errcode,
            errmsg: errmsg.into(),
        }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { kind, .. } | Error::TokenEndpoint { kind, .. } => *kind,
            Error::Token { .. } => ErrorKind::Token,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Statement { .. } => ErrorKind::Statement,
            Error::Config { .. } | Error::InvalidArgument { .. } => ErrorKind::InvalidRequest,
            Error::Cos { kind, .. } => *kind,
        }
    }

    /// The service's errcode, verbatim, when the service returned one.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Error::Api { errcode, .. } | Error::TokenEndpoint { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    /// The service's errmsg, verbatim, when the service returned one.
    pub fn errmsg(&self) -> Option<&str> {
        match self {
            Error::Api { errmsg, .. } | Error::TokenEndpoint { errmsg, .. } => Some(errmsg),
            _ => None,
        }
    }

    /// The COS error code (`SignatureDoesNotMatch`, `NoSuchKey`, ...) when cloud storage
    /// refused a transfer.
    pub fn cos_code(&self) -> Option<&str> {
        match self {
            Error::Cos { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether a token endpoint refused the credentials (as opposed to a database call
    /// rejecting a stale token).
    pub fn is_token_endpoint(&self) -> bool {
        matches!(self, Error::TokenEndpoint { .. })
    }

    /// A one-line suggestion of what to do about this error, for people reading it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::Api { errcode, .. } => errcode::hint(*errcode, Endpoint::Database),
            Error::TokenEndpoint { errcode, .. } => errcode::hint(*errcode, Endpoint::Token),
            Error::Token { .. } => {
                Some("check the token callback or the token source's configuration")
            }
            Error::Transport {
                request_sent: false,
                ..
            } => Some("could not connect: check the base URL, DNS and network access"),
            Error::Transport {
                status: Some(_), ..
            } => Some(
                "the reply was not the service's JSON: a proxy or the service may be failing; try again later",
            ),
            Error::Transport { .. } => Some(
                "the connection broke during the call; a write may or may not have been applied",
            ),
            Error::Timeout { .. } => {
                Some("the service did not answer in time; raise the timeout or try again later")
            }
            Error::Decode { .. } => Some("a reply or record was not in the expected shape"),
            Error::Statement { .. } => {
                Some("the pipeline or value cannot be written as a statement; nothing was sent")
            }
            Error::InvalidArgument { .. } => {
                Some("fix the argument named in the message; nothing was sent")
            }
            Error::Cos { code, .. } => Some(crate::cos::hint(code)),
            Error::Config { .. } => Some(
                "set appid and secret (WXCLOUD_APPID, WXCLOUD_SECRET), an access token, or a token provider, and an env (WXCLOUD_ENV)",
            ),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(ErrorKind::from_name("Nope"), None);
    }

    #[test]
    fn api_error_keeps_code_and_message_verbatim() {
        let err = Error::from_errcode(-502005, "database collection not exists");
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(err.errcode(), Some(-502005));
        assert_eq!(err.errmsg(), Some("database collection not exists"));
        assert_eq!(
            err.to_string(),
            "WeChat API error -502005: database collection not exists"
        );
    }

    #[test]
    fn wrong_secret_on_token_endpoint_is_not_a_stale_token() {
        let stale = Error::from_errcode(40001, "invalid credential");
        let wrong = Error::from_token_errcode("/cgi-bin/stable_token", 40001, "invalid credential");
        assert_eq!(wrong.kind(), ErrorKind::Token);
        assert!(wrong.is_token_endpoint());
        assert!(!stale.is_token_endpoint());
        assert_ne!(stale.hint(), wrong.hint());
    }
}
