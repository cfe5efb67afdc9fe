//! The sample data set (the four records of the API reference's sample) and `reset`.

use wxcloud::Document;

use crate::reply::ApiError;
use crate::state::{Shared, lock};
use crate::storage::{Changes, Storage};

/// The sample data set as shipped with the crate (a copy of `shared/data/seed-sample.json`).
pub const SAMPLE_JSON: &str = include_str!("../data/seed-sample.json");

/// The sample's environment.
pub const SAMPLE_ENV: &str = "test2-4a89da";
/// The sample's collection.
pub const SAMPLE_COLLECTION: &str = "test_collection";

/// The sample's records, decoded.
pub fn sample_records() -> Result<Vec<Document>, String> {
    let file: serde_json::Value = serde_json::from_str(SAMPLE_JSON).map_err(|e| e.to_string())?;
    let records = file
        .get("records")
        .and_then(|r| r.as_array())
        .ok_or("the sample has no records")?;
    records
        .iter()
        .map(|r| wxcloud::ejson::decode_document(&r.to_string()).map_err(|e| e.to_string()))
        .collect()
}

/// Loads the sample into `test_collection` of env `test2-4a89da` unless that collection exists.
pub fn seed_sample(db: &mut Storage, now_ms: i64) -> Result<(), ApiError> {
    if db
        .collection_exists(SAMPLE_ENV, SAMPLE_COLLECTION)
        .map_err(ApiError::database)?
    {
        return Ok(());
    }
    let inserts = sample_records().map_err(|e| ApiError::database(format!("sample data: {e}")))?;
    let changes = Changes {
        inserts,
        ..Changes::default()
    };
    db.apply(SAMPLE_ENV, SAMPLE_COLLECTION, &changes, now_ms)
        .map_err(ApiError::database)
}

/// Drops every document, collection, token, fault, job and counter, then reseeds if configured.
pub fn reset(shared: &Shared) -> Result<(), ApiError> {
    lock(&shared.tokens).clear();
    lock(&shared.faults).clear();
    *lock(&shared.stats) = Default::default();
    lock(&shared.jobs).clear();
    lock(&shared.requests).clear();
    lock(&shared.invocations).clear();
    let mut db = lock(&shared.db);
    db.clear().map_err(ApiError::database)?;
    if shared.config.seed_sample && shared.has_env(SAMPLE_ENV) {
        seed_sample(&mut db, shared.clock.now_ms())?;
    }
    Ok(())
}
