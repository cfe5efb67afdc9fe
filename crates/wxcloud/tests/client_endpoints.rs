//! Each database call sends the right request (path, method, token in the URL, body fields)
//! and parses the service's reply.

mod support;

use serde_json::json;
use support::{ENV, Reply, Server, TOKEN_PREFIX};
use wxcloud::{
    ConflictMode, ErrorKind, FileType, ImportOptions, IndexDirection, IndexSpec, Pager,
    UpdateResult, Value,
};

const AGG: &str =
    r#"db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()"#;

/// The one request `path` saw: a POST with a token in the URL (never in the body) and the env.
fn only_request(server: &Server, path: &str) -> serde_json::Value {
    let seen = server.seen(path);
    assert_eq!(seen.len(), 1, "{path} saw {} requests", seen.len());
    let request = &seen[0];
    assert_eq!(request.method, "POST");
    assert!(request.query["access_token"].starts_with(TOKEN_PREFIX));
    assert!(
        request.body.get("access_token").is_none(),
        "the token must travel in the URL only"
    );
    assert_eq!(request.body["env"], ENV);
    request.body.clone()
}

#[tokio::test]
async fn the_seed_sample_reply_decodes_to_four_records_with_double_coordinates() {
    let server = Server::start().await;
    let reply: serde_json::Value =
        serde_json::from_str(include_str!("data/seed-aggregate-reply.json")).expect("fixture");
    server.script("/tcb/databaseaggregate", Reply::Json(reply));

    let records = server.client().aggregate(AGG).await.expect("aggregate");

    let body = only_request(&server, "/tcb/databaseaggregate");
    assert_eq!(body, json!({"env": ENV, "query": AGG}));
    assert_eq!(records.len(), 4);
    for record in &records {
        let location = record["location"].as_document().expect("location");
        assert_eq!(
            location["coordinates"],
            Value::Array(vec![Value::Double(113.0), Value::Double(23.0)])
        );
        assert_eq!(
            record["tags"],
            Value::Array(vec![
                Value::String("cloud".into()),
                Value::String("database".into())
            ])
        );
        assert_eq!(record["done"], Value::Bool(false));
    }
    assert_eq!(
        records[0]["_id"],
        Value::String("f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea".into())
    );
    // Key order is the service's, record by record.
    let keys: Vec<&str> = records[1].keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["_id", "due", "tags", "location", "done", "description"]
    );
}

#[tokio::test]
async fn aggregate_raw_returns_the_strings_untouched_and_aggregate_as_decodes_types() {
    let server = Server::start().await;
    let record = r#"{"_id":"a","n":{"$numberLong":"9007199254740993"},"description":"x"}"#;
    for _ in 0..2 {
        server.script(
            "/tcb/databaseaggregate",
            Reply::Json(json!({"errcode":0,"errmsg":"ok","data":[record]})),
        );
    }
    let client = server.client();
    assert_eq!(
        client.aggregate_raw(AGG).await.unwrap(),
        vec![record.to_string()]
    );

    #[derive(serde::Deserialize, Debug)]
    struct Row {
        n: i64,
        description: String,
    }
    let rows: Vec<Row> = client.aggregate_as(AGG).await.expect("typed");
    assert_eq!(rows[0].n, 9007199254740993);
    assert_eq!(rows[0].description, "x");
}

/// Records with everything a record string can hold: escaped quotes and backslashes, control
/// characters, non-ASCII text, and lengths that cross the reader's 64-byte blocks.
fn varied_records(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let text = format!(
                "line {i}\n\t\"quoted\" \\ back/slash 中文 \u{1F600} \u{1}{}",
                "x".repeat(i % 130)
            );
            serde_json::to_string(&json!({"_id": format!("id-{i}"), "text": text, "n": i})).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn aggregate_texts_and_query_texts_hand_back_every_record_exactly() {
    let server = Server::start().await;
    let records = varied_records(300);
    server.script(
        "/tcb/databaseaggregate",
        Reply::Json(json!({"errcode": 0, "errmsg": "ok", "data": records})),
    );
    // The same records with every non-ASCII character escaped as \uXXXX (surrogate pairs
    // included), and the pager first, as another server might write them.
    let escaped: String = serde_json::to_string(&records)
        .unwrap()
        .chars()
        .flat_map(|c| {
            if c.is_ascii() {
                vec![c.to_string()]
            } else {
                c.encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect()
            }
        })
        .collect();
    let body = format!(
        r#"{{"pager":{{"Offset":0,"Limit":300,"Total":300}},"errcode":0,"data":{escaped},"errmsg":"ok"}}"#
    );
    server.script(
        "/tcb/databasequery",
        Reply::Raw {
            status: 200,
            content_type: "application/json",
            body: body.into_bytes(),
        },
    );
    let client = server.client();

    let texts = client.aggregate_texts(AGG).await.expect("aggregate_texts");
    assert_eq!(texts.len(), 300);
    assert_eq!(texts.iter().collect::<Vec<_>>(), records);
    let page = client
        .query_texts(r#"db.collection("c").get()"#)
        .await
        .expect("query_texts");
    assert_eq!(page.data, texts);
    assert_eq!(page.pager.total, 300);
}

#[tokio::test]
async fn a_bad_record_is_a_decode_error_naming_its_position() {
    let server = Server::start().await;
    server.script(
        "/tcb/databaseaggregate",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","data":["{\"a\":1}", "{\"a\":"]})),
    );
    let err = support::expect_err(server.client().aggregate(AGG).await);
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("record 1"), "{err}");
}

#[tokio::test]
async fn query_reads_the_capitalised_pager() {
    let server = Server::start().await;
    server.script(
        "/tcb/databasequery",
        Reply::Json(json!({
            "errcode": 0, "errmsg": "ok",
            "pager": {"Offset": 20, "Limit": 10, "Total": 42},
            "data": ["{\"_id\":\"a\",\"n\":1}", "{\"_id\":\"b\",\"n\":{\"$numberDouble\":\"2.5\"}}"]
        })),
    );
    let statement = r#"db.collection("c").where({n:1}).skip(20).limit(10).get()"#;
    let page = server.client().query(statement).await.expect("query");

    assert_eq!(
        only_request(&server, "/tcb/databasequery"),
        json!({"env": ENV, "query": statement})
    );
    assert_eq!(
        page.pager,
        Pager {
            offset: 20,
            limit: 10,
            total: 42
        }
    );
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0]["n"], Value::Int32(1));
    assert_eq!(page.data[1]["n"], Value::Double(2.5));
}

#[tokio::test]
async fn query_raw_keeps_records_as_strings() {
    let server = Server::start().await;
    server.script(
        "/tcb/databasequery",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","pager":{"Offset":0,"Limit":10,"Total":1},"data":["{\"_id\":\"a\"}"]})),
    );
    let raw = server
        .client()
        .query_raw(r#"db.collection("c").get()"#)
        .await
        .unwrap();
    assert_eq!(raw.data, vec![r#"{"_id":"a"}"#.to_string()]);
    assert_eq!(raw.pager.total, 1);
}

#[tokio::test]
async fn count_add_update_delete_parse_their_replies() {
    let server = Server::start().await;
    server.script(
        "/tcb/databasecount",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","count":7})),
    );
    server.script(
        "/tcb/databaseadd",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","id_list":["id1","id2"]})),
    );
    server.script(
        "/tcb/databaseupdate",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","matched":3,"modified":2,"id":""})),
    );
    server.script(
        "/tcb/databasedelete",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","deleted":4})),
    );
    let client = server.client();

    let count = r#"db.collection("c").where({done:false}).count()"#;
    assert_eq!(client.count(count).await.unwrap(), 7);
    assert_eq!(only_request(&server, "/tcb/databasecount")["query"], count);

    let add = r#"db.collection("c").add({data:[{a:1},{a:2}]})"#;
    assert_eq!(
        client.add(add).await.unwrap(),
        vec!["id1".to_string(), "id2".to_string()]
    );
    assert_eq!(only_request(&server, "/tcb/databaseadd")["query"], add);

    let update = r#"db.collection("c").where({a:1}).update({data:{b:2}})"#;
    assert_eq!(
        client.update(update).await.unwrap(),
        UpdateResult {
            matched: 3,
            modified: 2,
            id: None
        }
    );
    assert_eq!(
        only_request(&server, "/tcb/databaseupdate")["query"],
        update
    );

    let delete = r#"db.collection("c").where({a:1}).remove()"#;
    assert_eq!(client.delete(delete).await.unwrap(), 4);
    assert_eq!(
        only_request(&server, "/tcb/databasedelete")["query"],
        delete
    );
}

#[tokio::test]
async fn update_by_set_reports_the_inserted_id() {
    let server = Server::start().await;
    server.script(
        "/tcb/databaseupdate",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","matched":0,"modified":0,"id":"new-id"})),
    );
    let result = server
        .client()
        .update(r#"db.collection("c").doc("new-id").set({data:{a:1}})"#)
        .await
        .unwrap();
    assert_eq!(result.id.as_deref(), Some("new-id"));
}

#[tokio::test]
async fn collections_are_created_deleted_and_listed() {
    let server = Server::start().await;
    server.script(
        "/tcb/databasecollectionget",
        Reply::Json(json!({
            "errcode": 0, "errmsg": "ok",
            "pager": {"Offset": 0, "Limit": 5, "Total": 2},
            "collections": [
                {"name": "a", "count": 4, "size": 1024, "index_count": 1, "index_size": 512},
                {"name": "b", "count": 0, "size": 0, "index_count": 1, "index_size": 0}
            ]
        })),
    );
    let client = server.client();
    client.create_collection("books").await.unwrap();
    assert_eq!(
        only_request(&server, "/tcb/databasecollectionadd"),
        json!({"env": ENV, "collection_name": "books"})
    );
    client.delete_collection("books").await.unwrap();
    assert_eq!(
        only_request(&server, "/tcb/databasecollectiondelete"),
        json!({"env": ENV, "collection_name": "books"})
    );

    let list = client.list_collections(5, 0).await.unwrap();
    assert_eq!(
        only_request(&server, "/tcb/databasecollectionget"),
        json!({"env": ENV, "limit": 5, "offset": 0})
    );
    assert_eq!(
        list.pager,
        Pager {
            offset: 0,
            limit: 5,
            total: 2
        }
    );
    assert_eq!(list.collections.len(), 2);
    assert_eq!(list.collections[0].name, "a");
    assert_eq!(
        (
            list.collections[0].count,
            list.collections[0].size,
            list.collections[0].index_count,
            list.collections[0].index_size
        ),
        (4, 1024, 1, 512)
    );
}

#[tokio::test]
async fn update_index_sends_creates_as_creates_and_drops_as_drops() {
    let server = Server::start().await;
    let create = [
        IndexSpec::new("by_due")
            .key("due", IndexDirection::Desc)
            .key("tags", IndexDirection::Asc)
            .unique(true),
        IndexSpec::new("geo").key("location", IndexDirection::Geo2dSphere),
    ];
    server
        .client()
        .update_index("todos", &create, &["old"])
        .await
        .unwrap();
    assert_eq!(
        only_request(&server, "/tcb/updateindex"),
        json!({
            "env": ENV,
            "collection_name": "todos",
            "create_indexes": [
                {"name": "by_due", "unique": true, "keys": [{"name": "due", "direction": "-1"}, {"name": "tags", "direction": "1"}]},
                {"name": "geo", "unique": false, "keys": [{"name": "location", "direction": "2dsphere"}]}
            ],
            "drop_indexes": [{"name": "old"}]
        })
    );
}

#[tokio::test]
async fn migrations_start_jobs_and_report_status_with_either_message_field() {
    let server = Server::start().await;
    server.script(
        "/tcb/databasemigrateimport",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","job_id":101})),
    );
    server.script(
        "/tcb/databasemigrateexport",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","job_id":102})),
    );
    server.script(
        "/tcb/databasemigratequeryinfo",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","status":"fail","record_success":3,"record_fail":1,"err_msg":"line 4: bad JSON","file_url":""})),
    );
    server.script(
        "/tcb/databasemigratequeryinfo",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","status":"success","record_success":9,"record_fail":0,"error_msg":"","file_url":"https://x/y.json"})),
    );
    server.script(
        "/tcb/databasemigratequeryinfo",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","status":"fail","record_success":0,"record_fail":2,"error_msg":"quota"})),
    );
    let client = server.client();

    let options = ImportOptions {
        file_type: FileType::Csv,
        stop_on_error: true,
        conflict_mode: ConflictMode::Upsert,
    };
    assert_eq!(
        client
            .migrate_import("todos", "import/todos.csv", options)
            .await
            .unwrap(),
        101
    );
    assert_eq!(
        only_request(&server, "/tcb/databasemigrateimport"),
        json!({"env": ENV, "collection_name": "todos", "file_path": "import/todos.csv", "file_type": 2, "stop_on_error": true, "conflict_mode": 2})
    );

    let export = r#"db.collection("todos").where({done:true}).get()"#;
    assert_eq!(
        client
            .migrate_export("export/todos.json", FileType::Json, export)
            .await
            .unwrap(),
        102
    );
    assert_eq!(
        only_request(&server, "/tcb/databasemigrateexport"),
        json!({"env": ENV, "file_path": "export/todos.json", "file_type": 1, "query": export})
    );

    let failed = client.migrate_status(101).await.unwrap();
    assert_eq!(
        (
            failed.status.as_str(),
            failed.record_success,
            failed.record_fail
        ),
        ("fail", 3, 1)
    );
    assert_eq!(failed.err_msg.as_deref(), Some("line 4: bad JSON"));
    assert_eq!(failed.file_url, None);
    let done = client.migrate_status(102).await.unwrap();
    assert_eq!(done.err_msg, None);
    assert_eq!(done.file_url.as_deref(), Some("https://x/y.json"));
    let other = client.migrate_status(103).await.unwrap();
    assert_eq!(other.err_msg.as_deref(), Some("quota"));
    let bodies: Vec<_> = server
        .seen("/tcb/databasemigratequeryinfo")
        .into_iter()
        .map(|s| s.body["job_id"].clone())
        .collect();
    assert_eq!(bodies, [json!(101), json!(102), json!(103)]);
}

#[tokio::test]
async fn with_env_overrides_the_env_for_its_calls_only() {
    let server = Server::start().await;
    let client = server.client();
    let other = client.with_env("other-env");
    other.count(r#"db.collection("c").count()"#).await.ok();
    client.count(r#"db.collection("c").count()"#).await.ok();
    let envs: Vec<_> = server
        .seen("/tcb/databasecount")
        .into_iter()
        .map(|s| s.body["env"].clone())
        .collect();
    assert_eq!(envs, [json!("other-env"), json!(ENV)]);
    assert_eq!(server.tokens_issued(), 1, "clones share one token cache");
}

#[tokio::test]
async fn api_errors_keep_errcode_and_errmsg_and_are_classified() {
    let server = Server::start().await;
    server.script(
        "/tcb/databasequery",
        Reply::Json(json!({"errcode": -502005, "errmsg": "database collection not exists. [ResourceNotFound] Db or Table not exist"})),
    );
    let err = support::expect_err(
        server
            .client()
            .query(r#"db.collection("nope").get()"#)
            .await,
    );
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.errcode(), Some(-502005));
    assert_eq!(
        err.errmsg(),
        Some("database collection not exists. [ResourceNotFound] Db or Table not exist")
    );
    assert!(err.hint().is_some());
}

#[tokio::test]
async fn a_call_without_an_env_fails_before_sending() {
    let server = Server::start().await;
    let client = wxcloud::Client::builder()
        .base_url(&server.url)
        .appid(support::APPID)
        .secret(support::SECRET)
        .build()
        .unwrap();
    let err = support::expect_err(client.count(r#"db.collection("c").count()"#).await);
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(server.count("/tcb/databasecount"), 0);
    assert_eq!(server.tokens_issued(), 0);
}

#[test]
fn the_blocking_client_makes_the_same_calls_without_a_runtime() {
    // The server needs a runtime of its own; the blocking client brings its own too.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(Server::start());
    server.script(
        "/tcb/databasecount",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","count":3})),
    );
    let client = server.builder().build_blocking().unwrap();
    assert_eq!(client.count(r#"db.collection("c").count()"#).unwrap(), 3);
    let page = client
        .with_env("x")
        .query(r#"db.collection("c").get()"#)
        .unwrap();
    assert!(page.data.is_empty());
    assert_eq!(server.seen("/tcb/databasequery")[0].body["env"], "x");
    server.script(
        "/tcb/databaseaggregate",
        Reply::Json(json!({"errcode":0,"errmsg":"ok","data":["{\"a\":1}"]})),
    );
    let texts = client.aggregate_texts(AGG).unwrap();
    assert_eq!(texts.get(0), Some(r#"{"a":1}"#));
}

#[tokio::test]
async fn structured_statements_are_written_by_the_statement_module_and_sent_as_query() {
    let server = Server::start().await;
    let stage = |json: &str| wxcloud::ejson::decode_document(json).expect("stage");
    let pipeline = vec![
        stage(r#"{"$match": {"tags": "cloud"}}"#),
        stage(r#"{"$limit": 10}"#),
    ];
    let expected = wxcloud::statement::aggregate("test_collection", &pipeline).expect("writable");

    server
        .client()
        .aggregate(wxcloud::statement::Aggregate::new("test_collection").pipeline(pipeline))
        .await
        .expect("aggregate");

    assert_eq!(
        only_request(&server, "/tcb/databaseaggregate")["query"],
        expected
    );
}
