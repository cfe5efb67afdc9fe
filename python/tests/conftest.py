"""Shared fixtures: one in-process emulator per test session, fresh collections per test, and
helpers for the emulator's test hooks (faults, token expiry, statistics)."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wxcloud

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"


class Hooks:
    """The emulator's `/__emulator/*` test hooks."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as reply:
            return json.loads(reply.read() or b"{}")

    def stats(self) -> dict[str, dict[str, int]]:
        return self._call("GET", "/__emulator/stats")  # type: ignore[no-any-return]

    def token_fetches(self) -> int:
        return sum(self.stats()["token_fetches"].values())

    def requests(self, path: str) -> int:
        return self.stats()["requests"].get(path, 0)

    def fault(self, **fault: Any) -> None:
        self._call("POST", "/__emulator/faults", fault)

    def expire_tokens(self) -> None:
        self._call("POST", "/__emulator/tokens/expire", {})


@pytest.fixture(scope="session")
def emulator() -> Iterator[wxcloud.Emulator]:
    with wxcloud.Emulator(seed_sample=True) as emu:
        yield emu


@pytest.fixture(scope="session")
def hooks(emulator: wxcloud.Emulator) -> Hooks:
    return Hooks(emulator.base_url)


@pytest.fixture
def client(emulator: wxcloud.Emulator) -> wxcloud.Client[dict[str, Any]]:
    # No retries by default, so fault tests see the first answer.
    return emulator.client(max_retries=0)


@pytest.fixture
def collection(client: wxcloud.Client[dict[str, Any]]) -> Iterator[str]:
    name = "py_" + uuid.uuid4().hex[:10]
    client.create_collection(name)
    yield name
    client.delete_collection(name)


def load_vectors(name: str) -> Any:
    path = VECTORS / name
    if not path.exists():
        pytest.skip(f"tests/vectors/{name} is not there yet")
    return json.loads(path.read_text(encoding="utf-8"))
