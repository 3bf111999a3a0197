"""Configuration version rows: every accepted text, its author, time, diff and the
version of each policy and OLA in it (``policy_versions``, a JSON record the service
computes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from slaclock.store.models import ConfigVersionRow

_V = ConfigVersionRow


@dataclass(frozen=True, slots=True)
class StoredConfig:
    """A version's text and its policy-version record."""

    version: int
    text: str
    policy_versions: dict[str, Any]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """A version as the history lists it (without its text)."""

    version: int
    author: str
    created_at: datetime
    policy_versions: dict[str, Any]


class ConfigVersions:
    """Configuration versions, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def latest_number(self) -> int:
        """The newest version's number; 0 before the first."""
        return int(self._conn.execute(select(func.max(_V.version))).scalar() or 0)

    def latest(self) -> StoredConfig | None:
        row = self._conn.execute(
            select(_V.version, _V.text, _V.policy_versions).order_by(_V.version.desc()).limit(1)
        ).first()
        return None if row is None else StoredConfig(*row)

    def get(self, version: int) -> StoredConfig:
        """Version ``version``; NoResultFound when it does not exist."""
        row = self._conn.execute(
            select(_V.version, _V.text, _V.policy_versions).where(_V.version == version)
        ).one()
        return StoredConfig(*row)

    def starts(self) -> list[tuple[int, datetime]]:
        """Each version and when it was stored, oldest first."""
        rows = self._conn.execute(select(_V.version, _V.created_at).order_by(_V.version))
        return [(version, created_at) for version, created_at in rows]

    def listing(self) -> list[VersionInfo]:
        """Every version, oldest first, without the texts."""
        rows = self._conn.execute(
            select(_V.version, _V.author, _V.created_at, _V.policy_versions).order_by(_V.version)
        )
        return [VersionInfo(*row) for row in rows]

    def texts(self, versions: Sequence[int]) -> dict[int, str]:
        """The texts of those of ``versions`` that exist."""
        rows = self._conn.execute(select(_V.version, _V.text).where(_V.version.in_(versions)))
        return {version: text for version, text in rows}

    def add(
        self,
        version: int,
        text: str,
        author: str,
        created_at: datetime,
        diff: str,
        policy_versions: dict[str, Any],
    ) -> None:
        row = {
            "version": version,
            "text": text,
            "author": author,
            "created_at": created_at,
            "diff": diff,
            "policy_versions": policy_versions,
        }
        self._conn.execute(insert(ConfigVersionRow), [row])
