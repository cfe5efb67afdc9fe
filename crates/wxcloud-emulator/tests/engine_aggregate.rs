//! Aggregation stages of the emulator's engine: the examples of the official documentation
//! (MongoDB manual and the Cloud Base aggregate reference) give their documented outputs.

use std::collections::HashMap;

use wxcloud::{Document, Value, ejson};
use wxcloud_emulator::engine::{Collections, EngineError, aggregate, compare};

fn doc(text: &str) -> Document {
    ejson::decode_document(text).expect("test document is valid Extended JSON")
}

fn docs(text: &str) -> Vec<Document> {
    match ejson::decode_value(text).expect("valid Extended JSON") {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Document(d) => d,
                other => panic!("not a document: {other:?}"),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

#[derive(Default)]
struct Db(HashMap<String, Vec<Document>>);

impl Collections for Db {
    fn documents(&self, collection: &str) -> Vec<Document> {
        self.0.get(collection).cloned().unwrap_or_default()
    }
}

fn run_in(db: &Db, input: &[Document], pipeline: &str) -> Result<Vec<Document>, EngineError> {
    aggregate(
        &docs(pipeline),
        Box::new(input.iter().cloned()),
        db,
        1_700_000_000_000,
    )
}

fn run(input: &[Document], pipeline: &str) -> Vec<Document> {
    run_in(&Db::default(), input, pipeline).unwrap_or_else(|e| panic!("{pipeline}: {e}"))
}

/// Output order is undefined for `$group`: compare as sorted lists.
fn sorted(mut v: Vec<Document>) -> Vec<Document> {
    v.sort_by(|a, b| compare(&Value::Document(a.clone()), &Value::Document(b.clone())));
    v
}

/// MongoDB manual, `$group`: the `sales` collection (prices as doubles here).
fn sales() -> Vec<Document> {
    docs(
        r#"[
        {"_id": 1, "item": "abc", "price": 10.0, "quantity": 2, "date": {"$date": "2014-03-01T08:00:00Z"}},
        {"_id": 2, "item": "jkl", "price": 20.0, "quantity": 1, "date": {"$date": "2014-03-01T09:00:00Z"}},
        {"_id": 3, "item": "xyz", "price": 5.0, "quantity": 10, "date": {"$date": "2014-03-15T09:00:00Z"}},
        {"_id": 4, "item": "xyz", "price": 5.0, "quantity": 20, "date": {"$date": "2014-04-04T11:21:39.736Z"}},
        {"_id": 5, "item": "abc", "price": 10.0, "quantity": 10, "date": {"$date": "2014-04-04T21:23:13.331Z"}},
        {"_id": 6, "item": "def", "price": 7.5, "quantity": 5, "date": {"$date": "2015-06-04T05:08:13Z"}},
        {"_id": 7, "item": "def", "price": 7.5, "quantity": 10, "date": {"$date": "2015-09-10T08:43:00Z"}},
        {"_id": 8, "item": "abc", "price": 10.0, "quantity": 5, "date": {"$date": "2016-02-06T20:20:13Z"}}
    ]"#,
    )
}

#[test]
fn group_by_item_with_a_sum_and_a_having_filter() {
    let out = run(
        &sales(),
        r#"[{"$group": {"_id": "$item", "totalSaleAmount": {"$sum": {"$multiply": ["$price", "$quantity"]}}}},
            {"$match": {"totalSaleAmount": {"$gte": 100}}}]"#,
    );
    let want = docs(
        r#"[{"_id": "abc", "totalSaleAmount": 170.0}, {"_id": "xyz", "totalSaleAmount": 150.0},
            {"_id": "def", "totalSaleAmount": 112.5}]"#,
    );
    assert_eq!(sorted(out), sorted(want));
}

#[test]
fn group_by_day_with_sum_avg_and_count_sorted() {
    let out = run(
        &sales(),
        r#"[{"$match": {"date": {"$gte": {"$date": "2014-01-01T00:00:00Z"}, "$lt": {"$date": "2015-01-01T00:00:00Z"}}}},
            {"$group": {"_id": {"$dateToString": {"format": "%Y-%m-%d", "date": "$date"}},
                        "totalSaleAmount": {"$sum": {"$multiply": ["$price", "$quantity"]}},
                        "averageQuantity": {"$avg": "$quantity"}, "count": {"$sum": 1}}},
            {"$sort": {"totalSaleAmount": -1}}]"#,
    );
    let want = docs(
        r#"[{"_id": "2014-04-04", "totalSaleAmount": 200.0, "averageQuantity": 15.0, "count": 2},
            {"_id": "2014-03-15", "totalSaleAmount": 50.0, "averageQuantity": 10.0, "count": 1},
            {"_id": "2014-03-01", "totalSaleAmount": 40.0, "averageQuantity": 1.5, "count": 2}]"#,
    );
    assert_eq!(out, want);
}

#[test]
fn group_everything_with_null_id() {
    let out = run(
        &sales(),
        r#"[{"$group": {"_id": null, "totalSaleAmount": {"$sum": {"$multiply": ["$price", "$quantity"]}},
                        "averageQuantity": {"$avg": "$quantity"}, "count": {"$sum": 1}}}]"#,
    );
    assert_eq!(
        out,
        docs(r#"[{"_id": null, "totalSaleAmount": 452.5, "averageQuantity": 7.875, "count": 8}]"#)
    );
}

#[test]
fn lookup_equality_joins_missing_local_fields_to_null_and_missing_foreign_fields() {
    let mut db = Db::default();
    db.0.insert(
        "inventory".into(),
        docs(
            r#"[{"_id": 1, "sku": "almonds", "description": "product 1", "instock": 120},
                {"_id": 2, "sku": "bread", "description": "product 2", "instock": 80},
                {"_id": 3, "sku": "cashews", "description": "product 3", "instock": 60},
                {"_id": 4, "sku": "pecans", "description": "product 4", "instock": 70},
                {"_id": 5, "sku": null, "description": "Incomplete"},
                {"_id": 6}]"#,
        ),
    );
    let orders = docs(
        r#"[{"_id": 1, "item": "almonds", "price": 12, "quantity": 2},
            {"_id": 2, "item": "pecans", "price": 20, "quantity": 1},
            {"_id": 3}]"#,
    );
    let out = run_in(
        &db,
        &orders,
        r#"[{"$lookup": {"from": "inventory", "localField": "item", "foreignField": "sku", "as": "inventory_docs"}}]"#,
    )
    .expect("lookup runs");
    let want = docs(
        r#"[{"_id": 1, "item": "almonds", "price": 12, "quantity": 2,
             "inventory_docs": [{"_id": 1, "sku": "almonds", "description": "product 1", "instock": 120}]},
            {"_id": 2, "item": "pecans", "price": 20, "quantity": 1,
             "inventory_docs": [{"_id": 4, "sku": "pecans", "description": "product 4", "instock": 70}]},
            {"_id": 3, "inventory_docs": [{"_id": 5, "sku": null, "description": "Incomplete"}, {"_id": 6}]}]"#,
    );
    assert_eq!(out, want);
}

#[test]
fn lookup_with_let_and_pipeline() {
    let mut db = Db::default();
    db.0.insert(
        "warehouses".into(),
        docs(
            r#"[{"_id": 1, "stock_item": "almonds", "warehouse": "A", "instock": 120},
                {"_id": 2, "stock_item": "pecans", "warehouse": "A", "instock": 80},
                {"_id": 3, "stock_item": "almonds", "warehouse": "B", "instock": 60},
                {"_id": 4, "stock_item": "cookies", "warehouse": "B", "instock": 40},
                {"_id": 5, "stock_item": "cookies", "warehouse": "A", "instock": 80}]"#,
        ),
    );
    let orders = docs(
        r#"[{"_id": 1, "item": "almonds", "price": 12, "ordered": 2},
            {"_id": 2, "item": "pecans", "price": 20, "ordered": 1},
            {"_id": 3, "item": "cookies", "price": 10, "ordered": 60}]"#,
    );
    let out = run_in(
        &db,
        &orders,
        r#"[{"$lookup": {"from": "warehouses", "let": {"order_item": "$item", "order_qty": "$ordered"},
             "pipeline": [{"$match": {"$expr": {"$and": [{"$eq": ["$stock_item", "$$order_item"]},
                                                         {"$gte": ["$instock", "$$order_qty"]}]}}},
                          {"$project": {"stock_item": 0, "_id": 0}}],
             "as": "stockdata"}}]"#,
    )
    .expect("lookup runs");
    let want = docs(
        r#"[{"_id": 1, "item": "almonds", "price": 12, "ordered": 2,
             "stockdata": [{"warehouse": "A", "instock": 120}, {"warehouse": "B", "instock": 60}]},
            {"_id": 2, "item": "pecans", "price": 20, "ordered": 1, "stockdata": [{"warehouse": "A", "instock": 80}]},
            {"_id": 3, "item": "cookies", "price": 10, "ordered": 60, "stockdata": [{"warehouse": "A", "instock": 80}]}]"#,
    );
    assert_eq!(out, want);
}

fn inventory2() -> Vec<Document> {
    docs(
        r#"[{"_id": 1, "item": "ABC", "price": 80, "sizes": ["S", "M", "L"]},
            {"_id": 2, "item": "EFG", "price": 120, "sizes": []},
            {"_id": 3, "item": "IJK", "price": 160, "sizes": "M"},
            {"_id": 4, "item": "LMN", "price": 10},
            {"_id": 5, "item": "XYZ", "price": 5.75, "sizes": null}]"#,
    )
}

#[test]
fn unwind_with_array_index() {
    let out = run(
        &inventory2(),
        r#"[{"$unwind": {"path": "$sizes", "includeArrayIndex": "arrayIndex"}}]"#,
    );
    let want = docs(
        r#"[{"_id": 1, "item": "ABC", "price": 80, "sizes": "S", "arrayIndex": {"$numberLong": "0"}},
            {"_id": 1, "item": "ABC", "price": 80, "sizes": "M", "arrayIndex": {"$numberLong": "1"}},
            {"_id": 1, "item": "ABC", "price": 80, "sizes": "L", "arrayIndex": {"$numberLong": "2"}},
            {"_id": 3, "item": "IJK", "price": 160, "sizes": "M", "arrayIndex": null}]"#,
    );
    assert_eq!(out, want);
}

#[test]
fn unwind_preserving_null_and_empty_arrays() {
    let out = run(
        &inventory2(),
        r#"[{"$unwind": {"path": "$sizes", "preserveNullAndEmptyArrays": true}}]"#,
    );
    let want = docs(
        r#"[{"_id": 1, "item": "ABC", "price": 80, "sizes": "S"},
            {"_id": 1, "item": "ABC", "price": 80, "sizes": "M"},
            {"_id": 1, "item": "ABC", "price": 80, "sizes": "L"},
            {"_id": 2, "item": "EFG", "price": 120},
            {"_id": 3, "item": "IJK", "price": 160, "sizes": "M"},
            {"_id": 4, "item": "LMN", "price": 10},
            {"_id": 5, "item": "XYZ", "price": 5.75, "sizes": null}]"#,
    );
    assert_eq!(out, want);
}

/// Cloud Base aggregate reference, `bucket` and `bucketAuto`: the `items` collection.
fn items() -> Vec<Document> {
    docs(
        r#"[{"_id": "1", "price": 10}, {"_id": "2", "price": 50}, {"_id": "3", "price": 20},
             {"_id": "4", "price": 80}, {"_id": "5", "price": 200}]"#,
    )
}

#[test]
fn bucket_with_default_and_outputs() {
    let out = run(
        &items(),
        r#"[{"$bucket": {"groupBy": "$price", "boundaries": [0, 50, 100], "default": "other",
                         "output": {"count": {"$sum": 1}, "ids": {"$push": "$_id"}}}}]"#,
    );
    let want = docs(
        r#"[{"_id": 0, "count": 2, "ids": ["1", "3"]}, {"_id": 50, "count": 2, "ids": ["2", "4"]},
            {"_id": "other", "count": 1, "ids": ["5"]}]"#,
    );
    assert_eq!(out, want);
}

#[test]
fn bucket_auto_cuts_equal_sized_buckets() {
    let out = run(
        &items(),
        r#"[{"$bucketAuto": {"groupBy": "$price", "buckets": 3}}]"#,
    );
    let want = docs(
        r#"[{"_id": {"min": 10, "max": 50}, "count": 2}, {"_id": {"min": 50, "max": 200}, "count": 2},
            {"_id": {"min": 200, "max": 200}, "count": 1}]"#,
    );
    assert_eq!(out, want);
}

#[test]
fn bucket_auto_never_splits_equal_values() {
    let input = docs(r#"[{"v": 1}, {"v": 1}, {"v": 1}, {"v": 2}, {"v": 3}, {"v": 4}]"#);
    let out = run(
        &input,
        r#"[{"$bucketAuto": {"groupBy": "$v", "buckets": 3, "output": {"n": {"$sum": 1}}}}]"#,
    );
    let want = docs(
        r#"[{"_id": {"min": 1, "max": 2}, "n": 3}, {"_id": {"min": 2, "max": 4}, "n": 2},
            {"_id": {"min": 4, "max": 4}, "n": 1}]"#,
    );
    assert_eq!(out, want);
}

#[test]
fn replace_root_with_an_embedded_document() {
    let produce = docs(
        r#"[{"_id": 1, "fruit": ["apples", "oranges"], "in_stock": {"oranges": 20, "apples": 60},
             "on_order": {"oranges": 35, "apples": 75}},
            {"_id": 2, "vegetables": ["beets", "yams"], "in_stock": {"beets": 130, "yams": 200},
             "on_order": {"beets": 90, "yams": 145}}]"#,
    );
    let out = run(&produce, r#"[{"$replaceRoot": {"newRoot": "$in_stock"}}]"#);
    assert_eq!(
        out,
        docs(r#"[{"oranges": 20, "apples": 60}, {"beets": 130, "yams": 200}]"#)
    );
    let err = run_in(
        &Db::default(),
        &produce,
        r#"[{"$replaceRoot": {"newRoot": "$nothing"}}]"#,
    )
    .expect_err("missing root");
    assert!(err.0.contains("must evaluate to an object"), "{err}");
}

#[test]
fn sort_by_count_on_unwound_tags() {
    let passages = docs(
        r#"[{"category": "Web", "tags": ["JavaScript", "C#"]}, {"category": "Web", "tags": ["Go", "C#"]},
            {"category": "Life", "tags": ["Go", "Python", "JavaScript"]}]"#,
    );
    let out = run(&passages, r#"[{"$sortByCount": "$category"}]"#);
    assert_eq!(
        out,
        docs(r#"[{"_id": "Web", "count": 2}, {"_id": "Life", "count": 1}]"#)
    );
    let out = run(
        &passages,
        r#"[{"$unwind": "$tags"}, {"$sortByCount": "$tags"}]"#,
    );
    assert_eq!(out.len(), 4);
    assert_eq!(out[3], doc(r#"{"_id": "Python", "count": 1}"#));
    let top: Vec<Document> = sorted(out[..3].to_vec());
    assert_eq!(
        top,
        sorted(docs(
            r#"[{"_id": "Go", "count": 2}, {"_id": "C#", "count": 2}, {"_id": "JavaScript", "count": 2}]"#
        ))
    );
}

#[test]
fn geo_near_orders_by_distance_in_metres() {
    let places = docs(
        r#"[{"_id": "far", "location": {"type": "Point", "coordinates": [114.0, 23.0]}},
            {"_id": "near", "location": {"type": "Point", "coordinates": [113.01, 23.0]}},
            {"_id": "none"},
            {"_id": "mid", "location": {"type": "Point", "coordinates": [113.5, 23.0]}}]"#,
    );
    let out = run(
        &places,
        r#"[{"$geoNear": {"near": {"type": "Point", "coordinates": [113.0, 23.0]}, "distanceField": "dist",
                          "maxDistance": 60000, "spherical": true}}]"#,
    );
    let ids: Vec<&Value> = out.iter().map(|d| &d["_id"]).collect();
    assert_eq!(ids, [&Value::from("near"), &Value::from("mid")]);
    let d = out[0]["dist"].as_f64().expect("distance is a number");
    // 0.01 degree of longitude at latitude 23 on a 6,378,100 m sphere.
    assert!((d - 1024.7).abs() < 1.0, "{d}");
    let err = run_in(
        &Db::default(),
        &places,
        r#"[{"$limit": 1}, {"$geoNear": {"near": [0, 0], "distanceField": "d"}}]"#,
    )
    .expect_err("geoNear not first");
    assert!(err.0.contains("first stage"));
}

#[test]
fn project_inclusion_exclusion_and_expressions() {
    let input =
        docs(r#"[{"_id": 1, "b": {"x": 1, "y": 2}, "a": 5, "arr": [{"x": 1, "z": 3}, 7]}]"#);
    let out = run(
        &input,
        r#"[{"$project": {"a": 1, "b.y": 1, "arr.x": 1, "twice": {"$multiply": ["$a", 2]}}}]"#,
    );
    assert_eq!(
        out,
        docs(r#"[{"_id": 1, "b": {"y": 2}, "a": 5, "arr": [{"x": 1}], "twice": 10}]"#)
    );
    let out = run(&input, r#"[{"$project": {"b.x": 0, "_id": 0, "arr": 0}}]"#);
    assert_eq!(out, docs(r#"[{"b": {"y": 2}, "a": 5}]"#));
    let err = run_in(
        &Db::default(),
        &input,
        r#"[{"$project": {"a": 1, "b": 0}}]"#,
    )
    .expect_err("mixed");
    assert!(err.0.contains("exclusion"), "{err}");
}

#[test]
fn add_fields_count_skip_limit_sample() {
    let input =
        docs(r#"[{"_id": 1, "a": 1, "s": {"k": 1}}, {"_id": 2, "a": 2}, {"_id": 3, "a": 3}]"#);
    let out = run(
        &input,
        r#"[{"$addFields": {"s.t": "$a", "a": {"$add": ["$a", 10]}}}, {"$skip": 1}, {"$limit": 1}]"#,
    );
    assert_eq!(out, docs(r#"[{"_id": 2, "a": 12, "s": {"t": 2}}]"#));
    let out = run(
        &input,
        r#"[{"$match": {"a": {"$gt": 1}}}, {"$count": "n"}]"#,
    );
    assert_eq!(out, docs(r#"[{"n": 2}]"#));
    assert!(run(&input, r#"[{"$match": {"a": 9}}, {"$count": "n"}]"#).is_empty());
    let out = run(&input, r#"[{"$sample": {"size": 2}}]"#);
    assert_eq!(out.len(), 2);
    assert_ne!(out[0]["_id"], out[1]["_id"]);
}

#[test]
fn accumulators() {
    let input = docs(
        r#"[{"g": 1, "v": 2, "o": {"a": 1}}, {"g": 1, "v": 4, "o": {"b": 2}}, {"g": 1, "v": "x"}, {"g": 1}]"#,
    );
    let out = run(
        &input,
        r#"[{"$group": {"_id": "$g", "sum": {"$sum": "$v"}, "avg": {"$avg": "$v"}, "min": {"$min": "$v"},
                        "max": {"$max": "$v"}, "first": {"$first": "$v"}, "last": {"$last": "$v"},
                        "push": {"$push": "$v"}, "set": {"$addToSet": "$v"}, "pop": {"$stdDevPop": "$v"},
                        "samp": {"$stdDevSamp": "$v"}, "merged": {"$mergeObjects": "$o"}}}]"#,
    );
    let want = docs(
        r#"[{"_id": 1, "sum": 6, "avg": 3.0, "min": 2, "max": "x", "first": 2, "last": null,
             "push": [2, 4, "x"], "set": [2, 4, "x"], "pop": 1.0, "samp": 1.4142135623730951,
             "merged": {"a": 1, "b": 2}}]"#,
    );
    assert_eq!(out, want);
}

#[test]
fn expression_operators() {
    let input = docs(
        r#"[{"s": " Hello World ", "n": -7, "d": {"$date": "2021-03-04T05:06:07.089Z"}, "arr": [3, 1, 2]}]"#,
    );
    let out = run(
        &input,
        r#"[{"$project": {"_id": 0,
            "trim": {"$trim": {"input": "$s"}}, "upper": {"$toUpper": "$s"}, "abs": {"$abs": "$n"},
            "mod": {"$mod": ["$n", 3]}, "year": {"$year": "$d"}, "dow": {"$dayOfWeek": "$d"},
            "fmt": {"$dateToString": {"date": "$d", "format": "%H:%M", "timezone": "+08:00"}},
            "map": {"$map": {"input": "$arr", "as": "x", "in": {"$multiply": ["$$x", 10]}}},
            "filter": {"$filter": {"input": "$arr", "cond": {"$gt": ["$$this", 1]}}},
            "reduce": {"$reduce": {"input": "$arr", "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}},
            "let": {"$let": {"vars": {"t": 2}, "in": {"$pow": ["$$t", 10]}}},
            "cond": {"$cond": [{"$isArray": "$arr"}, "yes", "no"]}, "sw": {"$switch": {"branches": [{"case": false, "then": 1}], "default": 2}},
            "missing": "$nothing", "type": {"$type": "$nothing"}, "size": {"$size": "$arr"},
            "sum": {"$sum": "$arr"}, "set": {"$setUnion": ["$arr", [4, 1]]}, "str": {"$toString": 2.5},
            "ifnull": {"$ifNull": ["$nothing", "dflt"]}, "concat": {"$concat": ["a", "b"]},
            "split": {"$split": ["a,b", ","]}, "sub": {"$substrCP": ["héllo", 1, 3]}, "lit": {"$literal": "$x"}}}]"#,
    );
    let want = doc(
        r#"{"trim": "Hello World", "upper": " HELLO WORLD ", "abs": 7, "mod": -1, "year": 2021, "dow": 5,
            "fmt": "13:06", "map": [30, 10, 20], "filter": [3, 2], "reduce": 6, "let": 1024, "cond": "yes", "sw": 2,
            "type": "missing", "size": 3, "sum": 6, "set": [3, 1, 2, 4], "str": "2.5", "ifnull": "dflt",
            "concat": "ab", "split": ["a", "b"], "sub": "éll", "lit": "$x"}"#,
    );
    assert_eq!(out, vec![want]);
}

#[test]
fn unsupported_stages_and_operators_are_errors_naming_them() {
    let input = docs(r#"[{"a": 1}]"#);
    let err = run_in(&Db::default(), &input, r#"[{"$facet": {}}]"#).expect_err("facet");
    assert!(err.0.contains("$facet"), "{err}");
    let err = run_in(
        &Db::default(),
        &input,
        r#"[{"$project": {"x": {"$fancy": 1}}}]"#,
    )
    .expect_err("op");
    assert!(err.0.contains("$fancy"), "{err}");
    let err = run_in(
        &Db::default(),
        &input,
        r#"[{"$group": {"_id": null, "x": {"$median": "$a"}}}]"#,
    )
    .expect_err("acc");
    assert!(err.0.contains("$median"), "{err}");
}

#[test]
fn date_operators_match_the_date_to_parts_example() {
    // MongoDB manual, $dateToParts: ISODate("2017-01-01T01:29:09.123Z").
    let input = docs(r#"[{"date": {"$date": "2017-01-01T01:29:09.123Z"}}]"#);
    let out = run(
        &input,
        r#"[{"$project": {"_id": 0,
            "parts": {"$dateToParts": {"date": "$date"}},
            "iso": {"$dateToParts": {"date": "$date", "iso8601": true}},
            "week": {"$week": "$date"}, "isoWeek": {"$isoWeek": "$date"}, "doy": {"$dayOfYear": "$date"},
            "local": {"$hour": {"date": "$date", "timezone": "Asia/Shanghai"}},
            "back": {"$dateFromParts": {"year": 2017, "month": 1, "day": 1, "hour": 1, "minute": 29, "second": 9, "millisecond": 123}},
            "carry": {"$dateFromParts": {"year": 2016, "month": 13, "day": 1}},
            "parsed": {"$dateFromString": {"dateString": "2017-01-01T09:29:09.123+08:00"}},
            "text": {"$dateToString": {"date": "$date", "format": "%Y-%m-%d %H:%M:%S.%L %j %u %V"}}}}]"#,
    );
    let want = doc(
        r#"{"parts": {"year": 2017, "month": 1, "day": 1, "hour": 1, "minute": 29, "second": 9, "millisecond": 123},
            "iso": {"isoWeekYear": 2016, "isoWeek": 52, "isoDayOfWeek": 7, "hour": 1, "minute": 29, "second": 9, "millisecond": 123},
            "week": 1, "isoWeek": 52, "doy": 1, "local": 9,
            "back": {"$date": "2017-01-01T01:29:09.123Z"}, "carry": {"$date": "2017-01-01T00:00:00Z"},
            "parsed": {"$date": "2017-01-01T01:29:09.123Z"},
            "text": "2017-01-01 01:29:09.123 001 7 52"}"#,
    );
    assert_eq!(out, vec![want]);
}

#[test]
fn sort_uses_array_extremes_and_puts_missing_with_null() {
    let input = docs(
        r#"[{"_id": 1, "a": [5, 1]}, {"_id": 2, "a": 3}, {"_id": 3}, {"_id": 4, "a": []},
            {"_id": 5, "a": null}, {"_id": 6, "a": "s"}, {"_id": 7, "a": {"b": 9}}]"#,
    );
    let ids = |p: &str| -> Vec<Value> {
        run(&input, p)
            .into_iter()
            .map(|d| d["_id"].clone())
            .collect()
    };
    let v = |xs: &[i32]| -> Vec<Value> { xs.iter().map(|&i| Value::Int32(i)).collect() };
    // Ascending: [] first, then null and missing (in input order), then 1 (min of [5, 1]), 3, "s", {b: 9}.
    assert_eq!(ids(r#"[{"$sort": {"a": 1}}]"#), v(&[4, 3, 5, 1, 2, 6, 7]));
    // Descending uses the largest element: [5, 1] sorts as 5.
    assert_eq!(ids(r#"[{"$sort": {"a": -1}}]"#), v(&[7, 6, 1, 2, 3, 5, 4]));
    // A path through a scalar sorts as missing.
    assert_eq!(
        ids(r#"[{"$sort": {"a.b": -1, "_id": 1}}]"#),
        v(&[7, 1, 2, 3, 4, 5, 6])
    );
    assert_eq!(
        ids(r#"[{"$sort": {"a": 1}}, {"$limit": 3}]"#),
        v(&[4, 3, 5])
    );
}

#[test]
fn streaming_stages_stop_reading_at_the_limit() {
    // An endless input: only stages that stream one document at a time can finish.
    let mut n = 0;
    let endless = std::iter::from_fn(move || {
        n += 1;
        Some(doc(&format!(
            r#"{{"_id": {n}, "tags": ["a", "b"], "keep": {}}}"#,
            n % 2 == 0
        )))
    });
    let out = aggregate(
        &docs(
            r#"[{"$match": {"keep": true}}, {"$project": {"tags": 1}}, {"$addFields": {"x": 1}},
                {"$unwind": "$tags"}, {"$skip": 1}, {"$limit": 3}]"#,
        ),
        Box::new(endless),
        &Db::default(),
        0,
    )
    .expect("streams");
    let want = docs(
        r#"[{"_id": 2, "tags": "b", "x": 1}, {"_id": 4, "tags": "a", "x": 1}, {"_id": 4, "tags": "b", "x": 1}]"#,
    );
    assert_eq!(out, want);
}
