//! Every error code of the database endpoints, over plain HTTP.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn a_get_to_a_database_endpoint_is_43002() {
    let emu = start().await;
    let t = token(&emu).await;
    let reply = get_json(&format!(
        "{}/tcb/databasequery?access_token={t}",
        emu.base_url()
    ))
    .await;
    assert_eq!(errcode(&reply), 43002);
}

#[tokio::test]
async fn a_get_to_stable_token_is_43002() {
    let emu = start().await;
    assert_eq!(
        errcode(&get_json(&format!("{}/cgi-bin/stable_token", emu.base_url())).await),
        43002
    );
}

#[tokio::test]
async fn an_empty_body_is_44002() {
    let emu = start().await;
    let t = token(&emu).await;
    let url = format!("{}/tcb/databasequery?access_token={t}", emu.base_url());
    let reply: serde_json::Value = http()
        .post(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(errcode(&reply), 44002);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_47001() {
    let emu = start().await;
    let t = token(&emu).await;
    let url = format!("{}/tcb/databasequery?access_token={t}", emu.base_url());
    for body in ["{not json", "[1,2]", "\"text\""] {
        let reply: serde_json::Value = http()
            .post(&url)
            .body(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(errcode(&reply), 47001, "body {body}");
    }
}

#[tokio::test]
async fn a_missing_token_is_41001() {
    let emu = start().await;
    for url in [
        format!("{}/tcb/databasequery", emu.base_url()),
        format!("{}/tcb/databasequery?access_token=", emu.base_url()),
    ] {
        let reply = post_json(
            &url,
            &json!({"env": emu.env(), "query": "db.collection(\"test_collection\").get()"}),
        )
        .await;
        assert_eq!(errcode(&reply), 41001);
    }
}

#[tokio::test]
async fn a_malformed_token_is_40014_and_an_unknown_one_40001() {
    let emu = start().await;
    let body = json!({"env": emu.env(), "query": "db.collection(\"test_collection\").get()"});
    assert_eq!(
        errcode(&tcb(&emu, "not%20a%20token", "databasequery", body.clone()).await),
        40014
    );
    let unknown = "A".repeat(136);
    assert_eq!(
        errcode(&tcb(&emu, &unknown, "databasequery", body).await),
        40001
    );
}

#[tokio::test]
async fn an_expired_token_is_42001() {
    let emu = start().await;
    let t = token(&emu).await;
    emu.advance_clock(std::time::Duration::from_secs(7201));
    let reply = run(
        &emu,
        &t,
        "databasequery",
        "db.collection(\"test_collection\").get()",
    )
    .await;
    assert_eq!(errcode(&reply), 42001);
}

#[tokio::test]
async fn a_missing_field_is_40101_and_a_mistyped_one_40097() {
    let emu = start().await;
    let t = token(&emu).await;
    assert_eq!(
        errcode(&tcb(&emu, &t, "databasequery", json!({"env": emu.env()})).await),
        40101
    );
    assert_eq!(
        errcode(&tcb(&emu, &t, "databasequery", json!({"query": "x"})).await),
        40101
    );
    assert_eq!(
        errcode(
            &tcb(
                &emu,
                &t,
                "databasequery",
                json!({"env": emu.env(), "query": 5})
            )
            .await
        ),
        40097
    );
    let listing = json!({"env": emu.env(), "limit": "ten"});
    assert_eq!(
        errcode(&tcb(&emu, &t, "databasecollectionget", listing).await),
        40097
    );
}

#[tokio::test]
async fn an_unknown_env_is_501007() {
    let emu = start().await;
    let t = token(&emu).await;
    let reply = tcb(
        &emu,
        &t,
        "databasequery",
        json!({"env": "nope-123", "query": "db.collection(\"a\").get()"}),
    )
    .await;
    assert_eq!(errcode(&reply), -501007);
}

#[tokio::test]
async fn a_missing_collection_is_502005() {
    let emu = start().await;
    let t = token(&emu).await;
    for (op, statement) in [
        ("databasequery", "db.collection(\"missing\").get()"),
        (
            "databaseadd",
            "db.collection(\"missing\").add({data: {a: 1}})",
        ),
        (
            "databaseaggregate",
            "db.collection(\"missing\").aggregate().end()",
        ),
    ] {
        assert_eq!(
            errcode(&run(&emu, &t, op, statement).await),
            -502005,
            "{op}"
        );
    }
    let drop = json!({"env": emu.env(), "collection_name": "missing"});
    assert_eq!(
        errcode(&tcb(&emu, &t, "databasecollectiondelete", drop).await),
        -502005
    );
}

#[tokio::test]
async fn a_statement_it_cannot_accept_is_502002_with_line_and_column() {
    let emu = start().await;
    let t = token(&emu).await;
    let reply = run(
        &emu,
        &t,
        "databasequery",
        "db.collection(\"test_collection\")\n  .where({a: })\n  .get()",
    )
    .await;
    assert_eq!(errcode(&reply), -502002);
    let msg = reply["errmsg"].as_str().unwrap();
    assert!(msg.contains("line 2, column 14"), "{msg}");
    let reply = run(&emu, &t, "databasequery", "process.exit(1)").await;
    assert_eq!(errcode(&reply), -502002);
    assert!(
        reply["errmsg"]
            .as_str()
            .unwrap()
            .contains("process is not defined")
    );
}

#[tokio::test]
async fn a_statement_of_the_wrong_kind_for_the_endpoint_is_502002() {
    let emu = start().await;
    let t = token(&emu).await;
    let reply = run(
        &emu,
        &t,
        "databasecount",
        "db.collection(\"test_collection\").get()",
    )
    .await;
    assert_eq!(errcode(&reply), -502002);
}

#[tokio::test]
async fn a_wrong_secret_is_40001_on_token_and_40125_on_stable_token() {
    let emu = start().await;
    let url = token_url(&emu, emu.appid(), "wrong");
    let reply = get_json(&url).await;
    assert_eq!(errcode(&reply), 40001);
    assert!(!reply.to_string().contains(emu.secret()));
    let body = json!({"grant_type": "client_credential", "appid": emu.appid(), "secret": "wrong"});
    assert_eq!(
        errcode(&post_json(&format!("{}/cgi-bin/stable_token", emu.base_url()), &body).await),
        40125
    );
}

#[tokio::test]
async fn an_unknown_appid_is_40013_and_a_bad_grant_type_40002() {
    let emu = start().await;
    let url = token_url(&emu, "wxnobody", "x");
    assert_eq!(errcode(&get_json(&url).await), 40013);
    let url = format!(
        "{}/cgi-bin/token?grant_type=password&appid={}&secret={}",
        emu.base_url(),
        emu.appid(),
        emu.secret()
    );
    assert_eq!(errcode(&get_json(&url).await), 40002);
}

#[tokio::test]
async fn a_duplicate_id_is_refused_with_e11000() {
    let emu = start().await;
    let t = token(&emu).await;
    let statement = "db.collection(\"test_collection\").add({data: {_id: \"f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea\"}})";
    let reply = run(&emu, &t, "databaseadd", statement).await;
    assert_eq!(errcode(&reply), -502001);
    assert!(reply["errmsg"].as_str().unwrap().contains("E11000"));
}

#[tokio::test]
async fn one_add_with_the_same_id_twice_is_refused_whole() {
    let emu = start().await;
    let t = token(&emu).await;
    let statement = "db.collection(\"test_collection\").add({data: [{_id: \"twice\", n: 1}, {_id: \"twice\", n: 2}]})";
    let reply = run(&emu, &t, "databaseadd", statement).await;
    assert_eq!(errcode(&reply), -502001);
    assert!(reply["errmsg"].as_str().unwrap().contains("E11000"));
    let count = "db.collection(\"test_collection\").where({_id: \"twice\"}).count()";
    assert_eq!(run(&emu, &t, "databasecount", count).await["count"], 0);
}
