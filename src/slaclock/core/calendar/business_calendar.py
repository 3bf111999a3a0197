"""The public :class:`Calendar`: business-time arithmetic on aware datetimes.

Everything reduces to ``cum(t)``, the open seconds before ``t`` in the current index
snapshot (see :mod:`slaclock.core.calendar.index`): ``elapsed`` subtracts two of them and
``add`` inverts one over the running totals. Scalar lookups read the snapshot's bucket
tables as Python lists (list indexing is the cheapest lookup in CPython), falling back
to ``bisect``; the NumPy versions live in :mod:`slaclock.core.calendar.bulk`, which is
imported (and NumPy with it) only when a bulk method is first called.
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slaclock.core.calendar.days import OpenDays
from slaclock.core.calendar.epoch import epoch_micros, from_epoch_micros
from slaclock.core.calendar.index import (
    HORIZON_HI,
    HORIZON_LO,
    IndexBuilder,
    Snapshot,
)
from slaclock.core.calendar.spec import CalendarSpec, parse_spec
from slaclock.core.errors import CalendarError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_WEEK_SECONDS = 7 * 86_400
_YEAR_SECONDS = 31_556_952
_fromtimestamp = datetime.fromtimestamp
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND_MICROS = 1_000_000


class Calendar:
    """A validated business calendar; build it with :meth:`from_dict`."""

    __slots__ = ("_builder", "_days", "_spec")

    def __init__(self, spec: CalendarSpec) -> None:
        self._spec = spec
        self._days = OpenDays(spec)
        self._builder = IndexBuilder(self._days)

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> Calendar:
        """Validate one entry of ``calendars:``; raises :class:`CalendarError`."""
        return cls(parse_spec(mapping))

    # ------------------------------------------------------------------ description
    @property
    def id(self) -> str:
        return self._spec.id

    @property
    def tz(self) -> ZoneInfo:
        return self._spec.tz

    @property
    def always_open(self) -> bool:
        return self._spec.always_open

    def to_dict(self) -> dict[str, Any]:
        """The validated mapping, as plain JSON-able values."""
        return copy.deepcopy(dict(self._spec.source))

    def weekly_open_seconds(self) -> float:
        """Nominal open seconds of a week without holidays (wall-clock lengths)."""
        if self._spec.always_open:
            return float(_WEEK_SECONDS)
        return float(sum(end - start for day in self._spec.week for start, end in day))

    def holidays_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """Dates in ``[first, last]`` closed all day by a holiday (openings excluded)."""
        found: list[tuple[date, str]] = []
        if self._spec.always_open:
            return found
        for year in range(first.year, last.year + 1):
            for day, name in self._days.holidays_of_year(year).items():
                if first <= day <= last and day not in self._spec.openings:
                    found.append((day, name))
        return sorted(found)

    def __repr__(self) -> str:
        return f"Calendar(id={self.id!r}, tz={self.tz.key!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._spec.source == other._spec.source

    def __hash__(self) -> int:
        return hash(self.id)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        """Pickle as the mapping (the index is a cache and holds a lock)."""
        return (Calendar.from_dict, (self.to_dict(),))

    def __copy__(self) -> Calendar:
        return self  # immutable from the outside: sharing is safe

    def __deepcopy__(self, memo: dict[int, Any]) -> Calendar:
        return self

    # ------------------------------------------------------------------ scalar
    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant ``seconds`` of open time after ``start`` (before, when negative)."""
        micros = _micros_of(start)
        if not seconds:
            return start.astimezone(UTC)
        return from_epoch_micros(self.add_micros(micros, seconds))

    def elapsed(self, a: datetime, b: datetime) -> float:
        """Open seconds in ``[a, b)``; negative when ``b`` is before ``a``."""
        return self.elapsed_micros(_micros_of(a), _micros_of(b))

    def add_micros(self, t: int, seconds: float) -> int:
        """:meth:`add` on epoch microseconds, the engine's form of an instant.

        One path: an instant on a whole second plus whole seconds, inside the index (the
        engine's every call), is a few table reads on integers; anything else (a
        fraction of a second, a negative duration, outside the index, which grows
        first) is looked up on the index snapshot in float seconds."""
        if type(seconds) is float and seconds.is_integer() and -1e12 < seconds < 1e12:
            seconds = int(seconds)
        if not seconds:
            return t
        if type(seconds) is int and 0 < seconds < _WHOLE_LIMIT and t % _SECOND_MICROS == 0:
            found = self._add_whole(t // _SECOND_MICROS, seconds)
            if found != _NOT_WHOLE:
                return found * _SECOND_MICROS
        return round(self._add_anywhere(t / _SECOND_MICROS, seconds) * _SECOND_MICROS)

    def elapsed_micros(self, a: int, b: int) -> float:
        """:meth:`elapsed` between two instants in epoch microseconds."""
        if a % _SECOND_MICROS == 0 and b % _SECOND_MICROS == 0:
            found = self._elapsed_whole(a // _SECOND_MICROS, b // _SECOND_MICROS)
            if found == found:  # not NaN: inside the index
                return found
        return self._elapsed_anywhere(a / _SECOND_MICROS, b / _SECOND_MICROS)

    def _add_whole(self, t: int, seconds: int) -> int:
        """The epoch second ``seconds`` of open time after the epoch second ``t``, read
        off the index's tables; ``_NOT_WHOLE`` when the result is not inside it."""
        (lo, hi, starts, ends, cum_start, cum_end, total, t_table, t_shift, c_table,
         c_shift) = self._builder.fast  # fmt: skip
        if not lo <= t < hi:
            return _NOT_WHOLE
        i = _span_whole(ends, t_table, lo, t_shift, t)
        s = starts[i]
        c = cum_start[i] + (t - s if t > s else 0) + seconds
        if c > total:
            return _NOT_WHOLE
        j = c_table[c >> c_shift]
        reached = cum_end[j]
        if reached < c:
            j += 1
            reached = cum_end[j]
            if reached < c:
                j = bisect_left(cum_end, c, j)
                reached = cum_end[j]
        return ends[j] - (reached - c)  # back from the end of the span where c is reached

    def _add_anywhere(self, t: float, seconds: float) -> float:
        """The epoch seconds ``seconds`` of open time after ``t``, for any finite
        duration; the index grows as needed."""
        snap = self._snapshot(t)
        c = _cum(snap, t) + seconds
        if not 0 <= c <= snap.total:
            snap, c = self._grow_for(t, seconds)
        if seconds > 0:
            j = bisect_left(snap.cum_end, c)
            return float(snap.ends[j] - snap.cum_end[j] + c)
        j = bisect_right(snap.cum_start, c) - 1
        return float(snap.starts[j] + c - snap.cum_start[j])

    def _elapsed_whole(self, whole_a: int, whole_b: int) -> float:
        """``elapsed`` between two whole epoch seconds inside the index; NaN otherwise (the
        index then grows first)."""
        lo, hi, starts, ends, cum_start, _, _, t_table, t_shift, _, _ = self._builder.fast
        if not (lo <= whole_a < hi and lo <= whole_b < hi):
            return math.nan
        i = _span_whole(ends, t_table, lo, t_shift, whole_a)
        k = _span_whole(ends, t_table, lo, t_shift, whole_b)
        s = starts[i]
        u = starts[k]
        return float(
            cum_start[k] + (whole_b - u if whole_b > u else 0)
            - cum_start[i] - (whole_a - s if whole_a > s else 0)
        )  # fmt: skip

    def _elapsed_anywhere(self, ta: float, tb: float) -> float:
        snap = self._builder.cover(min(ta, tb), max(ta, tb))
        return float(_cum(snap, tb) - _cum(snap, ta))

    def is_open(self, t: datetime) -> bool:
        """Whether ``t`` lies in an open interval (open at its start, closed at its end)."""
        x = _epoch(t)
        snap = self._snapshot(x)
        return bool(snap.starts[_span(snap, x)] <= x)

    def next_open(self, t: datetime) -> datetime:
        """``t`` when open, otherwise the start of the next open interval (UTC)."""
        x = _epoch(t)
        snap = self._snapshot(x)
        while True:
            i = _span(snap, x)
            if snap.starts[i] <= x:
                return t.astimezone(UTC)
            if i < len(snap.starts) - 1:
                return _fromtimestamp(snap.starts[i], UTC)
            if snap.hi >= HORIZON_HI:
                raise CalendarError(f"calendar {self.id!r}: no open time after {t.isoformat()}")
            snap = self._builder.cover(x, min(snap.hi + _YEAR_SECONDS * 8, HORIZON_HI - 1))

    # ------------------------------------------------------------------ bulk
    def add_many(self, starts: npt.ArrayLike, seconds: npt.ArrayLike) -> npt.NDArray[Any]:
        """Vectorised :meth:`add`: datetime64 or epoch seconds in, the same kind out."""
        from slaclock.core.calendar import bulk

        return bulk.add_many(self, starts, seconds)

    def elapsed_many(self, a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Vectorised :meth:`elapsed` in float64 seconds."""
        from slaclock.core.calendar import bulk

        return bulk.elapsed_many(self, a, b)

    # ------------------------------------------------------------------ index access
    def _snapshot(self, x: float) -> Snapshot:
        snap = self._builder.snapshot
        if snap is None or not snap.lo <= x < snap.hi:
            snap = self._builder.cover(x, x)
        return snap

    def snapshot_covering(self, lo: float, hi: float) -> Snapshot:
        """An index snapshot covering ``[lo, hi]`` (used by the bulk functions)."""
        return self._builder.cover(lo, hi)

    def _grow_for(self, t: float, seconds: float) -> tuple[Snapshot, float]:
        """Grow the index until ``t + seconds`` of open time fits; return it and the target."""
        if not math.isfinite(seconds):
            raise CalendarError(f"calendar {self.id!r}: duration must be finite, got {seconds}")
        rate = max(self.weekly_open_seconds(), 1.0) / _WEEK_SECONDS
        reach = abs(seconds) / rate * 1.25 + 2 * _YEAR_SECONDS
        while True:
            lo, hi = (t, t + reach) if seconds > 0 else (t - reach, t)
            snap = self._builder.cover(max(lo, HORIZON_LO), min(hi, HORIZON_HI - 1))
            c = _cum(snap, t) + seconds
            if 0 <= c <= snap.total:
                return snap, c
            if (snap.hi >= HORIZON_HI and seconds > 0) or (snap.lo <= HORIZON_LO and seconds < 0):
                raise CalendarError(
                    f"calendar {self.id!r}: adding {seconds} s to {_iso(t)} leaves the "
                    "supported years 1900-2200"
                )
            reach *= 2


#: What :func:`_utc_seconds` returns for an instant the table paths do not take.
_NOT_WHOLE = -(1 << 62)
#: Whole seconds beyond this (about 31,700 years) take the general path.
_WHOLE_LIMIT = 1_000_000_000_000


def _micros_of(t: datetime) -> int:
    """Epoch microseconds of an aware datetime; :class:`CalendarError` for anything else."""
    if type(t) is datetime and t.tzinfo is UTC:  # the engine's every instant
        return epoch_micros(t)
    if isinstance(t, datetime) and t.tzinfo is not None and t.utcoffset() is not None:
        return epoch_micros(t)
    raise _not_aware(t)


def _span_whole(ends: list[int], t_table: list[int], lo: int, shift: int, t: int) -> int:
    """:func:`_span` for a whole second ``t`` inside the index: a bucket gives a lower
    bound, one compare usually settles it."""
    i = t_table[(t - lo) >> shift]
    end = ends[i]
    if end <= t:
        i += 1
        end = ends[i]
        if end <= t:
            i = bisect_right(ends, t, i)
    return i


def _span(snap: Snapshot, t: float) -> int:
    """Index of the first span ending after ``t`` (``t`` inside the snapshot)."""
    ends, buckets = snap.ends, snap.by_time
    i = buckets.table_list[int(t - snap.lo) >> buckets.shift]
    if ends[i] <= t:
        i += 1
        if ends[i] <= t:
            i = bisect_right(ends, t, i)
    return i


def _cum(snap: Snapshot, t: float) -> float:
    """Open seconds from the snapshot start to ``t``."""
    i = _span(snap, t)
    s = snap.starts[i]
    return snap.cum_start[i] + (t - s if t > s else 0)


def _iso(t: float) -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=t)).isoformat()


def _not_aware(t: object) -> CalendarError:
    if isinstance(t, datetime):
        return CalendarError(f"naive datetime {t!r}: give a timezone (e.g. tzinfo=UTC)")
    return CalendarError(f"expected an aware datetime, got {t!r}")


def _epoch(t: datetime) -> float:
    """Epoch seconds of an aware datetime (an int when whole); naive ones are refused.

    Subtracting the aware epoch raises TypeError for a naive datetime (it has no instant)
    and for anything that is not a datetime; both become a :class:`CalendarError`.
    """
    try:
        delta = t - _EPOCH
    except TypeError:
        raise _not_aware(t) from None
    whole = delta.days * 86_400 + delta.seconds
    micro = delta.microseconds
    return whole + micro / 1_000_000 if micro else whole
