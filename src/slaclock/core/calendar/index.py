"""The lazily grown index of open time: sorted spans with a running total.

For spans ``[starts[i], ends[i])`` and ``cum_start[i]`` = open seconds before span ``i``,
the open seconds from the index start to ``t`` are ``cum(t)``; then
``elapsed(a, b) = cum(b) - cum(a)`` and ``add`` is the inverse of ``cum``. An index is an
immutable snapshot covering ``[lo, hi)``; growing it builds a new snapshot from whole UTC
years, so readers on other threads never see a half-built one.

A snapshot is built from Python lists, which the scalar lookups read; the NumPy arrays
of the bulk functions are made from them the first time those are called. A command
that never calls them (``slaclock replay``, ``validate``) never imports NumPy: that
import was a third of its start-up.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING

from slaclock.core.calendar.days import OpenDays, Span
from slaclock.core.calendar.localtime import utc_year_start
from slaclock.core.errors import CalendarError

FIRST_YEAR = 1900
LAST_YEAR = 2200
HORIZON_LO = utc_year_start(FIRST_YEAR)
HORIZON_HI = utc_year_start(LAST_YEAR + 1)
_MIN_GROWTH_YEARS = 4
_MAX_STEPS = 6

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    I64 = npt.NDArray[np.int64]

FastView = tuple[
    int, int, list[int], list[int], list[int], list[int], int, list[int], int, list[int], int
]


@dataclass(frozen=True, eq=False)
class Buckets:
    """A bucket table over a sorted key array: ``table[(x - origin) >> shift]`` is a lower
    bound of ``searchsorted(keys, x, side)``, and ``steps`` compare-and-step passes (at
    most) reach the exact answer; ``steps == -1`` means "too many: bisect instead".

    Buckets are ``2**shift`` wide, the widest power of two not above the smallest gap
    between keys (so usually one step), capped so the table never outgrows the keys.
    """

    origin: int
    shift: int
    table_list: list[int]
    steps: int

    @classmethod
    def build(cls, keys: list[int], origin: int, span: int, min_gap: int, side: str) -> Buckets:
        budget = 4 * len(keys) + 4096
        shift = max(int(min_gap).bit_length() - 1, 0)
        while (span >> shift) + 2 > budget:
            shift += 1
        search = bisect_right if side == "right" else bisect_left
        table: list[int] = []
        found = 0
        for k in range((span >> shift) + 2):  # bucket starts ascend: search on from the last
            found = search(keys, origin + (k << shift), found)
            table.append(found)
        steps = max((b - a for a, b in pairwise(table)), default=0)
        del table[-1]
        return cls(origin, shift, table, steps if steps <= _MAX_STEPS else -1)

    @cached_property
    def table(self) -> I64:
        """The table as a NumPy array, for the bulk lookups (made when first needed)."""
        import numpy as np

        return np.array(self.table_list, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Open spans of ``[lo, hi)`` plus a zero-length sentinel span at ``hi``.

    The sentinel keeps every lookup inside the lists: a ``t < hi`` always finds a span
    whose end is after it. Lists, because indexing a list is the fastest scalar lookup
    in Python; :attr:`arrays` mirrors them for the bulk functions.
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
    by_time: Buckets  # over instants, for the first span ending after t
    by_total: Buckets  # over running totals, for the first span whose cum_end >= c

    @classmethod
    def from_spans(cls, first_year: int, last_year: int, flat: list[Span]) -> Snapshot:
        """The snapshot of ``flat``, sorted disjoint ``(start, end)`` spans."""
        lo, hi = utc_year_start(first_year), utc_year_start(last_year + 1)
        starts = [start for start, _ in flat] + [hi]
        ends = [end for _, end in flat] + [hi]
        lengths = [end - start for start, end in zip(starts, ends, strict=True)]
        cum_end = list(accumulate(lengths))
        cum_start = [c - length for c, length in zip(cum_end, lengths, strict=True)]
        n = len(flat)
        gap = min((b - a for a, b in pairwise(ends[:n])), default=1 << 40)
        shortest = min(lengths[:n], default=1 << 40)
        return cls(
            first_year, last_year, lo, hi, starts, ends, cum_start, cum_end, cum_end[-1],
            Buckets.build(ends, lo, hi - lo, max(gap, 1), "right"),
            Buckets.build(cum_end, 0, cum_end[-1], max(shortest, 1), "left"),
        )  # fmt: skip

    @cached_property
    def arrays(self) -> dict[str, I64]:
        """The lists as NumPy arrays, for the bulk functions (made when first needed)."""
        import numpy as np

        starts, ends = np.array(self.starts, dtype=np.int64), np.array(self.ends, dtype=np.int64)
        cum_end = np.array(self.cum_end, dtype=np.int64)
        return {
            "starts": starts, "ends": ends, "cum_start": np.array(self.cum_start, dtype=np.int64),
            "cum_end": cum_end, "end_minus_cum": ends - cum_end,
        }  # fmt: skip


class IndexBuilder:
    """Grows snapshots year by year, keeping the spans already built."""

    def __init__(self, days: OpenDays) -> None:
        self.days = days
        self._lock = threading.Lock()
        self._spans: list[Span] = []  # what the snapshot was built from
        self.snapshot: Snapshot | None = None
        # The scalar hot path unpacks this tuple in one step (attribute loads cost more):
        # lo, hi, starts, ends, cum_start, cum_end, total, time table, its shift,
        # total table, its shift. An empty range (lo > hi) until something is built.
        self.fast: FastView = (1, 0, [], [], [], [], 0, [], 0, [], 0)

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

    def _build(self, first_year: int, end_year: int) -> list[Span]:
        """Spans of the UTC years ``[first_year, end_year)``, eight years per call of
        ``OpenDays.spans``, so each call's working lists stay a few years long."""
        joined: list[Span] = []
        for y in range(first_year, end_year, 8):
            part = self.days.spans(utc_year_start(y), utc_year_start(min(y + 8, end_year)))
            joined = _join(joined, part)
        return joined

    def _grow(self, want_first: int, want_last: int) -> Snapshot:
        snap = self.snapshot
        if snap is None:
            first = want_first
            last = min(LAST_YEAR, max(want_last, want_first + 1))
            self._spans = self._build(first, last + 1)
        else:
            first, last = snap.first_year, snap.last_year
            if want_first < first:
                new_first = max(FIRST_YEAR, min(want_first, first - _MIN_GROWTH_YEARS))
                before = self._build(new_first, first)
                self._spans = _join(before, self._spans)
                first = new_first
            if want_last > last:
                new_last = min(LAST_YEAR, max(want_last, last + _MIN_GROWTH_YEARS))
                after = self._build(last + 1, new_last + 1)
                self._spans = _join(self._spans, after)
                last = new_last
            if (first, last) == (snap.first_year, snap.last_year):
                return snap
        snap = Snapshot.from_spans(first, last, self._spans)
        self.snapshot = snap
        self.fast = (
            snap.lo, snap.hi, snap.starts, snap.ends, snap.cum_start, snap.cum_end, snap.total,
            snap.by_time.table_list, snap.by_time.shift,
            snap.by_total.table_list, snap.by_total.shift,
        )  # fmt: skip
        return snap


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
