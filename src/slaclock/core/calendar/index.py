"""The lazily grown index of open time: sorted spans with a running total.

For spans ``[starts[i], ends[i])`` and ``cum_start[i]`` = open seconds before span ``i``,
the open seconds from the index start to ``t`` are ``cum(t)``; then
``elapsed(a, b) = cum(b) - cum(a)`` and ``add`` is the inverse of ``cum``. An index is an
immutable snapshot covering ``[lo, hi)``; growing it builds a new snapshot from whole UTC
years, so readers on other threads never see a half-built one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from slaclock.core.calendar.days import OpenDays, Span
from slaclock.core.calendar.localtime import utc_year_start
from slaclock.core.errors import CalendarError

FIRST_YEAR = 1900
LAST_YEAR = 2200
HORIZON_LO = utc_year_start(FIRST_YEAR)
HORIZON_HI = utc_year_start(LAST_YEAR + 1)
_MIN_GROWTH_YEARS = 4

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Open spans of ``[lo, hi)`` plus a zero-length sentinel span at ``hi``.

    The sentinel keeps every lookup inside the arrays: a ``t < hi`` always finds a span
    whose end is after it. Lists mirror the arrays because ``bisect`` on a list is the
    fastest scalar lookup in Python.
    """

    first_year: int
    last_year: int  # inclusive
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    cum_start: list[int]
    cum_end: list[int]
    total: int
    arrays: dict[str, I64] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)  # lazily built lookup tables

    @classmethod
    def from_spans(cls, first_year: int, last_year: int, spans: list[Span]) -> Snapshot:
        lo, hi = utc_year_start(first_year), utc_year_start(last_year + 1)
        starts = [s for s, _ in spans] + [hi]
        ends = [e for _, e in spans] + [hi]
        cum_start, running = [], 0
        for s, e in spans:
            cum_start.append(running)
            running += e - s
        cum_start.append(running)
        cum_end = [c + e - s for c, s, e in zip(cum_start, starts, ends, strict=True)]
        arrays = {
            name: np.asarray(values, dtype=np.int64)
            for name, values in (
                ("starts", starts), ("ends", ends), ("cum_start", cum_start), ("cum_end", cum_end)
            )
        }  # fmt: skip
        return cls(first_year, last_year, lo, hi, starts, ends, cum_start, cum_end, running, arrays)

    def nbytes(self) -> int:
        """Approximate memory held by the snapshot (arrays plus list slots and ints)."""
        n = len(self.starts)
        return sum(a.nbytes for a in self.arrays.values()) + 4 * n * (8 + 32)


class IndexBuilder:
    """Grows snapshots year by year, keeping the spans already built."""

    def __init__(self, days: OpenDays) -> None:
        self.days = days
        self._lock = threading.Lock()
        self._spans: list[Span] = []
        self.snapshot: Snapshot | None = None

    def cover(self, lo: float, hi: float) -> Snapshot:
        """A snapshot whose ``[lo, hi)`` contains ``[lo, hi]`` (hi inclusive)."""
        snap = self.snapshot
        if snap is not None and snap.lo <= lo and hi < snap.hi:
            return snap
        if lo < HORIZON_LO or hi >= HORIZON_HI:
            raise CalendarError(
                f"calendar {self.days.spec.id!r}: instant outside the supported years "
                f"{FIRST_YEAR}-{LAST_YEAR}"
            )
        with self._lock:
            return self._grow(_utc_year(lo), _utc_year(hi))

    def _grow(self, want_first: int, want_last: int) -> Snapshot:
        snap = self.snapshot
        if snap is None:
            first = max(FIRST_YEAR, want_first - 1)
            last = min(LAST_YEAR, max(want_last, want_first + 2))
            self._spans = self.days.spans(utc_year_start(first), utc_year_start(last + 1))
        else:
            first, last = snap.first_year, snap.last_year
            if want_first < first:
                new_first = max(FIRST_YEAR, min(want_first, first - _MIN_GROWTH_YEARS))
                before = self.days.spans(utc_year_start(new_first), snap.lo)
                self._spans = _join(before, self._spans)
                first = new_first
            if want_last > last:
                new_last = min(LAST_YEAR, max(want_last, last + _MIN_GROWTH_YEARS))
                after = self.days.spans(snap.hi, utc_year_start(new_last + 1))
                self._spans = _join(self._spans, after)
                last = new_last
            if (first, last) == (snap.first_year, snap.last_year):
                return snap
        self.snapshot = Snapshot.from_spans(first, last, self._spans)
        return self.snapshot


def _utc_year(instant: float) -> int:
    year = 1970 + int(instant // 31_556_952)
    while utc_year_start(year) > instant:
        year -= 1
    while utc_year_start(year + 1) <= instant:
        year += 1
    return year


def _join(left: list[Span], right: list[Span]) -> list[Span]:
    """Concatenate adjacent span lists, merging a span cut at the seam."""
    if left and right and left[-1][1] == right[0][0]:
        return [*left[:-1], (left[-1][0], right[0][1]), *right[1:]]
    return left + right
