//! Aggregation expressions (`"$field"`, `{$add: [..]}`, `{$cond: ..}`, `$$ROOT` ...): compiled
//! once into an [`Expr`] tree, then evaluated per document. Evaluation yields `None` for
//! "missing", which `$project` drops and most operators read as `null`.

pub(crate) mod arith;
pub(crate) mod array;
pub(crate) mod date;
mod regexp;
mod special;
mod string;
mod types;

use wxcloud::{Document, Value};

use super::EngineError;
use super::path;

pub use special::Special;

/// An operator that computes its result from its evaluated arguments (missing read as null).
pub type OpFn = fn(&[Value]) -> Result<Value, EngineError>;

/// A compiled expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A constant.
    Lit(Value),
    /// Always missing (`$$REMOVE`, an absent optional argument).
    Missing,
    /// A field of the current document: `$a.b`.
    Field(Vec<String>),
    /// A variable with an optional path: `$$name.a.b`.
    Var(String, Vec<String>),
    /// The current document (`$$ROOT` / `$$CURRENT`) with an optional path.
    Root(Vec<String>),
    /// The current time (`$$NOW`).
    Now,
    /// A document whose fields are expressions; missing fields are left out.
    Object(Vec<(String, Expr)>),
    /// An array of expressions (missing elements become null).
    Array(Vec<Expr>),
    /// An operator over evaluated arguments.
    Call(&'static str, OpFn, Vec<Expr>),
    /// An operator that evaluates its own arguments (conditionals, variables, iteration).
    Special(Box<Special>),
}

/// Variables in scope while evaluating: `$$NOW` and those bound by `$let`, `$map`, `$lookup` ...
#[derive(Debug, Clone)]
pub struct Vars {
    /// The current time in milliseconds since the epoch.
    pub now_ms: i64,
    stack: Vec<(String, Value)>,
}

impl Vars {
    /// No variables besides `$$NOW` = `now_ms`.
    pub fn new(now_ms: i64) -> Vars {
        Vars {
            now_ms,
            stack: Vec::new(),
        }
    }

    /// Binds a variable until the matching [`Vars::pop`].
    pub fn push(&mut self, name: &str, value: Value) {
        self.stack.push((name.to_owned(), value));
    }

    /// Unbinds the most recent `n` variables.
    pub fn pop(&mut self, n: usize) {
        let keep = self.stack.len().saturating_sub(n);
        self.stack.truncate(keep);
    }

    /// Rebinds the most recent variable named `name` (used by loops).
    pub fn set_last(&mut self, value: Value) {
        if let Some(last) = self.stack.last_mut() {
            last.1 = value;
        }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.stack
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// Whether a value counts as true in an aggregation expression (null, missing, false and 0 do not).
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::Int32(0) | Value::Int64(0) => false,
        Value::Double(f) => *f != 0.0,
        Value::Decimal128(s) => super::order::decimal_to_f64(s) != 0.0,
        _ => true,
    }
}

/// The arguments of an operator: an array is the list, anything else a single argument.
fn arg_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

fn check_arity(name: &str, n: usize, min: usize, max: usize) -> Result<(), EngineError> {
    if n < min || n > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(EngineError(format!(
            "Expression {name} takes exactly {want} arguments. {n} were passed in."
        )));
    }
    Ok(())
}

impl Expr {
    /// Compiles an expression. An operator the engine does not know is an error naming it.
    pub fn compile(v: &Value) -> Result<Expr, EngineError> {
        match v {
            Value::String(s) if s.starts_with("$$") => Self::variable(&s[2..]),
            Value::String(s) if s.starts_with('$') => {
                if s.len() == 1 {
                    return Err(EngineError("'$' by itself is not a valid FieldPath".into()));
                }
                Ok(Expr::Field(path::split(&s[1..])))
            }
            Value::Array(items) => Ok(Expr::Array(
                items.iter().map(Expr::compile).collect::<Result<_, _>>()?,
            )),
            Value::Document(d) => Self::document(d),
            other => Ok(Expr::Lit(other.clone())),
        }
    }

    fn variable(s: &str) -> Result<Expr, EngineError> {
        let mut parts = path::split(s);
        let name = parts.remove(0);
        Ok(match name.as_str() {
            "ROOT" | "CURRENT" => Expr::Root(parts),
            "NOW" => Expr::Now,
            "REMOVE" => Expr::Missing,
            "CLUSTER_TIME" | "SEARCH_META" | "USER_ROLES" => {
                return Err(EngineError(format!("unsupported variable: $${name}")));
            }
            _ => Expr::Var(name, parts),
        })
    }

    fn document(d: &Document) -> Result<Expr, EngineError> {
        let mut it = d.iter();
        if let Some((k, arg)) = it.next()
            && k.starts_with('$')
        {
            if d.len() != 1 {
                return Err(EngineError(format!(
                    "an expression specification must contain exactly one field, the name of the expression; found {} fields",
                    d.len()
                )));
            }
            return Self::operator(k, arg);
        }
        let mut fields = Vec::with_capacity(d.len());
        for (k, v) in d {
            if k.starts_with('$') {
                return Err(EngineError(format!(
                    "field name {k} cannot be an operator name"
                )));
            }
            fields.push((k.clone(), Expr::compile(v)?));
        }
        Ok(Expr::Object(fields))
    }

    fn operator(name: &str, arg: &Value) -> Result<Expr, EngineError> {
        if name == "$literal" {
            return Ok(Expr::Lit(arg.clone()));
        }
        if let Some(s) = Special::compile(name, arg)? {
            return Ok(Expr::Special(Box::new(s)));
        }
        let (key, f, min, max) = lookup(name).ok_or_else(|| {
            EngineError(format!(
                "unsupported aggregation expression operator: {name}"
            ))
        })?;
        let args = arg_list(arg);
        check_arity(name, args.len(), min, max)?;
        let args = args
            .into_iter()
            .map(Expr::compile)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Expr::Call(key, f, args))
    }

    /// Evaluates the expression on a document; `None` is missing.
    pub fn eval(&self, doc: &Document, vars: &mut Vars) -> Result<Option<Value>, EngineError> {
        Ok(match self {
            Expr::Lit(v) => Some(v.clone()),
            Expr::Missing => None,
            Expr::Field(p) => path::expr_get(doc, p),
            Expr::Root(p) => {
                if p.is_empty() {
                    Some(Value::Document(doc.clone()))
                } else {
                    path::expr_get(doc, p)
                }
            }
            Expr::Var(name, p) => {
                let v = vars
                    .get(name)
                    .ok_or_else(|| EngineError(format!("Use of undefined variable: {name}")))?;
                path::expr_walk(v, p)
            }
            Expr::Now => Some(Value::Date(vars.now_ms)),
            Expr::Object(fields) => {
                let mut out = Document::with_capacity(fields.len());
                for (k, e) in fields {
                    if let Some(v) = e.eval(doc, vars)? {
                        out.insert(k.clone(), v);
                    }
                }
                Some(Value::Document(out))
            }
            Expr::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for e in items {
                    out.push(e.eval(doc, vars)?.unwrap_or(Value::Null));
                }
                Some(Value::Array(out))
            }
            Expr::Call(_, f, args) => {
                let mut vals = Vec::with_capacity(args.len());
                for e in args {
                    vals.push(e.eval(doc, vars)?.unwrap_or(Value::Null));
                }
                Some(f(&vals)?)
            }
            Expr::Special(s) => s.eval(doc, vars)?,
        })
    }

    /// Evaluates the expression, reading missing as null.
    pub fn eval_value(&self, doc: &Document, vars: &mut Vars) -> Result<Value, EngineError> {
        Ok(self.eval(doc, vars)?.unwrap_or(Value::Null))
    }
}

/// The operator table: name → (implementation, fewest and most arguments).
fn lookup(name: &str) -> Option<(&'static str, OpFn, usize, usize)> {
    const ANY: usize = usize::MAX;
    let (key, f, min, max): (&'static str, OpFn, usize, usize) = match name {
        // arithmetic
        "$abs" => ("$abs", arith::abs, 1, 1),
        "$add" => ("$add", arith::add, 0, ANY),
        "$ceil" => ("$ceil", arith::ceil, 1, 1),
        "$divide" => ("$divide", arith::divide, 2, 2),
        "$exp" => ("$exp", arith::exp, 1, 1),
        "$floor" => ("$floor", arith::floor, 1, 1),
        "$ln" => ("$ln", arith::ln, 1, 1),
        "$log" => ("$log", arith::log, 2, 2),
        "$log10" => ("$log10", arith::log10, 1, 1),
        "$mod" => ("$mod", arith::modulo, 2, 2),
        "$multiply" => ("$multiply", arith::multiply, 0, ANY),
        "$pow" => ("$pow", arith::pow, 2, 2),
        "$round" => ("$round", arith::round, 1, 2),
        "$sqrt" => ("$sqrt", arith::sqrt, 1, 1),
        "$subtract" => ("$subtract", arith::subtract, 2, 2),
        "$trunc" => ("$trunc", arith::trunc, 1, 2),
        // comparison
        "$cmp" => ("$cmp", types::cmp, 2, 2),
        "$eq" => ("$eq", types::eq, 2, 2),
        "$ne" => ("$ne", types::ne, 2, 2),
        "$gt" => ("$gt", types::gt, 2, 2),
        "$gte" => ("$gte", types::gte, 2, 2),
        "$lt" => ("$lt", types::lt, 2, 2),
        "$lte" => ("$lte", types::lte, 2, 2),
        "$not" => ("$not", types::not, 1, 1),
        // types
        "$isNumber" => ("$isNumber", types::is_number, 1, 1),
        "$toBool" => ("$toBool", types::to_bool, 1, 1),
        "$toString" => ("$toString", types::to_string, 1, 1),
        "$toInt" => ("$toInt", types::to_int, 1, 1),
        "$toLong" => ("$toLong", types::to_long, 1, 1),
        "$toDouble" => ("$toDouble", types::to_double, 1, 1),
        "$toDecimal" => ("$toDecimal", types::to_decimal, 1, 1),
        "$toDate" => ("$toDate", types::to_date, 1, 1),
        "$toObjectId" => ("$toObjectId", types::to_object_id, 1, 1),
        // strings
        "$concat" => ("$concat", string::concat, 0, ANY),
        "$indexOfBytes" => ("$indexOfBytes", string::index_of_bytes, 2, 4),
        "$indexOfCP" => ("$indexOfCP", string::index_of_cp, 2, 4),
        "$split" => ("$split", string::split, 2, 2),
        "$strLenBytes" => ("$strLenBytes", string::len_bytes, 1, 1),
        "$strLenCP" => ("$strLenCP", string::len_cp, 1, 1),
        "$strcasecmp" => ("$strcasecmp", string::strcasecmp, 2, 2),
        "$substr" => ("$substr", string::substr_bytes, 3, 3),
        "$substrBytes" => ("$substrBytes", string::substr_bytes, 3, 3),
        "$substrCP" => ("$substrCP", string::substr_cp, 3, 3),
        "$toLower" => ("$toLower", string::to_lower, 1, 1),
        "$toUpper" => ("$toUpper", string::to_upper, 1, 1),
        // arrays and sets
        "$arrayToObject" => ("$arrayToObject", array::to_object, 1, 1),
        "$concatArrays" => ("$concatArrays", array::concat, 0, ANY),
        "$in" => ("$in", array::is_in, 2, 2),
        "$indexOfArray" => ("$indexOfArray", array::index_of, 2, 4),
        "$isArray" => ("$isArray", array::is_array, 1, 1),
        "$objectToArray" => ("$objectToArray", array::object_to_array, 1, 1),
        "$range" => ("$range", array::range, 2, 3),
        "$reverseArray" => ("$reverseArray", array::reverse, 1, 1),
        "$size" => ("$size", array::size, 1, 1),
        "$slice" => ("$slice", array::slice, 2, 3),
        "$allElementsTrue" => ("$allElementsTrue", array::all_true, 1, 1),
        "$anyElementTrue" => ("$anyElementTrue", array::any_true, 1, 1),
        "$setDifference" => ("$setDifference", array::set_difference, 2, 2),
        "$setEquals" => ("$setEquals", array::set_equals, 2, ANY),
        "$setIntersection" => ("$setIntersection", array::set_intersection, 0, ANY),
        "$setIsSubset" => ("$setIsSubset", array::set_is_subset, 2, 2),
        "$setUnion" => ("$setUnion", array::set_union, 0, ANY),
        "$mergeObjects" => ("$mergeObjects", array::merge_objects, 0, ANY),
        // dates
        "$year" => ("$year", date::year, 1, 1),
        "$month" => ("$month", date::month, 1, 1),
        "$dayOfMonth" => ("$dayOfMonth", date::day_of_month, 1, 1),
        "$dayOfWeek" => ("$dayOfWeek", date::day_of_week, 1, 1),
        "$dayOfYear" => ("$dayOfYear", date::day_of_year, 1, 1),
        "$hour" => ("$hour", date::hour, 1, 1),
        "$minute" => ("$minute", date::minute, 1, 1),
        "$second" => ("$second", date::second, 1, 1),
        "$millisecond" => ("$millisecond", date::millisecond, 1, 1),
        "$week" => ("$week", date::week, 1, 1),
        "$isoWeek" => ("$isoWeek", date::iso_week, 1, 1),
        "$isoWeekYear" => ("$isoWeekYear", date::iso_week_year, 1, 1),
        "$isoDayOfWeek" => ("$isoDayOfWeek", date::iso_day_of_week, 1, 1),
        _ => return None,
    };
    Some((key, f, min, max))
}

/// A type name for error messages, as MongoDB's `$type` spells it.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int32(_) => "int",
        Value::Int64(_) => "long",
        Value::Double(_) => "double",
        Value::Decimal128(_) => "decimal",
        Value::String(_) => "string",
        Value::Date(_) => "date",
        Value::ObjectId(_) => "objectId",
        Value::Binary { .. } => "binData",
        Value::Regex { .. } => "regex",
        Value::Timestamp { .. } => "timestamp",
        Value::MinKey => "minKey",
        Value::MaxKey => "maxKey",
        Value::Array(_) => "array",
        Value::Document(_) => "object",
    }
}
