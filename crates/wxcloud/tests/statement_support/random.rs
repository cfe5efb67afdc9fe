//! A seeded generator of random, expressible statements with hostile strings everywhere a user
//! value can go: filters, update documents, documents to add, and pipelines.

use wxcloud::statement::{Add, Aggregate, Count, Delete, Direction, Query, Statement, Update};
use wxcloud::{Document, Value};

/// SplitMix64: small, seedable, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Strings that would break a statement spliced as code.
const HOSTILE: &[&str] = &[
    "\"",
    "\\",
    "\"); db.collection(\"admin\").remove(); (\"",
    "'); db.collection('x').get(); ('",
    "\u{2028}",
    "\u{2029}",
    "😀",
    "\u{0}",
    "a\nb\r\tc",
    "`${db}`",
    "</script><!--",
    "\\u0022",
    "}]}); db.collection(\"x\").remove({",
    "/* */ //",
    "ä中文",
    "\u{7f}\u{1b}[0m",
];

fn hostile(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..1 + rng.below(3) {
        if rng.chance(30) {
            let word = *rng.pick(&["name", "x", "tag", "v"]);
            s.push_str(word);
        } else {
            let word = *rng.pick(HOSTILE);
            s.push_str(word);
        }
    }
    s
}

/// A field name: hostile but not an operator (`$`), not `_id`, not `__proto__`.
fn key(rng: &mut Rng) -> String {
    loop {
        let k = if rng.chance(40) {
            (*rng.pick(&["a", "b", "name", "tags", "n", "x.y"])).to_owned()
        } else {
            hostile(rng)
        };
        if !k.starts_with('$') && !k.starts_with("_id") && k != "__proto__" && !k.is_empty() {
            return k;
        }
    }
}

fn string(rng: &mut Rng) -> Value {
    Value::String(hostile(rng))
}

fn number(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => Value::Int32(rng.next() as i32),
        1 => Value::Int32(rng.below(100) as i32 - 50),
        2 => Value::Int64((rng.next() % (1 << 52)) as i64 - (1 << 51)),
        3 => Value::Double((rng.below(20000) as f64 - 10000.0) / 8.0),
        4 => Value::Double(*rng.pick(&[0.1, -2.5e-7, 1e300, 3.0, -0.0, 123456.789])),
        _ => Value::Int64(rng.below(1000) as i64),
    }
}

fn point(rng: &mut Rng) -> Value {
    let lng = Value::Double((rng.below(36000) as f64 - 18000.0) / 100.0);
    let lat = Value::Int32(rng.below(181) as i32 - 90);
    doc([
        ("type", "Point".into()),
        ("coordinates", Value::Array(vec![lng, lat])),
    ])
}

/// A scalar (no documents or arrays).
fn scalar(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 | 3 => number(rng),
        4 => Value::Date(rng.next() as i64 % 4_000_000_000_000),
        _ => string(rng),
    }
}

/// Any record value, nested up to `depth`. `geo` allows Geo points (data contexts only).
fn value(rng: &mut Rng, depth: usize, geo: bool) -> Value {
    match rng.below(if depth == 0 { 6 } else { 9 }) {
        0 if geo => point(rng),
        1 => Value::Regex {
            pattern: hostile(rng),
            options: (*rng.pick(&["", "i", "ms", "imx"])).to_owned(),
        },
        6 => Value::Array(
            (0..rng.below(3))
                .map(|_| value(rng, depth - 1, geo))
                .collect(),
        ),
        7 | 8 => Value::Document(record(rng, depth - 1, geo)),
        _ => scalar(rng),
    }
}

fn record(rng: &mut Rng, depth: usize, geo: bool) -> Document {
    let mut d = Document::new();
    for _ in 0..1 + rng.below(3) {
        d.insert(key(rng), value(rng, depth, geo));
    }
    d
}

fn doc<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Document(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn condition(rng: &mut Rng) -> Value {
    if rng.chance(30) {
        return value(rng, 1, true);
    }
    if rng.chance(8) {
        return geo_condition(rng);
    }
    let mut ops = Document::new();
    for _ in 0..1 + rng.below(3) {
        let (op, arg) = match rng.below(13) {
            0 => ("$eq", value(rng, 1, true)),
            1 => ("$ne", value(rng, 1, true)),
            2 => ("$gt", scalar(rng)),
            3 => ("$gte", number(rng)),
            4 => ("$lt", scalar(rng)),
            5 => ("$lte", number(rng)),
            6 => (
                "$in",
                Value::Array((0..1 + rng.below(3)).map(|_| scalar(rng)).collect()),
            ),
            7 => (
                "$nin",
                Value::Array((0..1 + rng.below(3)).map(|_| scalar(rng)).collect()),
            ),
            8 => ("$exists", Value::Bool(rng.chance(50))),
            9 => ("$size", Value::Int32(rng.below(5) as i32)),
            10 => ("$all", Value::Array(vec![string(rng)])),
            11 => ("$elemMatch", Value::Document(record(rng, 1, false))),
            _ => ("$not", doc([("$gt", number(rng))])),
        };
        ops.insert(op.to_owned(), arg);
    }
    if rng.chance(15) {
        ops.insert("$regex".into(), string(rng));
        ops.insert("$options".into(), "i".into());
    }
    Value::Document(ops)
}

/// A random filter, with top-level logical operators down to `depth`.
pub fn filter(rng: &mut Rng, depth: usize) -> Document {
    let mut f = Document::new();
    for _ in 0..rng.below(3) + usize::from(depth == 0) {
        f.insert(key(rng), condition(rng));
    }
    if depth > 0 && rng.chance(35) {
        let op = *rng.pick(&["$or", "$and", "$nor"]);
        let subs = (0..1 + rng.below(3))
            .map(|_| Value::Document(filter(rng, depth - 1)))
            .collect();
        f.insert(op.to_owned(), Value::Array(subs));
    }
    if f.is_empty() {
        f.insert(key(rng), scalar(rng));
    }
    f
}

fn update_doc(rng: &mut Rng) -> Document {
    if rng.chance(15) {
        return record(rng, 1, true);
    }
    let mut u = Document::new();
    let mut used = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let field = key(rng);
        if used.contains(&field) {
            continue;
        }
        used.push(field.clone());
        let (op, arg) = match rng.below(12) {
            0 => ("$set", value(rng, 2, true)),
            1 => ("$unset", "".into()),
            2 => ("$inc", number(rng)),
            3 => ("$mul", number(rng)),
            4 => ("$min", scalar(rng)),
            5 => ("$max", scalar(rng)),
            6 => ("$rename", Value::String(key(rng))),
            7 => ("$push", value(rng, 1, true)),
            8 => ("$addToSet", scalar(rng)),
            9 => ("$pull", scalar(rng)),
            10 => ("$pullAll", Value::Array(vec![scalar(rng), scalar(rng)])),
            _ => ("$pop", Value::Int32(if rng.chance(50) { 1 } else { -1 })),
        };
        let fields = u
            .entry(op.to_owned())
            .or_insert_with(|| Value::Document(Document::new()));
        if let Value::Document(fields) = fields {
            fields.insert(field, arg);
        }
    }
    u
}

fn field_ref(rng: &mut Rng) -> Value {
    Value::String(format!("${}", key(rng)))
}

fn expression(rng: &mut Rng, depth: usize) -> Value {
    if depth == 0 {
        return match rng.below(3) {
            0 => field_ref(rng),
            1 => number(rng),
            _ => string(rng),
        };
    }
    let e = |rng: &mut Rng| expression(rng, depth - 1);
    match rng.below(10) {
        0 => doc([("$add", Value::Array(vec![e(rng), e(rng)]))]),
        1 => doc([("$concat", Value::Array(vec![e(rng), string(rng)]))]),
        2 => doc([("$toUpper", e(rng))]),
        3 => doc([(
            "$cond",
            doc([
                ("if", doc([("$gte", Value::Array(vec![e(rng), e(rng)]))])),
                ("then", e(rng)),
                ("else", e(rng)),
            ]),
        )]),
        4 => doc([("$literal", value(rng, 1, false))]),
        5 => doc([("$ifNull", Value::Array(vec![e(rng), e(rng)]))]),
        6 => doc([("$ne", Value::Array(vec![e(rng), e(rng)]))]),
        7 => doc([("$size", field_ref(rng))]),
        8 => Value::Document((0..1 + rng.below(2)).map(|_| (key(rng), e(rng))).collect()),
        _ => e(rng),
    }
}

fn stage(rng: &mut Rng) -> Document {
    let (op, arg) = match rng.below(15) {
        0 | 1 => ("$match", Value::Document(filter(rng, 2))),
        2 => (
            "$project",
            Value::Document(
                (0..1 + rng.below(3))
                    .map(|_| {
                        (
                            key(rng),
                            if rng.chance(40) {
                                Value::Int32(1)
                            } else {
                                expression(rng, 2)
                            },
                        )
                    })
                    .collect(),
            ),
        ),
        3 => {
            let acc = *rng.pick(&[
                "$sum",
                "$avg",
                "$max",
                "$min",
                "$first",
                "$last",
                "$push",
                "$addToSet",
            ]);
            let id = if rng.chance(30) {
                Value::Null
            } else {
                field_ref(rng)
            };
            (
                "$group",
                doc([("_id", id), ("out", doc([(acc, expression(rng, 1))]))]),
            )
        }
        4 => (
            "$sort",
            Value::Document(
                [(key(rng), Value::Int32(if rng.chance(50) { 1 } else { -1 }))]
                    .into_iter()
                    .collect(),
            ),
        ),
        5 => ("$limit", Value::Int32(1 + rng.below(100) as i32)),
        6 => ("$skip", Value::Int64(rng.below(100) as i64)),
        7 => ("$count", Value::String(key(rng))),
        8 => ("$unwind", field_ref(rng)),
        9 => (
            "$addFields",
            Value::Document([(key(rng), expression(rng, 2))].into_iter().collect()),
        ),
        10 => (
            "$sample",
            doc([("size", Value::Int32(1 + rng.below(9) as i32))]),
        ),
        11 => ("$sortByCount", field_ref(rng)),
        12 => (
            "$lookup",
            if rng.chance(50) {
                doc([
                    ("from", string(rng)),
                    ("localField", string(rng)),
                    ("foreignField", string(rng)),
                    ("as", string(rng)),
                ])
            } else {
                let sub = vec![Value::Document(stage(rng)), Value::Document(stage(rng))];
                doc([
                    ("from", string(rng)),
                    ("let", doc([("v", expression(rng, 2))])),
                    ("pipeline", Value::Array(sub)),
                    ("as", string(rng)),
                ])
            },
        ),
        13 => ("$replaceRoot", doc([("newRoot", expression(rng, 1))])),
        _ => (
            "$geoNear",
            doc([
                ("near", point(rng)),
                ("distanceField", string(rng)),
                ("query", Value::Document(filter(rng, 1))),
            ]),
        ),
    };
    [(op.to_owned(), arg)].into_iter().collect()
}

const COLLECTIONS: &[&str] = &["users", "test_collection", "a-b_C9", "x"];

/// One random statement.
pub fn statement(rng: &mut Rng) -> Statement {
    let c = *rng.pick(COLLECTIONS);
    match rng.below(10) {
        0 | 1 => Aggregate::new(c)
            .pipeline((0..1 + rng.below(4)).map(|_| stage(rng)).collect())
            .into(),
        2 | 3 => {
            let mut q = Query::new(c).filter(filter(rng, 2));
            for _ in 0..rng.below(3) {
                q = q.order_by(
                    key(rng)
                        .trim_start_matches(|ch: char| !ch.is_ascii_alphanumeric())
                        .to_owned()
                        + "k",
                    if rng.chance(50) {
                        Direction::Asc
                    } else {
                        Direction::Desc
                    },
                );
            }
            if rng.chance(50) {
                q = q.skip(rng.below(50) as u64);
            }
            if rng.chance(50) {
                q = q.limit(rng.below(2000) as u64);
            }
            if rng.chance(30) {
                q = q.fields(
                    [(key(rng), Value::Bool(true)), (key(rng), Value::Int32(0))]
                        .into_iter()
                        .collect(),
                );
            }
            q.into()
        }
        4 => Count::new(c).filter(filter(rng, 2)).into(),
        5 => Add::new(c)
            .docs(
                (0..1 + rng.below(3))
                    .map(|_| record(rng, 2, true))
                    .collect(),
            )
            .into(),
        6 => Update::new(c, filter(rng, 1), update_doc(rng)).into(),
        7 => Delete::new(c, filter(rng, 1)).into(),
        8 => by_id(rng, c),
        _ => Update::new(c, filter(rng, 1), update_doc(rng)).into(),
    }
}

/// A document id: a hostile string or a number.
fn id(rng: &mut Rng) -> Value {
    if rng.chance(75) {
        string(rng)
    } else {
        Value::Int32(rng.below(1000) as i32)
    }
}

/// A statement on one document: `.doc(id)` get, update, set or remove.
fn by_id(rng: &mut Rng, c: &str) -> Statement {
    match rng.below(4) {
        0 => {
            let mut q = Query::new(c).doc(id(rng));
            if rng.chance(50) {
                q = q.fields([(key(rng), Value::Int32(1))].into_iter().collect());
            }
            q.into()
        }
        1 => Update::doc(c, id(rng), update_doc(rng)).into(),
        2 => Update::replace(c, id(rng), record(rng, 2, true)).into(),
        _ => Delete::doc(c, id(rng)).into(),
    }
}

/// A closed ring around (lng, lat).
fn ring(lng: f64, lat: f64) -> Value {
    let p = |a: f64, b: f64| Value::Array(vec![Value::Double(a), Value::Double(b)]);
    Value::Array(vec![
        p(lng, lat),
        p(lng + 1.5, lat),
        p(lng + 1.5, lat + 1.25),
        p(lng, lat),
    ])
}

/// A geo query operator on a field.
fn geo_condition(rng: &mut Rng) -> Value {
    let lng = (rng.below(300) as f64 - 150.0) / 2.0;
    let lat = (rng.below(160) as f64 - 80.0) / 2.0;
    match rng.below(5) {
        0 => doc([(
            "$near",
            doc([
                ("$geometry", point(rng)),
                ("$maxDistance", Value::Int32(rng.below(5000) as i32)),
            ]),
        )]),
        1 => doc([(
            "$nearSphere",
            doc([
                ("$geometry", point(rng)),
                ("$maxDistance", Value::Double(2500.5)),
                ("$minDistance", Value::Double(0.5)),
            ]),
        )]),
        2 => doc([(
            "$geoWithin",
            doc([(
                "$geometry",
                doc([
                    ("type", "Polygon".into()),
                    ("coordinates", Value::Array(vec![ring(lng, lat)])),
                ]),
            )]),
        )]),
        3 => doc([(
            "$geoWithin",
            doc([(
                "$centerSphere",
                Value::Array(vec![
                    Value::Array(vec![Value::Double(lng), Value::Double(lat)]),
                    Value::Double(0.01),
                ]),
            )]),
        )]),
        _ => doc([(
            "$geoIntersects",
            doc([(
                "$geometry",
                if rng.chance(50) {
                    point(rng)
                } else {
                    doc([
                        ("type", "MultiPolygon".into()),
                        (
                            "coordinates",
                            Value::Array(vec![Value::Array(vec![ring(lng, lat)])]),
                        ),
                    ])
                },
            )]),
        )]),
    }
}
