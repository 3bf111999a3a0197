"""Databases for the store tests: each test module gets a fresh SQLite file and a fresh
PostgreSQL schema; ``db`` runs a test once on each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from slaclock.store.testing import clear, drop_scratch, postgres_unreachable_reason, scratch_engine

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module", params=BACKENDS)
def module_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "postgresql":
        reason = postgres_unreachable_reason()
        if reason:
            pytest.skip(reason)
    engine = scratch_engine(request.param, tmp_path_factory.mktemp("db"))
    yield engine
    drop_scratch(engine)


@pytest.fixture
def db(module_db: Engine) -> Engine:
    clear(module_db)
    return module_db
