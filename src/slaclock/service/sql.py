"""Small SQL helpers that differ by dialect: insert-or-ignore, row locks, retries.

Every write path goes through :func:`in_write_transaction`, which retries the whole
transaction when PostgreSQL reports a serialization failure or a deadlock (the
loser of a deadlock is rolled back, so doing it all again is safe) or SQLite's
busy timeout runs out.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert

from slaclock.store.db import write_connection

T = TypeVar("T")
RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
MAX_ATTEMPTS = 8
#: Bind parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
IN_CHUNK = 900


#: The advisory lock key that orders projections against configuration changes.
CONFIG_GATE_KEY = 0x51AC_C10C


def config_gate(conn: Connection, exclusive: bool) -> None:
    """Hold the configuration gate until the transaction ends (PostgreSQL only).

    Every projecting transaction holds it shared; storing a configuration version
    holds it exclusively. So a version commits only when no projection that read
    the previous version is still in flight, and the list of tickets to re-project,
    read after that commit, sees all of them. On SQLite writers are serial anyway.
    """
    if conn.dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    conn.exec_driver_sql(f"SELECT {function}({CONFIG_GATE_KEY})")


def insert_ignore(conn: Connection, table: Table, key: str) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=[key])
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=[key])
    raise NotImplementedError(f"unsupported database {conn.dialect.name}")


def upsert(conn: Connection, table: Table, key: str, columns: Sequence[str]) -> Insert:
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
        index_elements=[key], set_={c: stmt.excluded[c] for c in columns}
    )


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def in_write_transaction(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in one write transaction, again from scratch on a retryable error."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with write_connection(engine) as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == MAX_ATTEMPTS or not _retryable(exc):
                raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
    raise AssertionError("unreachable")


def _retryable(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in RETRY_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)
