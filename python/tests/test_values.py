"""Records come back as native Python values, and the same values are accepted as input."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gc
import math
import pickle
import re
import weakref
from typing import Any

import pytest

import wxcloud
from conftest import load_vectors

UTC = dt.timezone.utc


def expected(desc: dict[str, Any]) -> Any:
    """The Python value a vector's typed description stands for."""
    t = desc["$type"]
    if t == "null":
        return None
    if t in ("bool", "string"):
        return desc["value"]
    if t in ("int32", "int64"):
        return int(desc["value"])
    if t == "double":
        return float(desc["value"])
    if t == "decimal128":
        return decimal.Decimal(desc["value"])
    if t == "date":
        ms = int(desc["value"])
        return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=ms)
    if t == "objectId":
        return desc["value"]
    if t == "binary":
        data = base64.b64decode(desc["base64"])
        subtype = int(desc["subType"], 16)
        return data if subtype == 0 else wxcloud.Binary(data, subtype)
    if t == "regex":
        return wxcloud.Regex(desc["pattern"], desc["options"])
    if t == "timestamp":
        return wxcloud.Timestamp(desc["t"], desc["i"])
    if t == "minKey":
        return wxcloud.MinKey()
    if t == "maxKey":
        return wxcloud.MaxKey()
    if t == "array":
        return [expected(d) for d in desc["items"]]
    if t == "document":
        return {k: expected(d) for k, d in desc["entries"]}
    raise AssertionError(f"unknown $type {t}")


def same(a: Any, b: Any) -> bool:
    """Equality that also checks types, key order, NaN and the sign of zero."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a):
            return math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, decimal.Decimal):
        return str(a) == str(b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def ejson_cases() -> list[Any]:
    try:
        data = load_vectors("ejson.json")
    except pytest.skip.Exception:
        return []
    return [pytest.param(v, id=v["name"]) for v in data["vectors"]]


@pytest.mark.parametrize("vector", ejson_cases())
def test_shared_ejson_vector(vector: dict[str, Any]) -> None:
    if vector.get("error"):
        with pytest.raises(wxcloud.DecodeError):
            wxcloud.decode_value(vector["input"])
        return
    try:
        want = expected(vector["expect"])
    except OverflowError:
        # A date outside Python's years 1..9999 cannot be a datetime: wxcloud says so.
        with pytest.raises(wxcloud.DecodeError, match="outside the years"):
            wxcloud.decode_value(vector["input"])
        return
    got = wxcloud.decode_value(vector["input"])
    assert same(got, want), f"{got!r} != {want!r}"


def test_seed_records_decode_with_key_order_and_doubles() -> None:
    records = wxcloud.decode(load_vectors("ejson-seed-records.json"))
    assert len(records) == 4
    first = records[0]
    assert list(first) == ["_id", "location", "done", "description", "due", "tags"]
    assert first["location"]["coordinates"] == [113.0, 23.0]
    assert type(first["location"]["coordinates"][0]) is float
    assert first["done"] is False


def test_decode_one_string_gives_one_dict() -> None:
    assert wxcloud.decode('{"a": {"$numberLong": "9007199254740993"}}') == {"a": 9007199254740993}


def test_decode_rejects_bad_records_with_decode_error() -> None:
    with pytest.raises(wxcloud.DecodeError):
        wxcloud.decode(['{"a": 1}', '{"a": '])
    with pytest.raises(wxcloud.DecodeError):
        wxcloud.decode([b'{"a": 1}'])  # type: ignore[list-item]


def test_dates_are_aware_utc_datetimes_with_milliseconds() -> None:
    got = wxcloud.decode('{"d": {"$date": {"$numberLong": "-1"}}}')["d"]
    assert got == dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
    assert got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)


def test_every_native_type_round_trips_through_extended_json() -> None:
    doc = {
        "s": "текст ✓",
        "i": 7,
        "big": 2**62,
        "neg": -(2**40),
        "f": 1.5,
        "b": True,
        "n": None,
        "dec": decimal.Decimal("1.10"),
        "when": dt.datetime(2020, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        "bytes": b"\x00\xff",
        "bin": wxcloud.Binary(b"\x01", 4),
        "re": wxcloud.Regex("^a.*", "i"),
        "ts": wxcloud.Timestamp(5, 6),
        "min": wxcloud.MinKey(),
        "max": wxcloud.MaxKey(),
        "arr": [1, [2, {"x": 3}]],
        "nested": {"z": 1, "a": 2},
    }
    back = wxcloud.decode(wxcloud.encode(doc))
    assert same(back, doc)
    assert list(back["nested"]) == ["z", "a"]


def test_input_accepts_tuples_bytearray_patterns_and_other_zones() -> None:
    plus8 = dt.timezone(dt.timedelta(hours=8))
    doc = {
        "t": (1, 2),
        "ba": bytearray(b"ab"),
        "p": re.compile("x+", re.I | re.M),
        "local": dt.datetime(2020, 1, 1, 8, tzinfo=plus8),
    }
    back = wxcloud.decode(wxcloud.encode(doc))
    assert back["t"] == [1, 2]
    assert back["ba"] == b"ab"
    assert back["p"] == wxcloud.Regex("x+", "im")
    assert back["local"] == dt.datetime(2020, 1, 1, tzinfo=UTC)


def test_ints_are_int32_when_they_fit_and_int64_otherwise() -> None:
    assert "$numberLong" not in wxcloud.encode({"a": 2**31 - 1})
    assert "$numberLong" in wxcloud.encode({"a": 2**31})
    assert "$numberLong" in wxcloud.encode({"a": -(2**63)})


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(2**63, id="int beyond 64 bits"),
        pytest.param(dt.datetime(2020, 1, 1), id="naive datetime"),
        pytest.param(object(), id="unknown type"),
        pytest.param({1: "non-str key"}, id="non-str key"),
        pytest.param({1, 2}, id="set"),
    ],
)
def test_unwritable_values_raise_statement_error(value: Any) -> None:
    with pytest.raises(wxcloud.StatementError) as info:
        wxcloud.encode({"v": value})
    assert isinstance(info.value, ValueError)


def test_self_referencing_input_is_refused_not_a_crash() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(wxcloud.StatementError):
        wxcloud.encode(loop)


def test_value_classes_pickle_compare_and_hash() -> None:
    for v in (wxcloud.Regex("a", "i"), wxcloud.Timestamp(1, 2), wxcloud.Binary(b"x", 5), wxcloud.MinKey(), wxcloud.MaxKey()):
        assert pickle.loads(pickle.dumps(v)) == v
        assert hash(pickle.loads(pickle.dumps(v))) == hash(v)
    assert wxcloud.Regex("a", "i") != wxcloud.Regex("a", "")
    assert wxcloud.Regex("^ab", "i").compile().match("ABc")


def test_records_of_one_shape_are_separate_dicts_in_their_own_key_order() -> None:
    # Records of six or more fields are built from a template of their shape: each must still be
    # a dict of its own, in its record's key order, whatever was done to the ones before.
    keys = ["z", "a", "m", "b", "y", "c", "x"]
    texts = ['{' + ",".join(f'"{k}": {i * 10 + j}' for j, k in enumerate(keys)) + '}' for i in range(3)]
    first, second, third = wxcloud.decode(texts)
    assert list(first) == keys and list(second) == keys
    assert second == {k: 10 + j for j, k in enumerate(keys)}
    first["z"] = "changed"
    del first["a"]
    first["new"] = 1
    again = wxcloud.decode(texts[0])
    assert list(again) == keys and again["z"] == 0 and "new" not in again
    assert third["z"] == 20 and first is not second is not third
    # The same keys in another order, fewer or more keys, or a key twice: each as written.
    reordered = wxcloud.decode('{' + ",".join(f'"{k}": 1' for k in reversed(keys)) + '}')
    assert list(reordered) == list(reversed(keys))
    shorter = wxcloud.decode('{' + ",".join(f'"{k}": 1' for k in keys[:-1]) + '}')
    assert list(shorter) == keys[:-1]
    twice = wxcloud.decode('{"a": 1, "b": 2, "c": 3, "a": 4, "d": 5, "e": 6, "f": 7}')
    assert twice == {"a": 4, "b": 2, "c": 3, "d": 5, "e": 6, "f": 7} and list(twice)[0] == "a"


def test_short_string_values_decode_equal_whether_cached_or_not() -> None:
    # Repeated short values may come from a cache, unique ones are made afresh: both must be
    # plain equal str values, and a value cached once never stands in for a different one.
    repeated = wxcloud.decode(['{"t": "Point", "u": "cm"}'] * 600)
    assert all(r == {"t": "Point", "u": "cm"} for r in repeated)
    unique = wxcloud.decode([f'{{"t": "p{i}", "u": "Point"}}' for i in range(600)])
    assert [r["t"] for r in unique] == [f"p{i}" for i in range(600)]
    assert {r["u"] for r in unique} == {"Point"}
    assert wxcloud.decode('{"t": "Poinu"}') == {"t": "Poinu"}


def test_decoded_containers_are_seen_by_the_cycle_collector() -> None:
    # Containers are kept from the collector while a call builds them: once it returns, every
    # list and dict holding a container is tracked again, so a cycle made through one is freed.
    texts = ['{"a": [1, [2]], "b": {"c": [3]}, "d": {"e": 1}, "f": 1, "g": 2, "h": 3}'] * 300
    records = wxcloud.decode(texts)
    assert all(gc.is_tracked(r) and gc.is_tracked(r["a"]) and gc.is_tracked(r["b"]) for r in records)
    assert gc.is_tracked(records[-1]["a"][1]) and gc.is_tracked(records[-1]["b"]["c"])

    class Marker:
        pass

    marker = Marker()
    freed = weakref.ref(marker)
    record = records[0]
    record["a"].append(record)
    record["m"] = marker
    del records, record, marker
    gc.collect()
    assert freed() is None
    # A call that fails half way, or replaces a list by a later duplicate key, leaves the
    # collector sound.
    with pytest.raises(wxcloud.DecodeError):
        wxcloud.decode(['{"a": [1]}', '{"a": [2], "b": '])
    twice = wxcloud.decode('{"a": [1], "a": [2], "b": {"c": [3]}}')
    assert twice == {"a": [2], "b": {"c": [3]}} and gc.is_tracked(twice["a"])
    gc.collect()


def test_records_with_more_field_names_than_the_key_cache_holds_keep_every_name() -> None:
    # Thousands of distinct names in one record evict each other from the key cache while the
    # record is still open; names of every length (short, over 16 bytes, over 64) must each
    # still map to their own value, in this record and in the ones after.
    names = [f"k{i}" for i in range(1500)] + [f"field_with_a_longer_name_{i:05d}" for i in range(1500)]
    names += ["x" * 70 + str(i) for i in range(50)]
    text = "{" + ",".join(f'"{n}": {i}' for i, n in enumerate(names)) + "}"
    for _ in range(3):
        record = wxcloud.decode(text)
        assert list(record) == names
        assert all(record[n] == i for i, n in enumerate(names))
    small = wxcloud.decode(['{"k1": "a", "field_with_a_longer_name_00002": "b"}'] * 3)
    assert small[2] == {"k1": "a", "field_with_a_longer_name_00002": "b"}
