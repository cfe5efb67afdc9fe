//! The shared token cache on the Redis deployments fleets run: a Redis Cluster (3 primaries
//! with a replica each), a Sentinel-managed primary, and a TLS-only server with a password.
//! Each fleet is 8 `token_burst` processes of 200 calls against the emulator; the cluster and
//! Sentinel tests kill the primary holding the token between the two halves of the calls.
//! Needs the servers of `scripts/suites/redis.sh`; skipped without its variables.

mod redis_support;

use std::process::Command;
use std::time::{Duration, Instant};

use redis_support::fleet::{
    Outcome, Target, Worker, assert_all_succeeded_on_one_token, emulator, finish, go, run_fleet,
    serial, spawn_fleet, wait_paused,
};
use redis_support::{Reply, Resp, host_port, test_env, unique_prefix};
use wxcloud::Error;
use wxcloud::token::{AccessToken, RedisTokenStore, StoredToken, TokenStore};
use wxcloud_emulator::RunningEmulator;

const STABLE_TOKEN: &str = "/cgi-bin/stable_token";

/// Runs `f` until it returns `Some`, for at most `secs` seconds.
async fn eventually<T, F, Fut>(what: &str, secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The pid of the Redis server at `addr` (from `INFO server`).
fn pid_of(addr: &str) -> u32 {
    let info = Resp::connect(addr).unwrap().cmd(&["INFO", "server"]);
    info.text()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("process_id:")))
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no process_id from {addr}: {info:?}"))
}

/// SIGKILLs the Redis server at `addr` (a crash: no shutdown, no failover handshake).
fn kill_server(addr: &str) {
    let pid = pid_of(addr);
    let status = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -9 {pid}");
}

/// Whether the server at `addr` holds `key` (a replica answers reads after `READONLY`).
fn holds(addr: &str, key: &str) -> bool {
    let Ok(mut redis) = Resp::connect(addr) else {
        return false;
    };
    redis.cmd(&["READONLY"]);
    redis.cmd(&["EXISTS", key]) == Reply::Int(1)
}

/// One node of a cluster as `CLUSTER NODES` describes it.
#[derive(Debug, Clone)]
struct Node {
    id: String,
    addr: String,
    primary: bool,
    /// The primary this replica follows.
    follows: Option<String>,
    slots: Vec<(u16, u16)>,
}

/// A connection to the first reachable of `addrs` (a test may have killed one).
fn any_node(addrs: &[String]) -> Resp {
    addrs
        .iter()
        .find_map(|a| Resp::connect(a).ok())
        .expect("a reachable cluster node")
}

/// The live nodes of the cluster, as the first reachable of `addrs` sees them.
fn cluster_nodes(addrs: &[String]) -> Vec<Node> {
    let text = any_node(addrs).cmd(&["CLUSTER", "NODES"]);
    let text = text.text().expect("CLUSTER NODES").to_string();
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let flags = *f.get(2)?;
            if flags.contains("fail") || flags.contains("noaddr") {
                return None;
            }
            let addr = f[1].split('@').next()?.to_string();
            let slots = f[8..]
                .iter()
                .filter(|s| !s.starts_with('['))
                .filter_map(|s| match s.split_once('-') {
                    Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                    None => s.parse().ok().map(|n| (n, n)),
                })
                .collect();
            Some(Node {
                id: f[0].to_string(),
                addr,
                primary: flags.contains("master"),
                follows: (f[3] != "-").then(|| f[3].to_string()),
                slots,
            })
        })
        .collect()
}

fn key_slot(addrs: &[String], key: &str) -> u16 {
    match any_node(addrs).cmd(&["CLUSTER", "KEYSLOT", key]) {
        Reply::Int(n) => n as u16,
        other => panic!("CLUSTER KEYSLOT: {other:?}"),
    }
}

/// The live primary serving `slot`.
fn owner(nodes: &[Node], slot: u16) -> Option<Node> {
    nodes
        .iter()
        .find(|n| n.primary && n.slots.iter().any(|&(a, b)| a <= slot && slot <= b))
        .cloned()
}

/// Starts 8 workers of 200 calls that pause after 100, and waits for the pause.
async fn start_paused_fleet(target: &Target) -> Vec<Worker> {
    let target = target.clone();
    tokio::task::spawn_blocking(move || {
        let mut fleet = spawn_fleet(8, &target, &["--calls", "200", "--pause-after", "100"]);
        go(&mut fleet);
        wait_paused(&mut fleet);
        fleet
    })
    .await
    .unwrap()
}

/// Lets paused workers make the rest of their calls, and collects what they print.
async fn resume(mut fleet: Vec<Worker>) -> Vec<Outcome> {
    tokio::task::spawn_blocking(move || {
        go(&mut fleet);
        fleet.into_iter().map(finish).collect()
    })
    .await
    .unwrap()
}

fn fetches(emulator: &RunningEmulator) -> u64 {
    emulator.stats().token_fetches_from(STABLE_TOKEN)
}

/// A long-lived store in this process reads the fleet's token again once the deployment has
/// recovered: its connection finds the new primary by itself.
async fn store_recovers(store: &RedisTokenStore, cache_key: &str, token: &str, killed: Instant) {
    let stored = eventually("the store to read from the new primary", 20, || async {
        store.get(cache_key).await.ok().flatten()
    })
    .await;
    eprintln!(
        "the long-lived store read the token again {:?} after the kill",
        killed.elapsed()
    );
    assert_eq!(
        stored.token.as_str(),
        token,
        "the token survived on the promoted replica"
    );
}

/// A cold fleet after the failover: every call succeeds, and the whole test made at most one
/// token fetch more than the first (with the token kept by the promoted replica, none).
async fn a_later_fleet_fetches_at_most_once_more(
    what: &str,
    emulator: &RunningEmulator,
    target: Target,
    before: &[Outcome],
) {
    let later = run_fleet(8, target, &["--calls", "200"]).await;
    assert_all_succeeded_on_one_token(&later, 200);
    let total = fetches(emulator);
    eprintln!(
        "{what}: first fleet {before:?}; after the failover {later:?}; token fetches {total}"
    );
    assert!(
        total <= 2,
        "at most one more fetch after the failover: {total}"
    );
    if total == 1 {
        assert_eq!(
            later[0].token, before[0].token,
            "the same token as before the failover"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cluster_fleet_fetches_one_token_and_survives_the_loss_of_its_slots_primary() {
    let test = "a_cluster_fleet_fetches_one_token_and_survives_the_loss_of_its_slots_primary";
    let Some(urls) = test_env("WXCLOUD_TEST_REDIS_CLUSTER_URLS", test) else {
        return;
    };
    let _one_at_a_time = serial().await;
    let addrs: Vec<String> = urls.split(',').map(host_port).collect();
    let emulator = emulator().await;
    // The workers get the nodes comma-separated in WXCLOUD_REDIS_URL.
    let target = Target::new(&emulator, &urls, &unique_prefix("cluster"));
    let cache_key = format!("stable_token:{}", target.appid);
    let key = format!("{{{}{cache_key}}}", target.prefix);
    let store = RedisTokenStore::cluster(urls.split(','))
        .unwrap()
        .with_key_prefix(&target.prefix);

    let fleet = start_paused_fleet(&target).await;
    assert_eq!(
        fetches(&emulator),
        1,
        "one token for the cluster fleet's first half"
    );
    let token = store
        .get(&cache_key)
        .await
        .unwrap()
        .expect("the token is in the cluster");
    let slot = key_slot(&addrs, &key);
    let nodes = cluster_nodes(&addrs);
    let primary = owner(&nodes, slot).expect("a primary serves the token's slot");
    let replica = nodes
        .iter()
        .find(|n| n.follows.as_deref() == Some(primary.id.as_str()))
        .expect("the primary has a replica")
        .clone();
    eventually("the token to reach the replica", 10, || async {
        holds(&replica.addr, &key).then_some(())
    })
    .await;
    kill_server(&primary.addr);
    let killed = Instant::now();
    eprintln!(
        "killed {} (slot {slot}); its replica is {}",
        primary.addr, replica.addr
    );

    let outcomes = resume(fleet).await;
    assert_all_succeeded_on_one_token(&outcomes, 200);
    eventually("the replica to take over the slot", 20, || async {
        owner(&cluster_nodes(&addrs), slot).filter(|n| n.addr == replica.addr)
    })
    .await;
    eprintln!(
        "the replica took over the slot {:?} after the kill",
        killed.elapsed()
    );
    store_recovers(&store, &cache_key, token.token.as_str(), killed).await;
    a_later_fleet_fetches_at_most_once_more("cluster", &emulator, target, &outcomes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_follows_its_slot_to_another_primary_through_ask_and_moved() {
    let test = "the_store_follows_its_slot_to_another_primary_through_ask_and_moved";
    let Some(urls) = test_env("WXCLOUD_TEST_REDIS_CLUSTER_URLS", test) else {
        return;
    };
    let _one_at_a_time = serial().await;
    let addrs: Vec<String> = urls.split(',').map(host_port).collect();
    let store = RedisTokenStore::cluster(urls.split(','))
        .unwrap()
        .with_key_prefix(unique_prefix("moving"));
    let cache_key = "stable_token:wxmoving";
    let key = store.token_key(cache_key);
    let expires = std::time::SystemTime::now() + Duration::from_secs(600);
    let stored = StoredToken::new(
        AccessToken::without_expiry("TOKEN-MOVING"),
        Some(expires),
        None,
    );
    store.put(cache_key, &stored).await.unwrap();

    let slot = key_slot(&addrs, &key);
    let nodes = cluster_nodes(&addrs);
    let source = owner(&nodes, slot).unwrap();
    let dest = nodes
        .iter()
        .find(|n| n.primary && n.id != source.id && !n.slots.is_empty())
        .expect("another primary")
        .clone();
    let (mut src, mut dst) = (
        Resp::connect(&source.addr).unwrap(),
        Resp::connect(&dest.addr).unwrap(),
    );
    let slot_s = slot.to_string();
    let ok = Reply::Text("OK".into());
    assert_eq!(
        dst.cmd(&["CLUSTER", "SETSLOT", &slot_s, "IMPORTING", &source.id]),
        ok
    );
    assert_eq!(
        src.cmd(&["CLUSTER", "SETSLOT", &slot_s, "MIGRATING", &dest.id]),
        ok
    );
    let (host, port) = dest.addr.rsplit_once(':').unwrap();
    assert_eq!(
        src.cmd(&["MIGRATE", host, port, "", "0", "5000", "KEYS", &key]),
        ok
    );

    // Mid-migration the source answers ASK for the moved key: the store follows it.
    let read = store
        .get(cache_key)
        .await
        .unwrap()
        .expect("found through ASK");
    assert_eq!(read.token.as_str(), "TOKEN-MOVING");
    let lock = store
        .try_lock(cache_key, Duration::from_secs(30))
        .await
        .unwrap()
        .expect("the lock is free, and taken on the importing node");
    // The lock was created on the importing node (which answers for the slot after ASKING).
    dst.cmd(&["ASKING"]);
    assert_eq!(dst.cmd(&["EXISTS", &format!("{key}:lock")]), Reply::Int(1));

    // The slot now belongs to the destination: the old owner answers MOVED.
    for node in nodes.iter().filter(|n| n.primary) {
        let reply = Resp::connect(&node.addr)
            .unwrap()
            .cmd(&["CLUSTER", "SETSLOT", &slot_s, "NODE", &dest.id]);
        assert_eq!(reply, ok, "SETSLOT NODE on {}", node.addr);
    }
    let read = store
        .get(cache_key)
        .await
        .unwrap()
        .expect("found through MOVED");
    assert_eq!(read.token.as_str(), "TOKEN-MOVING");
    // Both scripts touch keys of one slot, now on the destination.
    store.unlock(cache_key, &lock).await.unwrap();
    assert!(
        store
            .try_lock(cache_key, Duration::from_secs(1))
            .await
            .unwrap()
            .is_some()
    );
    store.invalidate(cache_key, "TOKEN-MOVING").await.unwrap();
    assert!(store.get(cache_key).await.unwrap().is_none());
    assert_eq!(
        owner(&cluster_nodes(&addrs), slot).map(|n| n.id),
        Some(dest.id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sentinel_fleet_fetches_one_token_and_survives_a_failover() {
    let test = "a_sentinel_fleet_fetches_one_token_and_survives_a_failover";
    let Some(url) = test_env("WXCLOUD_TEST_REDIS_SENTINEL_URL", test) else {
        return;
    };
    let _one_at_a_time = serial().await;
    // redis+sentinel://H:P,H:P,H:P/wxmaster
    let rest = url.split_once("://").unwrap().1;
    let (sentinels, master) = rest.split_once('/').unwrap();
    let sentinel = sentinels.split(',').next().unwrap().to_string();
    let primary_addr = || {
        let reply =
            Resp::connect(&sentinel)
                .unwrap()
                .cmd(&["SENTINEL", "get-master-addr-by-name", master]);
        let parts = reply.list();
        format!("{}:{}", parts[0].text().unwrap(), parts[1].text().unwrap())
    };
    let emulator = emulator().await;
    let target = Target::new(&emulator, &url, &unique_prefix("sentinel"));
    let cache_key = format!("stable_token:{}", target.appid);
    let key = format!("{{{}{cache_key}}}", target.prefix);
    let store = RedisTokenStore::new(&url)
        .unwrap()
        .with_key_prefix(&target.prefix);

    let fleet = start_paused_fleet(&target).await;
    assert_eq!(
        fetches(&emulator),
        1,
        "one token for the Sentinel fleet's first half"
    );
    let token = store
        .get(&cache_key)
        .await
        .unwrap()
        .expect("the token is on the primary");
    let primary = primary_addr();
    let reply = Resp::connect(&sentinel)
        .unwrap()
        .cmd(&["SENTINEL", "replicas", master]);
    let replica = reply
        .list()
        .iter()
        .find_map(|r| {
            let f = r.list();
            let get = |name: &str| {
                f.chunks(2)
                    .find(|kv| kv[0].text() == Some(name))
                    .and_then(|kv| kv[1].text().map(String::from))
            };
            Some(format!("{}:{}", get("ip")?, get("port")?))
        })
        .expect("the primary has a replica");
    eventually("the token to reach the replica", 10, || async {
        holds(&replica, &key).then_some(())
    })
    .await;
    kill_server(&primary);
    let killed = Instant::now();
    eprintln!("killed the primary {primary}; its replica is {replica}");

    let outcomes = resume(fleet).await;
    assert_all_succeeded_on_one_token(&outcomes, 200);
    eventually("Sentinel to promote the replica", 30, || async {
        (primary_addr() == replica).then_some(())
    })
    .await;
    eprintln!(
        "Sentinel promoted the replica {:?} after the kill",
        killed.elapsed()
    );
    store_recovers(&store, &cache_key, token.token.as_str(), killed).await;
    a_later_fleet_fetches_at_most_once_more("sentinel", &emulator, target, &outcomes).await;
}

/// `redis-cli` against the TLS server, trusting the right CA.
fn tls_cli(url: &str, ca: &str, args: &[&str]) -> String {
    let cli = std::env::var("WXCLOUD_TEST_REDIS_CLI").unwrap_or_else(|_| "redis-cli".into());
    let rest = url.split_once("://").unwrap().1;
    let (password, hostport) = rest.split_once('@').unwrap();
    let password = password.trim_start_matches(':');
    let (host, port) = host_port(hostport)
        .rsplit_once(':')
        .map(|(h, p)| (h.to_string(), p.to_string()))
        .unwrap();
    let out = Command::new(cli)
        .args([
            "-h",
            &host,
            "-p",
            &port,
            "--tls",
            "--cacert",
            ca,
            "--no-auth-warning",
            "-a",
            password,
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "redis-cli: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fleet_on_a_tls_only_redis_with_a_password_fetches_one_token() {
    let test = "a_fleet_on_a_tls_only_redis_with_a_password_fetches_one_token";
    let (Some(url), Some(ca)) = (
        test_env("WXCLOUD_TEST_REDIS_TLS_URL", test),
        test_env("WXCLOUD_TEST_REDIS_CA_FILE", test),
    ) else {
        return;
    };
    let _one_at_a_time = serial().await;
    let emulator = emulator().await;
    let mut target = Target::new(&emulator, &url, &unique_prefix("tls"));
    target.ca_file = Some(ca.clone());
    let prefix = target.prefix.clone();
    let outcomes = run_fleet(8, target, &["--calls", "200"]).await;
    eprintln!("TLS: {outcomes:?}; token fetches {}", fetches(&emulator));
    assert_all_succeeded_on_one_token(&outcomes, 200);
    assert_eq!(fetches(&emulator), 1, "one token for the fleet");
    let keys = tls_cli(&url, &ca, &["--scan", "--pattern", &format!("{{{prefix}*")]);
    assert_eq!(
        keys.lines().count(),
        1,
        "the token is stored over TLS: {keys:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_certificate_the_client_does_not_trust_is_a_typed_error_and_nothing_goes_in_plain_text()
 {
    let test = "a_tls_certificate_the_client_does_not_trust_is_a_typed_error_and_nothing_goes_in_plain_text";
    let (Some(url), Some(ca), Some(wrong_ca)) = (
        test_env("WXCLOUD_TEST_REDIS_TLS_URL", test),
        test_env("WXCLOUD_TEST_REDIS_CA_FILE", test),
        test_env("WXCLOUD_TEST_REDIS_WRONG_CA_FILE", test),
    ) else {
        return;
    };
    let password = url
        .split_once("://")
        .unwrap()
        .1
        .split_once('@')
        .unwrap()
        .0
        .trim_start_matches(':')
        .to_string();
    let prefix = unique_prefix("untrusted");
    let stored = StoredToken::new(
        AccessToken::without_expiry("TOKEN-NOT-FOR-EAVESDROPPERS"),
        Some(std::time::SystemTime::now() + Duration::from_secs(600)),
        None,
    );
    // An unrelated CA, and the system roots (which do not hold the throwaway CA). A generous
    // connect bound: this is about which error, not how fast.
    let stores = [
        RedisTokenStore::new(&url)
            .unwrap()
            .with_ca_file(&wrong_ca)
            .unwrap(),
        RedisTokenStore::new(&url).unwrap(),
    ];
    for store in stores {
        let store = store
            .with_key_prefix(&prefix)
            .with_connect_timeout(Duration::from_secs(20));
        let started = Instant::now();
        let err = store.put("stable_token:wxtls", &stored).await.unwrap_err();
        let text = format!("{err} {err:?}");
        eprintln!("untrusted certificate after {:?}: {err}", started.elapsed());
        assert!(
            matches!(err, Error::Transport { .. }),
            "a transport error: {err:?}"
        );
        assert!(
            text.contains("certificate"),
            "the error names the certificate: {text}"
        );
        assert!(!text.contains(&password), "no password in the error");
        assert!(
            store.get("stable_token:wxtls").await.is_err(),
            "no fallback"
        );
    }
    // The same address in plain text is refused too: the server speaks TLS only.
    let plain = url.replacen("rediss://", "redis://", 1);
    let store = RedisTokenStore::new(&plain)
        .unwrap()
        .with_key_prefix(&prefix);
    let err = store.put("stable_token:wxtls", &stored).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&password), "{err:?}");
    // Nothing was written, and the server has no plain-text port.
    let keys = tls_cli(&url, &ca, &["--scan", "--pattern", &format!("*{prefix}*")]);
    assert_eq!(keys.trim(), "", "nothing reached the server");
    let port = tls_cli(&url, &ca, &["CONFIG", "GET", "port"]);
    assert_eq!(
        port.lines().nth(1),
        Some("0"),
        "no plain-text listener: {port:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_trust_the_certificate_warns_once_and_its_calls_go_on() {
    let test = "a_client_that_does_not_trust_the_certificate_warns_once_and_its_calls_go_on";
    let (Some(url), Some(wrong_ca)) = (
        test_env("WXCLOUD_TEST_REDIS_TLS_URL", test),
        test_env("WXCLOUD_TEST_REDIS_WRONG_CA_FILE", test),
    ) else {
        return;
    };
    let warnings = redis_support::warnings::Warnings::install();
    let address = host_port(url.split_once('@').unwrap().1);
    let emulator = emulator().await;
    let client = wxcloud::Client::builder()
        .base_url(emulator.base_url())
        .appid(emulator.appid())
        .secret(emulator.secret())
        .env(emulator.env())
        .redis_url(&url)
        .redis_ca_file(&wrong_ca)
        .redis_key_prefix(unique_prefix("warned"))
        .build()
        .unwrap();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .count(r#"db.collection("test_collection").count()"#)
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await
            .unwrap()
            .expect("the call succeeds on the in-process cache");
    }
    assert_eq!(fetches(&emulator), 1, "one fetch in the process");
    assert_eq!(
        warnings.store_failures_naming(&address),
        1,
        "one warning for the untrusted Redis"
    );
    let password = url.split_once("://").unwrap().1.split_once('@').unwrap().0;
    assert_eq!(
        warnings.store_failures_naming(password.trim_start_matches(':')),
        0
    );
}
