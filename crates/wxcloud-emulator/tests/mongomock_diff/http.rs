//! A plain HTTP client for the emulator's database calls, running the cases as statements.

use serde_json::json;
use wxcloud::statement::{self, Direction, Query};
use wxcloud::{Document, Value, ejson};
use wxcloud_emulator::RunningEmulator;

use super::{Case, Db, Outcome, as_docs, canonical_sort, unordered_keys};

pub struct Remote {
    http: reqwest::Client,
    base: String,
    token: String,
    env: String,
}

/// The statement text, or `None` (with a note) when the writer refuses the case.
fn written(case: &Case, text: wxcloud::Result<String>) -> Option<String> {
    match text {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!(
                "http: {} not run: the statement writer refuses it: {e}",
                case.id
            );
            None
        }
    }
}

/// A document with one field.
fn one(k: &str, v: Value) -> Document {
    let mut d = Document::new();
    d.insert(k.into(), v);
    d
}

impl Remote {
    pub async fn connect(emu: &RunningEmulator) -> Remote {
        let http = reqwest::Client::new();
        let base = emu.base_url();
        let url = format!(
            "{base}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
            emu.appid(),
            emu.secret()
        );
        let reply: serde_json::Value = http
            .get(url)
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token json");
        let token = reply["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        Remote {
            http,
            base,
            token,
            env: emu.env().to_owned(),
        }
    }

    /// Calls `/tcb/{op}`; a non-zero errcode is an error carrying errmsg.
    async fn call(&self, op: &str, body: serde_json::Value) -> Result<serde_json::Value, String> {
        let url = format!("{}/tcb/{op}?access_token={}", self.base, self.token);
        let reply: serde_json::Value = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        match reply["errcode"].as_i64() {
            Some(0) => Ok(reply),
            _ => Err(format!("{} {}", reply["errcode"], reply["errmsg"])),
        }
    }

    async fn statement(&self, op: &str, query: String) -> Result<serde_json::Value, String> {
        self.call(op, json!({"env": self.env, "query": query}))
            .await
    }

    fn records(reply: &serde_json::Value) -> Vec<Document> {
        reply["data"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| ejson::decode_document(s.as_str()?).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Imports documents with their exact types (a JSON-lines migrate import; an add
    /// statement would type numbers by value). The import file is uploaded to the env's cloud
    /// storage first, as the real service requires.
    async fn import(&self, collection: &str, docs: &[Document]) {
        let text: String = docs
            .iter()
            .map(|d| ejson::to_canonical_string(d) + "\n")
            .collect();
        let path = format!("mongomock/{collection}.json");
        let grant = self
            .call("uploadfile", json!({"env": self.env, "path": path}))
            .await
            .expect("upload grant");
        let url = grant["url"].as_str().expect("upload url");
        let (status, body) = crate::support::post_form(
            url,
            &crate::support::grant_fields(&grant, &path, text.as_bytes()),
        )
        .await;
        assert_eq!((status, body.as_str()), (204, ""), "upload the import file");
        let body = json!({"env": self.env, "collection_name": collection, "file_path": path,
            "file_type": 1, "stop_on_error": true, "conflict_mode": 1});
        self.call("databasemigrateimport", body)
            .await
            .expect("import documents");
    }

    /// Creates the collections and imports the generated documents.
    pub async fn load(&self, db: &Db) {
        for (name, docs) in &db.0 {
            self.call(
                "databasecollectionadd",
                json!({"env": self.env, "collection_name": name}),
            )
            .await
            .expect("create collection");
            self.import(name, docs).await;
        }
        self.call(
            "databasecollectionadd",
            json!({"env": self.env, "collection_name": "u"}),
        )
        .await
        .expect("create collection u");
    }

    /// One case over HTTP; `None` when the statement writer cannot express it.
    pub async fn run(&self, case: &Case) -> Option<Outcome> {
        match case.kind.as_str() {
            "filter" => self.filter(case).await,
            "update" => self.update(case).await,
            _ => self.pipeline(case).await,
        }
    }

    async fn filter(&self, case: &Case) -> Option<Outcome> {
        let f = case.doc("filter");
        let mut ids = Vec::new();
        let mut skip = 0u64;
        loop {
            let q = Query::new("items")
                .filter(f.clone())
                .order_by("_id", Direction::Asc)
                .skip(skip)
                .limit(1000);
            let text = written(case, statement::query(&q))?;
            match self.statement("databasequery", text).await {
                Ok(reply) => {
                    let page = Self::records(&reply);
                    let n = page.len();
                    ids.extend(
                        page.into_iter()
                            .map(|d| d.get("_id").cloned().unwrap_or(Value::Null)),
                    );
                    if n < 1000 {
                        break;
                    }
                    skip += 1000;
                }
                Err(e) => return Some(Outcome::Error(e)),
            }
        }
        Some(Outcome::Ids(canonical_sort(ids)))
    }

    async fn update(&self, case: &Case) -> Option<Outcome> {
        let before = case.doc("before");
        let u = case.doc("update");
        let id = before.get("_id").cloned().unwrap_or(Value::Null);
        let by_id = one("_id", id.clone());
        let text = written(case, statement::update("u", &by_id, &u))?;
        let all = one("_id", Value::Document(one("$exists", Value::Bool(true))));
        self.statement("databasedelete", statement::delete("u", &all).ok()?)
            .await
            .expect("clear u");
        self.import("u", std::slice::from_ref(&before)).await;
        if let Err(e) = self.statement("databaseupdate", text).await {
            return Some(Outcome::Error(e));
        }
        let q = statement::query(&Query::new("u").filter(by_id).limit(1)).ok()?;
        let reply = self
            .statement("databasequery", q)
            .await
            .expect("read the document back");
        let doc = Self::records(&reply).into_iter().next().unwrap_or_default();
        Some(Outcome::Doc(unordered_keys(&Value::Document(doc))))
    }

    async fn pipeline(&self, case: &Case) -> Option<Outcome> {
        let mut stages = as_docs(case.body.get("pipeline"));
        // Without a $limit stage the service returns 20 records; ask for all of them.
        if !stages.iter().any(|s| s.contains_key("$limit")) {
            stages.push(one("$limit", Value::Int32(1_000_000)));
        }
        let text = written(case, statement::aggregate("items", &stages))?;
        match self.statement("databaseaggregate", text).await {
            Ok(reply) => {
                let docs: Vec<Value> = Self::records(&reply)
                    .into_iter()
                    .map(|d| unordered_keys(&Value::Document(d)))
                    .collect();
                Some(case.docs_outcome(docs))
            }
            Err(e) => Some(Outcome::Error(e)),
        }
    }
}
