//! Geospatial queries on points: `$geoWithin`, `$geoIntersects`, `$near`/`$nearSphere` and the
//! distances `$geoNear` reports. Distances between GeoJSON points are great-circle distances in
//! metres on MongoDB's sphere (radius 6,378,100 m).

use wxcloud::{Document, Value};

use super::EngineError;
use super::order::Num;

/// MongoDB's earth radius for 2dsphere distances, in metres.
pub const EARTH_RADIUS_M: f64 = 6_378_100.0;

/// A point: longitude and latitude (or x and y for legacy coordinate pairs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Longitude (x).
    pub x: f64,
    /// Latitude (y).
    pub y: f64,
}

/// Reads a point from a GeoJSON `Point`, a legacy `[x, y]` pair or a `{x, y}`-style document.
pub fn point_of(v: &Value) -> Option<Point> {
    match v {
        Value::Array(a) if a.len() == 2 => Some(Point {
            x: Num::of(&a[0])?.as_f64(),
            y: Num::of(&a[1])?.as_f64(),
        }),
        Value::Document(d) => {
            if d.get("type").and_then(Value::as_str) == Some("Point") {
                return point_of(d.get("coordinates")?);
            }
            if d.len() == 2 {
                let mut it = d.values();
                let x = Num::of(it.next()?)?.as_f64();
                let y = Num::of(it.next()?)?.as_f64();
                return Some(Point { x, y });
            }
            None
        }
        _ => None,
    }
}

/// Whether a value is a GeoJSON object (has a `type` and `coordinates`).
fn is_geojson(v: &Value) -> bool {
    v.as_document()
        .is_some_and(|d| d.contains_key("type") && d.contains_key("coordinates"))
}

/// The great-circle distance between two lng/lat points, in radians.
pub fn sphere_radians(a: Point, b: Point) -> f64 {
    let (la1, la2) = (a.y.to_radians(), b.y.to_radians());
    let dla = la2 - la1;
    let dlo = (b.x - a.x).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * h.sqrt().min(1.0).asin()
}

/// The great-circle distance between two lng/lat points, in metres.
pub fn sphere_metres(a: Point, b: Point) -> f64 {
    sphere_radians(a, b) * EARTH_RADIUS_M
}

fn planar(a: Point, b: Point) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// A compiled geospatial condition on a field.
#[derive(Clone, Debug)]
pub enum GeoPred {
    /// Inside (or on the edge of) any of these polygons; each polygon is rings, the first the shell.
    Polygons(Vec<Vec<Vec<Point>>>),
    /// Within `radians` of a centre on the sphere (`$centerSphere`).
    CenterSphere(Point, f64),
    /// Within a planar distance of a centre (`$center`).
    Center(Point, f64),
    /// Inside a planar box (`$box`).
    Box(Point, Point),
    /// The same point (`$geoIntersects` with a Point).
    Equals(Point),
    /// On a line (`$geoIntersects` with a LineString).
    Line(Vec<Point>),
    /// Within a distance range of a point (`$near`, `$nearSphere`).
    Near(Near),
}

/// The centre and distance bounds of a `$near`-style query.
#[derive(Clone, Copy, Debug)]
pub struct Near {
    /// The centre.
    pub point: Point,
    /// Distances are metres on the sphere (GeoJSON) rather than planar units.
    pub spherical: bool,
    /// Smallest distance included.
    pub min: Option<f64>,
    /// Largest distance included.
    pub max: Option<f64>,
}

impl Near {
    /// The distance from the centre to `p`, in this query's unit.
    pub fn distance(&self, p: Point) -> f64 {
        if self.spherical {
            sphere_metres(self.point, p)
        } else {
            planar(self.point, p)
        }
    }
}

impl GeoPred {
    /// Whether the value (a point) satisfies the condition.
    pub fn test(&self, v: &Value) -> bool {
        let Some(p) = point_of(v) else { return false };
        match self {
            GeoPred::Polygons(polys) => polys.iter().any(|rings| in_polygon(p, rings)),
            GeoPred::CenterSphere(c, r) => sphere_radians(*c, p) <= *r,
            GeoPred::Center(c, r) => planar(*c, p) <= *r,
            GeoPred::Box(a, b) => {
                p.x >= a.x.min(b.x)
                    && p.x <= a.x.max(b.x)
                    && p.y >= a.y.min(b.y)
                    && p.y <= a.y.max(b.y)
            }
            GeoPred::Equals(q) => (p.x - q.x).abs() < 1e-12 && (p.y - q.y).abs() < 1e-12,
            GeoPred::Line(pts) => pts.windows(2).any(|w| on_segment(p, w[0], w[1])),
            GeoPred::Near(n) => {
                let d = n.distance(p);
                n.min.is_none_or(|m| d >= m) && n.max.is_none_or(|m| d <= m)
            }
        }
    }
}

fn on_segment(p: Point, a: Point, b: Point) -> bool {
    let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    cross.abs() < 1e-9
        && p.x >= a.x.min(b.x) - 1e-12
        && p.x <= a.x.max(b.x) + 1e-12
        && p.y >= a.y.min(b.y) - 1e-12
        && p.y <= a.y.max(b.y) + 1e-12
}

fn in_ring(p: Point, ring: &[Point]) -> bool {
    if ring.windows(2).any(|w| on_segment(p, w[0], w[1])) {
        return true;
    }
    let mut inside = false;
    let n = ring.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Inside the shell and outside every hole (edges count as inside the shell).
fn in_polygon(p: Point, rings: &[Vec<Point>]) -> bool {
    let Some((shell, holes)) = rings.split_first() else {
        return false;
    };
    in_ring(p, shell)
        && !holes
            .iter()
            .any(|h| in_ring(p, h) && !h.windows(2).any(|w| on_segment(p, w[0], w[1])))
}

fn points(v: &Value) -> Result<Vec<Point>, EngineError> {
    v.as_array()
        .ok_or_else(|| bad("coordinates must be an array"))?
        .iter()
        .map(|c| point_of(c).ok_or_else(|| bad("a coordinate must be [lng, lat]")))
        .collect()
}

fn rings(v: &Value) -> Result<Vec<Vec<Point>>, EngineError> {
    v.as_array()
        .ok_or_else(|| bad("Polygon coordinates must be an array of rings"))?
        .iter()
        .map(points)
        .collect()
}

fn bad(msg: &str) -> EngineError {
    EngineError(format!("invalid geometry: {msg}"))
}

/// Compiles a GeoJSON geometry used by `$geoWithin` / `$geoIntersects`.
fn geometry(g: &Value, intersects: bool) -> Result<GeoPred, EngineError> {
    let d = g
        .as_document()
        .ok_or_else(|| bad("$geometry must be a GeoJSON object"))?;
    let kind = d
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("missing type"))?;
    let coords = d
        .get("coordinates")
        .ok_or_else(|| bad("missing coordinates"))?;
    match kind {
        "Polygon" => Ok(GeoPred::Polygons(vec![rings(coords)?])),
        "MultiPolygon" => Ok(GeoPred::Polygons(
            coords
                .as_array()
                .ok_or_else(|| bad("MultiPolygon coordinates"))?
                .iter()
                .map(rings)
                .collect::<Result<_, _>>()?,
        )),
        "Point" if intersects => Ok(GeoPred::Equals(
            point_of(coords).ok_or_else(|| bad("Point"))?,
        )),
        "LineString" if intersects => Ok(GeoPred::Line(points(coords)?)),
        other => Err(EngineError(format!(
            "unsupported geometry type for this query: {other}"
        ))),
    }
}

fn number(v: Option<&Value>, what: &str) -> Result<Option<f64>, EngineError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(x) => Num::of(x)
            .map(|n| Some(n.as_f64()))
            .ok_or_else(|| bad(&format!("{what} must be a number"))),
    }
}

/// Compiles `$geoWithin`'s argument.
pub fn within(arg: &Value) -> Result<GeoPred, EngineError> {
    let d = arg
        .as_document()
        .ok_or_else(|| bad("$geoWithin needs a document"))?;
    let (op, v) = d
        .iter()
        .next()
        .ok_or_else(|| bad("$geoWithin needs a shape"))?;
    match op.as_str() {
        "$geometry" => geometry(v, false),
        "$centerSphere" | "$center" => {
            let a = v
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| bad("$center needs [centre, radius]"))?;
            let c = point_of(&a[0]).ok_or_else(|| bad("centre"))?;
            let r = number(Some(&a[1]), "radius")?.unwrap_or(0.0);
            Ok(if op == "$center" {
                GeoPred::Center(c, r)
            } else {
                GeoPred::CenterSphere(c, r)
            })
        }
        "$box" => {
            let p = points(v)?;
            if p.len() != 2 {
                return Err(bad("$box needs two corners"));
            }
            Ok(GeoPred::Box(p[0], p[1]))
        }
        "$polygon" => {
            let mut ring = points(v)?;
            if let Some(&f) = ring.first() {
                ring.push(f);
            }
            Ok(GeoPred::Polygons(vec![vec![ring]]))
        }
        other => Err(EngineError(format!("unknown $geoWithin shape: {other}"))),
    }
}

/// Compiles `$geoIntersects`'s argument.
pub fn intersects(arg: &Value) -> Result<GeoPred, EngineError> {
    let d = arg
        .as_document()
        .ok_or_else(|| bad("$geoIntersects needs a document"))?;
    geometry(
        d.get("$geometry")
            .ok_or_else(|| bad("$geoIntersects needs $geometry"))?,
        true,
    )
}

/// Compiles `$near` / `$nearSphere` (with `$maxDistance` / `$minDistance` from the same
/// operator document, `ops`).
pub fn near(op: &str, arg: &Value, ops: &Document) -> Result<Near, EngineError> {
    let (centre, geojson, inner) = match arg {
        Value::Document(d) if d.contains_key("$geometry") => {
            let g = d.get("$geometry").unwrap_or(&Value::Null);
            (
                point_of(g).ok_or_else(|| bad("$near needs a Point"))?,
                true,
                Some(d),
            )
        }
        other => (
            point_of(other).ok_or_else(|| bad("$near needs a point"))?,
            is_geojson(other),
            None,
        ),
    };
    let get = |k: &str| inner.and_then(|d| d.get(k)).or_else(|| ops.get(k));
    let mut min = number(get("$minDistance"), "$minDistance")?;
    let mut max = number(get("$maxDistance"), "$maxDistance")?;
    let spherical = geojson || op == "$nearSphere";
    if spherical && !geojson {
        // Legacy pairs with $nearSphere measure in radians.
        min = min.map(|m| m * EARTH_RADIUS_M);
        max = max.map(|m| m * EARTH_RADIUS_M);
    }
    Ok(Near {
        point: centre,
        spherical,
        min,
        max,
    })
}
