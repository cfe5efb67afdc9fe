//! Operators that control evaluation themselves: conditionals, variables and iteration,
//! operators with named arguments, and accumulators used as expressions.

use wxcloud::{Document, Value};

use super::regexp::RegexMode;
use super::{Expr, Vars, arg_list, check_arity, truthy, type_name};
use crate::engine::EngineError;
use crate::engine::accumulate::{Acc, AccKind};
use crate::engine::order::compare;

/// An operator that evaluates its own arguments.
#[derive(Debug, Clone)]
pub enum Special {
    /// `$cond`.
    Cond(Expr, Expr, Expr),
    /// `$ifNull`: the first argument that is neither null nor missing (the last one otherwise).
    IfNull(Vec<Expr>),
    /// `$switch`.
    Switch(Vec<(Expr, Expr)>, Option<Expr>),
    /// `$and` (short-circuit).
    And(Vec<Expr>),
    /// `$or` (short-circuit).
    Or(Vec<Expr>),
    /// `$let`.
    Let(Vec<(String, Expr)>, Expr),
    /// `$map`.
    Map {
        input: Expr,
        name: String,
        body: Expr,
    },
    /// `$filter`.
    Filter {
        input: Expr,
        name: String,
        cond: Expr,
        limit: Option<Expr>,
    },
    /// `$reduce`.
    Reduce {
        input: Expr,
        initial: Expr,
        body: Expr,
    },
    /// `$type` (reports "missing").
    Type(Expr),
    /// `$sum`, `$avg`, `$min`, `$max`, `$stdDevPop`, `$stdDevSamp` over an array or the arguments.
    Accum(AccKind, Vec<Expr>),
    /// `$first` / `$last` of an array.
    End(Expr, bool),
    /// `$arrayElemAt` (missing when out of range).
    ElemAt(Expr, Expr),
    /// `$convert`.
    Convert {
        input: Expr,
        to: Expr,
        on_error: Option<Expr>,
        on_null: Option<Expr>,
    },
    /// `$dateToString`.
    DateToString {
        date: Expr,
        format: Expr,
        timezone: Expr,
        on_null: Option<Expr>,
    },
    /// `$dateFromString`.
    DateFromString {
        string: Expr,
        timezone: Expr,
        on_error: Option<Expr>,
        on_null: Option<Expr>,
    },
    /// `$dateFromParts`: year..millisecond then timezone.
    DateFromParts(Vec<Expr>),
    /// `$dateToParts`.
    DateToParts {
        date: Expr,
        timezone: Expr,
        iso: Expr,
    },
    /// `$trim` / `$ltrim` / `$rtrim`.
    Trim {
        input: Expr,
        chars: Expr,
        start: bool,
        end: bool,
    },
    /// `$replaceOne` / `$replaceAll`.
    Replace {
        input: Expr,
        find: Expr,
        with: Expr,
        all: bool,
    },
    /// `$regexMatch` / `$regexFind` / `$regexFindAll`.
    Regex {
        input: Expr,
        regex: Expr,
        options: Expr,
        mode: RegexMode,
    },
    /// `$zip`.
    Zip {
        inputs: Expr,
        longest: bool,
        defaults: Option<Expr>,
    },
    /// `$sortArray`.
    SortArray { input: Expr, by: Value },
    /// `$getField`.
    GetField { field: Expr, input: Option<Expr> },
}

/// The named arguments of an operator, refusing names it does not take.
struct Named<'a> {
    op: &'a str,
    d: &'a Document,
}

impl<'a> Named<'a> {
    fn new(op: &'a str, arg: &'a Value, allowed: &[&str]) -> Result<Named<'a>, EngineError> {
        let d = arg
            .as_document()
            .ok_or_else(|| EngineError(format!("{op} expects an object of named arguments")))?;
        if let Some(k) = d.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(EngineError(format!("{op} found an unknown argument: {k}")));
        }
        Ok(Named { op, d })
    }
    fn opt(&self, k: &str) -> Result<Option<Expr>, EngineError> {
        self.d.get(k).map(Expr::compile).transpose()
    }
    fn or_null(&self, k: &str) -> Result<Expr, EngineError> {
        Ok(self.opt(k)?.unwrap_or(Expr::Lit(Value::Null)))
    }
    fn req(&self, k: &str) -> Result<Expr, EngineError> {
        self.opt(k)?
            .ok_or_else(|| EngineError(format!("Missing '{k}' parameter to {}", self.op)))
    }
    fn name(&self, k: &str, default: &str) -> Result<String, EngineError> {
        match self.d.get(k) {
            None => Ok(default.to_owned()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(EngineError(format!("{}'s '{k}' must be a string", self.op))),
        }
    }
}

fn list(name: &str, arg: &Value, min: usize, max: usize) -> Result<Vec<Expr>, EngineError> {
    let items = arg_list(arg);
    check_arity(name, items.len(), min, max)?;
    items.into_iter().map(Expr::compile).collect()
}

impl Special {
    /// Compiles `name` if it is one of these operators.
    pub fn compile(name: &str, arg: &Value) -> Result<Option<Special>, EngineError> {
        Ok(Some(match name {
            "$cond" => match arg {
                Value::Document(_) => {
                    let n = Named::new(name, arg, &["if", "then", "else"])?;
                    Special::Cond(n.req("if")?, n.req("then")?, n.req("else")?)
                }
                _ => {
                    let mut l = list(name, arg, 3, 3)?.into_iter();
                    match (l.next(), l.next(), l.next()) {
                        (Some(a), Some(b), Some(c)) => Special::Cond(a, b, c),
                        _ => return Err(EngineError("$cond needs 3 arguments".into())),
                    }
                }
            },
            "$ifNull" => Special::IfNull(list(name, arg, 2, usize::MAX)?),
            "$switch" => {
                let n = Named::new(name, arg, &["branches", "default"])?;
                let branches = n
                    .d
                    .get("branches")
                    .and_then(Value::as_array)
                    .ok_or_else(|| EngineError("$switch requires at least one branch".into()))?;
                let mut bs = Vec::new();
                for b in branches {
                    let bn = Named::new("$switch branch", b, &["case", "then"])?;
                    bs.push((bn.req("case")?, bn.req("then")?));
                }
                Special::Switch(bs, n.opt("default")?)
            }
            "$and" => Special::And(list(name, arg, 0, usize::MAX)?),
            "$or" => Special::Or(list(name, arg, 0, usize::MAX)?),
            "$let" => {
                let n = Named::new(name, arg, &["vars", "in"])?;
                let vars =
                    n.d.get("vars")
                        .and_then(Value::as_document)
                        .ok_or_else(|| {
                            EngineError("invalid parameter: expected an object (vars)".into())
                        })?;
                let vars = vars
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), Expr::compile(v)?)))
                    .collect::<Result<Vec<_>, EngineError>>()?;
                Special::Let(vars, n.req("in")?)
            }
            "$map" => {
                let n = Named::new(name, arg, &["input", "as", "in"])?;
                Special::Map {
                    input: n.req("input")?,
                    name: n.name("as", "this")?,
                    body: n.req("in")?,
                }
            }
            "$filter" => {
                let n = Named::new(name, arg, &["input", "as", "cond", "limit"])?;
                Special::Filter {
                    input: n.req("input")?,
                    name: n.name("as", "this")?,
                    cond: n.req("cond")?,
                    limit: n.opt("limit")?,
                }
            }
            "$reduce" => {
                let n = Named::new(name, arg, &["input", "initialValue", "in"])?;
                Special::Reduce {
                    input: n.req("input")?,
                    initial: n.req("initialValue")?,
                    body: n.req("in")?,
                }
            }
            "$type" => Special::Type(list(name, arg, 1, 1)?.remove(0)),
            "$sum" | "$avg" | "$min" | "$max" | "$stdDevPop" | "$stdDevSamp" => {
                let kind = AccKind::parse(name).ok_or_else(|| EngineError(name.to_owned()))?;
                Special::Accum(kind, list(name, arg, 0, usize::MAX)?)
            }
            "$first" | "$last" => Special::End(list(name, arg, 1, 1)?.remove(0), name == "$first"),
            "$arrayElemAt" => {
                let mut l = list(name, arg, 2, 2)?;
                let i = l.remove(1);
                Special::ElemAt(l.remove(0), i)
            }
            "$convert" => {
                let n = Named::new(name, arg, &["input", "to", "onError", "onNull"])?;
                Special::Convert {
                    input: n.req("input")?,
                    to: n.req("to")?,
                    on_error: n.opt("onError")?,
                    on_null: n.opt("onNull")?,
                }
            }
            "$dateToString" => {
                let n = Named::new(name, arg, &["date", "format", "timezone", "onNull"])?;
                Special::DateToString {
                    date: n.req("date")?,
                    format: n.or_null("format")?,
                    timezone: n.or_null("timezone")?,
                    on_null: n.opt("onNull")?,
                }
            }
            "$dateFromString" => {
                let n = Named::new(
                    name,
                    arg,
                    &["dateString", "timezone", "onError", "onNull", "format"],
                )?;
                Special::DateFromString {
                    string: n.req("dateString")?,
                    timezone: n.or_null("timezone")?,
                    on_error: n.opt("onError")?,
                    on_null: n.opt("onNull")?,
                }
            }
            "$dateFromParts" => {
                let keys = [
                    "year",
                    "month",
                    "day",
                    "hour",
                    "minute",
                    "second",
                    "millisecond",
                    "timezone",
                ];
                let n = Named::new(name, arg, &keys)?;
                if !n.d.contains_key("year") {
                    return Err(EngineError(
                        "$dateFromParts requires 'year' (ISO week dates are not supported)".into(),
                    ));
                }
                Special::DateFromParts(
                    keys.iter()
                        .map(|k| n.or_null(k))
                        .collect::<Result<_, _>>()?,
                )
            }
            "$dateToParts" => {
                let n = Named::new(name, arg, &["date", "timezone", "iso8601"])?;
                Special::DateToParts {
                    date: n.req("date")?,
                    timezone: n.or_null("timezone")?,
                    iso: n.or_null("iso8601")?,
                }
            }
            "$trim" | "$ltrim" | "$rtrim" => {
                let n = Named::new(name, arg, &["input", "chars"])?;
                Special::Trim {
                    input: n.req("input")?,
                    chars: n.or_null("chars")?,
                    start: name != "$rtrim",
                    end: name != "$ltrim",
                }
            }
            "$replaceOne" | "$replaceAll" => {
                let n = Named::new(name, arg, &["input", "find", "replacement"])?;
                Special::Replace {
                    input: n.req("input")?,
                    find: n.req("find")?,
                    with: n.req("replacement")?,
                    all: name == "$replaceAll",
                }
            }
            "$regexMatch" | "$regexFind" | "$regexFindAll" => {
                let n = Named::new(name, arg, &["input", "regex", "options"])?;
                Special::Regex {
                    input: n.req("input")?,
                    regex: n.req("regex")?,
                    options: n.or_null("options")?,
                    mode: match name {
                        "$regexMatch" => RegexMode::Match,
                        "$regexFind" => RegexMode::Find,
                        _ => RegexMode::FindAll,
                    },
                }
            }
            "$zip" => {
                let n = Named::new(name, arg, &["inputs", "useLongestLength", "defaults"])?;
                let longest = n.d.get("useLongestLength").is_some_and(truthy);
                Special::Zip {
                    inputs: n.req("inputs")?,
                    longest,
                    defaults: n.opt("defaults")?,
                }
            }
            "$sortArray" => {
                let n = Named::new(name, arg, &["input", "sortBy"])?;
                let by =
                    n.d.get("sortBy")
                        .cloned()
                        .ok_or_else(|| EngineError("$sortArray requires sortBy".into()))?;
                Special::SortArray {
                    input: n.req("input")?,
                    by,
                }
            }
            "$getField" => match arg {
                Value::Document(d) if d.contains_key("field") => {
                    let n = Named::new(name, arg, &["field", "input"])?;
                    Special::GetField {
                        field: n.req("field")?,
                        input: n.opt("input")?,
                    }
                }
                other => Special::GetField {
                    field: Expr::compile(other)?,
                    input: None,
                },
            },
            _ => return Ok(None),
        }))
    }

    /// Evaluates the operator; `None` is missing.
    pub fn eval(&self, doc: &Document, vars: &mut Vars) -> Result<Option<Value>, EngineError> {
        Ok(match self {
            Special::Cond(c, t, e) => {
                if truthy(&c.eval_value(doc, vars)?) {
                    t.eval(doc, vars)?
                } else {
                    e.eval(doc, vars)?
                }
            }
            Special::IfNull(items) => {
                let (last, init) = items
                    .split_last()
                    .ok_or_else(|| EngineError("$ifNull needs arguments".into()))?;
                for e in init {
                    match e.eval(doc, vars)? {
                        None | Some(Value::Null) => {}
                        v => return Ok(v),
                    }
                }
                last.eval(doc, vars)?
            }
            Special::Switch(branches, default) => {
                for (c, t) in branches {
                    if truthy(&c.eval_value(doc, vars)?) {
                        return t.eval(doc, vars);
                    }
                }
                match default {
                    Some(d) => d.eval(doc, vars)?,
                    None => {
                        return Err(EngineError(
                            "$switch could not find a matching branch for an input, and no default was specified".into(),
                        ));
                    }
                }
            }
            Special::And(items) => {
                for e in items {
                    if !truthy(&e.eval_value(doc, vars)?) {
                        return Ok(Some(Value::Bool(false)));
                    }
                }
                Some(Value::Bool(true))
            }
            Special::Or(items) => {
                for e in items {
                    if truthy(&e.eval_value(doc, vars)?) {
                        return Ok(Some(Value::Bool(true)));
                    }
                }
                Some(Value::Bool(false))
            }
            Special::Let(defs, body) => {
                let mut vals = Vec::with_capacity(defs.len());
                for (_, e) in defs {
                    vals.push(e.eval_value(doc, vars)?);
                }
                for ((n, _), v) in defs.iter().zip(vals) {
                    vars.push(n, v);
                }
                let r = body.eval(doc, vars);
                vars.pop(defs.len());
                r?
            }
            Special::Map { input, name, body } => {
                let Some(items) = array_input("$map", input.eval_value(doc, vars)?)? else {
                    return Ok(Some(Value::Null));
                };
                let mut out = Vec::with_capacity(items.len());
                vars.push(name, Value::Null);
                for it in items {
                    vars.set_last(it);
                    match body.eval_value(doc, vars) {
                        Ok(v) => out.push(v),
                        Err(e) => {
                            vars.pop(1);
                            return Err(e);
                        }
                    }
                }
                vars.pop(1);
                Some(Value::Array(out))
            }
            Special::Filter {
                input,
                name,
                cond,
                limit,
            } => {
                let Some(items) = array_input("$filter", input.eval_value(doc, vars)?)? else {
                    return Ok(Some(Value::Null));
                };
                let limit = match limit {
                    Some(l) => match l.eval_value(doc, vars)? {
                        Value::Null => usize::MAX,
                        v => match v.as_f64() {
                            Some(n) if n >= 1.0 && n.fract() == 0.0 => n as usize,
                            _ => {
                                return Err(EngineError(
                                    "$filter: limit must be a positive integer".into(),
                                ));
                            }
                        },
                    },
                    None => usize::MAX,
                };
                let mut out = Vec::new();
                vars.push(name, Value::Null);
                for it in items {
                    if out.len() >= limit {
                        break;
                    }
                    vars.set_last(it.clone());
                    match cond.eval_value(doc, vars) {
                        Ok(c) if truthy(&c) => out.push(it),
                        Ok(_) => {}
                        Err(e) => {
                            vars.pop(1);
                            return Err(e);
                        }
                    }
                }
                vars.pop(1);
                Some(Value::Array(out))
            }
            Special::Reduce {
                input,
                initial,
                body,
            } => {
                let Some(items) = array_input("$reduce", input.eval_value(doc, vars)?)? else {
                    return Ok(Some(Value::Null));
                };
                let mut acc = initial.eval_value(doc, vars)?;
                vars.push("value", Value::Null);
                vars.push("this", Value::Null);
                let mut result = Ok(());
                for it in items {
                    let n = vars.stack.len();
                    vars.stack[n - 2].1 = acc.clone();
                    vars.stack[n - 1].1 = it;
                    match body.eval_value(doc, vars) {
                        Ok(v) => acc = v,
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                vars.pop(2);
                result?;
                Some(acc)
            }
            Special::Type(e) => Some(Value::String(match e.eval(doc, vars)? {
                None => "missing".into(),
                Some(v) => type_name(&v).into(),
            })),
            Special::Accum(kind, args) => {
                let mut acc = Acc::new(*kind);
                if let [single] = args.as_slice() {
                    match single.eval(doc, vars)? {
                        Some(Value::Array(items)) => {
                            for v in items {
                                acc.add(Some(v))?;
                            }
                        }
                        v => acc.add(v)?,
                    }
                } else {
                    for e in args {
                        acc.add(e.eval(doc, vars)?)?;
                    }
                }
                Some(acc.finish())
            }
            Special::End(e, first) => match e.eval(doc, vars)? {
                None => None,
                Some(v) => super::array::end(&v, *first)?,
            },
            Special::ElemAt(a, i) => {
                let a = a.eval_value(doc, vars)?;
                let i = i.eval_value(doc, vars)?;
                super::array::elem_at(&a, &i)?
            }
            Special::Convert {
                input,
                to,
                on_error,
                on_null,
            } => {
                let v = input.eval_value(doc, vars)?;
                if matches!(v, Value::Null) {
                    return match on_null {
                        Some(e) => e.eval(doc, vars),
                        None => Ok(Some(Value::Null)),
                    };
                }
                let to = super::types::target_name(&to.eval_value(doc, vars)?)?;
                match super::types::convert(&v, &to) {
                    Ok(r) => Some(r),
                    Err(err) => match on_error {
                        Some(e) => e.eval(doc, vars)?,
                        None => return Err(err),
                    },
                }
            }
            Special::DateToString {
                date,
                format,
                timezone,
                on_null,
            } => {
                let d = date.eval_value(doc, vars)?;
                let on_null = match (on_null, &d) {
                    (Some(e), Value::Null) => return e.eval(doc, vars),
                    _ => None,
                };
                let f = format.eval_value(doc, vars)?;
                let tz = timezone.eval_value(doc, vars)?;
                Some(super::date::to_string(&d, &f, &tz, on_null)?)
            }
            Special::DateFromString {
                string,
                timezone,
                on_error,
                on_null,
            } => {
                let s = string.eval_value(doc, vars)?;
                if matches!(s, Value::Null)
                    && let Some(e) = on_null
                {
                    return e.eval(doc, vars);
                }
                let tz = timezone.eval_value(doc, vars)?;
                match super::date::from_string(&s, &tz) {
                    Ok(v) => Some(v),
                    Err(err) => match on_error {
                        Some(e) => e.eval(doc, vars)?,
                        None => return Err(err),
                    },
                }
            }
            Special::DateFromParts(parts) => {
                let mut vals = Vec::with_capacity(parts.len());
                for e in parts {
                    vals.push(e.eval_value(doc, vars)?);
                }
                Some(super::date::from_parts(&vals)?)
            }
            Special::DateToParts {
                date,
                timezone,
                iso,
            } => {
                let d = date.eval_value(doc, vars)?;
                let tz = timezone.eval_value(doc, vars)?;
                let iso = truthy(&iso.eval_value(doc, vars)?);
                Some(super::date::to_parts(&d, &tz, iso)?)
            }
            Special::Trim {
                input,
                chars,
                start,
                end,
            } => {
                let i = input.eval_value(doc, vars)?;
                let c = chars.eval_value(doc, vars)?;
                Some(super::string::trim(&i, &c, *start, *end)?)
            }
            Special::Replace {
                input,
                find,
                with,
                all,
            } => {
                let i = input.eval_value(doc, vars)?;
                let f = find.eval_value(doc, vars)?;
                let w = with.eval_value(doc, vars)?;
                Some(super::string::replace(&i, &f, &w, *all)?)
            }
            Special::Regex {
                input,
                regex,
                options,
                mode,
            } => {
                let i = input.eval_value(doc, vars)?;
                let r = regex.eval_value(doc, vars)?;
                let o = options.eval_value(doc, vars)?;
                Some(super::regexp::regex_op(&i, &r, &o, *mode)?)
            }
            Special::Zip {
                inputs,
                longest,
                defaults,
            } => {
                let ins = inputs.eval_value(doc, vars)?;
                let defs = match defaults {
                    Some(d) => Some(d.eval_value(doc, vars)?),
                    None => None,
                };
                Some(super::array::zip(&ins, *longest, defs.as_ref())?)
            }
            Special::SortArray { input, by } => {
                let Some(mut items) = array_input("$sortArray", input.eval_value(doc, vars)?)?
                else {
                    return Ok(Some(Value::Null));
                };
                match by {
                    Value::Document(spec) => {
                        let keys = crate::engine::sort::SortKeys::compile(spec)?;
                        items.sort_by(|a, b| match (a, b) {
                            (Value::Document(x), Value::Document(y)) => keys.compare(x, y),
                            _ => compare(a, b),
                        });
                    }
                    v => {
                        let desc = v.as_f64() == Some(-1.0);
                        items.sort_by(|a, b| if desc { compare(b, a) } else { compare(a, b) });
                    }
                }
                Some(Value::Array(items))
            }
            Special::GetField { field, input } => {
                let f = field.eval_value(doc, vars)?;
                let name = f.as_str().ok_or_else(|| {
                    EngineError("$getField requires 'field' to be a string".into())
                })?;
                match input {
                    None => doc.get(name).cloned(),
                    Some(e) => match e.eval_value(doc, vars)? {
                        Value::Document(d) => d.get(name).cloned(),
                        Value::Null => None,
                        other => {
                            return Err(EngineError(format!(
                                "$getField requires 'input' to be an object, found {}",
                                type_name(&other)
                            )));
                        }
                    },
                }
            }
        })
    }
}

fn array_input(name: &str, v: Value) -> Result<Option<Vec<Value>>, EngineError> {
    match v {
        Value::Null => Ok(None),
        Value::Array(a) => Ok(Some(a)),
        other => Err(EngineError(format!(
            "input to {name} must be an array not {}",
            type_name(&other)
        ))),
    }
}
