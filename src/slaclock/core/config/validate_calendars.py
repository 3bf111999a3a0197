"""The ``calendars:`` section, built by :meth:`Calendar.from_dict`.

The calendar module validates its own format; its errors are turned into problems that
carry the full key path (``calendars[1].week.tue[0]``) and the line it points at.
"""

from __future__ import annotations

from typing import Any

from slaclock.core.calendar import Calendar
from slaclock.core.config.checks import check_list, check_mapping
from slaclock.core.config.problems import KeyPath, Problems, parse_path
from slaclock.core.errors import CalendarError

__all__ = ["parse_calendars"]


def parse_calendars(p: Problems, value: Any) -> dict[str, Calendar]:
    entries = check_list(p, ("calendars",), value if value is not None else [])
    calendars: dict[str, Calendar] = {}
    for index, entry in enumerate(entries or []):
        path: KeyPath = ("calendars", index)
        if check_mapping(p, path, entry) is None:
            continue
        calendar = _build(p, path, entry)
        if calendar is None:
            continue
        if calendar.id in calendars:
            p.add((*path, "id"), "duplicate id in calendars", calendar.id)
        calendars[calendar.id] = calendar
    return calendars


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
