//! What a parsed expression denotes: data, a database command, or a reference to part of the
//! SDK (`db`, `db.command`, a collection chain, ...) waiting for a member access or a call.

use crate::Value;

/// Where something was written, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// `db.command.X(args)`, possibly chained with `.and(..)` / `.or(..)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cmd {
    /// The command's SDK name (`gt`, `neq`, `inc`, `and`, ...).
    pub name: String,
    /// Its arguments as written.
    pub args: Vec<Js>,
    /// Where it was written.
    pub pos: Pos,
}

/// One method call of a collection chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The method name.
    pub name: String,
    /// Its arguments.
    pub args: Vec<Js>,
    /// Where the method name was written.
    pub pos: Pos,
}

/// `db.collection(name)` and the calls chained on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The collection name.
    pub collection: String,
    /// The chained calls, in order.
    pub calls: Vec<Call>,
    /// Where `db.collection` was written.
    pub pos: Pos,
}

/// SDK functions that become values when called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `db.RegExp({regexp, options})`.
    DbRegExp,
    /// `RegExp(pattern, flags)` / `new RegExp(..)`.
    RegExp,
    /// `db.serverDate({offset})`.
    ServerDate,
    /// `db.ObjectId({id})`: a 24-hex-digit ObjectId.
    DbObjectId,
    /// `new Date(..)`.
    Date,
}

/// A value of the statement language.
#[derive(Clone, Debug, PartialEq)]
pub enum Js {
    /// A number, typed only when it becomes a [`Value`] (js-bson rules).
    Num(f64),
    /// Any other finished value (string, boolean, null, date, regex, Geo shape, server date).
    Value(Value),
    /// `undefined`: dropped from objects, like JSON.stringify does.
    Undefined,
    /// An object literal, keys in order (a repeated key keeps its first position).
    Object(Vec<(String, Js)>),
    /// An array literal.
    Array(Vec<Js>),
    /// A query, logic or update command.
    Cmd(Cmd),
    /// An aggregation expression operator `db.command.aggregate.X(arg)`.
    Agg(String, Vec<Js>, Pos),
    /// `db`.
    Db,
    /// `db.command` (also `_`).
    Command,
    /// `db.command.aggregate` (also `$`).
    AggNs,
    /// `db.Geo`.
    Geo,
    /// `db.Geo.<Shape>`.
    GeoShape(String),
    /// A callable SDK function.
    Func(Func),
    /// `target.name` (written at the position), to be called.
    Method(Box<Js>, String, Pos),
    /// A collection chain.
    Chain(Chain),
    /// `db.command.aggregate.pipeline()` and the stages chained on it (for `lookup`), until `.done()`.
    Pipeline(Vec<Call>),
}

impl Js {
    /// A short description for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Js::Num(_) => "a number",
            Js::Value(Value::String(_)) => "a string",
            Js::Value(_) => "a value",
            Js::Undefined => "undefined",
            Js::Object(_) => "an object",
            Js::Array(_) => "an array",
            Js::Cmd(_) => "a db.command",
            Js::Agg(..) => "an aggregate expression",
            Js::Db => "db",
            Js::Command => "db.command",
            Js::AggNs => "db.command.aggregate",
            Js::Geo => "db.Geo",
            Js::GeoShape(_) => "a db.Geo constructor",
            Js::Func(_) => "a function",
            Js::Method(..) => "a method",
            Js::Chain(_) => "a collection",
            Js::Pipeline(_) => "a pipeline",
        }
    }
}
