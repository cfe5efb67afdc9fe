"""Benchmark: 1,000-record aggregate replies, end to end and decoding alone.

With 1,000 records shaped like the sample data set:

* end to end against a canned server — a local HTTP server (``canned_server.py``, its own
  process) that answers every call with the same 1,000-record body, so no server work is timed:
  ``wxcloud.Client.aggregate`` (request, token, decoding into native values) vs what users do
  today, wechatpy's ``WeChatCloud.db_aggregate`` followed by pymongo's ``bson.json_util.loads`` on
  each record string;
* the same two end to end against the emulator (``wxcloud.Emulator``, in this process), which
  does the real work of a reply (statement parse, SQLite read, engine, encoding);
* decoding alone — ``wxcloud.decode`` of the 1,000 record strings vs ``orjson.loads``,
  ``bson.json_util.loads`` and plain ``json.loads`` on each (``orjson`` and ``json`` leave the
  ``{"$date": ...}`` wrappers as nested dicts: they do less work).

Run with a release build of wxcloud and ``pip install wechatpy pymongo orjson``:

    python python/benchmarks/bench_decode.py [--rounds 30]

It prints records per second for each contender and the ratios docs/benchmarks.md records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

import wxcloud

RECORDS = 1000
COLLECTION = "bench_records"
STATEMENT = f'db.collection("{COLLECTION}").aggregate().match({{}}).limit({RECORDS}).end()'


def make_record(i: int) -> dict[str, Any]:
    """A record shaped like the sample data set, with the types a real collection holds."""
    return {
        "title": f"task {i}",
        "description": "learn cloud database " * (1 + i % 3),
        "done": i % 2 == 0,
        "priority": i % 5,
        "views": 1_000_000_007 + i,
        "price": 19.9 + i / 100,
        "due": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=i),
        "tags": ["cloud", "database", f"t{i % 7}"],
        "location": {"type": "Point", "coordinates": [113.0 + i / 1000, 23.0]},
        "owner": {"name": f"user{i % 13}", "level": i % 4, "score": 0.5 * i},
    }


def interleaved_rates(contenders: list[tuple[str, Callable[[], int]]], rounds: int) -> dict[str, tuple[float, float]]:
    """Runs every contender once per round, so a busy machine slows them alike, in an order
    shuffled each round (a fixed seed), so none always runs after the same other one (whose
    work decides what is left in the CPU caches); returns each one's median and best records
    per second."""
    rates: dict[str, list[float]] = {name: [] for name, _ in contenders}
    order = list(contenders)
    shuffle = random.Random(14).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name, fn in order:
            start = time.perf_counter()
            n = fn()
            rates[name].append(n / (time.perf_counter() - start))
    return {name: (statistics.median(r), max(r)) for name, r in rates.items()}


def wechatpy_client(emu: wxcloud.Emulator, base: str | None = None) -> Any:
    """A wechatpy client pointed at the emulator or at `base` (wechatpy hard-codes
    api.weixin.qq.com)."""
    from wechatpy import WeChatClient

    base = base or emu.base_url

    class LocalClient(WeChatClient):  # type: ignore[misc]
        API_BASE_URL = base + "/cgi-bin/"

        def fetch_access_token(self) -> Any:
            return self._fetch_access_token(
                url=base + "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    client = LocalClient(emu.appid, emu.secret, timeout=30)
    client.cloud.API_BASE_URL = base + "/"
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    from bson import json_util

    with wxcloud.Emulator() as emu:
        client = emu.client(timeout=60)
        client.create_collection(COLLECTION)
        for start in range(0, RECORDS, 100):
            client.add(COLLECTION, [make_record(i) for i in range(start, start + 100)])
        raw = emu.client(raw=True, timeout=60).aggregate(STATEMENT)
        assert len(raw) == RECORDS, len(raw)
        wp = wechatpy_client(emu)

        raw_client = emu.client(raw=True, timeout=60)
        import orjson

        # The canned server: the same body for every aggregate, from its own process.
        body = json.dumps({"errcode": 0, "errmsg": "ok", "data": raw}).encode()
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            f.write(body)
        server = subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(__file__), "canned_server.py"), f.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            canned = f"http://127.0.0.1:{server.stdout.readline().strip()}"
            run(args.rounds, emu, client, raw_client, wp, raw, canned, json_util, orjson)
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=10)
            os.unlink(f.name)


def run(rounds: int, emu: Any, client: Any, raw_client: Any, wp: Any, raw: list[str], canned: str, json_util: Any, orjson: Any) -> None:
    canned_client = wxcloud.Client("wxcanned", "secret", emu.env, base_url=canned, access_token="canned-token", timeout=60)
    canned_wp = wechatpy_client(emu, canned)

    def wx_end_to_end() -> int:
        return len(client.aggregate(STATEMENT))

    def wx_raw_end_to_end() -> int:
        return len(raw_client.aggregate(STATEMENT))

    def wechatpy_end_to_end() -> int:
        strings = wp.cloud.db_aggregate(emu.env, STATEMENT)
        return len([json_util.loads(s) for s in strings])

    def wx_canned() -> int:
        return len(canned_client.aggregate(STATEMENT))

    def wechatpy_canned() -> int:
        strings = canned_wp.cloud.db_aggregate(emu.env, STATEMENT)
        return len([json_util.loads(s) for s in strings])

    def wx_decode() -> int:
        return len(wxcloud.decode(raw))

    def orjson_decode() -> int:
        return len([orjson.loads(s) for s in raw])

    def json_util_decode() -> int:
        return len([json_util.loads(s) for s in raw])

    def json_decode() -> int:
        return len([json.loads(s) for s in raw])

    # Same answers before timing anything.
    assert wx_end_to_end() == wechatpy_end_to_end() == wx_canned() == wechatpy_canned() == RECORDS
    assert canned_client.aggregate(STATEMENT) == client.aggregate(STATEMENT)
    sample = wxcloud.decode(raw[0])
    assert sample["due"] == json_util.loads(raw[0], json_options=json_util.JSONOptions(tz_aware=True))["due"]

    rows = [
        ("canned server: wxcloud Client.aggregate", wx_canned),
        ("canned server: wechatpy db_aggregate + json_util.loads", wechatpy_canned),
        ("emulator: wxcloud Client.aggregate", wx_end_to_end),
        ("emulator: wechatpy db_aggregate + json_util.loads", wechatpy_end_to_end),
        ("emulator: wxcloud raw mode (server + HTTP, no decoding)", wx_raw_end_to_end),
        ("decode: wxcloud.decode", wx_decode),
        ("decode: orjson.loads (wrappers left as dicts)", orjson_decode),
        ("decode: json.loads (wrappers left as dicts)", json_decode),
        ("decode: bson.json_util.loads", json_util_decode),
    ]
    for _, fn in rows:
        for _ in range(3):
            fn()  # warm up connections, caches and the allocator
    results = interleaved_rates(rows, rounds)
    for name, _ in rows:
        print(f"{name:58s} median {results[name][0]:>12,.0f} rec/s   best {results[name][1]:>12,.0f} rec/s")

    def ratio(a: int, b: int) -> float:
        return results[rows[a][0]][0] / results[rows[b][0]][0]

    print()
    print(f"load average: {os.getloadavg()[0]:.1f}; {rounds} interleaved rounds; speed ratios from medians")
    print(f"end to end, canned server, wxcloud / wechatpy+json_util: {ratio(0, 1):.2f}x  (target >= 5)")
    print(f"end to end, emulator,      wxcloud / wechatpy+json_util: {ratio(2, 3):.2f}x")
    print(f"decoding, wxcloud / orjson.loads:    {ratio(5, 6):.2f}x  (target >= 1.0)")
    print(f"decoding, wxcloud / json.loads:      {ratio(5, 7):.2f}x  (target >= 2)")
    print(f"decoding, wxcloud / json_util.loads: {ratio(5, 8):.2f}x  (target >= 6)")
    print(f"record size: {sum(map(len, raw)) / len(raw):.0f} bytes of Extended JSON on average")


if __name__ == "__main__":
    main()
