//! A fleet of OS processes sharing one token through Redis, against the emulator: a cold start
//! fetches one token for all, and a lock holder killed mid-refresh is taken over after its lease.
//! Needs a Redis (`scripts/suites/redis.sh`); skipped without `WXCLOUD_TEST_REDIS_URL`.

mod redis_support;

use std::time::{Duration, Instant};

use redis_support::fleet::{
    Target, assert_all_succeeded_on_one_token, emulator, finish, go, run_fleet, serial, spawn_fleet,
};
use redis_support::{Resp, redis_url, unique_prefix};
use wxcloud_emulator::RunningEmulator;

const STABLE_TOKEN: &str = "/cgi-bin/stable_token";

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
    let lock_key = format!("{{{}stable_token:{}}}:lock", target.prefix, target.appid);

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
    // Each token's keys share the hash tag {prefix + cache key}.
    let mut keys = redis.scan(&format!("{{{prefix}"));
    keys.sort();
    let expected = [
        format!("{{{prefix}authorizer:wxcomponent:wxauthorizer}}"),
        format!("{{{prefix}authorizer:wxcomponent:wxauthorizer}}:refresh_token"),
        format!("{{{prefix}client_credential:{}}}", emulator.appid()),
        format!("{{{prefix}stable_token:{}}}", emulator.appid()),
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
