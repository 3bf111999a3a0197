"""A calendar as a weekly grid (Monday to Sunday × the hours of the day, in the
calendar's own zone) with its upcoming holidays, for the policies page.

Each day has its open hours in words ("09:00–17:00", "closed") beside a row of 24
hour cells shaded full, part or not at all, so the shading is never the only signal.
An overnight interval (22:00–06:00) shows on the clock face of both days it touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_date, get_day_names

from slaclock.core.calendar import Calendar
from slaclock.core.calendar.spec import DAY_SECONDS, DayInterval
from slaclock.core.config.outline import hours_on_days, upcoming_holidays, weekly_hours
from slaclock.web.policy_words import PolicyWords

__all__ = ["calendar_grid", "hour_cells"]

HOUR = 3600


@dataclass(frozen=True)
class _Day:
    name: str
    hours: str
    cells: list[str]


def _clock(seconds: int) -> str:
    return f"{seconds // HOUR:02d}:{seconds % HOUR // 60:02d}"


def hour_cells(stretches: list[DayInterval]) -> list[str]:
    """For each hour of the day: ``full`` (open all of it), ``part`` or ``none``."""
    cells = []
    for hour in range(24):
        lo, hi = hour * HOUR, (hour + 1) * HOUR
        covered = sum(max(0, min(end, hi) - max(start, lo)) for start, end in stretches)
        cells.append("full" if covered >= HOUR else "part" if covered else "none")
    return cells


def calendar_grid(calendar: Calendar, now: datetime, words: PolicyWords) -> dict[str, Any]:
    """One calendar for the page: zone, hours per week, the week grid, holidays."""
    gettext, locale = words.gettext, words.locale
    names = get_day_names("wide", locale=locale)
    today = now.astimezone(calendar.tz).date()
    if calendar.always_open:
        stretches: list[list[DayInterval]] = [[(0, DAY_SECONDS)] for _ in range(7)]
    else:
        stretches = hours_on_days(weekly_hours(calendar))
    days = [
        _Day(
            name=names[index],
            hours=", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in day) or gettext("closed"),
            cells=hour_cells(day),
        )
        for index, day in enumerate(stretches)
    ]
    holidays = [
        {"date": format_date(day, "full", locale=locale), "iso": day.isoformat(), "name": name}
        for day, name in upcoming_holidays(calendar, today)
    ]
    return {
        "id": calendar.id,
        "zone": str(calendar.tz.key),
        "always_open": calendar.always_open,
        "per_week": words.hours(int(calendar.weekly_open_seconds())),
        "days": days,
        "holidays": holidays,
        "closures": _closures(calendar, today.isoformat()),
    }


def _closures(calendar: Calendar, today: str) -> list[dict[str, str]]:
    """The partial closures still to come, in local wall time as the file writes them."""
    found = []
    for closure in calendar.to_dict().get("closures") or ():
        start, end = str(closure.get("start", "")), str(closure.get("end", ""))
        if end[:10] >= today:
            name = str(closure.get("name") or "")
            found.append(
                {"start": start.replace("T", " "), "end": end.replace("T", " "), "name": name}
            )
    return found
