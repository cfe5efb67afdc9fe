//! A connected client: to a remote service, or to the embedded emulator started for this
//! command (data in `$WXCLOUD_HOME` or `./.wxcloud`, seeded with the sample on first use).

use std::path::{Path, PathBuf};

use wxcloud::Client;
use wxcloud::token::TokenMode;
use wxcloud_emulator::{Emulator, RunningEmulator};

use crate::cli::TokenModeArg;
use crate::config::{self, Remote, Target};
use crate::failure::Failure;

/// The SQLite file the embedded emulator keeps in its home folder.
pub fn data_file(home: &Path) -> PathBuf {
    home.join("emulator.sqlite3")
}

/// Creates the data file's folder; returns whether the data file is new (and so needs the
/// sample data set).
pub fn prepare_data_file(path: &Path) -> Result<bool, Failure> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::local(format!("cannot create {}: {e}", parent.display())))?;
    }
    Ok(!path.exists())
}

/// A client ready for calls, and the emulator behind it when there is one.
pub struct Session {
    /// The client every command calls.
    pub client: Client,
    emulator: Option<RunningEmulator>,
}

impl Session {
    /// Connects to `target`: builds a client for a remote service, or starts the embedded
    /// emulator (saying so in one line on stderr) and builds a client for it.
    /// Without `needs_env`, a remote target may leave the cloud environment unset.
    pub async fn open(target: Target, needs_env: bool) -> Result<Session, Failure> {
        match target {
            Target::Remote(remote) => {
                if needs_env && remote.env.is_none() {
                    return Err(Failure::usage(
                        "no cloud environment: pass --env or set WXCLOUD_ENV",
                    ));
                }
                Ok(Session {
                    client: remote_client(remote)?,
                    emulator: None,
                })
            }
            Target::Embedded { home, env, timeout } => {
                let path = data_file(&home);
                let fresh = prepare_data_file(&path)?;
                let mut builder = Emulator::builder().data_path(path);
                for served in config::EMULATOR_ENVS {
                    builder = builder.env(served);
                }
                if !config::EMULATOR_ENVS.contains(&env.as_str()) {
                    builder = builder.env(env.as_str());
                }
                let emulator =
                    builder.seed_sample(fresh).start().await.map_err(|e| {
                        Failure::local(format!("cannot start the local emulator: {e}"))
                    })?;
                eprintln!(
                    "wxcloud: no credentials set, so this ran on the local emulator (data in {}); \
                     set WXCLOUD_APPID, WXCLOUD_SECRET and WXCLOUD_ENV to use WeChat",
                    home.display()
                );
                let mut builder = Client::builder()
                    .appid(emulator.appid())
                    .secret(emulator.secret())
                    .env(env.as_str())
                    .base_url(emulator.base_url());
                if let Some(t) = timeout {
                    builder = builder.timeout(t);
                }
                let client = builder.build().map_err(config_failure)?;
                Ok(Session {
                    client,
                    emulator: Some(emulator),
                })
            }
        }
    }

    /// Stops the embedded emulator, if one was started.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

fn remote_client(r: Remote) -> Result<Client, Failure> {
    let mut b = Client::builder();
    if let Some(env) = r.env {
        b = b.env(env);
    }
    match (r.access_token, r.appid, r.secret) {
        (Some(token), _, _) => b = b.access_token(token),
        (None, Some(appid), Some(secret)) => b = b.appid(appid).secret(secret),
        _ => {
            return Err(Failure::usage(
                "no credentials: set --appid and --secret, or --access-token",
            ));
        }
    }
    if let Some(url) = r.base_url {
        b = b.base_url(url);
    }
    if let Some(mode) = r.token_mode {
        b = b.token_mode(match mode {
            TokenModeArg::Stable => TokenMode::Stable,
            TokenModeArg::ClientCredential => TokenMode::ClientCredential,
        });
    }
    if let Some(t) = r.timeout {
        b = b.timeout(t);
    }
    if let Some(n) = r.max_retries {
        b = b.max_retries(n);
    }
    b.build().map_err(config_failure)
}

/// A client that cannot be built is a configuration problem (exit 2).
fn config_failure(e: wxcloud::Error) -> Failure {
    Failure::usage(e.to_string())
}
