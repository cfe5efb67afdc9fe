//! File storage in the emulator's SQLite database: one row per file, its bytes in 1 MiB chunk
//! rows, so a large file is written and read a chunk at a time and never held whole in memory.
//!
//! An upload first creates an incomplete row and appends chunks to it; finishing it replaces the
//! file previously stored at that path in one transaction, so readers see the old file or the
//! new one, never a part. Incomplete rows left by a killed process are removed when the data
//! file is opened. Chunk rows (rather than SQLite's incremental blob I/O) keep every write an
//! ordinary committed insert, durable under the same `synchronous=FULL` rule as documents.

use rusqlite::{OptionalExtension, params};

use crate::storage::{Storage, StorageError};

/// Bytes per chunk row.
pub const CHUNK: usize = 1 << 20;

/// The tables files live in, created with the document tables.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    env TEXT NOT NULL, path TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    downloadable INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS files_by_path ON files (env, path) WHERE complete = 1;
CREATE TABLE IF NOT EXISTS file_chunks (
    file INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (file, seq));
DELETE FROM file_chunks WHERE file IN (SELECT id FROM files WHERE complete = 0);
DELETE FROM files WHERE complete = 0;
";

/// Deletes every file (part of a reset).
pub const CLEAR: &str = "DELETE FROM file_chunks; DELETE FROM files;";

/// A stored, complete file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    /// Its row id (what chunks refer to).
    pub id: i64,
    /// Its length in bytes.
    pub size: u64,
    /// Whether it was uploaded with the right `x-cos-meta-fileid`: without it the file exists
    /// but cannot be downloaded, as on COS.
    pub downloadable: bool,
}

impl StoredFile {
    /// How many chunk rows hold its bytes.
    pub fn chunks(&self) -> i64 {
        self.size.div_ceil(CHUNK as u64) as i64
    }
}

impl Storage {
    /// Starts storing a file at `path`: an incomplete row that chunks are appended to.
    pub fn begin_file(&self, env: &str, path: &str, now_ms: i64) -> Result<i64, StorageError> {
        self.conn.execute(
            "INSERT INTO files (env, path, created_ms) VALUES (?1, ?2, ?3)",
            params![env, path, now_ms],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Stores chunk number `seq` of an incomplete file.
    pub fn write_chunk(&self, id: i64, seq: i64, data: &[u8]) -> Result<(), StorageError> {
        self.conn
            .prepare_cached("INSERT INTO file_chunks (file, seq, data) VALUES (?1, ?2, ?3)")?
            .execute(params![id, seq, data])?;
        Ok(())
    }

    /// Completes an incomplete file, replacing the one stored at its path, in one transaction.
    pub fn finish_file(
        &mut self,
        id: i64,
        size: u64,
        downloadable: bool,
    ) -> Result<(), StorageError> {
        let tx = self.conn.transaction()?;
        let (env, path): (String, String) = tx
            .query_row(
                "SELECT env, path FROM files WHERE id = ?1 AND complete = 0",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StorageError("the upload was discarded (reset?)".into()))?;
        delete_complete(&tx, &env, &path)?;
        tx.execute(
            "UPDATE files SET complete = 1, size = ?2, downloadable = ?3 WHERE id = ?1",
            params![id, size as i64, downloadable],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Drops an incomplete file and its chunks (an upload that failed half way).
    pub fn abandon_file(&self, id: i64) -> Result<(), StorageError> {
        self.conn
            .execute("DELETE FROM file_chunks WHERE file = ?1", params![id])?;
        self.conn.execute(
            "DELETE FROM files WHERE id = ?1 AND complete = 0",
            params![id],
        )?;
        Ok(())
    }

    /// Stores a whole, downloadable file at once (an export's result), replacing the one at
    /// its path.
    pub fn put_file(
        &mut self,
        env: &str,
        path: &str,
        bytes: &[u8],
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let id = self.begin_file(env, path, now_ms)?;
        let written = bytes
            .chunks(CHUNK)
            .enumerate()
            .try_for_each(|(seq, chunk)| self.write_chunk(id, seq as i64, chunk))
            .and_then(|()| self.finish_file(id, bytes.len() as u64, true));
        if written.is_err() {
            let _ = self.abandon_file(id);
        }
        written
    }

    /// The complete file at `path`, if any.
    pub fn find_file(&self, env: &str, path: &str) -> Result<Option<StoredFile>, StorageError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, size, downloadable FROM files WHERE env = ?1 AND path = ?2 AND complete = 1",
            )?
            .query_row(params![env, path], |r| {
                Ok(StoredFile {
                    id: r.get(0)?,
                    size: r.get::<_, i64>(1)? as u64,
                    downloadable: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// Chunk number `seq` of a file (`None` once it was deleted or replaced).
    pub fn read_chunk(&self, id: i64, seq: i64) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self
            .conn
            .prepare_cached("SELECT data FROM file_chunks WHERE file = ?1 AND seq = ?2")?
            .query_row(params![id, seq], |r| r.get(0))
            .optional()?)
    }

    /// A whole file's bytes (for a migration import, which reads every record anyway).
    pub fn read_file(&self, file: &StoredFile) -> Result<Vec<u8>, StorageError> {
        let mut out = Vec::with_capacity(file.size as usize);
        for seq in 0..file.chunks() {
            let chunk = self
                .read_chunk(file.id, seq)?
                .ok_or_else(|| StorageError("the file changed while it was read".into()))?;
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Every complete file of `env`: (path, size, upload time in ms), by path.
    pub fn list_files(&self, env: &str) -> Result<Vec<(String, u64, i64)>, StorageError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, size, created_ms FROM files WHERE env = ?1 AND complete = 1 ORDER BY path",
        )?;
        let rows = stmt.query_map(params![env], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes the file at `path`; false if there was none.
    pub fn delete_file(&mut self, env: &str, path: &str) -> Result<bool, StorageError> {
        let tx = self.conn.transaction()?;
        let deleted = delete_complete(&tx, env, path)?;
        tx.commit()?;
        Ok(deleted)
    }
}

/// Deletes the complete file at `path` with its chunks; false if there was none.
fn delete_complete(
    tx: &rusqlite::Transaction<'_>,
    env: &str,
    path: &str,
) -> Result<bool, StorageError> {
    let old: Option<i64> = tx
        .query_row(
            "SELECT id FROM files WHERE env = ?1 AND path = ?2 AND complete = 1",
            params![env, path],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(old) = old {
        tx.execute("DELETE FROM file_chunks WHERE file = ?1", params![old])?;
        tx.execute("DELETE FROM files WHERE id = ?1", params![old])?;
    }
    Ok(old.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_visible_only_once_finished_and_replaces_the_old_one() {
        let mut db = Storage::in_memory().unwrap();
        db.put_file("e", "a.txt", b"old", 0).unwrap();
        let id = db.begin_file("e", "a.txt", 1).unwrap();
        db.write_chunk(id, 0, b"new bytes").unwrap();
        let before = db.find_file("e", "a.txt").unwrap().unwrap();
        assert_eq!(db.read_file(&before).unwrap(), b"old");
        db.finish_file(id, 9, false).unwrap();
        let after = db.find_file("e", "a.txt").unwrap().unwrap();
        assert_eq!((after.size, after.downloadable), (9, false));
        assert_eq!(db.read_file(&after).unwrap(), b"new bytes");
        assert_eq!(
            db.read_chunk(before.id, 0).unwrap(),
            None,
            "old chunks are gone"
        );
        assert!(db.delete_file("e", "a.txt").unwrap());
        assert!(!db.delete_file("e", "a.txt").unwrap());
    }

    #[test]
    fn large_files_span_chunks() {
        let mut db = Storage::in_memory().unwrap();
        let bytes: Vec<u8> = (0..CHUNK * 2 + 5).map(|i| (i % 251) as u8).collect();
        db.put_file("e", "big.bin", &bytes, 0).unwrap();
        let f = db.find_file("e", "big.bin").unwrap().unwrap();
        assert_eq!(f.chunks(), 3);
        assert_eq!(db.read_file(&f).unwrap(), bytes);
    }
}
