//! Errors: one enum for every way a call can fail, with [`ErrorKind`] for deciding what to do.
//!
//! (Skeleton: the core-client work owns this module and fills in the errcode table, the
//! token/transport/timeout variants' details and redaction tests. The constructors
//! [`Error::decode`] and [`Error::statement`] are stable and used by `ejson` and `statement`.)

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

/// A failed call. Never contains an access token or an app secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with a non-zero errcode.
    #[error("WeChat API error {errcode}: {errmsg}")]
    Api {
        /// What kind of error the errcode means.
        kind: ErrorKind,
        /// The errcode, verbatim.
        errcode: i64,
        /// The errmsg, verbatim.
        errmsg: String,
    },
    /// The connection failed or the reply was not a JSON object with a 2xx status.
    #[error("transport error: {message}")]
    Transport {
        /// What went wrong, with any URL's token removed.
        message: String,
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
}

impl Error {
    /// A [`ErrorKind::Decode`] error with this message.
    pub fn decode(message: impl Into<String>) -> Self {
        Error::Decode { message: message.into() }
    }

    /// A [`ErrorKind::Statement`] error with this message.
    pub fn statement(message: impl Into<String>) -> Self {
        Error::Statement { message: message.into() }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { kind, .. } => *kind,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Statement { .. } => ErrorKind::Statement,
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
