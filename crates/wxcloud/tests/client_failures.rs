//! Failures: reads retry what is transient, writes never repeat once sent, and every bad
//! reply (HTML, empty, truncated, huge, none at all) is a typed error, never a panic.

mod support;

use std::borrow::Cow;
use std::time::Duration;

use serde_json::json;
use support::{ENV, Reply, Server, expect_err};
use wxcloud::ErrorKind;
use wxcloud::statement::ToStatement;

const AGG: &str = r#"db.collection("c").aggregate().limit(10).end()"#;
const ADD: &str = r#"db.collection("c").add({data:{a:1}})"#;
const COUNT: &str = r#"db.collection("c").count()"#;

fn html_502() -> Reply {
    Reply::Raw {
        status: 502,
        content_type: "text/html",
        body: b"<html><body>502 Bad Gateway</body></html>".to_vec(),
    }
}

fn ok_200(body: &[u8]) -> Reply {
    Reply::Raw {
        status: 200,
        content_type: "application/json",
        body: body.to_vec(),
    }
}

#[tokio::test]
async fn a_busy_service_twice_then_success_lets_an_aggregate_succeed() {
    let server = Server::start().await;
    server.script("/tcb/databaseaggregate", Reply::Errcode(-1));
    server.script("/tcb/databaseaggregate", Reply::Errcode(-1));
    server.script(
        "/tcb/databaseaggregate",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","data":["{\"a\":1}"]})),
    );

    let records = server.client().aggregate(AGG).await.expect("retried");

    assert_eq!(records.len(), 1);
    assert_eq!(server.count("/tcb/databaseaggregate"), 3);
}

#[tokio::test]
async fn a_busy_service_on_an_add_is_an_error_after_one_request() {
    let server = Server::start().await;
    server.script("/tcb/databaseadd", Reply::Errcode(-1));
    server.script("/tcb/databaseadd", Reply::Errcode(-1));

    let err = expect_err(server.client().add(ADD).await);

    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(err.errcode(), Some(-1));
    assert_eq!(
        server.count("/tcb/databaseadd"),
        1,
        "a write that may have run is never repeated"
    );
}

#[tokio::test]
async fn reads_give_up_after_the_retry_budget() {
    let server = Server::start().await;
    for _ in 0..10 {
        server.script("/tcb/databasecount", Reply::Errcode(-501001));
    }
    let err = expect_err(server.client_with(|b| b.max_retries(2)).count(COUNT).await);
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(
        server.count("/tcb/databasecount"),
        3,
        "one attempt and two retries"
    );
}

#[tokio::test]
async fn errors_that_a_repeat_cannot_fix_are_not_retried() {
    let server = Server::start().await;
    server.script("/tcb/databasecount", Reply::Errcode(-502002));
    server.script("/tcb/databasecount", Reply::Errcode(45011));
    let client = server.client();
    assert_eq!(
        expect_err(client.count(COUNT).await).kind(),
        ErrorKind::InvalidRequest
    );
    assert_eq!(
        expect_err(client.count(COUNT).await).kind(),
        ErrorKind::RateLimit
    );
    assert_eq!(server.count("/tcb/databasecount"), 2);
}

#[tokio::test]
async fn an_html_502_is_a_transport_error_retried_only_for_reads() {
    let server = Server::start().await;
    server.script("/tcb/databasecount", html_502());
    server.script("/tcb/databaseadd", html_502());
    let client = server.client();

    assert_eq!(client.count(COUNT).await.expect("read retried"), 0);
    assert_eq!(server.count("/tcb/databasecount"), 2);

    let err = expect_err(client.add(ADD).await);
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(
        matches!(
            err,
            wxcloud::Error::Transport {
                status: Some(502),
                request_sent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains("Bad Gateway"),
        "proxy pages are not quoted: {err}"
    );
    assert_eq!(server.count("/tcb/databaseadd"), 1);
}

#[tokio::test]
async fn an_empty_body_is_a_transport_error() {
    let server = Server::start().await;
    server.script("/tcb/databaseadd", ok_200(b""));
    let err = expect_err(server.client().add(ADD).await);
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.to_string().contains("empty"), "{err}");
}

#[tokio::test]
async fn truncated_json_is_a_transport_error() {
    let server = Server::start().await;
    server.script(
        "/tcb/databaseupdate",
        ok_200(br#"{"errcode":0,"errmsg":"ok","matched":1,"modi"#),
    );
    let err = expect_err(
        server
            .client()
            .update(r#"db.collection("c").where({}).update({data:{a:1}})"#)
            .await,
    );
    assert_eq!(err.kind(), ErrorKind::Transport);
}

#[tokio::test]
async fn a_reply_of_the_wrong_shape_is_a_decode_error() {
    let server = Server::start().await;
    server.script(
        "/tcb/databaseadd",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","id_list":"not a list"})),
    );
    assert_eq!(
        expect_err(server.client().add(ADD).await).kind(),
        ErrorKind::Decode
    );
}

#[tokio::test]
async fn a_20_mb_reply_is_refused_with_a_decode_error() {
    let server = Server::start().await;
    let mut body = br#"{"errcode":0,"errmsg":"ok","data":[""#.to_vec();
    body.extend(std::iter::repeat_n(b'x', 20 * 1024 * 1024));
    body.extend_from_slice(br#""]}"#);
    server.script("/tcb/databaseaggregate", ok_200(&body));

    let err = expect_err(server.client().aggregate(AGG).await);

    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("limit"), "{err}");
    assert_eq!(
        server.count("/tcb/databaseaggregate"),
        1,
        "an oversized reply is not fetched again"
    );
}

#[tokio::test]
async fn a_stalled_server_is_a_timeout() {
    let server = Server::start().await;
    for _ in 0..5 {
        server.script("/tcb/databasecount", Reply::Stall);
    }
    server.script("/tcb/databaseadd", Reply::Stall);
    let client = server.client_with(|b| b.timeout(Duration::from_millis(300)));

    let err = expect_err(client.count(COUNT).await);
    assert_eq!(err.kind(), ErrorKind::Timeout);

    let err = expect_err(client.add(ADD).await);
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(server.count("/tcb/databaseadd"), 1);
}

#[tokio::test]
async fn with_an_attempt_timeout_a_stalled_read_is_retried_and_a_stalled_write_is_not() {
    let server = Server::start().await;
    server.script("/tcb/databasecount", Reply::Stall);
    server.script("/tcb/databaseadd", Reply::Stall);
    let client = server.client_with(|b| {
        b.timeout(Duration::from_secs(10))
            .attempt_timeout(Duration::from_millis(300))
    });

    client
        .count(COUNT)
        .await
        .expect("the second attempt answers");
    assert_eq!(server.count("/tcb/databasecount"), 2);

    let err = expect_err(client.add(ADD).await);
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(server.count("/tcb/databaseadd"), 1);
}

#[tokio::test]
async fn a_stalled_token_endpoint_is_a_timeout_too() {
    let server = Server::start().await;
    server.script("/cgi-bin/stable_token", Reply::Stall);
    let client = server.client_with(|b| b.timeout(Duration::from_millis(300)));
    assert_eq!(
        expect_err(client.count(COUNT).await).kind(),
        ErrorKind::Timeout
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_that_never_reached_the_service() {
    // Bind and drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = wxcloud::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .env(ENV)
        .access_token(format!("{}x", support::TOKEN_PREFIX))
        .max_retries(1)
        .build()
        .unwrap();

    let err = expect_err(client.add(ADD).await);

    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(
        matches!(
            err,
            wxcloud::Error::Transport {
                request_sent: false,
                status: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.hint().unwrap().contains("connect"));
}

struct Unwritable;

impl ToStatement for Unwritable {
    fn to_statement(&self) -> wxcloud::Result<Cow<'_, str>> {
        Err(wxcloud::Error::statement(
            "$where cannot be written as a statement",
        ))
    }
}

#[tokio::test]
async fn a_statement_that_cannot_be_written_fails_before_anything_is_sent() {
    let server = Server::start().await;
    let err = expect_err(server.client().aggregate(Unwritable).await);
    assert_eq!(err.kind(), ErrorKind::Statement);
    assert_eq!(server.count("/tcb/databaseaggregate"), 0);
    assert_eq!(server.tokens_issued(), 0);
}

#[test]
fn configuration_errors_are_reported_by_build() {
    let no_credentials = expect_err(wxcloud::Client::builder().env(ENV).build());
    assert_eq!(no_credentials.kind(), ErrorKind::InvalidRequest);
    let bad_url = expect_err(
        wxcloud::Client::builder()
            .access_token("t")
            .base_url("ftp://x")
            .build(),
    );
    assert_eq!(bad_url.kind(), ErrorKind::InvalidRequest);
    let half = expect_err(wxcloud::Client::builder().appid("wx1").build());
    assert!(half.to_string().contains("no secret"));
}

#[test]
fn environment_variables_configure_the_builder() {
    let vars = [
        ("WXCLOUD_APPID", "wx-env"),
        ("WXCLOUD_SECRET", support::SECRET),
        ("WXCLOUD_ENV", "env-from-vars"),
        ("WXCLOUD_BASE_URL", "http://127.0.0.1:9"),
        ("WXCLOUD_TOKEN_MODE", "client_credential"),
        ("WXCLOUD_TIMEOUT", "2.5"),
    ];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let builder = wxcloud::ClientBuilder::from_lookup(lookup);
    assert!(builder.has_credentials());
    assert_eq!(builder.env_name(), Some("env-from-vars"));
    let client = builder.build().unwrap();
    assert_eq!(client.env(), Some("env-from-vars"));
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    support::assert_no_secrets(&format!("{client:?}"));

    let bad = wxcloud::ClientBuilder::from_lookup(|name| {
        (name == "WXCLOUD_TOKEN_MODE").then(|| "weekly".to_string())
    });
    assert_eq!(
        expect_err(bad.access_token("t").build()).kind(),
        ErrorKind::InvalidRequest
    );
    assert!(!wxcloud::ClientBuilder::from_lookup(|_| None).has_credentials());
}
