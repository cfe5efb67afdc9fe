//! A fleet of `token_burst` worker processes against the emulator, for the Redis fleet tests.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Command, Stdio};

use wxcloud_emulator::{Emulator, RunningEmulator};

use super::example;

pub struct Worker {
    pub child: Child,
    pub stdout: BufReader<ChildStdout>,
}

/// What a worker printed at the end.
#[derive(Debug)]
pub struct Outcome {
    pub ok: usize,
    pub err: usize,
    pub token: String,
}

/// Where the workers go: the emulator's address and app, Redis and the key prefix.
#[derive(Clone)]
pub struct Target {
    pub base_url: String,
    pub appid: String,
    pub secret: String,
    pub env: String,
    pub redis_url: String,
    pub prefix: String,
    /// `WXCLOUD_REDIS_CA_FILE` of the workers, if any.
    pub ca_file: Option<String>,
}

impl Target {
    pub fn new(emulator: &RunningEmulator, redis_url: &str, prefix: &str) -> Target {
        Target {
            base_url: emulator.base_url(),
            appid: emulator.appid().to_string(),
            secret: emulator.secret().to_string(),
            env: emulator.env().to_string(),
            redis_url: redis_url.to_string(),
            prefix: prefix.to_string(),
            ca_file: None,
        }
    }
}

/// Starts `n` token_burst workers and waits until each has built its client.
pub fn spawn_fleet(n: usize, t: &Target, args: &[&str]) -> Vec<Worker> {
    let workers: Vec<Worker> = (0..n)
        .map(|_| {
            let mut command = Command::new(example("token_burst"));
            command.env_clear();
            if let Some(ca) = &t.ca_file {
                command.env("WXCLOUD_REDIS_CA_FILE", ca);
            }
            let mut child = command
                .args(args)
                .env("WXCLOUD_BASE_URL", &t.base_url)
                .env("WXCLOUD_APPID", &t.appid)
                .env("WXCLOUD_SECRET", &t.secret)
                .env("WXCLOUD_ENV", &t.env)
                .env("WXCLOUD_REDIS_URL", &t.redis_url)
                .env("WXCLOUD_REDIS_KEY_PREFIX", &t.prefix)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start token_burst");
            let stdout = BufReader::new(child.stdout.take().unwrap());
            Worker { child, stdout }
        })
        .collect();
    workers
        .into_iter()
        .map(|mut w| {
            let mut line = String::new();
            w.stdout.read_line(&mut line).unwrap();
            assert_eq!(line.trim(), "ready", "a worker failed to start");
            w
        })
        .collect()
}

pub fn go(workers: &mut [Worker]) {
    for w in workers.iter_mut() {
        w.child.stdin.as_mut().unwrap().write_all(b"go\n").unwrap();
    }
}

pub fn finish(mut w: Worker) -> Outcome {
    let mut line = String::new();
    w.stdout.read_line(&mut line).unwrap();
    let status = w.child.wait().unwrap();
    assert!(status.success(), "worker exited with {status}: {line}");
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{name}=")).map(String::from))
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
    };
    Outcome {
        ok: field("ok").parse().unwrap(),
        err: field("err").parse().unwrap(),
        token: field("token"),
    }
}

/// Starts `n` workers with `args`, lets them go at once, and waits for what they print.
pub async fn run_fleet(n: usize, target: Target, args: &'static [&'static str]) -> Vec<Outcome> {
    tokio::task::spawn_blocking(move || {
        let mut fleet = spawn_fleet(n, &target, args);
        go(&mut fleet);
        fleet.into_iter().map(finish).collect::<Vec<_>>()
    })
    .await
    .unwrap()
}

/// Every worker made all its `calls` and ended on the same token.
pub fn assert_all_succeeded_on_one_token(outcomes: &[Outcome], calls: usize) {
    for o in outcomes {
        assert_eq!(
            (o.ok, o.err),
            (calls, 0),
            "every call of every worker succeeds: {o:?}"
        );
        assert_eq!(
            o.token, outcomes[0].token,
            "every worker uses the same token"
        );
    }
}

/// The tests of this file run one at a time: a fleet of processes on a small machine would
/// otherwise slow another test's token fetch past its lease.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    SERIAL.lock().await
}

pub async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .seed_sample(true)
        .start()
        .await
        .expect("emulator")
}

/// Waits until every worker has printed `paused` (`--pause-after`), so the test can break
/// something between the two halves of their calls.
pub fn wait_paused(workers: &mut [Worker]) {
    for w in workers.iter_mut() {
        let mut line = String::new();
        w.stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "paused", "a worker did not pause");
    }
}
