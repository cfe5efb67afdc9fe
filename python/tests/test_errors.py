"""Failures raise the contract's exception classes, with errcode/errmsg, picklable, no secrets."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import wxcloud
from conftest import Hooks

AGG = "/tcb/databaseaggregate"


def test_hierarchy_matches_the_contract() -> None:
    api: list[type[wxcloud.WxCloudError]] = [wxcloud.TokenError, wxcloud.ServerBusyError, wxcloud.RateLimitError, wxcloud.InvalidRequestError,
           wxcloud.AccessDeniedError, wxcloud.NotFoundError]
    for cls in api:
        assert issubclass(cls, wxcloud.ApiError)
    for cls in [wxcloud.ApiError, wxcloud.TransportError, wxcloud.TimeoutError, wxcloud.DecodeError, wxcloud.StatementError]:
        assert issubclass(cls, wxcloud.WxCloudError)
    assert issubclass(wxcloud.WxCloudError, Exception)
    assert issubclass(wxcloud.TimeoutError, TimeoutError)
    assert issubclass(wxcloud.StatementError, ValueError)


@pytest.mark.parametrize(
    ("errcode", "cls"),
    [
        (-1, wxcloud.ServerBusyError),
        (45009, wxcloud.RateLimitError),
        (-501007, wxcloud.InvalidRequestError),
        (-502003, wxcloud.AccessDeniedError),
        (-502005, wxcloud.NotFoundError),
        (-502001, wxcloud.ApiError),
    ],
)
def test_fault_errcodes_raise_their_class(
    client: wxcloud.Client[dict[str, Any]], hooks: Hooks, errcode: int, cls: type[wxcloud.ApiError]
) -> None:
    hooks.fault(path=AGG, errcode=errcode, errmsg="injected", times=1)
    with pytest.raises(cls) as info:
        client.aggregate("test_collection", [])
    err = info.value
    assert type(err) is cls
    assert err.errcode == errcode and err.errmsg == "injected"
    assert str(errcode) in str(err)


def test_token_rejected_twice_raises_token_error_after_one_refresh(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    # client_credential: one refresh is one token request (stable_token may need two: a normal
    # fetch that returns the same token, then a forced one).
    client = emulator.client(max_retries=0, token_mode="client_credential")
    client.count("test_collection")  # warm the token
    before = hooks.token_fetches()
    hooks.fault(path="/tcb/databasecount", errcode=40001, errmsg="invalid credential", times=2)
    with pytest.raises(wxcloud.TokenError) as info:
        client.count("test_collection")
    assert info.value.errcode == 40001
    assert hooks.token_fetches() - before == 1


def test_non_json_reply_is_a_transport_error(client: wxcloud.Client[dict[str, Any]], hooks: Hooks) -> None:
    hooks.fault(path=AGG, status=502, body="<html>bad gateway</html>", times=1)
    with pytest.raises(wxcloud.TransportError) as info:
        client.aggregate("test_collection", [])
    assert info.value.errcode is None


def test_errors_carry_a_hint_when_there_is_advice(client: wxcloud.Client[dict[str, Any]], hooks: Hooks) -> None:
    hooks.fault(path=AGG, errcode=40164, errmsg="invalid ip, not in whitelist", times=1)
    with pytest.raises(wxcloud.AccessDeniedError) as info:
        client.aggregate("test_collection", [])
    assert info.value.hint and "whitelist" in info.value.hint.lower()
    assert wxcloud.StatementError("x").hint is None


def test_dropped_connection_is_a_transport_error(client: wxcloud.Client[dict[str, Any]], hooks: Hooks) -> None:
    hooks.fault(path=AGG, drop=True, times=1)
    with pytest.raises(wxcloud.TransportError):
        client.aggregate("test_collection", [])


def test_slow_reply_raises_timeout_error(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    client = emulator.client(timeout=0.3, max_retries=0)
    client.count("test_collection")
    hooks.fault(path="/tcb/databasecount", delay_ms=3000, times=1)
    with pytest.raises(wxcloud.TimeoutError) as info:
        client.count("test_collection")
    assert isinstance(info.value, TimeoutError)


def test_undecodable_record_is_a_decode_error(client: wxcloud.Client[dict[str, Any]], hooks: Hooks) -> None:
    hooks.fault(path=AGG, status=200, body='{"errcode":0,"errmsg":"ok","data":["{not json"]}', times=1)
    with pytest.raises(wxcloud.DecodeError):
        client.aggregate("test_collection", [])


def test_a_write_is_never_repeated_on_system_busy(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    client = emulator.client(max_retries=3)
    client.count("test_collection")
    before = hooks.requests("/tcb/databaseadd")
    hooks.fault(path="/tcb/databaseadd", errcode=-1, errmsg="system busy", times=1)
    with pytest.raises(wxcloud.ServerBusyError):
        client.add("test_collection", {"x": 1})
    assert hooks.requests("/tcb/databaseadd") - before == 1


def test_reads_are_retried_on_system_busy(emulator: wxcloud.Emulator, hooks: Hooks) -> None:
    client = emulator.client(max_retries=3)
    hooks.fault(path="/tcb/databasecount", errcode=-1, errmsg="system busy", times=2)
    assert client.count("test_collection") == 4


def test_exceptions_pickle_with_their_attributes(client: wxcloud.Client[dict[str, Any]], hooks: Hooks) -> None:
    hooks.fault(path=AGG, errcode=-502005, errmsg="collection not exists", times=1)
    with pytest.raises(wxcloud.NotFoundError) as info:
        client.aggregate("test_collection", [])
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is wxcloud.NotFoundError
    assert (back.errcode, back.errmsg, back.kind, str(back)) == (-502005, "collection not exists", "not_found", str(info.value))
    for err in (wxcloud.StatementError("x"), wxcloud.TimeoutError("y")):
        assert type(pickle.loads(pickle.dumps(err))) is type(err)


def test_no_secret_or_token_in_messages(emulator: wxcloud.Emulator) -> None:
    secret = "S3CRET-never-print-me"
    bad = wxcloud.Client(emulator.appid, secret, emulator.env, base_url=emulator.base_url, max_retries=0)
    with pytest.raises(wxcloud.WxCloudError) as info:
        bad.count("test_collection")
    assert isinstance(info.value, wxcloud.TokenError)
    token = "TOKEN-never-print-me"
    fixed = wxcloud.Client(env=emulator.env, base_url=emulator.base_url, access_token=token, max_retries=0)
    with pytest.raises(wxcloud.TokenError) as info2:
        fixed.count("test_collection")
    for err, needle in ((info.value, secret), (info2.value, token)):
        assert needle not in str(err) and needle not in repr(err) and needle not in repr(err.args)
    assert secret not in repr(bad) and token not in repr(fixed)


def test_statement_errors_are_raised_before_sending(client: wxcloud.Client[dict[str, Any]], hooks: Hooks) -> None:
    before = hooks.requests(AGG)
    with pytest.raises(wxcloud.StatementError):
        client.aggregate("test_collection", [{"$noSuchStage": 1}])
    assert hooks.requests(AGG) == before


KIND_CLASS: dict[str, type[wxcloud.WxCloudError]] = {
    "Token": wxcloud.TokenError,
    "Transient": wxcloud.ServerBusyError,
    "RateLimit": wxcloud.RateLimitError,
    "InvalidRequest": wxcloud.InvalidRequestError,
    "AccessDenied": wxcloud.AccessDeniedError,
    "NotFound": wxcloud.NotFoundError,
    "Api": wxcloud.ApiError,
}


def errcode_cases() -> list[Any]:
    from conftest import load_vectors

    try:
        table = load_vectors("errcodes.json")
    except pytest.skip.Exception:
        return []
    return [
        pytest.param(e["errcode"], e["kind"], e.get("endpoint", "database"), id=f'{e.get("endpoint", "db")}{e["errcode"]}')
        for e in table
    ]


@pytest.mark.parametrize(("errcode", "kind", "endpoint"), errcode_cases())
def test_shared_errcode_vector_raises_its_class(
    emulator: wxcloud.Emulator, hooks: Hooks, errcode: int, kind: str, endpoint: str
) -> None:
    # A cold token cache. Database-side token codes make the client refresh; with stable_token
    # that is a forced refresh, which the emulator (like the service) allows once per 30 s.
    client = emulator.client(max_retries=0, token_mode=None if endpoint == "token" else "client_credential")
    if endpoint == "token":
        hooks.fault(path="/cgi-bin/stable_token", errcode=errcode, errmsg="vector", times=1)
    else:
        client.count("test_collection")
        # A token errcode is retried once after a refresh, so it must come twice to surface.
        hooks.fault(path="/tcb/databasecount", errcode=errcode, errmsg="vector", times=2 if kind == "Token" else 1)
    with pytest.raises(wxcloud.WxCloudError) as info:
        client.count("test_collection")
    assert type(info.value) is KIND_CLASS[kind]
    assert info.value.errcode == errcode
