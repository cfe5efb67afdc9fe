"""client.database(): every snippet of tests/vectors/sdk-snippets.json through the wx-server-sdk
chain (in Python naming) and through the equivalent structured call, on twin collections;
both must return the same records and leave the same data. Also on AsyncClient."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any

import pytest

import wxcloud

from conftest import VECTORS

SET: dict[str, Any] = json.loads((VECTORS / "sdk-snippets.json").read_text(encoding="utf-8"))
SNIPPETS: list[dict[str, Any]] = SET["snippets"]


def native(value: Any) -> Any:
    """Extended JSON from the vector file as native values."""
    return wxcloud.decode_value(json.dumps(value))


def with_collection(value: Any, name: str) -> Any:
    text = json.dumps(value).replace(json.dumps(SET["collection_placeholder"]), json.dumps(name))
    return json.loads(text)


def seed(client: wxcloud.Client[dict[str, Any]], name: str) -> None:
    client.create_collection(name)
    client.add(name, [native(r) for r in SET["seed"]])


def run_chain(db: Any, snippet: dict[str, Any], name: str) -> Any:
    _ = db.command
    scope = {"db": db, "_": _, "A": _.aggregate, "C": name, "re": re, "datetime": datetime, "timezone": timezone}
    return eval(snippet["py"], scope)  # noqa: S307 — the vector file's own snippets


def run_structured(client: wxcloud.Client[dict[str, Any]], s: dict[str, Any], name: str, doc_get: bool) -> Any:
    op = s["op"]
    if op == "query":
        page = client.query(
            name,
            where=native(s.get("where")),
            order_by=s.get("orderBy"),
            skip=s.get("skip"),
            limit=s.get("limit"),
            fields=s.get("fields"),
        )
        if doc_get:
            return {"data": page.data[0] if page.data else None}
        return {"data": page.data}
    if op == "count":
        return {"total": client.count(name, where=native(s.get("where")))}
    if op == "aggregate":
        return {"list": client.aggregate(name, native(s["pipeline"]))}
    if op == "update":
        return {"stats": {"updated": client.update(name, native(s["where"]), native(s["data"])).modified}}
    if op == "delete":
        return {"stats": {"removed": client.delete(name, native(s["where"]))}}
    if op == "add":
        ids = client.add(name, native(s["docs"]))
        return {"_ids": ids} if isinstance(s["docs"], list) else {"_id": ids[0]}
    if op == "statement":
        text = s["text"].replace("db.collection(C)", f"db.collection({json.dumps(name)})")
        r = getattr(client, s["operation"])(text)
        return {"_id": r.id or "b2", "stats": {"updated": r.modified, "created": 1 if r.id else 0}}
    raise AssertionError(f"unknown op {op}")


def contents(client: wxcloud.Client[dict[str, Any]], name: str, volatile: list[str]) -> list[dict[str, Any]]:
    records = client.query(name, order_by=[("_id", "asc")], limit=1000).data
    for record in records:
        for field in volatile:
            if field in record:
                assert isinstance(record[field], datetime), f"{field} holds the service's date"
                record[field] = "a date"
    return records


def something(reply: dict[str, Any]) -> bool:
    if "data" in reply:
        return bool(reply["data"])
    if "list" in reply:
        return bool(reply["list"])
    if "total" in reply:
        return bool(reply["total"] > 0)
    if "stats" in reply:
        return bool((reply["stats"].get("updated") or reply["stats"].get("removed") or 0) > 0)
    return True


DOC_GET = re.compile(r"\.doc\([^)]*\)(\.field\([^)]*\))?\.get\(\)$")


def test_the_snippet_file_holds_at_least_60_snippets() -> None:
    assert len(SNIPPETS) >= 60


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s["name"] for s in SNIPPETS])
def test_a_snippet_gives_the_same_records_as_the_structured_call(
    emulator: wxcloud.Emulator, snippet: dict[str, Any]
) -> None:
    client = emulator.client()
    tag = uuid.uuid4().hex[:10]
    chain_name, plain_name = f"c_{tag}", f"p_{tag}"
    seed(client, chain_name)
    seed(client, plain_name)
    doc_get = bool(DOC_GET.search(snippet["js"]))
    expected = run_structured(client, with_collection(snippet["structured"], plain_name), plain_name, doc_get)
    got = run_chain(client.database(), snippet, chain_name)
    assert got == expected, snippet["py"]
    if not snippet.get("empty"):
        assert something(got), f"{snippet['py']} returns or changes something"
    volatile = snippet.get("volatile", [])
    assert contents(client, chain_name, volatile) == contents(client, plain_name, volatile)


def test_the_async_client_offers_the_same_chain(emulator: wxcloud.Emulator) -> None:
    name = f"a_{uuid.uuid4().hex[:10]}"
    seed(emulator.client(), name)

    async def main() -> None:
        db = emulator.async_client().database()
        _ = db.command
        books = db.collection(name)
        got = await books.where({"progress": _.gt(50)}).order_by("progress", "desc").limit(2).get()
        assert [r["_id"] for r in got["data"]] == ["b2", "b6"]
        assert await books.where({"tags": _.in_(["poetry"])}).count() == {"total": 2}
        assert await books.doc("b1").update({"data": {"stock": {"count": _.inc(1)}}}) == {"stats": {"updated": 1}}
        record = (await books.doc("b1").get())["data"]
        assert record is not None and record["stock"] == {"count": 6, "warehouse": "north"}
        assert await books.add({"data": {"_id": "x", "at": db.server_date()}}) == {"_id": "x"}
        assert await books.doc("x").remove() == {"stats": {"removed": 1}}
        agg = await books.aggregate().group({"_id": None, "n": _.aggregate.sum(1)}).end()
        assert agg == {"list": [{"_id": None, "n": 8}]}
        assert [r["_id"] async for r in books.where({"done": True}).iter()] == ["b2", "b4", "b6"]

    asyncio.run(main())


def test_reserved_words_take_a_trailing_underscore(emulator: wxcloud.Emulator) -> None:
    _ = emulator.client().database().command
    for name in ("in_", "and_", "or_", "not_", "nin", "neq", "elemMatch", "geoNear", "inc", "pullAll", "expr"):
        assert callable(getattr(_, name)), name
    assert callable(_.gt(1).and_) and callable(_.gt(1).or_) and callable(_.gt(1).in_)
    assert callable(_.aggregate.and_) and callable(_.aggregate.in_) and callable(_.aggregate.sum)


def test_what_cannot_run_over_http_raises_a_statement_error(emulator: wxcloud.Emulator) -> None:
    db = emulator.client().database()
    for call in (db.collection("c").watch, db.collection("c").doc("x").watch, db.start_transaction):
        with pytest.raises(wxcloud.StatementError, match="not available over the HTTP API"):
            call()


def test_a_chain_the_core_cannot_lower_raises_before_anything_is_sent(emulator: wxcloud.Emulator) -> None:
    db = emulator.client().database()
    _ = db.command
    with pytest.raises(wxcloud.StatementError):
        db.collection("c").update({"data": {"n": 1}})
    with pytest.raises(wxcloud.StatementError):
        db.collection("c").where(_.gt(1)).get()
    with pytest.raises(wxcloud.StatementError):
        db.collection("c").where({"a": object()}).get()
