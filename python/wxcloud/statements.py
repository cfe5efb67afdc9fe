"""The statements the structured forms send, written without sending them.

Each function returns the statement text a ``Client`` method would send for the same
arguments — for logs, reviews and other tools. Every value is written as a literal, never
spliced in as code; what cannot be expressed raises ``StatementError`` (a ``ValueError``).

>>> from wxcloud import statements
>>> statements.count("todos", where={"done": False})  # doctest: +SKIP
'db.collection("todos").where({"done":false}).count()'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from wxcloud import _native

if TYPE_CHECKING:
    from wxcloud._native import Fields, OrderBy

__all__ = ["aggregate", "query", "count", "add", "update", "delete"]


def aggregate(collection: str, pipeline: Sequence[Mapping[str, Any]]) -> str:
    """``db.collection(c).aggregate().<stages>.end()`` for a MongoDB-style pipeline."""
    return _native.statement_aggregate(collection, pipeline)


def query(
    collection: str,
    *,
    where: Optional[Mapping[str, Any]] = None,
    order_by: Optional[OrderBy] = None,
    skip: Optional[int] = None,
    limit: Optional[int] = None,
    fields: Optional[Fields] = None,
) -> str:
    """``db.collection(c).where(..).orderBy(..).skip(..).limit(..).field(..).get()``."""
    return _native.statement_query(
        collection, where=where, order_by=order_by, skip=skip, limit=limit, fields=fields
    )


def count(collection: str, *, where: Optional[Mapping[str, Any]] = None) -> str:
    """``db.collection(c).where(..).count()``."""
    return _native.statement_count(collection, where=where)


def add(collection: str, docs: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> str:
    """``db.collection(c).add({data: ..})`` for one document or a list of them."""
    return _native.statement_add(collection, docs)


def update(collection: str, where: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """``db.collection(c).where(..).update({data: ..})`` for a MongoDB update document."""
    return _native.statement_update(collection, where, data)


def delete(collection: str, where: Mapping[str, Any]) -> str:
    """``db.collection(c).where(..).remove()``."""
    return _native.statement_delete(collection, where)
