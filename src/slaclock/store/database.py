"""The database the service works on: read transactions, retried write transactions,
and the repositories that work inside them.

The service never sees a connection or a statement. It asks for a transaction —
:meth:`Database.reading` for reads, :meth:`Database.writing` for anything that writes —
and calls the repositories of the :class:`Tx` it gets with plain values. Every write
goes through :meth:`Database.writing`, which runs the work again from scratch when
PostgreSQL reports a serialization failure or a deadlock (the loser of a deadlock is
rolled back, so doing it all again is safe) or SQLite's busy timeout runs out.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from slaclock.store.changes import Changes
from slaclock.store.config_versions import ConfigVersions
from slaclock.store.db import make_engine, upgrade, write_connection
from slaclock.store.events import Events
from slaclock.store.instances import Instances
from slaclock.store.locks import Locks
from slaclock.store.outbox import Outbox
from slaclock.store.queue import Queue
from slaclock.store.report_breaches import Breaches
from slaclock.store.report_statements import Statements
from slaclock.store.reports import Reports
from slaclock.store.schedule import Fires, Schedule
from slaclock.store.snapshots import Snapshots
from slaclock.store.summary import SummaryCounts
from slaclock.store.tickets import Tickets
from slaclock.store.tokens import Tokens

T = TypeVar("T")
RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
MAX_ATTEMPTS = 8


class Tx:
    """One transaction and the repositories that work in it."""

    __slots__ = (
        "breaches", "changes", "config_versions", "events", "fires", "instances", "locks",
        "outbox", "queue", "reports", "schedule", "snapshots", "statements", "summary",
        "tickets", "tokens",
    )  # fmt: skip

    def __init__(self, conn: Connection) -> None:
        self.locks = Locks(conn)
        self.events = Events(conn)
        self.tickets = Tickets(conn)
        self.instances = Instances(conn)
        self.queue = Queue(conn)
        self.summary = SummaryCounts(conn)
        self.config_versions = ConfigVersions(conn)
        self.tokens = Tokens(conn)
        self.schedule = Schedule(conn)
        self.fires = Fires(conn)
        self.outbox = Outbox(conn)
        self.reports = Reports(conn)
        self.breaches = Breaches(conn)
        self.snapshots = Snapshots(conn)
        self.statements = Statements(conn)
        self.changes = Changes(conn)


class Database:
    """One database (a SQLAlchemy engine and its connection pool) for one process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> Database:
        """The database at ``url`` (default: ``SLACLOCK_DATABASE_URL``, else the SQLite
        file ``./var/slaclock.db``)."""
        return cls(make_engine(url))

    def upgrade(self) -> None:
        """Bring the schema up to date (the packaged Alembic migrations)."""
        upgrade(self.engine)

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """A read transaction (a plain ``BEGIN``; with WAL it never waits for the writer)."""
        with self.engine.connect() as conn:
            yield Tx(conn)

    def writing(self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` in one write transaction, again from scratch on a retryable error;
        committed when it returns."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with write_connection(self.engine) as conn:
                    return work(Tx(conn))
            except DBAPIError as exc:
                if attempt == MAX_ATTEMPTS or not _retryable(exc):
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))
        raise AssertionError("unreachable")

    def analyze(self) -> None:
        """Refresh the planner's statistics (after rewriting most of the projection)."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE tickets, instances")
            else:
                conn.exec_driver_sql("ANALYZE")
            conn.commit()

    def close(self) -> None:
        """Close the pool's connections."""
        self.engine.dispose()


def _retryable(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in RETRY_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)
