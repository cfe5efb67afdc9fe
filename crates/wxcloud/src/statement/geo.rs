//! GeoJSON documents as `db.Geo.*` constructor calls.
//!
//! A document is written as a Geo value only when its shape is exactly what the SDK's
//! constructor would serialise back: the keys `type` then `coordinates`, numbers in range
//! (longitude ±180, latitude ±90), lines of at least two points, closed polygon rings, and
//! non-empty multi-shapes. Anything else stays an ordinary document where documents are allowed,
//! and is refused where a geometry is required (the `$geometry` of a geo query operator).

use std::fmt::Write as _;

use super::literal::{Path, error_at, write_number};
use super::vocab::GEO_TYPES;
use crate::{Document, Result, Value};

/// Appends `doc` as `db.Geo.<Type>(..)` and returns true if it is an exact GeoJSON shape;
/// returns false (appending nothing) otherwise.
pub(crate) fn write_geo(out: &mut String, doc: &Document) -> Result<bool> {
    let Some((kind, coords)) = shape(doc) else {
        return Ok(false);
    };
    if !valid(kind, coords) {
        return Ok(false);
    }
    write_shape(out, kind, coords)?;
    Ok(true)
}

/// Appends a geometry that must be an exact GeoJSON shape of one of `allowed` types.
pub(crate) fn write_geometry(
    out: &mut String,
    value: &Value,
    allowed: &[&str],
    path: &Path<'_>,
) -> Result<()> {
    let found = value
        .as_document()
        .and_then(shape)
        .filter(|(kind, coords)| valid(kind, coords));
    match found {
        Some((kind, coords)) if allowed.contains(&kind) => write_shape(out, kind, coords),
        Some((kind, _)) => Err(error_at(
            path,
            format_args!(
                "a {kind} is not allowed here (expected {})",
                allowed.join(" or ")
            ),
        )),
        None => Err(error_at(
            path,
            format_args!(
                "expected an exact GeoJSON {} ({{\"type\", \"coordinates\"}} with coordinates in range)",
                allowed.join(" or ")
            ),
        )),
    }
}

/// `(type, coordinates)` of a `{"type": T, "coordinates": [...]}` document with a known type.
fn shape(doc: &Document) -> Option<(&'static str, &[Value])> {
    if doc.len() != 2 {
        return None;
    }
    let (k0, t) = doc.get_index(0)?;
    let (k1, c) = doc.get_index(1)?;
    if k0 != "type" || k1 != "coordinates" {
        return None;
    }
    let kind = GEO_TYPES.iter().find(|k| Some(**k) == t.as_str())?;
    Some((kind, c.as_array()?))
}

fn position(v: &Value) -> Option<(f64, f64)> {
    match v.as_array()? {
        [lng, lat] => {
            let (lng, lat) = (lng.as_f64()?, lat.as_f64()?);
            (lng.abs() <= 180.0 && lat.abs() <= 90.0).then_some((lng, lat))
        }
        _ => None,
    }
}

fn points(v: &Value, min: usize) -> bool {
    v.as_array()
        .is_some_and(|ps| ps.len() >= min && ps.iter().all(|p| position(p).is_some()))
}

fn ring(v: &Value) -> bool {
    points(v, 2) && {
        let ps = v.as_array().unwrap_or_default();
        ps.first().and_then(position) == ps.last().and_then(position)
    }
}

fn polygon(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|rings| !rings.is_empty() && rings.iter().all(ring))
}

fn valid(kind: &str, coords: &[Value]) -> bool {
    let all = |f: fn(&Value) -> bool| !coords.is_empty() && coords.iter().all(f);
    match kind {
        "Point" => position(&Value::Array(coords.to_vec())).is_some(),
        "LineString" => coords.len() >= 2 && coords.iter().all(|p| position(p).is_some()),
        "Polygon" => all(ring),
        "MultiPoint" => all(|p| position(p).is_some()),
        "MultiLineString" => all(|l| points(l, 2)),
        "MultiPolygon" => all(polygon),
        _ => false,
    }
}

fn write_point(out: &mut String, p: &Value) -> Result<()> {
    let root = Path::Root("coordinates");
    let [lng, lat] = p.as_array().unwrap_or_default() else {
        return Ok(());
    };
    out.push_str("db.Geo.Point(");
    write_number(out, lng, &root)?;
    out.push_str(", ");
    write_number(out, lat, &root)?;
    out.push(')');
    Ok(())
}

fn write_list(
    out: &mut String,
    items: &[Value],
    each: fn(&mut String, &Value) -> Result<()>,
) -> Result<()> {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        each(out, item)?;
    }
    out.push(']');
    Ok(())
}

fn write_line(out: &mut String, line: &Value) -> Result<()> {
    out.push_str("db.Geo.LineString(");
    write_list(out, line.as_array().unwrap_or_default(), write_point)?;
    out.push(')');
    Ok(())
}

fn write_polygon(out: &mut String, rings: &Value) -> Result<()> {
    out.push_str("db.Geo.Polygon(");
    write_list(out, rings.as_array().unwrap_or_default(), write_line)?;
    out.push(')');
    Ok(())
}

fn write_shape(out: &mut String, kind: &str, coords: &[Value]) -> Result<()> {
    let whole = Value::Array(coords.to_vec());
    match kind {
        "Point" => write_point(out, &whole),
        "LineString" => write_line(out, &whole),
        "Polygon" => write_polygon(out, &whole),
        _ => {
            let _ = write!(out, "db.Geo.{kind}(");
            let each: fn(&mut String, &Value) -> Result<()> = match kind {
                "MultiPoint" => write_point,
                "MultiLineString" => write_line,
                _ => write_polygon,
            };
            write_list(out, coords, each)?;
            out.push(')');
            Ok(())
        }
    }
}
