"""Report snapshots (``report_snapshots``): a report's bytes as produced, with the
request, the configuration version and ``as_of`` it was produced under and the
SHA-256 of the bytes, for disputes (reports.md; docs/reports.md, "Snapshots").

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import slaclock.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_snapshots",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("report", sa.String(length=32), nullable=False),
        sa.Column(
            "params",
            sa.JSON().with_variant(
                sa.dialects.postgresql.JSONB(astext_type=sa.Text()), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("config_version", sa.Integer(), nullable=False),
        sa.Column("as_of", slaclock.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", slaclock.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshots")),
    )
    op.create_index(
        op.f("ix_report_snapshots_created_at"), "report_snapshots", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_report_snapshots_created_at"), table_name="report_snapshots")
    op.drop_table("report_snapshots")
