//! A data file keeps collections, documents and indexes across a clean restart, and the sample
//! is seeded only once.

mod support;

use serde_json::json;
use support::*;
use wxcloud_emulator::Emulator;

#[tokio::test]
async fn collections_documents_and_indexes_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("emulator.db");
    let emu = start_with(Emulator::builder().data_path(&data).seed_sample(true)).await;
    let t = token(&emu).await;
    create_collection(&emu, &t, "kept").await;
    run_ok(
        &emu,
        &t,
        "databaseadd",
        r#"db.collection("kept").add({data: {_id: "k1", email: "a@x"}})"#,
    )
    .await;
    let index = json!({"env": emu.env(), "collection_name": "kept", "create_indexes": [{"name": "email_1", "unique": true, "keys": [{"name": "email", "direction": "1"}]}]});
    ok(tcb(&emu, &t, "updateindex", index).await);
    run_ok(
        &emu,
        &t,
        "databasedelete",
        r#"db.collection("test_collection").doc("f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea").remove()"#,
    )
    .await;
    emu.shutdown().await;

    let emu = start_with(Emulator::builder().data_path(&data).seed_sample(true)).await;
    let t = token(&emu).await;
    let docs = query_records(&emu, &t, r#"db.collection("kept").get()"#).await;
    assert_eq!(docs[0]["email"], wxcloud::Value::from("a@x"));
    let dup = run(
        &emu,
        &t,
        "databaseadd",
        r#"db.collection("kept").add({data: {email: "a@x"}})"#,
    )
    .await;
    assert_eq!(errcode(&dup), -502001, "the unique index is still enforced");
    let count = run_ok(
        &emu,
        &t,
        "databasecount",
        r#"db.collection("test_collection").count()"#,
    )
    .await;
    assert_eq!(
        count["count"], 3,
        "the seed does not come back once its collection exists"
    );
}
