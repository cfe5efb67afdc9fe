//! Stages that read beyond the current document: `$lookup` (equality and pipeline forms) and
//! `$geoNear`.

use std::collections::HashMap;

use wxcloud::{Document, Value};

use super::reshape::set_path;
use super::{Ctx, Docs};
use crate::engine::EngineError;
use crate::engine::expr::{Expr, Vars};
use crate::engine::filter::Filter;
use crate::engine::geo::{self, Point};
use crate::engine::order::{Key, Num};
use crate::engine::path;

/// `$lookup`.
pub struct Lookup {
    from: String,
    local: Option<Vec<String>>,
    foreign: Option<Vec<String>>,
    lets: Vec<(String, Expr)>,
    pipeline: Option<Vec<Document>>,
    as_field: Vec<String>,
}

/// A `$lookup` with its foreign collection loaded (and indexed for equality matches).
pub struct Prepared {
    spec: Lookup,
    foreign: Vec<Document>,
    index: HashMap<Key, Vec<usize>>,
}

/// Every value a path reaches, array elements spread out, missing read as null.
fn match_values(doc: &Document, p: &[String]) -> Vec<Value> {
    let mut cands = Vec::new();
    path::filter_candidates(doc, p, &mut cands);
    let mut out = Vec::new();
    for c in cands {
        match c {
            None => out.push(Value::Null),
            Some(Value::Array(items)) => {
                if items.is_empty() {
                    out.push(Value::Array(vec![]));
                }
                out.extend(items.iter().cloned());
            }
            Some(v) => out.push(v.clone()),
        }
    }
    out
}

impl Lookup {
    /// Compiles `{from, localField, foreignField, as}` and/or `{from, let, pipeline, as}`.
    pub fn compile(spec: &Document) -> Result<Lookup, EngineError> {
        let s = |k: &str| -> Result<Option<String>, EngineError> {
            match spec.get(k) {
                None => Ok(None),
                Some(Value::String(v)) => Ok(Some(v.clone())),
                Some(_) => Err(EngineError(format!(
                    "$lookup argument '{k}' must be a string"
                ))),
            }
        };
        for k in spec.keys() {
            if !matches!(
                k.as_str(),
                "from" | "localField" | "foreignField" | "as" | "let" | "pipeline"
            ) {
                return Err(EngineError(format!("unknown argument to $lookup: {k}")));
            }
        }
        let from = s("from")?.ok_or_else(|| {
            EngineError("missing 'from' option to $lookup stage specification".into())
        })?;
        let as_field =
            s("as")?.ok_or_else(|| EngineError("must specify 'as' field for a $lookup".into()))?;
        let local = s("localField")?.map(|p| path::split(&p));
        let foreign = s("foreignField")?.map(|p| path::split(&p));
        if local.is_some() != foreign.is_some() {
            return Err(EngineError(
                "$lookup requires both or neither of 'localField' and 'foreignField'".into(),
            ));
        }
        let pipeline = match spec.get("pipeline") {
            None => None,
            Some(Value::Array(stages)) => Some(
                stages
                    .iter()
                    .map(|s| {
                        s.as_document().cloned().ok_or_else(|| {
                            EngineError("$lookup pipeline stages must be objects".into())
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => {
                return Err(EngineError(
                    "$lookup argument 'pipeline' must be an array".into(),
                ));
            }
        };
        if local.is_none() && pipeline.is_none() {
            return Err(EngineError(
                "$lookup requires either 'pipeline' or both 'localField' and 'foreignField'".into(),
            ));
        }
        let lets = match spec.get("let") {
            None => vec![],
            Some(Value::Document(d)) => d
                .iter()
                .map(|(k, v)| Ok((k.clone(), Expr::compile(v)?)))
                .collect::<Result<_, EngineError>>()?,
            Some(_) => {
                return Err(EngineError(
                    "$lookup argument 'let' must be an object".into(),
                ));
            }
        };
        Ok(Lookup {
            from,
            local,
            foreign,
            lets,
            pipeline,
            as_field: path::split(&as_field),
        })
    }

    /// Loads the foreign collection once for the whole stage.
    pub fn prepare(self, ctx: Ctx<'_>) -> Result<Prepared, EngineError> {
        let foreign = ctx.collections.documents(&self.from);
        let mut index: HashMap<Key, Vec<usize>> = HashMap::new();
        if let Some(fp) = &self.foreign {
            for (i, d) in foreign.iter().enumerate() {
                for v in match_values(d, fp) {
                    let slot = index.entry(Key(v)).or_default();
                    if slot.last() != Some(&i) {
                        slot.push(i);
                    }
                }
            }
        }
        Ok(Prepared {
            spec: self,
            foreign,
            index,
        })
    }
}

impl Prepared {
    /// Adds the matching foreign documents to one document.
    pub fn apply(
        &self,
        mut doc: Document,
        ctx: Ctx<'_>,
        vars: &mut Vars,
    ) -> Result<Document, EngineError> {
        let candidates: Vec<usize> = match &self.spec.local {
            Some(lp) => {
                let mut hits: Vec<usize> = match_values(&doc, lp)
                    .into_iter()
                    .flat_map(|v| self.index.get(&Key(v)).cloned().unwrap_or_default())
                    .collect();
                hits.sort_unstable();
                hits.dedup();
                hits
            }
            None => (0..self.foreign.len()).collect(),
        };
        let joined: Vec<Value> = match &self.spec.pipeline {
            None => candidates
                .into_iter()
                .map(|i| Value::Document(self.foreign[i].clone()))
                .collect(),
            Some(stages) => {
                let mut inner = vars.clone();
                for (name, e) in &self.spec.lets {
                    let v = e.eval_value(&doc, vars)?;
                    inner.push(name, v);
                }
                let input: Docs<'_> =
                    Box::new(candidates.into_iter().map(|i| Ok(self.foreign[i].clone())));
                let out = super::run(stages, input, ctx, inner, true)?;
                out.map(|d| d.map(Value::Document))
                    .collect::<Result<_, _>>()?
            }
        };
        set_path(&mut doc, &self.spec.as_field, Value::Array(joined));
        Ok(doc)
    }
}

/// `$geoNear`.
pub struct GeoNear {
    near: Point,
    /// Distances in metres on the sphere (GeoJSON near) or radians (legacy + spherical).
    mode: Mode,
    distance_field: Vec<String>,
    include_locs: Option<Vec<String>>,
    key: Option<Vec<String>>,
    min: Option<f64>,
    max: Option<f64>,
    query: Option<Filter>,
    multiplier: f64,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Metres,
    Radians,
    Planar,
}

impl GeoNear {
    /// Compiles `{near, distanceField, spherical, maxDistance, minDistance, query, includeLocs,
    /// key, distanceMultiplier}`.
    pub fn compile(spec: &Document) -> Result<GeoNear, EngineError> {
        for k in spec.keys() {
            if !matches!(
                k.as_str(),
                "near"
                    | "distanceField"
                    | "spherical"
                    | "maxDistance"
                    | "minDistance"
                    | "query"
                    | "includeLocs"
                    | "key"
                    | "distanceMultiplier"
            ) {
                return Err(EngineError(format!("unknown argument to $geoNear: {k}")));
            }
        }
        let near_v = spec
            .get("near")
            .ok_or_else(|| EngineError("$geoNear requires a 'near' option".into()))?;
        let near = geo::point_of(near_v)
            .ok_or_else(|| EngineError("$geoNear requires 'near' to be a point".into()))?;
        let geojson = near_v.as_document().is_some_and(|d| d.contains_key("type"));
        let spherical = spec
            .get("spherical")
            .is_some_and(crate::engine::expr::truthy);
        let mode = if geojson {
            Mode::Metres
        } else if spherical {
            Mode::Radians
        } else {
            Mode::Planar
        };
        let num = |k: &str| -> Result<Option<f64>, EngineError> {
            match spec.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => Num::of(v)
                    .map(|n| Some(n.as_f64()))
                    .ok_or_else(|| EngineError(format!("$geoNear's {k} must be a number"))),
            }
        };
        let field = |k: &str| -> Result<Option<Vec<String>>, EngineError> {
            match spec.get(k) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(path::split(s))),
                Some(_) => Err(EngineError(format!("$geoNear's {k} must be a string"))),
            }
        };
        Ok(GeoNear {
            near,
            mode,
            distance_field: field("distanceField")?.ok_or_else(|| {
                EngineError("$geoNear requires a 'distanceField' option as a String".into())
            })?,
            include_locs: field("includeLocs")?,
            key: field("key")?,
            min: num("minDistance")?,
            max: num("maxDistance")?,
            query: match spec.get("query") {
                None => None,
                Some(Value::Document(q)) => Some(Filter::compile(q)?),
                Some(_) => return Err(EngineError("$geoNear's query must be an object".into())),
            },
            multiplier: num("distanceMultiplier")?.unwrap_or(1.0),
        })
    }

    fn distance(&self, p: Point) -> f64 {
        match self.mode {
            Mode::Metres => geo::sphere_metres(self.near, p),
            Mode::Radians => geo::sphere_radians(self.near, p),
            Mode::Planar => ((self.near.x - p.x).powi(2) + (self.near.y - p.y).powi(2)).sqrt(),
        }
    }

    /// The location field: `key`, or else the document's first field holding a point of the
    /// query's kind (GeoJSON for a GeoJSON `near`, else a legacy pair).
    fn location<'d>(&self, doc: &'d Document) -> Option<&'d Value> {
        match &self.key {
            Some(k) => path::get(doc, k),
            None => doc.values().find(|v| match v {
                Value::Document(d) if self.mode == Mode::Metres => {
                    d.get("type").and_then(Value::as_str) == Some("Point")
                }
                Value::Array(_) if self.mode != Mode::Metres => geo::point_of(v).is_some(),
                Value::Document(_) if self.mode != Mode::Metres => geo::point_of(v).is_some(),
                _ => false,
            }),
        }
    }

    /// Keeps documents with a location within bounds (and matching `query`), nearest first.
    pub fn run(&self, docs: Docs<'_>, vars: &mut Vars) -> Result<Vec<Document>, EngineError> {
        let mut hits: Vec<(f64, Document)> = Vec::new();
        for d in docs {
            let mut d = d?;
            if let Some(q) = &self.query
                && !q.matches(&d, vars)?
            {
                continue;
            }
            let Some(loc) = self.location(&d).cloned() else {
                continue;
            };
            let Some(p) = geo::point_of(&loc) else {
                continue;
            };
            let dist = self.distance(p);
            if self.min.is_some_and(|m| dist < m) || self.max.is_some_and(|m| dist > m) {
                continue;
            }
            set_path(
                &mut d,
                &self.distance_field,
                Value::Double(dist * self.multiplier),
            );
            if let Some(f) = &self.include_locs {
                set_path(&mut d, f, loc);
            }
            hits.push((dist, d));
        }
        hits.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(hits.into_iter().map(|(_, d)| d).collect())
    }
}
