//! MongoDB Extended JSON: decoding the records the service returns, and writing values back.
//!
//! (Skeleton: the Extended JSON work fills this module in. The function names below are the
//! stable interface other modules and crates use.)

use crate::{Document, Result, Value};

/// Decodes one record (an Extended JSON object in text) into a document, in one pass.
pub fn decode_document(text: &str) -> Result<Document> {
    let _ = text;
    Err(crate::Error::decode("Extended JSON decoding is not implemented yet"))
}

/// Decodes any Extended JSON value in text.
pub fn decode_value(text: &str) -> Result<Value> {
    let _ = text;
    Err(crate::Error::decode("Extended JSON decoding is not implemented yet"))
}

/// Writes a document as canonical Extended JSON text, the way the service returns records
/// (doubles as `{"$numberDouble": ..}`).
pub fn to_canonical_string(doc: &Document) -> String {
    let _ = doc;
    String::new()
}

/// Writes a value as relaxed Extended JSON text (plain numbers where JSON can hold them,
/// dates as ISO-8601 strings), the form people read.
pub fn to_relaxed_string(value: &Value) -> String {
    let _ = value;
    String::new()
}

/// Decodes one record into any `T: Deserialize` (a typed record), in one pass.
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    let _ = text;
    Err(crate::Error::decode("typed Extended JSON decoding is not implemented yet"))
}
