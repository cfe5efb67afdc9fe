"""wechatpy's ``WeChatCloud`` (wechatpy 1.8.18, written against the real service) run unchanged
against the emulator, the way a wechatpy user points it at another host: every method, and the
mistakes wechatpy makes that the emulator shows (see docs/emulator.md, "Peer SDKs")."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests  # type: ignore[import-untyped, unused-ignore]
from wechatpy import WeChatClient  # type: ignore[import-untyped]
from wechatpy.client.api.cloud import ConflictMode, FileType  # type: ignore[import-untyped]
from wechatpy.exceptions import WeChatClientException  # type: ignore[import-untyped]

import wxcloud


class EmulatorWeChatClient(WeChatClient):  # type: ignore[misc]
    """A ``WeChatClient`` for another host. wechatpy hard-codes the token URL, so a user
    overrides ``fetch_access_token``; the cloud calls take their host from
    ``WeChatCloud.API_BASE_URL``."""

    def __init__(self, base_url: str, appid: str, secret: str) -> None:
        super().__init__(appid, secret)
        self.base_url = base_url
        self.cloud.API_BASE_URL = base_url + "/"

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=self.base_url + "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def echo(event: dict[str, Any]) -> dict[str, Any]:
    return {"got": event}


@pytest.fixture(scope="module")
def emu() -> Iterator[wxcloud.Emulator]:
    with wxcloud.Emulator(functions={"echo": echo}) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def wc(emu: wxcloud.Emulator) -> Any:
    return EmulatorWeChatClient(emu.base_url, emu.appid, emu.secret).cloud


@pytest.fixture(scope="module")
def env(emu: wxcloud.Emulator) -> str:
    return emu.env


def errcode_of(call: Callable[[], Any]) -> int:
    with pytest.raises(WeChatClientException) as raised:
        call()
    return int(raised.value.errcode)


def upload_file_last(cloud: Any, env: str, cloud_path: str, content: bytes) -> str:
    """The two-step upload as the service wants it (``file`` last), with wechatpy's own
    request for the upload link; returns the file ID."""
    res = cloud._post("tcb/uploadfile", data={"env": env, "path": cloud_path})
    reply = requests.post(
        res["url"],
        files=[
            ("key", (None, cloud_path)),
            ("Signature", (None, res["authorization"])),
            ("x-cos-security-token", (None, res["token"])),
            ("x-cos-meta-fileid", (None, res["cos_file_id"])),
            ("file", ("upload.bin", content)),
        ],
        timeout=30,
    )
    assert reply.status_code == 204, reply.text
    return str(res["file_id"])


def test_invoke_cloud_function(emu: wxcloud.Emulator, wc: Any, env: str) -> None:
    assert errcode_of(lambda: wc.invoke_cloud_function(env, "no_such_function", {})) == -501000
    # wechatpy sends an empty body when `data` is omitted: the service answers 44002.
    assert errcode_of(lambda: wc.invoke_cloud_function(env, "echo")) == 44002
    result = wc.invoke_cloud_function(env, "echo", {"a": [1, "x"]})
    assert result == {"got": {"a": [1, "x"], "userInfo": {"appId": emu.appid}}}


def test_database_methods(wc: Any, env: str) -> None:
    coll = "wechatpy_" + uuid.uuid4().hex[:8]
    wc.db_add_collection(env, coll)
    names = [c["name"] for c in wc.db_get_collection(env, limit=100)["collections"]]
    assert coll in names
    ids = wc.db_add(env, f'db.collection("{coll}").add({{data: [{{n: 1}}, {{n: 2}}, {{n: 3}}]}})')
    assert len(ids) == 3
    assert wc.db_count(env, f'db.collection("{coll}").where({{n: _.gte(2)}}).count()') == 2
    page = wc.db_query(env, f'db.collection("{coll}").orderBy("n", "desc").limit(2).get()')
    assert page["pager"] == {"Offset": 0, "Limit": 2, "Total": 3}
    assert [json.loads(r)["n"] for r in page["data"]] == [3, 2]
    updated = wc.db_update(env, f'db.collection("{coll}").where({{n: 1}}).update({{data: {{n: 10}}}})')
    assert (updated["matched"], updated["modified"]) == (1, 1)
    rows = wc.db_aggregate(env, f'db.collection("{coll}").aggregate().group({{_id: null, total: $.sum("$n")}}).end()')
    assert json.loads(rows[0])["total"] == 15
    assert wc.db_delete(env, f'db.collection("{coll}").where({{n: 10}}).remove()') == 1

    def index_count() -> int:
        listed = wc.db_get_collection(env, limit=100)["collections"]
        return int(next(c for c in listed if c["name"] == coll)["index_count"])

    # wechatpy sends its create list as the drop list too: creating an index asks to drop that
    # (missing) index, which the service refuses, and a drop-only call drops nothing.
    by_n = {"name": "by_n", "unique": False, "keys": [{"name": "n", "direction": "1"}]}
    assert errcode_of(lambda: wc.db_update_index(env, coll, create_indexes=[by_n])) == -502001
    assert index_count() == 1
    wc._post("tcb/updateindex", data={"env": env, "collection_name": coll, "create_indexes": [by_n]})
    assert index_count() == 2
    wc.db_update_index(env, coll, drop_indexes=[{"name": "by_n"}])
    assert index_count() == 2
    wc.db_delete_collection(env, coll)
    assert errcode_of(lambda: wc.db_delete_collection(env, coll)) == -502005


def test_storage_methods(wc: Any, env: str, tmp_path: Path) -> None:
    local = tmp_path / "photo.png"
    local.write_bytes(b"\x89PNG wechatpy upload")
    # wechatpy 1.8.18 puts `file` first in the COS form; COS ignores the fields after the file,
    # so the key and signature never arrive and the upload is refused.
    with pytest.raises(requests.HTTPError) as refused:
        wc.upload_file(env, str(local))
    response = refused.value.response
    assert response is not None and response.status_code == 400
    assert "<Code>InvalidArgument</Code>" in response.text

    file_id = upload_file_last(wc, env, "wechatpy/photo.png", local.read_bytes())
    listed = wc.download_files(env, [{"fileid": file_id, "max_age": 120}])
    assert [(f["fileid"], f["status"], f["errmsg"]) for f in listed] == [(file_id, 0, "ok")]
    got = requests.get(listed[0]["download_url"], timeout=30)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    assert got.content == local.read_bytes()

    deleted = wc.delete_files(env, [file_id])
    assert deleted == [{"fileid": file_id, "status": 0, "errmsg": "ok"}]
    again = wc.download_files(env, [{"fileid": file_id, "max_age": 120}])
    assert again[0]["status"] == -503003 and again[0]["download_url"] == ""
    too_many = [{"fileid": file_id, "max_age": 1}] * 51
    assert errcode_of(lambda: wc.download_files(env, too_many)) == -501007


def test_migration_methods(wc: Any, env: str) -> None:
    coll = "wechatpy_" + uuid.uuid4().hex[:8]
    wc.db_add_collection(env, coll)
    lines = b'{"_id":"a","n":1}\n{"_id":"b","n":2}\n{"_id":"c","n":3}\n'
    upload_file_last(wc, env, f"imports/{coll}.json", lines)
    job = wc.db_import(env, coll, f"imports/{coll}.json", FileType.JSON, ConflictMode.INSERT)
    info = wc.db_query_migrate_info(env, job)
    assert (info["status"], info["record_success"], info["record_fail"]) == ("success", 3, 0)

    job = wc.db_export(env, f"exports/{coll}.json", FileType.JSON, f'db.collection("{coll}").where({{n: _.gt(1)}}).get()')
    info = wc.db_query_migrate_info(env, job)
    assert (info["status"], info["record_success"]) == ("success", 2)
    exported = requests.get(info["file_url"], timeout=30)
    assert exported.status_code == 200
    assert sorted(json.loads(line)["_id"] for line in exported.text.splitlines()) == ["b", "c"]
    wc.db_delete_collection(env, coll)


def test_get_qcloud_token(wc: Any) -> None:
    token = wc.get_qcloud_token(lifespan=600)
    assert token["errcode"] == 0
    assert token["secretid"].startswith("AKID") and token["secretkey"] and token["token"]
    assert isinstance(token["expired_time"], int)
    assert errcode_of(lambda: wc.get_qcloud_token(lifespan=0)) == 40097
