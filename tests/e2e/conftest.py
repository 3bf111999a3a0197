"""End-to-end fixtures: a real database (SQLite file, or a private PostgreSQL schema)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from slaclock.store.testing import drop_scratch, postgres_unreachable_reason, scratch_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def e2e_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres" and (reason := postgres_unreachable_reason()):
        pytest.skip(reason)
    engine = scratch_engine("sqlite" if request.param == "sqlite" else "postgresql", tmp_path)
    yield engine
    drop_scratch(engine)
