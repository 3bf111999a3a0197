"""The customer's name beside its id (``tickets.customer_name``,
``instances.customer_name``), copied from the ticket's ``customer.name`` field, so the
queue shows "Greenfield Insurance" rather than an id without a join. Existing rows are
filled from the tickets' stored fields.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLES = ("tickets", "instances")
#: The ticket's ``customer.name`` in each dialect's JSON syntax.
_NAME_OF_FIELDS = {
    "postgresql": "fields -> 'customer' ->> 'name'",
    "sqlite": "json_extract(fields, '$.customer.name')",
}


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("customer_name", sa.String(200), nullable=True))
    name_of_fields = _NAME_OF_FIELDS.get(op.get_bind().dialect.name)
    if name_of_fields is None:
        return  # another database: names arrive as tickets are projected again
    op.execute(f"UPDATE tickets SET customer_name = substr({name_of_fields}, 1, 200)")
    op.execute(
        "UPDATE instances SET customer_name = "
        "(SELECT t.customer_name FROM tickets t WHERE t.id = instances.ticket_id)"
    )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("customer_name")
