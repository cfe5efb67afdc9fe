"""Benchmark: 1,000-record aggregate replies, end to end and decoding alone.

Against one local emulator (``wxcloud.Emulator``, in this process) holding 1,000 records:

* end to end — ``wxcloud.Client.aggregate`` (request, token, decoding into native values) vs
  what users do today: wechatpy's ``WeChatCloud.db_aggregate`` followed by pymongo's
  ``bson.json_util.loads`` on each record string;
* decoding alone — ``wxcloud.decode`` of the 1,000 record strings vs ``bson.json_util.loads``
  and plain ``json.loads`` (which does not even convert types) on each.

Run with a release build of wxcloud and ``pip install wechatpy pymongo``:

    python python/benchmarks/bench_decode.py [--rounds 30]

It prints records per second for each contender and the ratios docs/benchmarks.md records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
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
    """Runs every contender once per round, in turn, so a busy machine slows them alike; returns
    each one's median and best records per second."""
    rates: dict[str, list[float]] = {name: [] for name, _ in contenders}
    for _ in range(rounds):
        for name, fn in contenders:
            start = time.perf_counter()
            n = fn()
            rates[name].append(n / (time.perf_counter() - start))
    return {name: (statistics.median(r), max(r)) for name, r in rates.items()}


def wechatpy_client(emu: wxcloud.Emulator) -> Any:
    """A wechatpy client pointed at the emulator (wechatpy hard-codes api.weixin.qq.com)."""
    from wechatpy import WeChatClient

    base = emu.base_url

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

        def wx_end_to_end() -> int:
            return len(client.aggregate(STATEMENT))

        def wx_raw_end_to_end() -> int:
            return len(raw_client.aggregate(STATEMENT))

        def wechatpy_end_to_end() -> int:
            strings = wp.cloud.db_aggregate(emu.env, STATEMENT)
            return len([json_util.loads(s) for s in strings])

        def wx_decode() -> int:
            return len(wxcloud.decode(raw))

        def json_util_decode() -> int:
            return len([json_util.loads(s) for s in raw])

        def json_decode() -> int:
            return len([json.loads(s) for s in raw])

        # Same answers before timing anything.
        assert wx_end_to_end() == wechatpy_end_to_end() == RECORDS
        sample = wxcloud.decode(raw[0])
        assert sample["due"] == json_util.loads(raw[0], json_options=json_util.JSONOptions(tz_aware=True))["due"]

        rows = [
            ("end to end: wxcloud Client.aggregate", wx_end_to_end),
            ("end to end: wechatpy db_aggregate + json_util.loads", wechatpy_end_to_end),
            ("floor: wxcloud raw mode (server + HTTP, no decoding)", wx_raw_end_to_end),
            ("decode: wxcloud.decode", wx_decode),
            ("decode: bson.json_util.loads", json_util_decode),
            ("decode: json.loads (no type conversion)", json_decode),
        ]
        for _, fn in rows:
            for _ in range(3):
                fn()  # warm up connections, caches and the allocator
        results = interleaved_rates(rows, args.rounds)
        for name, _ in rows:
            print(f"{name:55s} median {results[name][0]:>12,.0f} rec/s   best {results[name][1]:>12,.0f} rec/s")

        def ratio(a: str, b: str) -> float:
            return results[a][0] / results[b][0]

        # The emulator answers both clients in this process; its time per reply is the floor
        # (raw mode). What each client adds on top of it is its own cost.
        floor = 1 / results[rows[2][0]][0]
        own_wx = 1 / results[rows[0][0]][0] - floor
        own_wp = 1 / results[rows[1][0]][0] - floor
        print()
        print(f"end to end, wxcloud vs wechatpy+json_util: {ratio(rows[0][0], rows[1][0]):.1f}x")
        print(f"client-side time beyond the shared server floor, wechatpy / wxcloud: {own_wp / own_wx:.1f}x")
        print(f"decoding, wxcloud vs json_util:             {ratio(rows[3][0], rows[4][0]):.1f}x")
        print(f"decoding, wxcloud vs json.loads:            {ratio(rows[3][0], rows[5][0]):.2f}x")
        print(f"record size: {sum(map(len, raw)) / len(raw):.0f} bytes of Extended JSON on average")


if __name__ == "__main__":
    main()
