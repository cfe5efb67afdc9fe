//! Where a command runs: WeChat (or any server speaking its API), or the embedded emulator.
//!
//! Each setting comes from its flag if given, else from its `WXCLOUD_*` variable; the core's
//! [`ClientBuilder::from_lookup`] reads and checks them, so the command and the libraries
//! understand the variables the same way. With no credentials at all — no appid, secret or
//! access token from either — data commands run against the embedded emulator, whose data
//! lives in `$WXCLOUD_HOME` or `./.wxcloud`.

use std::path::PathBuf;

use wxcloud::ClientBuilder;

use crate::cli::{ConnArgs, TokenModeArg};
use crate::failure::Failure;

/// The cloud environment the embedded emulator's sample data lives in.
pub const SAMPLE_ENV: &str = "test2-4a89da";

/// The environments an emulator serves by default.
pub const EMULATOR_ENVS: [&str; 2] = [SAMPLE_ENV, "local"];

/// Where data commands run.
#[derive(Debug, Clone)]
pub enum Target {
    /// A server speaking the WeChat API: a client builder with the credentials, env, base URL,
    /// token mode, timeout and retries from flags and variables.
    Remote(ClientBuilder),
    /// The emulator, run inside this process, with its data in `home`. The builder holds the
    /// settings that still apply (env, timeout, retries); the session adds the emulator's
    /// address and credentials.
    Embedded {
        /// The folder holding the emulator's data file.
        home: PathBuf,
        /// The client settings from flags and variables.
        builder: ClientBuilder,
    },
}

/// Reads one environment variable.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, with empty values treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The folder holding the embedded emulator's data: `$WXCLOUD_HOME`, else `./.wxcloud`.
pub fn embedded_home(env: EnvLookup<'_>) -> PathBuf {
    env("WXCLOUD_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".wxcloud"))
}

/// The value a flag gives the variable `name`, if the flag was given.
fn flag_value(flags: &ConnArgs, name: &str) -> Option<String> {
    let text = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    match name {
        "WXCLOUD_APPID" => text(&flags.appid),
        "WXCLOUD_SECRET" => text(&flags.secret),
        "WXCLOUD_ENV" => text(&flags.env),
        "WXCLOUD_BASE_URL" => text(&flags.base_url),
        "WXCLOUD_ACCESS_TOKEN" => text(&flags.access_token),
        "WXCLOUD_TOKEN_MODE" => flags.token_mode.map(|m| {
            match m {
                TokenModeArg::Stable => "stable",
                TokenModeArg::ClientCredential => "client_credential",
            }
            .to_owned()
        }),
        "WXCLOUD_TIMEOUT" => flags.timeout.map(|t| t.to_string()),
        "WXCLOUD_MAX_RETRIES" => flags.max_retries.map(|n| n.to_string()),
        "WXCLOUD_REDIS_URL" => text(&flags.redis_url),
        "WXCLOUD_REDIS_CA_FILE" => text(&flags.redis_ca_file),
        _ => None,
    }
}

/// Decides where to run from the flags and the environment.
pub fn resolve(flags: &ConnArgs, env: EnvLookup<'_>) -> Result<Target, Failure> {
    let lookup = |name: &str| flag_value(flags, name).or_else(|| env(name));
    let builder = ClientBuilder::from_lookup(lookup);
    let credential = ["WXCLOUD_APPID", "WXCLOUD_SECRET", "WXCLOUD_ACCESS_TOKEN"]
        .iter()
        .any(|name| lookup(name).is_some());
    if credential {
        return Ok(Target::Remote(builder));
    }
    if lookup("WXCLOUD_BASE_URL").is_some() {
        return Err(Failure::usage(
            "a base URL is set but no credentials: pass --appid and --secret \
             (an emulator's defaults are wxemulator / emulator-secret) or --access-token",
        ));
    }
    let builder = match builder.env_name() {
        Some(_) => builder,
        None => builder.env(SAMPLE_ENV),
    };
    Ok(Target::Embedded {
        home: embedded_home(env),
        builder,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve_with(flags: ConnArgs, vars: &[(&str, &str)]) -> Result<Target, Failure> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve(&flags, &|k| map.get(k).cloned().filter(|v| !v.is_empty()))
    }

    /// What building the client for a remote target gives.
    fn build_remote(flags: ConnArgs, vars: &[(&str, &str)]) -> Result<wxcloud::Client, Failure> {
        match resolve_with(flags, vars)? {
            Target::Remote(b) => b.build().map_err(Failure::from),
            other => panic!("expected remote, got {other:?}"),
        }
    }

    #[test]
    fn no_credentials_means_the_embedded_emulator_with_the_sample_env() {
        match resolve_with(ConnArgs::default(), &[]).unwrap() {
            Target::Embedded { home, builder } => {
                assert_eq!(home, PathBuf::from(".wxcloud"));
                assert_eq!(builder.env_name(), Some(SAMPLE_ENV));
            }
            other => panic!("expected embedded, got {other:?}"),
        }
    }

    #[test]
    fn wxcloud_home_moves_the_embedded_data() {
        match resolve_with(ConnArgs::default(), &[("WXCLOUD_HOME", "/tmp/x")]).unwrap() {
            Target::Embedded { home, .. } => assert_eq!(home, PathBuf::from("/tmp/x")),
            other => panic!("expected embedded, got {other:?}"),
        }
    }

    #[test]
    fn flags_beat_environment_variables() {
        let flags = ConnArgs {
            env: Some("from-flag".into()),
            ..Default::default()
        };
        let vars = [
            ("WXCLOUD_APPID", "wx1"),
            ("WXCLOUD_SECRET", "s"),
            ("WXCLOUD_ENV", "from-env"),
        ];
        let Target::Remote(b) = resolve_with(flags, &vars).unwrap() else {
            panic!("expected remote")
        };
        assert_eq!(b.env_name(), Some("from-flag"));
        assert!(b.has_credentials());
    }

    #[test]
    fn an_access_token_alone_is_enough() {
        let t = resolve_with(ConnArgs::default(), &[("WXCLOUD_ACCESS_TOKEN", "tok")]).unwrap();
        assert!(matches!(t, Target::Remote(b) if b.has_credentials()));
    }

    #[test]
    fn half_credentials_are_a_usage_error_that_does_not_echo_the_secret() {
        let err = build_remote(ConnArgs::default(), &[("WXCLOUD_SECRET", "hunter2")]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(!err.to_string().contains("hunter2"));
        let flags = ConnArgs {
            appid: Some("wx1".into()),
            ..Default::default()
        };
        assert_eq!(build_remote(flags, &[]).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn a_base_url_without_credentials_is_a_usage_error() {
        let err = resolve_with(
            ConnArgs::default(),
            &[("WXCLOUD_BASE_URL", "http://127.0.0.1:1")],
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn bad_timeouts_token_modes_and_retries_are_usage_errors() {
        let creds = [("WXCLOUD_APPID", "wx1"), ("WXCLOUD_SECRET", "s")];
        for (k, v) in [
            ("WXCLOUD_TIMEOUT", "soon"),
            ("WXCLOUD_TIMEOUT", "-1"),
            ("WXCLOUD_TIMEOUT", "0"),
            ("WXCLOUD_TOKEN_MODE", "magic"),
            ("WXCLOUD_MAX_RETRIES", "many"),
        ] {
            let vars = [creds[0], creds[1], (k, v)];
            let err = build_remote(ConnArgs::default(), &vars).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{k}={v}");
        }
        let flags = ConnArgs {
            timeout: Some(0.0),
            ..Default::default()
        };
        assert_eq!(build_remote(flags, &creds).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn debug_output_redacts_the_secret_and_token() {
        let vars = [
            ("WXCLOUD_APPID", "wx1"),
            ("WXCLOUD_SECRET", "hunter2"),
            ("WXCLOUD_ACCESS_TOKEN", "tok-xyz"),
        ];
        let t = resolve_with(ConnArgs::default(), &vars).unwrap();
        let dbg = format!("{t:?}");
        assert!(
            !dbg.contains("hunter2") && !dbg.contains("tok-xyz"),
            "{dbg}"
        );
    }
}
