"""File storage through Client and AsyncClient against the in-process emulator: uploads from
bytes, paths and file objects, downloads, links, deletes, temporary credentials — and the bad
input refused before anything is sent."""

from __future__ import annotations

import hashlib
import io
import random
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wxcloud

from conftest import Hooks

MB = 1024 * 1024


def cloud_path(name: str) -> str:
    return f"py-tests/{uuid.uuid4().hex[:10]}/{name}"


@pytest.fixture(scope="module")
def big() -> bytes:
    return random.Random(20).randbytes(20 * MB)


class CountingReader(io.RawIOBase):
    """A binary file object that remembers how much each read() asked for."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)
        self.requests: list[int] = []

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        self.requests.append(-1 if size is None else size)
        return self._inner.read(size)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_upload_returns_a_cloud_file_id_and_download_gives_the_bytes(client: wxcloud.Client[dict[str, Any]]) -> None:
    file_id = client.upload_file(cloud_path("hello.txt"), b"hello, storage")
    assert file_id.startswith(f"cloud://{client.env}.")
    assert file_id.endswith("/hello.txt")
    assert client.download_file(file_id) == b"hello, storage"


@pytest.mark.parametrize("source", [bytearray(b"\x00\x01\x02bytes"), memoryview(b"\x00\x01\x02bytes")])
def test_bytearray_and_memoryview_upload_like_bytes(client: wxcloud.Client[dict[str, Any]], source: Any) -> None:
    file_id = client.upload_file(cloud_path("b.bin"), source)
    assert client.download_file(file_id) == b"\x00\x01\x02bytes"


def test_20_mb_from_bytes_round_trips(client: wxcloud.Client[dict[str, Any]], big: bytes) -> None:
    file_id = client.upload_file(cloud_path("big-bytes.bin"), big)
    assert sha(client.download_file(file_id)) == sha(big)


def test_20_mb_from_a_path_round_trips(client: wxcloud.Client[dict[str, Any]], big: bytes, tmp_path: Path) -> None:
    local = tmp_path / "big.bin"
    local.write_bytes(big)
    file_id = client.upload_file(cloud_path("big-path.bin"), local)
    assert sha(client.download_file(file_id)) == sha(big)
    # A str path works the same.
    file_id = client.upload_file(cloud_path("big-str.bin"), str(local))
    assert sha(client.download_file(file_id)) == sha(big)


def test_20_mb_from_a_file_object_is_read_in_chunks(client: wxcloud.Client[dict[str, Any]], big: bytes) -> None:
    reader = CountingReader(big)
    file_id = client.upload_file(cloud_path("big-file.bin"), reader)
    assert sha(client.download_file(file_id)) == sha(big)
    # Streamed: many bounded reads, never one read of everything.
    assert len(reader.requests) > 10
    assert all(0 < n <= 4 * MB for n in reader.requests)


def test_an_open_binary_file_uploads(client: wxcloud.Client[dict[str, Any]], tmp_path: Path) -> None:
    local = tmp_path / "f.bin"
    local.write_bytes(b"from an open file")
    with open(local, "rb") as f:
        file_id = client.upload_file(cloud_path("f.bin"), f)
    assert client.download_file(file_id) == b"from an open file"


async def test_async_client_uploads_downloads_and_deletes(emulator: wxcloud.Emulator, big: bytes, tmp_path: Path) -> None:
    client = emulator.async_client(max_retries=0)
    local = tmp_path / "a.bin"
    local.write_bytes(big[: 3 * MB])
    ids = [
        await client.upload_file(cloud_path("a1.bin"), big[: 3 * MB]),
        await client.upload_file(cloud_path("a2.bin"), local),
        await client.upload_file(cloud_path("a3.bin"), io.BytesIO(big[: 3 * MB])),
    ]
    for file_id in ids:
        assert sha(await client.download_file(file_id)) == sha(big[: 3 * MB])
    links = await client.download_urls(ids, max_age=60)
    assert [link.file_id for link in links] == ids
    results = await client.delete_files(ids)
    assert [r.status for r in results] == [0, 0, 0]
    token = await client.qcloud_token(lifespan=600)
    assert token.token


def test_download_urls_keep_input_order_and_report_a_missing_file_in_its_own_entry(
    client: wxcloud.Client[dict[str, Any]],
) -> None:
    first = client.upload_file(cloud_path("one.txt"), b"one")
    third = client.upload_file(cloud_path("three.txt"), b"three")
    missing = first.rsplit("/", 1)[0] + "/not-there.txt"
    links = client.download_urls([first, missing, third], max_age=120)
    assert [link.file_id for link in links] == [first, missing, third]
    assert [link.status == 0 for link in links] == [True, False, True]
    assert links[1].errmsg
    # The links serve the bytes, as a browser or a Mini Program would fetch them.
    with urllib.request.urlopen(links[0].url, timeout=10) as reply:
        assert reply.read() == b"one"
    with urllib.request.urlopen(links[2].url, timeout=10) as reply:
        assert reply.read() == b"three"


def test_download_urls_of_many_files(client: wxcloud.Client[dict[str, Any]]) -> None:
    base = client.upload_file(cloud_path("x.txt"), b"x")
    ids = [base] + [base.rsplit("/", 1)[0] + f"/missing-{i}.txt" for i in range(119)]
    links = client.download_urls(ids)
    assert [link.file_id for link in links] == ids
    assert links[0].status == 0 and all(link.status != 0 for link in links[1:])


def test_delete_files_reports_each_file_and_the_file_is_gone(client: wxcloud.Client[dict[str, Any]]) -> None:
    file_id = client.upload_file(cloud_path("doomed.txt"), b"bye")
    missing = file_id.rsplit("/", 1)[0] + "/never-was.txt"
    results = client.delete_files([file_id, missing])
    assert [r.file_id for r in results] == [file_id, missing]
    assert results[0].status == 0
    with pytest.raises(wxcloud.NotFoundError):
        client.download_file(file_id)


def test_a_missing_file_downloads_as_not_found(client: wxcloud.Client[dict[str, Any]]) -> None:
    file_id = client.upload_file(cloud_path("here.txt"), b"here")
    with pytest.raises(wxcloud.NotFoundError) as info:
        client.download_file(file_id.rsplit("/", 1)[0] + "/not-here.txt")
    assert info.value.kind == "not_found"


def test_qcloud_token_gives_temporary_credentials(client: wxcloud.Client[dict[str, Any]]) -> None:
    creds = client.qcloud_token(lifespan=1800)
    assert creds.secretid and creds.secretkey and creds.token
    assert isinstance(creds.expired_time, int) and creds.expired_time > 0


def test_a_cos_xml_refusal_is_a_typed_error_carrying_the_cos_code(
    client: wxcloud.Client[dict[str, Any]], hooks: Hooks
) -> None:
    bucket = client.upload_file(cloud_path("probe.txt"), b"p").split("/")[2].split(".", 1)[1]
    xml = "<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>bad signature</Message></Error>"
    target = cloud_path("refused.txt")
    hooks.fault(path=f"/cos/{bucket}/{target}", status=403, body=xml, times=1)
    with pytest.raises(wxcloud.AccessDeniedError) as info:
        client.upload_file(target, b"data")
    assert info.value.cos_code == "SignatureDoesNotMatch"
    assert info.value.kind == "access_denied"


# ---------------------------------------------------------------- bad input, refused before sending


@pytest.fixture
def nothing_sent(hooks: Hooks) -> Iterator[None]:
    paths = ["/tcb/uploadfile", "/tcb/invokecloudfunction"]
    before = {p: hooks.requests(p) for p in paths}
    yield
    assert {p: hooks.requests(p) for p in paths} == before


def test_a_local_path_that_does_not_exist_is_refused(
    client: wxcloud.Client[dict[str, Any]], tmp_path: Path, nothing_sent: None
) -> None:
    with pytest.raises(wxcloud.InvalidRequestError, match="does not exist|No such file|not found"):
        client.upload_file(cloud_path("x"), tmp_path / "nope.bin")


@pytest.mark.parametrize("source", [42, 1.5, None, ["a"], {"a": 1}, "ignored".encode().decode, io.StringIO("text")])
def test_a_source_of_the_wrong_type_is_a_type_error(
    client: wxcloud.Client[dict[str, Any]], source: Any, nothing_sent: None
) -> None:
    with pytest.raises(TypeError, match="bytes, a path or a binary file"):
        client.upload_file(cloud_path("x"), source)


@pytest.mark.parametrize("path", ["", "a/../b.txt", "../up.txt", "a/.."])
def test_an_empty_cloud_path_or_one_with_dotdot_is_refused(
    client: wxcloud.Client[dict[str, Any]], path: str, nothing_sent: None
) -> None:
    with pytest.raises(wxcloud.InvalidRequestError):
        client.upload_file(path, b"data")


def test_a_link_age_or_credential_lifespan_under_a_second_is_refused(client: wxcloud.Client[dict[str, Any]]) -> None:
    with pytest.raises(wxcloud.InvalidRequestError):
        client.download_urls(["cloud://x.y/z"], max_age=0)
    with pytest.raises(wxcloud.InvalidRequestError):
        client.qcloud_token(lifespan=0)
    with pytest.raises(OverflowError):
        client.download_urls(["cloud://x.y/z"], max_age=-1)


# ---------------------------------------------------------------- redaction


def test_reprs_and_errors_reveal_no_signature_or_credential(client: wxcloud.Client[dict[str, Any]]) -> None:
    file_id = client.upload_file(cloud_path("secret.txt"), b"s")
    (link,) = client.download_urls([file_id])
    query = link.url.split("?", 1)[1]
    assert query, "a download link is signed"
    shown = repr(link) + str(link)
    assert query not in shown
    for value in [part.split("=", 1)[-1] for part in query.split("&")]:
        assert len(value) < 8 or value not in shown
    assert file_id in repr(link)

    creds = client.qcloud_token()
    shown = repr(creds) + str(creds)
    for secret in (creds.secretkey, creds.token):
        assert secret not in shown
    assert "secretkey" in repr(creds)

    with pytest.raises(wxcloud.NotFoundError) as info:
        client.download_file(file_id + ".missing")
    assert query not in str(info.value) and "sign" not in str(info.value).lower()
