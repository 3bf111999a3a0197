"""Open intervals of a calendar in real time, for one stretch of UTC.

The pipeline, in this order: the hours of each local date (an opening replaces the
weekly hours and beats a holiday; a holiday empties the date) → the part of an overnight
interval that falls on a closed next date is cut at that local midnight → every boundary
goes through :func:`day_time_to_utc` (DST) → union → minus closures → clip.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

from slaclock.core.calendar.holiday_tables import country_table
from slaclock.core.calendar.localtime import (
    DAY_SECONDS_LOCAL,
    DayConverter,
    local_to_utc,
    wall_of,
)
from slaclock.core.calendar.spec import CalendarSpec, DayInterval

Span = tuple[int, int]


class OpenDays:
    """Answers 'which real-time spans are open' for a validated calendar."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._holidays: dict[int, dict[date, str]] = {}
        self._lock = threading.Lock()
        self._converter = DayConverter(spec.tz)
        closures = [
            (local_to_utc(c.start, spec.tz), local_to_utc(c.end, spec.tz)) for c in spec.closures
        ]
        self.closure_spans = union(sorted(s for s in closures if s[0] < s[1]))

    def holidays_of_year(self, year: int) -> dict[date, str]:
        """Public holidays and extra closed dates of ``year`` (before openings apply)."""
        found = self._holidays.get(year)
        if found is None:
            found = {}
            if self.spec.country is not None:
                with self._lock:
                    table = country_table(self.spec.country, self.spec.subdivision, year)
                found.update((day, str(name)) for day, name in table.items())
            for day in self.spec.extra_dates:
                if day.year == year:
                    found.setdefault(day, "Closed")
            self._holidays[year] = found
        return found

    def is_holiday(self, day: date) -> bool:
        """True when ``day`` is closed all day: a holiday without an opening entry."""
        return day not in self.spec.openings and day in self.holidays_of_year(day.year)

    def hours(self, day: date) -> tuple[DayInterval, ...]:
        """The local opening intervals that belong to ``day``."""
        opening = self.spec.openings.get(day)
        if opening is not None:
            return opening
        if day in self.holidays_of_year(day.year):
            return ()
        return self.spec.week[day.weekday()]

    def spans(self, lo: int, hi: int) -> list[Span]:
        """Sorted, disjoint, non-empty open spans (epoch seconds) clipped to ``[lo, hi)``."""
        if self.spec.always_open:
            return [(lo, hi)] if lo < hi else []
        tz = self.spec.tz
        day = wall_of(lo, tz).date() - timedelta(days=2)
        last = wall_of(hi, tz).date() + timedelta(days=1)
        raw: list[Span] = []
        one_day = timedelta(days=1)
        while day <= last:
            hours = self.hours(day)
            if hours:
                times: list[int] = []
                for start, end in hours:
                    if end > DAY_SECONDS_LOCAL and self.is_holiday(day + one_day):
                        end = DAY_SECONDS_LOCAL
                    times += (start, end)
                utc = self._converter.to_utc(day, times)
                raw.extend((s, e) for s, e in zip(utc[::2], utc[1::2], strict=True) if s < e)
            day += one_day
        raw.sort()
        self._converter.forget()
        opened = subtract(union(raw), self.closure_spans)
        return [(max(s, lo), min(e, hi)) for s, e in opened if s < hi and e > lo]


def union(spans: list[Span]) -> list[Span]:
    """Merge sorted spans that overlap or touch."""
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    """``spans`` minus ``holes``; both sorted and disjoint."""
    if not holes:
        return spans
    result: list[Span] = []
    k = 0
    for start, end in spans:
        while k < len(holes) and holes[k][1] <= start:
            k += 1
        cursor, j = start, k
        while j < len(holes) and holes[j][0] < end:
            if holes[j][0] > cursor:
                result.append((cursor, holes[j][0]))
            cursor = max(cursor, holes[j][1])
            j += 1
        if cursor < end:
            result.append((cursor, end))
    return result
