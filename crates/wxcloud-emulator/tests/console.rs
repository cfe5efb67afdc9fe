//! The web console and its JSON endpoints under `/__emulator/`, over real sockets.

mod support;

use serde_json::{Value, json};
use support::*;
use wxcloud_emulator::{Emulator, RunningEmulator};

fn url(emu: &RunningEmulator, path: &str) -> String {
    format!("{}{path}", emu.base_url())
}

#[tokio::test]
async fn the_console_page_and_its_assets_are_served_at_the_root_and_under_ui() {
    let emu = start().await;
    for path in ["/", "/__emulator/ui/"] {
        let reply = http().get(url(&emu, path)).send().await.unwrap();
        assert_eq!(reply.status(), 200);
        assert!(
            reply.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = reply.text().await.unwrap();
        assert!(page.contains("<title>wxcloud emulator</title>"), "{page}");
        assert!(page.contains("/__emulator/ui/app.js"));
    }
    for (path, kind) in [
        ("/__emulator/ui/app.js", "text/javascript"),
        ("/__emulator/ui/style.css", "text/css"),
    ] {
        let reply = http().get(url(&emu, path)).send().await.unwrap();
        assert_eq!(reply.status(), 200);
        assert!(
            reply.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assert!(
            reply.text().await.unwrap().len() > 500,
            "{path} has content"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn collections_documents_and_indexes_are_browsed_and_changed_through_the_console_api() {
    let emu = start().await;
    let env = emu.env().to_owned();
    ok(json_reply(
        http()
            .post(url(&emu, &format!("/__emulator/db/{env}")))
            .json(&json!({"name": "people"})),
    )
    .await);
    let add = url(&emu, &format!("/__emulator/db/{env}/people/documents"));
    for i in 0..250 {
        let doc = json!({"_id": format!("p{i:03}"), "n": i, "big": {"$numberLong": "9007199254740993"}, "at": {"$date": "2026-12-04T00:00:00Z"}});
        ok(json_reply(http().post(&add).json(&doc)).await);
    }
    let envs = ok(get_json(&url(&emu, "/__emulator/db")).await);
    let people = envs["envs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["env"] == env)
        .and_then(|e| {
            e["collections"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == "people")
                .cloned()
        })
        .expect("people is listed");
    assert_eq!(people["count"], 250);
    assert!(people["size"].as_u64().unwrap() > 0);

    // Newest first by default, pages of 50; types stay visible as canonical Extended JSON.
    let page = ok(get_json(&format!("{add}?offset=50&limit=50")).await);
    assert_eq!(page["total"], 250);
    let docs = page["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 50);
    assert_eq!(docs[0]["_id"], "p199");
    assert_eq!(docs[0]["n"], json!(199), "an Int32 is a plain number");
    assert_eq!(docs[0]["big"], json!({"$numberLong": "9007199254740993"}));
    assert!(docs[0]["at"]["$date"].is_object(), "{}", docs[0]["at"]);
    let sorted = ok(get_json(&format!("{add}?sort=n&order=asc&limit=3")).await);
    let ids: Vec<&Value> = sorted["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["_id"])
        .collect();
    assert_eq!(ids, [&json!("p000"), &json!("p001"), &json!("p002")]);
    let bad_order = get_json(&format!("{add}?sort=n&order=sideways")).await;
    assert_eq!(errcode(&bad_order), 40097, "{bad_order}");

    // An edit is seen by a client of the service API.
    ok(json_reply(
        http()
            .put(&add)
            .json(&json!({"_id": "p007", "n": 7, "name": "edited"})),
    )
    .await);
    let t = token(&emu).await;
    let seen = query_records(&emu, &t, r#"db.collection("people").doc("p007").get()"#).await;
    assert_eq!(
        seen[0].get("name"),
        Some(&wxcloud::Value::String("edited".into()))
    );
    let gone = json_reply(http().put(&add).json(&json!({"_id": "nope", "n": 1}))).await;
    assert_ne!(
        errcode(&gone),
        0,
        "an edit never creates a document: {gone}"
    );
    let invalid = json_reply(http().post(&add).body("{\"n\": {\"$numberLong\": 5}}")).await;
    assert_eq!(errcode(&invalid), 40097, "{invalid}");
    assert!(
        invalid["errmsg"].as_str().unwrap().contains("document"),
        "{invalid}"
    );

    let deleted = ok(json_reply(
        http()
            .post(format!("{add}/delete"))
            .json(&json!({"_id": "p007"})),
    )
    .await);
    assert_eq!(deleted["deleted"], 1);
    let count = run_ok(
        &emu,
        &t,
        "databasecount",
        r#"db.collection("people").count()"#,
    )
    .await;
    assert_eq!(count["count"], 249);

    let indexes = url(&emu, &format!("/__emulator/db/{env}/people/indexes"));
    ok(json_reply(http().post(&indexes).json(
        &json!({"name": "by_n", "unique": true, "keys": [{"name": "n", "direction": "1"}]}),
    ))
    .await);
    let envs = ok(get_json(&url(&emu, "/__emulator/db")).await).to_string();
    assert!(envs.contains("\"by_n\""), "{envs}");
    ok(json_reply(http().delete(format!("{indexes}/by_n"))).await);
    assert!(
        !ok(get_json(&url(&emu, "/__emulator/db")).await)
            .to_string()
            .contains("\"by_n\"")
    );

    ok(json_reply(http().delete(url(&emu, &format!("/__emulator/db/{env}/people")))).await);
    let missing = get_json(&add).await;
    assert_eq!(errcode(&missing), -502005, "{missing}");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_statement_endpoint_runs_any_statement_and_explains_failures() {
    let emu = start().await;
    let statement = url(&emu, "/__emulator/statement");
    let reply = ok(json_reply(http().post(&statement).json(&json!({"env": emu.env(), "statement": r#"db.collection("test_collection").aggregate().match({tags: "cloud"}).end()"#}))).await);
    assert_eq!(reply["kind"], "aggregate");
    assert_eq!(reply["data"].as_array().unwrap().len(), 4);
    let reply = ok(json_reply(http().post(&statement).json(
        &json!({"env": emu.env(), "statement": r#"db.collection("test_collection").count()"#}),
    ))
    .await);
    assert_eq!(
        (reply["kind"].clone(), reply["count"].clone()),
        (json!("count"), json!(4))
    );
    let failed = json_reply(
        http()
            .post(&statement)
            .json(&json!({"env": emu.env(), "statement": r#"db.collection("no_such").get()"#})),
    )
    .await;
    assert_eq!(errcode(&failed), -502005, "{failed}");
    assert!(
        failed["hint"].as_str().is_some_and(|h| !h.is_empty()),
        "{failed}"
    );
    let illegal = json_reply(
        http()
            .post(&statement)
            .json(&json!({"env": emu.env(), "statement": "db.collection(\"x\").frobnicate()"})),
    )
    .await;
    assert_eq!(errcode(&illegal), -502002, "{illegal}");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_request_log_lists_calls_with_errcodes_and_never_shows_a_token_or_secret() {
    let emu = start().await;
    let t = token(&emu).await;
    run_ok(
        &emu,
        &t,
        "databasequery",
        r#"db.collection("test_collection").get()"#,
    )
    .await;
    let failed = run(
        &emu,
        &t,
        "databasequery",
        r#"db.collection("no_such").get()"#,
    )
    .await;
    assert_eq!(errcode(&failed), -502005);
    stable_token(&emu, false).await;

    let log = ok(get_json(&url(&emu, "/__emulator/requests")).await);
    let entries = log["requests"].as_array().unwrap();
    let paths: Vec<&str> = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "/cgi-bin/token",
            "/tcb/databasequery",
            "/tcb/databasequery",
            "/cgi-bin/stable_token"
        ]
    );
    assert_eq!(entries[1]["errcode"], 0);
    assert_eq!(entries[2]["errcode"], -502005);
    assert!(
        entries
            .iter()
            .all(|e| e["duration_ms"].as_f64().is_some() && e["status"] == 200)
    );
    let only_failed = ok(get_json(&url(&emu, "/__emulator/requests?errcode=-502005")).await);
    assert_eq!(only_failed["requests"].as_array().unwrap().len(), 1);
    let by_path = ok(get_json(&url(&emu, "/__emulator/requests?path=stable")).await);
    assert_eq!(by_path["requests"].as_array().unwrap().len(), 1);
    let after = log["requests"][1]["seq"].as_u64().unwrap();
    let newer = ok(get_json(&url(&emu, &format!("/__emulator/requests?after={after}"))).await);
    assert_eq!(newer["requests"].as_array().unwrap().len(), 2);

    let mut shown = log.to_string();
    for e in entries {
        let detail = ok(get_json(&url(&emu, &format!("/__emulator/requests/{}", e["seq"]))).await);
        shown.push_str(&detail.to_string());
    }
    let stable = ok(get_json(&url(&emu, "/__emulator/tokens")).await);
    shown.push_str(&stable.to_string());
    assert!(shown.contains("no_such"), "bodies are shown: {shown}");
    assert!(
        shown.contains("access_token=") && shown.contains("…"),
        "the token is there, masked"
    );
    assert!(!shown.contains(&t), "a token leaked: {shown}");
    assert!(
        !shown.contains(emu.secret()),
        "the app secret leaked: {shown}"
    );
    assert!(!shown.contains(&t[..12]), "a token prefix leaked");

    ok(json_reply(http().delete(url(&emu, "/__emulator/requests"))).await);
    let empty = ok(get_json(&url(&emu, "/__emulator/requests")).await);
    assert!(empty["requests"].as_array().unwrap().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn tokens_are_listed_masked_with_expiry_and_faults_are_listed_and_cleared() {
    let emu = start().await;
    let t = token(&emu).await;
    let tokens = ok(get_json(&url(&emu, "/__emulator/tokens")).await);
    let list = tokens["tokens"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["state"], "valid");
    assert_eq!(list[0]["kind"], "client_credential");
    assert!((7190..=7200).contains(&list[0]["expires_in"].as_i64().unwrap()));
    assert_eq!(
        list[0]["token"].as_str().unwrap(),
        format!("{}…(136 chars)", &t[..4])
    );
    ok(post_json(&url(&emu, "/__emulator/tokens/expire"), &json!({})).await);
    let tokens = ok(get_json(&url(&emu, "/__emulator/tokens")).await);
    assert_eq!(tokens["tokens"][0]["state"], "expired");

    ok(post_json(
        &url(&emu, "/__emulator/faults"),
        &json!({"path": "/tcb/databasequery", "errcode": -1, "times": 3}),
    )
    .await);
    let faults = ok(get_json(&url(&emu, "/__emulator/faults")).await);
    assert_eq!(faults["faults"][0]["path"], "/tcb/databasequery");
    assert_eq!(faults["faults"][0]["left"], 3);
    ok(json_reply(http().delete(url(&emu, "/__emulator/faults"))).await);
    let faults = ok(get_json(&url(&emu, "/__emulator/faults")).await);
    assert!(faults["faults"].as_array().unwrap().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn files_uploaded_through_the_console_are_listed_served_and_downloadable_by_clients() {
    let emu = start().await;
    let env = emu.env().to_owned();
    let files = url(&emu, &format!("/__emulator/files/{env}"));
    let up = ok(json_reply(
        http()
            .post(format!("{files}?path=notes/hello.txt"))
            .body("hello console"),
    )
    .await);
    assert_eq!(up["size"], 13);
    let list = ok(get_json(&url(&emu, &format!("/__emulator/files?env={env}"))).await);
    let f = &list["files"][0];
    assert_eq!(
        (f["path"].clone(), f["size"].clone()),
        (json!("notes/hello.txt"), json!(13))
    );
    assert!(
        f["content_type"]
            .as_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(f["uploaded_ms"].as_i64().unwrap() > 0);
    let content = http()
        .get(format!("{files}?path=notes/hello.txt"))
        .send()
        .await
        .unwrap();
    assert!(
        content.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(content.text().await.unwrap(), "hello console");
    let download = http()
        .get(format!("{files}?path=notes/hello.txt&download=1"))
        .send()
        .await
        .unwrap();
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );

    // A client of the service API downloads it like any uploaded file.
    let t = token(&emu).await;
    let file_id = f["file_id"].as_str().unwrap();
    let links = ok(tcb(
        &emu,
        &t,
        "batchdownloadfile",
        json!({"env": env, "file_list": [{"fileid": file_id, "max_age": 60}]}),
    )
    .await);
    let link = links["file_list"][0]["download_url"].as_str().unwrap();
    assert_eq!(
        http().get(link).send().await.unwrap().text().await.unwrap(),
        "hello console"
    );

    ok(json_reply(http().delete(format!("{files}?path=notes/hello.txt"))).await);
    let missing = get_json(&format!("{files}?path=notes/hello.txt")).await;
    assert_eq!(errcode(&missing), -503003, "{missing}");
    let bad = json_reply(http().post(format!("{files}?path=../up")).body("x")).await;
    assert_eq!(errcode(&bad), 40097, "{bad}");
    emu.shutdown().await;
}

#[tokio::test]
async fn function_calls_are_listed_with_event_reply_errcode_and_masked_secrets() {
    let emu = start_with(
        Emulator::builder()
            .in_memory()
            .function("echo", |event: Value| async move { Ok::<_, String>(event) })
            .function("fails", |_e: Value| async move {
                Err::<Value, _>("boom".to_owned())
            }),
    )
    .await;
    let t = token(&emu).await;
    let call = |name: &str, event: Value| {
        let u = url(
            &emu,
            &format!(
                "/tcb/invokecloudfunction?access_token={t}&env={}&name={name}",
                emu.env()
            ),
        );
        async move { json_reply(http().post(u).json(&event)).await }
    };
    ok(call("echo", json!({"x": 1, "password": "hunter2-very-secret"})).await);
    assert_eq!(errcode(&call("fails", json!({})).await), -504002);
    let listed = ok(get_json(&url(&emu, "/__emulator/functions")).await);
    assert_eq!(listed["functions"], json!(["echo", "fails"]));
    let calls = listed["invocations"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0]["name"].clone(), calls[0]["errcode"].clone()),
        (json!("fails"), json!(-504002))
    );
    assert_eq!(calls[1]["event"]["x"], 1);
    assert_eq!(calls[1]["reply"]["x"], 1);
    assert_eq!(calls[1]["errcode"], 0);
    assert!(calls[1]["duration_ms"].as_f64().is_some());
    assert!(
        !listed.to_string().contains("hunter2-very-secret"),
        "{listed}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_request_log_of_capacity_zero_keeps_nothing() {
    let emu = start_with(Emulator::builder().in_memory().request_log(0)).await;
    token(&emu).await;
    let log = ok(get_json(&url(&emu, "/__emulator/requests")).await);
    assert_eq!(log["requests"], json!([]));
    assert_eq!(log["last_seq"], 0);
    emu.shutdown().await;
}

/// The machine's own non-loopback address, if it has one.
fn own_address() -> Option<std::net::IpAddr> {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    probe.connect("192.0.2.1:9").ok()?;
    let ip = probe.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn the_console_and_its_endpoints_refuse_clients_from_other_machines() {
    let Some(ip) = own_address() else {
        eprintln!("no non-loopback address on this machine: nothing to check");
        return;
    };
    let emu = start_with(Emulator::builder().in_memory().host("0.0.0.0")).await;
    let port = emu.base_url().rsplit(':').next().unwrap().to_owned();
    for path in [
        "/",
        "/__emulator/ui/",
        "/__emulator/db",
        "/__emulator/requests",
        "/__emulator/files",
    ] {
        let reply = http()
            .get(format!("http://{ip}:{port}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 403, "{path}");
        let body: Value = reply.json().await.unwrap();
        assert_eq!(errcode(&body), 48001);
    }
    emu.shutdown().await;
}
