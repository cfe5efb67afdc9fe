//! The one operator vocabulary shared by the statement writer and the emulator's parser.
//!
//! The statement language spells MongoDB operators as SDK calls: `db.command.gt(5)` is `$gt`,
//! `db.command.neq(x)` is `$ne`, `db.command.remove()` is `$unset`, a pipeline stage
//! `.match({...})` is `$match`, and `db.command.aggregate.sum("$n")` is `{"$sum": "$n"}`.
//! The tables below follow the official `@cloudbase/database` SDK (v1.4): every name listed here
//! exists on its `db.command` / `db.command.aggregate` objects or its aggregate chain, and maps
//! to the operator it serialises to. Lookups work both ways.

/// The GeoJSON types the SDK has `db.Geo.X` constructors for (`db.Geo.Point(..)`, ...).
pub const GEO_TYPES: &[&str] = &[
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
];

/// Query commands: (`db.command.X` name, MongoDB operator).
///
/// `neq` is `$ne`. `geoNear` serialises as `$nearSphere` (with `$geometry`, `$maxDistance`,
/// `$minDistance`); `$near` and `$nearSphere` both map to it. Logic commands (`and`, `or`, `nor`,
/// `not`) are included.
pub const QUERY_COMMANDS: &[(&str, &str)] = &[
    ("eq", "$eq"),
    ("neq", "$ne"),
    ("lt", "$lt"),
    ("lte", "$lte"),
    ("gt", "$gt"),
    ("gte", "$gte"),
    ("in", "$in"),
    ("nin", "$nin"),
    ("and", "$and"),
    ("or", "$or"),
    ("nor", "$nor"),
    ("not", "$not"),
    ("exists", "$exists"),
    ("size", "$size"),
    ("all", "$all"),
    ("elemMatch", "$elemMatch"),
    ("mod", "$mod"),
    ("geoNear", "$nearSphere"),
    ("geoWithin", "$geoWithin"),
    ("geoIntersects", "$geoIntersects"),
];

/// Update commands: (`db.command.X` name, MongoDB operator).
///
/// `remove` is `$unset`. `shift()` is `$pop: -1` and `unshift(v..)` is
/// `$push: {$each: [v..], $position: 0}` — the operator names here are what the SDK sends, so
/// [`update_command_for`] maps `$pop`/`$push` back to `pop`/`push`, never to `shift`/`unshift`.
pub const UPDATE_COMMANDS: &[(&str, &str)] = &[
    ("set", "$set"),
    ("remove", "$unset"),
    ("inc", "$inc"),
    ("mul", "$mul"),
    ("min", "$min"),
    ("max", "$max"),
    ("rename", "$rename"),
    ("push", "$push"),
    ("pop", "$pop"),
    ("shift", "$pop"),
    ("unshift", "$push"),
    ("addToSet", "$addToSet"),
    ("pull", "$pull"),
    ("pullAll", "$pullAll"),
];

/// The 16 aggregate stages, as chain method names (`.match(..)` is `$match`).
pub const AGGREGATE_STAGES: &[&str] = &[
    "addFields",
    "bucket",
    "bucketAuto",
    "count",
    "geoNear",
    "group",
    "limit",
    "lookup",
    "match",
    "project",
    "replaceRoot",
    "sample",
    "skip",
    "sort",
    "sortByCount",
    "unwind",
];

/// Aggregate expression and accumulator operators: (`db.command.aggregate.X` name, operator).
///
/// Every name is the operator without `$`, except `neq`, which is `$ne`.
pub const AGGREGATE_OPERATORS: &[(&str, &str)] = &[
    // arithmetic
    ("abs", "$abs"),
    ("add", "$add"),
    ("ceil", "$ceil"),
    ("divide", "$divide"),
    ("exp", "$exp"),
    ("floor", "$floor"),
    ("ln", "$ln"),
    ("log", "$log"),
    ("log10", "$log10"),
    ("mod", "$mod"),
    ("multiply", "$multiply"),
    ("pow", "$pow"),
    ("sqrt", "$sqrt"),
    ("subtract", "$subtract"),
    ("trunc", "$trunc"),
    // array
    ("arrayElemAt", "$arrayElemAt"),
    ("arrayToObject", "$arrayToObject"),
    ("concatArrays", "$concatArrays"),
    ("filter", "$filter"),
    ("in", "$in"),
    ("indexOfArray", "$indexOfArray"),
    ("isArray", "$isArray"),
    ("map", "$map"),
    ("range", "$range"),
    ("reduce", "$reduce"),
    ("reverseArray", "$reverseArray"),
    ("size", "$size"),
    ("slice", "$slice"),
    ("zip", "$zip"),
    // boolean
    ("and", "$and"),
    ("not", "$not"),
    ("or", "$or"),
    // comparison
    ("cmp", "$cmp"),
    ("eq", "$eq"),
    ("gt", "$gt"),
    ("gte", "$gte"),
    ("lt", "$lt"),
    ("lte", "$lte"),
    ("neq", "$ne"),
    // conditional
    ("cond", "$cond"),
    ("ifNull", "$ifNull"),
    ("switch", "$switch"),
    // date
    ("dateFromParts", "$dateFromParts"),
    ("dateFromString", "$dateFromString"),
    ("dayOfMonth", "$dayOfMonth"),
    ("dayOfWeek", "$dayOfWeek"),
    ("dayOfYear", "$dayOfYear"),
    ("isoDayOfWeek", "$isoDayOfWeek"),
    ("isoWeek", "$isoWeek"),
    ("isoWeekYear", "$isoWeekYear"),
    ("millisecond", "$millisecond"),
    ("minute", "$minute"),
    ("month", "$month"),
    ("second", "$second"),
    ("hour", "$hour"),
    ("week", "$week"),
    ("year", "$year"),
    // literal, object, variables
    ("literal", "$literal"),
    ("mergeObjects", "$mergeObjects"),
    ("objectToArray", "$objectToArray"),
    ("let", "$let"),
    // set
    ("allElementsTrue", "$allElementsTrue"),
    ("anyElementTrue", "$anyElementTrue"),
    ("setDifference", "$setDifference"),
    ("setEquals", "$setEquals"),
    ("setIntersection", "$setIntersection"),
    ("setIsSubset", "$setIsSubset"),
    ("setUnion", "$setUnion"),
    // string
    ("concat", "$concat"),
    ("dateToString", "$dateToString"),
    ("indexOfBytes", "$indexOfBytes"),
    ("indexOfCP", "$indexOfCP"),
    ("split", "$split"),
    ("strLenBytes", "$strLenBytes"),
    ("strLenCP", "$strLenCP"),
    ("strcasecmp", "$strcasecmp"),
    ("substr", "$substr"),
    ("substrBytes", "$substrBytes"),
    ("substrCP", "$substrCP"),
    ("toLower", "$toLower"),
    ("toUpper", "$toUpper"),
    // text
    ("meta", "$meta"),
    // group accumulators
    ("addToSet", "$addToSet"),
    ("avg", "$avg"),
    ("first", "$first"),
    ("last", "$last"),
    ("max", "$max"),
    ("min", "$min"),
    ("push", "$push"),
    ("stdDevPop", "$stdDevPop"),
    ("stdDevSamp", "$stdDevSamp"),
    ("sum", "$sum"),
];

fn forward(table: &'static [(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|(_, op)| *op)
}

fn backward(table: &'static [(&'static str, &'static str)], op: &str) -> Option<&'static str> {
    table.iter().find(|(_, o)| *o == op).map(|(n, _)| *n)
}

/// The MongoDB operator a `db.command.X` query command means (`"neq"` → `"$ne"`).
pub fn query_operator(command: &str) -> Option<&'static str> {
    forward(QUERY_COMMANDS, command)
}

/// The `db.command.X` query command for a MongoDB operator (`"$ne"` → `"neq"`;
/// `"$near"`/`"$nearSphere"` → `"geoNear"`).
pub fn query_command_for(operator: &str) -> Option<&'static str> {
    match operator {
        "$near" => Some("geoNear"),
        _ => backward(QUERY_COMMANDS, operator),
    }
}

/// The MongoDB operator a `db.command.X` update command sends (`"remove"` → `"$unset"`,
/// `"shift"` → `"$pop"`, `"unshift"` → `"$push"`).
pub fn update_operator(command: &str) -> Option<&'static str> {
    forward(UPDATE_COMMANDS, command)
}

/// The `db.command.X` update command for a MongoDB update operator (`"$unset"` → `"remove"`).
pub fn update_command_for(operator: &str) -> Option<&'static str> {
    backward(UPDATE_COMMANDS, operator)
}

/// Whether `name` is one of the 16 aggregate stage methods (`"match"`, `"group"`, ...).
pub fn is_stage(name: &str) -> bool {
    AGGREGATE_STAGES.contains(&name)
}

/// The MongoDB stage operator for a chain method (`"match"` → `"$match"`).
pub fn stage_operator(method: &str) -> Option<&'static str> {
    const OPS: &[&str] = &[
        "$addFields",
        "$bucket",
        "$bucketAuto",
        "$count",
        "$geoNear",
        "$group",
        "$limit",
        "$lookup",
        "$match",
        "$project",
        "$replaceRoot",
        "$sample",
        "$skip",
        "$sort",
        "$sortByCount",
        "$unwind",
    ];
    AGGREGATE_STAGES
        .iter()
        .position(|s| *s == method)
        .map(|i| OPS[i])
}

/// The chain method for a MongoDB stage operator (`"$match"` → `"match"`).
pub fn stage_method_for(operator: &str) -> Option<&'static str> {
    let name = operator.strip_prefix('$')?;
    AGGREGATE_STAGES.iter().find(|s| **s == name).copied()
}

/// The MongoDB operator a `db.command.aggregate.X` call builds (`"sum"` → `"$sum"`,
/// `"neq"` → `"$ne"`).
pub fn aggregate_operator(name: &str) -> Option<&'static str> {
    forward(AGGREGATE_OPERATORS, name)
}

/// The `db.command.aggregate.X` name for a MongoDB expression operator (`"$ne"` → `"neq"`).
pub fn aggregate_name_for(operator: &str) -> Option<&'static str> {
    backward(AGGREGATE_OPERATORS, operator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_go_both_ways() {
        assert_eq!(query_operator("neq"), Some("$ne"));
        assert_eq!(query_command_for("$ne"), Some("neq"));
        assert_eq!(update_operator("remove"), Some("$unset"));
        assert_eq!(update_command_for("$unset"), Some("remove"));
        assert_eq!(update_command_for("$pop"), Some("pop"));
        assert_eq!(update_command_for("$push"), Some("push"));
        assert_eq!(aggregate_operator("neq"), Some("$ne"));
        assert_eq!(aggregate_name_for("$ne"), Some("neq"));
        assert_eq!(stage_operator("sortByCount"), Some("$sortByCount"));
        assert_eq!(stage_method_for("$replaceRoot"), Some("replaceRoot"));
    }

    #[test]
    fn tables_have_the_documented_sizes_and_no_duplicate_names() {
        assert_eq!(AGGREGATE_STAGES.len(), 16);
        assert!(AGGREGATE_OPERATORS.len() >= 85);
        for table in [QUERY_COMMANDS, UPDATE_COMMANDS, AGGREGATE_OPERATORS] {
            for (i, (n, _)) in table.iter().enumerate() {
                assert!(table[i + 1..].iter().all(|(m, _)| m != n), "duplicate {n}");
            }
        }
        for stage in AGGREGATE_STAGES {
            assert_eq!(
                stage_method_for(stage_operator(stage).unwrap()),
                Some(*stage)
            );
        }
    }

    #[test]
    fn unknown_names_are_none() {
        assert_eq!(query_operator("where"), None);
        assert_eq!(aggregate_operator("toString"), None);
        assert_eq!(stage_method_for("$out"), None);
        assert_eq!(stage_method_for("match"), None);
    }
}
