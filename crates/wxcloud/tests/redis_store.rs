//! The Redis token store against a real Redis (`scripts/suites/redis.sh` starts one and sets
//! `WXCLOUD_TEST_REDIS_URL`; without it these tests are skipped, or fail if
//! `WXCLOUD_REDIS_REQUIRED=1`): its operations, and an authorizer's refresh token rotated by a
//! small third-party platform server and handed from one process to the next through Redis.

#![cfg(feature = "redis")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};
use wxcloud::token::{AccessToken, RedisTokenStore, StoredToken, TokenStore, VerifyTicket};

fn redis_url(test: &str) -> Option<String> {
    match std::env::var("WXCLOUD_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("WXCLOUD_REDIS_REQUIRED").as_deref() == Ok("1") => {
            panic!("{test}: WXCLOUD_REDIS_REQUIRED=1 but WXCLOUD_TEST_REDIS_URL is not set")
        }
        _ => {
            eprintln!(
                "skipping {test}: WXCLOUD_TEST_REDIS_URL is not set (see scripts/suites/redis.sh)"
            );
            None
        }
    }
}

fn store(url: &str, test: &str) -> RedisTokenStore {
    let prefix = format!(
        "wxtest:{test}:{}:{:08x}:",
        std::process::id(),
        rand::random::<u32>()
    );
    RedisTokenStore::new(url).unwrap().with_key_prefix(prefix)
}

fn token(value: &str, lifetime: Duration) -> StoredToken {
    let now = SystemTime::now();
    StoredToken::new(
        AccessToken::new(value, lifetime),
        Some(now + lifetime),
        Some(now + lifetime / 2),
    )
}

#[tokio::test]
async fn tokens_come_back_with_their_times_and_leave_with_their_expiry() {
    let Some(url) = redis_url("tokens_come_back_with_their_times_and_leave_with_their_expiry")
    else {
        return;
    };
    let store = store(&url, "times");
    assert_eq!(store.get("stable_token:wx1").await.unwrap(), None);
    let stored = token("T1", Duration::from_secs(7200));
    store.put("stable_token:wx1", &stored).await.unwrap();
    let back = store.get("stable_token:wx1").await.unwrap().unwrap();
    assert_eq!(back.token.as_str(), "T1");
    let ms = |t: Option<SystemTime>| {
        t.unwrap()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    };
    assert_eq!(ms(back.expires_at), ms(stored.expires_at));
    assert_eq!(ms(back.refresh_at), ms(stored.refresh_at));

    store
        .put("stable_token:wx2", &token("T2", Duration::from_millis(300)))
        .await
        .unwrap();
    assert!(store.get("stable_token:wx2").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        store.get("stable_token:wx2").await.unwrap(),
        None,
        "Redis dropped it at expiry"
    );
}

#[tokio::test]
async fn invalidation_removes_only_the_token_that_failed() {
    let Some(url) = redis_url("invalidation_removes_only_the_token_that_failed") else {
        return;
    };
    let store = store(&url, "invalidate");
    store
        .put("k", &token("new", Duration::from_secs(60)))
        .await
        .unwrap();
    store.invalidate("k", "old").await.unwrap();
    assert_eq!(store.get("k").await.unwrap().unwrap().token.as_str(), "new");
    store.invalidate("k", "new").await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn the_lock_has_one_holder_only_it_releases_and_its_lease_ends() {
    let Some(url) = redis_url("the_lock_has_one_holder_only_it_releases_and_its_lease_ends") else {
        return;
    };
    let (a, b) = {
        let a = store(&url, "lock");
        // A second store object on the same keys stands for another process.
        let b = RedisTokenStore::new(&url)
            .unwrap()
            .with_key_prefix(a.key_prefix());
        (a, b)
    };
    let lease = Duration::from_secs(30);
    let held = a
        .try_lock("k", lease)
        .await
        .unwrap()
        .expect("free at first");
    assert!(b.try_lock("k", lease).await.unwrap().is_none());
    b.unlock("k", &wxcloud::token::LockId("someone else".into()))
        .await
        .unwrap();
    assert!(
        b.try_lock("k", lease).await.unwrap().is_none(),
        "only the holder releases"
    );
    a.unlock("k", &held).await.unwrap();
    let short = b
        .try_lock("k", Duration::from_millis(200))
        .await
        .unwrap()
        .expect("released");
    assert!(a.try_lock("k", lease).await.unwrap().is_none());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        a.try_lock("k", lease).await.unwrap().is_some(),
        "a dead holder's lease ends"
    );
    b.unlock("k", &short).await.unwrap(); // too late: it no longer holds it, nothing happens
    assert!(b.try_lock("k", lease).await.unwrap().is_none());
}

/// A third-party platform that rotates the authorizer refresh token on every use and refuses
/// a used one (61023), as the service may.
#[derive(Default)]
struct Platform {
    current_refresh: Mutex<String>,
    used: Mutex<Vec<String>>,
    issued: Mutex<u32>,
}

async fn component_token(Json(body): Json<Value>) -> Json<Value> {
    assert_eq!(body["component_appsecret"], "platform-secret");
    Json(json!({"component_access_token": "COMPONENT_TOKEN_1", "expires_in": 7200}))
}

async fn authorizer_token(State(p): State<Arc<Platform>>, Json(body): Json<Value>) -> Json<Value> {
    let sent = body["authorizer_refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    p.used.lock().unwrap().push(sent.clone());
    let mut current = p.current_refresh.lock().unwrap();
    if sent != *current {
        return Json(json!({"errcode": 61023, "errmsg": "invalid refresh_token"}));
    }
    let mut issued = p.issued.lock().unwrap();
    *issued += 1;
    *current = format!("refresh-{}", *issued + 1);
    Json(json!({
        "authorizer_access_token": format!("AUTHORIZER_TOKEN_{issued}"),
        "expires_in": 7200,
        "authorizer_refresh_token": *current,
    }))
}

async fn start_platform() -> (String, Arc<Platform>) {
    let platform = Arc::new(Platform::default());
    *platform.current_refresh.lock().unwrap() = "refresh-1".into();
    let app = axum::Router::new()
        .route(
            "/cgi-bin/component/api_component_token",
            post(component_token),
        )
        .route(
            "/cgi-bin/component/api_authorizer_token",
            post(authorizer_token),
        )
        .with_state(Arc::clone(&platform));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), platform)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_refresh_token_is_stored_with_its_token_and_used_by_the_next_refresher() {
    let Some(url) = redis_url(
        "a_rotated_refresh_token_is_stored_with_its_token_and_used_by_the_next_refresher",
    ) else {
        return;
    };
    let (base_url, platform) = start_platform().await;
    let store = Arc::new(store(&url, "rotation"));
    // Every process is configured with the refresh token it was deployed with.
    let deployed_with = |refresh_token: &str| {
        wxcloud::Client::builder()
            .base_url(&base_url)
            .authorizer(wxcloud::Authorizer::new(
                "wx-platform",
                "platform-secret",
                VerifyTicket::Value("ticket".into()),
                "wx-authorizer",
                refresh_token,
            ))
            .token_store(store.clone())
            .build()
            .unwrap()
    };
    let process = || deployed_with("refresh-1");
    let key = "authorizer:wx-platform:wx-authorizer";

    let first = process();
    assert_eq!(
        first.token_info().await.unwrap().token.as_str(),
        "AUTHORIZER_TOKEN_1"
    );
    // The new token and the rotated refresh token are in the store together.
    assert_eq!(
        store.get(key).await.unwrap().unwrap().token.as_str(),
        "AUTHORIZER_TOKEN_1"
    );
    assert_eq!(
        store.refresh_token(key).await.unwrap().as_deref(),
        Some("refresh-2")
    );

    // A second process reads the token without asking the platform.
    let second = process();
    assert_eq!(
        second.token_info().await.unwrap().token.as_str(),
        "AUTHORIZER_TOKEN_1"
    );
    assert_eq!(platform.used.lock().unwrap().len(), 1);

    // The token is rejected and dropped; a third process (still configured with refresh-1)
    // refreshes with the stored refresh-2, and stores refresh-3 for whoever comes next.
    store.invalidate(key, "AUTHORIZER_TOKEN_1").await.unwrap();
    assert_eq!(
        store.refresh_token(key).await.unwrap().as_deref(),
        Some("refresh-2"),
        "kept"
    );
    let third = process();
    assert_eq!(
        third.token_info().await.unwrap().token.as_str(),
        "AUTHORIZER_TOKEN_2"
    );
    assert_eq!(*platform.used.lock().unwrap(), ["refresh-1", "refresh-2"]);
    assert_eq!(
        store.refresh_token(key).await.unwrap().as_deref(),
        Some("refresh-3")
    );
    assert_eq!(
        store.get(key).await.unwrap().unwrap().token.as_str(),
        "AUTHORIZER_TOKEN_2"
    );

    // The authorizer re-authorises the platform: a new refresh token is deployed, and the one
    // in Redis is refused. The configured one is tried next, and its successor stored.
    *platform.current_refresh.lock().unwrap() = "reauthorised".into();
    store.invalidate(key, "AUTHORIZER_TOKEN_2").await.unwrap();
    let redeployed = deployed_with("reauthorised");
    let token = redeployed.token_info().await.unwrap().token;
    assert_eq!(token.as_str(), "AUTHORIZER_TOKEN_3");
    assert_eq!(
        *platform.used.lock().unwrap(),
        ["refresh-1", "refresh-2", "refresh-3", "reauthorised"]
    );
    assert_eq!(
        store.refresh_token(key).await.unwrap().as_deref(),
        Some("refresh-4")
    );
}

#[test]
fn a_redis_url_from_the_environment_is_redacted_and_cannot_be_combined_with_a_store() {
    let builder = wxcloud::ClientBuilder::from_lookup(|name| match name {
        "WXCLOUD_REDIS_URL" => Some("redis://:hunter2@127.0.0.1:1/0".to_string()),
        "WXCLOUD_ACCESS_TOKEN" => Some("FIXED".to_string()),
        _ => None,
    });
    let debug = format!("{builder:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("redis_url"), "{debug}");
    let err = builder
        .token_store(Arc::new(wxcloud::token::MemoryTokenStore::new()))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("Redis URL"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

/// A "Redis" that accepts connections and never answers, like a host behind a dropped route.
async fn start_silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("redis://{addr}/0")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_never_answers_does_not_stall_token_fetches() {
    let url = start_silent_server().await;
    let fetches = Arc::new(Mutex::new(0));
    let client = wxcloud::Client::builder()
        .token_provider({
            let fetches = Arc::clone(&fetches);
            move || {
                *fetches.lock().unwrap() += 1;
                async { Ok(AccessToken::new("FROM_PROVIDER", Duration::from_secs(7200))) }
            }
        })
        .redis_url(url)
        // Each store operation gives up after 500 ms; a fetch makes a few of them.
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.token_info().await })
        })
        .collect();
    for task in tasks {
        let info = task
            .await
            .unwrap()
            .expect("a token despite the silent Redis");
        assert_eq!(info.token.as_str(), "FROM_PROVIDER");
    }
    assert_eq!(
        *fetches.lock().unwrap(),
        1,
        "still one fetch in the process"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_providers_of_two_apps_sharing_a_redis_keep_their_own_tokens() {
    let Some(url) = redis_url("token_providers_of_two_apps_sharing_a_redis_keep_their_own_tokens")
    else {
        return;
    };
    let prefix = store(&url, "providers").key_prefix().to_string();
    let app = |appid: &'static str| {
        wxcloud::Client::builder()
            .appid(appid)
            .token_provider(move || async move {
                Ok(AccessToken::new(
                    format!("TOKEN_OF_{appid}"),
                    Duration::from_secs(7200),
                ))
            })
            .redis_url(&url)
            .redis_key_prefix(&prefix)
            .build()
            .unwrap()
    };
    let (one, two) = (app("wxone"), app("wxtwo"));
    assert_eq!(
        one.token_info().await.unwrap().token.as_str(),
        "TOKEN_OF_wxone"
    );
    assert_eq!(
        two.token_info().await.unwrap().token.as_str(),
        "TOKEN_OF_wxtwo"
    );
    let shared = RedisTokenStore::new(&url).unwrap().with_key_prefix(&prefix);
    let stored = shared.get("callback:wxtwo").await.unwrap().unwrap();
    assert_eq!(stored.token.as_str(), "TOKEN_OF_wxtwo");
}
