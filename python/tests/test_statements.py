"""`wxcloud.statements` writes the statement a structured call sends, with values as literals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import wxcloud
from wxcloud import statements
from conftest import load_vectors


def test_aggregate_writes_the_seed_sample_statement() -> None:
    text = statements.aggregate("test_collection", [{"$match": {"tags": "cloud"}}, {"$limit": 10}])
    assert text.startswith('db.collection("test_collection").aggregate()')
    assert ".match(" in text and ".limit(10)" in text and text.endswith(".end()")


def test_query_writes_every_clause() -> None:
    text = statements.query(
        "users", where={"age": {"$gt": 5}}, order_by=[("age", "desc")], skip=1, limit=2, fields=["name"]
    )
    for part in ('.where(', 'db.command.gt(5)', '.orderBy("age", "desc")', ".skip(1)", ".limit(2)", ".field(", ".get()"):
        assert part in text


def test_order_by_accepts_numbers_and_a_single_pair() -> None:
    assert statements.query("u", order_by=("a", -1)) == statements.query("u", order_by=[("a", "desc")])


def test_count_add_update_delete() -> None:
    assert statements.count("u", where={"a": 1}).endswith(".count()")
    assert ".add(" in statements.add("u", {"a": 1})
    assert ".add(" in statements.add("u", [{"a": 1}, {"a": 2}])
    assert ".update(" in statements.update("u", {"a": 1}, {"$inc": {"n": 1}})
    assert statements.delete("u", {"a": 1}).endswith(".remove()")


def test_user_values_are_literals_never_code() -> None:
    evil = '"}); db.collection("other").remove(); ({"'
    text = statements.delete("u", {"name": evil})
    prefix, suffix = 'db.collection("u").where(', ").remove()"
    assert text.startswith(prefix) and text.endswith(suffix)
    # The filter is one JSON literal holding the string verbatim: nothing of it runs as code.
    assert json.loads(text[len(prefix) : -len(suffix)]) == {"name": evil}


def test_dates_are_written_as_dates() -> None:
    when = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    assert "new Date(1577836800000)" in statements.count("u", where={"d": when})


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: statements.aggregate("u", [{"$noSuchStage": {}}]), id="unknown stage"),
        pytest.param(lambda: statements.aggregate("u", "not a list"), id="pipeline not a list"),  # type: ignore[arg-type]
        pytest.param(lambda: statements.query("u", order_by=[("a", "sideways")]), id="bad direction"),
        pytest.param(lambda: statements.count("u", where={"d": dt.datetime(2020, 1, 1)}), id="naive datetime"),
    ],
)
def test_what_cannot_be_written_raises_statement_error(call: Any) -> None:
    with pytest.raises(wxcloud.StatementError):
        call()


def statement_cases() -> list[Any]:
    try:
        data = load_vectors("statements.json")
    except pytest.skip.Exception:
        return []
    # Python's structured forms take `where`; cases addressing one record by `doc` have no
    # Python spelling (write the statement instead), so they are left to the Rust suite.
    return [
        pytest.param(c, id=c["name"])
        for c in data["cases"]
        if ("expect" in c or "error" in c)
        and "doc" not in c["input"]
        and "replace" not in c["input"]
        # ObjectIds come to Python as str (the contract), so Python cannot write one back.
        and "$oid" not in json.dumps(c["input"])
    ]


def run_case(case: dict[str, Any]) -> str:
    args = wxcloud.decode_value(json.dumps(case["input"]))
    op, coll = case["op"], case["collection"]
    if op == "query":
        return statements.query(coll, **args)
    if op == "count":
        return statements.count(coll, **args)
    if op == "aggregate":
        return statements.aggregate(coll, args["pipeline"])
    if op == "add":
        return statements.add(coll, args["docs"])
    if op == "update":
        return statements.update(coll, args["where"], args["data"])
    if op == "delete":
        return statements.delete(coll, args["where"])
    pytest.skip(f"op {op} has no structured form in Python")
    raise AssertionError


@pytest.mark.parametrize("case", statement_cases())
def test_shared_statement_vector(case: dict[str, Any]) -> None:
    if case.get("error"):
        with pytest.raises(wxcloud.StatementError) as info:
            run_case(case)
        assert case["error"] in str(info.value)
    else:
        assert run_case(case) == case["expect"]
