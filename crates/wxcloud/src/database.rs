//! The database calls: one method per endpoint of the API reference (§2).

use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};

use crate::client::{Client, Op};
use crate::model::{
    AddReply, CollectionList, CountReply, DeleteReply, EmptyReply, ImportOptions, IndexSpec,
    JobReply, MigrateStatus, MigrateStatusReply, PagerReply, QueryResult, QueryTexts,
    RawQueryResult, UpdateResult,
};
use crate::statement::ToStatement;
use crate::{Document, Error, RecordTexts, Result, ejson};

/// Decodes each record with `decode`, naming the record's position in any error.
fn decode_records<T>(records: &RecordTexts, decode: impl Fn(&str) -> Result<T>) -> Result<Vec<T>> {
    records
        .iter()
        .enumerate()
        .map(|(i, text)| {
            decode(text).map_err(|err| match err {
                Error::Decode { message } => Error::decode(format!("record {i}: {message}")),
                other => other,
            })
        })
        .collect()
}

impl Client {
    /// A request body for this client's env with `fields` added after it.
    pub(crate) fn body(&self, fields: Json) -> Result<Json> {
        let mut body = serde_json::Map::new();
        body.insert("env".into(), Json::String(self.require_env()?.to_string()));
        if let Json::Object(fields) = fields {
            body.extend(fields);
        }
        Ok(Json::Object(body))
    }

    /// A body carrying a statement as `query`; the statement is written before anything is sent.
    fn statement_body(&self, statement: &impl ToStatement) -> Result<Json> {
        let query = statement.to_statement()?;
        self.body(json!({ "query": query.as_ref() }))
    }

    /// Runs an aggregation (`databaseaggregate`) and decodes the records.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let records = client
    ///     .aggregate(r#"db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()"#)
    ///     .await?;
    /// println!("{} records", records.len());
    /// # Ok(()) }
    /// ```
    pub async fn aggregate(&self, statement: impl ToStatement) -> Result<Vec<Document>> {
        let records = self.aggregate_texts(statement).await?;
        decode_records(&records, ejson::decode_document)
    }

    /// Runs an aggregation and returns the records as the service sent them (Extended JSON
    /// strings, untouched).
    pub async fn aggregate_raw(&self, statement: impl ToStatement) -> Result<Vec<String>> {
        Ok(self.aggregate_texts(statement).await?.into_strings())
    }

    /// [`Client::aggregate_raw`] with the strings in one buffer, for callers that decode them
    /// at once (no allocation per record).
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let texts = client
    ///     .aggregate_texts(r#"db.collection("todos").aggregate().limit(10).end()"#)
    ///     .await?;
    /// for text in &texts {
    ///     let record = wxcloud::ejson::decode_document(text)?;
    ///     # let _ = record;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn aggregate_texts(&self, statement: impl ToStatement) -> Result<RecordTexts> {
        let body = self.statement_body(&statement)?;
        let (records, EmptyReply {}) = self.call_records(Op::Aggregate, &body).await?;
        Ok(records)
    }

    /// Runs an aggregation and decodes each record into `T`.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// #[derive(serde::Deserialize)]
    /// struct Todo {
    ///     description: String,
    ///     done: bool,
    /// }
    /// let todos: Vec<Todo> = client
    ///     .aggregate_as(r#"db.collection("todos").aggregate().limit(10).end()"#)
    ///     .await?;
    /// # let _ = todos; Ok(()) }
    /// ```
    pub async fn aggregate_as<T: DeserializeOwned>(
        &self,
        statement: impl ToStatement,
    ) -> Result<Vec<T>> {
        let records = self.aggregate_texts(statement).await?;
        decode_records(&records, ejson::from_str::<T>)
    }

    /// Runs a query (`databasequery`) and decodes the records; the pager says where the page sits.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let page = client
    ///     .query(r#"db.collection("todos").where({done:false}).skip(20).limit(10).get()"#)
    ///     .await?;
    /// println!("{} of {}", page.data.len(), page.pager.total);
    /// # Ok(()) }
    /// ```
    pub async fn query(&self, statement: impl ToStatement) -> Result<QueryResult> {
        let page = self.query_texts(statement).await?;
        Ok(QueryResult {
            data: decode_records(&page.data, ejson::decode_document)?,
            pager: page.pager,
        })
    }

    /// Runs a query and returns the records as the service sent them.
    pub async fn query_raw(&self, statement: impl ToStatement) -> Result<RawQueryResult> {
        let page = self.query_texts(statement).await?;
        Ok(RawQueryResult {
            data: page.data.into_strings(),
            pager: page.pager,
        })
    }

    /// [`Client::query_raw`] with the strings in one buffer (see [`Client::aggregate_texts`]).
    pub async fn query_texts(&self, statement: impl ToStatement) -> Result<QueryTexts> {
        let body = self.statement_body(&statement)?;
        let (data, PagerReply { pager }) = self.call_records(Op::Query, &body).await?;
        Ok(QueryTexts { data, pager })
    }

    /// Counts the records a statement matches (`databasecount`).
    pub async fn count(&self, statement: impl ToStatement) -> Result<u64> {
        let body = self.statement_body(&statement)?;
        Ok(self.call::<CountReply>(Op::Count, &body).await?.count)
    }

    /// Adds records (`databaseadd`) and returns their `_id`s. Never repeated once the service
    /// may have received it.
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// let ids = client
    ///     .add(r#"db.collection("todos").add({data: [{description: "write docs", done: false}]})"#)
    ///     .await?;
    /// # let _ = ids; Ok(()) }
    /// ```
    pub async fn add(&self, statement: impl ToStatement) -> Result<Vec<String>> {
        let body = self.statement_body(&statement)?;
        Ok(self.call::<AddReply>(Op::Add, &body).await?.id_list)
    }

    /// Updates records (`databaseupdate`). Never repeated once the service may have received it.
    pub async fn update(&self, statement: impl ToStatement) -> Result<UpdateResult> {
        let body = self.statement_body(&statement)?;
        self.call(Op::Update, &body).await
    }

    /// Deletes records (`databasedelete`) and returns how many were deleted. Never repeated
    /// once the service may have received it.
    pub async fn delete(&self, statement: impl ToStatement) -> Result<u64> {
        let body = self.statement_body(&statement)?;
        Ok(self.call::<DeleteReply>(Op::Delete, &body).await?.deleted)
    }

    /// Creates a collection (`databasecollectionadd`).
    pub async fn create_collection(&self, name: &str) -> Result<()> {
        let body = self.body(json!({ "collection_name": name }))?;
        self.call::<EmptyReply>(Op::CreateCollection, &body)
            .await
            .map(drop)
    }

    /// Deletes a collection and its records (`databasecollectiondelete`).
    pub async fn delete_collection(&self, name: &str) -> Result<()> {
        let body = self.body(json!({ "collection_name": name }))?;
        self.call::<EmptyReply>(Op::DeleteCollection, &body)
            .await
            .map(drop)
    }

    /// Lists collections (`databasecollectionget`), `limit` at a time (the service's default
    /// is 10) starting at `offset`.
    pub async fn list_collections(&self, limit: u64, offset: u64) -> Result<CollectionList> {
        let body = self.body(json!({ "limit": limit, "offset": offset }))?;
        self.call(Op::ListCollections, &body).await
    }

    /// Creates and drops indexes of a collection (`updateindex`).
    ///
    /// ```no_run
    /// # async fn demo(client: wxcloud::Client) -> wxcloud::Result<()> {
    /// use wxcloud::{IndexDirection, IndexSpec};
    ///
    /// let by_due = IndexSpec::new("by_due").key("due", IndexDirection::Desc);
    /// client.update_index("todos", &[by_due], &["old_index"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_index(
        &self,
        collection: &str,
        create: &[IndexSpec],
        drop: &[&str],
    ) -> Result<()> {
        let create: Vec<Json> = create.iter().map(IndexSpec::to_json).collect();
        let drop: Vec<Json> = drop.iter().map(|name| json!({ "name": name })).collect();
        let body = self.body(json!({
            "collection_name": collection,
            "create_indexes": create,
            "drop_indexes": drop,
        }))?;
        self.call::<EmptyReply>(Op::UpdateIndex, &body)
            .await
            .map(|_| ())
    }

    /// Starts importing `file_path` (a file in the env's cloud storage) into `collection`
    /// (`databasemigrateimport`); returns the job id for [`Client::migrate_status`].
    pub async fn migrate_import(
        &self,
        collection: &str,
        file_path: &str,
        options: ImportOptions,
    ) -> Result<u64> {
        let body = self.body(json!({
            "collection_name": collection,
            "file_path": file_path,
            "file_type": options.file_type.code(),
            "stop_on_error": options.stop_on_error,
            "conflict_mode": options.conflict_mode.code(),
        }))?;
        Ok(self
            .call::<JobReply>(Op::MigrateImport, &body)
            .await?
            .job_id)
    }

    /// Starts exporting what `statement` selects to `file_path` in the env's cloud storage
    /// (`databasemigrateexport`); returns the job id for [`Client::migrate_status`].
    pub async fn migrate_export(
        &self,
        file_path: &str,
        file_type: crate::FileType,
        statement: impl ToStatement,
    ) -> Result<u64> {
        let query = statement.to_statement()?;
        let body = self.body(json!({
            "file_path": file_path,
            "file_type": file_type.code(),
            "query": query.as_ref(),
        }))?;
        Ok(self
            .call::<JobReply>(Op::MigrateExport, &body)
            .await?
            .job_id)
    }

    /// The state of a migration job (`databasemigratequeryinfo`).
    pub async fn migrate_status(&self, job_id: u64) -> Result<MigrateStatus> {
        let body = self.body(json!({ "job_id": job_id }))?;
        Ok(self
            .call::<MigrateStatusReply>(Op::MigrateStatus, &body)
            .await?
            .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_static<T: Send + 'static>(_: T) {}

    /// Bindings spawn these futures onto a multi-threaded runtime: they must be `Send`, and
    /// `'static` when given owned arguments.
    #[allow(dead_code)]
    fn call_futures_are_send_and_static(client: Client) {
        let c = client.clone();
        assert_send_static(async move { c.aggregate(String::from("s")).await });
        let c = client.clone();
        assert_send_static(async move { c.query("s").await });
        let c = client.clone();
        assert_send_static(async move { c.add(String::from("s")).await });
        let c = client.clone();
        assert_send_static(async move { c.aggregate_as::<serde_json::Value>("s").await });
        let c = client.clone();
        assert_send_static(async move { c.update_index("c", &[], &["i"]).await });
        let c = client.clone();
        assert_send_static(async move { c.invoke_function("f", &serde_json::json!({})).await });
        let c = client.clone();
        assert_send_static(async move { c.upload_file("a/b.txt", b"x".to_vec()).await });
        let c = client.clone();
        assert_send_static(async move {
            c.download_urls(
                &["cloud://x".to_string()],
                std::time::Duration::from_secs(1),
            )
            .await
        });
        let c = client.clone();
        assert_send_static(async move { c.download_file_stream("cloud://x").await });
        let c = client.clone();
        assert_send_static(async move { c.delete_files(&["cloud://x"]).await });
        let c = client.clone();
        assert_send_static(async move { c.qcloud_token(std::time::Duration::from_secs(60)).await });
        assert_send_static(async move { client.token_info().await });
    }
}
