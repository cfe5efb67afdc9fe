//! The SDK's value constructors — `db.RegExp({..})`, `RegExp(..)`, `db.ObjectId({..})`,
//! `db.serverDate({..})`, `db.Geo.<Shape>(..)` — as the values they stand for, shared by the
//! emulator's parser and the bindings' recorded chains. (`new Date(..)` depends on the parser's
//! clock and stays there.)

use super::js::{Func, Js, Pos};
use super::lower::{number, to_value};
use super::{ChainError, err};
use crate::{Document, Value};

/// The value a call of the SDK function `f` with `args` stands for. `Func::Date` is the
/// caller's to handle (it needs a clock) and is refused here.
pub fn call_function(f: Func, args: &[Js], pos: Pos) -> Result<Value, ChainError> {
    Ok(match f {
        Func::Date => return Err(err(pos, "Date() is not available here")),
        Func::RegExp => {
            let text = |i: usize| match args.get(i) {
                None | Some(Js::Undefined) => Ok(String::new()),
                Some(Js::Value(Value::String(s))) => Ok(s.clone()),
                Some(Js::Value(Value::Regex { pattern, .. })) if i == 0 => Ok(pattern.clone()),
                Some(_) => Err(err(
                    pos,
                    "RegExp() takes a pattern string and a flags string",
                )),
            };
            regex(text(0)?, text(1)?, pos)?
        }
        Func::DbRegExp => {
            let [Js::Object(fields)] = args else {
                return Err(err(pos, "db.RegExp() takes {regexp, options}"));
            };
            let field = |k: &str| match fields.iter().find(|(n, _)| n == k).map(|(_, v)| v) {
                None | Some(Js::Undefined) => Ok(String::new()),
                Some(Js::Value(Value::String(s))) => Ok(s.clone()),
                Some(_) => Err(err(pos, format!("db.RegExp(): {k} must be a string"))),
            };
            let pattern = field("regexp")?;
            if pattern.is_empty() {
                return Err(err(pos, "db.RegExp() needs a regexp"));
            }
            regex(pattern, field("options")?, pos)?
        }
        Func::DbObjectId => {
            let hex = match args {
                [Js::Object(fields)] => fields.iter().find(|(k, _)| k == "id").map(|(_, v)| v),
                _ => None,
            };
            match hex {
                Some(Js::Value(Value::String(s))) => Value::ObjectId(object_id(s, pos)?),
                _ => return Err(err(pos, "db.ObjectId() takes {id: \"<24 hex digits>\"}")),
            }
        }
        Func::ServerDate => {
            let offset = match args {
                [] | [Js::Undefined] => 0.0,
                [Js::Object(fields)] => {
                    match fields.iter().find(|(k, _)| k == "offset").map(|(_, v)| v) {
                        None | Some(Js::Undefined) => 0.0,
                        Some(Js::Num(n)) if n.is_finite() => *n,
                        Some(_) => {
                            return Err(err(pos, "db.serverDate(): offset must be a number"));
                        }
                    }
                }
                _ => return Err(err(pos, "db.serverDate() takes {offset}")),
            };
            let mut opts = Document::new();
            opts.insert("offset".into(), number(offset));
            let mut d = Document::new();
            d.insert("$serverDate".into(), Value::Document(opts));
            Value::Document(d)
        }
    })
}

/// The 12 bytes of an ObjectId written as 24 hex digits.
fn object_id(hex: &str, pos: Pos) -> Result<[u8; 12], ChainError> {
    let bad = || err(pos, format!("db.ObjectId(): {hex:?} is not 24 hex digits"));
    if hex.len() != 24 || !hex.is_ascii() {
        return Err(bad());
    }
    let mut bytes = [0u8; 12];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(bytes)
}

fn regex(pattern: String, options: String, pos: Pos) -> Result<Value, ChainError> {
    if let Some(bad) = options.chars().find(|c| !"gimsuxy".contains(*c)) {
        return Err(err(
            pos,
            format!("invalid regular expression option {bad:?}"),
        ));
    }
    Ok(Value::Regex { pattern, options })
}

/// `db.Geo.<shape>(args)` as a GeoJSON document.
pub fn geo_shape(shape: &str, args: &[Js], pos: Pos) -> Result<Value, ChainError> {
    let coords = match (shape, args) {
        ("Point", [Js::Num(lng), Js::Num(lat)]) => {
            if !(-180.0..=180.0).contains(lng) || !(-90.0..=90.0).contains(lat) {
                return Err(err(
                    pos,
                    "db.Geo.Point(longitude, latitude) is out of range",
                ));
            }
            Value::Array(vec![number(*lng), number(*lat)])
        }
        ("Point", _) => {
            return Err(err(
                pos,
                "db.Geo.Point() takes longitude and latitude numbers",
            ));
        }
        (_, [Js::Array(items)]) if crate::statement::vocab::GEO_TYPES.contains(&shape) => {
            Value::Array(
                items
                    .iter()
                    .map(|i| shape_coordinates(i, pos))
                    .collect::<Result<_, _>>()?,
            )
        }
        (_, [_]) if crate::statement::vocab::GEO_TYPES.contains(&shape) => {
            return Err(err(pos, format!("db.Geo.{shape}() takes an array")));
        }
        _ => return Err(err(pos, format!("db.Geo.{shape} is not a Geo shape"))),
    };
    let mut d = Document::new();
    d.insert("type".into(), Value::String(shape.to_owned()));
    d.insert("coordinates".into(), coords);
    Ok(Value::Document(d))
}

/// The coordinates of a component shape (a Point, LineString or Polygon value), or raw
/// coordinates written as an array.
fn shape_coordinates(js: &Js, pos: Pos) -> Result<Value, ChainError> {
    match js {
        Js::Value(Value::Document(d)) => d
            .get("coordinates")
            .cloned()
            .ok_or_else(|| err(pos, "expected a Geo shape")),
        Js::Array(_) => to_value(js),
        _ => Err(err(pos, "expected Geo shapes")),
    }
}
