//! The errcode table: what each code the service returns means, in one place.
//!
//! Every other part of the crate (error kinds, retry decisions, hints) and the shared test
//! vector `tests/vectors/errcodes.json` follow this table. Codes not listed are
//! [`ErrorKind::Api`]: surfaced with the code kept, never retried.
//!
//! ```
//! use wxcloud::errcode::{kind_of, Endpoint};
//! use wxcloud::ErrorKind;
//!
//! assert_eq!(kind_of(-1, Endpoint::Database), ErrorKind::Transient);
//! assert_eq!(kind_of(-502005, Endpoint::Database), ErrorKind::NotFound);
//! // On a token endpoint 40001 means a wrong secret, not a stale token.
//! assert_eq!(kind_of(40001, Endpoint::Token), ErrorKind::Token);
//! ```

use crate::ErrorKind;

/// Which kind of endpoint returned a code; a few codes mean different things on each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A `/tcb/*` database call, made with an access token.
    Database,
    /// A token endpoint (`/cgi-bin/stable_token`, `/cgi-bin/token`, the component endpoints),
    /// made with the appid and secret.
    Token,
}

/// How a client should treat a code (API reference §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// The access token is stale or invalid: refresh once, retry once.
    StaleToken,
    /// The service is busy: retry with backoff where a repeat cannot duplicate a write.
    Transient,
    /// A quota was exceeded: surface, no tight retry.
    RateLimit,
    /// The request is wrong: surface, never retry.
    InvalidRequest,
    /// Access or setup problem: surface with a hint.
    AccessDenied,
    /// The collection or job does not exist.
    NotFound,
    /// Data errors and anything unknown: surface with the code kept.
    Other,
}

impl Class {
    /// The error kind a database call with a code of this class ends in.
    pub fn kind(self) -> ErrorKind {
        match self {
            Class::StaleToken => ErrorKind::Token,
            Class::Transient => ErrorKind::Transient,
            Class::RateLimit => ErrorKind::RateLimit,
            Class::InvalidRequest => ErrorKind::InvalidRequest,
            Class::AccessDenied => ErrorKind::AccessDenied,
            Class::NotFound => ErrorKind::NotFound,
            Class::Other => ErrorKind::Api,
        }
    }
}

/// The table: every code the API reference names, with its class and a hint for people.
pub const TABLE: &[(i64, Class, &str)] = &[
    // token invalid (on database calls)
    (
        40001,
        Class::StaleToken,
        "the access token is invalid or was replaced by a newer one; another process may be fetching tokens for the same appid (use stable_token or a shared token store)",
    ),
    (
        40014,
        Class::StaleToken,
        "the access token is not valid; check the token source",
    ),
    (42001, Class::StaleToken, "the access token expired"),
    (41001, Class::StaleToken, "the access token was missing"),
    // transient
    (-1, Class::Transient, "the service is busy; try again later"),
    (
        -1000,
        Class::Transient,
        "the service had an internal error; try again later",
    ),
    (
        -501001,
        Class::Transient,
        "the database had a transient error; try again later",
    ),
    (
        -501002,
        Class::Transient,
        "the database had a transient error; try again later",
    ),
    (
        -501004,
        Class::Transient,
        "the database had a transient error; try again later",
    ),
    (
        -502011,
        Class::Transient,
        "the database had a transient error; try again later",
    ),
    (
        -601001,
        Class::Transient,
        "the service had a transient error; try again later",
    ),
    (
        -601003,
        Class::Transient,
        "the service had a transient error; try again later",
    ),
    // rate / quota
    (
        45009,
        Class::RateLimit,
        "the daily call quota is used up; it resets at midnight (Beijing time)",
    ),
    (
        45011,
        Class::RateLimit,
        "too many calls this minute; retry in the next minute",
    ),
    (
        -501003,
        Class::RateLimit,
        "the database rate limit was hit; slow down",
    ),
    (-501015, Class::RateLimit, "the database quota was exceeded"),
    (-501016, Class::RateLimit, "the database quota was exceeded"),
    // bad request
    (40002, Class::InvalidRequest, "invalid grant_type"),
    (
        40097,
        Class::InvalidRequest,
        "a request argument is invalid",
    ),
    (
        40101,
        Class::InvalidRequest,
        "a required argument is missing",
    ),
    (43002, Class::InvalidRequest, "this call must be a POST"),
    (44002, Class::InvalidRequest, "the request body is empty"),
    (
        47001,
        Class::InvalidRequest,
        "the request body is not valid JSON",
    ),
    (
        -501000,
        Class::InvalidRequest,
        "the request is invalid; for a cloud function, check that a function of that name is deployed in the env",
    ),
    (
        -501007,
        Class::InvalidRequest,
        "the env does not exist or an argument is invalid; check the env id",
    ),
    (-501020, Class::InvalidRequest, "the request is invalid"),
    (-501021, Class::InvalidRequest, "the request is invalid"),
    (
        -502002,
        Class::InvalidRequest,
        "the statement is not a valid database command; check its syntax",
    ),
    // access / setup
    (40013, Class::AccessDenied, "the appid is invalid"),
    (40125, Class::AccessDenied, "the app secret is invalid"),
    (
        40164,
        Class::AccessDenied,
        "this machine's IP is not on the appid's IP whitelist; add it in the WeChat admin console",
    ),
    (
        40243,
        Class::AccessDenied,
        "the appid is frozen or not allowed to call this API",
    ),
    (
        48001,
        Class::AccessDenied,
        "the appid is not authorised for this API",
    ),
    (
        50001,
        Class::AccessDenied,
        "the user or appid is not authorised for this API",
    ),
    (
        61004,
        Class::AccessDenied,
        "the calling IP is not allowed for this third-party platform",
    ),
    (
        61024,
        Class::AccessDenied,
        "a third-party platform's appid cannot fetch its own token; use the authorizer token source",
    ),
    (
        85088,
        Class::AccessDenied,
        "Cloud Base is not enabled for this appid",
    ),
    (
        -502003,
        Class::AccessDenied,
        "the database denied permission for this operation",
    ),
    (
        -501019,
        Class::AccessDenied,
        "the env is not accessible to this appid",
    ),
    (
        89501,
        Class::AccessDenied,
        "the IP needs a risk confirmation by the account admin",
    ),
    (
        89503,
        Class::AccessDenied,
        "the IP needs a risk confirmation by the account admin",
    ),
    (
        89506,
        Class::AccessDenied,
        "the IP was refused by the account admin",
    ),
    (
        89507,
        Class::AccessDenied,
        "the IP was refused by the account admin for a while",
    ),
    // not found
    (
        -502005,
        Class::NotFound,
        "the collection does not exist; create it first",
    ),
    (-501009, Class::NotFound, "the resource does not exist"),
    (
        -503003,
        Class::NotFound,
        "the file does not exist in the env's storage (STORAGE_FILE_NONEXIST); check the file ID",
    ),
    // cloud functions
    (
        -504002,
        Class::Other,
        "the cloud function ran and failed (it threw, or its return value is not JSON or over 6 MB); see errmsg and the function's logs",
    ),
    (
        -504003,
        Class::Other,
        "the cloud function ran past its time limit (5 s when invoked over HTTP)",
    ),
    // data / other
    (-502001, Class::Other, "the database reported an error"),
    (-502010, Class::Other, "the database reported an error"),
    (-502012, Class::Other, "the database reported an error"),
    (-502013, Class::Other, "the database reported an error"),
    (-502014, Class::Other, "the database reported an error"),
    (-502015, Class::Other, "the database reported an error"),
    (-501005, Class::Other, "the database reported an error"),
    (-501017, Class::Other, "the database reported an error"),
    (-501018, Class::Other, "the database reported an error"),
];

/// Hints for codes that mean something else on a token endpoint.
const TOKEN_ENDPOINT_HINTS: &[(i64, &str)] = &[
    (
        40001,
        "the app secret is wrong (on a token endpoint 40001 is not a stale token)",
    ),
    (40125, "the app secret is wrong"),
    (40013, "the appid is wrong"),
    (41002, "the appid is missing"),
    (41004, "the app secret is missing"),
    (
        40164,
        "this machine's IP is not on the appid's IP whitelist; add it in the WeChat admin console",
    ),
    (
        61024,
        "a third-party platform's appid cannot use /cgi-bin/token; use the authorizer token source",
    ),
];

/// The class of a code on a database call; unknown codes are [`Class::Other`].
pub fn class_of(errcode: i64) -> Class {
    TABLE
        .iter()
        .find(|(code, _, _)| *code == errcode)
        .map_or(Class::Other, |(_, class, _)| *class)
}

/// The error kind `errcode` means when `endpoint` returned it.
///
/// On a token endpoint every refusal is [`ErrorKind::Token`] (the credentials, the IP or the
/// platform setup must change), except busy and quota codes, which keep their kinds.
pub fn kind_of(errcode: i64, endpoint: Endpoint) -> ErrorKind {
    let class = class_of(errcode);
    match endpoint {
        Endpoint::Database => class.kind(),
        Endpoint::Token => match class {
            Class::Transient => ErrorKind::Transient,
            Class::RateLimit => ErrorKind::RateLimit,
            _ => ErrorKind::Token,
        },
    }
}

/// Whether a database call answered with `errcode` should refresh its token and retry once.
pub fn is_stale_token(errcode: i64) -> bool {
    class_of(errcode) == Class::StaleToken
}

/// Whether `errcode` is a transient "busy" code.
pub fn is_transient(errcode: i64) -> bool {
    class_of(errcode) == Class::Transient
}

/// A one-line hint for people about `errcode` from `endpoint`, if the table has one.
pub fn hint(errcode: i64, endpoint: Endpoint) -> Option<&'static str> {
    if endpoint == Endpoint::Token
        && let Some((_, hint)) = TOKEN_ENDPOINT_HINTS
            .iter()
            .find(|(code, _)| *code == errcode)
    {
        return Some(hint);
    }
    TABLE
        .iter()
        .find(|(code, _, _)| *code == errcode)
        .map(|(_, _, hint)| *hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_no_duplicate_codes() {
        let mut codes: Vec<i64> = TABLE.iter().map(|(c, _, _)| *c).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len());
    }

    #[test]
    fn unknown_codes_are_plain_api_errors() {
        assert_eq!(kind_of(123456, Endpoint::Database), ErrorKind::Api);
        assert_eq!(hint(123456, Endpoint::Database), None);
    }

    #[test]
    fn ip_whitelist_refusal_on_token_endpoint_is_a_token_error_with_its_hint() {
        assert_eq!(kind_of(40164, Endpoint::Token), ErrorKind::Token);
        assert_eq!(kind_of(40164, Endpoint::Database), ErrorKind::AccessDenied);
        assert!(hint(40164, Endpoint::Token).unwrap().contains("whitelist"));
    }
}
