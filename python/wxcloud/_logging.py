"""Forwards the Rust core's events to the ``wxcloud`` logger of Python's ``logging``.

The core emits an event per call and per retry (operation, env, attempt, errcode) and never a
token or a secret. Events below the logger's effective level are dropped in Rust, before they
cost a trip into Python; clients re-read the level when they are created, and
``set_level_from_logger()`` re-reads it on demand.
"""

from __future__ import annotations

import logging

from wxcloud import _native

logger = logging.getLogger("wxcloud")


def _sink(level: int, target: str, message: str) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, message, extra={"rust_target": target})


def set_level_from_logger() -> None:
    """Makes the Rust side forward exactly what the ``wxcloud`` logger would keep."""
    _native._set_log_level(max(logger.getEffectiveLevel(), logging.DEBUG))


def install() -> None:
    """Connects the core's events to the ``wxcloud`` logger (done once on import)."""
    _native._set_log_sink(_sink, max(logger.getEffectiveLevel(), logging.DEBUG))
