//! A connected client: to a remote service, or to the embedded emulator started for this
//! command (data in `$WXCLOUD_HOME` or `./.wxcloud`, seeded with the sample on first use).

use std::path::{Path, PathBuf};

use wxcloud::{Client, ClientBuilder};
use wxcloud_emulator::{Emulator, RunningEmulator};

use crate::config::{self, Target};
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
            Target::Remote(builder) => {
                let missing_env = builder.env_name().is_none();
                let client = builder.build().map_err(config_failure)?;
                if needs_env && missing_env {
                    return Err(Failure::usage(
                        "no cloud environment: pass --env or set WXCLOUD_ENV",
                    ));
                }
                Ok(Session {
                    client,
                    emulator: None,
                })
            }
            Target::Embedded { home, builder } => open_embedded(&home, builder).await,
        }
    }

    /// Stops the embedded emulator, if one was started.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// Starts the emulator on the data in `home` (seeding a new data file with the sample) and
/// connects a client built from `builder` to it.
async fn open_embedded(home: &Path, builder: ClientBuilder) -> Result<Session, Failure> {
    // Check the user's settings (timeout, retries ...) before starting anything: a builder
    // with stand-in credentials fails only on those.
    builder
        .clone()
        .appid("check")
        .secret("check")
        .build()
        .map_err(config_failure)?;
    let env = builder.env_name().unwrap_or(config::SAMPLE_ENV).to_owned();
    let path = data_file(home);
    let fresh = prepare_data_file(&path)?;
    let mut emu = Emulator::builder().data_path(path).seed_sample(fresh);
    for served in config::EMULATOR_ENVS {
        emu = emu.env(served);
    }
    if !config::EMULATOR_ENVS.contains(&env.as_str()) {
        emu = emu.env(env.as_str());
    }
    let emulator = emu
        .start()
        .await
        .map_err(|e| Failure::local(format!("cannot start the local emulator: {e}")))?;
    eprintln!(
        "wxcloud: no credentials set, so this ran on the local emulator (data in {}); \
         set WXCLOUD_APPID, WXCLOUD_SECRET and WXCLOUD_ENV to use WeChat",
        home.display()
    );
    let client = builder
        .appid(emulator.appid())
        .secret(emulator.secret())
        .base_url(emulator.base_url())
        .build()
        .map_err(config_failure)?;
    Ok(Session {
        client,
        emulator: Some(emulator),
    })
}

/// A client that cannot be built is a configuration problem (exit 2).
fn config_failure(e: wxcloud::Error) -> Failure {
    Failure::usage(e.to_string())
}
