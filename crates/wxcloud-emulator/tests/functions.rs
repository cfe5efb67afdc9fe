//! `invokecloudfunction`: in-process handlers and URL-forwarded functions, with the service's
//! reply shape and its errcodes for every way a call can fail.

mod support;

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use serde_json::{Value, json};
use support::*;
use wxcloud_emulator::{Emulator, FunctionReply, RunningEmulator};

fn invoke_url(emu: &RunningEmulator, token: &str, name: &str) -> String {
    format!(
        "{}/tcb/invokecloudfunction?access_token={token}&env={}&name={name}",
        emu.base_url(),
        emu.env()
    )
}

/// POSTs a raw body to invokecloudfunction and returns the JSON reply.
async fn invoke_raw(emu: &RunningEmulator, token: &str, name: &str, body: &str) -> Value {
    http()
        .post(invoke_url(emu, token, name))
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn with_functions() -> RunningEmulator {
    start_with(
        Emulator::builder()
            .function("echo", |event: Value| async move { Ok::<_, String>(event) })
            .function("add", |event: Value| async move {
                let sum = event["a"].as_i64().unwrap_or(0) + event["b"].as_i64().unwrap_or(0);
                Ok::<_, String>(json!({ "sum": sum }))
            })
            .function("raises", |_e: Value| async move {
                Err::<Value, _>("TypeError: x is undefined".to_owned())
            })
            .function("panics", |_e: Value| async move {
                if true {
                    panic!("handler bug");
                }
                Ok::<Value, String>(Value::Null)
            })
            .function("not_json", |_e: Value| async move {
                Ok::<_, String>(FunctionReply::Text("<html>oops</html>".into()))
            })
            .function("text_json", |_e: Value| async move {
                Ok::<_, String>("[1, 2]".to_owned())
            })
            .function("huge", |_e: Value| async move {
                Ok::<_, String>(json!("x".repeat(6 * 1024 * 1024 + 1)))
            })
            .function("slow", |_e: Value| async move {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok::<_, String>(json!("late"))
            })
            .function_timeout(Duration::from_millis(300)),
    )
    .await
}

#[tokio::test]
async fn a_handler_gets_the_event_with_user_info_and_its_return_value_is_resp_data() {
    let emu = with_functions().await;
    let t = token(&emu).await;
    let reply = ok(invoke_raw(&emu, &t, "echo", r#"{"x": [1, "two"]}"#).await);
    let resp: Value = serde_json::from_str(reply["resp_data"].as_str().unwrap()).unwrap();
    assert_eq!(
        resp,
        json!({"x": [1, "two"], "userInfo": {"appId": emu.appid()}})
    );
    let reply = ok(invoke_raw(&emu, &t, "add", r#"{"a": 2, "b": 40}"#).await);
    assert_eq!(reply["resp_data"], r#"{"sum":42}"#);
    let reply = ok(invoke_raw(&emu, &t, "text_json", "{}").await);
    assert_eq!(
        reply["resp_data"], "[1, 2]",
        "JSON text is passed through as is"
    );
}

#[tokio::test]
async fn each_failure_gets_the_service_errcode() {
    let emu = with_functions().await;
    let t = token(&emu).await;
    let cases = [
        (
            "missing",
            -501000,
            "FunctionName parameter could not be found.",
        ),
        (
            "raises",
            -504002,
            "functions execute fail: TypeError: x is undefined",
        ),
        (
            "panics",
            -504002,
            "functions execute fail: the function panicked",
        ),
        (
            "not_json",
            -504002,
            "functions execute fail: the function's return value is not JSON",
        ),
        (
            "huge",
            -504002,
            "functions execute fail: the size of response exceeds the upper limit (6MB)",
        ),
        ("slow", -504003, "Invoking task timed out after 0.3 seconds"),
    ];
    for (name, code, msg) in cases {
        let reply = invoke_raw(&emu, &t, name, "{}").await;
        assert_eq!(errcode(&reply), code, "{name}: {reply}");
        assert_eq!(reply["errmsg"], msg, "{name}");
        assert!(reply.get("resp_data").is_none(), "{name}: {reply}");
    }
    // The emulator keeps serving after a panicking handler.
    ok(invoke_raw(&emu, &t, "echo", "{}").await);
}

#[tokio::test]
async fn bad_calls_are_refused_before_the_function_runs() {
    let emu = with_functions().await;
    let t = token(&emu).await;
    assert_eq!(errcode(&invoke_raw(&emu, &t, "echo", "").await), 44002);
    assert_eq!(
        errcode(&invoke_raw(&emu, &t, "echo", "not json").await),
        47001
    );
    assert_eq!(errcode(&invoke_raw(&emu, &t, "echo", "[1]").await), 47001);
    let big = format!(r#"{{"x": "{}"}}"#, "y".repeat(6 * 1024 * 1024));
    assert_eq!(errcode(&invoke_raw(&emu, &t, "echo", &big).await), -501000);
    assert_eq!(errcode(&invoke_raw(&emu, "", "echo", "{}").await), 41001);
    let no_env = format!(
        "{}/tcb/invokecloudfunction?access_token={t}&name=echo",
        emu.base_url()
    );
    assert_eq!(errcode(&post_json(&no_env, &json!({})).await), 40101);
    let other_env = format!(
        "{}/tcb/invokecloudfunction?access_token={t}&env=nope&name=echo",
        emu.base_url()
    );
    assert_eq!(errcode(&post_json(&other_env, &json!({})).await), -501007);
    let get = http()
        .get(invoke_url(&emu, &t, "echo"))
        .send()
        .await
        .unwrap();
    assert_eq!(errcode(&get.json().await.unwrap()), 43002);
}

#[tokio::test]
async fn the_open_platform_form_takes_env_name_and_req_data_from_the_body() {
    let emu = with_functions().await;
    let t = token(&emu).await;
    let body = json!({"env": emu.env(), "name": "add", "req_data": "{\"a\":1,\"b\":1}"});
    let reply = ok(tcb(&emu, &t, "invokecloudfunction", body).await);
    assert_eq!(reply["resp_data"], r#"{"sum":2}"#);
}

/// A function server: `/fn` echoes the event back, `/boom` answers 500, `/text` answers text.
async fn function_server() -> (String, tokio::task::JoinHandle<()>) {
    let app = Router::new()
        .route(
            "/fn",
            post(|axum::Json(event): axum::Json<Value>| async move {
                axum::Json(json!({"got": event}))
            }),
        )
        .route(
            "/boom",
            post(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "it broke") }),
        )
        .route("/text", post(|| async { "plain words" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, task)
}

#[tokio::test]
async fn a_url_function_receives_the_event_as_a_json_post_and_its_body_is_resp_data() {
    let (base, server) = function_server().await;
    let emu = start_with(
        Emulator::builder()
            .function_url("remote", format!("{base}/fn"))
            .function_url("boom", format!("{base}/boom"))
            .function_url("text", format!("{base}/text"))
            .function_url("gone", "http://127.0.0.1:9/nothing-listens-here"),
    )
    .await;
    let t = token(&emu).await;
    let reply = ok(invoke_raw(&emu, &t, "remote", r#"{"k": "v"}"#).await);
    let resp: Value = serde_json::from_str(reply["resp_data"].as_str().unwrap()).unwrap();
    assert_eq!(
        resp,
        json!({"got": {"k": "v", "userInfo": {"appId": emu.appid()}}})
    );
    let boom = invoke_raw(&emu, &t, "boom", "{}").await;
    assert_eq!(errcode(&boom), -504002, "{boom}");
    assert!(
        boom["errmsg"].as_str().unwrap().contains("HTTP 500"),
        "{boom}"
    );
    let text = invoke_raw(&emu, &t, "text", "{}").await;
    assert_eq!(errcode(&text), -504002, "{text}");
    let gone = invoke_raw(&emu, &t, "gone", "{}").await;
    assert_eq!(errcode(&gone), -504002, "{gone}");
    server.abort();
}

#[tokio::test]
async fn a_function_url_stays_out_of_debug_output_and_errmsgs() {
    let secret_url = "http://127.0.0.1:9/fn?key=SECRET-IN-URL";
    let builder = Emulator::builder().function_url("gone", secret_url);
    let debug = format!("{builder:?}");
    assert!(
        debug.contains("gone") && !debug.contains("SECRET"),
        "{debug}"
    );
    let emu = start_with(builder).await;
    let t = token(&emu).await;
    let reply = invoke_raw(&emu, &t, "gone", "{}").await;
    assert_eq!(errcode(&reply), -504002);
    assert!(!reply.to_string().contains("SECRET"), "{reply}");
}
