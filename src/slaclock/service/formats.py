"""How the service writes instants in the dicts it returns: the replay's format."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_z(value: datetime | None) -> str | None:
    """``2026-03-02T08:15:00Z`` (UTC, whole seconds), or None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
