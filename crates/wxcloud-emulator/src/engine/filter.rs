//! Query filters: a filter document is compiled once into a [`Filter`] tree, then tested
//! against each document with MongoDB's rules (arrays match by element, `null` matches missing,
//! comparisons only within a type bracket, negations apply to the whole path).

use std::cmp::Ordering;

use regex::Regex;
use wxcloud::{Document, Value};

use super::EngineError;
use super::expr::{Expr, Vars};
use super::geo::{self, GeoPred};
use super::order::{Num, compare, type_rank, values_equal};
use super::path;

/// A compiled filter.
#[derive(Debug)]
pub enum Filter {
    /// Every sub-filter matches (also an implicit list of conditions).
    And(Vec<Filter>),
    /// Some sub-filter matches.
    Or(Vec<Filter>),
    /// No sub-filter matches.
    Nor(Vec<Filter>),
    /// A condition on the values at a path.
    Path(Vec<String>, Pred),
    /// An aggregation expression (`$expr`) evaluated on the document.
    Expr(Expr),
}

/// A condition on the values found at one path.
#[derive(Debug)]
pub enum Pred {
    /// Equal to a value (`null` also matches missing).
    Eq(Value),
    /// Compared by BSON order within the value's type bracket.
    Cmp(Ordering, bool, Value),
    /// Equal to any of these (regexes match strings).
    In(Vec<InItem>),
    /// The path exists.
    Exists,
    /// The value has one of these BSON type codes (`number` matches every numeric type).
    Type(Vec<i32>),
    /// An array of this length.
    Size(i64),
    /// An array holding every one of these.
    All(Vec<Pred>),
    /// An array with an element satisfying every value condition.
    ElemValue(Vec<Pred>),
    /// An array with a document element matching the filter.
    ElemDoc(Box<Filter>),
    /// A number whose truncated value has this remainder.
    Mod(i64, i64),
    /// A string matching the regular expression.
    Regex(Regex),
    /// A geospatial condition on a point.
    Geo(GeoPred),
    /// The negation of the condition over the whole path.
    Not(Box<Pred>),
    /// Every condition holds (each judged over the whole path).
    And(Vec<Pred>),
}

/// One member of an `$in` list.
#[derive(Debug)]
pub enum InItem {
    /// A value compared for equality.
    Value(Value),
    /// A regular expression matched against strings.
    Regex(Regex),
}

impl Filter {
    /// Compiles a filter document.
    pub fn compile(filter: &Document) -> Result<Filter, EngineError> {
        let mut parts = Vec::with_capacity(filter.len());
        for (k, v) in filter {
            if let Some(op) = k.strip_prefix('$') {
                match op {
                    "and" | "or" | "nor" => {
                        let list = v.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
                            EngineError(format!("${op} argument must be a non-empty array"))
                        })?;
                        let subs = list
                            .iter()
                            .map(|f| {
                                f.as_document()
                                    .ok_or_else(|| {
                                        EngineError(format!(
                                            "${op} argument's entries must be objects"
                                        ))
                                    })
                                    .and_then(Filter::compile)
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        parts.push(match op {
                            "and" => Filter::And(subs),
                            "or" => Filter::Or(subs),
                            _ => Filter::Nor(subs),
                        });
                    }
                    "expr" => parts.push(Filter::Expr(Expr::compile(v)?)),
                    "comment" => {}
                    "where" | "text" | "jsonSchema" | "sampleRate" => {
                        return Err(EngineError(format!("unsupported query operator: ${op}")));
                    }
                    _ => return Err(EngineError(format!("unknown top level operator: ${op}"))),
                }
            } else {
                parts.push(Filter::Path(path::split(k), value_condition(v)?));
            }
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or(Filter::And(vec![]))
        } else {
            Filter::And(parts)
        })
    }

    /// Adds to `fields` the top-level fields whose values this filter reads; `false` when it
    /// may read any field (`$expr`), so a document must be whole to be judged.
    pub fn top_fields(&self, fields: &mut Vec<String>) -> bool {
        match self {
            Filter::And(fs) | Filter::Or(fs) | Filter::Nor(fs) => {
                fs.iter().all(|f| f.top_fields(fields))
            }
            Filter::Path(path, _) => {
                fields.extend(path.first().cloned());
                true
            }
            Filter::Expr(_) => false,
        }
    }

    /// Whether the document matches.
    pub fn matches(&self, doc: &Document, vars: &mut Vars) -> Result<bool, EngineError> {
        Ok(match self {
            Filter::And(fs) => {
                for f in fs {
                    if !f.matches(doc, vars)? {
                        return Ok(false);
                    }
                }
                true
            }
            Filter::Or(fs) => {
                for f in fs {
                    if f.matches(doc, vars)? {
                        return Ok(true);
                    }
                }
                false
            }
            Filter::Nor(fs) => {
                for f in fs {
                    if f.matches(doc, vars)? {
                        return Ok(false);
                    }
                }
                true
            }
            Filter::Path(p, pred) => {
                let mut cands = Vec::new();
                path::filter_candidates(doc, p, &mut cands);
                pred.eval(&cands)?
            }
            Filter::Expr(e) => super::expr::truthy(&e.eval_value(doc, vars)?),
        })
    }
}

/// The condition a field's value in a filter stands for: an operator document or equality.
pub fn value_condition(v: &Value) -> Result<Pred, EngineError> {
    match v {
        Value::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => operators(d),
        Value::Regex { pattern, options } => {
            Ok(Pred::Regex(super::regex::compile(pattern, options)?))
        }
        other => Ok(Pred::Eq(other.clone())),
    }
}

/// Compiles an operator document (`{$gt: 1, $lt: 5}`) into one condition.
pub fn operators(d: &Document) -> Result<Pred, EngineError> {
    let mut preds = Vec::with_capacity(d.len());
    for (op, arg) in d {
        let pred = match op.as_str() {
            "$eq" => Pred::Eq(arg.clone()),
            "$ne" => Pred::Not(Box::new(Pred::Eq(arg.clone()))),
            "$gt" => Pred::Cmp(Ordering::Greater, false, arg.clone()),
            "$gte" => Pred::Cmp(Ordering::Greater, true, arg.clone()),
            "$lt" => Pred::Cmp(Ordering::Less, false, arg.clone()),
            "$lte" => Pred::Cmp(Ordering::Less, true, arg.clone()),
            "$in" => Pred::In(in_list(arg, "$in")?),
            "$nin" => Pred::Not(Box::new(Pred::In(in_list(arg, "$nin")?))),
            "$exists" => {
                if super::expr::truthy(arg) {
                    Pred::Exists
                } else {
                    Pred::Not(Box::new(Pred::Exists))
                }
            }
            "$type" => Pred::Type(type_codes(arg)?),
            "$size" => match Num::of(arg) {
                Some(n) if n.as_f64().fract() == 0.0 => Pred::Size(n.as_f64() as i64),
                _ => return Err(EngineError("$size needs an integer".into())),
            },
            "$all" => {
                let list = arg
                    .as_array()
                    .ok_or_else(|| EngineError("$all needs an array".into()))?;
                let items = list
                    .iter()
                    .map(|item| match item {
                        Value::Document(e)
                            if e.keys().next().map(String::as_str) == Some("$elemMatch") =>
                        {
                            elem_match(e.get("$elemMatch").unwrap_or(&Value::Null))
                        }
                        Value::Regex { pattern, options } => {
                            Ok(Pred::Regex(super::regex::compile(pattern, options)?))
                        }
                        other => Ok(Pred::Eq(other.clone())),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Pred::All(items)
            }
            "$elemMatch" => elem_match(arg)?,
            "$mod" => {
                let a = arg.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
                    EngineError(
                        "malformed mod, needs to be an array of [divisor, remainder]".into(),
                    )
                })?;
                let n = |v: &Value| Num::of(v).map(|n| n.as_f64().trunc() as i64);
                match (n(&a[0]), n(&a[1])) {
                    (Some(0), _) => return Err(EngineError("divisor cannot be 0".into())),
                    (Some(dv), Some(r)) => Pred::Mod(dv, r),
                    _ => {
                        return Err(EngineError(
                            "malformed mod, divisor and remainder must be numbers".into(),
                        ));
                    }
                }
            }
            "$regex" => {
                let opts = d.get("$options").and_then(Value::as_str).unwrap_or("");
                match arg {
                    Value::String(p) => Pred::Regex(super::regex::compile(p, opts)?),
                    Value::Regex { pattern, options } => {
                        let o = if opts.is_empty() {
                            options.as_str()
                        } else {
                            opts
                        };
                        Pred::Regex(super::regex::compile(pattern, o)?)
                    }
                    _ => return Err(EngineError("$regex has to be a string".into())),
                }
            }
            "$options" => {
                if !d.contains_key("$regex") {
                    return Err(EngineError("$options needs a $regex".into()));
                }
                continue;
            }
            "$not" => match arg {
                Value::Document(inner) if !inner.is_empty() => {
                    Pred::Not(Box::new(operators(inner)?))
                }
                Value::Regex { pattern, options } => Pred::Not(Box::new(Pred::Regex(
                    super::regex::compile(pattern, options)?,
                ))),
                _ => return Err(EngineError("$not needs a regex or a document".into())),
            },
            "$geoWithin" | "$within" => Pred::Geo(geo::within(arg)?),
            "$geoIntersects" => Pred::Geo(geo::intersects(arg)?),
            "$near" | "$nearSphere" => Pred::Geo(GeoPred::Near(geo::near(op, arg, d)?)),
            "$maxDistance" | "$minDistance" => continue,
            other => return Err(EngineError(format!("unknown operator: {other}"))),
        };
        preds.push(pred);
    }
    Ok(if preds.len() == 1 {
        preds.pop().unwrap_or(Pred::And(vec![]))
    } else {
        Pred::And(preds)
    })
}

fn elem_match(arg: &Value) -> Result<Pred, EngineError> {
    let d = arg
        .as_document()
        .ok_or_else(|| EngineError("$elemMatch needs an Object".into()))?;
    let value_ops = d.keys().next().is_some_and(|k| {
        k.starts_with('$') && !matches!(k.as_str(), "$and" | "$or" | "$nor" | "$expr")
    });
    if value_ops {
        match operators(d)? {
            Pred::And(ps) => Ok(Pred::ElemValue(ps)),
            p => Ok(Pred::ElemValue(vec![p])),
        }
    } else {
        Ok(Pred::ElemDoc(Box::new(Filter::compile(d)?)))
    }
}

fn in_list(arg: &Value, op: &str) -> Result<Vec<InItem>, EngineError> {
    let list = arg
        .as_array()
        .ok_or_else(|| EngineError(format!("{op} needs an array")))?;
    list.iter()
        .map(|v| match v {
            Value::Regex { pattern, options } => {
                Ok(InItem::Regex(super::regex::compile(pattern, options)?))
            }
            Value::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
                Err(EngineError(format!("cannot nest $ under {op}")))
            }
            other => Ok(InItem::Value(other.clone())),
        })
        .collect()
}

/// BSON type codes for `$type`, from numbers or aliases.
fn type_codes(arg: &Value) -> Result<Vec<i32>, EngineError> {
    let one = |v: &Value| -> Result<i32, EngineError> {
        if let Some(n) = Num::of(v) {
            return Ok(n.as_f64() as i32);
        }
        let alias = v.as_str().ok_or_else(|| {
            EngineError("type must be represented as a number or a string".into())
        })?;
        Ok(match alias {
            "double" => 1,
            "string" => 2,
            "object" => 3,
            "array" => 4,
            "binData" => 5,
            "undefined" => 6,
            "objectId" => 7,
            "bool" => 8,
            "date" => 9,
            "null" => 10,
            "regex" => 11,
            "javascript" => 13,
            "int" => 16,
            "timestamp" => 17,
            "long" => 18,
            "decimal" => 19,
            "minKey" => -1,
            "maxKey" => 127,
            "number" => 0,
            other => return Err(EngineError(format!("unknown type name alias: {other}"))),
        })
    };
    match arg {
        Value::Array(a) => a.iter().map(one).collect(),
        v => Ok(vec![one(v)?]),
    }
}

/// The BSON type code of a value.
pub fn type_code(v: &Value) -> i32 {
    match v {
        Value::Double(_) => 1,
        Value::String(_) => 2,
        Value::Document(_) => 3,
        Value::Array(_) => 4,
        Value::Binary { .. } => 5,
        Value::ObjectId(_) => 7,
        Value::Bool(_) => 8,
        Value::Date(_) => 9,
        Value::Null => 10,
        Value::Regex { .. } => 11,
        Value::Int32(_) => 16,
        Value::Timestamp { .. } => 17,
        Value::Int64(_) => 18,
        Value::Decimal128(_) => 19,
        Value::MinKey => -1,
        Value::MaxKey => 127,
    }
}

impl Pred {
    /// Whether the condition holds for the values found at a path (`None` = missing there).
    pub fn eval(&self, cands: &[Option<&Value>]) -> Result<bool, EngineError> {
        Ok(match self {
            Pred::Not(p) => !p.eval(cands)?,
            Pred::And(ps) => {
                for p in ps {
                    if !p.eval(cands)? {
                        return Ok(false);
                    }
                }
                true
            }
            Pred::Exists => cands.iter().any(Option::is_some),
            _ => {
                for c in cands {
                    if self.candidate(*c)? {
                        return Ok(true);
                    }
                }
                false
            }
        })
    }

    /// Whether one value found at the path satisfies the condition (arrays by element, too).
    fn candidate(&self, c: Option<&Value>) -> Result<bool, EngineError> {
        Ok(match self {
            Pred::Size(n) => matches!(c, Some(Value::Array(a)) if a.len() as i64 == *n),
            Pred::ElemValue(ps) => match c {
                Some(Value::Array(a)) => {
                    for e in a {
                        let mut all = true;
                        for p in ps {
                            if !p.eval(&[Some(e)])? {
                                all = false;
                                break;
                            }
                        }
                        if all {
                            return Ok(true);
                        }
                    }
                    false
                }
                _ => false,
            },
            Pred::ElemDoc(f) => match c {
                Some(Value::Array(a)) => {
                    let mut vars = Vars::new(0);
                    for e in a {
                        if let Value::Document(d) = e
                            && f.matches(d, &mut vars)?
                        {
                            return Ok(true);
                        }
                    }
                    false
                }
                _ => false,
            },
            Pred::All(items) => {
                if items.is_empty() {
                    return Ok(false);
                }
                for it in items {
                    if !it.candidate(c)? {
                        return Ok(false);
                    }
                }
                true
            }
            Pred::Not(_) | Pred::And(_) | Pred::Exists => self.eval(&[c])?,
            _ => {
                self.scalar(c)
                    || match c {
                        Some(Value::Array(a)) => a.iter().any(|e| self.scalar(Some(e))),
                        _ => false,
                    }
            }
        })
    }

    /// The condition on one value, without looking into arrays.
    fn scalar(&self, c: Option<&Value>) -> bool {
        match self {
            Pred::Eq(t) => eq(c, t),
            Pred::Cmp(dir, inclusive, t) => {
                if matches!(t, Value::Null) {
                    // `$gte`/`$lte` null match an explicit null only (mongomock; undocumented).
                    return *inclusive && matches!(c, Some(Value::Null));
                }
                let Some(v) = c else { return false };
                let bracket =
                    type_rank(v) == type_rank(t) || matches!(t, Value::MinKey | Value::MaxKey);
                if !bracket || is_nan(v) || is_nan(t) {
                    return false;
                }
                let o = compare(v, t);
                o == *dir || (*inclusive && o == Ordering::Equal)
            }
            Pred::In(items) => items.iter().any(|it| match it {
                InItem::Value(t) => eq(c, t),
                InItem::Regex(re) => regex_match(c, re),
            }),
            Pred::Type(codes) => c.is_some_and(|v| {
                let code = type_code(v);
                codes
                    .iter()
                    .any(|&t| t == code || (t == 0 && matches!(code, 1 | 16 | 18 | 19)))
            }),
            Pred::Mod(d, r) => match c.and_then(Num::of) {
                Some(n) => {
                    let f = n.as_f64();
                    if !f.is_finite() {
                        return false;
                    }
                    let i = match n {
                        super::order::Num::Int(i) => i,
                        super::order::Num::Float(f) => f.trunc() as i64,
                    };
                    i.wrapping_rem(*d) == *r
                }
                None => false,
            },
            Pred::Regex(re) => regex_match(c, re),
            Pred::Geo(g) => c.is_some_and(|v| g.test(v)),
            _ => false,
        }
    }
}

fn is_nan(v: &Value) -> bool {
    matches!(Num::of(v), Some(Num::Float(f)) if f.is_nan())
}

fn eq(c: Option<&Value>, t: &Value) -> bool {
    match (c, t) {
        (None, Value::Null) => true,
        (None, _) => false,
        (Some(v), t) => type_rank(v) == type_rank(t) && values_equal(v, t),
    }
}

fn regex_match(c: Option<&Value>, re: &Regex) -> bool {
    match c {
        Some(Value::String(s)) => re.is_match(s),
        Some(Value::Regex { pattern, .. }) => pattern == re.as_str(),
        _ => false,
    }
}
