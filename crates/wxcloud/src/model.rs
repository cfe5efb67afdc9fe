//! What database calls return, and the options some of them take.

use serde::{Deserialize, Deserializer, Serialize};

use crate::{Document, RecordTexts};

/// Reads a count the service may send as a number or a numeric string.
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        N(u64),
        F(f64),
        S(String),
    }
    match Num::deserialize(d)? {
        Num::N(n) => Ok(n),
        Num::F(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => Ok(f as u64),
        Num::F(f) => Err(serde::de::Error::custom(format!(
            "expected a count, got {f}"
        ))),
        Num::S(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("expected a count, got {s:?}"))),
    }
}

/// Paging information of a query or a collection listing. The service writes the keys
/// capitalised (`Offset`, `Limit`, `Total`); lowercase keys are accepted too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pager {
    /// How many records were skipped.
    #[serde(
        rename = "Offset",
        alias = "offset",
        deserialize_with = "lenient_u64",
        default
    )]
    pub offset: u64,
    /// The most records this page could hold.
    #[serde(
        rename = "Limit",
        alias = "limit",
        deserialize_with = "lenient_u64",
        default
    )]
    pub limit: u64,
    /// How many records match in all.
    #[serde(
        rename = "Total",
        alias = "total",
        deserialize_with = "lenient_u64",
        default
    )]
    pub total: u64,
}

/// The result of [`crate::Client::query`]: decoded records and the pager.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryResult {
    /// The records, decoded from Extended JSON.
    pub data: Vec<Document>,
    /// Where this page sits.
    pub pager: Pager,
}

/// The result of [`crate::Client::query_raw`]: records as the service sent them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct RawQueryResult {
    /// The records as Extended JSON strings, untouched.
    #[serde(default)]
    pub data: Vec<String>,
    /// Where this page sits.
    #[serde(default)]
    pub pager: Pager,
}

/// The result of [`crate::Client::query_texts`]: records as the service sent them, in one buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryTexts {
    /// The records as Extended JSON strings, untouched.
    pub data: RecordTexts,
    /// Where this page sits.
    pub pager: Pager,
}

/// The result of [`crate::Client::update`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct UpdateResult {
    /// How many records matched the condition.
    #[serde(deserialize_with = "lenient_u64", default)]
    pub matched: u64,
    /// How many records were changed (a record inserted by `set()` is not counted).
    #[serde(deserialize_with = "lenient_u64", default)]
    pub modified: u64,
    /// The `_id` of the record `set()` inserted, if it inserted one.
    #[serde(default, deserialize_with = "non_empty_string")]
    pub id: Option<String>,
}

fn non_empty_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// One collection in [`CollectionList`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionInfo {
    /// The collection's name.
    pub name: String,
    /// How many records it holds.
    #[serde(deserialize_with = "lenient_u64", default)]
    pub count: u64,
    /// Its size in bytes.
    #[serde(deserialize_with = "lenient_u64", default)]
    pub size: u64,
    /// How many indexes it has.
    #[serde(deserialize_with = "lenient_u64", default)]
    pub index_count: u64,
    /// The size of its indexes in bytes.
    #[serde(deserialize_with = "lenient_u64", default)]
    pub index_size: u64,
}

/// The result of [`crate::Client::list_collections`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionList {
    /// Where this page sits.
    #[serde(default)]
    pub pager: Pager,
    /// The collections on this page.
    #[serde(default)]
    pub collections: Vec<CollectionInfo>,
}

/// The direction of one key of an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexDirection {
    /// Ascending (`"1"`).
    Asc,
    /// Descending (`"-1"`).
    Desc,
    /// A geospatial index (`"2dsphere"`).
    Geo2dSphere,
}

impl IndexDirection {
    /// The direction as the service writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexDirection::Asc => "1",
            IndexDirection::Desc => "-1",
            IndexDirection::Geo2dSphere => "2dsphere",
        }
    }

    /// Reads a direction the way every front end accepts it: `1` / `-1` as numbers or strings,
    /// `"asc"` / `"desc"`, or `"2dsphere"`.
    ///
    /// ```
    /// use wxcloud::{IndexDirection, Value};
    /// assert_eq!(IndexDirection::from_value(&Value::Int32(-1))?, IndexDirection::Desc);
    /// assert_eq!(IndexDirection::from_value(&"2dsphere".into())?, IndexDirection::Geo2dSphere);
    /// # Ok::<(), wxcloud::Error>(())
    /// ```
    pub fn from_value(value: &crate::Value) -> crate::Result<IndexDirection> {
        match value {
            crate::Value::String(s) => s.parse(),
            v => match v.as_f64() {
                Some(1.0) => Ok(IndexDirection::Asc),
                Some(-1.0) => Ok(IndexDirection::Desc),
                _ => Err(crate::Error::config(
                    "an index key's direction is 1, -1 or \"2dsphere\"",
                )),
            },
        }
    }
}

impl std::str::FromStr for IndexDirection {
    type Err = crate::Error;

    /// `"1"` or `"asc"`, `"-1"` or `"desc"` (any case), or `"2dsphere"`; blanks ignored.
    fn from_str(s: &str) -> crate::Result<IndexDirection> {
        match s.trim() {
            "1" => Ok(IndexDirection::Asc),
            "-1" => Ok(IndexDirection::Desc),
            s if s.eq_ignore_ascii_case("asc") => Ok(IndexDirection::Asc),
            s if s.eq_ignore_ascii_case("desc") => Ok(IndexDirection::Desc),
            "2dsphere" => Ok(IndexDirection::Geo2dSphere),
            other => Err(crate::Error::config(format!(
                "an index key's direction is 1, -1 or \"2dsphere\", not {other:?}"
            ))),
        }
    }
}

/// One key of an [`IndexSpec`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexKey {
    /// The field name (dot paths allowed).
    pub name: String,
    /// Its direction.
    pub direction: IndexDirection,
}

/// An index to create with [`crate::Client::update_index`].
///
/// ```
/// use wxcloud::{IndexDirection, IndexSpec};
///
/// let spec = IndexSpec::new("by_due").key("due", IndexDirection::Desc).unique(false);
/// assert_eq!(spec.keys.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexSpec {
    /// The index name.
    pub name: String,
    /// Whether the keys must be unique.
    pub unique: bool,
    /// The keys, in order.
    pub keys: Vec<IndexKey>,
}

impl IndexSpec {
    /// An index named `name` with no keys yet, not unique.
    pub fn new(name: impl Into<String>) -> Self {
        IndexSpec {
            name: name.into(),
            unique: false,
            keys: Vec::new(),
        }
    }

    /// Adds a key.
    pub fn key(mut self, field: impl Into<String>, direction: IndexDirection) -> Self {
        self.keys.push(IndexKey {
            name: field.into(),
            direction,
        });
        self
    }

    /// Sets whether the index is unique.
    pub fn unique(mut self, unique: bool) -> Self {
        self.unique = unique;
        self
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        let keys: Vec<_> = self
            .keys
            .iter()
            .map(|k| serde_json::json!({"name": k.name, "direction": k.direction.as_str()}))
            .collect();
        serde_json::json!({"name": self.name, "unique": self.unique, "keys": keys})
    }
}

/// The file format of a migration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FileType {
    /// JSON lines (`file_type` 1).
    #[default]
    Json,
    /// CSV (`file_type` 2).
    Csv,
}

impl FileType {
    pub(crate) fn code(self) -> u8 {
        match self {
            FileType::Json => 1,
            FileType::Csv => 2,
        }
    }
}

/// What an import does with a record whose `_id` exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConflictMode {
    /// Insert only; a duplicate is an error (`conflict_mode` 1).
    #[default]
    Insert,
    /// Replace the existing record (`conflict_mode` 2).
    Upsert,
}

impl ConflictMode {
    pub(crate) fn code(self) -> u8 {
        match self {
            ConflictMode::Insert => 1,
            ConflictMode::Upsert => 2,
        }
    }
}

/// Options of [`crate::Client::migrate_import`]; the default imports JSON, inserting, and
/// keeps going past bad records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The file's format.
    pub file_type: FileType,
    /// Stop at the first record that fails.
    pub stop_on_error: bool,
    /// What to do with existing `_id`s.
    pub conflict_mode: ConflictMode,
}

/// The state of a migration job, from [`crate::Client::migrate_status`]. Its `Debug` hides
/// the signature of `file_url`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MigrateStatus {
    /// The job's state as the service names it (e.g. `"success"`, `"fail"`, `"running"`).
    pub status: String,
    /// Records processed successfully.
    pub record_success: u64,
    /// Records that failed.
    pub record_fail: u64,
    /// The failure message, if any (the service sends it as `err_msg` or `error_msg`).
    pub err_msg: Option<String>,
    /// Where an export's file can be downloaded, if any.
    pub file_url: Option<String>,
}

impl std::fmt::Debug for MigrateStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrateStatus")
            .field("status", &self.status)
            .field("record_success", &self.record_success)
            .field("record_fail", &self.record_fail)
            .field("err_msg", &self.err_msg)
            .field(
                "file_url",
                &self.file_url.as_deref().map(crate::cos::redact_url),
            )
            .finish()
    }
}

/// The reply of `databasemigratequeryinfo`, accepting both spellings of the message field.
#[derive(Deserialize)]
pub(crate) struct MigrateStatusReply {
    #[serde(default)]
    status: String,
    #[serde(deserialize_with = "lenient_u64", default)]
    record_success: u64,
    #[serde(deserialize_with = "lenient_u64", default)]
    record_fail: u64,
    #[serde(default)]
    err_msg: Option<String>,
    #[serde(default)]
    error_msg: Option<String>,
    #[serde(default)]
    file_url: Option<String>,
}

impl From<MigrateStatusReply> for MigrateStatus {
    fn from(r: MigrateStatusReply) -> Self {
        let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
        MigrateStatus {
            status: r.status,
            record_success: r.record_success,
            record_fail: r.record_fail,
            err_msg: non_empty(r.err_msg).or(non_empty(r.error_msg)),
            file_url: non_empty(r.file_url),
        }
    }
}

/// What a reply of `databasequery` has besides its records.
#[derive(Deserialize)]
pub(crate) struct PagerReply {
    #[serde(default)]
    pub(crate) pager: Pager,
}

/// `databasecount`.
#[derive(Deserialize)]
pub(crate) struct CountReply {
    #[serde(deserialize_with = "lenient_u64")]
    pub(crate) count: u64,
}

/// `databaseadd`.
#[derive(Deserialize)]
pub(crate) struct AddReply {
    pub(crate) id_list: Vec<String>,
}

/// `databasedelete`.
#[derive(Deserialize)]
pub(crate) struct DeleteReply {
    #[serde(deserialize_with = "lenient_u64")]
    pub(crate) deleted: u64,
}

/// `databasemigrateimport` / `databasemigrateexport`.
#[derive(Deserialize)]
pub(crate) struct JobReply {
    #[serde(deserialize_with = "lenient_u64")]
    pub(crate) job_id: u64,
}

/// Replies with nothing beyond the envelope.
#[derive(Deserialize)]
pub(crate) struct EmptyReply {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_reads_capitalised_and_lowercase_keys() {
        let p: Pager = serde_json::from_str(r#"{"Offset":5,"Limit":10,"Total":42}"#).unwrap();
        assert_eq!(
            p,
            Pager {
                offset: 5,
                limit: 10,
                total: 42
            }
        );
        let p: Pager = serde_json::from_str(r#"{"offset":"5","limit":10,"total":42}"#).unwrap();
        assert_eq!(
            p,
            Pager {
                offset: 5,
                limit: 10,
                total: 42
            }
        );
    }

    #[test]
    fn migrate_status_takes_either_message_field() {
        for key in ["err_msg", "error_msg"] {
            let json = format!(
                r#"{{"status":"fail","record_success":1,"record_fail":2,"{key}":"bad line 3"}}"#
            );
            let s: MigrateStatus = serde_json::from_str::<MigrateStatusReply>(&json)
                .unwrap()
                .into();
            assert_eq!(s.err_msg.as_deref(), Some("bad line 3"));
        }
    }
}
