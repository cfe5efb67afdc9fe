"""Every operation, in statement and structured form, through Client and AsyncClient."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any, Callable

import pytest

import wxcloud
from wxcloud import statements

UTC = dt.timezone.utc


class Db:
    """Calls a Client directly, or an AsyncClient through one event loop, with the same code."""

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop | None) -> None:
        self.client, self.loop = client, loop

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)
        if self.loop is None:
            return method  # type: ignore[no-any-return]
        loop = self.loop

        async def call(*a: Any, **k: Any) -> Any:
            return await method(*a, **k)  # AsyncClient methods are called inside a running loop

        return lambda *a, **k: loop.run_until_complete(call(*a, **k))


@pytest.fixture(params=["sync", "async"])
def db(request: pytest.FixtureRequest, emulator: wxcloud.Emulator) -> Iterator[Db]:
    if request.param == "sync":
        yield Db(emulator.client(), None)
        return
    loop = asyncio.new_event_loop()
    try:
        yield Db(emulator.async_client(), loop)
    finally:
        loop.close()


@pytest.fixture
def coll(db: Db) -> Iterator[str]:
    name = "py_" + uuid.uuid4().hex[:10]
    db.create_collection(name)
    yield name
    db.delete_collection(name)


PEOPLE = [
    {"name": "ann", "age": 31, "tags": ["a", "b"]},
    {"name": "bob", "age": 25, "tags": ["b"]},
    {"name": "cid", "age": 40, "tags": []},
]


def test_aggregate_statement_form_returns_the_seed_records(db: Db) -> None:
    records = db.aggregate('db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()')
    assert len(records) == 4
    assert all(r["location"]["coordinates"] == [113.0, 23.0] for r in records)


def test_add_one_and_many_return_ids(db: Db, coll: str) -> None:
    one = db.add(coll, {"name": "solo"})
    many = db.add(coll, PEOPLE)
    assert len(one) == 1 and len(many) == 3 and len(set(one + many)) == 4
    assert db.count(coll) == 4


def test_native_values_survive_a_write_and_a_read(db: Db, coll: str) -> None:
    doc = {
        "when": dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC),
        "big": 2**40 + 1,  # int64 (statements are JavaScript: writes stay within 2**53)
        "ratio": 0.25,
        "nested": {"z": 1, "a": [1, "x", None]},
    }
    [new_id] = db.add(coll, doc)
    [back] = db.query(coll, where={"_id": new_id}).data
    assert back["_id"] == new_id
    for key, value in doc.items():
        assert back[key] == value and type(back[key]) is type(value)
    assert list(back["nested"]) == ["z", "a"]


def test_query_structured_form_filters_sorts_pages_and_projects(db: Db, coll: str) -> None:
    db.add(coll, PEOPLE)
    page = db.query(coll, where={"age": {"$gte": 25}}, order_by=[("age", "desc")], skip=1, limit=1, fields=["name"])
    assert [r["name"] for r in page.data] == ["ann"]
    assert "age" not in page.data[0]
    assert page.total == 3 and page.offset == 1 and page.limit == 1
    assert len(page) == 1 and [r["name"] for r in page] == ["ann"]


def test_query_statement_form(db: Db, coll: str) -> None:
    db.add(coll, PEOPLE)
    result = db.query(statements.query(coll, where={"name": "bob"}))
    assert [r["age"] for r in result.data] == [25]


def test_count_with_and_without_filter(db: Db, coll: str) -> None:
    db.add(coll, PEOPLE)
    assert db.count(coll) == 3
    assert db.count(coll, where={"tags": "b"}) == 2
    assert db.count(statements.count(coll, where={"age": {"$lt": 30}})) == 1


def test_aggregate_structured_form_groups(db: Db, coll: str) -> None:
    db.add(coll, PEOPLE)
    out = db.aggregate(coll, [{"$match": {"age": {"$gt": 20}}}, {"$group": {"_id": None, "n": {"$sum": 1}}}])
    assert out == [{"_id": None, "n": 3}]


def test_update_structured_and_statement_forms(db: Db, coll: str) -> None:
    db.add(coll, PEOPLE)
    r = db.update(coll, {"name": "bob"}, {"$inc": {"age": 1}})
    assert (r.matched, r.modified, r.id) == (1, 1, None)
    assert db.query(coll, where={"name": "bob"}).data[0]["age"] == 26
    r2 = db.update(statements.update(coll, {"age": {"$gt": 30}}, {"$set": {"senior": True}}))
    assert r2.matched == 2
    assert db.count(coll, where={"senior": True}) == 2


def test_delete_structured_and_statement_forms(db: Db, coll: str) -> None:
    db.add(coll, PEOPLE)
    assert db.delete(coll, {"name": "cid"}) == 1
    assert db.delete(statements.delete(coll, {"age": {"$lt": 100}})) == 2
    assert db.count(coll) == 0


def test_collections_are_created_listed_and_deleted(db: Db) -> None:
    name = "py_" + uuid.uuid4().hex[:10]
    db.create_collection(name)
    listed = db.list_collections(limit=1000)
    assert name in listed.names()
    info = next(c for c in listed if c.name == name)
    assert info.count == 0
    db.delete_collection(name)
    assert name not in db.list_collections(limit=1000).names()
    with pytest.raises(wxcloud.NotFoundError):
        db.delete_collection(name)


def test_update_index_creates_and_drops(db: Db, coll: str) -> None:
    db.update_index(coll, create=[{"name": "by_age", "unique": False, "keys": [("age", -1)]}])
    assert next(c for c in db.list_collections(limit=1000) if c.name == coll).index_count >= 1
    db.update_index(coll, drop=["by_age"])


def test_migrations_start_jobs_and_report_status(db: Db, coll: str) -> None:
    try:
        job = db.migrate_export("exports/people.json", statements.query(coll))
    except wxcloud.ApiError as err:  # an emulator without migrations answers with a clear errcode
        pytest.skip(f"emulator has no migrations: {err}")
    status = db.migrate_status(job)
    assert isinstance(status.status, str) and status.record_fail >= 0


def test_raw_mode_returns_strings_untouched(emulator: wxcloud.Emulator) -> None:
    raw = emulator.client(raw=True)
    records = raw.aggregate("test_collection", [{"$limit": 1}])
    assert isinstance(records[0], str) and '"$numberDouble"' in records[0]
    assert wxcloud.decode(records)[0]["location"]["coordinates"] == [113.0, 23.0]
    assert all(isinstance(r, str) for r in raw.query("test_collection").data)


def test_with_env_addresses_another_environment(emulator: wxcloud.Emulator) -> None:
    client = emulator.client()
    local = client.with_env("local")
    assert local.env == "local" and client.env == emulator.env
    assert "test_collection" not in local.list_collections().names()


def test_clients_are_context_managers(emulator: wxcloud.Emulator) -> None:
    with emulator.client() as c:
        assert c.count("test_collection") == 4

    async def main() -> int:
        async with emulator.async_client() as ac:
            return await ac.count("test_collection")

    assert asyncio.run(main()) == 4


def test_constructor_reads_wxcloud_environment_variables(emulator: wxcloud.Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in (("APPID", emulator.appid), ("SECRET", emulator.secret), ("ENV", emulator.env), ("BASE_URL", emulator.base_url)):
        monkeypatch.setenv("WXCLOUD_" + key, value)
    client = wxcloud.Client()
    assert client.env == emulator.env
    assert client.count("test_collection") == 4


def test_blocking_client_is_shared_by_threads(emulator: wxcloud.Emulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = emulator.client()
    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda _: client.count("test_collection"), range(32)))
    assert counts == [4] * 32


def test_async_calls_run_concurrently_with_gather(emulator: wxcloud.Emulator) -> None:
    async def main() -> list[int]:
        client = emulator.async_client()
        return await asyncio.gather(*(client.count("test_collection") for _ in range(50)))

    assert asyncio.run(main()) == [4] * 50


def test_interpreter_exits_cleanly_right_after_async_calls(emulator: wxcloud.Emulator) -> None:
    import subprocess
    import sys

    script = (
        "import asyncio, wxcloud\n"
        f"c = wxcloud.AsyncClient({emulator.appid!r}, {emulator.secret!r}, {emulator.env!r}, base_url={emulator.base_url!r})\n"
        "async def main():\n"
        "    print(sum(await asyncio.gather(*(c.count('test_collection') for _ in range(100)))))\n"
        "asyncio.run(main())\n"
    )
    for _ in range(5):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout.strip()) == (0, "400"), done.stderr


def test_emulator_clients_ignore_a_wxcloud_access_token_meant_for_wechat(
    emulator: wxcloud.Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WXCLOUD_ACCESS_TOKEN", "token-for-the-real-service")
    assert emulator.client().count("test_collection") == 4


def test_cancelling_an_async_call_leaves_the_client_usable(emulator: wxcloud.Emulator) -> None:
    import json
    import urllib.request

    fault = json.dumps({"path": "/tcb/databasecount", "delay_ms": 3000, "times": 1}).encode()
    urllib.request.urlopen(urllib.request.Request(emulator.base_url + "/__emulator/faults", data=fault, method="POST"))

    async def main() -> int:
        client = emulator.async_client()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.count("test_collection"), 0.2)
        return await client.count("test_collection")

    assert asyncio.run(main()) == 4
