//! A fleet of OS processes sharing one token through Redis, against the emulator: a cold start
//! fetches one token for all, and a lock holder killed mid-refresh is taken over after its lease.
//! Needs a Redis (`scripts/suites/redis.sh`); skipped without `WXCLOUD_TEST_REDIS_URL`.

mod redis_support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use redis_support::{Resp, example, redis_url, unique_prefix};
use wxcloud_emulator::{Emulator, RunningEmulator};

const STABLE_TOKEN: &str = "/cgi-bin/stable_token";

struct Worker {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

/// What a worker printed at the end.
#[derive(Debug)]
struct Outcome {
    ok: usize,
    err: usize,
    token: String,
}

/// Where the workers go: the emulator's address and app, Redis and the key prefix.
#[derive(Clone)]
struct Target {
    base_url: String,
    appid: String,
    secret: String,
    env: String,
    redis_url: String,
    prefix: String,
}

impl Target {
    fn new(emulator: &RunningEmulator, redis_url: &str, prefix: &str) -> Target {
        Target {
            base_url: emulator.base_url(),
            appid: emulator.appid().to_string(),
            secret: emulator.secret().to_string(),
            env: emulator.env().to_string(),
            redis_url: redis_url.to_string(),
            prefix: prefix.to_string(),
        }
    }
}

/// Starts `n` token_burst workers and waits until each has built its client.
fn spawn_fleet(n: usize, t: &Target, args: &[&str]) -> Vec<Worker> {
    let workers: Vec<Worker> = (0..n)
        .map(|_| {
            let mut child = Command::new(example("token_burst"))
                .args(args)
                .env_clear()
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

fn go(workers: &mut [Worker]) {
    for w in workers.iter_mut() {
        w.child.stdin.as_mut().unwrap().write_all(b"go\n").unwrap();
    }
}

fn finish(mut w: Worker) -> Outcome {
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
async fn run_fleet(n: usize, target: Target, args: &'static [&'static str]) -> Vec<Outcome> {
    tokio::task::spawn_blocking(move || {
        let mut fleet = spawn_fleet(n, &target, args);
        go(&mut fleet);
        fleet.into_iter().map(finish).collect::<Vec<_>>()
    })
    .await
    .unwrap()
}

/// Every worker made all its `calls` and ended on the same token.
fn assert_all_succeeded_on_one_token(outcomes: &[Outcome], calls: usize) {
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
async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    SERIAL.lock().await
}

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .seed_sample(true)
        .start()
        .await
        .expect("emulator")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_processes_of_200_calls_on_a_cold_cache_fetch_one_token() {
    let Some(url) = redis_url("eight_processes_of_200_calls_on_a_cold_cache_fetch_one_token")
    else {
        return;
    };
    let _one_at_a_time = serial().await;
    let emulator = emulator().await;
    let target = Target::new(&emulator, &url, &unique_prefix("fleet"));
    let outcomes = run_fleet(8, target, &["--calls", "200"]).await;

    let stats = emulator.stats();
    eprintln!(
        "8 x 200 calls: {outcomes:?}; token fetches {:?}",
        stats.token_fetches
    );
    assert_all_succeeded_on_one_token(&outcomes, 200);
    assert_eq!(
        stats.token_fetches_from(STABLE_TOKEN),
        1,
        "one token for the fleet"
    );
    assert_eq!(
        stats.requests_to(STABLE_TOKEN),
        1,
        "one token request for the fleet"
    );
    assert_eq!(stats.requests_to("/tcb/databasecount"), 1600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lock_holder_killed_mid_refresh_is_taken_over_once_its_lease_ends() {
    let Some(url) = redis_url("a_lock_holder_killed_mid_refresh_is_taken_over_once_its_lease_ends")
    else {
        return;
    };
    let emulator = emulator().await;
    let _one_at_a_time = serial().await;
    // The next token reply waits 60 s (longer than the test): the first process to take the
    // lock is stuck in it.
    delay_next_token(&emulator, 60_000).await;
    let target = Target::new(&emulator, &url, &unique_prefix("takeover"));
    let lock_key = format!("{}stable_token:{}:lock", target.prefix, target.appid);

    let redis_url = target.redis_url.clone();
    let mut fleet = tokio::task::spawn_blocking(move || {
        let mut fleet = spawn_fleet(8, &target, &["--calls", "50", "--lease-ms", "5000"]);
        go(&mut fleet);
        fleet
    })
    .await
    .unwrap();
    // Wait until the first holder's token request is stuck in the emulator, then find that
    // holder by the lock's value: "<host>/pid-<pid>-<random>".
    let deadline = Instant::now() + Duration::from_secs(10);
    while emulator.stats().requests_to(STABLE_TOKEN) == 0 {
        assert!(Instant::now() < deadline, "nobody asked for a token");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut redis = Resp::connect(&redis_url).unwrap();
    let lock = redis.cmd(&["GET", &lock_key]);
    let id = lock.text().expect("the holder still holds the lock");
    let holder: u32 = id
        .split("/pid-")
        .nth(1)
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("a lock id naming a pid, got {id:?}"));
    let i = fleet
        .iter()
        .position(|w| w.child.id() == holder)
        .expect("the lock holder is one of the fleet");
    let mut victim = fleet.remove(i);
    victim.child.kill().unwrap(); // SIGKILL, mid-refresh
    let killed = victim.child.wait().unwrap();
    assert_eq!(
        emulator.stats().requests_to(STABLE_TOKEN),
        1,
        "the process killed is the one whose token request is stuck, and nobody else asked yet"
    );
    let outcomes =
        tokio::task::spawn_blocking(move || fleet.into_iter().map(finish).collect::<Vec<_>>())
            .await
            .unwrap();

    let stats = emulator.stats();
    eprintln!(
        "holder killed ({killed}); survivors {outcomes:?}; token requests {}, tokens issued {}",
        stats.requests_to(STABLE_TOKEN),
        stats.token_fetches_from(STABLE_TOKEN)
    );
    assert!(!killed.success());
    assert_eq!(outcomes.len(), 7);
    assert_all_succeeded_on_one_token(&outcomes, 50);
    assert!(
        stats.requests_to(STABLE_TOKEN) <= 2,
        "the dead holder's request and at most one more: {:?}",
        stats.requests
    );
    assert_eq!(
        stats.token_fetches_from(STABLE_TOKEN),
        1,
        "one token, by the successor"
    );
}

/// Delays the emulator's next token reply by `ms`.
async fn delay_next_token(emulator: &RunningEmulator, ms: u64) {
    let reply = reqwest::Client::new()
        .post(format!("{}/__emulator/faults", emulator.base_url()))
        .header("content-type", "application/json")
        .body(format!(r#"{{"path": "{STABLE_TOKEN}", "delay_ms": {ms}}}"#))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_holder_slower_than_its_lease_takes_its_successors_token() {
    let Some(url) = redis_url("a_holder_slower_than_its_lease_takes_its_successors_token") else {
        return;
    };
    let emulator = emulator().await;
    let _one_at_a_time = serial().await;
    // The first token request hangs for a minute; its process stays alive.
    delay_next_token(&emulator, 60_000).await;
    let target = Target::new(&emulator, &url, &unique_prefix("slow"));
    let outcomes = run_fleet(4, target, &["--calls", "20", "--lease-ms", "2000"]).await;
    let stats = emulator.stats();
    eprintln!(
        "slow holder: {outcomes:?}; token requests {}",
        stats.requests_to(STABLE_TOKEN)
    );
    // The slow holder's calls succeed too, on its successor's token.
    assert_all_succeeded_on_one_token(&outcomes, 20);
    assert_eq!(
        stats.requests_to(STABLE_TOKEN),
        2,
        "the stuck request and the successor's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_holds_tokens_and_never_a_secret() {
    let Some(url) = redis_url("the_store_holds_tokens_and_never_a_secret") else {
        return;
    };
    let _one_at_a_time = serial().await;
    let emulator = emulator().await;
    let prefix = unique_prefix("secrets");
    let base = || {
        wxcloud::Client::builder()
            .base_url(emulator.base_url())
            .env(emulator.env())
            .redis_url(&url)
            .redis_key_prefix(&prefix)
    };
    let stable = base()
        .appid(emulator.appid())
        .secret(emulator.secret())
        .build()
        .unwrap();
    let credential = base()
        .appid(emulator.appid())
        .secret(emulator.secret())
        .token_mode(wxcloud::TokenMode::ClientCredential)
        .build()
        .unwrap();
    let ticket = "ticket-pushed-by-wechat";
    let authorizer = base()
        .authorizer(wxcloud::Authorizer::new(
            "wxcomponent",
            "component-secret",
            wxcloud::token::VerifyTicket::Value(ticket.into()),
            "wxauthorizer",
            "authorizer-refresh-token",
        ))
        .build()
        .unwrap();
    stable
        .count(r#"db.collection("test_collection").count()"#)
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for client in [&stable, &credential, &authorizer] {
        tokens.push(
            client
                .token_info()
                .await
                .unwrap()
                .token
                .as_str()
                .to_string(),
        );
    }

    let mut redis = Resp::connect(&url).unwrap();
    let mut keys = redis.scan(&prefix);
    keys.sort();
    let expected = [
        format!("{prefix}authorizer:wxcomponent:wxauthorizer"),
        format!("{prefix}authorizer:wxcomponent:wxauthorizer:refresh_token"),
        format!("{prefix}client_credential:{}", emulator.appid()),
        format!("{prefix}stable_token:{}", emulator.appid()),
    ];
    assert_eq!(
        keys, expected,
        "tokens and the authorizer's refresh token; no lock left"
    );
    let mut everything = String::new();
    for key in &keys {
        let values = redis.dump(key);
        eprintln!("{key}: {} values", values.len());
        everything.push_str(key);
        everything.push_str(&values.join("\n"));
    }
    for secret in [emulator.secret(), "component-secret", ticket] {
        assert!(
            !everything.contains(secret),
            "a secret was written to Redis"
        );
    }
    for token in &tokens {
        assert!(
            everything.contains(token.as_str()),
            "each client's token is stored"
        );
    }
    // Tokens expire in Redis when they expire at the service.
    let ttl = redis.cmd(&["PTTL", &expected[3]]);
    assert!(
        matches!(ttl, redis_support::Reply::Int(ms) if ms > 7_000_000 && ms <= 7_200_000),
        "{ttl:?}"
    );
    assert_eq!(
        redis.cmd(&["PTTL", &expected[1]]),
        redis_support::Reply::Int(-1),
        "the refresh token is kept"
    );
}
