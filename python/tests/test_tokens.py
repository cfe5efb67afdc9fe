"""Tokens: one fetch for any number of concurrent callers, one refresh after expiry, providers."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import wxcloud
from conftest import Hooks


def test_64_threads_on_a_cold_cache_fetch_one_token(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    client = emulator.client()
    before = hooks.token_fetches()
    barrier = threading.Barrier(64)

    def call(_: int) -> int:
        barrier.wait()
        return client.count("test_collection")

    with ThreadPoolExecutor(64) as pool:
        assert list(pool.map(call, range(64))) == [4] * 64
    assert hooks.token_fetches() - before == 1


def test_500_gathered_calls_on_a_cold_cache_fetch_one_token(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    before = hooks.token_fetches()

    async def main() -> list[int]:
        client = emulator.async_client()
        return await asyncio.gather(*(client.count("test_collection") for _ in range(500)))

    assert asyncio.run(main()) == [4] * 500
    assert hooks.token_fetches() - before == 1


def test_expired_tokens_are_refreshed_once(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    client = emulator.client()
    client.count("test_collection")
    hooks.expire_tokens()
    before = hooks.token_fetches()
    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(lambda _: client.count("test_collection"), range(16))) == [4] * 16
    assert hooks.token_fetches() - before == 1


def test_clones_from_with_env_share_the_token(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    client = emulator.client()
    client.count("test_collection")
    before = hooks.token_fetches()
    client.with_env("local").list_collections()
    assert hooks.token_fetches() == before


def fetch_real_token(emulator: wxcloud.Emulator) -> str:
    """Gets a token from the emulator's stable_token endpoint, as a central token service would."""
    import json
    import urllib.request

    body = json.dumps({"grant_type": "client_credential", "appid": emulator.appid, "secret": emulator.secret}).encode()
    req = urllib.request.Request(emulator.base_url + "/cgi-bin/stable_token", data=body, method="POST")
    with urllib.request.urlopen(req, timeout=10) as reply:
        return str(json.loads(reply.read())["access_token"])


def test_sync_token_provider_is_called_once(emulator: wxcloud.Emulator) -> None:
    calls: list[int] = []

    def provider() -> tuple[str, float]:
        calls.append(1)
        return fetch_real_token(emulator), 3600.0

    client = wxcloud.Client(env=emulator.env, base_url=emulator.base_url, token_provider=provider)
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(lambda _: client.count("test_collection"), range(8))) == [4] * 8
    assert len(calls) == 1


def test_async_token_provider_runs_on_the_callers_loop(emulator: wxcloud.Emulator) -> None:
    loops: list[Any] = []
    token = fetch_real_token(emulator)

    async def provider() -> str:
        loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0)
        return token

    async def main() -> list[int]:
        client = wxcloud.AsyncClient(env=emulator.env, base_url=emulator.base_url, token_provider=provider)
        counts = await asyncio.gather(*(client.count("test_collection") for _ in range(20)))
        assert loops == [asyncio.get_running_loop()]
        return counts

    assert asyncio.run(main()) == [4] * 20


def test_async_token_provider_works_for_the_blocking_client(emulator: wxcloud.Emulator) -> None:
    token = fetch_real_token(emulator)

    async def provider() -> tuple[str, float]:
        return token, 600

    client = wxcloud.Client(env=emulator.env, base_url=emulator.base_url, token_provider=provider)
    assert client.count("test_collection") == 4


def test_a_failing_provider_raises_token_error_without_its_message(emulator: wxcloud.Emulator) -> None:
    def provider() -> str:
        raise RuntimeError("secret-in-provider-message")

    client = wxcloud.Client(env=emulator.env, base_url=emulator.base_url, token_provider=provider, max_retries=0)
    with pytest.raises(wxcloud.WxCloudError) as info:
        client.count("test_collection")
    assert "secret-in-provider-message" not in str(info.value)
    assert "RuntimeError" in str(info.value)
