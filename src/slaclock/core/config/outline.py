"""What a validated configuration promises, as plain values for the faces that show it
to people (``slaclock validate`` in a terminal, the dashboard's policies page).

Each face words and lays these out in its own way (Rich tables in English, translated
HTML); the reading of the frozen :class:`~slaclock.core.model.Config` values is shared
here so the two cannot drift apart. Nothing here validates or computes SLA state.
"""

from __future__ import annotations

from datetime import date, timedelta

from slaclock.core.calendar import Calendar
from slaclock.core.calendar.spec import DAY_SECONDS, WEEKDAYS, DayInterval, parse_spec
from slaclock.core.model import ByPriority, Target

__all__ = [
    "HOLIDAY_HORIZON_DAYS",
    "WEEKDAYS",
    "hours_on_days",
    "target_for",
    "upcoming_holidays",
    "weekly_hours",
]

#: How far ahead the upcoming holidays of a calendar are listed.
HOLIDAY_HORIZON_DAYS = 365


def weekly_hours(calendar: Calendar) -> tuple[tuple[DayInterval, ...], ...]:
    """Monday to Sunday, each day's opening intervals in seconds from its local
    midnight, as the calendar was validated (an overnight interval belongs to the day
    it starts on and ends past 86,400). An always-open calendar has none: ask
    ``calendar.always_open`` first."""
    return parse_spec(calendar.to_dict()).week


def hours_on_days(week: tuple[tuple[DayInterval, ...], ...]) -> list[list[DayInterval]]:
    """The open stretches that fall on each weekday's clock face, Monday to Sunday,
    within ``[0, 86400]``: an overnight interval is cut at midnight and its rest is put
    on the next day (Sunday's on Monday), as a week grid draws it."""
    days: list[list[DayInterval]] = [[] for _ in WEEKDAYS]
    for index, intervals in enumerate(week):
        for start, end in intervals:
            days[index].append((start, min(end, DAY_SECONDS)))
            if end > DAY_SECONDS:
                days[(index + 1) % len(WEEKDAYS)].append((0, end - DAY_SECONDS))
    return [sorted(day) for day in days]


def upcoming_holidays(
    calendar: Calendar, today: date, days: int = HOLIDAY_HORIZON_DAYS
) -> list[tuple[date, str]]:
    """The dates from ``today`` up to ``days`` later that the calendar keeps closed all
    day for a holiday (an opening that day wins), with their names, in date order."""
    return calendar.holidays_between(today, today + timedelta(days=days))


def target_for(target: Target, priority: str) -> tuple[int | None, int | None]:
    """``(within, goal)`` seconds of a target for one priority; ``within`` None when
    that priority gets no clock, ``goal`` None when it has no internal goal."""
    return _at(target.within, priority), _at(target.goal, priority)


def _at(value: ByPriority | None, priority: str) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.get(priority)
