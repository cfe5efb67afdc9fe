"""Type stubs for the Rust extension ``wxcloud._native`` (re-exported by ``wxcloud``)."""

import builtins
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from os import PathLike
from types import TracebackType
from typing import Any, Generic, Literal, Protocol, TypeVar, Union, overload

from typing_extensions import Self

from wxcloud.database import AsyncDatabase, Database

Record = dict[str, Any]
"""One record: field names in the service's order, native values."""

TokenReply = Union[str, tuple[str, float]]
"""What a ``token_provider`` returns: a token, or a token and its lifetime in seconds."""

TokenProvider = Callable[[], Union[TokenReply, Awaitable[TokenReply]]]
Direction = Union[Literal["asc", "desc", 1, -1], str, int]
OrderBy = Union[Sequence[tuple[str, Direction]], tuple[str, Direction]]
Fields = Union[Sequence[str], Mapping[str, Any]]

_R = TypeVar("_R", Record, str)

# ------------------------------------------------------------------ exceptions

class WxCloudError(Exception):
    """Base of every error wxcloud raises."""

    errcode: int | None
    """The service's errcode, for errors it returned; None otherwise."""
    errmsg: str | None
    """The service's errmsg, verbatim; None for errors that are not the service's."""
    kind: str | None
    """The error kind in snake case: ``"token"``, ``"transient"``, ``"timeout"``, ..."""
    hint: str | None
    """What to check or do about it (e.g. the IP whitelist for 40164), when there is advice."""
    cos_code: str | None
    """Cloud storage's error code (``SignatureDoesNotMatch``, ``AccessDenied``, ...) when it refused a transfer."""

class ApiError(WxCloudError):
    """The service answered with a non-zero errcode."""

    errcode: int
    errmsg: str

class TokenError(ApiError): ...
class ServerBusyError(ApiError): ...
class RateLimitError(ApiError): ...
class InvalidRequestError(ApiError): ...
class AccessDeniedError(ApiError): ...
class NotFoundError(ApiError): ...
class TransportError(WxCloudError): ...
class TimeoutError(WxCloudError, builtins.TimeoutError): ...
class DecodeError(WxCloudError): ...
class StatementError(WxCloudError, ValueError): ...

# ------------------------------------------------------------------ values

class Regex:
    """A BSON regular expression (pattern and option letters)."""

    @property
    def pattern(self) -> str: ...
    @property
    def options(self) -> str: ...
    def __init__(self, pattern: str, options: str = "") -> None: ...
    def compile(self) -> re.Pattern[str]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Timestamp:
    """A BSON timestamp."""

    @property
    def t(self) -> int: ...
    @property
    def i(self) -> int: ...
    def __init__(self, t: int, i: int) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Binary:
    """Binary data with a non-zero BSON subtype (subtype 0 is plain ``bytes``)."""

    @property
    def data(self) -> bytes: ...
    @property
    def subtype(self) -> int: ...
    def __init__(self, data: bytes, subtype: int = 0) -> None: ...
    def __bytes__(self) -> bytes: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class MinKey:
    def __init__(self) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class MaxKey:
    def __init__(self) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@overload
def decode(records: str) -> Record: ...  # type: ignore[overload-overlap]
@overload
def decode(records: Iterable[str]) -> list[Record]: ...
def decode_value(text: str) -> Any: ...
def encode(value: Any, *, relaxed: bool = False) -> str: ...

# ------------------------------------------------------------------ results

class QueryResult(Generic[_R]):
    """What ``query`` returns: one page of records and the pager."""

    @property
    def data(self) -> list[_R]: ...
    @property
    def offset(self) -> int: ...
    @property
    def limit(self) -> int: ...
    @property
    def total(self) -> int: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[_R]: ...

class UpdateResult:
    @property
    def matched(self) -> int: ...
    @property
    def modified(self) -> int: ...
    @property
    def id(self) -> str | None: ...

class CollectionInfo:
    @property
    def name(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def size(self) -> int: ...
    @property
    def index_count(self) -> int: ...
    @property
    def index_size(self) -> int: ...

class CollectionList:
    @property
    def collections(self) -> list[CollectionInfo]: ...
    @property
    def offset(self) -> int: ...
    @property
    def limit(self) -> int: ...
    @property
    def total(self) -> int: ...
    def names(self) -> list[str]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[CollectionInfo]: ...

class MigrateStatus:
    @property
    def status(self) -> str: ...
    @property
    def record_success(self) -> int: ...
    @property
    def record_fail(self) -> int: ...
    @property
    def error_message(self) -> str | None: ...
    @property
    def file_url(self) -> str | None: ...

class DownloadLink:
    """One file of ``download_urls()``; the repr hides the link's signature."""

    @property
    def file_id(self) -> str: ...
    @property
    def url(self) -> str:
        """The signed link, empty when ``status`` is not 0. A secret until it expires."""
    @property
    def status(self) -> int: ...
    @property
    def errmsg(self) -> str: ...
    @property
    def ok(self) -> bool: ...

class DeleteResult:
    """One file of ``delete_files()``: ``status`` 0 means it was deleted."""

    @property
    def file_id(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def errmsg(self) -> str: ...
    @property
    def ok(self) -> bool: ...

class QcloudToken:
    """Temporary Tencent Cloud credentials; the repr hides ``secretkey`` and ``token``."""

    @property
    def secretid(self) -> str: ...
    @property
    def secretkey(self) -> str: ...
    @property
    def token(self) -> str: ...
    @property
    def expired_time(self) -> int:
        """When they expire, in seconds since the Unix epoch."""

class _BinaryFile(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...

UploadSource = Union[bytes, bytearray, memoryview, str, PathLike[str], _BinaryFile]
"""What ``upload_file`` reads: the content, a local file's path, or a binary file object."""

CloudFunction = Callable[[dict[str, Any]], Any]
"""A cloud function the ``Emulator`` serves: gets the event, returns (or awaits) a JSON value."""

IndexSpec = Mapping[str, Any]
"""``{"name": str, "unique": bool, "keys": [(field, 1 | -1 | "2dsphere"), ...]}``."""

# ------------------------------------------------------------------ clients

class Client(Generic[_R]):
    """A blocking client; releases the GIL while it waits and can be shared by threads."""

    @overload
    def __init__(
        self: Client[Record],
        appid: str | None = None,
        secret: str | None = None,
        env: str | None = None,
        *,
        base_url: str | None = None,
        access_token: str | None = None,
        token_provider: TokenProvider | None = None,
        token_mode: Literal["stable", "client_credential"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        redis_url: str | list[str] | None = None,
        redis_ca_file: str | PathLike[str] | None = None,
        redis_key_prefix: str | None = None,
        raw: Literal[False] = False,
    ) -> None: ...
    @overload
    def __init__(
        self: Client[str],
        appid: str | None = None,
        secret: str | None = None,
        env: str | None = None,
        *,
        base_url: str | None = None,
        access_token: str | None = None,
        token_provider: TokenProvider | None = None,
        token_mode: Literal["stable", "client_credential"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        redis_url: str | list[str] | None = None,
        redis_ca_file: str | PathLike[str] | None = None,
        redis_key_prefix: str | None = None,
        raw: Literal[True],
    ) -> None: ...
    @property
    def env(self) -> str: ...
    @property
    def raw(self) -> bool: ...
    def with_env(self, env: str) -> Self: ...
    def aggregate(self, statement_or_collection: str, pipeline: Sequence[Mapping[str, Any]] | None = None) -> list[_R]: ...
    def query(
        self,
        statement_or_collection: str,
        *,
        where: Mapping[str, Any] | None = None,
        order_by: OrderBy | None = None,
        skip: int | None = None,
        limit: int | None = None,
        fields: Fields | None = None,
    ) -> QueryResult[_R]: ...
    def count(self, statement_or_collection: str, *, where: Mapping[str, Any] | None = None) -> int: ...
    def add(self, statement_or_collection: str, docs: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> list[str]: ...
    def update(
        self, statement_or_collection: str, where: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None
    ) -> UpdateResult: ...
    def delete(self, statement_or_collection: str, where: Mapping[str, Any] | None = None) -> int: ...
    def create_collection(self, name: str) -> None: ...
    def delete_collection(self, name: str) -> None: ...
    def list_collections(self, *, limit: int | None = None, offset: int | None = None) -> CollectionList: ...
    def update_index(self, collection: str, *, create: Sequence[IndexSpec] | None = None, drop: Sequence[str] | None = None) -> None: ...
    def migrate_import(
        self,
        collection: str,
        file_path: str,
        *,
        file_type: Literal["json", "csv"] = "json",
        stop_on_error: bool = False,
        conflict_mode: Literal["insert", "upsert"] = "insert",
    ) -> int: ...
    def migrate_export(self, file_path: str, query: str, *, file_type: Literal["json", "csv"] = "json") -> int: ...
    def database(self) -> Database:
        """The wx-server-sdk database API over this client: ``db.collection("c").where(..).get()``."""
    def iter_query(
        self,
        collection: str,
        where: Mapping[str, Any] | None = None,
        order_by: OrderBy | None = None,
        fields: Fields | None = None,
        *,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> Iterator[Record]:
        """Every record the query matches, fetched by key in pages of up to 1,000 (decoded even
        on a raw client)."""
    def migrate_status(self, job_id: int) -> MigrateStatus: ...
    def invoke_function(self, name: str, data: Any = None) -> Any: ...
    def upload_file(self, cloud_path: str, source: UploadSource) -> str: ...
    def download_file(self, file_id: str) -> bytes: ...
    def download_urls(self, file_ids: Sequence[str], max_age: int = 7200) -> list[DownloadLink]: ...
    def delete_files(self, file_ids: Sequence[str]) -> list[DeleteResult]: ...
    def qcloud_token(self, lifespan: int = 7200) -> QcloudToken: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]: ...

class AsyncClient(Generic[_R]):
    """An asyncio client: every method returns an awaitable; runs on one shared tokio runtime."""

    @overload
    def __init__(
        self: AsyncClient[Record],
        appid: str | None = None,
        secret: str | None = None,
        env: str | None = None,
        *,
        base_url: str | None = None,
        access_token: str | None = None,
        token_provider: TokenProvider | None = None,
        token_mode: Literal["stable", "client_credential"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        redis_url: str | list[str] | None = None,
        redis_ca_file: str | PathLike[str] | None = None,
        redis_key_prefix: str | None = None,
        raw: Literal[False] = False,
    ) -> None: ...
    @overload
    def __init__(
        self: AsyncClient[str],
        appid: str | None = None,
        secret: str | None = None,
        env: str | None = None,
        *,
        base_url: str | None = None,
        access_token: str | None = None,
        token_provider: TokenProvider | None = None,
        token_mode: Literal["stable", "client_credential"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        redis_url: str | list[str] | None = None,
        redis_ca_file: str | PathLike[str] | None = None,
        redis_key_prefix: str | None = None,
        raw: Literal[True],
    ) -> None: ...
    @property
    def env(self) -> str: ...
    @property
    def raw(self) -> bool: ...
    def with_env(self, env: str) -> Self: ...
    def aggregate(
        self, statement_or_collection: str, pipeline: Sequence[Mapping[str, Any]] | None = None
    ) -> Awaitable[list[_R]]: ...
    def query(
        self,
        statement_or_collection: str,
        *,
        where: Mapping[str, Any] | None = None,
        order_by: OrderBy | None = None,
        skip: int | None = None,
        limit: int | None = None,
        fields: Fields | None = None,
    ) -> Awaitable[QueryResult[_R]]: ...
    def count(self, statement_or_collection: str, *, where: Mapping[str, Any] | None = None) -> Awaitable[int]: ...
    def add(
        self, statement_or_collection: str, docs: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> Awaitable[list[str]]: ...
    def update(
        self, statement_or_collection: str, where: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None
    ) -> Awaitable[UpdateResult]: ...
    def delete(self, statement_or_collection: str, where: Mapping[str, Any] | None = None) -> Awaitable[int]: ...
    def create_collection(self, name: str) -> Awaitable[None]: ...
    def delete_collection(self, name: str) -> Awaitable[None]: ...
    def list_collections(self, *, limit: int | None = None, offset: int | None = None) -> Awaitable[CollectionList]: ...
    def update_index(
        self, collection: str, *, create: Sequence[IndexSpec] | None = None, drop: Sequence[str] | None = None
    ) -> Awaitable[None]: ...
    def migrate_import(
        self,
        collection: str,
        file_path: str,
        *,
        file_type: Literal["json", "csv"] = "json",
        stop_on_error: bool = False,
        conflict_mode: Literal["insert", "upsert"] = "insert",
    ) -> Awaitable[int]: ...
    def migrate_export(self, file_path: str, query: str, *, file_type: Literal["json", "csv"] = "json") -> Awaitable[int]: ...
    def database(self) -> AsyncDatabase:
        """The wx-server-sdk database API over this client, each ending call an awaitable."""
    def iter_query(
        self,
        collection: str,
        where: Mapping[str, Any] | None = None,
        order_by: OrderBy | None = None,
        fields: Fields | None = None,
        *,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Record]:
        """Every record the query matches, fetched by key in pages of up to 1,000 (``async for``)."""
    def migrate_status(self, job_id: int) -> Awaitable[MigrateStatus]: ...
    def invoke_function(self, name: str, data: Any = None) -> Awaitable[Any]: ...
    def upload_file(self, cloud_path: str, source: UploadSource) -> Awaitable[str]: ...
    def download_file(self, file_id: str) -> Awaitable[bytes]: ...
    def download_urls(self, file_ids: Sequence[str], max_age: int = 7200) -> Awaitable[list[DownloadLink]]: ...
    def delete_files(self, file_ids: Sequence[str]) -> Awaitable[list[DeleteResult]]: ...
    def qcloud_token(self, lifespan: int = 7200) -> Awaitable[QcloudToken]: ...
    def close(self) -> Awaitable[None]: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]: ...

# ------------------------------------------------------------------ emulator

class Emulator:
    """A local Cloud Base running in this process (in memory unless given ``data_path``)."""

    @property
    def base_url(self) -> str: ...
    @property
    def appid(self) -> str: ...
    @property
    def secret(self) -> str: ...
    @property
    def env(self) -> str: ...
    def __init__(
        self,
        *,
        data_path: str | PathLike[str] | None = None,
        seed_sample: bool = False,
        token_ttl: float | None = None,
        functions: Mapping[str, CloudFunction] | None = None,
        function_timeout: float | None = None,
    ) -> None: ...
    @overload
    def client(
        self,
        *,
        env: str | None = None,
        raw: Literal[False] = False,
        timeout: float | None = None,
        max_retries: int | None = None,
        token_mode: Literal["stable", "client_credential"] | None = None,
    ) -> Client[Record]: ...
    @overload
    def client(
        self,
        *,
        env: str | None = None,
        raw: Literal[True],
        timeout: float | None = None,
        max_retries: int | None = None,
        token_mode: Literal["stable", "client_credential"] | None = None,
    ) -> Client[str]: ...
    @overload
    def async_client(
        self,
        *,
        env: str | None = None,
        raw: Literal[False] = False,
        timeout: float | None = None,
        max_retries: int | None = None,
        token_mode: Literal["stable", "client_credential"] | None = None,
    ) -> AsyncClient[Record]: ...
    @overload
    def async_client(
        self,
        *,
        env: str | None = None,
        raw: Literal[True],
        timeout: float | None = None,
        max_retries: int | None = None,
        token_mode: Literal["stable", "client_credential"] | None = None,
    ) -> AsyncClient[str]: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]: ...

# ------------------------------------------------------------------ internals

def statement_aggregate(collection: str, pipeline: Sequence[Mapping[str, Any]]) -> str: ...
def statement_query(
    collection: str,
    *,
    where: Mapping[str, Any] | None = None,
    order_by: OrderBy | None = None,
    skip: int | None = None,
    limit: int | None = None,
    fields: Fields | None = None,
) -> str: ...
def statement_count(collection: str, *, where: Mapping[str, Any] | None = None) -> str: ...
def statement_add(collection: str, docs: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> str: ...
def statement_update(collection: str, where: Mapping[str, Any], data: Mapping[str, Any]) -> str: ...
def statement_delete(collection: str, where: Mapping[str, Any]) -> str: ...
def _set_log_sink(sink: Callable[[int, str, str], None], min_level: int) -> None: ...
def _set_log_level(min_level: int) -> None: ...
def _wait_idle(timeout: float) -> None: ...

# ------------------------------------------------------------------ whole collections and SDK chains (wxcloud.database)

class QueryPages:
    """A walk over every record a query matches, a page (up to 1,000 records) at a time."""

    def next_page(self) -> list[Record] | None: ...
    def next_page_async(self) -> Awaitable[list[Record]]: ...

def _chain_statement(chain: Mapping[str, Any]) -> tuple[str, str]: ...
def _vocabulary() -> tuple[list[str], list[str], list[str], list[str]]: ...
def _query_pages(
    client: Client[Any] | AsyncClient[Any],
    collection: str,
    *,
    where: Mapping[str, Any] | None = None,
    order_by: OrderBy | None = None,
    fields: Fields | None = None,
    limit: int | None = None,
    page_size: int | None = None,
) -> QueryPages: ...
def _chain_pages(client: Client[Any] | AsyncClient[Any], chain: Mapping[str, Any], *, page_size: int | None = None) -> QueryPages: ...
