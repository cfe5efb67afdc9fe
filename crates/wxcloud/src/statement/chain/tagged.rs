//! The form in which the Python and Node `client.database()` surfaces hand a recorded chain to
//! the core: plain values, with each SDK object (`_.gt(5)`, `$.sum(..)`, `db.RegExp(..)`,
//! `db.Geo.Point(..)`, `db.serverDate()`) a document tagged with [`COMMAND_TAG`].
//!
//! ```text
//! {"collection": "todos",
//!  "calls": [["where", {"n": {"$wxcloud": "gt", "args": [5]}}], ["orderBy", "n", "desc"], ["get"]]}
//! ```
//!
//! Tags: a `db.command` name (`gt`, `in`, `and`, `inc`, `set`, `expr`, ...), `aggregate.<name>`
//! for `db.command.aggregate.<name>`, `pipeline` (its `args` the recorded stage calls of a
//! `$.pipeline()...done()` for `lookup`), `RegExp` (`db.RegExp({regexp, options})`),
//! `serverDate`, `ObjectId` and `Geo.<Shape>`. A chained `_.gt(1).and(_.lt(5))` is recorded as
//! `and` with the receiver as its first argument, as the SDK builds it.

use super::functions::{call_function, geo_shape};
use super::js::{Call, Chain, Cmd, Func, Js, Pos};
use super::lower::stage;
use crate::statement::{Statement, vocab};
use crate::{Error, Result, Value};

/// The key marking a document as an SDK object rather than data.
pub const COMMAND_TAG: &str = "$wxcloud";

/// The statement a recorded chain means, written by the same lowering the emulator's parser
/// uses; a [`crate::ErrorKind::Statement`] error for a chain that means none.
pub fn statement_from_value(chain: &Value) -> Result<Statement> {
    Ok(super::lower::statement(from_value(chain)?)?)
}

/// A recorded chain (`{"collection": .., "calls": [[name, args..], ..]}`) as a [`Chain`].
pub fn from_value(chain: &Value) -> Result<Chain> {
    let bad = || Error::statement("a chain is {collection, calls: [[method, ...args], ...]}");
    let doc = chain.as_document().ok_or_else(bad)?;
    let Some(Value::String(collection)) = doc.get("collection") else {
        return Err(bad());
    };
    let Some(Value::Array(calls)) = doc.get("calls") else {
        return Err(bad());
    };
    Ok(Chain {
        collection: collection.clone(),
        calls: calls.iter().map(call).collect::<Result<_>>()?,
        pos: Pos::default(),
    })
}

/// One `[name, args..]` method call.
fn call(value: &Value) -> Result<Call> {
    let Value::Array(parts) = value else {
        return Err(Error::statement("a chain call is [method, ...args]"));
    };
    let Some((Value::String(name), args)) = parts.split_first() else {
        return Err(Error::statement("a chain call starts with its method name"));
    };
    Ok(Call {
        name: name.clone(),
        args: args.iter().map(js).collect::<Result<_>>()?,
        pos: Pos::default(),
    })
}

/// A recorded value as the lowering's input: numbers untyped (js-bson types them later, as
/// for a parsed statement), tagged documents as the SDK objects they stand for.
fn js(value: &Value) -> Result<Js> {
    Ok(match value {
        Value::Int32(n) => Js::Num(f64::from(*n)),
        Value::Double(n) => Js::Num(*n),
        Value::Array(items) => Js::Array(items.iter().map(js).collect::<Result<_>>()?),
        Value::Document(d) => match d.get(COMMAND_TAG) {
            Some(Value::String(tag)) => {
                let args = match d.get("args") {
                    None => Vec::new(),
                    Some(Value::Array(args)) => args.iter().map(js).collect::<Result<_>>()?,
                    Some(_) => {
                        return Err(Error::statement(format!("{tag}: args must be an array")));
                    }
                };
                sdk_object(tag, args)?
            }
            Some(_) => {
                return Err(Error::statement(format!(
                    "{COMMAND_TAG} must name an SDK object"
                )));
            }
            None => Js::Object(
                d.iter()
                    .map(|(k, v)| Ok((k.clone(), js(v)?)))
                    .collect::<Result<_>>()?,
            ),
        },
        other => Js::Value(other.clone()),
    })
}

fn sdk_object(tag: &str, args: Vec<Js>) -> Result<Js> {
    let pos = Pos::default();
    let function = |f| Ok(Js::Value(call_function(f, &args, pos)?));
    match tag {
        "RegExp" => function(Func::DbRegExp),
        "serverDate" => function(Func::ServerDate),
        "ObjectId" => function(Func::DbObjectId),
        "pipeline" => {
            let stages = args
                .iter()
                .map(|c| match c {
                    Js::Array(parts) => match parts.split_first() {
                        Some((Js::Value(Value::String(name)), rest)) => Ok(Call {
                            name: name.clone(),
                            args: rest.to_vec(),
                            pos,
                        }),
                        _ => Err(Error::statement("a pipeline stage is [stage, arg]")),
                    },
                    _ => Err(Error::statement("a pipeline stage is [stage, arg]")),
                })
                .map(|c| Ok(Value::Document(stage(&c?)?)))
                .collect::<Result<_>>()?;
            Ok(Js::Value(Value::Array(stages)))
        }
        _ => {
            if let Some(shape) = tag.strip_prefix("Geo.") {
                Ok(Js::Value(geo_shape(shape, &args, pos)?))
            } else if let Some(name) = tag.strip_prefix("aggregate.") {
                if vocab::aggregate_operator(name).is_none() {
                    return Err(Error::statement(format!(
                        "db.command.aggregate.{name} is not an aggregate operator"
                    )));
                }
                Ok(Js::Agg(name.to_owned(), args, pos))
            } else if is_command(tag) {
                Ok(Js::Cmd(Cmd {
                    name: tag.to_owned(),
                    args,
                    pos,
                }))
            } else {
                Err(Error::statement(format!(
                    "db.command.{tag} is not a command"
                )))
            }
        }
    }
}

/// Whether `name` is a `db.command` method: a query, logic or update command of the shared
/// vocabulary, or `expr` (a whole-document `$expr` condition).
pub fn is_command(name: &str) -> bool {
    vocab::query_operator(name).is_some()
        || vocab::update_operator(name).is_some()
        || name == "expr"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn text(recorded: &str) -> Result<String> {
        statement_from_value(&crate::ejson::decode_value(recorded)?)?.to_text()
    }

    #[test]
    fn a_chained_field_condition_becomes_a_top_level_and() {
        let chain = r#"{"collection": "c", "calls": [["where", {"n": {"$wxcloud": "and", "args": [
            {"$wxcloud": "gt", "args": [1]}, {"$wxcloud": "lt", "args": [5]}]}, "a": {"b": 1}}], ["get"]]}"#;
        assert_eq!(
            text(chain).unwrap(),
            r#"db.collection("c").where(db.command.and([{"a.b": 1}, db.command.and([{"n": db.command.gt(1)}, {"n": db.command.lt(5)}])])).get()"#
        );
    }

    #[test]
    fn sdk_values_become_their_values() {
        let chain = r#"{"collection": "c", "calls": [["add", {"data": {
            "at": {"$wxcloud": "serverDate", "args": []},
            "p": {"$wxcloud": "Geo.Point", "args": [113, 23]},
            "re": {"$wxcloud": "RegExp", "args": [{"regexp": "^a", "options": "i"}]}}}]]}"#;
        assert_eq!(
            text(chain).unwrap(),
            r#"db.collection("c").add({"data": {"at": db.serverDate({"offset": 0}), "p": db.Geo.Point(113, 23), "re": db.RegExp({"regexp": "^a", "options": "i"})}})"#
        );
    }

    #[test]
    fn unknown_sdk_objects_and_malformed_chains_are_statement_errors() {
        for chain in [
            r#"{"collection": "c", "calls": [["where", {"n": {"$wxcloud": "eval", "args": ["x"]}}], ["get"]]}"#,
            r#"{"collection": "c", "calls": [["where", {"n": {"$wxcloud": "aggregate.nope", "args": []}}], ["get"]]}"#,
            r#"{"collection": "c", "calls": [["where", {"n": {"$wxcloud": "Geo.Circle", "args": [1]}}], ["get"]]}"#,
            r#"{"collection": "c", "calls": [["where", {"n": {"$wxcloud": 5}}], ["get"]]}"#,
            r#"{"collection": "c", "calls": [[1]]}"#,
            r#"{"collection": "c", "calls": [["drop"]]}"#,
            r#"{"calls": []}"#,
        ] {
            let err = text(chain).expect_err(chain);
            assert_eq!(err.kind(), ErrorKind::Statement, "{chain}: {err}");
        }
    }
}
