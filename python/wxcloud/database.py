"""``client.database()``: the wx-server-sdk database API over the HTTP API, in Python naming;
and ``client.iter_query()``, every record a query matches.

The chain only records what the caller wrote — ``[["where", {...}], ["orderBy", "n", "desc"],
["get"]]``, each SDK object (``_.gt(5)``, ``_.aggregate.sum(..)``, ``db.RegExp(..)``,
``db.Geo.Point(..)``, ``db.serverDate()``) a dict tagged ``$wxcloud`` — and hands it to the Rust
core, which lowers it the way the SDK's serializer does (the same code the emulator's parser
uses), writes the statement with every value a literal, and names the call that sends it. This
module only shapes replies the way wx-server-sdk does (``{"data": ...}``, ``{"total": n}``, ...).

Python's reserved words take a trailing underscore: ``_.in_``, ``_.and_``, ``_.or_``,
``_.not_`` (and ``.and_()``/``.or_()``/``.in_()`` when chaining); ``orderBy`` is ``order_by``.
"""

from __future__ import annotations

import keyword
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Optional

from wxcloud import _native

TAG = "$wxcloud"


def _py_name(name: str) -> str:
    """The Python spelling of an SDK name: reserved words take a trailing underscore."""
    return name + "_" if keyword.iskeyword(name) else name


def _spread(args: tuple[Any, ...]) -> List[Any]:
    """``_.and_(a, b)`` and ``_.and_([a, b])`` alike."""
    if len(args) == 1 and isinstance(args[0], list):
        return list(args[0])
    return list(args)


class SdkObject(dict):  # type: ignore[type-arg]
    """An SDK object as the core reads it: ``{"$wxcloud": tag, "args": [...]}``."""

    def __init__(self, tag: str, args: List[Any]) -> None:
        super().__init__({TAG: tag, "args": args})

    def __repr__(self) -> str:
        return f"{self[TAG]}({', '.join(map(repr, self['args']))})"


class Command(SdkObject):
    """A ``db.command`` result; chain ``.and_(..)``, ``.or_(..)`` (and ``.gt(..)`` etc.)."""

    def and_(self, *conditions: Any) -> "Command":
        return Command("and", [self, *_spread(conditions)])

    def or_(self, *conditions: Any) -> "Command":
        return Command("or", [self, *_spread(conditions)])


def _chained(name: str) -> Callable[[Command, Any], Command]:
    def chained(self: Command, value: Any) -> Command:
        return self.and_(Command(name, [value]))

    chained.__name__ = _py_name(name)
    return chained


for _name in ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin"):
    setattr(Command, _py_name(_name), _chained(_name))

_COMMANDS, _AGGREGATE_OPERATORS, _STAGES, _GEO_TYPES = _native._vocabulary()


def _maker(tag: str, cls: type = SdkObject) -> Callable[..., Any]:
    def make(*args: Any) -> Any:
        return cls(tag, list(args))

    return make


class Pipeline:
    """``_.aggregate.pipeline()...done()``, for ``lookup({.., "pipeline": ...})``."""

    def __init__(self, calls: List[List[Any]]) -> None:
        self._calls = calls

    def done(self) -> SdkObject:
        return SdkObject("pipeline", list(self._calls))


class AggregateCommands:
    """``db.command.aggregate``: every aggregate operator the core knows, plus ``pipeline()``."""

    def pipeline(self) -> Pipeline:
        return Pipeline([])


class Commands:
    """``db.command``: every query, logic and update command the core knows."""

    aggregate = AggregateCommands()


class Geo:
    """``db.Geo``: ``Point(lng, lat)``, ``LineString([...])``, ``Polygon([...])``, ..."""


def _stage_method(stage: str, make: Callable[[Any, List[Any]], Any]) -> Callable[..., Any]:
    def method(self: Any, *args: Any) -> Any:
        return make(self, [stage, *args])

    method.__name__ = _py_name(stage)
    return method


for _name in _COMMANDS:
    setattr(Commands, _py_name(_name), staticmethod(_maker(_name, Command)))
for _name in _AGGREGATE_OPERATORS:
    setattr(AggregateCommands, _py_name(_name), staticmethod(_maker("aggregate." + _name)))
for _name in _GEO_TYPES:
    setattr(Geo, _name, staticmethod(_maker("Geo." + _name)))
for _name in _STAGES:
    setattr(Pipeline, _py_name(_name), _stage_method(_name, lambda p, call: Pipeline([*p._calls, call])))

_HTTP_ONLY = "is not available over the HTTP API"


def _unsupported(what: str, why: str) -> _native.StatementError:
    return _native.StatementError(f"{what} {_HTTP_ONLY}: {why}")


class Query:
    """``where``, ``order_by``, ``skip``, ``limit``, ``field`` and the calls that end a query.

    On a ``Client`` the ending calls return their result; on an ``AsyncClient``, an awaitable.
    """

    def __init__(self, db: "Database", collection: str, calls: List[List[Any]]) -> None:
        self._db = db
        self._collection = collection
        self._calls = calls

    def _then(self, *call: Any) -> "Query":
        return Query(self._db, self._collection, [*self._calls, list(call)])

    def _chain(self, *last: Any) -> Dict[str, Any]:
        calls = [*self._calls, list(last)] if last else list(self._calls)
        return {"collection": self._collection, "calls": calls}

    def _send(self, shape: Callable[[Any], Any], *last: Any) -> Any:
        return self._db._send(self._chain(*last), shape)

    def where(self, condition: Any) -> "Query":
        return self._then("where", condition)

    def order_by(self, field: str, direction: Any = "asc") -> "Query":
        return self._then("orderBy", field, direction)

    def skip(self, n: int) -> "Query":
        return self._then("skip", n)

    def limit(self, n: int) -> "Query":
        return self._then("limit", n)

    def field(self, projection: Dict[str, Any]) -> "Query":
        return self._then("field", projection)

    def get(self) -> Any:
        """``{"data": [records]}``."""
        return self._send(lambda page: {"data": page.data}, "get")

    def count(self) -> Any:
        """``{"total": n}``."""
        return self._send(lambda total: {"total": total}, "count")

    def update(self, options: Dict[str, Any]) -> Any:
        """``{"stats": {"updated": n}}``; nested dicts in ``data`` set fields by path,
        ``_.set(..)`` replaces the field."""
        return self._send(lambda r: {"stats": {"updated": r.modified}}, "update", options)

    def remove(self) -> Any:
        """``{"stats": {"removed": n}}``."""
        return self._send(lambda n: {"stats": {"removed": n}}, "remove")

    def iter(self, *, page_size: Optional[int] = None) -> Any:
        """Every matching record, in pages of up to 1,000 read by key (see ``iter_query``)."""
        pages = _native._chain_pages(self._db._client, self._chain("get"), page_size=page_size)
        return self._db._walk(pages)

    def watch(self, **_: Any) -> Any:
        raise _unsupported(
            "watch()", "real-time listeners need the mini-program or cloud-function WebSocket channel"
        )


class CollectionReference(Query):
    """``db.collection(name)``: a query over the whole collection, plus ``doc``, ``add``,
    ``aggregate``."""

    def __init__(self, db: "Database", name: str) -> None:
        super().__init__(db, name, [])

    def doc(self, id: Any) -> "DocumentReference":
        return DocumentReference(Query(self._db, self._collection, [["doc", id]]))

    def add(self, options: Dict[str, Any]) -> Any:
        """``{"_id": id}`` for one record, ``{"_ids": [ids]}`` for a list."""
        many = isinstance(options, dict) and isinstance(options.get("data"), list)
        return self._send(lambda ids: {"_ids": ids} if many else {"_id": ids[0]}, "add", options)

    def aggregate(self) -> "Aggregate":
        return Aggregate(Query(self._db, self._collection, [["aggregate"]]))


class DocumentReference:
    """``db.collection(name).doc(id)``."""

    def __init__(self, query: Query) -> None:
        self._query = query

    def field(self, projection: Dict[str, Any]) -> "DocumentReference":
        return DocumentReference(self._query.field(projection))

    def get(self) -> Any:
        """``{"data": record}``, or ``{"data": None}`` when there is none."""
        return self._query._send(lambda page: {"data": page.data[0] if page.data else None}, "get")

    def update(self, options: Dict[str, Any]) -> Any:
        """``{"stats": {"updated": n}}``."""
        return self._query.update(options)

    def set(self, options: Dict[str, Any]) -> Any:
        """Replaces the record (creating it if missing): ``{"_id", "stats": {"updated", "created"}}``."""
        doc_id = self._query._calls[0][1]

        def shape(r: Any) -> Dict[str, Any]:
            created = 1 if r.id else 0
            return {"_id": r.id or doc_id, "stats": {"updated": r.modified, "created": created}}

        return self._query._send(shape, "set", options)

    def remove(self) -> Any:
        """``{"stats": {"removed": n}}``."""
        return self._query.remove()

    def watch(self, **_: Any) -> Any:
        return self._query.watch()


class Aggregate:
    """``aggregate()`` and its stages (every stage the core knows), until ``end()``."""

    def __init__(self, query: Query) -> None:
        self._query = query

    def end(self) -> Any:
        """``{"list": [records]}``."""
        return self._query._send(lambda records: {"list": records}, "end")


for _name in _STAGES:
    setattr(Aggregate, _py_name(_name), _stage_method(_name, lambda a, call: Aggregate(a._query._then(*call))))


class Database:
    """``client.database()``: ``collection``, ``command``, ``RegExp``, ``Geo``, ``server_date``
    (also ``serverDate``) as in wx-server-sdk."""

    command = Commands()
    Geo = Geo()

    def __init__(self, client: Any) -> None:
        self._client = client

    def collection(self, name: str) -> CollectionReference:
        return CollectionReference(self, name)

    @staticmethod
    def RegExp(options: Dict[str, str]) -> SdkObject:  # noqa: N802 (the SDK's name)
        """``db.RegExp({"regexp": ..., "options": ...})``."""
        return SdkObject("RegExp", [options])

    @staticmethod
    def server_date(options: Optional[Dict[str, Any]] = None) -> SdkObject:
        """``db.serverDate({"offset": ms})``: the service's clock when the write runs."""
        return SdkObject("serverDate", [] if options is None else [options])

    serverDate = server_date

    def create_collection(self, name: str) -> Any:
        return self._client.create_collection(name)

    def start_transaction(self) -> Any:
        raise _unsupported("start_transaction()", "transactions are not part of the database HTTP API")

    def run_transaction(self, *_: Any) -> Any:
        raise _unsupported("run_transaction()", "transactions are not part of the database HTTP API")

    def _send(self, chain: Dict[str, Any], shape: Callable[[Any], Any]) -> Any:
        operation, statement = _native._chain_statement(chain)
        return shape(getattr(self._client, operation)(statement))

    def _walk(self, pages: _native.QueryPages) -> Iterator[Dict[str, Any]]:
        return _records(pages)


class AsyncDatabase(Database):
    """``async_client.database()``: the same surface, each ending call an awaitable."""

    def _send(self, chain: Dict[str, Any], shape: Callable[[Any], Any]) -> Any:
        operation, statement = _native._chain_statement(chain)
        pending = getattr(self._client, operation)(statement)

        async def settle() -> Any:
            return shape(await pending)

        return settle()

    def _walk(self, pages: _native.QueryPages) -> AsyncIterator[Dict[str, Any]]:  # type: ignore[override]
        return _async_records(pages)


def _records(pages: _native.QueryPages) -> Iterator[Dict[str, Any]]:
    while True:
        page = pages.next_page()
        if page is None:
            return
        yield from page


async def _async_records(pages: _native.QueryPages) -> AsyncIterator[Dict[str, Any]]:
    while True:
        page = await pages.next_page_async()
        if not page:
            return
        for record in page:
            yield record


def _iter_query(
    self: Any,
    collection: str,
    where: Optional[Dict[str, Any]] = None,
    order_by: Any = None,
    fields: Any = None,
    *,
    limit: Optional[int] = None,
    page_size: Optional[int] = None,
) -> Any:
    pages = _native._query_pages(
        self, collection, where=where, order_by=order_by, fields=fields, limit=limit, page_size=page_size
    )
    return _async_records(pages) if isinstance(self, _native.AsyncClient) else _records(pages)


def install() -> None:
    """Adds ``database()`` and ``iter_query()`` to ``Client`` and ``AsyncClient``."""
    _native.Client.database = lambda self: Database(self)  # type: ignore[attr-defined]
    _native.AsyncClient.database = lambda self: AsyncDatabase(self)  # type: ignore[attr-defined]
    _native.Client.iter_query = _iter_query  # type: ignore[attr-defined]
    _native.AsyncClient.iter_query = _iter_query  # type: ignore[attr-defined]
