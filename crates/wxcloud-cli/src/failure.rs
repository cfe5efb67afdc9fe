//! Why a command failed, how that is reported on stderr, and the exit code it gives.
//!
//! Exit codes: 0 success, 1 the service (or the connection to it) failed, 2 a usage or
//! configuration error — including input that cannot be written as a statement, which is
//! refused before anything is sent, and an argument the core refuses before sending (a bad
//! cloud path, a function event over the size limit).

use std::fmt;
use std::io::{self, Write};

use wxcloud::{Error, ErrorKind};

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// Bad flags, input or configuration (exit 2).
    Usage(String),
    /// The call failed (exit 1, or 2 for a statement refused before sending).
    Service(Error),
    /// A local failure while running: files, the embedded emulator (exit 1).
    Local(String),
}

impl Failure {
    /// A usage or configuration error.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    /// A local failure (reading a file, starting the emulator ...).
    pub fn local(message: impl Into<String>) -> Self {
        Failure::Local(message.into())
    }

    /// The process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Service(e) if e.kind() == ErrorKind::Statement => 2,
            Failure::Service(Error::Config { .. } | Error::InvalidArgument { .. }) => 2,
            Failure::Service(_) | Failure::Local(_) => 1,
        }
    }

    /// Writes the failure to `w` as the command reports it: one line saying what failed
    /// (with errcode and errmsg for service errors), then for service errors one `hint:` line.
    pub fn report(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "wxcloud: {self}")?;
        if let Failure::Service(e) = self {
            writeln!(w, "hint: {}", hint(e))?;
        }
        Ok(())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(m) | Failure::Local(m) => f.write_str(m),
            Failure::Service(e) => match (e.errcode(), e.errmsg()) {
                (Some(code), Some(msg)) => write!(f, "errcode {code}: {msg}"),
                _ => write!(f, "{e}"),
            },
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Service(e)
    }
}

/// One line telling the user what to try, for a service error: the core's hint for the
/// errcode or error, else a general one for its kind.
pub fn hint(e: &Error) -> &'static str {
    if let Some(h) = e.hint() {
        return h;
    }
    match e.kind() {
        ErrorKind::Token => {
            "check --appid/--secret (WXCLOUD_APPID, WXCLOUD_SECRET) or --access-token"
        }
        ErrorKind::Transient => "the service is busy; try again in a moment",
        ErrorKind::RateLimit => "a quota was hit; wait and retry",
        ErrorKind::InvalidRequest => "check the statement, the collection name and --env",
        ErrorKind::AccessDenied => {
            "check that Cloud Base is enabled, the IP is whitelisted and --env is right"
        }
        ErrorKind::NotFound => {
            "check the name (collection, function or file ID) and --env; `wxcloud collections list` shows the collections"
        }
        ErrorKind::Transport => "check --base-url (WXCLOUD_BASE_URL) and the network",
        ErrorKind::Timeout => "raise --timeout or narrow the query",
        _ => "see the Cloud Base error code table on developers.weixin.qq.com",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_exit_2_and_statement_errors_too() {
        assert_eq!(Failure::usage("x").exit_code(), 2);
        assert_eq!(Failure::from(Error::statement("bad")).exit_code(), 2);
        assert_eq!(Failure::from(Error::config("no env")).exit_code(), 2);
        assert_eq!(
            Failure::from(Error::invalid_argument("bad path")).exit_code(),
            2
        );
        assert_eq!(Failure::from(Error::decode("bad")).exit_code(), 1);
        assert_eq!(Failure::local("disk").exit_code(), 1);
    }

    #[test]
    fn a_service_error_report_has_a_hint_line() {
        let mut out = Vec::new();
        Failure::from(Error::decode("bad record"))
            .report(&mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("wxcloud: "));
        assert!(lines[1].starts_with("hint: "));
    }
}
