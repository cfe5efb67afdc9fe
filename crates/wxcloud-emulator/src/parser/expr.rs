//! Recursive descent over the tokens: declarations, then one expression, evaluated as it is
//! parsed into a [`Js`] (data, commands, or a collection chain). Nothing is ever executed as
//! JavaScript: only the SDK's own names (`db`, `db.command`, `db.Geo`, `Date`, ...) resolve.

use std::collections::HashMap;

use wxcloud::Value;
use wxcloud::statement::vocab;

use super::date;
use wxcloud::statement::chain::{
    Call, Chain, Cmd, Func, Js, Pos, call_function, geo_shape, is_command, stage,
};

use super::lexer::{Spanned, Tok};
use super::{MAX_DEPTH, ParseError};

/// The parser's state over one statement's tokens.
pub struct Parser<'t> {
    toks: &'t [Spanned],
    i: usize,
    depth: u32,
    scope: HashMap<String, Js>,
    now_ms: i64,
}

fn err(pos: Pos, message: impl Into<String>) -> ParseError {
    ParseError {
        line: pos.line,
        column: pos.column,
        message: message.into(),
    }
}

impl<'t> Parser<'t> {
    /// A parser over `toks` (which end with [`Tok::End`]).
    pub fn new(toks: &'t [Spanned], now_ms: i64) -> Self {
        Parser {
            toks,
            i: 0,
            depth: 0,
            scope: HashMap::new(),
            now_ms,
        }
    }

    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }

    fn pos(&self) -> Pos {
        let t = &self.toks[self.i.min(self.toks.len() - 1)];
        Pos {
            line: t.line,
            column: t.column,
        }
    }

    /// The current token, moving past it (past the end too, so a caller may step back).
    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.i += 1;
        t
    }

    fn is_punct(&self, c: char) -> bool {
        *self.peek() == Tok::Punct(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.is_punct(c) {
            self.next();
            true
        } else {
            false
        }
    }

    fn unexpected(&self) -> ParseError {
        let what = match self.peek() {
            Tok::End => "unexpected end of statement".to_owned(),
            Tok::Ident(s) => format!("unexpected identifier {s:?}"),
            Tok::Str(_) => "unexpected string".to_owned(),
            Tok::Num(_) => "unexpected number".to_owned(),
            Tok::Regex(..) => "unexpected regular expression".to_owned(),
            Tok::Punct(c) => format!("unexpected '{c}'"),
        };
        err(self.pos(), what)
    }

    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(err(self.pos(), format!("expected '{c}'")).with_found(self))
        }
    }

    fn ident(&mut self) -> Result<String, ParseError> {
        match self.next() {
            Tok::Ident(s) => Ok(s),
            _ => {
                self.i -= 1;
                Err(err(self.pos(), "expected a name").with_found(self))
            }
        }
    }

    /// `(const|let|var NAME = expr ;)* expr ;?` and the end of the text.
    pub fn program(&mut self) -> Result<(Js, Pos), ParseError> {
        loop {
            let pos = self.pos();
            match self.peek() {
                Tok::Ident(k) if matches!(k.as_str(), "const" | "let" | "var") => {
                    self.next();
                    let name = self.ident()?;
                    self.expect('=')?;
                    let value = self.expr()?;
                    if !self.eat(';') && !matches!(self.peek(), Tok::Ident(_)) {
                        return Err(
                            err(self.pos(), "expected ';' after a declaration").with_found(self)
                        );
                    }
                    if self.scope.insert(name.clone(), value).is_some() {
                        return Err(err(pos, format!("{name} is declared twice")));
                    }
                }
                Tok::Punct(';') => {
                    self.next();
                }
                _ => break,
            }
        }
        let pos = self.pos();
        let value = self.expr()?;
        while self.eat(';') {}
        if *self.peek() != Tok::End {
            return Err(err(self.pos(), "expected the end of the statement").with_found(self));
        }
        Ok((value, pos))
    }

    /// One expression.
    pub fn expr(&mut self) -> Result<Js, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                self.pos(),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let result = self.unary();
        self.depth -= 1;
        result
    }

    fn unary(&mut self) -> Result<Js, ParseError> {
        let pos = self.pos();
        if self.eat('-') {
            return match self.expr()? {
                Js::Num(n) => Ok(Js::Num(-n)),
                other => Err(err(pos, format!("cannot negate {}", other.describe()))),
            };
        }
        if self.eat('+') {
            return match self.expr()? {
                Js::Num(n) => Ok(Js::Num(n)),
                other => Err(err(
                    pos,
                    format!("cannot use unary + on {}", other.describe()),
                )),
            };
        }
        let primary = self.primary()?;
        self.postfix(primary)
    }

    fn postfix(&mut self, mut value: Js) -> Result<Js, ParseError> {
        loop {
            let pos = self.pos();
            if self.eat('.') {
                let name_pos = self.pos();
                let name = self.ident()?;
                value = self.member(value, name, name_pos)?;
            } else if self.is_punct('(') {
                let args = self.args()?;
                value = self.call(value, args, pos)?;
            } else if self.eat('[') {
                let key = match self.expr()? {
                    Js::Value(Value::String(s)) => s,
                    Js::Num(n) if n.fract() == 0.0 && n >= 0.0 => (n as u64).to_string(),
                    other => {
                        return Err(err(pos, format!("cannot index with {}", other.describe())));
                    }
                };
                self.expect(']')?;
                value = self.member(value, key, pos)?;
            } else {
                return Ok(value);
            }
        }
    }

    fn args(&mut self) -> Result<Vec<Js>, ParseError> {
        self.expect('(')?;
        let mut args = Vec::new();
        while !self.eat(')') {
            args.push(self.expr()?);
            if !self.eat(',') {
                self.expect(')')?;
                break;
            }
        }
        Ok(args)
    }

    fn primary(&mut self) -> Result<Js, ParseError> {
        let pos = self.pos();
        match self.next() {
            Tok::Num(n) => Ok(Js::Num(n)),
            Tok::Str(s) => Ok(Js::Value(Value::String(s))),
            Tok::Regex(pattern, options) => Ok(Js::Value(Value::Regex { pattern, options })),
            Tok::Punct('{') => self.object(),
            Tok::Punct('[') => self.array(),
            Tok::Punct('(') => {
                let v = self.expr()?;
                self.expect(')')?;
                Ok(v)
            }
            Tok::Ident(name) => self.identifier(name, pos),
            _ => {
                self.i -= 1;
                Err(self.unexpected())
            }
        }
    }

    fn identifier(&mut self, name: String, pos: Pos) -> Result<Js, ParseError> {
        if let Some(v) = self.scope.get(&name) {
            return Ok(v.clone());
        }
        Ok(match name.as_str() {
            "true" => Js::Value(Value::Bool(true)),
            "false" => Js::Value(Value::Bool(false)),
            "null" => Js::Value(Value::Null),
            "undefined" => Js::Undefined,
            "NaN" => Js::Num(f64::NAN),
            "Infinity" => Js::Num(f64::INFINITY),
            "db" => Js::Db,
            "_" => Js::Command,
            "$" => Js::AggNs,
            "Date" => Js::Func(Func::Date),
            "RegExp" => Js::Func(Func::RegExp),
            "new" => return self.construct(pos),
            _ => return Err(err(pos, format!("{name} is not defined"))),
        })
    }

    fn object(&mut self) -> Result<Js, ParseError> {
        let mut fields: Vec<(String, Js)> = Vec::new();
        while !self.eat('}') {
            let pos = self.pos();
            let (key, shorthand) = match self.next() {
                Tok::Ident(s) => (s, true),
                Tok::Str(s) => (s, false),
                Tok::Num(n) => (number_key(n), false),
                _ => {
                    self.i -= 1;
                    return Err(err(pos, "expected a property name").with_found(self));
                }
            };
            let value = if shorthand && (self.is_punct(',') || self.is_punct('}')) {
                self.identifier(key.clone(), pos)?
            } else {
                self.expect(':')?;
                self.expr()?
            };
            match fields.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => fields.push((key, value)),
            }
            if !self.eat(',') {
                self.expect('}')?;
                break;
            }
        }
        // JavaScript enumerates integer-like keys first, in ascending order, then the others in
        // the order written; the SDK serialises objects in that order.
        let (mut index_keys, named): (Vec<_>, Vec<_>) = fields
            .into_iter()
            .partition(|(k, _)| array_index(k).is_some());
        index_keys.sort_by_key(|(k, _)| array_index(k));
        index_keys.extend(named);
        Ok(Js::Object(index_keys))
    }

    fn array(&mut self) -> Result<Js, ParseError> {
        let mut items = Vec::new();
        while !self.eat(']') {
            items.push(self.expr()?);
            if !self.eat(',') {
                self.expect(']')?;
                break;
            }
        }
        Ok(Js::Array(items))
    }

    /// `new Callee(args)`, after `new`.
    fn construct(&mut self, pos: Pos) -> Result<Js, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(pos, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let mut callee = self.primary()?;
        while self.eat('.') {
            let name_pos = self.pos();
            let name = self.ident()?;
            callee = self.member(callee, name, name_pos)?;
        }
        self.depth -= 1;
        let args = if self.is_punct('(') {
            self.args()?
        } else {
            Vec::new()
        };
        match callee {
            Js::Func(Func::Date | Func::RegExp | Func::DbRegExp | Func::DbObjectId)
            | Js::GeoShape(_) => self.call(callee, args, pos),
            other => Err(err(
                pos,
                format!("cannot use new with {}", other.describe()),
            )),
        }
    }

    fn member(&mut self, target: Js, name: String, pos: Pos) -> Result<Js, ParseError> {
        Ok(match (target, name.as_str()) {
            (Js::Db, "command") => Js::Command,
            (Js::Db, "Geo") => Js::Geo,
            (Js::Db, "RegExp") => Js::Func(Func::DbRegExp),
            (Js::Db, "serverDate") => Js::Func(Func::ServerDate),
            (Js::Db, "ObjectId") => Js::Func(Func::DbObjectId),
            (Js::Db, "collection") => Js::Method(Box::new(Js::Db), name, pos),
            (Js::Command, "aggregate") => Js::AggNs,
            (Js::Command, n) if is_command(n) => Js::Method(Box::new(Js::Command), name, pos),
            (Js::AggNs, "pipeline") => Js::Method(Box::new(Js::AggNs), name, pos),
            (pipeline @ Js::Pipeline(_), _) => Js::Method(Box::new(pipeline), name, pos),
            (Js::AggNs, n) if vocab::aggregate_operator(n).is_some() => {
                Js::Method(Box::new(Js::AggNs), name, pos)
            }
            (Js::Geo, n) if vocab::GEO_TYPES.contains(&n) => Js::GeoShape(name),
            (cmd @ Js::Cmd(_), "and" | "or") => Js::Method(Box::new(cmd), name, pos),
            (chain @ Js::Chain(_), _) => Js::Method(Box::new(chain), name, pos),
            (Js::Object(fields), _) => fields
                .into_iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v)
                .unwrap_or(Js::Undefined),
            (Js::Array(items), _) => match name.parse::<usize>() {
                Ok(i) => items.into_iter().nth(i).unwrap_or(Js::Undefined),
                Err(_) => return Err(err(pos, format!("arrays have no member {name:?} here"))),
            },
            (target, _) => {
                return Err(err(
                    pos,
                    format!("{} has no member {name:?}", target.describe()),
                ));
            }
        })
    }

    fn call(&mut self, callee: Js, args: Vec<Js>, pos: Pos) -> Result<Js, ParseError> {
        match callee {
            Js::Method(target, name, pos) => match *target {
                Js::Db => {
                    let [Js::Value(Value::String(coll))] = args.as_slice() else {
                        return Err(err(
                            pos,
                            "db.collection() takes the collection name as a string",
                        ));
                    };
                    Ok(Js::Chain(Chain {
                        collection: coll.clone(),
                        calls: Vec::new(),
                        pos,
                    }))
                }
                Js::Command => Ok(Js::Cmd(Cmd { name, args, pos })),
                Js::AggNs if name == "pipeline" && args.is_empty() => Ok(Js::Pipeline(Vec::new())),
                Js::AggNs => Ok(Js::Agg(name, args, pos)),
                Js::Pipeline(calls) if name == "done" => {
                    let stages = calls
                        .iter()
                        .map(|c| stage(c).map(Value::Document))
                        .collect::<Result<_, _>>()?;
                    Ok(Js::Value(Value::Array(stages)))
                }
                Js::Pipeline(mut calls) => {
                    calls.push(Call { name, args, pos });
                    Ok(Js::Pipeline(calls))
                }
                Js::Cmd(first) => {
                    let mut operands = vec![Js::Cmd(first)];
                    match args.as_slice() {
                        [Js::Array(items)] => operands.extend(items.iter().cloned()),
                        _ => operands.extend(args),
                    }
                    Ok(Js::Cmd(Cmd {
                        name,
                        args: operands,
                        pos,
                    }))
                }
                Js::Chain(mut chain) => {
                    chain.calls.push(Call { name, args, pos });
                    Ok(Js::Chain(chain))
                }
                other => Err(err(pos, format!("{} cannot be called", other.describe()))),
            },
            Js::Func(f) => self.call_func(f, args, pos),
            Js::GeoShape(shape) => geo_shape(&shape, &args, pos).map(Js::Value),
            other => Err(err(pos, format!("{} is not a function", other.describe()))),
        }
    }

    fn call_func(&self, f: Func, args: Vec<Js>, pos: Pos) -> Result<Js, ParseError> {
        let value = match f {
            Func::Date => Value::Date(date_of(&args, self.now_ms, pos)?),
            other => call_function(other, &args, pos)?,
        };
        Ok(Js::Value(value))
    }
}

/// The key as a JavaScript array index (`"0"`, `"42"`, not `"042"` or `"-1"`), if it is one.
fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n != u32::MAX && n.to_string() == key).then_some(n)
}

fn number_key(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The milliseconds a `Date(..)` call stands for.
fn date_of(args: &[Js], now_ms: i64, pos: Pos) -> Result<i64, ParseError> {
    let invalid = || err(pos, "invalid date");
    match args {
        [] => Ok(now_ms),
        [Js::Num(n)] if n.is_finite() && n.abs() <= 8.64e15 => Ok(n.trunc() as i64),
        [Js::Value(Value::String(s))] => date::parse_iso(s).ok_or_else(invalid),
        [Js::Value(Value::Date(ms))] => Ok(*ms),
        parts if parts.len() >= 2 && parts.iter().all(|p| matches!(p, Js::Num(_))) => {
            let nums: Vec<f64> = parts
                .iter()
                .filter_map(|p| if let Js::Num(n) = p { Some(*n) } else { None })
                .collect();
            date::from_components(&nums).ok_or_else(invalid)
        }
        _ => Err(invalid()),
    }
}

trait WithFound {
    fn with_found(self, p: &Parser<'_>) -> Self;
}

impl WithFound for ParseError {
    /// Appends what was found instead, when it helps.
    fn with_found(mut self, p: &Parser<'_>) -> Self {
        let found = p.unexpected().message;
        if let Some(rest) = found.strip_prefix("unexpected ") {
            self.message = format!("{}, found {rest}", self.message);
        }
        self
    }
}
