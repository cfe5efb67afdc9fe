//! The Rust client's cloud-function calls against the emulator's in-process functions.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{client, fail_with, requests, start_with};
use wxcloud::ErrorKind;
use wxcloud_emulator::{Emulator, RunningEmulator};

async fn with_functions() -> RunningEmulator {
    start_with(
        Emulator::builder()
            .in_memory()
            .function("echo", |event: Value| async move { Ok::<_, String>(event) })
            .function("add", |event: Value| async move {
                let sum = event["a"].as_i64().unwrap_or(0) + event["b"].as_i64().unwrap_or(0);
                Ok::<_, String>(json!({ "sum": sum }))
            })
            .function("raises", |_e: Value| async move {
                Err::<Value, _>("TypeError: x is undefined".to_owned())
            })
            .function("slow", |_e: Value| async move {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok::<_, String>(Value::Null)
            })
            .function_timeout(Duration::from_millis(200)),
    )
    .await
}

#[tokio::test]
async fn a_function_gets_the_event_and_its_return_value_comes_back_decoded() {
    let emu = with_functions().await;
    let client = client(&emu);

    let sum = client
        .invoke_function("add", &json!({"a": 2, "b": 40}))
        .await
        .unwrap();
    assert_eq!(sum, json!({"sum": 42}));

    #[derive(serde::Deserialize)]
    struct Sum {
        sum: i64,
    }
    let typed: Sum = client
        .invoke_function_as("add", &json!({"a": 1, "b": 1}))
        .await
        .unwrap();
    assert_eq!(typed.sum, 2);
    let raw = client
        .invoke_function_raw("add", &json!({"a": 1, "b": 2}))
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&raw).unwrap(),
        json!({"sum": 3})
    );

    // No event: the function gets {} plus the caller's userInfo, as over HTTP.
    let echoed = client.invoke_function("echo", &()).await.unwrap();
    assert_eq!(echoed["userInfo"]["appId"], emu.appid());
    let echoed = client
        .invoke_function(
            "echo",
            &json!({"nested": {"list": [1, "two", null, false]}}),
        )
        .await
        .unwrap();
    assert_eq!(echoed["nested"], json!({"list": [1, "two", null, false]}));
}

#[tokio::test]
async fn failures_get_the_service_errcodes() {
    let emu = with_functions().await;
    let client = client(&emu);

    let unknown = client.invoke_function("nope", &()).await.unwrap_err();
    assert_eq!(unknown.errcode(), Some(-501000));
    assert_eq!(unknown.kind(), ErrorKind::InvalidRequest);
    assert!(unknown.hint().unwrap().contains("function"));

    let raised = client.invoke_function("raises", &()).await.unwrap_err();
    assert_eq!(raised.errcode(), Some(-504002));
    assert!(raised.errmsg().unwrap().contains("TypeError"), "{raised}");

    let slow = client.invoke_function("slow", &()).await.unwrap_err();
    assert_eq!(slow.errcode(), Some(-504003));
    assert!(slow.hint().unwrap().contains("time limit"));
}

#[tokio::test]
async fn a_busy_service_on_invoke_is_one_request() {
    let emu = with_functions().await;
    let client = client(&emu);
    fail_with(&emu, "/tcb/invokecloudfunction", -1, 5);

    let err = client
        .invoke_function("add", &json!({"a": 1}))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(
        requests(&emu, "/tcb/invokecloudfunction").await,
        1,
        "a function that may have run is not run again"
    );
}

#[tokio::test]
async fn an_oversized_event_is_refused_before_sending() {
    let emu = with_functions().await;
    let big = json!({ "blob": "x".repeat(wxcloud::MAX_EVENT_BYTES) });

    let err = client(&emu)
        .invoke_function("echo", &big)
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(requests(&emu, "/tcb/invokecloudfunction").await, 0);
}
