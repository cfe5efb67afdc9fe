//! Tokens: one fetch for many callers, refresh ahead of expiry, one refresh and one retry
//! after a rejection, and each of the token sources against a real HTTP server.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::json;
use support::{APPID, ENV, Reply, SECRET, Server, TOKEN_PREFIX, expect_err};
use wxcloud::token::{AccessToken, ManualClock, MemoryTokenStore, VerifyTicket};
use wxcloud::{Authorizer, ErrorKind, TokenMode};

const COUNT: &str = r#"db.collection("c").count()"#;
const STABLE: &str = "/cgi-bin/stable_token";

async fn burst(client: &wxcloud::Client, n: usize) {
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.count(COUNT).await })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("call");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_calls_on_a_cold_cache_fetch_one_token() {
    let server = Server::start().await;
    server.set_token_delay(Duration::from_millis(200));
    let client = server.client_with(|b| b.timeout(Duration::from_secs(60)));

    burst(&client, 500).await;

    assert_eq!(server.count(STABLE), 1);
    assert_eq!(server.count("/tcb/databasecount"), 500);
    let body = &server.seen(STABLE)[0].body;
    assert_eq!(body["grant_type"], "client_credential");
    assert_eq!(body["appid"], APPID);
    assert_eq!(body["force_refresh"], false);
}

/// A client whose token cache holds a token, with the clock it judges expiry by.
async fn warm_client_on_a_manual_clock(server: &Server) -> (wxcloud::Client, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let client = server.client_with(|b| b.clock(clock.clone()));
    client.count(COUNT).await.unwrap();
    (client, clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_due_for_refresh_during_a_burst_is_refreshed_once_without_waiting() {
    let server = Server::start().await;
    let (client, clock) = warm_client_on_a_manual_clock(&server).await;
    // Inside the 5-minute margin, still valid: callers keep the old token while one fetch runs.
    clock.advance(Duration::from_secs(7200 - 60));
    server.set_token_delay(Duration::from_millis(100));

    burst(&client, 200).await;
    for _ in 0..200 {
        if server.count(STABLE) == 2
            && client.token_info().await.unwrap().token.as_str() == format!("{TOKEN_PREFIX}2")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    burst(&client, 50).await;

    assert_eq!(server.count(STABLE), 2, "exactly one refresh");
    let tokens: std::collections::HashSet<_> = server
        .seen("/tcb/databasecount")
        .into_iter()
        .map(|s| s.query["access_token"].clone())
        .collect();
    assert_eq!(tokens.len(), 2);
    let seen = server.seen("/tcb/databasecount");
    assert_eq!(
        seen[1].query["access_token"],
        format!("{TOKEN_PREFIX}1"),
        "the burst did not wait for the refresh"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expiring_before_a_burst_is_fetched_once_for_all_callers() {
    let server = Server::start().await;
    let (client, clock) = warm_client_on_a_manual_clock(&server).await;
    clock.advance(Duration::from_secs(7201));
    server.set_token_delay(Duration::from_millis(100));

    burst(&client, 200).await;

    assert_eq!(server.count(STABLE), 2);
    let last = server.seen("/tcb/databasecount").pop().unwrap();
    assert_eq!(last.query["access_token"], format!("{TOKEN_PREFIX}2"));
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_call_retried_once() {
    let server = Server::start().await;
    let client = server.client();
    client.count(COUNT).await.unwrap();
    server.revoke_tokens();

    client
        .count(COUNT)
        .await
        .expect("retried with a fresh token");

    assert_eq!(server.count(STABLE), 2);
    let used: Vec<_> = server
        .seen("/tcb/databasecount")
        .into_iter()
        .map(|s| s.query["access_token"].clone())
        .collect();
    assert_eq!(
        used,
        [
            format!("{TOKEN_PREFIX}1"),
            format!("{TOKEN_PREFIX}1"),
            format!("{TOKEN_PREFIX}2")
        ]
    );
}

#[tokio::test]
async fn a_second_rejection_ends_in_a_token_error_without_a_loop() {
    let server = Server::start().await;
    server.script("/tcb/databaseadd", Reply::Errcode(40001));
    server.script("/tcb/databaseadd", Reply::Errcode(40001));
    let client = server.client();

    let err = expect_err(client.add(r#"db.collection("c").add({data:{a:1}})"#).await);

    assert_eq!(err.kind(), ErrorKind::Token);
    assert_eq!(err.errcode(), Some(40001));
    assert!(!err.is_token_endpoint());
    assert_eq!(
        server.count("/tcb/databaseadd"),
        2,
        "one call and one retry"
    );
    assert_eq!(server.count(STABLE), 2, "one fetch and one refresh");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_rejected_with_the_same_stale_token_refreshes_once() {
    let server = Server::start().await;
    let client = server.client();
    client.count(COUNT).await.unwrap();
    server.revoke_tokens();
    server.set_token_delay(Duration::from_millis(100));

    burst(&client, 100).await;

    assert_eq!(
        server.count(STABLE),
        2,
        "compare-and-invalidate: one refresh for the whole burst"
    );
}

#[tokio::test]
async fn a_rejected_fixed_token_fails_at_once() {
    let server = Server::start().await;
    let client = wxcloud::Client::builder()
        .base_url(&server.url)
        .env(ENV)
        .access_token(format!("{TOKEN_PREFIX}fixed"))
        .build()
        .unwrap();

    let err = expect_err(client.count(COUNT).await);

    assert_eq!(err.kind(), ErrorKind::Token);
    assert_eq!(server.count("/tcb/databasecount"), 1);
    assert_eq!(server.tokens_issued(), 0);
}

#[tokio::test]
async fn a_fixed_token_is_sent_as_given() {
    let server = Server::start().await;
    server.allow_token(&format!("{TOKEN_PREFIX}fixed"));
    let client = wxcloud::Client::builder()
        .base_url(&server.url)
        .env(ENV)
        .access_token(format!("{TOKEN_PREFIX}fixed"))
        .build()
        .unwrap();
    client.count(COUNT).await.unwrap();
    assert_eq!(
        server.seen("/tcb/databasecount")[0].query["access_token"],
        format!("{TOKEN_PREFIX}fixed")
    );
}

#[tokio::test]
async fn a_wrong_secret_is_a_token_endpoint_error_not_a_stale_token() {
    let server = Server::start().await;
    let client = server.client_with(|b| b.secret("wrong-secret"));

    let err = expect_err(client.count(COUNT).await);

    assert_eq!(err.kind(), ErrorKind::Token);
    assert!(err.is_token_endpoint());
    assert_eq!(err.errcode(), Some(40001));
    assert!(err.hint().unwrap().contains("secret"), "{:?}", err.hint());
    assert!(!err.to_string().contains("wrong-secret"));
    assert_eq!(
        server.count(STABLE),
        1,
        "a permanent refusal is not retried"
    );
    assert_eq!(server.count("/tcb/databasecount"), 0);
}

#[tokio::test]
async fn an_ip_whitelist_refusal_from_the_token_endpoint_says_so() {
    let server = Server::start().await;
    server.script(
        STABLE,
        Reply::Json(json!({"errcode": 40164, "errmsg": "invalid ip 1.2.3.4, not in whitelist"})),
    );
    let err = expect_err(server.client().count(COUNT).await);
    assert!(err.is_token_endpoint());
    assert_eq!(err.errcode(), Some(40164));
    assert!(err.hint().unwrap().contains("whitelist"));
}

#[tokio::test]
async fn a_busy_token_endpoint_is_retried() {
    let server = Server::start().await;
    server.script(STABLE, Reply::Errcode(-1));
    server
        .client()
        .count(COUNT)
        .await
        .expect("token fetch retried");
    assert_eq!(server.count(STABLE), 2);
}

#[tokio::test]
async fn client_credential_mode_gets_the_token_with_a_get() {
    let server = Server::start().await;
    let client = server.client_with(|b| b.token_mode(TokenMode::ClientCredential));
    client.count(COUNT).await.unwrap();
    let seen = server.seen("/cgi-bin/token");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].query["grant_type"], "client_credential");
    assert_eq!(seen[0].query["appid"], APPID);
    assert_eq!(seen[0].query["secret"], SECRET);
    assert_eq!(server.count(STABLE), 0);
}

#[tokio::test]
async fn a_wrong_secret_in_client_credential_mode_never_shows_the_url() {
    let server = Server::start().await;
    let client = server.client_with(|b| b.token_mode(TokenMode::ClientCredential).secret("wrong"));
    let err = expect_err(client.count(COUNT).await);
    assert!(err.is_token_endpoint());
    assert_eq!(err.errcode(), Some(40125));
    assert!(!err.to_string().contains("secret="));
}

#[tokio::test]
async fn an_authorizer_token_comes_from_the_component_token() {
    let server = Server::start().await;
    let component = "/cgi-bin/component/api_component_token";
    let authorizer = "/cgi-bin/component/api_authorizer_token";
    server.script(
        component,
        Reply::Json(json!({"component_access_token": "comp-tok-1", "expires_in": 7200})),
    );
    server.script(
        authorizer,
        Reply::Json(json!({"authorizer_access_token": format!("{TOKEN_PREFIX}auth1"), "expires_in": 7200, "authorizer_refresh_token": "refresh-2"})),
    );
    server.allow_token(&format!("{TOKEN_PREFIX}auth1"));
    let tickets = Arc::new(AtomicUsize::new(0));
    let counter = tickets.clone();
    let ticket = VerifyTicket::callback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok("ticket-xyz".to_string()) }
    });
    let client = wxcloud::Client::builder()
        .base_url(&server.url)
        .env(ENV)
        .authorizer(Authorizer::new(
            "wx-platform",
            "platform-secret",
            ticket,
            "wx-authorizer",
            "refresh-1",
        ))
        .build()
        .unwrap();

    client.count(COUNT).await.unwrap();

    let c = &server.seen(component)[0];
    assert_eq!(
        c.body,
        json!({"component_appid": "wx-platform", "component_appsecret": "platform-secret", "component_verify_ticket": "ticket-xyz"})
    );
    let a = &server.seen(authorizer)[0];
    assert_eq!(a.query["component_access_token"], "comp-tok-1");
    assert_eq!(
        a.body,
        json!({"component_appid": "wx-platform", "authorizer_appid": "wx-authorizer", "authorizer_refresh_token": "refresh-1"})
    );
    assert_eq!(
        server.seen("/tcb/databasecount")[0].query["access_token"],
        format!("{TOKEN_PREFIX}auth1")
    );
    assert_eq!(tickets.load(Ordering::SeqCst), 1);
    let debug = format!("{client:?}");
    assert!(
        !debug.contains("platform-secret") && !debug.contains("refresh-1"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_token_provider_is_called_once_and_its_token_cached() {
    let server = Server::start().await;
    server.allow_token(&format!("{TOKEN_PREFIX}provided"));
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let client = wxcloud::Client::builder()
        .base_url(&server.url)
        .env(ENV)
        .token_provider(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                Ok(AccessToken::new(
                    format!("{TOKEN_PREFIX}provided"),
                    Duration::from_secs(3600),
                ))
            }
        })
        .build()
        .unwrap();
    client.count(COUNT).await.unwrap();
    client.count(COUNT).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(server.count("/tcb/databasecount"), 2);
}

#[tokio::test]
async fn a_failing_token_provider_is_a_token_error() {
    let server = Server::start().await;
    let client = wxcloud::Client::builder()
        .base_url(&server.url)
        .env(ENV)
        .token_provider(|| async { Err(wxcloud::Error::token("vault unreachable")) })
        .build()
        .unwrap();
    let err = expect_err(client.count(COUNT).await);
    assert_eq!(err.kind(), ErrorKind::Token);
    assert!(err.to_string().contains("vault unreachable"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fetch_survives_its_cancelled_caller_and_fills_the_cache() {
    let server = Server::start().await;
    server.set_token_delay(Duration::from_millis(300));
    let client = server.client();

    let cancelled = tokio::time::timeout(Duration::from_millis(50), client.count(COUNT)).await;
    assert!(
        cancelled.is_err(),
        "the caller gave up while the fetch was running"
    );
    // The fetch finishes on its own; the next call finds its token.
    for _ in 0..100 {
        if server.tokens_issued() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.set_token_delay(Duration::ZERO);
    client.count(COUNT).await.unwrap();

    assert_eq!(server.count(STABLE), 1);
    assert_eq!(server.count("/tcb/databasecount"), 1);
}

#[tokio::test]
async fn clients_sharing_a_token_store_share_the_token() {
    let server = Server::start().await;
    let store = Arc::new(MemoryTokenStore::new());
    let first = server.client_with(|b| b.token_store(store.clone()));
    let second = server.client_with(|b| b.token_store(store));
    first.count(COUNT).await.unwrap();
    second.count(COUNT).await.unwrap();
    assert_eq!(server.count(STABLE), 1);
}

#[tokio::test]
async fn token_info_reports_expiry_and_source() {
    let server = Server::start().await;
    let info = server.client().token_info().await.unwrap();
    assert!(info.token.as_str().starts_with(TOKEN_PREFIX));
    assert!(info.expires_at.unwrap() > SystemTime::now() + Duration::from_secs(7000));
    assert_eq!(info.source, format!("stable_token for appid {APPID}"));
    support::assert_no_secrets(&format!("{info:?}"));
}

#[tokio::test]
async fn stable_token_forces_a_new_token_only_when_it_hands_back_the_rejected_one() {
    let server = Server::start().await;
    let client = server.client();
    client.count(COUNT).await.unwrap();
    server.revoke_tokens();
    // Asked normally after the rejection, the service returns the same (now invalid) token.
    server.script(
        STABLE,
        Reply::Json(json!({"access_token": format!("{TOKEN_PREFIX}1"), "expires_in": 7200})),
    );

    client.count(COUNT).await.expect("the forced token works");

    let force: Vec<_> = server
        .seen(STABLE)
        .into_iter()
        .map(|s| s.body["force_refresh"].clone())
        .collect();
    assert_eq!(force, [json!(false), json!(false), json!(true)]);
    let last = server.seen("/tcb/databasecount").pop().unwrap();
    assert_eq!(last.query["access_token"], format!("{TOKEN_PREFIX}2"));
}

#[tokio::test]
async fn a_panicking_token_provider_is_an_error_and_does_not_block_later_calls() {
    let server = Server::start().await;
    server.allow_token(&format!("{TOKEN_PREFIX}after-panic"));
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let client = wxcloud::Client::builder()
        .base_url(&server.url)
        .env(ENV)
        .timeout(Duration::from_secs(5))
        .token_provider(move || {
            let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if first {
                    panic!("provider bug");
                }
                Ok(AccessToken::new(
                    format!("{TOKEN_PREFIX}after-panic"),
                    Duration::from_secs(3600),
                ))
            }
        })
        .build()
        .unwrap();

    assert_eq!(
        expect_err(client.count(COUNT).await).kind(),
        ErrorKind::Token
    );
    client
        .count(COUNT)
        .await
        .expect("the next call fetches again at once");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
