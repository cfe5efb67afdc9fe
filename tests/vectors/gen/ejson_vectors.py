#!/usr/bin/env python3
"""Generates tests/vectors/ejson.json (Extended JSON decoding vectors) and
tests/vectors/ejson-seed-records.json (the sample records as the service returns them).

The expectations come from pymongo's ``bson.json_util`` (PyPI ``pymongo``), applied under the
rules of the project's API reference (spec section 3). Where pymongo itself answers differently
the vector records pymongo's own answer in ``"pymongo"``, so every divergence is visible and
explained in tests/vectors/README.md. Nothing here is copied from the MongoDB specifications
corpus.

Run:  python3 -m venv /tmp/ejvenv && /tmp/ejvenv/bin/pip install pymongo
      /tmp/ejvenv/bin/python tests/vectors/gen/ejson_vectors.py [path/to/seed-sample.json]
"""

import base64
import json
import math
import re
import sys
from pathlib import Path

import bson
import pymongo
from bson import json_util
from bson.binary import Binary
from bson.codec_options import DatetimeConversion
from bson.datetime_ms import DatetimeMS
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent
OPTIONS = json_util.JSONOptions(datetime_conversion=DatetimeConversion.DATETIME_MS, tz_aware=True)
MAX_DEPTH = 100
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

# Keys whose exact set makes an object a wrapper (spec section 3: extra keys -> a document).
SINGLE_KEYS = {
    "$numberDouble", "$numberInt", "$numberLong", "$numberDecimal", "$date", "$oid",
    "$regularExpression", "$regex", "$binary", "$uuid", "$timestamp", "$minKey", "$maxKey",
    "$symbol", "$undefined",
}
PAIRS = [{"$regex", "$options"}, {"$binary", "$type"}]

# Stricter grammars than Python's int()/float() (which accept spaces and underscores).
INT_TEXT = re.compile(r"[+-]?[0-9]+\Z")
DOUBLE_TEXT = re.compile(r"([+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|-?Infinity|NaN)\Z")
ISO_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\Z")


class SpecRegex:
    """A regex as the spec keeps it: the pattern and its option letters, sorted."""

    def __init__(self, pattern, options):
        self.pattern, self.options = pattern, "".join(sorted(options))


def spec_hook(pairs):
    """An object under the spec's rules: a wrapper only if its keys are exactly a wrapper's."""
    doc = dict(pairs)
    keys = set(doc)
    if not ((len(doc) == 1 and keys <= SINGLE_KEYS) or keys in PAIRS):
        return doc
    key = next(iter(doc)) if len(doc) == 1 else None
    content = doc.get(key)
    if "$regex" in doc:
        pattern, options = doc["$regex"], doc.get("$options", "")
        if not isinstance(pattern, str):
            return doc  # the $regex query operator
        if not isinstance(options, str):
            raise ValueError("$options must be a string")
        return SpecRegex(pattern, options)
    if key == "$regularExpression":
        if not (isinstance(content, dict) and set(content) == {"pattern", "options"}
                and all(isinstance(v, str) for v in content.values())):
            raise ValueError("bad $regularExpression")
        return SpecRegex(content["pattern"], content["options"])
    if key in ("$numberInt", "$numberLong"):
        low, high = INT32 if key == "$numberInt" else INT64
        if not (isinstance(content, str) and INT_TEXT.match(content) and low <= int(content) <= high):
            raise ValueError(f"bad {key}")
    if key == "$numberDouble" and not (isinstance(content, str) and DOUBLE_TEXT.match(content)):
        raise ValueError("bad $numberDouble")
    if key == "$date":
        if isinstance(content, bool) or not isinstance(content, (str, int, float)):
            raise ValueError("bad $date")
        if isinstance(content, str) and not ISO_TEXT.match(content):
            raise ValueError("bad $date string")
    if key == "$binary" and isinstance(content, dict):
        for v in content.values():
            if not isinstance(v, str):
                raise ValueError("bad $binary")
        base64.b64decode(content.get("base64", "").encode(), validate=True)
    if key == "$binary" and not isinstance(content, dict):
        raise ValueError("legacy $binary needs $type")
    if keys == {"$binary", "$type"}:
        base64.b64decode(doc["$binary"].encode(), validate=True)
    if key == "$symbol" and not isinstance(content, str):
        raise ValueError("bad $symbol")
    if key == "$undefined" and content is not True:
        raise ValueError("bad $undefined")
    return json_util.object_hook(doc, OPTIONS)


def plain_int(text):
    """A plain JSON integer: exact within 64 bits, a double beyond."""
    n = int(text)
    return n if INT64[0] <= n <= INT64[1] else float(n)


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def nesting(text):
    """The deepest nesting of arrays and objects in JSON text."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def spec_loads(text):
    if nesting(text) > MAX_DEPTH:
        raise ValueError("nesting too deep")
    return json.loads(text, object_pairs_hook=spec_hook, parse_int=plain_int, parse_constant=reject_constant)


def double_text(d):
    if math.isnan(d):
        return "NaN"
    if math.isinf(d):
        return "Infinity" if d > 0 else "-Infinity"
    return repr(d)


def string_text(s):
    if any(0xD800 <= ord(c) <= 0xDFFF for c in s):
        raise ValueError("lone surrogate: not Unicode text")
    return s


def regex_letters(flags):
    import re as stdre
    table = [(stdre.I, "i"), (stdre.L, "l"), (stdre.M, "m"), (stdre.S, "s"), (stdre.U, "u"), (stdre.X, "x")]
    return "".join(sorted(letter for bit, letter in table if flags & bit))


def describe(v, plain_ints_are_exact=True):
    """The typed description of a decoded value (see tests/vectors/README.md)."""
    if v is None:
        return {"$type": "null"}
    if isinstance(v, bool):
        return {"$type": "bool", "value": v}
    if isinstance(v, Int64):
        return {"$type": "int64", "value": str(int(v))}
    if isinstance(v, int):
        if INT32[0] <= v <= INT32[1]:
            return {"$type": "int32", "value": v}
        if INT64[0] <= v <= INT64[1]:
            return {"$type": "int64", "value": str(v)}
        return {"$type": "double", "value": double_text(float(v))}
    if isinstance(v, float):
        return {"$type": "double", "value": double_text(v)}
    if isinstance(v, Decimal128):
        return {"$type": "decimal128", "value": str(v)}
    if isinstance(v, str):
        return {"$type": "string", "value": string_text(v)}
    if isinstance(v, DatetimeMS):
        return {"$type": "date", "value": str(int(v))}
    if isinstance(v, ObjectId):
        return {"$type": "objectId", "value": str(v)}
    if isinstance(v, (bytes, Binary)):
        subtype = v.subtype if isinstance(v, Binary) else 0
        return {"$type": "binary", "subType": f"{subtype:02x}", "base64": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, SpecRegex):
        return {"$type": "regex", "pattern": v.pattern, "options": v.options}
    if isinstance(v, Regex):
        return {"$type": "regex", "pattern": v.pattern, "options": regex_letters(v.flags)}
    if isinstance(v, Timestamp):
        return {"$type": "timestamp", "t": v.time, "i": v.inc}
    if isinstance(v, MinKey):
        return {"$type": "minKey"}
    if isinstance(v, MaxKey):
        return {"$type": "maxKey"}
    if isinstance(v, DBRef):
        return describe(v.as_doc().to_dict())
    if isinstance(v, list):
        return {"$type": "array", "items": [describe(x) for x in v]}
    if isinstance(v, dict):
        return {"$type": "document", "entries": [[k, describe(x)] for k, x in v.items()]}
    raise TypeError(f"no description for {type(v).__name__}")


def outcome(load, text):
    try:
        return describe(load(text))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, ArithmeticError,
            bson.errors.InvalidDocument, bson.errors.BSONError, json.JSONDecodeError, base64.binascii.Error):
        return "error"


def nest(depth):
    return "[" * depth + "1" + "]" * depth


SAMPLE = ('{"_id":"f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea","location":{"type":"Point","coordinates":'
          '[{"$numberDouble":"113.0"},{"$numberDouble":"23.0"}]},"done":false,"description":'
          '"learn cloud database","due":"2019-09-09","tags":["cloud","database"]}')

CASES = [
    # the service's own record
    ("sample record", SAMPLE),
    # canonical wrappers
    ("canonical double", '{"$numberDouble":"1.5"}'),
    ("canonical double whole", '{"$numberDouble":"113.0"}'),
    ("canonical double negative zero", '{"$numberDouble":"-0.0"}'),
    ("canonical double exponent", '{"$numberDouble":"1.2345e+300"}'),
    ("canonical double smallest subnormal", '{"$numberDouble":"5e-324"}'),
    ("canonical double Infinity", '{"$numberDouble":"Infinity"}'),
    ("canonical double -Infinity", '{"$numberDouble":"-Infinity"}'),
    ("canonical double NaN", '{"$numberDouble":"NaN"}'),
    ("canonical int32", '{"$numberInt":"42"}'),
    ("canonical int32 min", '{"$numberInt":"-2147483648"}'),
    ("canonical int64 small", '{"$numberLong":"42"}'),
    ("canonical int64 beyond 2^53", '{"$numberLong":"9007199254740993"}'),
    ("canonical int64 max", '{"$numberLong":"9223372036854775807"}'),
    ("canonical int64 min", '{"$numberLong":"-9223372036854775808"}'),
    ("canonical decimal", '{"$numberDecimal":"1.10"}'),
    ("canonical decimal exponent", '{"$numberDecimal":"1.0e3"}'),
    ("canonical decimal tiny", '{"$numberDecimal":"0.0000001"}'),
    ("canonical decimal negative zero", '{"$numberDecimal":"-0"}'),
    ("canonical decimal NaN", '{"$numberDecimal":"NaN"}'),
    ("canonical decimal 34 digits", '{"$numberDecimal":"1234567890123456789012345678901234"}'),
    ("canonical date", '{"$date":{"$numberLong":"1577934245678"}}'),
    ("canonical date before epoch", '{"$date":{"$numberLong":"-62135596800000"}}'),
    ("canonical date int64 max", '{"$date":{"$numberLong":"9223372036854775807"}}'),
    ("objectId", '{"$oid":"5f3e1a2b3c4d5e6f70818293"}'),
    ("objectId uppercase", '{"$oid":"5F3E1A2B3C4D5E6F70818293"}'),
    ("regularExpression", '{"$regularExpression":{"pattern":"^a.c$","options":"mi"}}'),
    ("regularExpression no options", '{"$regularExpression":{"pattern":"a\\\\/b","options":""}}'),
    ("binary", '{"$binary":{"base64":"aGkh","subType":"00"}}'),
    ("binary user subtype", '{"$binary":{"base64":"AP8=","subType":"80"}}'),
    ("binary empty", '{"$binary":{"base64":"","subType":"05"}}'),
    ("binary uuid subtype", '{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"04"}}'),
    ("uuid", '{"$uuid":"73ffd264-44b3-4c69-90e8-e7d1dfc035d4"}'),
    ("timestamp", '{"$timestamp":{"t":1577934245,"i":7}}'),
    ("timestamp max", '{"$timestamp":{"t":4294967295,"i":4294967295}}'),
    ("minKey", '{"$minKey":1}'),
    ("maxKey", '{"$maxKey":1}'),
    ("symbol", '{"$symbol":"sym"}'),
    ("undefined", '{"$undefined":true}'),
    # relaxed forms
    ("relaxed double", "1.5"),
    ("relaxed double whole", "113.0"),
    ("relaxed double exponent", "1e3"),
    ("relaxed int32", "42"),
    ("relaxed int32 negative", "-7"),
    ("relaxed int32 max", "2147483647"),
    ("relaxed int64 just beyond int32", "2147483648"),
    ("relaxed int64 beyond 2^53", "9007199254740993"),
    ("relaxed int64 max", "9223372036854775807"),
    ("relaxed int64 min", "-9223372036854775808"),
    ("relaxed integer beyond int64 is a double", "9223372036854775808"),
    ("relaxed integer below int64 is a double", "-9223372036854775809"),
    ("relaxed integer beyond uint64 is a double", "18446744073709551616"),
    ("relaxed date", '{"$date":"2020-01-02T03:04:05.678Z"}'),
    ("relaxed date without fraction", '{"$date":"2020-01-02T03:04:05Z"}'),
    ("relaxed date long fraction", '{"$date":"2020-01-02T03:04:05.678999Z"}'),
    ("relaxed date offset with colon", '{"$date":"2020-01-02T11:04:05.678+08:00"}'),
    ("relaxed date offset without colon", '{"$date":"2020-01-01T22:04:05.678-0500"}'),
    ("relaxed date offset hours only", '{"$date":"2020-01-02T11:04:05.678+08"}'),
    ("relaxed date without offset is UTC", '{"$date":"2020-01-02T03:04:05.678"}'),
    ("relaxed date leap day", '{"$date":"2020-02-29T00:00:00Z"}'),
    ("relaxed date before epoch", '{"$date":"1969-12-31T23:59:59.999Z"}'),
    # legacy forms
    ("legacy date milliseconds", '{"$date":1577934245678}'),
    ("legacy date negative milliseconds", '{"$date":-1}'),
    ("legacy date numberLong", '{"$date":{"$numberLong":"1"}}'),
    ("legacy regex", '{"$regex":"^a.c$","$options":"mi"}'),
    ("legacy regex options first", '{"$options":"x","$regex":"a b"}'),
    ("legacy regex without options", '{"$regex":"abc"}'),
    ("legacy binary", '{"$binary":"aGkh","$type":"00"}'),
    ("legacy binary type first", '{"$type":"80","$binary":"AP8="}'),
    ("legacy binary one-digit type", '{"$binary":"aGkh","$type":"5"}'),
    # near-wrappers: not wrappers, ordinary documents
    ("near-wrapper oid with extra key", '{"$oid":"5f3e1a2b3c4d5e6f70818293","x":1}'),
    ("near-wrapper extra key first", '{"x":1,"$numberLong":"5"}'),
    ("near-wrapper two wrapper keys", '{"$numberLong":"5","$numberInt":"6"}'),
    ("near-wrapper date with extra key", '{"$date":{"$numberLong":"1"},"y":{"$numberLong":"2"}}'),
    ("near-wrapper numberDouble with extra key", '{"$numberDouble":"1.5","unit":"m"}'),
    ("near-wrapper legacy regex with extra key", '{"$regex":"a","$options":"i","$comment":"c"}'),
    ("near-wrapper legacy binary with extra key", '{"$binary":"aGkh","$type":"00","x":null}'),
    ("near-wrapper options alone", '{"$options":"i"}'),
    ("near-wrapper type alone", '{"$type":"string"}'),
    ("regex query operator", '{"$regex":{"$numberInt":"1"},"$options":"i"}'),
    ("unknown dollar key", '{"$foo":1}'),
    ("dbref is a document", '{"$ref":"coll","$id":{"$oid":"5f3e1a2b3c4d5e6f70818293"}}'),
    ("code is a document", '{"$code":"function(){}"}'),
    ("wrapper key differing in case", '{"$NumberLong":"5"}'),
    ("wrappers nested in a document", '{"a":{"b":[{"$numberLong":"1"},{"$numberDouble":"2.0"},{"c":{"$oid":"000000000000000000000000"}}]}}'),
    # plain JSON
    ("empty document", "{}"),
    ("empty array", "[]"),
    ("null", "null"),
    ("true", "true"),
    ("string", '"text"'),
    ("key order kept", '{"z":1,"a":2,"m":3}'),
    ("duplicate keys keep first position and last value", '{"a":1,"b":2,"a":3}'),
    ("mixed array", '[1,"a",null,true,2.5,{"$numberLong":"3"},[]]'),
    # unicode and escapes
    ("unicode escapes", '{"s":"caf\\u00e9 \\ud83d\\ude00"}'),
    ("raw unicode", '{"名前":"云开发 😀"}'),
    ("escaped quotes and controls", '{"s":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0000"}'),
    ("escaped key", '{"k\\"ey":1,"\\u0061":2}'),
    ("escaped dollar is a wrapper key", '{"\\u0024numberLong":"5"}'),
    ("whitespace around tokens", ' { "a" : [ 1 , 2 ] } '),
    # nesting
    ("nesting at the limit", nest(MAX_DEPTH)),
    ("nesting beyond the limit", nest(MAX_DEPTH + 1)),
    ("documents nested at the limit", '{"a":' * MAX_DEPTH + "1" + "}" * MAX_DEPTH),
    ("documents nested beyond the limit", '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)),
    ("hostile nesting", nest(10000)),
    # bad contents in recognised wrappers
    ("bad numberLong text", '{"$numberLong":"abc"}'),
    ("bad numberLong number", '{"$numberLong":5}'),
    ("numberLong overflow", '{"$numberLong":"9223372036854775808"}'),
    ("numberLong with spaces", '{"$numberLong":" 5"}'),
    ("numberInt overflow", '{"$numberInt":"2147483648"}'),
    ("numberInt not a string", '{"$numberInt":42}'),
    ("bad numberDouble text", '{"$numberDouble":"one"}'),
    ("numberDouble with underscore", '{"$numberDouble":"1_0"}'),
    ("numberDouble not a string", '{"$numberDouble":1.5}'),
    ("bad numberDecimal", '{"$numberDecimal":"1..2"}'),
    ("numberDecimal too many digits", '{"$numberDecimal":"12345678901234567890123456789012345"}'),
    ("bad date string", '{"$date":"yesterday"}'),
    ("date with impossible day", '{"$date":"2019-02-29T00:00:00Z"}'),
    ("date boolean", '{"$date":true}'),
    ("date document", '{"$date":{"x":1}}'),
    ("short oid", '{"$oid":"123"}'),
    ("oid not hex", '{"$oid":"zz3e1a2b3c4d5e6f70818293"}'),
    ("binary bad base64", '{"$binary":{"base64":"!!","subType":"00"}}'),
    ("binary long subtype", '{"$binary":{"base64":"aGkh","subType":"000"}}'),
    ("binary extra inner key", '{"$binary":{"base64":"aGkh","subType":"00","x":1}}'),
    ("legacy binary without type", '{"$binary":"aGkh"}'),
    ("timestamp negative", '{"$timestamp":{"t":-1,"i":1}}'),
    ("timestamp missing i", '{"$timestamp":{"t":1}}'),
    ("timestamp not a document", '{"$timestamp":5}'),
    ("minKey 2", '{"$minKey":2}'),
    ("regularExpression missing options", '{"$regularExpression":{"pattern":"a"}}'),
    ("legacy regex options not a string", '{"$regex":"a","$options":1}'),
    ("uuid without hyphens", '{"$uuid":"73ffd26444b34c6990e8e7d1dfc035d4"}'),
    ("uuid too short", '{"$uuid":"73ffd264-44b3-4c69-90e8"}'),
    ("undefined false", '{"$undefined":false}'),
    # invalid JSON
    ("empty input", ""),
    ("unterminated object", '{"a":1'),
    ("trailing comma", '{"a":1,}'),
    ("trailing garbage", '{"a":1}}'),
    ("single quotes", "{'a':1}"),
    ("leading zero", '{"a":01}'),
    ("NaN literal", '{"a":NaN}'),
    ("Infinity literal", "Infinity"),
    ("html error page", "<html>502 Bad Gateway</html>"),
    ("lone surrogate", '"\\ud800"'),
    ("raw control character", '"a\tb"'),
    ("unquoted key", "{a:1}"),
]


def vectors():
    out = []
    seen = set()
    for name, text in CASES:
        assert name not in seen, name
        seen.add(name)
        expect = outcome(spec_loads, text)
        vector = {"name": name, "input": text}
        if expect == "error":
            vector["error"] = True
        else:
            vector["expect"] = expect
        theirs = outcome(lambda t: json_util.loads(t, json_options=OPTIONS), text)
        if theirs != expect:
            vector["pymongo"] = theirs
        out.append(vector)
    return out


def seed_records(sample_path):
    """The sample records as the service sends them: one compact Extended JSON string each."""
    sample = json.loads(Path(sample_path).read_text(encoding="utf-8"))
    return [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in sample["records"]]


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_vectors(path, header, vectors):
    """One vector per line, so diffs of regenerated vectors stay readable."""
    head = compact(header)[:-1]
    lines = ",\n".join(compact(v) for v in vectors)
    path.write_text(f'{head},"vectors":[\n{lines}\n]}}\n', encoding="utf-8")


def main():
    header = {
        "about": "Extended JSON decoding vectors; the format is in tests/vectors/README.md. "
                 f"Generated by tests/vectors/gen/ejson_vectors.py with pymongo {pymongo.version}.",
        "max_depth": MAX_DEPTH,
    }
    write_vectors(VECTORS / "ejson.json", header, vectors())
    sample = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/seed-sample.json"
    if Path(sample).exists():
        records = seed_records(sample)
        text = "[\n" + ",\n".join(compact(r) for r in records) + "\n]\n"
        (VECTORS / "ejson-seed-records.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
