"""Small SQL helpers that differ by dialect: insert-or-ignore, upsert, ``IN`` lists.

The repositories build their statements with these so that each query is written
once for SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ARRAY, BigInteger, ColumnElement, Connection, String, Table, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

T = TypeVar("T")
#: Bind parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
IN_CHUNK = 900


def insert_ignore(conn: Connection, table: Table, key: str | tuple[str, ...]) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` for the connection's dialect; ``key``
    is a column or the columns of a unique constraint."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=key_columns(key))
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=key_columns(key))
    raise NotImplementedError(f"unsupported database {conn.dialect.name}")


def key_columns(key: str | tuple[str, ...]) -> list[str]:
    return [key] if isinstance(key, str) else list(key)


def upsert(
    conn: Connection, table: Table, key: str | tuple[str, ...], columns: Sequence[str]
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE SET`` these columns: one statement for
    many rows, where an executemany UPDATE would be one round trip per row."""
    stmt: Any
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table)
    elif conn.dialect.name == "sqlite":
        stmt = sqlite.insert(table)
    else:
        raise NotImplementedError(f"unsupported database {conn.dialect.name}")
    return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=key_columns(key), set_={c: stmt.excluded[c] for c in columns}
    )


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values``: on PostgreSQL ONE array parameter (``= ANY``), so the
    driver need not parse a query with thousands of placeholders."""
    if conn.dialect.name == "postgresql":
        item = BigInteger() if column.type.python_type is int else String()
        array = bindparam(None, list(values), type_=ARRAY(item))
        condition: ColumnElement[bool] = column == any_(array)
        return condition
    return column.in_(list(values))  # type: ignore[no-any-return]


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``, for IN lists and per-chunk statements."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
