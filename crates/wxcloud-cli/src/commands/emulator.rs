//! `wxcloud emulator`: a local Cloud Base in the foreground until SIGINT or SIGTERM.
//!
//! The first line on stdout is `listening on http://HOST:PORT`, flushed at once, so a script
//! or test that started it with `--port 0` can read where it listens.

use std::io::Write;
use std::time::Duration;

use wxcloud_emulator::Emulator;

use crate::cli::EmulatorArgs;
use crate::config;
use crate::failure::Failure;
use crate::session;

/// Splits `APPID:SECRET`.
pub fn parse_app(text: &str) -> Result<(String, String), Failure> {
    match text.split_once(':') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok((id.to_owned(), secret.to_owned()))
        }
        _ => Err(Failure::usage("--app must be APPID:SECRET")),
    }
}

/// Splits `NAME=URL` (a `--function`).
pub fn parse_function(text: &str) -> Result<(String, String), Failure> {
    match text.split_once('=') {
        Some((name, url))
            if !name.is_empty() && (url.starts_with("http://") || url.starts_with("https://")) =>
        {
            Ok((name.to_owned(), url.to_owned()))
        }
        _ => Err(Failure::usage(
            "--function must be NAME=URL with an http:// or https:// URL",
        )),
    }
}

/// Runs the emulator until a stop signal.
pub async fn run(e: EmulatorArgs) -> Result<(), Failure> {
    let apps = e
        .apps
        .iter()
        .map(|a| parse_app(a))
        .collect::<Result<Vec<_>, _>>()?;
    let functions = e
        .functions
        .iter()
        .map(|f| parse_function(f))
        .collect::<Result<Vec<_>, _>>()?;
    let mut builder = Emulator::builder()
        .host(e.host.as_str())
        .port(e.port)
        .token_ttl(Duration::from_secs(e.token_ttl));
    for (id, secret) in &apps {
        builder = builder.app(id.as_str(), secret.as_str());
    }
    for env in &e.envs {
        builder = builder.env(env.as_str());
    }
    for (name, url) in functions {
        builder = builder.function_url(name, url);
    }
    let storage = if e.in_memory {
        builder = builder.in_memory().seed_sample(e.seed_sample);
        "in memory".to_owned()
    } else {
        let path = match e.data {
            Some(p) => p,
            None => session::data_file(&config::embedded_home(&config::process_env)),
        };
        let fresh = session::prepare_data_file(&path)?;
        builder = builder
            .data_path(path.clone())
            .seed_sample(e.seed_sample || fresh);
        format!("in {}", path.display())
    };
    let stop = StopSignals::listen();
    let running = builder
        .start()
        .await
        .map_err(|err| Failure::local(format!("cannot start the emulator: {err}")))?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", running.base_url()).map_err(crate::output::io_failure)?;
        out.flush().map_err(crate::output::io_failure)?;
    }
    let appids: Vec<&str> = if apps.is_empty() {
        vec![running.appid()]
    } else {
        apps.iter().map(|(id, _)| id.as_str()).collect()
    };
    eprintln!(
        "wxcloud emulator: apps {}; data {storage}; web console at {}/; stop with Ctrl-C",
        appids.join(", "),
        running.base_url(),
    );
    stop.wait().await;
    running.shutdown().await;
    eprintln!("wxcloud emulator: stopped");
    Ok(())
}

/// SIGINT (Ctrl-C) and SIGTERM, listened for from creation on, so a signal sent as soon as
/// the first line is read is not missed.
struct StopSignals {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn listen() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = signal(SignalKind::interrupt())
                .ok()
                .zip(signal(SignalKind::terminate()).ok());
            StopSignals { signals }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_are_appid_colon_secret() {
        assert_eq!(
            parse_app("wx1:s:x").unwrap(),
            ("wx1".to_owned(), "s:x".to_owned())
        );
        assert_eq!(parse_app("wx1").unwrap_err().exit_code(), 2);
        assert_eq!(parse_app(":s").unwrap_err().exit_code(), 2);
    }

    #[test]
    fn functions_are_name_equals_url() {
        assert_eq!(
            parse_function("login=http://127.0.0.1:8080/fn?a=b").unwrap(),
            (
                "login".to_owned(),
                "http://127.0.0.1:8080/fn?a=b".to_owned()
            )
        );
        assert_eq!(parse_function("login").unwrap_err().exit_code(), 2);
        assert_eq!(parse_function("=http://x").unwrap_err().exit_code(), 2);
        assert_eq!(parse_function("login=ftp://x").unwrap_err().exit_code(), 2);
    }
}
