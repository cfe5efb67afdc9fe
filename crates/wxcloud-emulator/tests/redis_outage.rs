//! Redis going away and coming back: calls go on with the in-process cache and one warning,
//! and sharing resumes once Redis is back. Starts and kills a redis-server of its own
//! (`WXCLOUD_TEST_REDIS_SERVER`, default `redis-server`); runs when the Redis suite runs
//! (`WXCLOUD_TEST_REDIS_URL` set), skipped otherwise.

mod redis_support;

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis_support::warnings::Warnings;
use redis_support::{Resp, redis_url, unique_prefix};
use wxcloud_emulator::Emulator;

const STABLE_TOKEN: &str = "/cgi-bin/stable_token";

/// A redis-server process of this test, on a fixed port so it can come back at the same address.
struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl RedisServer {
    fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = RedisServer {
            child: None,
            port,
            dir: tempfile::tempdir().unwrap(),
        };
        server.restart();
        server
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn restart(&mut self) {
        let bin =
            std::env::var("WXCLOUD_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let port = self.port.to_string();
        let child = Command::new(bin)
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port,
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: the server vanishes without closing anything politely.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn counts(client: &wxcloud::Client, n: usize) -> usize {
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .count(r#"db.collection("test_collection").count()"#)
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for call in calls {
        match call.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => eprintln!("call failed: {e}"),
        }
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn calls_go_on_while_redis_is_down_and_sharing_resumes_when_it_is_back() {
    if redis_url("calls_go_on_while_redis_is_down_and_sharing_resumes_when_it_is_back").is_none() {
        return;
    }
    let warnings = Warnings::install();
    let mut redis = RedisServer::start();
    let emulator = Emulator::builder().seed_sample(true).start().await.unwrap();
    let prefix = unique_prefix("outage");
    let url = redis.url();
    let client = || {
        wxcloud::Client::builder()
            .base_url(emulator.base_url())
            .appid(emulator.appid())
            .secret(emulator.secret())
            .env(emulator.env())
            .redis_url(&url)
            .redis_key_prefix(&prefix)
            .build()
            .unwrap()
    };
    let token_key = format!("{{{prefix}stable_token:{}}}", emulator.appid());

    let a = client();
    assert_eq!(counts(&a, 50).await, 50);
    assert_eq!(emulator.stats().token_fetches_from(STABLE_TOKEN), 1);

    // Redis dies during a run of calls, and the tokens expire meanwhile: `a` must refresh
    // without Redis.
    let run = tokio::spawn({
        let a = a.clone();
        async move {
            let mut ok = 0;
            for _ in 0..10 {
                ok += counts(&a, 20).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            ok
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    redis.kill();
    emulator.expire_tokens();
    assert_eq!(run.await.unwrap(), 200, "calls go on while Redis is down");
    assert_eq!(counts(&a, 50).await, 50);
    assert_eq!(
        warnings.store_failures(),
        1,
        "one warning, not one per call"
    );

    // A process starting while Redis is down works too (and warns once itself).
    let b = client();
    assert_eq!(counts(&b, 50).await, 50);
    assert_eq!(warnings.store_failures(), 2, "one warning per client");

    // Redis comes back (empty) at the same address. The next refresh of `a` goes through it
    // again: its connection comes back by itself.
    redis.restart();
    let mut resp = Resp::connect(&url).unwrap();
    let (back, mut refreshes) = (Instant::now(), 0);
    let deadline = back + Duration::from_secs(15);
    while resp.cmd(&["EXISTS", &token_key]) != redis_support::Reply::Int(1) {
        assert!(Instant::now() < deadline, "a never wrote to Redis again");
        emulator.expire_tokens();
        refreshes += 1;
        assert_eq!(counts(&a, 5).await, 5);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "Redis back: a stored its token again after {refreshes} refresh(es), {:?}; token fetches so far {}",
        back.elapsed(),
        emulator.stats().token_fetches_from(STABLE_TOKEN)
    );
    // Sharing resumed: a new process gets a's token from Redis without fetching.
    let fetched = emulator.stats().token_fetches_from(STABLE_TOKEN);
    let c = client();
    assert_eq!(counts(&c, 50).await, 50);
    assert_eq!(
        emulator.stats().token_fetches_from(STABLE_TOKEN),
        fetched,
        "c fetched nothing"
    );
    assert_eq!(
        c.token_info().await.unwrap().token,
        a.token_info().await.unwrap().token,
        "c uses the token a stored"
    );
    assert_eq!(
        warnings.store_failures(),
        2,
        "no new warning after Redis came back"
    );
}
