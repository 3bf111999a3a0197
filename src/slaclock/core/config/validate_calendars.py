"""The ``calendars:`` section, built by :meth:`Calendar.from_dict`.

The calendar module validates its own format; its errors are turned into problems that
carry the full key path (``calendars[1].week.tue[0]``) and the line it points at.
"""

from __future__ import annotations

from typing import Any

from slaclock.core.calendar import Calendar
from slaclock.core.config.checks import check_mapping, parse_entries
from slaclock.core.config.problems import KeyPath, Problems, parse_path
from slaclock.core.errors import CalendarError

__all__ = ["parse_calendars"]


def parse_calendars(p: Problems, value: Any) -> dict[str, Calendar]:
    def parse_one(path: KeyPath, entry: Any) -> Calendar | None:
        return None if check_mapping(p, path, entry) is None else _build(p, path, entry)

    return parse_entries(p, "calendars", value, parse_one)


def _build(p: Problems, path: KeyPath, entry: Any) -> Calendar | None:
    try:
        return Calendar.from_dict(entry)
    except CalendarError as exc:
        inner = getattr(exc, "path", None)
        reason = getattr(exc, "reason", None) or str(exc)
        where = (*path, *parse_path(inner)) if isinstance(inner, str) else path
        calendar_id = entry.get("id")
        prefix = f"calendar {calendar_id!r}: " if isinstance(calendar_id, str) else ""
        p.add(where, prefix + reason, getattr(exc, "value", None))
        return None
