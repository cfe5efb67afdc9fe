#!/usr/bin/env python3
"""Differential cases for the emulator's engine, with expected results from mongomock.

Generates (seeded, so every run writes the same cases) a few thousand documents with mixed
types, nested arrays, missing fields and nulls, then at least 500 filters, 200 update documents
and 300 pipelines; runs each in mongomock and writes one canonical Extended JSON line per case:

    {"kind": "documents", "collection": "items", "docs": [...]}        (the data sets, first)
    {"kind": "filter", "id": "f0001", "filter": {...}, "ids": [...]}   (matched _ids)
    {"kind": "update", "id": "u0001", "before": {...}, "update": {...}, "after": {...}}
    {"kind": "pipeline", "id": "p0001", "pipeline": [...], "ordered": true, "docs": [...]}

A case where mongomock raises a MongoDB error (OperationFailure) carries "error": true instead
of a result; a case mongomock cannot run (NotImplementedError or a crash inside mongomock) is
not written, and is counted in the summary on stderr.

Usage: generate.py OUT_FILE [--seed N] [--docs N]
"""

import argparse
import datetime as dt
import json
import random
import sys
from collections import Counter

import mongomock
from bson import json_util

CANONICAL = json_util.CANONICAL_JSON_OPTIONS
WORDS = ["a", "b", "abc", "Hello", "hello world", "", "Zeta", "x y", "日本", "apple", "Apple", "banana"]
CATS = ["books", "toys", "food", "garden"]
TAGS = ["red", "green", "blue", "cloud", "db", "Go", "C#"]
BASE = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


def date(r):
    return BASE + dt.timedelta(milliseconds=r.randrange(0, 2 * 365 * 86400 * 1000))


def scalar(r):
    k = r.randrange(12)
    if k < 3:
        return r.randrange(-5, 20)
    if k == 3:
        return r.randrange(-10, 10) + 0.5
    if k == 4:
        return float(r.randrange(0, 5))
    if k == 5:
        return r.choice([2**40, -(2**35), 2**31])
    if k in (6, 7):
        return r.choice(WORDS)
    if k == 8:
        return r.choice([True, False])
    if k == 9:
        return None
    if k == 10:
        return date(r).replace(tzinfo=None)
    return r.randrange(0, 3)


def value(r, depth=0):
    k = r.randrange(10)
    if depth < 2 and k == 0:
        return [value(r, depth + 1) for _ in range(r.randrange(0, 4))]
    if depth < 2 and k == 1:
        return {"x": scalar(r), "y": value(r, depth + 1)}
    if k == 2:
        return [scalar(r) for _ in range(r.randrange(0, 5))]
    return scalar(r)


def maybe(r, doc, key, make, p_missing=0.15):
    if r.random() >= p_missing:
        doc[key] = make()


def document(r, i):
    d = {"_id": i}
    maybe(r, d, "cat", lambda: r.choice(CATS + [None]))
    maybe(r, d, "n", lambda: r.choice([r.randrange(-20, 100), r.randrange(-20, 100) + 0.25, None, "7"]))
    maybe(r, d, "a", lambda: value(r), 0.2)
    maybe(r, d, "tags", lambda: r.choice([r.sample(TAGS, r.randrange(0, 4)), r.choice(TAGS), None]))
    maybe(
        r,
        d,
        "b",
        lambda: r.choice(
            [
                {"c": scalar(r), "d": [r.randrange(0, 10) for _ in range(r.randrange(0, 4))]},
                {"c": scalar(r)},
                [{"c": scalar(r)}, {"c": scalar(r), "d": [1, 2]}],
                None,
                5,
            ]
        ),
    )
    maybe(
        r,
        d,
        "arr",
        lambda: [
            {"x": r.randrange(0, 10), "y": r.choice(WORDS)} if r.random() < 0.85 else r.randrange(0, 10)
            for _ in range(r.randrange(0, 4))
        ],
    )
    maybe(r, d, "qty", lambda: r.randrange(0, 50), 0.05)
    maybe(r, d, "price", lambda: round(r.uniform(1, 100), 2), 0.05)
    maybe(r, d, "s", lambda: r.choice(WORDS), 0.1)
    maybe(r, d, "when", lambda: date(r).replace(tzinfo=None), 0.1)
    return d


FIELDS = ["a", "n", "cat", "tags", "b", "b.c", "b.d", "arr", "arr.x", "arr.y", "a.0", "b.d.1",
          "arr.0.x", "zz", "s", "qty", "price", "when", "a.x", "a.y"]
TYPES = ["double", "string", "object", "array", "bool", "date", "null", "int", "long", "number"]


def pick_value(r):
    k = r.randrange(6)
    if k == 0:
        return r.choice(CATS + TAGS)
    if k == 1:
        return [scalar(r) for _ in range(r.randrange(0, 3))]
    return scalar(r)


def field_condition(r):
    f = r.choice(FIELDS)
    k = r.randrange(20)
    v = pick_value(r)
    if k < 3:
        return {f: v}
    if k < 8:
        op = r.choice(["$gt", "$gte", "$lt", "$lte", "$ne", "$eq"])
        return {f: {op: v}}
    if k == 8:
        return {f: {r.choice(["$in", "$nin"]): [pick_value(r) for _ in range(r.randrange(1, 4))]}}
    if k == 9:
        return {f: {"$exists": r.choice([True, False])}}
    if k == 10:
        return {f: {"$type": r.choice(TYPES)}}
    if k == 11:
        return {f: {"$size": r.randrange(0, 4)}}
    if k == 12:
        return {f: {"$all": r.sample(TAGS, r.randrange(1, 3))}}
    if k == 13:
        return {"arr": {"$elemMatch": {"x": {"$gt": r.randrange(0, 9)}, "y": {"$in": r.sample(WORDS, 3)}}}}
    if k == 14:
        return {f: {"$elemMatch": {"$gte": r.randrange(0, 9), "$lt": r.randrange(5, 20)}}}
    if k == 15:
        return {f: {"$mod": [r.randrange(2, 5), r.randrange(0, 2)]}}
    if k == 16:
        pat = r.choice(["^a", "b", "^h.*o", "l{2}", "^$", "Z", "^[a-c]+$"])
        cond = {"$regex": pat}
        if r.random() < 0.5:
            cond["$options"] = "i"
        return {f: cond}
    if k == 17:
        return {f: {"$not": {r.choice(["$gt", "$lt", "$eq"]): pick_value(r)}}}
    if k == 18:
        lo = r.randrange(-5, 10)
        return {f: {"$gt": lo, "$lt": lo + r.randrange(1, 20)}}
    return {"$expr": {r.choice(["$gt", "$lt", "$eq", "$gte"]): [r.choice(["$qty", "$n", "$price"]), r.choice(["$qty", 10, 2.5])]}}


def filter_doc(r, depth=0):
    k = r.randrange(10)
    if depth < 2 and k == 0:
        return {r.choice(["$or", "$and", "$nor"]): [filter_doc(r, depth + 1) for _ in range(r.randrange(1, 4))]}
    if k == 1:
        out = {}
        for _ in range(2):
            out.update(field_condition(r))
        return out
    return field_condition(r)


SET_FIELDS = ["a", "n", "cat", "tags", "b.c", "b.d", "arr", "qty", "price", "new", "new.deep", "s", "b", "a.1"]
NUM_FIELDS = ["qty", "price", "n", "new", "b.c"]
ARRAY_FIELDS = ["tags", "arr", "b.d", "new", "a"]


def update_doc(r):
    """An update document; fields are drawn per operator so most updates are valid.

    `$mul` is left out: mongomock 4.3 does not implement it (the unit tests cover it)."""
    ops = {}
    for _ in range(r.randrange(1, 3)):
        k = r.randrange(13)
        if k == 0:
            ops.setdefault("$set", {})[r.choice(SET_FIELDS)] = value(r)
        elif k == 1:
            ops.setdefault("$unset", {})[r.choice(SET_FIELDS)] = ""
        elif k == 2:
            ops.setdefault("$inc", {})[r.choice(NUM_FIELDS)] = r.choice([1, -2, 0.5, 2**33])
        elif k == 3:
            ops.setdefault(r.choice(["$min", "$max"]), {})[r.choice(NUM_FIELDS + ["s", "cat"])] = pick_value(r)
        elif k == 4:
            ops.setdefault("$rename", {})[r.choice(["cat", "s", "qty", "zz", "tags"])] = r.choice(["renamed", "s2"])
        elif k == 5:
            ops.setdefault("$push", {})[r.choice(ARRAY_FIELDS)] = scalar(r)
        elif k == 6:
            spec = {"$each": [r.randrange(0, 9) for _ in range(r.randrange(0, 4))]}
            if r.random() < 0.5:
                spec["$position"] = r.randrange(-2, 3)
            if r.random() < 0.5:
                spec["$slice"] = r.randrange(-3, 4)
            if r.random() < 0.5:
                spec["$sort"] = r.choice([1, -1])
            ops.setdefault("$push", {})[r.choice(ARRAY_FIELDS)] = spec
        elif k == 7:
            ops.setdefault("$pop", {})[r.choice(ARRAY_FIELDS)] = r.choice([1, -1])
        elif k == 8:
            ops.setdefault("$addToSet", {})[r.choice(ARRAY_FIELDS)] = r.choice([scalar(r), {"$each": [scalar(r), scalar(r)]}])
        elif k == 9:
            ops.setdefault("$pull", {})[r.choice(ARRAY_FIELDS)] = r.choice(
                [scalar(r), {"$gte": r.randrange(0, 9)}, {"x": {"$lt": 5}}, {"$in": r.sample(TAGS, 2)}])
        elif k == 10:
            ops.setdefault("$pullAll", {})[r.choice(ARRAY_FIELDS)] = [r.randrange(0, 9) for _ in range(2)]
        elif k == 11:
            ops.setdefault("$set", {})[r.choice(["b", "new", "arr.0", "b.d.5"]) + ".k"] = scalar(r)
        else:
            ops.setdefault("$set", {})[r.choice(SET_FIELDS)] = scalar(r)
    return ops


ACCS = ["$sum", "$avg", "$min", "$max", "$first", "$last", "$push", "$addToSet"]
EXPRS = [
    lambda r: {"$add": ["$qty", r.randrange(1, 9)]},
    lambda r: {"$multiply": ["$qty", "$price"]},
    lambda r: {"$subtract": ["$qty", 3]},
    lambda r: {"$divide": ["$price", 4]},
    lambda r: {"$mod": ["$qty", 7]},
    lambda r: {"$cond": [{"$gte": ["$qty", 25]}, "big", "small"]},
    lambda r: {"$ifNull": ["$cat", "none"]},
    lambda r: {"$concat": [{"$ifNull": ["$s", "?"]}, "-", "x"]},
    lambda r: {"$toUpper": {"$ifNull": ["$s", ""]}},
    lambda r: {"$toLower": {"$ifNull": ["$s", ""]}},
    lambda r: {"$substr": [{"$ifNull": ["$s", ""]}, 0, 2]},
    lambda r: {"$size": {"$ifNull": ["$arr", []]}},
    lambda r: {"$arrayElemAt": [{"$ifNull": ["$arr", []]}, r.choice([0, -1])]},
    lambda r: {"$in": [r.choice(TAGS), {"$cond": [{"$isArray": "$tags"}, "$tags", []]}]},
    lambda r: {"$year": {"$ifNull": ["$when", dt.datetime(2000, 1, 1)]}},
    lambda r: {"$month": {"$ifNull": ["$when", dt.datetime(2000, 1, 1)]}},
    lambda r: {"$dayOfWeek": {"$ifNull": ["$when", dt.datetime(2000, 1, 1)]}},
    lambda r: {"$dateToString": {"format": "%Y-%m-%d %H:%M", "date": {"$ifNull": ["$when", dt.datetime(2000, 1, 1)]}}},
    lambda r: {"$and": [{"$gt": ["$qty", 10]}, {"$lt": ["$price", 50]}]},
    lambda r: {"$or": [{"$eq": ["$cat", "toys"]}, {"$eq": ["$cat", "food"]}]},
    lambda r: {"$not": [{"$eq": ["$cat", "books"]}]},
    lambda r: {"$cmp": ["$qty", 20]},
    lambda r: {"$abs": {"$subtract": ["$qty", 25]}},
    lambda r: {"$floor": "$price"},
    lambda r: {"$ceil": "$price"},
    lambda r: {"$trunc": "$price"},
    lambda r: {"$sqrt": "$qty"},
    lambda r: {"$pow": ["$qty", 2]},
    lambda r: {"$type": "$n"},
    lambda r: {"$map": {"input": {"$ifNull": ["$b.d", []]}, "as": "v", "in": {"$add": ["$$v", 1]}}},
    lambda r: {"$filter": {"input": {"$ifNull": ["$arr", []]}, "as": "e", "cond": {"$gt": ["$$e.x", 4]}}},
    lambda r: {"$reduce": {"input": {"$ifNull": ["$b.d", []]}, "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}},
    lambda r: {"$let": {"vars": {"q": "$qty"}, "in": {"$multiply": ["$$q", 2]}}},
    lambda r: {"$setUnion": [{"$ifNull": ["$b.d", []]}, [1, 2]]},
    lambda r: {"$setIntersection": [{"$ifNull": ["$b.d", []]}, [1, 2, 3]]},
    lambda r: {"$concatArrays": [{"$ifNull": ["$b.d", []]}, [9]]},
    lambda r: {"$slice": [{"$ifNull": ["$b.d", []]}, 2]},
    lambda r: {"$reverseArray": {"$ifNull": ["$b.d", []]}},
    lambda r: {"$split": [{"$ifNull": ["$s", ""]}, " "]},
    lambda r: {"$strLenCP": {"$ifNull": ["$s", ""]}},
    lambda r: {"$switch": {"branches": [{"case": {"$lt": ["$qty", 10]}, "then": "low"}, {"case": {"$lt": ["$qty", 30]}, "then": "mid"}], "default": "high"}},
    lambda r: {"$toString": "$qty"},
    lambda r: {"$literal": "$qty"},
    lambda r: {"$sum": {"$ifNull": ["$b.d", []]}},
    lambda r: {"$max": ["$qty", 20]},
    lambda r: {"$objectToArray": {"$ifNull": ["$b", {}]}},
    lambda r: {"$mergeObjects": [{"k": 1}, {"$cond": [{"$eq": [{"$type": "$b"}, "object"]}, "$b", {}]}]},
]


def group_stage(r):
    key = r.choice(["$cat", "$qty", "$s", {"c": "$cat", "big": {"$gte": ["$qty", 25]}}, None, "$b.c", "$n"])
    spec = {"_id": key}
    for i in range(r.randrange(1, 4)):
        acc = r.choice(ACCS)
        arg = r.choice(["$qty", "$price", "$n", "$s", 1, "$cat", {"$multiply": ["$qty", 2]}])
        spec["f%d" % i] = {acc: arg}
    return spec


def pipeline(r):
    k = r.randrange(18)
    m = {"$match": filter_doc(r)}
    if k == 0:
        return [m, {"$sort": {"_id": 1}}], True
    if k == 1:
        return [{"$group": group_stage(r)}], False
    if k == 2:
        return [m, {"$group": group_stage(r)}], False
    if k == 3:
        return [{"$unwind": "$tags"}, {"$group": {"_id": "$tags", "n": {"$sum": 1}}}], False
    if k == 4:
        opts = {"path": r.choice(["$tags", "$arr", "$b.d", "$a"])}
        if r.random() < 0.5:
            opts["includeArrayIndex"] = "idx"
        if r.random() < 0.5:
            opts["preserveNullAndEmptyArrays"] = True
        return [{"$match": {"_id": {"$lt": 60}}}, {"$unwind": opts}, {"$sort": {"_id": 1}}], True
    if k == 5:
        return [{"$match": {"qty": {"$type": "int"}}}, {"$sort": {"qty": r.choice([1, -1]), "_id": 1}},
                {"$skip": r.randrange(0, 20)}, {"$limit": r.randrange(1, 30)}], True
    if k == 6:
        fields = {"v%d" % i: r.choice(EXPRS)(r) for i in range(r.randrange(1, 4))}
        return [{"$match": {"_id": {"$lt": 150}}}, {"$project": fields}, {"$sort": {"_id": 1}}], True
    if k == 7:
        fields = {"v%d" % i: r.choice(EXPRS)(r) for i in range(r.randrange(1, 3))}
        return [{"$match": {"_id": {"$lt": 150}}}, {"$addFields": fields}, {"$sort": {"_id": 1}}], True
    if k == 8:
        inc = {f: 1 for f in r.sample(["cat", "qty", "b.c", "arr.x", "tags", "s"], r.randrange(1, 4))}
        if r.random() < 0.3:
            inc["_id"] = 0
        return [m, {"$sort": {"_id": 1}}, {"$project": inc}], True
    if k == 9:
        exc = {f: 0 for f in r.sample(["cat", "qty", "b.c", "arr.x", "tags", "a", "b"], r.randrange(1, 4))}
        return [m, {"$sort": {"_id": 1}}, {"$project": exc}], True
    if k == 10:
        return [m, {"$count": "total"}], True
    if k == 11:
        spec = {"groupBy": "$qty", "boundaries": sorted(r.sample(range(0, 60, 5), 4)), "default": "other"}
        if r.random() < 0.5:
            spec["output"] = {"n": {"$sum": 1}, "avg": {"$avg": "$price"}}
        return [{"$bucket": spec}], True
    if k == 12:
        return [{"$match": {"b": {"$type": "object"}}}, {"$sort": {"_id": 1}}, {"$replaceRoot": {"newRoot": "$b"}}], True
    if k == 13:
        return [{"$match": {"_id": {"$lt": 80}}}, {"$lookup": {"from": "cats", "localField": "cat", "foreignField": "name", "as": "info"}},
                {"$sort": {"_id": 1}}], True
    if k == 14:
        return [m, {"$group": {"_id": "$cat", "total": {"$sum": {"$multiply": ["$qty", "$price"]}}, "avg": {"$avg": "$qty"}}},
                {"$sort": {"total": -1}}], False
    if k >= 16:
        # Sorting across types (numbers, strings, arrays, documents, null, missing, dates).
        f = r.choice(["a", "n", "b.c", "tags", "s", "when", "arr.x", "b"])
        return [{"$sort": {f: r.choice([1, -1]), "_id": 1}}, {"$limit": r.choice([20, 200])},
                {"$project": {f: 1}}], True
    return [m, {"$sort": {"price": r.choice([1, -1]), "_id": 1}}, {"$limit": 5}], True


def dumps(obj):
    return json_util.dumps(obj, json_options=CANONICAL, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--filters", type=int, default=650)
    ap.add_argument("--updates", type=int, default=420)
    ap.add_argument("--pipelines", type=int, default=420)
    args = ap.parse_args()
    r = random.Random(args.seed)

    docs = [document(r, i) for i in range(args.docs)]
    cats = [{"_id": i, "name": c, "shelf": i * 10} for i, c in enumerate(CATS)] + [{"_id": 9, "name": None}, {"_id": 10}]
    client = mongomock.MongoClient()
    coll = client.db.items
    coll.insert_many(docs)
    client.db.cats.insert_many(cats)
    skipped = Counter()
    written = Counter()

    with open(args.out, "w", encoding="utf-8") as out:
        out.write(dumps({"kind": "documents", "collection": "items", "docs": docs}) + "\n")
        out.write(dumps({"kind": "documents", "collection": "cats", "docs": cats}) + "\n")

        def run(kind, case, thunk):
            try:
                case.update(thunk())
            except mongomock.OperationFailure:
                case["error"] = True
            except NotImplementedError:
                skipped[kind + ": not implemented in mongomock"] += 1
                return
            except Exception as e:  # mongomock itself failing (a bug there, not a MongoDB error)
                skipped["%s: mongomock crashed (%s)" % (kind, type(e).__name__)] += 1
                return
            written[kind] += 1
            out.write(dumps(case) + "\n")

        for i in range(args.filters):
            f = filter_doc(r)
            run("filter", {"kind": "filter", "id": "f%04d" % i, "filter": f},
                lambda: {"ids": [d["_id"] for d in coll.find(f)]})

        for i in range(args.updates):
            before = docs[r.randrange(len(docs))]
            u = update_doc(r)

            def do_update():
                c = client.db["u"]
                c.delete_many({})
                c.insert_one(dict(before))
                c.update_one({"_id": before["_id"]}, u)
                return {"after": c.find_one({"_id": before["_id"]})}

            run("update", {"kind": "update", "id": "u%04d" % i, "before": before, "update": u}, do_update)

        for i in range(args.pipelines):
            p, ordered = pipeline(r)
            run("pipeline", {"kind": "pipeline", "id": "p%04d" % i, "pipeline": p, "ordered": ordered},
                lambda: {"docs": list(coll.aggregate(p))})

    for k, n in sorted(written.items()):
        print("wrote %d %s cases" % (n, k), file=sys.stderr)
    for k, n in sorted(skipped.items()):
        print("skipped %d (%s)" % (n, k), file=sys.stderr)
    if written["filter"] < 500 or written["update"] < 200 or written["pipeline"] < 300:
        print("too few cases written", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
