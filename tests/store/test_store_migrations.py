"""The shipped Alembic migrations build exactly the tables the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from slaclock.store.db import upgrade
from slaclock.store.models import Base
from slaclock.store.testing import drop_scratch, postgres_unreachable_reason, scratch_engine


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migrations_match_models(kind: str, tmp_path: Path) -> None:
    if kind == "postgresql" and (reason := postgres_unreachable_reason()):
        pytest.skip(reason)
    engine = scratch_engine(kind, tmp_path)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert set(inspect(conn).get_table_names()) >= set(Base.metadata.tables)
    finally:
        drop_scratch(engine)


def test_upgrade_twice_is_a_no_op(db: Engine) -> None:
    upgrade(db)
    with db.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == "0007"
