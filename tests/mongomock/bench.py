#!/usr/bin/env python3
"""Benchmark: a group-and-sort pipeline over 100,000 documents, the emulator's engine vs mongomock.

Generates the documents (seeded), times the pipeline in mongomock, then runs the engine's
release-built example `engine_bench` on the same documents and pipeline, checks that both give
the same result, and prints both medians and the ratio. Not part of scripts/test.

Usage: bench.py [--docs N] [--runs N]   (run from anywhere; builds the example with cargo)
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

import mongomock
from bson import json_util

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PIPELINE = [
    {"$group": {
        "_id": "$category",
        "total": {"$sum": {"$multiply": ["$price", "$qty"]}},
        "avgPrice": {"$avg": "$price"},
        "n": {"$sum": 1},
        "maxQty": {"$max": "$qty"},
    }},
    {"$sort": {"total": -1, "_id": 1}},
]


def documents(n, seed=7):
    r = random.Random(seed)
    cats = ["cat%02d" % i for i in range(50)]
    docs = []
    for i in range(n):
        d = {"_id": i, "category": r.choice(cats), "price": round(r.uniform(1, 500), 2), "qty": r.randrange(1, 20),
             "name": "item %d" % i, "tags": r.sample(["a", "b", "c", "d", "e"], 2),
             "dims": {"w": r.randrange(1, 100), "h": r.randrange(1, 100)}}
        if r.random() < 0.05:
            del d["qty"]
        docs.append(d)
    return docs


def canonical(obj):
    return json.loads(json_util.dumps(obj, json_options=json_util.CANONICAL_JSON_OPTIONS))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    out_dir = os.path.join(ROOT, "target", "mongomock")
    os.makedirs(out_dir, exist_ok=True)
    docs = documents(args.docs)
    docs_path = os.path.join(out_dir, "bench-docs.jsonl")
    pipeline_path = os.path.join(out_dir, "bench-pipeline.json")
    with open(docs_path, "w") as f:
        for d in docs:
            f.write(json_util.dumps(d, json_options=json_util.CANONICAL_JSON_OPTIONS) + "\n")
    with open(pipeline_path, "w") as f:
        f.write(json.dumps(PIPELINE))

    coll = mongomock.MongoClient().db.bench
    coll.insert_many(docs)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        mm_result = list(coll.aggregate(PIPELINE))
        times.append((time.perf_counter() - start) * 1000)
    mm_ms = statistics.median(times)

    env = dict(os.environ)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "wxcloud-emulator", "--example", "engine_bench"],
                   cwd=ROOT, check=True, env=env)
    target = env.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "examples", "engine_bench")
    run = subprocess.run([exe, docs_path, pipeline_path, str(max(args.runs, 5))], check=True,
                         capture_output=True, text=True)
    engine = json.loads(run.stdout)

    # Compare as Python values (dicts ignore key order; ints and floats keep their types).
    engine_docs = [json_util.loads(json.dumps(r)) for r in engine["results"]]
    same = mm_result == engine_docs and all(
        type(a[k]) is type(b[k]) for a, b in zip(mm_result, engine_docs) for k in a)
    print("documents: %d, groups: %d" % (args.docs, len(mm_result)))
    print("mongomock: %.1f ms (median of %d)" % (mm_ms, len(times)))
    print("engine:    %.1f ms (median of %d, release build)" % (engine["median_ms"], engine["runs"]))
    print("ratio:     %.0fx" % (mm_ms / engine["median_ms"]))
    print("same result: %s" % same)
    if not same:
        print("mongomock: %s" % json.dumps(canonical(mm_result)[:3]), file=sys.stderr)
        print("engine:    %s" % json.dumps(engine["results"][:3]), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
