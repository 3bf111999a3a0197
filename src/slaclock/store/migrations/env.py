"""Alembic environment: runs on the connection :func:`slaclock.store.db.upgrade` hands in."""

from __future__ import annotations

from alembic import context

from slaclock.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` run by hand
    from slaclock.store.db import make_engine

    with make_engine().begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
