"""End-to-end fixtures: a real database (SQLite file, or a private PostgreSQL schema)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from slaclock.store.db import make_engine, upgrade

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_engine() -> Iterator[Engine]:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            schema = "e2e_" + secrets.token_hex(6)
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def e2e_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'e2e.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    gen = _pg_engine()
    engine = next(gen)
    upgrade(engine)
    yield engine
    next(gen, None)
