"""Throw-away databases for tests (the store's, the service's and the API's).

``scratch_engine`` gives an engine on an empty, migrated database: a SQLite file in
a directory the caller owns, or a fresh PostgreSQL schema (selected through
``search_path``) that ``drop_scratch`` removes again. ``clear`` empties every table
between tests without re-running the migrations.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from slaclock.store.db import make_engine, upgrade
from slaclock.store.models import Base

POSTGRES_URL = os.environ.get(
    "SLACLOCK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

#: The PostgreSQL schema each scratch engine made, by id(engine).
_SCHEMAS: dict[int, str] = {}


def postgres_unreachable_reason() -> str | None:
    """None when the test PostgreSQL answers; else why not (for a skip message)."""
    try:
        engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc.orig}"
    return None


def scratch_engine(kind: str, directory: Path | None = None, migrate: bool = True) -> Engine:
    """A migrated, empty database: ``kind`` is ``sqlite`` (file in ``directory``) or
    ``postgresql`` (a new schema)."""
    if kind == "sqlite":
        assert directory is not None, "a SQLite scratch database needs a directory"
        engine = make_engine(f"sqlite:///{directory / f'scratch-{uuid.uuid4().hex[:8]}.db'}")
    elif kind == "postgresql":
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with make_engine(POSTGRES_URL).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
        _SCHEMAS[id(engine)] = schema
    else:
        raise ValueError(f"unknown database kind {kind!r}")
    if migrate:
        upgrade(engine)
    return engine


def drop_scratch(engine: Engine) -> None:
    """Dispose of the engine and drop its PostgreSQL schema, if it made one."""
    schema = _SCHEMAS.pop(id(engine), None)
    engine.dispose()
    if schema:
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def scratch_spec(engine: Engine) -> tuple[str, str | None]:
    """What another process needs to reach the same scratch database: (url, schema)."""
    return engine.url.render_as_string(hide_password=False), _SCHEMAS.get(id(engine))


def engine_from_spec(spec: tuple[str, str | None]) -> Engine:
    """An engine on the scratch database described by :func:`scratch_spec`."""
    url, schema = spec
    if schema is None:
        return make_engine(url)
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"})


def clear(engine: Engine) -> None:
    """Delete every row of every table (children first), keeping the schema."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
