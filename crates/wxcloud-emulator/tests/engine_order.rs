//! Properties of the engine's BSON ordering: a total order, and group/set keys that hash alike
//! exactly when MongoDB calls the values equal.

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use proptest::prelude::*;
use wxcloud::{Document, Value};
use wxcloud_emulator::engine::compare;
use wxcloud_emulator::engine::order::Key;
use wxcloud_emulator::engine::sort::SortKeys;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::MinKey),
        Just(Value::MaxKey),
        any::<bool>().prop_map(Value::Bool),
        (-3i32..3).prop_map(Value::Int32),
        (-3i64..3).prop_map(Value::Int64),
        prop_oneof![
            Just(0.5),
            Just(-0.0),
            Just(1.0),
            Just(2.0),
            Just(f64::NAN),
            Just(f64::INFINITY)
        ]
        .prop_map(Value::Double),
        prop_oneof![Just("1"), Just("2.0"), Just("NaN")].prop_map(|s| Value::Decimal128(s.into())),
        prop_oneof![Just(""), Just("a"), Just("b"), Just("ab")].prop_map(Value::from),
        (0i64..3).prop_map(Value::Date),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((prop_oneof![Just("a"), Just("b")], inner), 0..3).prop_map(
                |kv| {
                    Value::Document(
                        kv.into_iter()
                            .map(|(k, v)| (k.to_owned(), v))
                            .collect::<Document>(),
                    )
                }
            ),
        ]
    })
}

fn hash(v: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    Key(v.clone()).hash(&mut h);
    h.finish()
}

proptest! {
    #[test]
    fn compare_is_a_total_order(a in value(), b in value(), c in value()) {
        prop_assert_eq!(compare(&a, &a), Ordering::Equal);
        prop_assert_eq!(compare(&a, &b), compare(&b, &a).reverse());
        if compare(&a, &b) != Ordering::Greater && compare(&b, &c) != Ordering::Greater {
            prop_assert_ne!(compare(&a, &c), Ordering::Greater, "{:?} <= {:?} <= {:?}", a, b, c);
        }
    }

    /// `$sort` then `$limit` keeps a bounded set while it reads; what it keeps must be what a
    /// stable sort of everything, cut to the limit, gives: same documents, same order of ties.
    #[test]
    fn sort_then_limit_is_the_stable_sort_cut_short(values in prop::collection::vec(value(), 0..40), k in 1usize..12, desc in any::<bool>()) {
        let docs: Vec<Document> = values.into_iter().enumerate().map(|(i, v)| {
            [("v".to_owned(), v), ("i".to_owned(), Value::Int32(i as i32))].into_iter().collect()
        }).collect();
        let spec: Document = [("v".to_owned(), Value::Int32(if desc { -1 } else { 1 }))].into_iter().collect();
        let keys = SortKeys::compile(&spec).unwrap();
        let mut sorted = docs.clone();
        keys.sort(&mut sorted);
        sorted.truncate(k);
        let top = keys.top_k(docs.into_iter().map(Ok::<_, ()>), k, |d| d).unwrap();
        let order = |docs: &[Document]| docs.iter().map(|d| d["i"].clone()).collect::<Vec<_>>();
        prop_assert_eq!(order(&top), order(&sorted));
    }

    #[test]
    fn equal_values_hash_alike(a in value(), b in value()) {
        if compare(&a, &b) == Ordering::Equal {
            prop_assert_eq!(hash(&a), hash(&b), "{:?} == {:?}", a, b);
        }
    }
}

#[test]
fn numbers_of_every_width_compare_by_value() {
    let two = [
        Value::Int32(2),
        Value::Int64(2),
        Value::Double(2.0),
        Value::Decimal128("2".into()),
    ];
    for a in &two {
        for b in &two {
            assert_eq!(compare(a, b), Ordering::Equal, "{a:?} vs {b:?}");
            assert_eq!(hash(a), hash(b));
        }
    }
    assert_eq!(
        compare(&Value::Double(f64::NAN), &Value::Int32(i32::MIN)),
        Ordering::Less
    );
    assert_eq!(
        compare(
            &Value::Int64(9_007_199_254_740_993),
            &Value::Double(9_007_199_254_740_992.0)
        ),
        Ordering::Greater
    );
    assert_eq!(compare(&Value::Null, &Value::Int32(0)), Ordering::Less);
    assert_eq!(
        compare(&Value::from("a"), &Value::Document(Document::new())),
        Ordering::Less
    );
    assert_eq!(compare(&Value::Bool(true), &Value::Date(0)), Ordering::Less);
}
