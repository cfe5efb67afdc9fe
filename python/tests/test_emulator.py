"""`wxcloud.Emulator` for users' own tests: in memory by default, durable with `data_path`."""

from __future__ import annotations

from pathlib import Path

import pytest

import wxcloud


def test_default_emulator_is_empty_and_in_memory() -> None:
    with wxcloud.Emulator() as emu:
        assert emu.base_url.startswith("http://127.0.0.1:")
        assert (emu.appid, emu.secret, emu.env) == ("wxemulator", "emulator-secret", "test2-4a89da")
        client = emu.client()
        client.create_collection("notes")
        client.add("notes", {"text": "kept in memory"})
    with wxcloud.Emulator() as emu2:
        assert "notes" not in emu2.client().list_collections().names()


def test_data_path_keeps_records_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "cloudbase.sqlite"
    with wxcloud.Emulator(data_path=path) as emu:
        client = emu.client()
        client.create_collection("notes")
        [note_id] = client.add("notes", {"text": "durable"})
    with wxcloud.Emulator(data_path=str(path)) as emu:
        page = emu.client().query("notes")
        assert [(r["_id"], r["text"]) for r in page.data] == [(note_id, "durable")]


def test_a_stopped_emulator_refuses_connections() -> None:
    emu = wxcloud.Emulator()
    client = emu.client(max_retries=0)
    assert client.list_collections().names() == []
    emu.stop()
    emu.stop()  # stopping twice does nothing
    with pytest.raises(wxcloud.TransportError):
        client.list_collections()


def test_short_token_ttl_still_serves_calls() -> None:
    with wxcloud.Emulator(seed_sample=True, token_ttl=1) as emu:
        assert emu.client().count("test_collection") == 4
