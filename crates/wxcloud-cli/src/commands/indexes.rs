//! `wxcloud indexes COLLECTION --create JSON --drop NAME`.

use serde_json::json;
use wxcloud::{IndexDirection, IndexSpec, Value};

use super::Context;
use crate::cli::IndexesArgs;
use crate::failure::Failure;
use crate::input;

/// Reads one `--create` value: `{"name", "keys": {field: 1 | -1 | "2dsphere"}, "unique"}`.
pub fn index_spec(arg: &str) -> Result<IndexSpec, Failure> {
    let doc = input::document("--create", arg)?;
    let bad = |why: &str| Failure::usage(format!("--create: {why}"));
    let name = match doc.get("name") {
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        _ => return Err(bad("needs a \"name\" string")),
    };
    let unique = match doc.get("unique") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("\"unique\" must be true or false")),
    };
    let Some(Value::Document(keys)) = doc.get("keys") else {
        return Err(bad("needs \"keys\", a document like {\"due\": -1}"));
    };
    if keys.is_empty() {
        return Err(bad("\"keys\" is empty"));
    }
    if let Some(extra) = doc
        .keys()
        .find(|k| !["name", "keys", "unique"].contains(&k.as_str()))
    {
        return Err(bad(&format!("unknown field {extra:?}")));
    }
    keys.iter()
        .try_fold(IndexSpec::new(name).unique(unique), |spec, (field, dir)| {
            let direction = IndexDirection::from_value(dir).map_err(|_| {
                bad(&format!(
                    "key {field:?}: direction must be 1, -1 or \"2dsphere\""
                ))
            })?;
            Ok(spec.key(field.clone(), direction))
        })
}

/// Runs `indexes`: prints `{"collection", "created": [names], "dropped": [names]}`.
pub async fn run(ctx: Context, a: IndexesArgs) -> Result<(), Failure> {
    let create = a
        .create
        .iter()
        .map(|c| index_spec(c))
        .collect::<Result<Vec<_>, _>>()?;
    if create.is_empty() && a.drop.is_empty() {
        return Err(Failure::usage("indexes needs --create JSON or --drop NAME"));
    }
    let drop: Vec<&str> = a.drop.iter().map(String::as_str).collect();
    ctx.with_session(async |session, printer| {
        session
            .client
            .update_index(&a.collection, &create, &drop)
            .await?;
        let created: Vec<&str> = create.iter().map(|c| c.name.as_str()).collect();
        printer.json(json!({ "collection": a.collection, "created": created, "dropped": drop }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_specs_read_mongodb_style_keys() {
        let spec =
            index_spec(r#"{"name":"i","keys":{"a":1,"b":-1,"loc":"2dsphere"},"unique":true}"#)
                .unwrap();
        assert!(spec.unique);
        let dirs: Vec<IndexDirection> = spec.keys.iter().map(|k| k.direction).collect();
        assert_eq!(
            dirs,
            [
                IndexDirection::Asc,
                IndexDirection::Desc,
                IndexDirection::Geo2dSphere
            ]
        );
    }

    #[test]
    fn malformed_index_specs_are_usage_errors() {
        for bad in [
            r#"{"keys":{"a":1}}"#,
            r#"{"name":"i"}"#,
            r#"{"name":"i","keys":{}}"#,
            r#"{"name":"i","keys":{"a":2}}"#,
            r#"{"name":"i","keys":{"a":1},"unique":"yes"}"#,
            r#"{"name":"i","keys":{"a":1},"sparse":true}"#,
        ] {
            assert_eq!(index_spec(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }
}
