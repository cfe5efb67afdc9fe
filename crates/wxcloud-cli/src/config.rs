//! Where a command runs: WeChat (or any server speaking its API), or the embedded emulator.
//!
//! Each setting comes from its flag if given, else from its `WXCLOUD_*` variable. With no
//! credentials at all — no appid, secret or access token from either — data commands run
//! against the embedded emulator, whose data lives in `$WXCLOUD_HOME` or `./.wxcloud`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{ConnArgs, TokenModeArg};
use crate::failure::Failure;

/// The cloud environment the embedded emulator's sample data lives in.
pub const SAMPLE_ENV: &str = "test2-4a89da";

/// The environments an emulator serves by default.
pub const EMULATOR_ENVS: [&str; 2] = [SAMPLE_ENV, "local"];

/// Settings for talking to a real service (or a separately started emulator).
#[derive(Clone, Default)]
pub struct Remote {
    /// The appid, when tokens are fetched with appid and secret.
    pub appid: Option<String>,
    /// The app secret. Never printed.
    pub secret: Option<String>,
    /// A fixed access token. Never printed.
    pub access_token: Option<String>,
    /// The cloud environment, if one was given.
    pub env: Option<String>,
    /// The API host, if not the default.
    pub base_url: Option<String>,
    /// Which token endpoint to use.
    pub token_mode: Option<TokenModeArg>,
    /// The per-call timeout.
    pub timeout: Option<Duration>,
    /// Retries for reads on transient errors.
    pub max_retries: Option<u32>,
    /// Reserved: a Redis URL for a shared token cache.
    pub redis_url: Option<String>,
}

impl fmt::Debug for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "** redacted **");
        f.debug_struct("Remote")
            .field("appid", &self.appid)
            .field("secret", &redacted(&self.secret))
            .field("access_token", &redacted(&self.access_token))
            .field("env", &self.env)
            .field("base_url", &self.base_url)
            .field("token_mode", &self.token_mode)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field(
                "redis_url",
                &self.redis_url.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Where data commands run.
#[derive(Debug, Clone)]
pub enum Target {
    /// A server speaking the WeChat API, with credentials.
    Remote(Remote),
    /// The emulator, run inside this process, with its data in `home`.
    Embedded {
        /// The folder holding the emulator's data file.
        home: PathBuf,
        /// The cloud environment to use (the sample's by default).
        env: String,
        /// The per-call timeout, if given.
        timeout: Option<Duration>,
    },
}

/// Reads one environment variable; empty values count as unset.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, with empty values treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The folder holding the embedded emulator's data: `$WXCLOUD_HOME`, else `./.wxcloud`.
pub fn embedded_home(env: EnvLookup<'_>) -> PathBuf {
    env("WXCLOUD_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".wxcloud"))
}

/// Decides where to run from the flags and the environment.
pub fn resolve(flags: &ConnArgs, env: EnvLookup<'_>) -> Result<Target, Failure> {
    let pick = |flag: &Option<String>, var: &str| {
        flag.clone().filter(|v| !v.is_empty()).or_else(|| env(var))
    };
    let appid = pick(&flags.appid, "WXCLOUD_APPID");
    let secret = pick(&flags.secret, "WXCLOUD_SECRET");
    let access_token = pick(&flags.access_token, "WXCLOUD_ACCESS_TOKEN");
    let env_id = pick(&flags.env, "WXCLOUD_ENV");
    let base_url = pick(&flags.base_url, "WXCLOUD_BASE_URL");
    let timeout = match flags.timeout {
        Some(s) => Some(seconds(s, "--timeout")?),
        None => match env("WXCLOUD_TIMEOUT") {
            Some(v) => Some(seconds(
                parse_number(&v, "WXCLOUD_TIMEOUT")?,
                "WXCLOUD_TIMEOUT",
            )?),
            None => None,
        },
    };
    let token_mode = match flags.token_mode {
        Some(m) => Some(m),
        None => env("WXCLOUD_TOKEN_MODE")
            .map(|v| token_mode(&v))
            .transpose()?,
    };
    let max_retries = match flags.max_retries {
        Some(n) => Some(n),
        None => env("WXCLOUD_MAX_RETRIES")
            .map(|v| {
                v.trim().parse::<u32>().map_err(|_| {
                    Failure::usage(format!(
                        "WXCLOUD_MAX_RETRIES must be a whole number, not {v:?}"
                    ))
                })
            })
            .transpose()?,
    };
    let redis_url = pick(&flags.redis_url, "WXCLOUD_REDIS_URL");

    if appid.is_none() && secret.is_none() && access_token.is_none() {
        if base_url.is_some() {
            return Err(Failure::usage(
                "a base URL is set but no credentials: pass --appid and --secret \
                 (an emulator's defaults are wxemulator / emulator-secret) or --access-token",
            ));
        }
        return Ok(Target::Embedded {
            home: embedded_home(env),
            env: env_id.unwrap_or_else(|| SAMPLE_ENV.to_owned()),
            timeout,
        });
    }
    if access_token.is_none() {
        match (&appid, &secret) {
            (Some(_), None) => {
                return Err(Failure::usage(
                    "an appid is set but no secret: pass --secret or set WXCLOUD_SECRET",
                ));
            }
            (None, Some(_)) => {
                return Err(Failure::usage(
                    "a secret is set but no appid: pass --appid or set WXCLOUD_APPID",
                ));
            }
            _ => {}
        }
    }
    Ok(Target::Remote(Remote {
        appid,
        secret,
        access_token,
        env: env_id,
        base_url,
        token_mode,
        timeout,
        max_retries,
        redis_url,
    }))
}

fn parse_number(text: &str, name: &str) -> Result<f64, Failure> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| Failure::usage(format!("{name} must be a number of seconds, not {text:?}")))
}

fn seconds(value: f64, name: &str) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| Failure::usage(format!("{name} must be a positive number of seconds")))
}

fn token_mode(text: &str) -> Result<TokenModeArg, Failure> {
    match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "stable" | "stable_token" => Ok(TokenModeArg::Stable),
        "client_credential" => Ok(TokenModeArg::ClientCredential),
        _ => Err(Failure::usage(format!(
            "WXCLOUD_TOKEN_MODE must be stable or client_credential, not {text:?}"
        ))),
    }
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

    #[test]
    fn no_credentials_means_the_embedded_emulator_with_the_sample_env() {
        match resolve_with(ConnArgs::default(), &[]).unwrap() {
            Target::Embedded { home, env, .. } => {
                assert_eq!(home, PathBuf::from(".wxcloud"));
                assert_eq!(env, SAMPLE_ENV);
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
        let t = resolve_with(
            flags,
            &[
                ("WXCLOUD_APPID", "wx1"),
                ("WXCLOUD_SECRET", "s"),
                ("WXCLOUD_ENV", "from-env"),
            ],
        )
        .unwrap();
        let Target::Remote(r) = t else {
            panic!("expected remote")
        };
        assert_eq!(r.env.as_deref(), Some("from-flag"));
        assert_eq!(r.appid.as_deref(), Some("wx1"));
    }

    #[test]
    fn an_access_token_alone_is_enough() {
        let t = resolve_with(ConnArgs::default(), &[("WXCLOUD_ACCESS_TOKEN", "tok")]).unwrap();
        assert!(matches!(t, Target::Remote(r) if r.access_token.is_some()));
    }

    #[test]
    fn half_credentials_are_a_usage_error_that_does_not_echo_the_secret() {
        let err = resolve_with(ConnArgs::default(), &[("WXCLOUD_SECRET", "hunter2")]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(!err.to_string().contains("hunter2"));
        let err = resolve_with(ConnArgs::default(), &[("WXCLOUD_APPID", "wx1")]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
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
    fn bad_timeouts_and_token_modes_are_usage_errors() {
        for (k, v) in [
            ("WXCLOUD_TIMEOUT", "soon"),
            ("WXCLOUD_TIMEOUT", "-1"),
            ("WXCLOUD_TIMEOUT", "0"),
            ("WXCLOUD_TOKEN_MODE", "magic"),
            ("WXCLOUD_MAX_RETRIES", "many"),
        ] {
            let err = resolve_with(ConnArgs::default(), &[(k, v)]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{k}={v}");
        }
    }

    #[test]
    fn remote_debug_output_redacts_the_secret_and_token() {
        let t = resolve_with(
            ConnArgs::default(),
            &[
                ("WXCLOUD_APPID", "wx1"),
                ("WXCLOUD_SECRET", "hunter2"),
                ("WXCLOUD_ACCESS_TOKEN", "tok-xyz"),
            ],
        )
        .unwrap();
        let dbg = format!("{t:?}");
        assert!(
            !dbg.contains("hunter2") && !dbg.contains("tok-xyz"),
            "{dbg}"
        );
        assert!(dbg.contains("wx1"));
    }
}
