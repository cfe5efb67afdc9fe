//! The statement shapes of the API reference (section 4) parse and run against the emulator,
//! over plain HTTP.

mod support;

use serde_json::{Value as Json, json};
use support::*;
use wxcloud::Value;

const SAMPLE: &str =
    r#"db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()"#;

#[tokio::test]
async fn the_seed_aggregate_returns_the_four_sample_records_as_extended_json() {
    let emu = start().await;
    let t = token(&emu).await;
    let reply = run_ok(&emu, &t, "databaseaggregate", SAMPLE).await;
    let raw = reply["data"].as_array().unwrap();
    assert_eq!(raw.len(), 4);
    assert!(
        raw[0]
            .as_str()
            .unwrap()
            .contains(r#"{"$numberDouble":"113.0"}"#),
        "{}",
        raw[0]
    );
    let docs = records(&reply);
    assert_eq!(
        docs[0]["_id"],
        Value::from("f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea")
    );
    assert_eq!(
        docs[0]["location"].as_document().unwrap()["coordinates"],
        Value::Array(vec![113.0.into(), 23.0.into()])
    );
    assert_eq!(
        docs[2]["_id"],
        Value::from("51F4F67E-A6A1-4C3E-A50F-827380B8DA86"),
        "records keep insertion order"
    );
}

async fn numbers_collection(emu: &wxcloud_emulator::RunningEmulator, t: &str, n: usize) {
    create_collection(emu, t, "numbers").await;
    let docs: Vec<String> = (0..n)
        .map(|i| format!("{{n: {i}, even: {}}}", i % 2 == 0))
        .collect();
    let statement = format!(
        "db.collection(\"numbers\").add({{data: [{}]}})",
        docs.join(",")
    );
    let reply = run_ok(emu, t, "databaseadd", &statement).await;
    assert_eq!(reply["id_list"].as_array().unwrap().len(), n);
}

#[tokio::test]
async fn a_query_filters_orders_pages_and_projects_with_the_pager_total() {
    let emu = start().await;
    let t = token(&emu).await;
    numbers_collection(&emu, &t, 30).await;
    let statement = r#"db.collection("numbers").where({even: true, n: _.gt(10).and(_.lt(20))}).orderBy("n", "desc").skip(1).limit(2).field({n: true}).get()"#;
    let reply = run_ok(&emu, &t, "databasequery", statement).await;
    assert_eq!(reply["pager"], json!({"Offset": 1, "Limit": 2, "Total": 4}));
    let docs = records(&reply);
    let ns: Vec<&Value> = docs.iter().map(|d| &d["n"]).collect();
    assert_eq!(ns, [&Value::Int32(16), &Value::Int32(14)]);
    assert!(
        docs.iter()
            .all(|d| !d.contains_key("even") && d.contains_key("_id"))
    );
}

#[tokio::test]
async fn a_query_returns_10_records_by_default_and_at_most_1000() {
    let emu = start().await;
    let t = token(&emu).await;
    numbers_collection(&emu, &t, 1005).await;
    let reply = run_ok(
        &emu,
        &t,
        "databasequery",
        r#"db.collection("numbers").get()"#,
    )
    .await;
    assert_eq!(records(&reply).len(), 10);
    assert_eq!(reply["pager"]["Total"], 1005);
    let reply = run_ok(
        &emu,
        &t,
        "databasequery",
        r#"db.collection("numbers").limit(0).get()"#,
    )
    .await;
    assert_eq!(
        records(&reply).len(),
        10,
        "limit(0) means no limit given, as in the SDK"
    );
    let reply = run_ok(
        &emu,
        &t,
        "databasequery",
        r#"db.collection("numbers").limit(5000).get()"#,
    )
    .await;
    assert_eq!(records(&reply).len(), 1000);
    assert_eq!(reply["pager"]["Limit"], 1000);
}

#[tokio::test]
async fn an_aggregate_without_limit_returns_20_records() {
    let emu = start().await;
    let t = token(&emu).await;
    numbers_collection(&emu, &t, 25).await;
    let reply = run_ok(
        &emu,
        &t,
        "databaseaggregate",
        r#"db.collection("numbers").aggregate().sort({n: 1}).end()"#,
    )
    .await;
    assert_eq!(records(&reply).len(), 20);
    let grouped = r#"db.collection("numbers").aggregate().group({_id: "$even", total: $.sum("$n"), count: db.command.aggregate.sum(1)}).sort({_id: 1}).limit(5).end()"#;
    let docs = records(&run_ok(&emu, &t, "databaseaggregate", grouped).await);
    assert_eq!(docs.len(), 2);
    assert_eq!(
        docs[1]["total"].as_i64(),
        Some((0..25).filter(|i| i % 2 == 0).sum::<i64>())
    );
}

#[tokio::test]
async fn count_counts_what_the_filter_matches() {
    let emu = start().await;
    let t = token(&emu).await;
    let reply = run_ok(
        &emu,
        &t,
        "databasecount",
        r#"db.collection("test_collection").where({description: "Study cloud database"}).count()"#,
    )
    .await;
    assert_eq!(reply["count"], 3);
    let reply = run_ok(
        &emu,
        &t,
        "databasecount",
        r#"db.collection("test_collection").where({description: /^learn/i}).count()"#,
    )
    .await;
    assert_eq!(reply["count"], 1);
    let statement = r#"db.collection("test_collection").where({description: db.RegExp({regexp: "STUDY", options: "i"})}).count()"#;
    assert_eq!(
        run_ok(&emu, &t, "databasecount", statement).await["count"],
        3
    );
}

#[tokio::test]
async fn add_generates_ids_shaped_like_the_services_and_keeps_given_ones() {
    let emu = start().await;
    let t = token(&emu).await;
    let reply = run_ok(&emu, &t, "databaseadd", r#"db.collection("test_collection").add({data: {description: "new", due: new Date("2019-09-09"), at: db.serverDate()}})"#).await;
    let id = reply["id_list"][0].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);
    let reply = run_ok(
        &emu,
        &t,
        "databaseadd",
        r#"db.collection("test_collection").add({data: [{_id: "mine"}, {x: 1}]})"#,
    )
    .await;
    assert_eq!(reply["id_list"][0], "mine");
    let docs = query_records(
        &emu,
        &t,
        &format!(r#"db.collection("test_collection").doc("{id}").get()"#),
    )
    .await;
    assert_eq!(docs[0]["due"], Value::Date(1_567_987_200_000));
    let Value::Date(at) = docs[0]["at"] else {
        panic!("serverDate stored as a date: {:?}", docs[0])
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((at - now).abs() < 60_000);
}

#[tokio::test]
async fn update_sets_fields_and_applies_commands_to_every_match() {
    let emu = start().await;
    let t = token(&emu).await;
    let statement = r#"db.collection("test_collection").where({done: false}).update({data: {done: true, views: _.inc(2), location: {type: "Point2"}}})"#;
    let reply = run_ok(&emu, &t, "databaseupdate", statement).await;
    assert_eq!(
        (
            reply["matched"].as_i64(),
            reply["modified"].as_i64(),
            reply["id"].as_str()
        ),
        (Some(4), Some(4), Some(""))
    );
    let docs = query_records(&emu, &t, r#"db.collection("test_collection").get()"#).await;
    for d in &docs {
        assert_eq!(d["done"], Value::Bool(true));
        assert_eq!(d["views"], Value::Int32(2));
        let location = d["location"].as_document().unwrap();
        assert_eq!(location["type"], Value::from("Point2"));
        assert!(
            location.contains_key("coordinates"),
            "nested data updates the path, it does not replace the object"
        );
    }
}

#[tokio::test]
async fn doc_update_set_and_remove_work_on_one_record() {
    let emu = start().await;
    let t = token(&emu).await;
    let id = "f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea";
    let reply = run_ok(&emu, &t, "databaseupdate", &format!(r#"db.collection("test_collection").doc("{id}").update({{data: {{tags: _.push("x")}}}})"#)).await;
    assert_eq!(reply["modified"], 1);
    let reply = run_ok(
        &emu,
        &t,
        "databaseupdate",
        &format!(r#"db.collection("test_collection").doc("{id}").set({{data: {{only: 1}}}})"#),
    )
    .await;
    assert_eq!(
        (reply["matched"].as_i64(), reply["modified"].as_i64()),
        (Some(1), Some(1))
    );
    let docs = query_records(
        &emu,
        &t,
        &format!(r#"db.collection("test_collection").doc("{id}").get()"#),
    )
    .await;
    assert_eq!(docs[0].keys().collect::<Vec<_>>(), ["_id", "only"]);
    let reply = run_ok(
        &emu,
        &t,
        "databaseupdate",
        r#"db.collection("test_collection").doc("fresh").set({data: {a: 1}})"#,
    )
    .await;
    assert_eq!(
        (
            reply["matched"].as_i64(),
            reply["modified"].as_i64(),
            reply["id"].as_str()
        ),
        (Some(0), Some(0), Some("fresh"))
    );
    let reply = run_ok(
        &emu,
        &t,
        "databasedelete",
        &format!(r#"db.collection("test_collection").doc("{id}").remove()"#),
    )
    .await;
    assert_eq!(reply["deleted"], 1);
    let reply = run_ok(
        &emu,
        &t,
        "databasedelete",
        r#"db.collection("test_collection").where({description: "Study cloud database"}).remove()"#,
    )
    .await;
    assert_eq!(reply["deleted"], 3);
    assert_eq!(
        run_ok(
            &emu,
            &t,
            "databasecount",
            r#"db.collection("test_collection").count()"#
        )
        .await["count"],
        1
    );
}

#[tokio::test]
async fn a_range_written_with_and_chaining_selects_the_range() {
    let emu = start().await;
    let t = token(&emu).await;
    numbers_collection(&emu, &t, 30).await;
    let reply = run_ok(
        &emu,
        &t,
        "databasecount",
        r#"db.collection("numbers").where({n: _.gt(10).and(_.lt(20))}).count()"#,
    )
    .await;
    assert_eq!(reply["count"], 9);
    let reply = run_ok(
        &emu,
        &t,
        "databasecount",
        r#"db.collection("numbers").where(_.or([{n: _.lt(2)}, {n: _.gte(28)}])).count()"#,
    )
    .await;
    assert_eq!(reply["count"], 4);
}

#[tokio::test]
async fn the_export_example_with_a_geo_declaration_runs() {
    let emu = start().await;
    let t = token(&emu).await;
    let path = "exports/export.json";
    let query = "const Point = db.Geo.Point;\ndb.collection('test_collection').where({location: _.geoNear({geometry: Point(113, 23), maxDistance: 1000})}).limit(100).skip(0).get()";
    let info = migrate_job(
        &emu,
        &t,
        "databasemigrateexport",
        json!({"env": emu.env(), "file_path": path, "file_type": 1, "query": query}),
    )
    .await;
    assert_eq!(info["status"], "success", "{info}");
    assert_eq!(info["record_success"], 4);
    let url = info["file_url"].as_str().unwrap();
    let exported = http().get(url).send().await.unwrap().text().await.unwrap();
    assert_eq!(exported.lines().count(), 4);
    assert!(exported.contains("f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea"));
}

#[tokio::test]
async fn import_reads_json_lines_and_csv_and_upserts_on_request() {
    let emu = start().await;
    let t = token(&emu).await;
    create_collection(&emu, &t, "imported").await;
    let json_path = "in/in.json";
    upload(
        &emu,
        &t,
        json_path,
        b"{\"_id\":\"a\",\"n\":{\"$numberLong\":\"5\"}}\n{\"_id\":\"b\",\"n\":2}\n",
    )
    .await;
    let csv_path = "in/in.csv";
    upload(&emu, &t, csv_path, b"_id,n,name\na,7,\"x, y\"\nc,1.5,z\n").await;
    let import = |path: &str, file_type: i64, conflict_mode: i64| json!({"env": emu.env(), "collection_name": "imported", "file_path": path, "file_type": file_type, "stop_on_error": false, "conflict_mode": conflict_mode});
    let info = |job: Json| json!({"env": emu.env(), "job_id": job});
    let job =
        ok(tcb(&emu, &t, "databasemigrateimport", import(json_path, 1, 1)).await)["job_id"].clone();
    let status = ok(tcb(&emu, &t, "databasemigratequeryinfo", info(job)).await);
    assert_eq!(
        (
            status["record_success"].as_i64(),
            status["record_fail"].as_i64()
        ),
        (Some(2), Some(0))
    );
    // Insert mode: "a" exists already, so that row fails and "c" goes in.
    let job =
        ok(tcb(&emu, &t, "databasemigrateimport", import(csv_path, 2, 1)).await)["job_id"].clone();
    let status = ok(tcb(&emu, &t, "databasemigratequeryinfo", info(job)).await);
    assert_eq!(
        (
            status["record_success"].as_i64(),
            status["record_fail"].as_i64()
        ),
        (Some(1), Some(1)),
        "{status}"
    );
    // Upsert mode replaces "a".
    let job =
        ok(tcb(&emu, &t, "databasemigrateimport", import(csv_path, 2, 2)).await)["job_id"].clone();
    assert_eq!(
        ok(tcb(&emu, &t, "databasemigratequeryinfo", info(job)).await)["record_success"],
        2
    );
    let docs = query_records(&emu, &t, r#"db.collection("imported").doc("a").get()"#).await;
    assert_eq!(docs[0]["n"], Value::Int32(7));
    assert_eq!(docs[0]["name"], Value::from("x, y"));
}

#[tokio::test]
async fn collections_are_listed_with_counts_and_sizes() {
    let emu = start().await;
    let t = token(&emu).await;
    create_collection(&emu, &t, "empty").await;
    let again = tcb(
        &emu,
        &t,
        "databasecollectionadd",
        json!({"env": emu.env(), "collection_name": "empty"}),
    )
    .await;
    assert_eq!(
        errcode(&again),
        -502001,
        "a collection cannot be created twice"
    );
    let reply = ok(tcb(&emu, &t, "databasecollectionget", json!({"env": emu.env()})).await);
    assert_eq!(reply["pager"]["Total"], 2);
    let list = reply["collections"].as_array().unwrap();
    assert_eq!(list[0]["name"], "empty");
    assert_eq!(list[0]["count"], 0);
    assert_eq!(list[1]["name"], "test_collection");
    assert_eq!(list[1]["count"], 4);
    assert!(list[1]["size"].as_i64().unwrap() > 400);
    let page = ok(tcb(
        &emu,
        &t,
        "databasecollectionget",
        json!({"env": emu.env(), "limit": 1, "offset": 1}),
    )
    .await);
    assert_eq!(page["collections"].as_array().unwrap().len(), 1);
    assert_eq!(page["collections"][0]["name"], "test_collection");
    ok(tcb(
        &emu,
        &t,
        "databasecollectiondelete",
        json!({"env": emu.env(), "collection_name": "empty"}),
    )
    .await);
    let other_env = ok(tcb(&emu, &t, "databasecollectionget", json!({"env": "local"})).await);
    assert_eq!(other_env["pager"]["Total"], 0, "environments are separate");
}

#[tokio::test]
async fn a_unique_index_refuses_duplicates_on_add_and_update() {
    let emu = start().await;
    let t = token(&emu).await;
    create_collection(&emu, &t, "users").await;
    run_ok(
        &emu,
        &t,
        "databaseadd",
        r#"db.collection("users").add({data: [{email: "a@x"}, {email: "b@x"}]})"#,
    )
    .await;
    let index = json!({"env": emu.env(), "collection_name": "users", "create_indexes": [{"name": "email_1", "unique": true, "keys": [{"name": "email", "direction": "1"}]}], "drop_indexes": []});
    ok(tcb(&emu, &t, "updateindex", index).await);
    let dup = run(
        &emu,
        &t,
        "databaseadd",
        r#"db.collection("users").add({data: {email: "a@x"}})"#,
    )
    .await;
    assert_eq!(errcode(&dup), -502001);
    assert!(dup["errmsg"].as_str().unwrap().contains("email_1"));
    let dup = run(
        &emu,
        &t,
        "databaseupdate",
        r#"db.collection("users").where({email: "b@x"}).update({data: {email: "a@x"}})"#,
    )
    .await;
    assert_eq!(errcode(&dup), -502001);
    assert_eq!(
        run_ok(
            &emu,
            &t,
            "databasecount",
            r#"db.collection("users").where({email: "a@x"}).count()"#
        )
        .await["count"],
        1
    );
    let listed = ok(tcb(&emu, &t, "databasecollectionget", json!({"env": emu.env()})).await);
    let users = listed["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "users")
        .unwrap()
        .clone();
    assert_eq!(users["index_count"], 2);
    // A unique index the data already violates cannot be created.
    run_ok(
        &emu,
        &t,
        "databaseadd",
        r#"db.collection("users").add({data: [{email: "c@x", team: 1}, {email: "d@x", team: 1}]})"#,
    )
    .await;
    let bad = json!({"env": emu.env(), "collection_name": "users", "create_indexes": [{"name": "team_1", "unique": true, "keys": [{"name": "team", "direction": "1"}]}]});
    assert_eq!(errcode(&tcb(&emu, &t, "updateindex", bad).await), -502001);
    let drop = json!({"env": emu.env(), "collection_name": "users", "drop_indexes": [{"name": "email_1"}]});
    ok(tcb(&emu, &t, "updateindex", drop).await);
    run_ok(
        &emu,
        &t,
        "databaseadd",
        r#"db.collection("users").add({data: {email: "a@x"}})"#,
    )
    .await;
}

#[tokio::test]
async fn a_unique_index_counts_a_missing_field_as_null_like_mongodb() {
    let emu = start().await;
    let t = token(&emu).await;
    create_collection(&emu, &t, "people").await;
    let index = json!({"env": emu.env(), "collection_name": "people", "create_indexes": [{"name": "nick_1", "unique": true, "keys": [{"name": "nick", "direction": "1"}]}]});
    ok(tcb(&emu, &t, "updateindex", index).await);
    run_ok(
        &emu,
        &t,
        "databaseadd",
        r#"db.collection("people").add({data: {age: 1}})"#,
    )
    .await;
    assert_eq!(
        errcode(
            &run(
                &emu,
                &t,
                "databaseadd",
                r#"db.collection("people").add({data: {age: 2}})"#
            )
            .await
        ),
        -502001
    );
}

#[tokio::test]
async fn an_add_larger_than_axums_default_body_limit_is_accepted() {
    let emu = start().await;
    let t = token(&emu).await;
    let text = "x".repeat(3 * 1024 * 1024);
    let statement = format!(r#"db.collection("test_collection").add({{data: {{big: "{text}"}}}})"#);
    let reply = run_ok(&emu, &t, "databaseadd", &statement).await;
    let id = reply["id_list"][0].as_str().unwrap().to_owned();
    let reply = run_ok(
        &emu,
        &t,
        "databasequery",
        &format!(r#"db.collection("test_collection").doc("{id}").get()"#),
    )
    .await;
    assert_eq!(
        records(&reply)[0]["big"].as_str().map(str::len),
        Some(text.len())
    );
}

#[tokio::test]
async fn a_filter_on_the_id_alone_finds_that_record() {
    let emu = start().await;
    let t = token(&emu).await;
    let id = "6bb88938-49ea-42b6-a6f5-ce408970cfc6";
    let get = format!(r#"db.collection("test_collection").where({{_id: "{id}"}}).get()"#);
    let docs = query_records(&emu, &t, &get).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["_id"], Value::from(id));
    let missing = r#"db.collection("test_collection").where({_id: "nope"}).count()"#;
    assert_eq!(run_ok(&emu, &t, "databasecount", missing).await["count"], 0);
    let update = format!(
        r#"db.collection("test_collection").where({{_id: "{id}"}}).update({{data: {{seen: true}}}})"#
    );
    assert_eq!(
        run_ok(&emu, &t, "databaseupdate", &update).await["modified"],
        1
    );
    let elsewhere = r#"db.collection("missing").where({_id: "x"}).get()"#;
    assert_eq!(
        errcode(&run(&emu, &t, "databasequery", elsewhere).await),
        -502005
    );
}

#[tokio::test]
async fn a_geo_near_query_returns_the_nearest_places_first() {
    let emu = start().await;
    let t = token(&emu).await;
    create_collection(&emu, &t, "places").await;
    let add = r#"db.collection("places").add({data: [
        {name: "far", at: db.Geo.Point(113.30, 23.0)},
        {name: "near", at: db.Geo.Point(113.01, 23.0)},
        {name: "middle", at: db.Geo.Point(113.10, 23.0)}]})"#;
    run_ok(&emu, &t, "databaseadd", add).await;
    let query = r#"db.collection("places").where({at: db.command.geoNear({
        geometry: db.Geo.Point(113.0, 23.0), maxDistance: 50000, minDistance: 0})}).get()"#;
    let reply = run_ok(&emu, &t, "databasequery", query).await;
    let names: Vec<Value> = records(&reply).iter().map(|d| d["name"].clone()).collect();
    assert_eq!(
        names,
        vec![Value::from("near"), "middle".into(), "far".into()]
    );
}

/// An emulator with 25 `numbers` and, added to the sample `test_collection`, two records of
/// awkward types: exact 64-bit integers, a date, escapes, control characters, nested arrays,
/// negative zero, points.
async fn with_mixed_records() -> (wxcloud_emulator::RunningEmulator, String) {
    let emu = start().await;
    let t = token(&emu).await;
    numbers_collection(&emu, &t, 25).await;
    let mixed = r#"db.collection("test_collection").add({data: [
        {n: 1, big: 9007199254740993, when: new Date("2026-01-01T08:00:00.123Z"), nested: {a: [1, 2.5, "x\"y\\z", null, true, -0.0]}, at: db.Geo.Point(113.3, 23.0)},
        {n: 2, big: -2147483649, text: "中文 \u0001 tab\t", nested: {a: []}, at: db.Geo.Point(113.01, 23.0)}]})"#;
    run_ok(&emu, &t, "databaseadd", mixed).await;
    (emu, t)
}

/// Runs each pair of statements, which must get the same reply byte for byte; returns how many
/// pairs replied with records (so a caller can check that it compared real records, not two
/// empty replies or two errors).
async fn same_replies(
    emu: &wxcloud_emulator::RunningEmulator,
    t: &str,
    op: &str,
    pairs: impl Iterator<Item = (String, String)>,
) -> usize {
    let mut with_records = 0;
    for (a, b) in pairs {
        let reply = run(emu, t, op, &a).await;
        assert_eq!(reply, run(emu, t, op, &b).await, "{a}");
        with_records += usize::from(
            reply["errcode"] == 0 && reply["data"].as_array().is_some_and(|d| !d.is_empty()),
        );
    }
    with_records
}

/// Pipelines of `$match`, `$sort`, `$skip` and `$limit` only send back the stored text of the
/// records they keep; the same pipeline with a no-op reshaping stage appended runs the whole
/// engine and encodes every record again. Both must give the same reply, byte for byte, for
/// records of every type, for errors, and for the 20-record default.
#[tokio::test]
async fn a_selection_pipeline_replies_as_the_whole_engine_does() {
    let (emu, t) = with_mixed_records().await;
    let pipelines = [
        ("test_collection", ""),
        ("test_collection", ".limit(3)"),
        ("test_collection", ".skip(1).limit(2)"),
        ("test_collection", ".skip(2)"),
        (
            "test_collection",
            ".sort({_id: 1}).skip(1).limit(3).skip(1)",
        ),
        (
            "test_collection",
            ".match({tags: \"cloud\"}).sort({due: -1}).limit(3)",
        ),
        ("test_collection", ".match({n: _.gte(1)}).sort({n: -1})"),
        ("numbers", ""),
        ("numbers", ".skip(1)"),
        ("numbers", ".sort({n: -1})"),
        ("numbers", ".skip(20).limit(10)"),
        ("numbers", ".sort({even: 1, n: -1}).limit(7)"),
        ("numbers", ".match({even: true}).skip(3)"),
        ("numbers", ".match({n: _.gt(30)})"),
        ("numbers", ".match({n: {$foo: 1}}).limit(2)"),
        // Only the fields the stages read are decoded: nested paths, whole embedded
        // documents, $or, $elemMatch, dotted sort keys; $expr reads the whole document.
        ("test_collection", ".match({\"nested.a\": 2.5})"),
        ("test_collection", ".match({nested: {a: []}})"),
        (
            "test_collection",
            ".match(_.or([{n: 1}, {big: _.lt(0)}])).sort({\"nested.a\": 1})",
        ),
        (
            "test_collection",
            ".match({\"nested.a\": _.elemMatch(_.gt(2))}).sort({_id: -1})",
        ),
        ("test_collection", ".match({$expr: {$gt: [\"$n\", 1]}})"),
        (
            "test_collection",
            ".match({absent: null}).sort({absent: 1}).limit(2)",
        ),
        (
            "numbers",
            ".match({even: true}).sort({n: -1}).limit(3).skip(1)",
        ),
        ("numbers", ".limit(0)"),
        ("no_such_collection", ".limit(2)"),
    ];
    let pairs = pipelines.iter().map(|(coll, stages)| {
        let statement =
            |tail: &str| format!("db.collection(\"{coll}\").aggregate(){stages}{tail}.end()");
        (statement(""), statement(".project({zz_absent: 0})"))
    });
    let matched = same_replies(&emu, &t, "databaseaggregate", pairs).await;
    assert!(
        matched >= pipelines.len() - 4,
        "{matched} pipelines matched"
    );
    let first = run_ok(
        &emu,
        &t,
        "databaseaggregate",
        r#"db.collection("numbers").aggregate().skip(20).limit(10).end()"#,
    )
    .await;
    let ns: Vec<Value> = records(&first).iter().map(|d| d["n"].clone()).collect();
    assert_eq!(ns, (20..25).map(Value::Int32).collect::<Vec<_>>());
}

/// A query without `.field()` sends back the stored text of the records it selects, having
/// decoded only the fields its filter and order read; the same query with a projection that
/// removes nothing decodes and encodes every record. Both must give the same reply (records,
/// pager total, errors), byte for byte.
#[tokio::test]
async fn a_query_without_a_projection_replies_as_one_with_a_projection_that_keeps_everything() {
    let (emu, t) = with_mixed_records().await;
    let queries = [
        ("test_collection", ""),
        (
            "test_collection",
            ".where({tags: \"cloud\"}).orderBy(\"due\", \"desc\").limit(3)",
        ),
        ("test_collection", ".where({\"nested.a\": 2.5})"),
        ("test_collection", ".where({nested: {a: []}})"),
        (
            "test_collection",
            ".where(_.or([{n: 1}, {big: _.lt(0)}])).orderBy(\"nested.a\", \"asc\")",
        ),
        (
            "test_collection",
            ".where({at: _.geoNear({geometry: db.Geo.Point(113.0, 23.0), maxDistance: 100000})})",
        ),
        ("test_collection", ".where({_id: \"no such id\"})"),
        ("test_collection", ".where({n: {$foo: 1}})"),
        ("numbers", ".limit(1000)"),
        ("numbers", ""),
        ("numbers", ".skip(3).limit(4)"),
        ("numbers", ".skip(30)"),
        (
            "numbers",
            ".where({even: true}).orderBy(\"n\", \"desc\").skip(2).limit(5)",
        ),
        ("numbers", ".where({n: _.gte(20)}).skip(1)"),
        (
            "numbers",
            ".orderBy(\"even\", \"asc\").orderBy(\"n\", \"desc\").limit(7)",
        ),
        ("no_such_collection", ".where({n: 1})"),
    ];
    let pairs = queries.iter().map(|(coll, tail)| {
        let statement = |field: &str| format!("db.collection(\"{coll}\"){tail}{field}.get()");
        (statement(""), statement(".field({zz_absent: false})"))
    });
    let matched = same_replies(&emu, &t, "databasequery", pairs).await;
    assert_eq!(matched, queries.len() - 4, "queries with records");
    // A string _id alone is looked up by its index, whole, and sent back as stored too.
    let id = records(
        &run_ok(
            &emu,
            &t,
            "databasequery",
            r#"db.collection("test_collection").where({n: 2}).get()"#,
        )
        .await,
    )[0]["_id"]
        .clone();
    let by_id = format!(
        "db.collection(\"test_collection\").where({{_id: \"{}\"}}).get()",
        id.as_str().unwrap()
    );
    assert_eq!(
        records(&run_ok(&emu, &t, "databasequery", &by_id).await)[0]["n"],
        Value::Int32(2)
    );
}
