//! Cloud functions and temporary credentials over real sockets.

mod support;

use serde_json::json;
use support::{ENV, Reply, Server, expect_err};
use wxcloud::ErrorKind;

const INVOKE: &str = "/tcb/invokecloudfunction";

#[tokio::test]
async fn the_event_goes_in_the_body_and_env_and_name_in_the_url() {
    let server = Server::start().await;

    let got = server
        .client()
        .invoke_function("add", &json!({"a": 1, "b": [true, false]}))
        .await
        .expect("invoked");

    // The stand-in returns what it received, as the function's return value.
    assert_eq!(got["event"], json!({"a": 1, "b": [true, false]}));
    assert_eq!(got["env"], ENV);
    assert_eq!(got["name"], "add");
    let seen = &server.seen(INVOKE)[0];
    assert!(seen.query.contains_key("access_token"));
    assert_eq!(seen.query["env"], ENV);
}

#[tokio::test]
async fn the_env_of_a_with_env_clone_is_the_one_sent() {
    let server = Server::start().await;
    let got = server
        .client()
        .with_env("other-env")
        .invoke_function("f", &())
        .await
        .unwrap();
    assert_eq!(got["env"], "other-env");
}

#[tokio::test]
async fn no_event_is_sent_as_an_empty_object() {
    let server = Server::start().await;
    let client = server.client();

    let got = client.invoke_function("login", &()).await.unwrap();
    assert_eq!(got["event"], json!({}));
    assert_eq!(got["body_len"], 2);
    let got = client
        .invoke_function("login", &None::<String>)
        .await
        .unwrap();
    assert_eq!(got["event"], json!({}));
}

#[tokio::test]
async fn raw_and_typed_forms_of_the_return_value() {
    let server = Server::start().await;
    let client = server.client();
    server.script(
        INVOKE,
        Reply::Json(json!({"errcode": 0, "errmsg": "ok", "resp_data": "{\"sum\":3}"})),
    );
    assert_eq!(
        client.invoke_function_raw("add", &()).await.unwrap(),
        "{\"sum\":3}"
    );

    #[derive(serde::Deserialize)]
    struct Sum {
        sum: i64,
    }
    server.script(
        INVOKE,
        Reply::Json(json!({"errcode": 0, "errmsg": "ok", "resp_data": "{\"sum\":3}"})),
    );
    let sum: Sum = client.invoke_function_as("add", &()).await.unwrap();
    assert_eq!(sum.sum, 3);

    server.script(
        INVOKE,
        Reply::Json(json!({"errcode": 0, "errmsg": "ok", "resp_data": ""})),
    );
    assert_eq!(
        client.invoke_function("noop", &()).await.unwrap(),
        serde_json::Value::Null
    );

    server.script(
        INVOKE,
        Reply::Json(json!({"errcode": 0, "errmsg": "ok", "resp_data": "not json"})),
    );
    let err = expect_err(client.invoke_function("bad", &()).await);
    assert_eq!(err.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn a_busy_service_on_invoke_is_not_repeated() {
    let server = Server::start().await;
    server.script(INVOKE, Reply::Errcode(-1));

    let err = expect_err(server.client().invoke_function("f", &()).await);

    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(
        server.count(INVOKE),
        1,
        "a function that may have run is not run again"
    );
}

#[tokio::test]
async fn html_empty_and_truncated_replies_are_typed_errors() {
    let server = Server::start().await;
    let client = server.client();
    let replies = [
        (502, "text/html", b"<html>502</html>".to_vec()),
        (200, "application/json", Vec::new()),
        (
            200,
            "application/json",
            b"{\"errcode\":0,\"resp_da".to_vec(),
        ),
    ];
    for (status, content_type, body) in replies {
        server.script(
            INVOKE,
            Reply::Raw {
                status,
                content_type,
                body,
            },
        );
        let err = expect_err(client.invoke_function("f", &()).await);
        assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    }
    assert_eq!(server.count(INVOKE), 3, "none of them repeated");
}

#[tokio::test]
async fn bad_names_and_oversized_events_are_refused_before_sending() {
    let server = Server::start().await;
    let client = server.client();
    for name in ["", "has space", "1starts-with-digit", "a/b"] {
        let err = expect_err(client.invoke_function(name, &()).await);
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{name:?}");
    }
    let big = json!({ "blob": "x".repeat(wxcloud::MAX_EVENT_BYTES) });
    let err = expect_err(client.invoke_function("f", &big).await);
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(server.count(INVOKE), 0);
    assert_eq!(server.tokens_issued(), 0);
}

#[tokio::test]
async fn qcloud_token_returns_credentials_whose_debug_hides_the_secret() {
    let server = Server::start().await;

    let creds = server
        .client()
        .qcloud_token(std::time::Duration::from_secs(1800))
        .await
        .unwrap();

    assert_eq!(server.seen("/tcb/getqcloudtoken")[0].body["lifespan"], 1800);
    assert_eq!(creds.secret_id, "AKIDtestid");
    assert!(creds.secret_key.starts_with(support::storage::COS_SECRET));
    assert_eq!(creds.expired_time, 1_700_001_800);
    support::assert_no_secrets(&format!("{creds:?}"));
}
