//! The test hooks: injected faults, statistics and reset, over plain HTTP.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::*;
use wxcloud_emulator::RunningEmulator;

async fn fault(emu: &RunningEmulator, fault: Value) -> Value {
    post_json(&format!("{}/__emulator/faults", emu.base_url()), &fault).await
}

const ADD: &str = r#"db.collection("test_collection").add({data: {n: 1}})"#;

async fn count(emu: &RunningEmulator, t: &str) -> i64 {
    run_ok(
        emu,
        t,
        "databasecount",
        r#"db.collection("test_collection").count()"#,
    )
    .await["count"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn an_errcode_fault_answers_the_next_n_calls_without_running_them() {
    let emu = start().await;
    let t = token(&emu).await;
    ok(fault(
        &emu,
        json!({"path": "/tcb/databaseadd", "errcode": -1, "errmsg": "system busy", "times": 2}),
    )
    .await);
    for _ in 0..2 {
        let reply = run(&emu, &t, "databaseadd", ADD).await;
        assert_eq!(reply, json!({"errcode": -1, "errmsg": "system busy"}));
    }
    assert_eq!(count(&emu, &t).await, 4, "a faulted add inserts nothing");
    run_ok(&emu, &t, "databaseadd", ADD).await;
    assert_eq!(count(&emu, &t).await, 5);
}

#[tokio::test]
async fn a_status_fault_answers_with_that_status_and_body() {
    let emu = start().await;
    let t = token(&emu).await;
    ok(fault(
        &emu,
        json!({"path": "/tcb/databasequery", "status": 502, "body": "<html>Bad Gateway</html>"}),
    )
    .await);
    let url = format!("{}/tcb/databasequery?access_token={t}", emu.base_url());
    let reply = http()
        .post(&url)
        .json(&json!({"env": emu.env(), "query": "db.collection(\"test_collection\").get()"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 502);
    assert_eq!(reply.text().await.unwrap(), "<html>Bad Gateway</html>");
}

#[tokio::test]
async fn a_drop_fault_closes_the_connection_without_a_reply() {
    let emu = start().await;
    let t = token(&emu).await;
    ok(fault(&emu, json!({"path": "/tcb/databaseadd", "drop": true})).await);
    let url = format!("{}/tcb/databaseadd?access_token={t}", emu.base_url());
    let result = http()
        .post(&url)
        .json(&json!({"env": emu.env(), "query": ADD}))
        .send()
        .await;
    let err = result.expect_err("the connection is dropped");
    assert!(!err.is_timeout() && !err.is_status(), "{err:?}");
    assert_eq!(count(&emu, &t).await, 4, "a dropped add inserts nothing");
    run_ok(&emu, &t, "databaseadd", ADD).await;
}

#[tokio::test]
async fn a_delay_fault_outlasts_a_short_client_timeout() {
    let emu = start().await;
    let t = token(&emu).await;
    ok(fault(
        &emu,
        json!({"path": "/tcb/databasequery", "delay_ms": 3000, "errcode": -1}),
    )
    .await);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let url = format!("{}/tcb/databasequery?access_token={t}", emu.base_url());
    let err = client
        .post(&url)
        .json(&json!({"env": emu.env(), "query": "db.collection(\"test_collection\").get()"}))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn faults_apply_to_token_endpoints_too() {
    let emu = start().await;
    ok(fault(
        &emu,
        json!({"path": "/cgi-bin/stable_token", "errcode": 45009}),
    )
    .await);
    assert_eq!(errcode(&stable_token(&emu, false).await), 45009);
    assert!(stable_token(&emu, false).await["access_token"].is_string());
}

#[tokio::test]
async fn a_fault_that_says_nothing_to_do_is_refused() {
    let emu = start().await;
    assert_eq!(
        errcode(&fault(&emu, json!({"path": "/tcb/databaseadd"})).await),
        40097
    );
    assert_eq!(
        errcode(
            &fault(
                &emu,
                json!({"path": "/tcb/databaseadd", "errcode": 1, "bogus": 1})
            )
            .await
        ),
        40097
    );
}

#[tokio::test]
async fn stats_count_requests_and_token_fetches_per_path() {
    let emu = start().await;
    let t = token(&emu).await;
    let _ = stable_token(&emu, false).await;
    for _ in 0..3 {
        run_ok(
            &emu,
            &t,
            "databasecount",
            r#"db.collection("test_collection").count()"#,
        )
        .await;
    }
    let stats = get_json(&format!("{}/__emulator/stats", emu.base_url())).await;
    assert_eq!(stats["requests"]["/tcb/databasecount"], 3);
    assert_eq!(stats["token_fetches"]["/cgi-bin/token"], 1);
    assert_eq!(stats["token_fetches"]["/cgi-bin/stable_token"], 1);
    assert!(
        stats["requests"].get("/__emulator/stats").is_none(),
        "hooks are not counted"
    );
    assert_eq!(emu.stats().requests_to("/tcb/databasecount"), 3);
}

#[tokio::test]
async fn reset_restores_the_seed_and_forgets_tokens_and_counters() {
    let emu = start().await;
    let t = token(&emu).await;
    run_ok(&emu, &t, "databaseadd", ADD).await;
    create_collection(&emu, &t, "extra").await;
    ok(post_json(&format!("{}/__emulator/reset", emu.base_url()), &json!({})).await);
    assert_eq!(
        errcode(
            &run(
                &emu,
                &t,
                "databasecount",
                r#"db.collection("test_collection").count()"#
            )
            .await
        ),
        40001
    );
    let t = token(&emu).await;
    assert_eq!(count(&emu, &t).await, 4);
    assert_eq!(
        errcode(&run(&emu, &t, "databasequery", r#"db.collection("extra").get()"#).await),
        -502005
    );
    assert_eq!(emu.stats().requests_to("/tcb/databaseadd"), 0);
}

#[tokio::test]
async fn no_reply_or_log_line_carries_a_secret() {
    let emu = start().await;
    let debug = format!("{emu:?}");
    assert!(!debug.contains(emu.secret()), "{debug}");
    let builder = format!(
        "{:?}",
        wxcloud_emulator::Emulator::builder().app("wxa", "top-secret-value")
    );
    assert!(!builder.contains("top-secret-value"), "{builder}");
}

/// This machine's address on its default route, if it has one that is not loopback.
fn non_loopback_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?; // no packet is sent: this only picks a route
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn hooks_refuse_clients_that_are_not_on_loopback() {
    let Some(ip) = non_loopback_address() else {
        eprintln!("skipping: this machine has no non-loopback address");
        return;
    };
    let emu = start_with(
        wxcloud_emulator::Emulator::builder()
            .host("0.0.0.0")
            .seed_sample(true),
    )
    .await;
    let remote = format!("http://{ip}:{}", emu.addr().port());
    let reply = http()
        .post(format!("{remote}/__emulator/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 403);
    let reply = get_json(&format!(
        "{remote}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
        emu.appid(),
        emu.secret()
    ))
    .await;
    assert!(
        reply["access_token"].is_string(),
        "the service itself is served to everyone: {reply}"
    );
}

#[tokio::test]
async fn a_fault_injected_in_process_behaves_like_one_posted() {
    let emu = start().await;
    let t = token(&emu).await;
    let fault = wxcloud_emulator::Fault {
        path: "/tcb/databasecount".into(),
        errcode: Some(-501001),
        ..Default::default()
    };
    emu.inject_fault(fault).unwrap();
    let statement = r#"db.collection("test_collection").count()"#;
    assert_eq!(
        errcode(&run(&emu, &t, "databasecount", statement).await),
        -501001
    );
    assert_eq!(count(&emu, &t).await, 4);
    assert!(
        emu.inject_fault(wxcloud_emulator::Fault::default())
            .is_err(),
        "a fault needs a path and an effect"
    );
}

#[tokio::test]
async fn an_ipv6_loopback_host_is_accepted_when_the_machine_has_one() {
    let Ok(emu) = wxcloud_emulator::Emulator::builder()
        .host("::1")
        .start()
        .await
    else {
        eprintln!("skipping: no IPv6 loopback here");
        return;
    };
    assert!(
        emu.base_url().starts_with("http://[::1]:"),
        "{}",
        emu.base_url()
    );
    assert!(token(&emu).await.len() >= 64);
}
