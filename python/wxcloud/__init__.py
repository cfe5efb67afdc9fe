"""wxcloud — a client for the WeChat Cloud Base HTTP API: database, cloud functions, storage.

``Client`` (blocking) and ``AsyncClient`` (asyncio) run every database operation in its
statement form (``client.aggregate('db.collection("c").aggregate()...end()')``) or its
structured form (``client.aggregate("c", [{"$match": {...}}])``), returning records as dicts of
native Python values; they also invoke cloud functions (``invoke_function``) and manage files
(``upload_file``, ``download_file``, ``download_urls``, ``delete_files``); ``client.database()``
offers the wx-server-sdk chain (``db.collection("c").where({...}).get()``) and
``client.iter_query(...)`` every record a query matches. ``Emulator`` runs a local Cloud Base
in-process for tests, with cloud functions written in Python. Every error is a
``WxCloudError``. The work is done by the Rust core; this package converts values and errors.
"""

from __future__ import annotations

from typing import Any, Dict

from wxcloud import _aio, _logging, database, statements
from wxcloud._native import (
    AccessDeniedError,
    ApiError,
    AsyncClient,
    Binary,
    Client,
    CollectionInfo,
    CollectionList,
    DecodeError,
    DeleteResult,
    DownloadLink,
    Emulator,
    InvalidRequestError,
    MaxKey,
    MigrateStatus,
    MinKey,
    NotFoundError,
    QueryResult,
    RateLimitError,
    Regex,
    QcloudToken,
    ServerBusyError,
    StatementError,
    Timestamp,
    TimeoutError,
    TokenError,
    TransportError,
    UpdateResult,
    WxCloudError,
    decode,
    decode_value,
    encode,
)

Record = Dict[str, Any]
"""One record: field names in the service's order, each with its native Python value."""

__all__ = [
    "AccessDeniedError",
    "ApiError",
    "AsyncClient",
    "Binary",
    "Client",
    "CollectionInfo",
    "CollectionList",
    "DecodeError",
    "DeleteResult",
    "DownloadLink",
    "Emulator",
    "InvalidRequestError",
    "MaxKey",
    "MigrateStatus",
    "MinKey",
    "NotFoundError",
    "QcloudToken",
    "QueryResult",
    "RateLimitError",
    "Record",
    "Regex",
    "ServerBusyError",
    "StatementError",
    "Timestamp",
    "TimeoutError",
    "TokenError",
    "TransportError",
    "UpdateResult",
    "WxCloudError",
    "decode",
    "database",
    "decode_value",
    "encode",
    "statements",
]

_logging.install()
database.install()
_aio.install()
