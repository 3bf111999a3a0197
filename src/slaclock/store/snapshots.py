"""Report snapshots, inside one transaction (``report_snapshots``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from slaclock.store.models import SnapshotRow

__all__ = ["Snapshot", "Snapshots"]


@dataclass(frozen=True)
class Snapshot:
    """A stored report; ``content`` is None when only the description was read."""

    id: str
    report: str
    params: dict[str, Any]
    format: str
    media_type: str
    config_version: int
    as_of: datetime
    sha256: str
    size: int
    author: str
    created_at: datetime
    content: bytes | None = None


_DESCRIBED = (
    SnapshotRow.id, SnapshotRow.report, SnapshotRow.params, SnapshotRow.format,
    SnapshotRow.media_type, SnapshotRow.config_version, SnapshotRow.as_of, SnapshotRow.sha256,
    SnapshotRow.size, SnapshotRow.author, SnapshotRow.created_at,
)  # fmt: skip


class Snapshots:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, snapshot: Snapshot) -> None:
        assert snapshot.content is not None
        values = {c.key: getattr(snapshot, str(c.key)) for c in _DESCRIBED}
        self._conn.execute(insert(SnapshotRow).values(**values, content=snapshot.content))

    def get(self, snapshot_id: str, with_content: bool = False) -> Snapshot | None:
        columns = (*_DESCRIBED, SnapshotRow.content) if with_content else _DESCRIBED
        row = self._conn.execute(select(*columns).where(SnapshotRow.id == snapshot_id)).first()
        return None if row is None else Snapshot(*row)

    def newest(self, limit: int) -> list[Snapshot]:
        """The latest ``limit`` snapshots, newest first (without their bytes)."""
        query = select(*_DESCRIBED).order_by(SnapshotRow.created_at.desc(), SnapshotRow.id)
        return [Snapshot(*row) for row in self._conn.execute(query.limit(limit))]
