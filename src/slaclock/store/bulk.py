"""Many-row writes in one statement per chunk, the fast way for each database.

On PostgreSQL each column travels as ONE binary array parameter and the rows come
back out of ``unnest(...) WITH ORDINALITY`` in the given order: one statement, a
handful of parameters, no per-row round trip, no giant query text to parse (psycopg's
per-placeholder conversion made multi-VALUES statements slower than the rows they
saved) and no text escaping of every element. On SQLite the driver's executemany is
already a C loop over one prepared statement, so SQLAlchemy's ordinary INSERT is used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql

from slaclock.store.sql import chunks, insert_ignore, key_columns, upsert

_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def bulk_insert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: tuple[str | tuple[str, ...], Sequence[str] | None] | None = None,
    returning: Sequence[str] | None = None,
) -> list[Any]:
    """Insert ``rows`` (all with the same keys) in request order.

    ``conflict=(key, None)``: skip rows whose ``key`` (a column, or a tuple of the
    columns of a unique constraint) exists; ``(key, columns)``: update those columns
    instead. Returns the ``returning`` columns of inserted
    (or updated) rows, as tuples.
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        return _pg_unnest(conn, table, rows, conflict, returning)
    out: list[Any] = []
    for part in chunks(rows, 1000):
        stmt: Any = table.insert()
        if conflict is not None:
            key, columns = conflict
            stmt = (
                insert_ignore(conn, table, key)
                if columns is None
                else upsert(conn, table, key, columns)
            )
        if returning is not None:
            wanted = [table.c[name] for name in returning]
            out.extend(tuple(r) for r in conn.execute(stmt.returning(*wanted), list(part)))
        else:
            conn.execute(stmt, list(part))
    return out


def copy_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Plain inserts (no conflict, nothing returned): ``COPY`` on PostgreSQL.

    psycopg formats COPY rows in C, several times faster than dumping arrays.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        bulk_insert(conn, table, rows)
        return
    names = list(rows[0].keys())
    json_columns = [n for n in names if _array_type(table, n) == "JSONB[]"]
    cols = ", ".join(f'"{n}"' for n in names)
    dbapi: Any = conn.connection.dbapi_connection  # psycopg.Connection, in our transaction
    sql = f'COPY "{table.name}" ({cols}) FROM STDIN'
    with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            values = dict(row)
            for n in json_columns:
                if values[n] is not None:
                    values[n] = json.dumps(values[n], separators=(",", ":"))
            copy.write_row([values[n] for n in names])


def _pg_unnest(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: tuple[str | tuple[str, ...], Sequence[str] | None] | None,
    returning: Sequence[str] | None,
) -> list[Any]:
    from psycopg.types.json import Jsonb

    names = list(rows[0].keys())
    types = {n: _array_type(table, n) for n in names}
    casts = ", ".join(f"%b::{types[n]}" for n in names)
    cols = ", ".join(f'"{n}"' for n in names)
    sql = (
        f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM unnest({casts}) '
        f"WITH ORDINALITY AS u({cols}, _ord) ORDER BY _ord"
    )
    if conflict is not None:
        key, columns = conflict
        target = ", ".join(f'"{k}"' for k in key_columns(key))
        if columns is None:
            sql += f" ON CONFLICT ({target}) DO NOTHING"
        else:
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns)
            sql += f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
    if returning is not None:
        sql += " RETURNING " + ", ".join(f'"{name}"' for name in returning)
    out: list[Any] = []
    for part in chunks(rows, 5000):
        params = tuple(_column(types[n], [r[n] for r in part], Jsonb) for n in names)
        result = conn.exec_driver_sql(sql, params)
        if returning is not None:
            out.extend(tuple(row) for row in result)
    return out


def _column(array_type: str, values: list[Any], jsonb: Any) -> list[Any]:
    """One column's values, each of the one Python type the binary array dump needs."""
    if array_type == "JSONB[]":
        return [None if v is None else jsonb(v) for v in values]
    if array_type == "FLOAT[]":
        return [None if v is None else float(v) for v in values]
    return values


def _array_type(table: Table, name: str) -> str:
    return f"{table.c[name].type.compile(dialect=_PG)}[]"
