//! The shared wx-server-sdk snippets (tests/vectors/sdk-snippets.json) in Rust: each snippet,
//! sent as the statement it is, means to the core's chain lowering (through the emulator's
//! parser) what its structured call means to the statement writer — same records, same data.
//! The Node and Python suites run the same file through their `client.database()` chains.

use std::path::PathBuf;

use serde_json::Value as Json;
use wxcloud::statement::chain::Operation;
use wxcloud::statement::{Count, Delete, Direction, Query, Statement, Update};
use wxcloud::{Client, Document, Value, ejson};
use wxcloud_emulator::{Emulator, RunningEmulator};

fn vectors() -> Json {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/sdk-snippets.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the snippet file")).expect("JSON")
}

fn value(json: &Json) -> Value {
    ejson::decode_value(&json.to_string()).expect("Extended JSON")
}

fn document(json: &Json) -> Document {
    ejson::decode_document(&json.to_string()).expect("an Extended JSON document")
}

/// What a call returned, in terms both paths share.
#[derive(Debug, PartialEq)]
enum Outcome {
    Records(Vec<Document>),
    Number(u64),
    Ids(Vec<String>),
}

async fn send(client: &Client, operation: Operation, text: &str) -> Outcome {
    let outcome = match operation {
        Operation::Query => client.query(text).await.map(|r| Outcome::Records(r.data)),
        Operation::Count => client.count(text).await.map(Outcome::Number),
        Operation::Aggregate => client.aggregate(text).await.map(Outcome::Records),
        Operation::Update => client
            .update(text)
            .await
            .map(|r| Outcome::Number(r.modified)),
        Operation::Delete => client.delete(text).await.map(Outcome::Number),
        Operation::Add => client.add(text).await.map(Outcome::Ids),
    };
    outcome.unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The statement the structured call writes, and the operation that sends it.
fn structured(s: &Json, name: &str) -> (Operation, String) {
    let op = s["op"].as_str().expect("op");
    let filter = || s.get("where").map(document);
    let statement = match op {
        "query" => {
            let mut q = Query::new(name);
            q.filter = filter();
            for pair in s
                .get("orderBy")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let dir: Direction = pair[1]
                    .as_str()
                    .expect("direction")
                    .parse()
                    .expect("a direction");
                q.order_by
                    .push((pair[0].as_str().expect("field").to_owned(), dir));
            }
            q.skip = s.get("skip").and_then(Json::as_u64);
            q.limit = s.get("limit").and_then(Json::as_u64);
            q.fields = s.get("fields").map(document);
            Statement::Query(q)
        }
        "count" => {
            let mut c = Count::new(name);
            if let Some(f) = filter() {
                c = c.filter(f);
            }
            c.into()
        }
        "aggregate" => Statement::Aggregate {
            collection: name.to_owned(),
            stages: s["pipeline"]
                .as_array()
                .expect("pipeline")
                .iter()
                .map(document)
                .collect(),
        },
        "update" => Update::new(name, filter().expect("where"), document(&s["data"])).into(),
        "delete" => Delete::new(name, filter().expect("where")).into(),
        "add" => {
            let docs = &s["docs"];
            let many = docs.is_array();
            let docs = match value(docs) {
                Value::Array(items) => items
                    .into_iter()
                    .map(|d| d.as_document().expect("a record").clone())
                    .collect(),
                Value::Document(d) => vec![d],
                other => panic!("docs: {other:?}"),
            };
            Statement::Add {
                collection: name.to_owned(),
                docs,
                many,
            }
        }
        "statement" => {
            let text = s["text"]
                .as_str()
                .expect("text")
                .replace("db.collection(C)", &format!("db.collection({name:?})"));
            let operation = match s["operation"].as_str() {
                Some("update") => Operation::Update,
                other => panic!("operation {other:?}"),
            };
            return (operation, text);
        }
        other => panic!("unknown op {other}"),
    };
    (
        Operation::of(&statement),
        statement.to_text().expect("the writer writes it"),
    )
}

async fn seed(client: &Client, name: &str, records: &[Document]) {
    client.create_collection(name).await.expect("collection");
    client
        .add(wxcloud::statement::Add::new(name).docs(records.to_vec()))
        .await
        .expect("seed");
}

async fn contents(client: &Client, name: &str, volatile: &[String]) -> Vec<Document> {
    let mut records = client
        .query(&Query::new(name).order_by("_id", Direction::Asc).limit(1000))
        .await
        .expect("contents")
        .data;
    for record in &mut records {
        for field in volatile {
            if let Some(v) = record.get_mut(field) {
                assert!(
                    matches!(v, Value::Date(_)),
                    "{field} holds the service's date"
                );
                *v = Value::from("a date");
            }
        }
    }
    records
}

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .in_memory()
        .start()
        .await
        .expect("the emulator starts")
}

#[tokio::test]
async fn every_snippet_means_what_its_structured_call_means() {
    let set = vectors();
    let seed_records: Vec<Document> = set["seed"]
        .as_array()
        .expect("seed")
        .iter()
        .map(document)
        .collect();
    let placeholder = set["collection_placeholder"]
        .as_str()
        .expect("placeholder")
        .to_owned();
    let snippets = set["snippets"].as_array().expect("snippets");
    assert!(snippets.len() >= 60, "{} snippets", snippets.len());
    let emu = emulator().await;
    let client = Client::builder()
        .base_url(emu.base_url())
        .appid(emu.appid())
        .secret(emu.secret())
        .env(emu.env())
        .build()
        .expect("client");
    for (i, snippet) in snippets.iter().enumerate() {
        let (chain_name, plain_name) = (format!("s{i}_chain"), format!("s{i}_plain"));
        seed(&client, &chain_name, &seed_records).await;
        seed(&client, &plain_name, &seed_records).await;
        let js = snippet["js"].as_str().expect("js");
        let quoted = format!("{chain_name:?}");
        let text = js
            .replace("db.collection(C)", &format!("db.collection({quoted})"))
            .replace("\"from\": C", &format!("\"from\": {quoted}"));
        let parsed =
            wxcloud_emulator::parser::parse(&text, 0).unwrap_or_else(|e| panic!("{text}: {e}"));
        let got = send(&client, Operation::of(&parsed), &text).await;
        let spec: Json = serde_json::from_str(
            &snippet["structured"]
                .to_string()
                .replace(&format!("{placeholder:?}"), &format!("{plain_name:?}")),
        )
        .expect("json");
        let (operation, statement) = structured(&spec, &plain_name);
        let expected = send(&client, operation, &statement).await;
        let label = snippet["name"].as_str().unwrap_or("?");
        assert_eq!(got, expected, "{label}: {text}\n vs {statement}");
        let volatile: Vec<String> = snippet
            .get("volatile")
            .and_then(Json::as_array)
            .map(|v| {
                v.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            contents(&client, &chain_name, &volatile).await,
            contents(&client, &plain_name, &volatile).await,
            "{label}: the same data afterwards"
        );
    }
}
