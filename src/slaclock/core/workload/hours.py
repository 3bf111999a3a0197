"""Office hours of a team as sorted UTC intervals, for placing agent work in them.

The generator only needs two cheap questions answered millions of times: "is this instant
inside the team's hours?" and "when do they open next?". The exact business-time
arithmetic belongs to :mod:`slaclock.core.calendar`; here a calendar's weekly hours (and
its holidays, when the calendar can list them) are unrolled once into UTC intervals over
the generated horizon, and the questions become a binary search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OfficeHours:
    """Open intervals ``[starts[i], ends[i])`` in epoch seconds, sorted and disjoint.

    ``always_open`` hours answer "open" everywhere; empty interval lists mean the same
    (a team with no known hours is not held to any). ``before[i]`` is the open time
    before interval ``i``, so adding open time is a binary search, not a walk.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    always_open: bool = False
    before: tuple[int, ...] = ()

    def is_open(self, t: int) -> bool:
        if self.always_open:
            return True
        i = bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def next_open(self, t: int) -> int:
        """``t`` when open, else the next opening (``t`` past the last known interval)."""
        if self.always_open:
            return t
        i = bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        return self.starts[i + 1] if i + 1 < len(self.starts) else t

    def open_before(self, t: int) -> int:
        """Open seconds from the first interval's start to ``t``."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]

    def add(self, t: int, seconds: int) -> int:
        """The earliest instant with ``seconds`` of open time after ``t`` (wall time when
        always open; past the known intervals the rest counts as wall time)."""
        if self.always_open or seconds <= 0:
            return t + max(0, seconds)
        target = self.open_before(t) + seconds
        j = bisect_left(self.before, target) - 1
        if target - self.before[j] <= self.ends[j] - self.starts[j]:
            return max(t, self.starts[j] + target - self.before[j])
        return self.ends[-1] + target - self.before[-1] - (self.ends[-1] - self.starts[-1])

    def elapsed(self, a: int, b: int) -> int:
        """Open seconds in ``[a, b)`` (for tests and docs: business time of a duration)."""
        if self.always_open:
            return b - a
        return self.open_before(b) - self.open_before(a)


ALWAYS_OPEN = OfficeHours((), (), always_open=True)


def office_hours(
    calendar: Mapping[str, Any],
    first_day: date,
    last_day: date,
    holidays: Callable[[date, date], Sequence[tuple[date, str]]] | None = None,
) -> OfficeHours:
    """Unroll a calendar mapping (calendar.md format) into UTC intervals over local dates.

    ``holidays`` is the calendar's own ``holidays_between`` when available; closures and
    openings are ignored (the generator only needs hours that are mostly right).
    """
    week = calendar.get("week") or {}
    if calendar.get("always_open") or not any(week.get(day) for day in WEEKDAYS):
        return ALWAYS_OPEN
    tz = ZoneInfo(str(calendar.get("tz", "UTC")))
    closed = {d for d, _ in holidays(first_day, last_day)} if holidays else set()
    intervals: list[tuple[int, int]] = []
    day = first_day
    while day <= last_day:
        if day not in closed:
            for text in week.get(WEEKDAYS[day.weekday()], ()):
                intervals.append(_interval(day, str(text), tz))
        day += timedelta(days=1)
    return _merged(sorted(intervals))


def _interval(day: date, text: str, tz: ZoneInfo) -> tuple[int, int]:
    """``"09:00-17:00"`` on a local date; an end not after the start crosses midnight."""
    start_text, end_text = text.split("-")
    start_s, end_s = _seconds_of_day(start_text), _seconds_of_day(end_text)
    end_day = day if end_s > start_s else day + timedelta(days=1)
    return _epoch(day, start_s, tz), _epoch(end_day, end_s, tz)


def _seconds_of_day(text: str) -> int:
    parts = [int(p) for p in text.strip().split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)


def _epoch(day: date, seconds: int, tz: ZoneInfo) -> int:
    """Local wall time to UTC epoch seconds; 24:00 is the next day's midnight."""
    extra_days, seconds = divmod(seconds, 86400)
    local = datetime.combine(day + timedelta(days=extra_days), time(), tzinfo=tz)
    local = local.replace(hour=seconds // 3600, minute=seconds % 3600 // 60, second=seconds % 60)
    return int(local.astimezone(UTC).timestamp())


def _merged(intervals: list[tuple[int, int]]) -> OfficeHours:
    starts: list[int] = []
    ends: list[int] = []
    for start, end in intervals:
        if starts and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    before, total = [], 0
    for start, end in zip(starts, ends, strict=True):
        before.append(total)
        total += end - start
    return OfficeHours(tuple(starts), tuple(ends), before=tuple(before))
