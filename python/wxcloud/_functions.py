"""Runs the Python callables an in-process ``Emulator`` serves as cloud functions."""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from collections.abc import Awaitable
from typing import Any, Callable, TypeVar

_T = TypeVar("_T")


async def _wait(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


class FunctionRunner:
    """Calls one emulator's functions: the event arrives as JSON text, the return value leaves
    as JSON text (``json.dumps``; a value it cannot write makes the call fail like a function
    that raised).

    A sync function is called on the emulator's worker thread. An async function (or one that
    returns an awaitable) runs on the runner's own event loop, in a daemon thread started at the
    first such call and stopped by ``close()`` — never on the loop of the code under test, which
    may be blocked waiting for the very call the function serves.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def call(self, func: Callable[[Any], Any], event_json: str) -> str:
        result = func(json.loads(event_json))
        if inspect.isawaitable(result):
            result = asyncio.run_coroutine_threadsafe(_wait(result), self._running_loop()).result()
        return json.dumps(result, ensure_ascii=False, allow_nan=False)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="wxcloud-emulator-functions", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def close(self) -> None:
        """Stops the event loop of async functions, if one was started."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        if not thread.is_alive():
            loop.close()
