//! When a failed attempt is tried again: a pure decision from the error and the operation.
//!
//! Reads (aggregate, query, count, list collections, migrate status, token fetches, download
//! links, downloads, temporary credentials, and the cloud-storage step of an upload, which writes
//! the same bytes to the same key) retry on transient errcodes, transient cloud-storage codes,
//! timeouts and connection failures. Invoking a function, asking for an upload ticket and deleting
//! files are writes. Writes are never repeated once the
//! service may have received them: only a connection that was never established, or a stale
//! token rejected before the write ran, lets a write go again. Retries are bounded by
//! [`RetryPolicy::max_retries`] and by the call's timeout, and wait an exponential backoff with
//! full jitter between attempts.

use std::time::Duration;

use crate::{Error, ErrorKind, Result, errcode};

/// Whether repeating an operation could change the data twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Safety {
    /// Repeating it is harmless (aggregate, query, count, list, status, token fetch, download
    /// links and downloads, temporary credentials, the cloud-storage step of an upload).
    Read,
    /// Repeating it could duplicate a change (add, update, delete, collection, index, migration,
    /// invoking a function, asking for an upload ticket, deleting files).
    Write,
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The token was rejected as stale: invalidate it, fetch a new one, and try once more.
    RefreshToken,
    /// Wait a backoff and try again, if the retry budget allows.
    Retry,
    /// Give up and return the error.
    Fail,
}

/// Decides what to do after an attempt of an operation with `safety` failed with `err`.
///
/// The caller enforces the bounds: at most one [`Decision::RefreshToken`] per call, at most
/// [`RetryPolicy::max_retries`] retries, and never past the call's deadline.
pub fn decide(safety: Safety, err: &Error) -> Decision {
    let read = safety == Safety::Read;
    match err {
        Error::Api { errcode, .. } if errcode::is_stale_token(*errcode) => Decision::RefreshToken,
        Error::Api { errcode, .. } | Error::TokenEndpoint { errcode, .. }
            if read && errcode::is_transient(*errcode) =>
        {
            Decision::Retry
        }
        // The connection was never made: the service cannot have seen the request.
        Error::Transport {
            request_sent: false,
            ..
        } => Decision::Retry,
        Error::Transport { status, .. } if read => match status {
            // A client error from a proxy will not change on a repeat; 408/429 might.
            Some(code) if (400..500).contains(code) && *code != 408 && *code != 429 => {
                Decision::Fail
            }
            _ => Decision::Retry,
        },
        Error::Timeout { .. } if read => Decision::Retry,
        // Cloud storage said it is busy or failing (InternalError, ServiceUnavailable ...).
        Error::Cos {
            kind: ErrorKind::Transient,
            ..
        } if read => Decision::Retry,
        _ => Decision::Fail,
    }
}

/// How many times, and how patiently, a call is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (not counting the one retry after a token refresh).
    pub max_retries: u32,
    /// The backoff cap before the first retry; it doubles for each later retry.
    pub initial_backoff: Duration,
    /// The largest backoff cap.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first retry), "full jitter": a uniform
    /// pick between zero and `min(max_backoff, initial_backoff * 2^retry)`. `sample` is the
    /// uniform random draw in `[0, 1)`, passed in so the function stays pure.
    pub fn backoff(&self, retry: u32, sample: f64) -> Duration {
        let cap = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX));
        let cap = cap.min(self.max_backoff);
        cap.mul_f64(sample.clamp(0.0, 1.0))
    }
}

/// Runs `attempt` (given the retry number, 0 first) until it succeeds, fails for good, runs
/// out of retries, or would pass `deadline`. Each attempt is cut off at `deadline` with a
/// [`Error::Timeout`]. Errors deciding [`Decision::RefreshToken`] are returned to the caller,
/// which owns the one refresh a call may make.
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    safety: Safety,
    deadline: tokio::time::Instant,
    what: &str,
    mut attempt: F,
) -> Result<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut retries = 0;
    loop {
        let err = match tokio::time::timeout_at(deadline, attempt(retries)).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(err)) => err,
            Err(_) => Error::Timeout {
                message: format!("{what} ran past its timeout"),
            },
        };
        if decide(safety, &err) != Decision::Retry || retries >= policy.max_retries {
            return Err(err);
        }
        let wait = policy.backoff(retries, rand::random::<f64>());
        if tokio::time::Instant::now() + wait >= deadline {
            return Err(err);
        }
        tracing::debug!(
            retry = retries + 1,
            errcode = err.errcode(),
            wait_ms = wait.as_millis() as u64,
            "{what} failed, retrying: {err}"
        );
        tokio::time::sleep(wait).await;
        retries += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64) -> Error {
        Error::from_errcode(code, "msg")
    }

    fn transport(status: Option<u16>, request_sent: bool) -> Error {
        Error::Transport {
            message: "x".into(),
            status,
            request_sent,
        }
    }

    fn cos(code: &str, status: u16) -> Error {
        Error::Cos {
            kind: crate::cos::kind_of(code),
            code: code.into(),
            message: "x".into(),
            status,
        }
    }

    #[test]
    fn decision_table() {
        use Decision::*;
        use Safety::*;
        let timeout = Error::Timeout {
            message: "x".into(),
        };
        let cases: Vec<(Safety, Error, Decision)> = vec![
            (Read, api(-1), Retry),
            (Write, api(-1), Fail),
            (Read, api(-501001), Retry),
            (Write, api(-502011), Fail),
            (Read, api(40001), RefreshToken),
            (Write, api(40001), RefreshToken),
            (Write, api(42001), RefreshToken),
            (Read, api(40014), RefreshToken),
            (Read, api(41001), RefreshToken),
            (Read, api(45011), Fail),
            (Read, api(-502005), Fail),
            (Read, api(-502002), Fail),
            (Read, api(40164), Fail),
            (Read, api(999999), Fail),
            (Read, transport(None, false), Retry),
            (Write, transport(None, false), Retry),
            (Read, transport(None, true), Retry),
            (Write, transport(None, true), Fail),
            (Read, transport(Some(502), true), Retry),
            (Write, transport(Some(502), true), Fail),
            (Read, transport(Some(404), true), Fail),
            (Read, transport(Some(429), true), Retry),
            (Read, timeout.clone(), Retry),
            (Write, timeout, Fail),
            (
                Read,
                Error::from_token_errcode("/cgi-bin/stable_token", -1, "busy"),
                Retry,
            ),
            (
                Read,
                Error::from_token_errcode("/cgi-bin/stable_token", 40001, "bad secret"),
                Fail,
            ),
            (Read, Error::decode("bad record"), Fail),
            (Read, Error::statement("bad"), Fail),
            (Read, Error::token("callback failed"), Fail),
            (Read, cos("ServiceUnavailable", 503), Retry),
            (Read, cos("InternalError", 500), Retry),
            (Write, cos("ServiceUnavailable", 503), Fail),
            (Read, cos("SignatureDoesNotMatch", 403), Fail),
            (Read, cos("AccessDenied", 403), Fail),
            (Read, cos("NoSuchKey", 404), Fail),
            (Read, cos("SlowDown", 503), Fail),
            (Read, cos("ExpiredToken", 400), Fail),
            (Read, Error::invalid_argument("bad path"), Fail),
            (Write, Error::invalid_argument("bad path"), Fail),
        ];
        for (safety, err, want) in cases {
            assert_eq!(decide(safety, &err), want, "{safety:?} {err}");
        }
    }

    #[test]
    fn stale_token_on_a_token_endpoint_is_never_a_refresh() {
        let err = Error::from_token_errcode("/cgi-bin/token", 40001, "invalid credential");
        assert_eq!(err.kind(), ErrorKind::Token);
        assert_eq!(decide(Safety::Read, &err), Decision::Fail);
    }

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_cap() {
        let p = RetryPolicy {
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
        };
        assert_eq!(p.backoff(0, 0.0), Duration::ZERO);
        assert_eq!(p.backoff(0, 1.0), Duration::from_millis(100));
        assert_eq!(p.backoff(1, 0.5), Duration::from_millis(100));
        assert_eq!(p.backoff(2, 1.0), Duration::from_millis(400));
        assert_eq!(p.backoff(4, 1.0), Duration::from_millis(1000));
        assert_eq!(p.backoff(40, 1.0), Duration::from_millis(1000));
        assert_eq!(
            p.backoff(3, 7.0),
            Duration::from_millis(800),
            "samples are clamped to [0, 1]"
        );
    }

    proptest::proptest! {
        /// Whatever the service answers, a write that reached it is never sent again.
        #[test]
        fn a_sent_write_is_never_retried(code in proptest::num::i64::ANY, status in proptest::option::of(100u16..600)) {
            let answered = [api(code), transport(status, true), Error::Timeout { message: "x".into() }, cos("ServiceUnavailable", status.unwrap_or(503))];
            for err in answered {
                proptest::prop_assert_ne!(decide(Safety::Write, &err), Decision::Retry);
            }
        }

        /// The backoff stays between zero and its doubling cap.
        #[test]
        fn backoff_stays_under_its_cap(retry in 0u32..64, sample in 0.0f64..1.0) {
            let p = RetryPolicy::default();
            let cap = p.initial_backoff.saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX)).min(p.max_backoff);
            proptest::prop_assert!(p.backoff(retry, sample) <= cap);
        }
    }
}
