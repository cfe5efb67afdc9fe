//! Running the built `wxcloud` binary, and an emulator process started by the test.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_wxcloud");

/// A `wxcloud` command with every `WXCLOUD_*` variable removed, run in `dir`.
pub fn wxcloud(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("WXCLOUD_") {
            cmd.env_remove(k);
        }
    }
    cmd.current_dir(dir).stdin(Stdio::null());
    cmd
}

/// What a finished command printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// stdout parsed as one JSON value per line.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
            .collect()
    }

    /// Panics with the output unless the command exited 0.
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// Runs a command to completion.
pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run wxcloud");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(stderr).expect("utf-8 stderr"),
    }
}

/// `wxcloud emulator --port 0 --in-memory ...` running as a child process; killed on drop.
pub struct EmulatorProcess {
    pub child: Child,
    pub base_url: String,
    pub appid: String,
    pub secret: String,
    pub env: String,
}

impl EmulatorProcess {
    /// Starts one with the default app and envs.
    pub fn start(dir: &Path) -> EmulatorProcess {
        Self::start_with(dir, "wxemulator", "emulator-secret", &[])
    }

    /// Starts one accepting `appid:secret`, with extra flags.
    pub fn start_with(dir: &Path, appid: &str, secret: &str, extra: &[&str]) -> EmulatorProcess {
        let mut child = wxcloud(dir)
            .args([
                "emulator",
                "--port",
                "0",
                "--in-memory",
                "--app",
                &format!("{appid}:{secret}"),
            ])
            .args(["--env", "test2-4a89da", "--env", "local"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wxcloud emulator");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("read the first line");
        let base_url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
        EmulatorProcess {
            child,
            base_url,
            appid: appid.to_owned(),
            secret: secret.to_owned(),
            env: "local".to_owned(),
        }
    }

    /// A `wxcloud` command configured for this emulator through `WXCLOUD_*` variables.
    pub fn cmd(&self, dir: &Path) -> Command {
        let mut cmd = wxcloud(dir);
        cmd.env("WXCLOUD_BASE_URL", &self.base_url)
            .env("WXCLOUD_APPID", &self.appid)
            .env("WXCLOUD_SECRET", &self.secret)
            .env("WXCLOUD_ENV", &self.env);
        cmd
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
