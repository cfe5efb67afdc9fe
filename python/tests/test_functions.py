"""Cloud functions through Client and AsyncClient, served by Python callables registered on an
in-process emulator (``Emulator(functions=...)``)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import wxcloud

from conftest import Hooks

seen: list[Any] = []


def add(event: dict[str, Any]) -> dict[str, Any]:
    seen.append(event)
    return {"sum": event["a"] + event["b"], "caller": event["userInfo"]["appId"]}


async def slow_echo(event: dict[str, Any]) -> Any:
    await asyncio.sleep(0.01)
    return {"echo": event.get("value"), "thread": threading.current_thread().name}


def fails(event: dict[str, Any]) -> Any:
    raise ValueError("no luck with " + str(event.get("what")))


async def fails_async(event: dict[str, Any]) -> Any:
    raise KeyError("async failure")


def returns_set(event: dict[str, Any]) -> Any:
    return {1, 2}


def sleeps(event: dict[str, Any]) -> Any:
    time.sleep(0.5)
    return "late"


@pytest.fixture(scope="module")
def emu() -> Iterator[wxcloud.Emulator]:
    functions = {
        "add": add,
        "echo": slow_echo,
        "fails": fails,
        "fails_async": fails_async,
        "returns_set": returns_set,
        "sleeps": sleeps,
        "nothing": lambda event: None,
        "scalar": lambda event: 42,
    }
    with wxcloud.Emulator(functions=functions, function_timeout=0.2) as emu:
        yield emu


@pytest.fixture
def fclient(emu: wxcloud.Emulator) -> wxcloud.Client[dict[str, Any]]:
    return emu.client(max_retries=0)


def test_a_registered_function_receives_the_event_and_its_return_value_comes_back_decoded(
    fclient: wxcloud.Client[dict[str, Any]], emu: wxcloud.Emulator
) -> None:
    seen.clear()
    assert fclient.invoke_function("add", {"a": 2, "b": 40, "note": "héllo"}) == {"sum": 42, "caller": emu.appid}
    assert seen[-1]["note"] == "héllo"
    assert seen[-1]["userInfo"] == {"appId": emu.appid}


def test_without_data_the_function_gets_an_empty_event(fclient: wxcloud.Client[dict[str, Any]]) -> None:
    seen.clear()
    with pytest.raises(wxcloud.ApiError):
        fclient.invoke_function("add")  # event["a"] is missing: the function raises KeyError
    assert set(seen[-1]) == {"userInfo"}


def test_return_values_of_any_json_type(fclient: wxcloud.Client[dict[str, Any]]) -> None:
    assert fclient.invoke_function("nothing") is None
    assert fclient.invoke_function("scalar") == 42


def test_an_async_function_runs_on_the_emulators_own_loop(fclient: wxcloud.Client[dict[str, Any]]) -> None:
    reply = fclient.invoke_function("echo", {"value": [1, "two", {"three": 3.5}]})
    assert reply["echo"] == [1, "two", {"three": 3.5}]
    assert reply["thread"] == "wxcloud-emulator-functions"


async def test_async_client_invokes_functions(emu: wxcloud.Emulator) -> None:
    client = emu.async_client(max_retries=0)
    results = await asyncio.gather(*(client.invoke_function("add", {"a": i, "b": 1}) for i in range(5)))
    assert [r["sum"] for r in results] == [1, 2, 3, 4, 5]
    # The function awaits on its own loop while this loop awaits the call: no deadlock.
    assert (await client.invoke_function("echo", {"value": 1}))["echo"] == 1


def test_an_unknown_function_is_the_services_not_found_class_of_error(fclient: wxcloud.Client[dict[str, Any]]) -> None:
    with pytest.raises(wxcloud.InvalidRequestError) as info:
        fclient.invoke_function("no_such_function", {})
    assert info.value.errcode == -501000
    assert "FunctionName" in (info.value.errmsg or "")


@pytest.mark.parametrize("name", ["fails", "fails_async", "returns_set"])
def test_a_raising_function_gives_the_services_errcode_and_the_process_carries_on(
    fclient: wxcloud.Client[dict[str, Any]], name: str
) -> None:
    with pytest.raises(wxcloud.ApiError) as info:
        fclient.invoke_function(name, {"what": "dice"})
    assert info.value.errcode == -504002
    assert fclient.invoke_function("scalar") == 42


def test_the_exception_text_reaches_the_caller(fclient: wxcloud.Client[dict[str, Any]]) -> None:
    with pytest.raises(wxcloud.ApiError) as info:
        fclient.invoke_function("fails", {"what": "dice"})
    assert "ValueError: no luck with dice" in (info.value.errmsg or "")


def test_a_function_past_the_time_limit_is_cut_with_the_services_errcode(fclient: wxcloud.Client[dict[str, Any]]) -> None:
    with pytest.raises(wxcloud.ApiError) as info:
        fclient.invoke_function("sleeps")
    assert info.value.errcode == -504003


def test_an_event_that_is_not_json_is_refused_before_anything_is_sent(
    fclient: wxcloud.Client[dict[str, Any]], emu: wxcloud.Emulator
) -> None:
    hooks = Hooks(emu.base_url)
    before = hooks.requests("/tcb/invokecloudfunction")
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    for bad in ({"when": object()}, {1, 2}, cyclic, {"x": float("nan")}):
        with pytest.raises((TypeError, ValueError)):
            fclient.invoke_function("add", bad)
    assert hooks.requests("/tcb/invokecloudfunction") == before


def test_an_event_over_the_size_limit_is_refused_before_anything_is_sent(
    fclient: wxcloud.Client[dict[str, Any]], emu: wxcloud.Emulator
) -> None:
    hooks = Hooks(emu.base_url)
    before = hooks.requests("/tcb/invokecloudfunction")
    with pytest.raises(wxcloud.InvalidRequestError, match="limit"):
        fclient.invoke_function("add", {"blob": "x" * (6 * 1024 * 1024 + 1)})
    assert hooks.requests("/tcb/invokecloudfunction") == before


def test_functions_must_be_callables() -> None:
    with pytest.raises(TypeError, match="callable"):
        wxcloud.Emulator(functions={"f": 42})  # type: ignore[dict-item]


def test_a_raising_function_does_not_crash_the_interpreter_at_exit() -> None:
    # A separate interpreter: a function that raises, and one still running when it exits.
    code = """
import wxcloud, time
def boom(event):
    raise RuntimeError("boom")
emu = wxcloud.Emulator(functions={"boom": boom})
client = emu.client(max_retries=0)
try:
    client.invoke_function("boom")
except wxcloud.ApiError as e:
    print("errcode", e.errcode)
print("alive")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["errcode", "-504002", "alive"]
