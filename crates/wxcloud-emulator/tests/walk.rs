//! The core's whole-collection stream (`Client::iter_query`) against a real emulator over HTTP:
//! keyed paging that neither skips nor repeats while records come and go, a busy page retried,
//! a stalled page ending in a timeout.

use std::collections::HashMap;
use std::time::Duration;

use futures::TryStreamExt;
use wxcloud::statement::{Add, Delete, Direction, Query};
use wxcloud::{Client, Document, ErrorKind, Value};
use wxcloud_emulator::{Emulator, Fault, RunningEmulator};

const RECORDS: i32 = 2500;

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .in_memory()
        .start()
        .await
        .expect("the emulator starts")
}

fn client(emu: &RunningEmulator, timeout: Duration) -> Client {
    Client::builder()
        .base_url(emu.base_url())
        .appid(emu.appid())
        .secret(emu.secret())
        .env(emu.env())
        .timeout(timeout)
        .build()
        .expect("a client")
}

fn record(n: i32, tag: &str) -> Document {
    [
        ("_id".to_owned(), Value::String(format!("{tag}-{n:05}"))),
        ("n".to_owned(), Value::Int32(n)),
        ("tag".to_owned(), Value::from(tag)),
    ]
    .into_iter()
    .collect()
}

async fn add(client: &Client, docs: Vec<Document>) {
    for chunk in docs.chunks(500) {
        client
            .add(Add::new("walk").docs(chunk.to_vec()))
            .await
            .expect("add");
    }
}

async fn seeded(emu: &RunningEmulator) -> Client {
    let client = client(emu, Duration::from_secs(30));
    client.create_collection("walk").await.expect("collection");
    add(&client, (0..RECORDS).map(|n| record(n, "orig")).collect()).await;
    client
}

fn n_filter(op: &str, n: i32) -> Document {
    let cond: Document = [(op.to_owned(), Value::Int32(n))].into_iter().collect();
    [("n".to_owned(), Value::Document(cond))]
        .into_iter()
        .collect()
}

fn id_of(doc: &Document) -> String {
    doc.get("_id")
        .and_then(Value::as_str)
        .expect("an _id")
        .to_owned()
}

fn query_path_count(emu: &RunningEmulator) -> u64 {
    emu.stats()
        .requests
        .get("/tcb/databasequery")
        .copied()
        .unwrap_or(0)
}

/// Walks `n` ascending; after `at` records it changes the collection on both sides of the
/// cursor: new records behind (n < 0) and ahead (n > 10000), deletes of seen and unseen ones.
#[tokio::test]
async fn records_present_for_the_whole_walk_are_seen_exactly_once_while_others_come_and_go() {
    let emu = emulator().await;
    let client = seeded(&emu).await;
    let mut walk = client
        .iter_query(Query::new("walk").order_by("n", Direction::Asc))
        .expect("walk");
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut deleted: Vec<String> = Vec::new();
    let mut read = 0;
    while let Some(doc) = walk.try_next().await.expect("a record") {
        *seen.entry(id_of(&doc)).or_default() += 1;
        read += 1;
        if read == 500 || read == 1500 {
            let round = read;
            // Behind the cursor: inserted below it, and some already seen removed.
            add(
                &client,
                (0..50).map(|i| record(-1 - i - round, "behind")).collect(),
            )
            .await;
            let behind = client
                .delete(Delete::new("walk", n_filter("$lt", round / 10)))
                .await;
            assert!(behind.expect("delete behind") > 0);
            // Ahead: inserted above everything, and some not yet seen removed.
            add(
                &client,
                (0..50)
                    .map(|i| record(10_000 + round + i, "ahead"))
                    .collect(),
            )
            .await;
            let gone = 2000 + round / 10;
            client
                .delete(Delete::new("walk", n_filter("$eq", gone)))
                .await
                .expect("delete ahead");
            deleted.push(format!("orig-{gone:05}"));
        }
    }
    let mut present = 0;
    for n in 0..RECORDS {
        let id = format!("orig-{n:05}");
        let removed_behind = n < 150;
        if removed_behind || deleted.contains(&id) {
            continue;
        }
        present += 1;
        assert_eq!(seen.get(&id), Some(&1), "{id} is seen exactly once");
    }
    assert_eq!(present, 2500 - 150 - 2);
    for id in &deleted {
        assert!(
            !seen.contains_key(id),
            "{id} was deleted before the cursor reached it"
        );
    }
    assert!(
        seen.values().all(|&times| times == 1),
        "no record is repeated"
    );
    assert!(
        seen.keys().all(|id| !id.starts_with("behind")),
        "records inserted behind the cursor are not read"
    );
    assert_eq!(
        seen.keys().filter(|id| id.starts_with("ahead")).count(),
        100,
        "records inserted ahead are read"
    );
}

#[tokio::test]
async fn a_walk_by_id_with_a_filter_and_projection_reads_every_match_in_pages() {
    let emu = emulator().await;
    let client = seeded(&emu).await;
    let before = query_path_count(&emu);
    let projection: Document = [("tag".to_owned(), Value::Bool(true))]
        .into_iter()
        .collect();
    let records: Vec<Document> = client
        .iter_query(
            Query::new("walk")
                .filter(n_filter("$gte", 500))
                .fields(projection),
        )
        .expect("walk")
        .page_size(700)
        .expect("page size")
        .try_collect()
        .await
        .expect("the walk completes");
    assert_eq!(records.len(), 2000);
    let ids: Vec<String> = records.iter().map(id_of).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "in _id order");
    assert!(
        records
            .iter()
            .all(|r| r.keys().map(String::as_str).eq(["_id", "tag"])),
        "only the projected fields"
    );
    assert_eq!(
        query_path_count(&emu) - before,
        3,
        "2,000 records in pages of 700"
    );
}

#[tokio::test]
async fn a_busy_page_is_retried_and_the_walk_completes() {
    let emu = emulator().await;
    let client = seeded(&emu).await;
    let mut walk = client.iter_query(Query::new("walk")).expect("walk");
    let mut count = 0;
    while let Some(_doc) = walk.try_next().await.expect("every page arrives") {
        count += 1;
        if count == 1 {
            emu.inject_fault(Fault {
                path: "/tcb/databasequery".into(),
                errcode: Some(-1),
                errmsg: Some("system busy".into()),
                ..Fault::default()
            })
            .expect("fault");
        }
    }
    assert_eq!(count, RECORDS);
}

#[tokio::test]
async fn a_stalled_page_ends_the_walk_with_a_timeout() {
    let emu = emulator().await;
    seeded(&emu).await;
    let client = client(&emu, Duration::from_millis(800));
    let mut walk = client.iter_query(Query::new("walk")).expect("walk");
    walk.try_next()
        .await
        .expect("the first page")
        .expect("a record");
    emu.inject_fault(Fault {
        path: "/tcb/databasequery".into(),
        delay_ms: Some(5_000),
        times: Some(10),
        ..Fault::default()
    })
    .expect("fault");
    let err = loop {
        match walk.try_next().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the walk ended without reading the stalled page"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn a_walk_refuses_skip_and_bad_page_sizes_before_sending() {
    let emu = emulator().await;
    let client = client(&emu, Duration::from_secs(5));
    let err = client
        .iter_query(Query::new("walk").skip(5))
        .expect_err("skip refused");
    assert_eq!(err.kind(), ErrorKind::Statement);
    let err = client
        .iter_query(Query::new("walk"))
        .expect("walk")
        .page_size(1001)
        .expect_err("too big");
    assert_eq!(err.kind(), ErrorKind::Statement);
    assert_eq!(query_path_count(&emu), 0);
}

#[tokio::test]
async fn a_sort_field_of_mixed_types_falls_back_to_skip_and_still_reads_everything() {
    let emu = emulator().await;
    let client = client(&emu, Duration::from_secs(30));
    client.create_collection("walk").await.expect("collection");
    let mut docs: Vec<Document> = (0..30).map(|n| record(n, "num")).collect();
    for n in 0..30 {
        let mut d = record(n, "str");
        d.insert("n".into(), Value::String(format!("s{n:02}")));
        docs.push(d);
    }
    let mut missing = record(0, "none");
    missing.shift_remove("n");
    docs.push(missing);
    add(&client, docs).await;
    let records: Vec<Document> = client
        .iter_query(Query::new("walk").order_by("n", Direction::Desc))
        .expect("walk")
        .page_size(7)
        .expect("size")
        .try_collect()
        .await
        .expect("the walk completes");
    let mut ids: Vec<String> = records.iter().map(id_of).collect();
    assert_eq!(ids.len(), 61);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 61, "each record once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_client_walks_the_same_way() {
    let emu = emulator().await;
    seeded(&emu).await;
    let base = (
        emu.base_url(),
        emu.appid().to_owned(),
        emu.secret().to_owned(),
        emu.env().to_owned(),
    );
    // A plain thread: the blocking client runs its own runtime and must not be inside this one.
    let ns = std::thread::spawn(move || {
        let client = Client::builder()
            .base_url(base.0)
            .appid(base.1)
            .secret(base.2)
            .env(base.3)
            .build_blocking()
            .expect("a blocking client");
        client
            .iter_query(Query::new("walk").order_by("n", Direction::Desc))
            .expect("walk")
            .page_size(400)
            .expect("size")
            .map(|r| {
                r.expect("a record")
                    .get("n")
                    .and_then(Value::as_i64)
                    .expect("n")
            })
            .collect::<Vec<i64>>()
    })
    .join()
    .expect("the thread");
    assert_eq!(ns, (0..i64::from(RECORDS)).rev().collect::<Vec<_>>());
}
