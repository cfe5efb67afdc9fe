"""Benchmark: two builds of the extension, side by side in one process, on the same records.

For measuring one change to the decoder: build the extension before and after it
(``cargo build --release -p wxcloud-python``, copying ``target/release/lib_native.so`` aside each
time), then

    python python/benchmarks/ab_builds.py BEFORE.so AFTER.so RECORDS.json [--rounds 40]

RECORDS.json is a JSON array of record strings (for example the emulator's 1,000 records that
``bench_decode.py`` makes, dumped with ``json.dump``). Each round runs both builds' ``decode`` and
``orjson.loads`` and ``bson.json_util.loads`` on every string, in an order shuffled each round;
it prints the median milliseconds of each and AFTER's speed-up over BEFORE. Run it twice with the
builds swapped: what is left of a difference between the two runs is noise.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import random
import statistics
import sys
import time
import types
from typing import Any, Callable


def load(package: str, path: str) -> Any:
    """Loads the extension at `path` as `<package>._native`, so two builds can live side by side."""
    module = types.ModuleType(package)
    module.__path__ = []
    sys.modules[package] = module
    loader = importlib.machinery.ExtensionFileLoader(f"{package}._native", path)
    spec = importlib.util.spec_from_file_location(f"{package}._native", path, loader=loader)
    assert spec is not None
    native = importlib.util.module_from_spec(spec)
    loader.exec_module(native)
    return native


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("records")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()

    import orjson
    from bson import json_util

    before, after = load("before", args.before), load("after", args.after)
    with open(args.records) as f:
        raw: list[str] = json.load(f)
    assert before.decode(raw) == after.decode(raw)
    contenders: dict[str, Callable[[], Any]] = {
        "before": lambda: before.decode(raw),
        "after": lambda: after.decode(raw),
        "orjson": lambda: [orjson.loads(s) for s in raw],
        "json_util": lambda: [json_util.loads(s) for s in raw],
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders.items())
    for _ in range(3):
        for _, fn in order:
            fn()
    shuffle = random.Random(14).shuffle
    for _ in range(args.rounds):
        shuffle(order)
        for name, fn in order:
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    print("  ".join(f"{name} {m * 1e3:.3f} ms" for name, m in medians.items()))
    print(f"after / before speed-up: {medians['before'] / medians['after']:.3f}x; "
          f"json_util / after: {medians['json_util'] / medians['after']:.2f}x")


if __name__ == "__main__":
    main()
