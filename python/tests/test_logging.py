"""The core's events reach Python's `logging` under the `wxcloud` logger, without secrets."""

from __future__ import annotations

import logging

import pytest

import wxcloud
from conftest import Hooks


def test_events_reach_the_wxcloud_logger_without_secrets(
    emulator: wxcloud.Emulator, hooks: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="wxcloud")
    client = emulator.client(max_retries=2)  # clients pick up the logger's level when made
    hooks.fault(path="/tcb/databasecount", errcode=-1, errmsg="system busy", times=1)
    assert client.count("test_collection") == 4
    records = [r for r in caplog.records if r.name == "wxcloud"]
    assert records, "no event reached logging"
    text = "\n".join(r.getMessage() for r in records)
    assert emulator.secret not in text
    assert "access_token=" not in text


def test_nothing_crosses_into_python_below_the_loggers_level(emulator: wxcloud.Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="wxcloud")
    client = emulator.client()
    client.count("test_collection")
    assert not [r for r in caplog.records if r.name == "wxcloud" and r.levelno < logging.ERROR]
