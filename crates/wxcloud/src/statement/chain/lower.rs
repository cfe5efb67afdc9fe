//! From parsed values to what a statement means: MongoDB filters, update documents and
//! pipeline stages, encoded the way the official `@cloudbase/database` SDK encodes them
//! (nested query objects flattened to dot paths, field-level `.and/.or` lifted to a top-level
//! `$and/$or`, plain update fields gathered into `$set`).

use crate::statement::{Direction, Query, Statement, Target, UpdateSpec, vocab};
use crate::{Document, Value};

use super::js::{Call, Chain, Cmd, Js, Pos};
use super::{ChainError, err};

/// Gives an error that knows no position (a value deep inside an argument) the position of
/// the call it belongs to.
trait At<T> {
    fn at(self, pos: Pos) -> Result<T, ChainError>;
}

impl<T> At<T> for Result<T, ChainError> {
    fn at(self, pos: Pos) -> Result<T, ChainError> {
        self.map_err(|mut e| {
            if e.line == 0 {
                (e.line, e.column) = (pos.line, pos.column);
            }
            e
        })
    }
}

/// A number typed the way js-bson (as bundled with the official SDK) types it: an integral
/// value in the int32 range is Int32 (`1.0` and `-0` too), in the int64 range Int64, anything
/// else (fractions, NaN, infinities) Double.
pub fn number(n: f64) -> Value {
    if n.fract() == 0.0 {
        if n >= f64::from(i32::MIN) && n <= f64::from(i32::MAX) {
            return Value::Int32(n as i32);
        }
        if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
            return Value::Int64(n as i64);
        }
    }
    Value::Double(n)
}

fn position(js: &Js) -> Option<Pos> {
    match js {
        Js::Cmd(c) => Some(c.pos),
        Js::Agg(_, _, p) => Some(*p),
        Js::Chain(c) => Some(c.pos),
        _ => None,
    }
}

/// A plain data value (no commands, no expressions).
pub fn to_value(js: &Js) -> Result<Value, ChainError> {
    match js {
        Js::Num(n) => Ok(number(*n)),
        Js::Value(v) => Ok(v.clone()),
        Js::Undefined => Ok(Value::Null),
        Js::Object(fields) => {
            let mut d = Document::new();
            for (k, v) in fields {
                if !matches!(v, Js::Undefined) {
                    d.insert(k.clone(), to_value(v)?);
                }
            }
            Ok(Value::Document(d))
        }
        Js::Array(items) => Ok(Value::Array(
            items.iter().map(to_value).collect::<Result<_, _>>()?,
        )),
        other => Err(err(
            position(other).unwrap_or_default(),
            format!("{} is not allowed in data", other.describe()),
        )),
    }
}

fn doc_of(js: &Js, pos: Pos, what: &str) -> Result<Document, ChainError> {
    match to_value(js)? {
        Value::Document(d) => Ok(d),
        _ => Err(err(pos, format!("{what} must be an object"))),
    }
}

/// An aggregation expression: `db.command.aggregate.X(arg)` becomes `{"$X": arg}`.
fn expression(js: &Js) -> Result<Value, ChainError> {
    match js {
        Js::Agg(name, args, pos) => {
            let op = vocab::aggregate_operator(name)
                .ok_or_else(|| err(*pos, format!("unknown aggregate operator {name}")))?;
            let arg = match args.as_slice() {
                [one] => expression(one)?,
                many => Value::Array(many.iter().map(expression).collect::<Result<_, _>>()?),
            };
            let mut d = Document::new();
            d.insert(op.to_owned(), arg);
            Ok(Value::Document(d))
        }
        Js::Object(fields) => {
            let mut d = Document::new();
            for (k, v) in fields {
                if !matches!(v, Js::Undefined) {
                    d.insert(k.clone(), expression(v)?);
                }
            }
            Ok(Value::Document(d))
        }
        Js::Array(items) => Ok(Value::Array(
            items.iter().map(expression).collect::<Result<_, _>>()?,
        )),
        Js::Cmd(c) => Err(err(
            c.pos,
            format!(
                "db.command.{} is not an aggregation expression (use db.command.aggregate)",
                c.name
            ),
        )),
        other => to_value(other),
    }
}

/// Sets `key` in an ordered field list, keeping the position of an existing entry.
fn set_field<T>(fields: &mut Vec<(String, T)>, key: String, value: T) {
    match fields.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => fields.push((key, value)),
    }
}

/// The SDK's `flattenQueryObject`: nested plain objects become dot paths (appended after the
/// other fields), `$` keys stay where they are, `undefined` fields disappear.
fn flatten(fields: &[(String, Js)]) -> Vec<(String, Js)> {
    let mut out: Vec<(String, Js)> = fields
        .iter()
        .filter(|(_, v)| !matches!(v, Js::Undefined))
        .cloned()
        .collect();
    for (key, value) in fields {
        if key.starts_with('$') {
            continue;
        }
        if let Js::Object(child) = value {
            let (dollar, plain): (Vec<_>, Vec<_>) = flatten(child)
                .into_iter()
                .partition(|(k, _)| k.starts_with('$'));
            for (ck, cv) in plain {
                set_field(&mut out, format!("{key}.{ck}"), cv);
            }
            if dollar.is_empty() {
                out.retain(|(k, _)| k != key);
            } else {
                set_field(&mut out, key.clone(), Js::Object(dollar));
            }
        }
    }
    out
}

/// Merges an encoded condition into the filter being built, as the SDK's
/// `mergeConditionAfterEncode` does: logic operators append to an existing array.
fn merge(out: &mut Document, key: &str, condition: Document) {
    if !condition.contains_key(key) {
        out.shift_remove(key);
    }
    for (k, v) in condition {
        match (out.get_mut(&k), v) {
            (Some(Value::Array(existing)), Value::Array(more)) => existing.extend(more),
            (_, v) => {
                out.insert(k, v);
            }
        }
    }
}

/// A `.where()` / `.match()` argument as a MongoDB filter.
pub fn filter(js: &Js, pos: Pos) -> Result<Document, ChainError> {
    match js {
        Js::Object(fields) => query_object(fields),
        Js::Cmd(c) if matches!(c.name.as_str(), "and" | "or" | "nor") => {
            let op = vocab::query_operator(&c.name).unwrap_or("$and");
            let operands = spread(&c.args);
            let mut subs = Vec::new();
            for o in operands {
                subs.push(Value::Document(filter(o, c.pos)?));
            }
            let mut d = Document::new();
            d.insert(op.to_owned(), Value::Array(subs));
            Ok(d)
        }
        Js::Cmd(c) if c.name == "expr" => {
            let [arg] = c.args.as_slice() else {
                return Err(err(c.pos, "db.command.expr() takes one expression"));
            };
            let mut d = Document::new();
            d.insert("$expr".into(), expression(arg)?);
            Ok(d)
        }
        Js::Cmd(c) => Err(err(
            c.pos,
            format!(
                "db.command.{} needs a field: write {{field: db.command.{}(..)}}",
                c.name, c.name
            ),
        )),
        other => Err(err(
            position(other).unwrap_or(pos),
            format!("a condition must be an object, not {}", other.describe()),
        )),
    }
}

/// `_.and(a, b)` and `_.and([a, b])` alike.
fn spread(args: &[Js]) -> Vec<&Js> {
    match args {
        [Js::Array(items)] => items.iter().collect(),
        _ => args.iter().collect(),
    }
}

fn query_object(fields: &[(String, Js)]) -> Result<Document, ChainError> {
    let flat = flatten(fields);
    // Every field takes its place first, so a field-level `.and/.or` that moves to a top-level
    // `$and/$or` lands after all of them, as in the SDK.
    let mut out: Document = flat.iter().map(|(k, _)| (k.clone(), Value::Null)).collect();
    for (key, value) in &flat {
        match value {
            Js::Cmd(cmd) => {
                let condition = field_command(key, cmd)?;
                merge(&mut out, key, condition);
            }
            _ if matches!(key.as_str(), "$and" | "$or" | "$nor") => {
                let Js::Array(items) = value else {
                    return Err(err(Pos::default(), format!("{key} takes an array")));
                };
                let subs = items
                    .iter()
                    .map(|i| filter(i, Pos::default()).map(Value::Document))
                    .collect::<Result<_, _>>()?;
                out.insert(key.clone(), Value::Array(subs));
            }
            _ if key == "$expr" => {
                out.insert(key.clone(), expression(value)?);
            }
            _ => {
                out.insert(key.clone(), to_value(value)?);
            }
        }
    }
    Ok(out)
}

/// One field's condition, `{field: {$op: ..}}` or, for `.and/.or`, `{$and: [..]}`.
fn field_command(key: &str, cmd: &Cmd) -> Result<Document, ChainError> {
    let mut d = Document::new();
    match cmd.name.as_str() {
        "and" | "or" | "nor" => {
            let op = vocab::query_operator(&cmd.name).unwrap_or("$and");
            let mut subs = Vec::new();
            for operand in spread(&cmd.args) {
                let sub = match operand {
                    Js::Cmd(c) => field_command(key, c)?,
                    Js::Object(fields) => query_object(fields)?,
                    other => {
                        let mut s = Document::new();
                        s.insert(key.to_owned(), to_value(other)?);
                        s
                    }
                };
                subs.push(Value::Document(sub));
            }
            d.insert(op.to_owned(), Value::Array(subs));
        }
        _ => {
            d.insert(key.to_owned(), Value::Document(operator(cmd)?));
        }
    }
    Ok(d)
}

fn one_arg(cmd: &Cmd) -> Result<&Js, ChainError> {
    match cmd.args.as_slice() {
        [one] => Ok(one),
        _ => Err(err(
            cmd.pos,
            format!("db.command.{}() takes one argument", cmd.name),
        )),
    }
}

/// A field-less query command as its operator document: `_.gt(5)` is `{"$gt": 5}`.
fn operator(cmd: &Cmd) -> Result<Document, ChainError> {
    let name = cmd.name.as_str();
    let op = vocab::query_operator(name)
        .ok_or_else(|| err(cmd.pos, format!("db.command.{name} is not a query command")))?;
    let value = match name {
        "not" => match one_arg(cmd)? {
            Js::Cmd(inner) => Value::Document(operator(inner)?),
            re @ Js::Value(Value::Regex { .. }) => to_value(re)?,
            _ => {
                return Err(err(
                    cmd.pos,
                    "db.command.not() takes a command or a regular expression",
                ));
            }
        },
        "elemMatch" => match one_arg(cmd)? {
            Js::Object(fields) => Value::Document(query_object(fields)?),
            Js::Cmd(inner) => Value::Document(operator(inner)?),
            other => to_value(other)?,
        },
        "mod" => match cmd.args.as_slice() {
            [a, b] => Value::Array(vec![to_value(a)?, to_value(b)?]),
            [one] => to_value(one)?,
            _ => {
                return Err(err(
                    cmd.pos,
                    "db.command.mod() takes a divisor and a remainder",
                ));
            }
        },
        "geoNear" => geo_option(
            cmd,
            &[
                ("geometry", "$geometry"),
                ("maxDistance", "$maxDistance"),
                ("minDistance", "$minDistance"),
            ],
        )?,
        "geoWithin" => {
            let opts = doc_of(one_arg(cmd)?, cmd.pos, "db.command.geoWithin() options")?;
            if let Some(cs) = opts.get("centerSphere") {
                let mut d = Document::new();
                let cs = match cs {
                    Value::Array(items) => Value::Array(
                        items
                            .iter()
                            .map(|i| {
                                i.as_document()
                                    .and_then(|p| p.get("coordinates"))
                                    .cloned()
                                    .unwrap_or_else(|| i.clone())
                            })
                            .collect(),
                    ),
                    other => other.clone(),
                };
                d.insert("$centerSphere".into(), cs);
                Value::Document(d)
            } else {
                geo_option(cmd, &[("geometry", "$geometry")])?
            }
        }
        "geoIntersects" => geo_option(cmd, &[("geometry", "$geometry")])?,
        "and" | "or" | "nor" => {
            return Err(err(
                cmd.pos,
                format!("db.command.{name} cannot be nested here"),
            ));
        }
        _ => to_value(one_arg(cmd)?)?,
    };
    let mut d = Document::new();
    d.insert(op.to_owned(), value);
    Ok(d)
}

/// `{geometry, maxDistance, ...}` options renamed to `$`-operators (absent ones left out).
fn geo_option(cmd: &Cmd, names: &[(&str, &str)]) -> Result<Value, ChainError> {
    let opts = doc_of(
        one_arg(cmd)?,
        cmd.pos,
        &format!("db.command.{}() options", cmd.name),
    )?;
    if !opts.contains_key("geometry") {
        return Err(err(
            cmd.pos,
            format!("db.command.{}() needs a geometry", cmd.name),
        ));
    }
    let mut d = Document::new();
    for (from, to) in names {
        if let Some(v) = opts.get(*from) {
            d.insert((*to).to_owned(), v.clone());
        }
    }
    Ok(Value::Document(d))
}

/// An `.update({data})` argument as a MongoDB update document of `$`-operators.
fn update_document(data: &Js, pos: Pos) -> Result<Document, ChainError> {
    let Js::Object(fields) = data else {
        return Err(err(
            position(data).unwrap_or(pos),
            "update data must be an object",
        ));
    };
    let mut out = Document::new();
    for (key, value) in flatten(fields) {
        if key.starts_with('$') {
            out.insert(key, to_value(&value)?);
            continue;
        }
        let (op, arg) = match &value {
            Js::Cmd(cmd) => update_command(cmd)?,
            other => ("$set", to_value(other)?),
        };
        match out.get_mut(op) {
            Some(Value::Document(existing)) => {
                existing.insert(key, arg);
            }
            _ => {
                let mut d = Document::new();
                d.insert(key, arg);
                out.insert(op.to_owned(), Value::Document(d));
            }
        }
    }
    Ok(out)
}

/// An update command as (operator, the value it gets for the field).
fn update_command(cmd: &Cmd) -> Result<(&'static str, Value), ChainError> {
    let name = cmd.name.as_str();
    let op = vocab::update_operator(name).ok_or_else(|| {
        err(
            cmd.pos,
            format!("db.command.{name} is not an update command"),
        )
    })?;
    let modifiers = |pairs: Vec<(&str, Value)>| {
        Value::Document(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    };
    let value = match name {
        "remove" => Value::String(String::new()),
        "pop" => Value::Int32(1),
        "shift" => Value::Int32(-1),
        "push" => match cmd.args.as_slice() {
            [Js::Object(opts)] if opts.iter().any(|(k, _)| k == "each") => {
                let mut pairs = Vec::new();
                for (from, to) in [
                    ("each", "$each"),
                    ("position", "$position"),
                    ("sort", "$sort"),
                    ("slice", "$slice"),
                ] {
                    if let Some((_, v)) = opts
                        .iter()
                        .find(|(k, v)| k == from && !matches!(v, Js::Undefined))
                    {
                        pairs.push((to, to_value(v)?));
                    }
                }
                modifiers(pairs)
            }
            [arr @ Js::Array(_)] => modifiers(vec![("$each", to_value(arr)?)]),
            args => modifiers(vec![(
                "$each",
                Value::Array(args.iter().map(to_value).collect::<Result<_, _>>()?),
            )]),
        },
        "unshift" => {
            let items = spread(&cmd.args)
                .into_iter()
                .map(to_value)
                .collect::<Result<_, _>>()?;
            modifiers(vec![
                ("$each", Value::Array(items)),
                ("$position", Value::Int32(0)),
            ])
        }
        "pull" => match one_arg(cmd)? {
            Js::Cmd(inner) => Value::Document(operator(inner)?),
            Js::Object(fields) => Value::Document(query_object(fields)?),
            other => to_value(other)?,
        },
        _ => to_value(one_arg(cmd)?)?,
    };
    Ok((op, value))
}

/// `{data: X}` → X; anything else is taken as the data itself.
fn unwrap_data(arg: &Js) -> &Js {
    match arg {
        Js::Object(fields) if fields.len() == 1 && fields[0].0 == "data" => &fields[0].1,
        other => other,
    }
}

fn count_arg(call: &Call) -> Result<u64, ChainError> {
    match call.args.as_slice() {
        [Js::Num(n)] if n.fract() == 0.0 && *n >= 0.0 && *n < 9.0e15 => Ok(*n as u64),
        _ => Err(err(
            call.pos,
            format!("{}() takes a non-negative integer", call.name),
        )),
    }
}

fn no_args(call: &Call) -> Result<(), ChainError> {
    if call.args.is_empty() {
        Ok(())
    } else {
        Err(err(call.pos, format!("{}() takes no arguments", call.name)))
    }
}

fn one(call: &Call) -> Result<&Js, ChainError> {
    match call.args.as_slice() {
        [one] => Ok(one),
        _ => Err(err(call.pos, format!("{}() takes one argument", call.name))),
    }
}

/// A collection chain as the statement it ends with.
pub fn statement(chain: Chain) -> Result<Statement, ChainError> {
    let Chain {
        collection,
        calls,
        pos,
    } = chain;
    if crate::statement::validate_collection_name(&collection).is_err() {
        return Err(err(pos, format!("invalid collection name {collection:?}")));
    }
    match calls.first() {
        None => Err(err(
            pos,
            "the statement does not end with get(), count(), add(), update(), set(), remove() or aggregate()...end()",
        )),
        Some(first) if first.name == "aggregate" => aggregate(collection, &calls),
        Some(_) => crud(collection, &calls, pos),
    }
}

fn aggregate(collection: String, calls: &[Call]) -> Result<Statement, ChainError> {
    no_args(&calls[0])?;
    let mut stages = Vec::new();
    let last = calls.len() - 1;
    for (i, call) in calls.iter().enumerate().skip(1) {
        if call.name == "end" {
            no_args(call)?;
            if i != last {
                return Err(err(calls[i + 1].pos, "nothing may follow end()"));
            }
            return Ok(Statement::Aggregate { collection, stages });
        }
        stages.push(stage(call).at(call.pos)?);
    }
    Err(err(
        calls[last].pos,
        "an aggregate statement must end with end()",
    ))
}

/// One aggregate stage call as its MongoDB stage document.
pub fn stage(call: &Call) -> Result<Document, ChainError> {
    let op = vocab::stage_operator(&call.name).ok_or_else(|| {
        err(
            call.pos,
            format!("{}() is not an aggregate stage", call.name),
        )
    })?;
    let arg = one(call)?;
    let value = match call.name.as_str() {
        "match" => Value::Document(filter(arg, call.pos)?),
        "limit" | "skip" => number(count_arg(call)? as f64),
        "count" => match arg {
            Js::Value(Value::String(s)) if !s.is_empty() => Value::String(s.clone()),
            _ => return Err(err(call.pos, "count() takes the output field name")),
        },
        "geoNear" => {
            let Js::Object(fields) = arg else {
                return Err(err(call.pos, "geoNear() takes an object"));
            };
            let mut d = Document::new();
            for (k, v) in fields {
                match (k.as_str(), v) {
                    (_, Js::Undefined) => {}
                    ("query", q) => {
                        d.insert(k.clone(), Value::Document(filter(q, call.pos)?));
                    }
                    _ => {
                        d.insert(k.clone(), expression(v)?);
                    }
                }
            }
            Value::Document(d)
        }
        "lookup" => match arg {
            Js::Object(fields) => {
                let mut d = Document::new();
                for (k, v) in fields {
                    match (k.as_str(), v) {
                        (_, Js::Undefined) => {}
                        ("pipeline", Js::Array(stages)) => {
                            let lowered = stages
                                .iter()
                                .map(|s| to_value(s).or_else(|_| expression(s)))
                                .collect::<Result<_, _>>()?;
                            d.insert(k.clone(), Value::Array(lowered));
                        }
                        _ => {
                            d.insert(k.clone(), expression(v)?);
                        }
                    }
                }
                Value::Document(d)
            }
            _ => return Err(err(call.pos, "lookup() takes an object")),
        },
        _ => expression(arg)?,
    };
    let mut d = Document::new();
    d.insert(op.to_owned(), value);
    Ok(d)
}

fn crud(collection: String, calls: &[Call], pos: Pos) -> Result<Statement, ChainError> {
    let mut q = Query {
        collection: collection.clone(),
        ..Query::default()
    };
    let last = calls.len() - 1;
    for (i, call) in calls.iter().enumerate() {
        let terminal = matches!(
            call.name.as_str(),
            "get" | "count" | "add" | "update" | "set" | "remove"
        );
        if terminal && i != last {
            return Err(err(
                calls[i + 1].pos,
                format!("nothing may follow {}()", call.name),
            ));
        }
        match call.name.as_str() {
            "where" => {
                if q.doc.is_some() {
                    return Err(err(call.pos, "where() cannot be combined with doc()"));
                }
                q.filter = Some(filter(one(call)?, call.pos).at(call.pos)?);
            }
            "doc" => {
                if q.filter.is_some() || i != 0 {
                    return Err(err(call.pos, "doc() must come right after db.collection()"));
                }
                let id = to_value(one(call)?).at(call.pos)?;
                if !matches!(
                    id,
                    Value::String(_) | Value::Int32(_) | Value::Int64(_) | Value::ObjectId(_)
                ) {
                    return Err(err(call.pos, "doc() takes the document's _id"));
                }
                q.doc = Some(id);
            }
            "orderBy" => {
                let (field, dir) = match call.args.as_slice() {
                    [Js::Value(Value::String(f)), d] => (f.clone(), d),
                    _ => {
                        return Err(err(
                            call.pos,
                            "orderBy() takes a field name and \"asc\" or \"desc\"",
                        ));
                    }
                };
                let dir = match dir {
                    Js::Value(Value::String(s)) if s == "asc" => Direction::Asc,
                    Js::Value(Value::String(s)) if s == "desc" => Direction::Desc,
                    Js::Num(n) if *n == 1.0 => Direction::Asc,
                    Js::Num(n) if *n == -1.0 => Direction::Desc,
                    _ => {
                        return Err(err(
                            call.pos,
                            "orderBy() direction must be \"asc\" or \"desc\"",
                        ));
                    }
                };
                if field.is_empty() {
                    return Err(err(call.pos, "orderBy() needs a field name"));
                }
                set_field(&mut q.order_by, field, dir);
            }
            "skip" => q.skip = Some(count_arg(call)?),
            "limit" => q.limit = Some(count_arg(call)?),
            "field" => {
                let Js::Object(fields) = one(call)? else {
                    return Err(err(call.pos, "field() takes an object"));
                };
                let mut projection = Document::new();
                for (k, v) in fields {
                    let value = match v {
                        Js::Value(Value::Bool(b)) => Value::Int32(i32::from(*b)),
                        Js::Num(n) => Value::Int32(i32::from(*n > 0.0)),
                        Js::Object(_) => expression(v).at(call.pos)?,
                        _ => continue,
                    };
                    projection.insert(k.clone(), value);
                }
                q.fields = Some(projection);
            }
            "get" => {
                no_args(call)?;
                return Ok(Statement::Query(q));
            }
            "count" => {
                no_args(call)?;
                if q.doc.is_some() {
                    return Err(err(call.pos, "count() cannot follow doc()"));
                }
                return Ok(Statement::Count {
                    collection,
                    filter: q.filter,
                });
            }
            "add" => {
                if i != 0 {
                    return Err(err(call.pos, "add() must come right after db.collection()"));
                }
                let data = unwrap_data(one(call)?);
                let (docs, many) = match data {
                    Js::Array(items) => (
                        items
                            .iter()
                            .map(|d| doc_of(d, call.pos, "a record").at(call.pos))
                            .collect::<Result<Vec<_>, _>>()?,
                        true,
                    ),
                    single => (
                        vec![doc_of(single, call.pos, "a record").at(call.pos)?],
                        false,
                    ),
                };
                if docs.is_empty() {
                    return Err(err(call.pos, "add() needs at least one record"));
                }
                return Ok(Statement::Add {
                    collection,
                    docs,
                    many,
                });
            }
            "update" | "set" | "remove" => {
                let target = match (q.doc.take(), q.filter.take()) {
                    (Some(id), _) => Target::Doc(id),
                    (None, Some(f)) => Target::Where(f),
                    (None, None) => {
                        return Err(err(
                            call.pos,
                            format!("{}() needs where() or doc() first", call.name),
                        ));
                    }
                };
                if q.skip.is_some()
                    || q.limit.is_some()
                    || !q.order_by.is_empty()
                    || q.fields.is_some()
                {
                    return Err(err(
                        call.pos,
                        format!(
                            "{}() cannot follow orderBy(), skip(), limit() or field()",
                            call.name
                        ),
                    ));
                }
                return match call.name.as_str() {
                    "remove" => {
                        no_args(call)?;
                        Ok(Statement::Remove { collection, target })
                    }
                    "update" => {
                        let update = UpdateSpec::Operators(
                            update_document(unwrap_data(one(call)?), call.pos).at(call.pos)?,
                        );
                        Ok(Statement::Update {
                            collection,
                            target,
                            update,
                        })
                    }
                    _ => {
                        if !matches!(target, Target::Doc(_)) {
                            return Err(err(call.pos, "set() needs doc(id)"));
                        }
                        let data =
                            doc_of(unwrap_data(one(call)?), call.pos, "set() data").at(call.pos)?;
                        Ok(Statement::Update {
                            collection,
                            target,
                            update: UpdateSpec::Replace(data),
                        })
                    }
                };
            }
            other => {
                return Err(err(
                    call.pos,
                    format!("{other}() is not a collection method"),
                ));
            }
        }
    }
    Err(err(
        calls.get(last).map(|c| c.pos).unwrap_or(pos),
        "the statement does not end with get(), count(), add(), update(), set() or remove()",
    ))
}
