//! The token rules, over plain HTTP, with the emulator's clock moved instead of sleeping.

mod support;

use std::time::Duration;

use serde_json::json;
use support::*;
use wxcloud_emulator::{DEFAULT_COMPONENT, Emulator, RunningEmulator};

const MINUTE: Duration = Duration::from_secs(60);

/// The errcode a count with this token gets.
async fn use_token(emu: &RunningEmulator, token: &str) -> i64 {
    errcode(
        &run(
            emu,
            token,
            "databasecount",
            "db.collection(\"test_collection\").count()",
        )
        .await,
    )
}

#[tokio::test]
async fn a_token_works_until_its_lifetime_ends() {
    let emu = start_with(
        Emulator::builder()
            .seed_sample(true)
            .token_ttl(Duration::from_secs(600)),
    )
    .await;
    let t = token(&emu).await;
    emu.advance_clock(Duration::from_secs(599));
    assert_eq!(use_token(&emu, &t).await, 0);
    emu.advance_clock(Duration::from_secs(2));
    assert_eq!(use_token(&emu, &t).await, 42001);
}

#[tokio::test]
async fn the_token_endpoint_reports_the_configured_lifetime() {
    let emu = start_with(Emulator::builder().token_ttl(Duration::from_secs(1234))).await;
    let reply = get_json(&token_url(&emu, emu.appid(), emu.secret())).await;
    assert_eq!(reply["expires_in"], 1234);
    assert!(reply["access_token"].as_str().unwrap().len() >= 64);
}

#[tokio::test]
async fn a_new_client_credential_token_retires_the_previous_after_five_minutes() {
    let emu = start().await;
    let first = token(&emu).await;
    let second = token(&emu).await;
    assert_ne!(first, second);
    emu.advance_clock(4 * MINUTE);
    assert_eq!(
        use_token(&emu, &first).await,
        0,
        "both work during the overlap"
    );
    assert_eq!(use_token(&emu, &second).await, 0);
    emu.advance_clock(MINUTE + Duration::from_secs(1));
    assert_eq!(
        use_token(&emu, &first).await,
        40001,
        "the previous token is no longer the latest"
    );
    assert_eq!(use_token(&emu, &second).await, 0);
}

#[tokio::test]
async fn stable_token_returns_the_same_token_while_it_has_more_than_five_minutes() {
    let emu = start().await;
    let a = stable_token(&emu, false).await;
    emu.advance_clock(60 * MINUTE);
    let b = stable_token(&emu, false).await;
    assert_eq!(a["access_token"], b["access_token"]);
    assert!(b["expires_in"].as_i64().unwrap() <= 3600);
    // A client_credential fetch in between does not touch the stable token.
    let _ = token(&emu).await;
    emu.advance_clock(10 * MINUTE);
    assert_eq!(
        use_token(&emu, a["access_token"].as_str().unwrap()).await,
        0
    );
}

#[tokio::test]
async fn stable_token_renews_in_the_last_five_minutes_and_the_old_one_keeps_working() {
    let emu = start().await;
    let old = stable_token(&emu, false).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    emu.advance_clock(116 * MINUTE);
    let new = stable_token(&emu, false).await;
    let new_token = new["access_token"].as_str().unwrap().to_owned();
    assert_ne!(old, new_token);
    assert_eq!(new["expires_in"], 7200);
    assert_eq!(
        use_token(&emu, &old).await,
        0,
        "the old token lives until its own expiry"
    );
    emu.advance_clock(5 * MINUTE);
    assert_eq!(use_token(&emu, &old).await, 42001);
    assert_eq!(use_token(&emu, &new_token).await, 0);
}

#[tokio::test]
async fn force_refresh_invalidates_the_old_stable_token_at_once() {
    let emu = start().await;
    let old = stable_token(&emu, false).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let new = stable_token(&emu, true).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(old, new);
    assert_eq!(use_token(&emu, &old).await, 40001);
    assert_eq!(use_token(&emu, &new).await, 0);
}

#[tokio::test]
async fn force_refresh_is_limited_to_one_per_30_seconds_and_20_per_day() {
    let emu = start().await;
    // Start one minute into a UTC day, so the 20 refreshes (about 10 minutes) share a day.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let day = 86_400_000;
    emu.advance_clock(Duration::from_millis(day - now % day + 60_000));
    assert_eq!(stable_token(&emu, true).await["expires_in"], 7200);
    assert_eq!(errcode(&stable_token(&emu, true).await), 45011);
    for _ in 0..19 {
        emu.advance_clock(Duration::from_secs(31));
        assert!(stable_token(&emu, true).await["access_token"].is_string());
    }
    emu.advance_clock(Duration::from_secs(31));
    assert_eq!(errcode(&stable_token(&emu, true).await), 45009);
    emu.advance_clock(Duration::from_secs(86_400));
    assert!(
        stable_token(&emu, true).await["access_token"].is_string(),
        "a new day, a new quota"
    );
}

#[tokio::test]
async fn a_force_refresh_leaves_client_credential_tokens_alone() {
    let emu = start().await;
    let cc = token(&emu).await;
    let _ = stable_token(&emu, false).await;
    let _ = stable_token(&emu, true).await;
    emu.advance_clock(10 * MINUTE);
    assert_eq!(use_token(&emu, &cc).await, 0);
}

#[tokio::test]
async fn the_expire_hook_makes_every_token_expired() {
    let emu = start().await;
    let cc = token(&emu).await;
    let stable = stable_token(&emu, false).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = http()
        .post(format!("{}/__emulator/tokens/expire", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success());
    assert_eq!(use_token(&emu, &cc).await, 42001);
    assert_eq!(use_token(&emu, &stable).await, 42001);
    let fresh = stable_token(&emu, false).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, stable);
    assert_eq!(use_token(&emu, &fresh).await, 0);
}

#[tokio::test]
async fn a_third_party_platform_gets_an_authorizer_token_that_runs_statements() {
    let emu = start().await;
    let (component, secret, authorizer, refresh) = DEFAULT_COMPONENT;
    let base = emu.base_url();
    let ct = post_json(
        &format!("{base}/cgi-bin/component/api_component_token"),
        &json!({"component_appid": component, "component_appsecret": secret, "component_verify_ticket": "ticket@@@x"}),
    )
    .await;
    let ct = ct["component_access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{ct}"))
        .to_owned();
    assert_eq!(
        use_token(&emu, &ct).await,
        40001,
        "a component token cannot call the database"
    );
    let url = format!("{base}/cgi-bin/component/api_authorizer_token?component_access_token={ct}");
    let bad = post_json(&url, &json!({"component_appid": component, "authorizer_appid": authorizer, "authorizer_refresh_token": "wrong"})).await;
    assert_eq!(errcode(&bad), 61023);
    let at = post_json(&url, &json!({"component_appid": component, "authorizer_appid": authorizer, "authorizer_refresh_token": refresh})).await;
    let at = at["authorizer_access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{at}"))
        .to_owned();
    assert_eq!(use_token(&emu, &at).await, 0);
    assert_eq!(
        emu.stats()
            .token_fetches_from("/cgi-bin/component/api_authorizer_token"),
        1
    );
}

#[tokio::test]
async fn a_platform_appid_on_the_app_token_endpoint_is_61024_and_a_missing_ticket_61006() {
    let emu = start().await;
    let (component, secret, ..) = DEFAULT_COMPONENT;
    let url = token_url(&emu, component, secret);
    assert_eq!(errcode(&get_json(&url).await), 61024);
    let reply = post_json(
        &format!("{}/cgi-bin/component/api_component_token", emu.base_url()),
        &json!({"component_appid": component, "component_appsecret": secret}),
    )
    .await;
    assert_eq!(errcode(&reply), 61006);
}

#[tokio::test]
async fn extra_apps_each_get_their_own_tokens() {
    let emu = start_with(Emulator::builder().app("wxone", "s1").app("wxtwo", "s2")).await;
    assert_eq!(emu.appid(), "wxone");
    let url = |a: &str, s: &str| token_url(&emu, a, s);
    assert!(get_json(&url("wxtwo", "s2")).await["access_token"].is_string());
    assert_eq!(
        errcode(&get_json(&url("wxemulator", "emulator-secret")).await),
        40013,
        "the default app is replaced"
    );
    assert_eq!(emu.stats().token_fetches_from("/cgi-bin/token"), 1);
}
