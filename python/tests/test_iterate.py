"""client.iter_query(): every record a query matches, paged by key, on Client and AsyncClient."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import pytest

import wxcloud

from conftest import Hooks

RECORDS = 2500


def seeded(client: wxcloud.Client[dict[str, Any]]) -> str:
    name = "walk_" + uuid.uuid4().hex[:10]
    client.create_collection(name)
    docs = [{"_id": f"orig-{n:05}", "n": n} for n in range(RECORDS)]
    for i in range(0, RECORDS, 500):
        client.add(name, docs[i : i + 500])
    return name


def change_around(client: wxcloud.Client[dict[str, Any]], name: str, at: int) -> str:
    """Inserts behind (n < 0) and ahead (n > 10000) of the cursor, deletes seen and unseen."""
    client.add(name, [{"_id": f"behind-{at}-{i}", "n": -1 - i - at} for i in range(50)])
    assert client.delete(name, {"n": {"$lt": at // 10}}) > 0
    client.add(name, [{"_id": f"ahead-{at}-{i}", "n": 10_000 + at + i} for i in range(50)])
    gone = 2000 + at // 10
    assert client.delete(name, {"n": gone}) == 1
    return f"orig-{gone:05}"


def check(seen: Counter[str], deleted: list[str]) -> None:
    present = [f"orig-{n:05}" for n in range(150, RECORDS) if f"orig-{n:05}" not in deleted]
    assert len(present) == RECORDS - 150 - 2
    assert all(seen[i] == 1 for i in present), "every record present for the whole walk is seen once"
    assert all(seen[i] == 0 for i in deleted), "records deleted ahead of the cursor are not read"
    assert max(seen.values()) == 1, "no record is repeated"
    assert not [i for i in seen if i.startswith("behind")]
    assert len([i for i in seen if i.startswith("ahead")]) == 100


def test_a_walk_sees_each_record_present_throughout_exactly_once(emulator: wxcloud.Emulator) -> None:
    client = emulator.client()
    name = seeded(client)
    seen: Counter[str] = Counter()
    deleted: list[str] = []
    for i, record in enumerate(client.iter_query(name, order_by=[("n", "asc")]), start=1):
        seen[record["_id"]] += 1
        if i in (500, 1500):
            deleted.append(change_around(client, name, i))
    check(seen, deleted)


def test_an_async_walk_sees_each_record_present_throughout_exactly_once(emulator: wxcloud.Emulator) -> None:
    client = emulator.client()
    name = seeded(client)

    async def main() -> None:
        seen: Counter[str] = Counter()
        deleted: list[str] = []
        i = 0
        async for record in emulator.async_client().iter_query(name, order_by=[("n", "asc")]):
            seen[record["_id"]] += 1
            i += 1
            if i in (500, 1500):
                deleted.append(change_around(client, name, i))
        check(seen, deleted)

    asyncio.run(main())


def test_a_busy_page_is_retried_and_the_walk_completes(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    client = emulator.client()
    name = seeded(client)
    before = hooks.requests("/tcb/databasequery")
    walk = client.iter_query(name, where={"n": {"$gte": 0}}, fields=["n"])
    first = next(walk)
    assert set(first) == {"_id", "n"}
    hooks.fault(path="/tcb/databasequery", errcode=-1, errmsg="system busy")
    assert 1 + sum(1 for _ in walk) == RECORDS
    assert hooks.requests("/tcb/databasequery") - before == 3 + 1, "three pages and one retry"


def test_a_stalled_page_ends_in_a_timeout(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    name = seeded(emulator.client())
    walk = emulator.client(timeout=0.8).iter_query(name)
    next(walk)
    hooks.fault(path="/tcb/databasequery", delay_ms=3000, times=1)
    with pytest.raises(wxcloud.TimeoutError):
        for _ in walk:
            pass


def test_the_chain_iterates_too(emulator: wxcloud.Emulator) -> None:
    client = emulator.client()
    name = seeded(client)
    _ = client.database().command
    walk = client.database().collection(name).where({"n": _.gte(2000)}).order_by("n", "desc").iter(page_size=150)
    assert [r["n"] for r in walk] == list(range(RECORDS - 1, 1999, -1))


def test_bad_walks_raise_before_anything_is_sent(emulator: wxcloud.Emulator) -> None:
    client = emulator.client()
    with pytest.raises(wxcloud.StatementError):
        client.iter_query("c", page_size=0)
    with pytest.raises(wxcloud.StatementError):
        client.database().collection("c").skip(3).iter()
    with pytest.raises(wxcloud.StatementError):
        client.iter_query("c", order_by="n")  # type: ignore[arg-type]
