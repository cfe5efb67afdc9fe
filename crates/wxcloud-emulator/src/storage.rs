//! Durable storage: one SQLite row per document, per environment and collection.
//!
//! Documents are stored as canonical Extended JSON text, so every type survives a restart
//! exactly. The database runs in WAL mode with `synchronous=FULL`: a write is acknowledged only
//! after its transaction is committed and the WAL is synced, so it survives the process being
//! killed (and the machine losing power). `NORMAL` would already survive `kill -9` (the WAL
//! write reaches the OS before the commit returns) but could lose the last commits on power
//! loss; an emulator that promises "acknowledged means kept" pays the fsync.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use wxcloud::{Document, Value};

/// A storage failure (I/O, a corrupt row); answered as errcode -502001.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StorageError(pub String);

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError(e.to_string())
    }
}

/// A unique or plain index declared with `updateindex`.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexSpec {
    /// The index name.
    pub name: String,
    /// Whether two documents may not share the indexed values.
    pub unique: bool,
    /// The indexed fields (dot paths) with their direction (`"1"`, `"-1"`, `"2dsphere"`).
    pub keys: Vec<(String, String)>,
}

/// One collection's statistics.
#[derive(Clone, Debug, PartialEq)]
pub struct CollectionInfo {
    /// The collection name.
    pub name: String,
    /// Number of documents.
    pub count: u64,
    /// Bytes of stored document text.
    pub size: u64,
    /// User-declared indexes (the `_id` index is implicit).
    pub indexes: Vec<IndexSpec>,
}

/// A stored document: its row (which keeps insertion order), its value and its stored text.
#[derive(Clone, Debug)]
pub struct Row {
    /// The SQLite rowid.
    pub rowid: i64,
    /// The document (from [`Storage::documents_with_fields`], only the fields asked for).
    pub doc: Document,
    /// `doc` as stored: its canonical Extended JSON text, what a read returns for it unchanged.
    pub text: String,
}

impl Row {
    fn decode(rowid: i64, text: String) -> Result<Row, StorageError> {
        Ok(Row {
            rowid,
            doc: decode(&text)?,
            text,
        })
    }
}

/// Writes to apply atomically to one collection.
#[derive(Debug, Default)]
pub struct Changes {
    /// New documents, in order.
    pub inserts: Vec<Document>,
    /// Replaced documents by rowid.
    pub replaces: Vec<(i64, Document)>,
    /// Deleted rowids.
    pub deletes: Vec<i64>,
}

/// The emulator's database.
pub struct Storage {
    /// The connection (also used by [`crate::files`]).
    pub(crate) conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS collections (
    env TEXT NOT NULL, name TEXT NOT NULL, created_ms INTEGER NOT NULL,
    PRIMARY KEY (env, name));
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    env TEXT NOT NULL, coll TEXT NOT NULL, id_key TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (env, coll, id_key));
CREATE INDEX IF NOT EXISTS documents_by_coll ON documents (env, coll, rowid);
CREATE TABLE IF NOT EXISTS indexes (
    env TEXT NOT NULL, coll TEXT NOT NULL, name TEXT NOT NULL, is_unique INTEGER NOT NULL,
    keys TEXT NOT NULL, PRIMARY KEY (env, coll, name));
";

/// The key that identifies a document's `_id` in its collection.
pub fn id_key(id: &Value) -> String {
    let mut d = Document::new();
    d.insert("_id".into(), id.clone());
    wxcloud::ejson::to_canonical_string(&d)
}

fn decode(body: &str) -> Result<Document, StorageError> {
    wxcloud::ejson::decode_document(body)
        .map_err(|e| StorageError(format!("stored document unreadable: {e}")))
}

impl Storage {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StorageError(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::init(conn)
    }

    /// A database that lives in memory only.
    pub fn in_memory() -> Result<Self, StorageError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, StorageError> {
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(crate::files::SCHEMA)?;
        Ok(Storage { conn })
    }

    /// Whether the collection exists.
    pub fn collection_exists(&self, env: &str, name: &str) -> Result<bool, StorageError> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM collections WHERE env = ?1 AND name = ?2",
                params![env, name],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// Creates a collection; false if it already existed.
    pub fn create_collection(
        &self,
        env: &str,
        name: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO collections (env, name, created_ms) VALUES (?1, ?2, ?3)",
            params![env, name, now_ms],
        )?;
        Ok(n == 1)
    }

    /// Deletes a collection with its documents and indexes; false if it did not exist.
    pub fn drop_collection(&mut self, env: &str, name: &str) -> Result<bool, StorageError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM collections WHERE env = ?1 AND name = ?2",
            params![env, name],
        )?;
        tx.execute(
            "DELETE FROM documents WHERE env = ?1 AND coll = ?2",
            params![env, name],
        )?;
        tx.execute(
            "DELETE FROM indexes WHERE env = ?1 AND coll = ?2",
            params![env, name],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// Every collection of `env`, by name, with counts, sizes and indexes.
    pub fn list_collections(&self, env: &str) -> Result<Vec<CollectionInfo>, StorageError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.name, COUNT(d.rowid), COALESCE(SUM(LENGTH(d.body)), 0) FROM collections c
             LEFT JOIN documents d ON d.env = c.env AND d.coll = c.name
             WHERE c.env = ?1 GROUP BY c.name ORDER BY c.name",
        )?;
        let rows = stmt
            .query_map(params![env], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(name, count, size)| {
                let indexes = self.indexes(env, &name)?;
                Ok(CollectionInfo {
                    name,
                    count: count as u64,
                    size: size as u64,
                    indexes,
                })
            })
            .collect()
    }

    /// Every document of a collection, in insertion order.
    pub fn documents(&self, env: &str, coll: &str) -> Result<Vec<Row>, StorageError> {
        self.rows(env, coll, decode)
    }

    /// Every document of a collection in insertion order, with only the top-level fields named
    /// in `fields` decoded into [`Row::doc`] (the others are skipped unread), and its whole
    /// stored text: for reads that look at a few fields of each document and return the text.
    pub fn documents_with_fields(
        &self,
        env: &str,
        coll: &str,
        fields: &[String],
    ) -> Result<Vec<Row>, StorageError> {
        self.rows(env, coll, |body| {
            wxcloud::ejson::decode_document_fields(body, |k| fields.iter().any(|f| f == k))
                .map_err(|e| StorageError(format!("stored document unreadable: {e}")))
        })
    }

    /// A collection's rows in insertion order, each body decoded by `decode`.
    fn rows(
        &self,
        env: &str,
        coll: &str,
        decode: impl Fn(&str) -> Result<Document, StorageError>,
    ) -> Result<Vec<Row>, StorageError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT rowid, body FROM documents WHERE env = ?1 AND coll = ?2 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![env, coll], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (rowid, text) = row?;
            out.push(Row {
                rowid,
                doc: decode(&text)?,
                text,
            });
        }
        Ok(out)
    }

    /// How many documents a collection holds.
    pub fn count(&self, env: &str, coll: &str) -> Result<usize, StorageError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM documents WHERE env = ?1 AND coll = ?2")?
            .query_row(params![env, coll], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The stored text of a collection's documents in insertion order, `skip` of them skipped
    /// and at most `keep` returned (`None`: all), without decoding any.
    pub fn texts(
        &self,
        env: &str,
        coll: &str,
        skip: usize,
        keep: Option<usize>,
    ) -> Result<Vec<String>, StorageError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM documents WHERE env = ?1 AND coll = ?2 ORDER BY rowid LIMIT ?3 OFFSET ?4",
        )?;
        // SQLite reads a negative LIMIT as "no limit".
        let keep = keep.map_or(-1, |k| i64::try_from(k).unwrap_or(i64::MAX));
        let skip = i64::try_from(skip).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![env, coll, keep, skip], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The document with this `_id`, if any.
    pub fn get(&self, env: &str, coll: &str, id: &Value) -> Result<Option<Row>, StorageError> {
        let found: Option<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT rowid, body FROM documents WHERE env = ?1 AND coll = ?2 AND id_key = ?3",
            )?
            .query_row(params![env, coll, id_key(id)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        found
            .map(|(rowid, body)| Row::decode(rowid, body))
            .transpose()
    }

    /// Applies `changes` to a collection in one transaction (creating the collection if needed).
    pub fn apply(
        &mut self,
        env: &str,
        coll: &str,
        changes: &Changes,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO collections (env, name, created_ms) VALUES (?1, ?2, ?3)",
            params![env, coll, now_ms],
        )?;
        for rowid in &changes.deletes {
            tx.execute("DELETE FROM documents WHERE rowid = ?1", params![rowid])?;
        }
        for (rowid, doc) in &changes.replaces {
            let key = doc.get("_id").map(id_key).unwrap_or_default();
            tx.execute(
                "UPDATE documents SET id_key = ?1, body = ?2 WHERE rowid = ?3",
                params![key, wxcloud::ejson::to_canonical_string(doc), rowid],
            )?;
        }
        for doc in &changes.inserts {
            let key = doc.get("_id").map(id_key).unwrap_or_default();
            tx.execute(
                "INSERT INTO documents (env, coll, id_key, body) VALUES (?1, ?2, ?3, ?4)",
                params![env, coll, key, wxcloud::ejson::to_canonical_string(doc)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The user-declared indexes of a collection.
    pub fn indexes(&self, env: &str, coll: &str) -> Result<Vec<IndexSpec>, StorageError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, is_unique, keys FROM indexes WHERE env = ?1 AND coll = ?2 ORDER BY name",
        )?;
        let rows = stmt.query_map(params![env, coll], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, unique, keys) = row?;
            let keys: Vec<(String, String)> = serde_json::from_str(&keys)
                .map_err(|e| StorageError(format!("stored index unreadable: {e}")))?;
            out.push(IndexSpec { name, unique, keys });
        }
        Ok(out)
    }

    /// Creates or replaces indexes and drops others, in one transaction.
    pub fn update_indexes(
        &mut self,
        env: &str,
        coll: &str,
        create: &[IndexSpec],
        drop: &[String],
    ) -> Result<(), StorageError> {
        let tx = self.conn.transaction()?;
        for name in drop {
            tx.execute(
                "DELETE FROM indexes WHERE env = ?1 AND coll = ?2 AND name = ?3",
                params![env, coll, name],
            )?;
        }
        for ix in create {
            let keys = serde_json::to_string(&ix.keys).map_err(|e| StorageError(e.to_string()))?;
            tx.execute(
                "INSERT OR REPLACE INTO indexes (env, coll, name, is_unique, keys) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![env, coll, ix.name, ix.unique, keys],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes everything: documents, collections, indexes and files.
    pub fn clear(&mut self) -> Result<(), StorageError> {
        self.conn.execute_batch(
            "DELETE FROM documents; DELETE FROM indexes; DELETE FROM collections;",
        )?;
        self.conn.execute_batch(crate::files::CLEAR)?;
        Ok(())
    }
}
