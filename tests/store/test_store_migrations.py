"""The shipped Alembic migrations build exactly the tables the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

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
    assert version == "0008"


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_0008_fills_customer_names_from_the_stored_fields(kind: str, tmp_path: Path) -> None:
    """Rows written before 0008 get the customer's name from the ticket's fields."""
    if kind == "postgresql" and (reason := postgres_unreachable_reason()):
        pytest.skip(reason)
    engine = scratch_engine(kind, tmp_path, migrate=False)
    try:
        upgrade(engine, "0007")
        with engine.begin() as conn:
            fields = '{"customer": {"id": "acme", "name": "Acme B.V."}}'
            conn.execute(
                text(
                    "INSERT INTO tickets (id, created, deleted, fields)"
                    " VALUES (:id, true, false, :f)"
                ),
                [{"id": "T-1", "f": fields}, {"id": "T-2", "f": '{"subject": "no customer"}'}],
            )
            conn.execute(
                text(
                    "INSERT INTO instances (ticket_id, kind, metric, cycle, policy, policy_version,"
                    " state, open, breached, elapsed_seconds, paused_seconds, sort_key, json,"
                    " digest) VALUES ('T-1', 'sla', 'first_response', 1, 'p', 1, 'running', true,"
                    " false, 0, 0, 0, '{}', 'x')"
                )
            )
        upgrade(engine)
        with engine.connect() as conn:
            tickets = dict(conn.execute(text("SELECT id, customer_name FROM tickets")).all())
            instance = conn.execute(text("SELECT customer_name FROM instances")).scalar()
        assert tickets == {"T-1": "Acme B.V.", "T-2": None}
        assert instance == "Acme B.V."
    finally:
        drop_scratch(engine)
