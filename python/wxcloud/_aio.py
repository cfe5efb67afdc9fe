"""Hands results of the Rust runtime's tasks to asyncio futures (called on the future's loop)."""

from __future__ import annotations

import asyncio
import atexit
from typing import Any

from wxcloud import _native


def deliver(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    """Sets the result (or exception) unless the caller cancelled the future meanwhile."""
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def install() -> None:
    """Makes the interpreter wait (up to 5 s) for calls still in flight before it finalizes."""
    atexit.register(_native._wait_idle, 5.0)
