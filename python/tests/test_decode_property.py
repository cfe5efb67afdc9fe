"""Property test: random documents written as canonical and relaxed Extended JSON decode back to
the same Python values, through the one-pass decoder (`decode`, `decode_value` and the client's
reads all use it). Seeded, so a failure is repeatable; bounded, so the suite stays fast."""

from __future__ import annotations

import datetime as dt
import decimal
import random
from typing import Any

import wxcloud
from test_values import same

UTC = dt.timezone.utc
CASES = 300
SEED = 20261204

# Letters from several scripts and widths (ASCII, Latin-1, BMP, astral), escapes included.
ALPHABET = "az09 _-\"\\/\n\t\u00e9\u00ff\u4e2d\u6587\u2028\U0001f600"


def text(rng: random.Random, most: int = 8) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, most)))


def key(rng: random.Random) -> str:
    k = text(rng, 6)
    return k if not k.startswith("$") else "k" + k


def scalar(rng: random.Random) -> Any:
    kind = rng.randrange(14)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randint(-(2**31), 2**31 - 1)
    if kind == 3:
        return rng.randint(-(2**63), 2**63 - 1)
    if kind == 4:
        return rng.choice([0.0, -0.0, 1.5, 113.0, 1e300, -2.5e-300, float("inf"), rng.uniform(-1e6, 1e6)])
    if kind == 5:
        return text(rng, 20)
    if kind == 6:
        return decimal.Decimal(rng.choice(["1.10", "-0", "12345678901234567890", "1E+10", "0.001"]))
    if kind == 7:
        ms = rng.randint(-62135596800000, 253402300799999)  # years 1..9999
        return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=ms)
    if kind == 8:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 8)))
    if kind == 9:
        return wxcloud.Binary(bytes(rng.randrange(256) for _ in range(rng.randint(0, 8))), rng.choice([1, 4, 5, 128]))
    if kind == 10:
        options = "".join(sorted(rng.sample("imsx", rng.randint(0, 4))))
        return wxcloud.Regex(text(rng), options)
    if kind == 11:
        return wxcloud.Timestamp(rng.randint(0, 2**32 - 1), rng.randint(0, 2**32 - 1))
    return wxcloud.MinKey() if kind == 12 else wxcloud.MaxKey()


def value(rng: random.Random, depth: int) -> Any:
    if depth >= 4 or rng.random() < 0.6:
        return scalar(rng)
    if rng.random() < 0.5:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return document(rng, depth + 1)


def document(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    return {key(rng): value(rng, depth) for _ in range(rng.randint(0, 6))}


def test_random_documents_decode_back_from_canonical_and_relaxed_text() -> None:
    rng = random.Random(SEED)
    for case in range(CASES):
        doc = document(rng)
        for relaxed in (False, True):
            text_ = wxcloud.encode(doc, relaxed=relaxed)
            back = wxcloud.decode(text_)
            assert same(back, doc), f"case {case}, relaxed={relaxed}: {text_}"
            assert same(wxcloud.decode_value(text_), doc), f"case {case}: {text_}"


def test_a_batch_of_random_records_decodes_like_each_one() -> None:
    rng = random.Random(SEED + 1)
    docs = [document(rng) for _ in range(50)]
    texts = [wxcloud.encode(d) for d in docs]
    batch = wxcloud.decode(texts)
    assert len(batch) == len(docs)
    for got, want in zip(batch, docs):
        assert same(got, want)
