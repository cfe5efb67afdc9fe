"""The Redis options of the clients: one URL or a list of cluster nodes, a CA file; bad values are
typed errors and passwords never appear in them (the Redis behaviour itself is tested in Rust,
against real servers, by scripts/suites/redis.sh)."""

from pathlib import Path

import pytest

import wxcloud

PASSWORD = "hunter2-never-print-me"


def test_every_redis_url_form_is_accepted() -> None:
    for url in (
        f"rediss://:{PASSWORD}@127.0.0.1:6380/0",
        f"redis://:{PASSWORD}@127.0.0.1:7000,redis://:{PASSWORD}@127.0.0.1:7001",
        [f"redis://:{PASSWORD}@127.0.0.1:7000", f"redis://:{PASSWORD}@127.0.0.1:7001"],
        f"redis+sentinel://:{PASSWORD}@127.0.0.1:26379,127.0.0.1:26380/mymaster",
    ):
        client = wxcloud.Client("wx1", "secret", "env-1", redis_url=url)
        assert PASSWORD not in repr(client)


@pytest.mark.parametrize(
    "url",
    [
        [f"redis://:{PASSWORD}@127.0.0.1:7000", f"redis://:{PASSWORD}@[bad"],
        f"redis+sentinel://:{PASSWORD}@127.0.0.1:26379",
        f"rediss://:{PASSWORD}@127.0.0.1:6380/#insecure",
    ],
)
def test_a_bad_redis_url_is_an_invalid_request_without_the_password(url: str | list[str]) -> None:
    with pytest.raises(wxcloud.InvalidRequestError) as info:
        wxcloud.Client("wx1", "secret", "env-1", redis_url=url)
    assert PASSWORD not in str(info.value) and PASSWORD not in repr(info.value)


def test_a_ca_file_is_read_and_checked(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("not a certificate")
    with pytest.raises(wxcloud.InvalidRequestError, match="no PEM certificate"):
        wxcloud.AsyncClient("wx1", "secret", "env-1", redis_url="rediss://127.0.0.1:6380", redis_ca_file=ca)
    with pytest.raises(wxcloud.InvalidRequestError, match="cannot read"):
        wxcloud.Client("wx1", "secret", "env-1", redis_url="rediss://127.0.0.1:6380", redis_ca_file=str(tmp_path / "none.pem"))


def test_a_redis_url_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        wxcloud.Client("wx1", "secret", "env-1", redis_url=6379)  # type: ignore[call-overload]
