"""Connecting to the database and bringing its schema up to date.

SQLite (a file, by default ``./var/slaclock.db``) is the laptop setup; PostgreSQL
(``SLACLOCK_DATABASE_URL=postgresql+psycopg://...``) is production. On SQLite every
connection gets WAL (readers never block the one writer), a busy timeout (a second
writer waits instead of failing) and foreign keys. Transactions start with a plain
``BEGIN`` unless the connection asks for ``IMMEDIATE`` (see :func:`write_connection`),
which writers do so that two writers queue up at BEGIN instead of deadlocking on
a lock upgrade halfway through.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "SLACLOCK_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path("var") / "slaclock.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_BEGIN_OPTION = "slaclock_sqlite_begin"


def default_url() -> str:
    """The URL from the environment, else the SQLite file under ``./var``."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (or the default), with SQLite set up for WAL and one writer."""
    url = url or default_url()
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {})
        kwargs["connect_args"].setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        engine = create_engine(url, **kwargs)
        _setup_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _setup_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and our own BEGIN (the busy timeout is the driver's ``timeout``)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction meant to write; committed on success.

    On SQLite the transaction is ``BEGIN IMMEDIATE``: it takes the write lock at once,
    so concurrent writers wait (busy timeout) rather than fail mid-way.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        with conn.begin():
            yield conn


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` that keep loaded values after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the packaged Alembic migrations up to ``revision`` on ``engine``."""
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config(conn)
        command.upgrade(cfg, revision)


def alembic_config(connection: Connection | None = None) -> Any:
    """An Alembic config pointing at the migrations shipped inside the package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg
