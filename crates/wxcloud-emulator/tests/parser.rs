//! The statement parser: what each piece of syntax means, its errors, and that no input panics it.

use proptest::prelude::*;
use wxcloud::statement::{Direction, Statement, Target, UpdateSpec};
use wxcloud::{Document, Value};
use wxcloud_emulator::parser::{MAX_DEPTH, ParseError, parse};

fn doc(pairs: &[(&str, Value)]) -> Document {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn filter_of(statement: &str) -> Document {
    match parse(statement, 0).unwrap_or_else(|e| panic!("{statement}: {e}")) {
        Statement::Query(q) => q.filter.unwrap_or_default(),
        Statement::Count { filter, .. } => filter.unwrap_or_default(),
        other => panic!("not a query: {other:?}"),
    }
}

fn where_(filter: &str) -> Document {
    filter_of(&format!("db.collection(\"c\").where({filter}).get()"))
}

#[test]
fn numbers_are_typed_by_value_like_js_bson() {
    let f =
        where_("{a: 1, b: 1.0, c: 1.5, d: 2147483648, e: -2147483648, f: 1e300, g: -0, h: 0x10}");
    assert_eq!(f["a"], Value::Int32(1));
    assert_eq!(f["b"], Value::Int32(1));
    assert_eq!(f["c"], Value::Double(1.5));
    assert_eq!(f["d"], Value::Int64(2_147_483_648));
    assert_eq!(f["e"], Value::Int32(i32::MIN));
    assert_eq!(f["f"], Value::Double(1e300));
    assert_eq!(f["g"], Value::Int32(0), "the SDK's js-bson sends -0 as 0");
    assert_eq!(f["h"], Value::Int32(16));
}

#[test]
fn keys_may_be_unquoted_or_quoted_either_way_and_strings_unescape() {
    let f = where_(
        r#"{plain: 'it\'s', "double": "a\"b", 'single': "\u00e9\n", $dollar_ok: 1, 42: true}"#,
    );
    assert_eq!(f["plain"], Value::from("it's"));
    assert_eq!(f["double"], Value::from("a\"b"));
    assert_eq!(f["single"], Value::from("é\n"));
    assert_eq!(f["42"], Value::Bool(true));
}

#[test]
fn nested_query_objects_become_dot_paths_like_the_sdk() {
    let f = where_("{a: {b: {c: 1}}, d: 2}");
    assert_eq!(
        f,
        doc(&[("d", Value::Int32(2)), ("a.b.c", Value::Int32(1))])
    );
}

#[test]
fn commands_with_and_or_chaining_lift_to_top_level_logic() {
    let f = where_("{price: _.gt(10).and(_.lt(20)), tag: db.command.neq('x')}");
    let and = Value::Array(vec![
        Value::Document(doc(&[(
            "price",
            Value::Document(doc(&[("$gt", Value::Int32(10))])),
        )])),
        Value::Document(doc(&[(
            "price",
            Value::Document(doc(&[("$lt", Value::Int32(20))])),
        )])),
    ]);
    assert_eq!(f["tag"], Value::Document(doc(&[("$ne", Value::from("x"))])));
    assert_eq!(f["$and"], and);
    let f = where_("_.or([{a: 1}, {b: _.in([1, 2])}])");
    assert_eq!(f.keys().collect::<Vec<_>>(), ["$or"]);
}

#[test]
fn regex_literals_db_regexp_dates_and_geo_are_values() {
    let f = where_(
        r#"{a: /ab+c/i, b: db.RegExp({regexp: "x.*", options: "m"}), c: new Date("2020-01-02T03:04:05.678Z"), d: new Date(5), e: db.Geo.Point(113, 23)}"#,
    );
    assert_eq!(
        f["a"],
        Value::Regex {
            pattern: "ab+c".into(),
            options: "i".into()
        }
    );
    assert_eq!(
        f["b"],
        Value::Regex {
            pattern: "x.*".into(),
            options: "m".into()
        }
    );
    assert_eq!(f["c"], Value::Date(1_577_934_245_678));
    assert_eq!(f["d"], Value::Date(5));
    let point = doc(&[
        ("type", Value::from("Point")),
        (
            "coordinates",
            Value::Array(vec![Value::Int32(113), Value::Int32(23)]),
        ),
    ]);
    assert_eq!(f["e"], Value::Document(point));
}

#[test]
fn declarations_bind_names_for_the_statement() {
    let s = "const Point = db.Geo.Point; const _ = db.command;\nlet lim = 3;\ndb.collection('geo').where({loc: _.geoNear({geometry: Point(1, 2), maxDistance: 10})}).limit(lim).get()";
    let Statement::Query(q) = parse(s, 0).unwrap() else {
        panic!()
    };
    assert_eq!(q.limit, Some(3));
    let near = q.filter.unwrap()["loc"].as_document().unwrap()["$nearSphere"].clone();
    assert_eq!(
        near.as_document().unwrap()["$maxDistance"],
        Value::Int32(10)
    );
}

#[test]
fn update_data_gathers_plain_fields_into_set() {
    let s = "db.collection('c').where({a: 1}).update({data: {b: 2, n: _.inc(1), o: {p: _.remove()}, q: _.push(1, 2)}})";
    let Statement::Update {
        target: Target::Where(_),
        update: UpdateSpec::Operators(u),
        ..
    } = parse(s, 0).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        u.keys().collect::<Vec<_>>(),
        ["$set", "$inc", "$push", "$unset"],
        "dot paths come after the other fields, as in the SDK"
    );
    assert_eq!(
        u["$unset"],
        Value::Document(doc(&[("o.p", Value::from(""))]))
    );
}

#[test]
fn doc_set_is_a_replacement_and_server_date_a_marker() {
    let s = "db.collection('c').doc('x').set({data: {at: db.serverDate({offset: 1000})}})";
    let Statement::Update {
        target: Target::Doc(id),
        update: UpdateSpec::Replace(d),
        ..
    } = parse(s, 0).unwrap()
    else {
        panic!()
    };
    assert_eq!(id, Value::from("x"));
    assert_eq!(
        d["at"],
        Value::Document(doc(&[(
            "$serverDate",
            Value::Document(doc(&[("offset", Value::Int32(1000))]))
        )]))
    );
}

#[test]
fn aggregate_chains_become_stages_with_aggregate_operators() {
    let s = "db.collection('c').aggregate().match({a: _.gte(1)}).group({_id: '$k', n: $.sum(1), avg: db.command.aggregate.avg('$v')}).sort({n: -1}).skip(1).limit(2).count('total').end()";
    let Statement::Aggregate { stages, .. } = parse(s, 0).unwrap() else {
        panic!()
    };
    let names: Vec<&String> = stages.iter().map(|s| s.keys().next().unwrap()).collect();
    assert_eq!(
        names,
        ["$match", "$group", "$sort", "$skip", "$limit", "$count"]
    );
    let group = stages[1]["$group"].as_document().unwrap();
    assert_eq!(
        group["n"],
        Value::Document(doc(&[("$sum", Value::Int32(1))]))
    );
}

#[test]
fn order_by_keeps_the_order_of_fields() {
    let Statement::Query(q) = parse(
        "db.collection('c').orderBy('a', 'asc').orderBy('b', 'desc').get()",
        0,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(
        q.order_by,
        [
            ("a".to_owned(), Direction::Asc),
            ("b".to_owned(), Direction::Desc)
        ]
    );
}

fn error(statement: &str) -> ParseError {
    parse(statement, 0).expect_err(statement)
}

#[test]
fn errors_say_where() {
    let e = error("db.collection('c')\n  .where({a: 1,, b: 2})\n  .get()");
    assert_eq!((e.line, e.column), (2, 16), "{e}");
    let e = error("db.collection('c').whatever().get()");
    assert_eq!((e.line, e.column), (1, 20), "{e}");
    assert!(
        error("db.collection('c').where({a: 1})")
            .message
            .contains("does not end")
    );
    assert!(
        error("db.collection('c').get().get()")
            .message
            .contains("nothing may follow")
    );
    assert!(
        error("require('fs')")
            .message
            .contains("require is not defined")
    );
    assert!(
        error("db.collection('c').where({a: _.frobnicate(1)}).get()")
            .message
            .contains("frobnicate")
    );
    assert!(
        error("db.collection('c').where({a: 'unterminated}).get()")
            .message
            .contains("unterminated string")
    );
}

#[test]
fn nesting_and_length_are_limited() {
    let deep = format!(
        "db.collection('c').where({}{}).get()",
        "{a:".repeat(MAX_DEPTH as usize + 5),
        "}".repeat(MAX_DEPTH as usize + 5)
    );
    assert!(error(&deep).message.contains("nesting"));
    let long = format!(
        "db.collection('c').where({{a: '{}'}}).get()",
        "x".repeat(wxcloud_emulator::parser::MAX_LEN)
    );
    assert!(error(&long).message.contains("longer"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse(&text, 0);
    }

    #[test]
    fn statement_shaped_text_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("db"), Just("."), Just("collection"), Just("("), Just(")"), Just("'c'"), Just("where"), Just("{"),
        Just("}"), Just("["), Just("]"), Just(":"), Just(","), Just("a"), Just("_"), Just("$"), Just("gt"),
        Just("and"), Just("1"), Just("-"), Just("/x/g"), Just("new"), Just("Date"), Just("get"), Just("aggregate"),
        Just("end"), Just("const"), Just("="), Just(";"), Just("command"), Just("Geo"), Just("Point"), Just("update"),
        Just("data"), Just("\"s\\u00e9\""), Just("1e400"), Just("serverDate"), Just("RegExp"),
    ], 0..60)) {
        let _ = parse(&parts.concat(), 0);
        let _ = parse(&parts.join(" "), 0);
    }
}

#[test]
fn an_error_deep_inside_an_argument_points_at_its_call() {
    let e = error("db.collection('c')\n  .where({$and: 5})\n  .get()");
    assert_eq!((e.line, e.column), (2, 4), "{e}");
    let e = error("db.collection('c').add({data: {a: db}})");
    assert!(e.line == 1 && e.column > 1, "{e}");
}
