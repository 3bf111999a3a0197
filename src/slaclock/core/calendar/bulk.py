"""NumPy versions of ``add`` and ``elapsed`` for millions of instants at once.

Inputs are ``datetime64`` arrays (any unit) or epoch seconds (ints or floats); outputs
are of the same kind. Whole seconds stay in int64 all the way (exact); anything with a
fraction of a second is computed in float64 seconds (exact to well below a microsecond
within the supported years).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from slaclock.core.calendar import lookup
from slaclock.core.calendar.index import HORIZON_HI, HORIZON_LO, Snapshot
from slaclock.core.errors import CalendarError

if TYPE_CHECKING:
    from slaclock.core.calendar.business_calendar import Calendar

Seconds = npt.NDArray[np.int64] | npt.NDArray[np.float64]
Restore = Callable[[Seconds], npt.NDArray[Any]]
_YEAR_SECONDS = 31_556_952
_WEEK_SECONDS = 7 * 86_400
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_COARSE = {"m": 60, "h": 3_600, "D": 86_400, "W": 7 * 86_400}


def add_many(cal: Calendar, starts: npt.ArrayLike, seconds: npt.ArrayLike) -> npt.NDArray[Any]:
    """Vectorised ``Calendar.add``."""
    t, restore = to_seconds(starts, "starts")
    d = np.asarray(seconds)
    if d.dtype.kind not in "iuf":
        raise CalendarError(f"seconds must be numbers, got an array of {d.dtype}")
    if d.dtype.kind == "f" or t.dtype.kind == "f":
        t, d = t.astype(np.float64), d.astype(np.float64)
    else:
        d = d.astype(np.int64)
    t, d = np.broadcast_arrays(t, d)
    if t.size == 0:
        return restore(t.copy())
    snap, c = _grow_for(cal, t, d)
    return restore(lookup.add_totals(snap, t, d, c))


def elapsed_many(cal: Calendar, a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Vectorised ``Calendar.elapsed`` in float64 seconds."""
    ta, _ = to_seconds(a, "a")
    tb, _ = to_seconds(b, "b")
    if ta.dtype != tb.dtype:
        ta, tb = ta.astype(np.float64), tb.astype(np.float64)
    ta, tb = np.broadcast_arrays(ta, tb)
    if ta.size == 0:
        return np.zeros(ta.shape, dtype=np.float64)
    lo = min(ta.min(), tb.min())
    hi = max(ta.max(), tb.max())
    snap = _cover(cal, lo, hi)
    return lookup.elapsed(snap, ta, tb).astype(np.float64, copy=False)


def to_seconds(values: npt.ArrayLike, name: str) -> tuple[Seconds, Restore]:
    """Epoch seconds of ``values`` and a function turning seconds back into that kind."""
    arr = np.asarray(values)
    kind = arr.dtype.kind
    if kind in "iu":
        return arr.astype(np.int64, copy=False), _identity
    if kind == "f":
        return arr.astype(np.float64, copy=False), _identity
    if kind != "M":
        raise CalendarError(f"{name}: expected datetime64 or epoch seconds, got {arr.dtype}")
    unit, count = np.datetime_data(arr.dtype)
    raw = arr.view(np.int64)
    if np.any(np.isnat(arr)):
        raise CalendarError(f"{name}: NaT (not a time) is not an instant")
    if unit in _COARSE:
        return raw * (_COARSE[unit] * count), _restore_datetime("s", 1)
    if unit not in _PER_SECOND:
        raise CalendarError(f"{name}: unsupported datetime64 unit {unit!r}")
    per = _PER_SECOND[unit] * count
    if per == 1:
        return raw, _restore_datetime(unit, 1)
    whole, rest = np.divmod(raw, per)
    if not rest.any():
        return whole, _restore_datetime(unit, per)
    return raw / per, _restore_datetime(unit, per)


def _identity(seconds: Seconds) -> npt.NDArray[Any]:
    return seconds


def _restore_datetime(unit: str, per: int) -> Restore:
    def restore(seconds: Seconds) -> npt.NDArray[Any]:
        ticks: npt.NDArray[Any] = seconds * per if per != 1 else seconds
        if ticks.dtype.kind == "f":
            ticks = np.round(ticks).astype(np.int64)
        return ticks.view(f"datetime64[{unit}]")

    return restore


def _cover(cal: Calendar, lo: float, hi: float) -> Snapshot:
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo < HORIZON_LO or hi >= HORIZON_HI:
        raise CalendarError(f"calendar {cal.id!r}: instant outside the supported years 1900-2200")
    return cal.snapshot_covering(float(lo), float(hi))


def _grow_for(cal: Calendar, t: Seconds, d: Seconds) -> tuple[Snapshot, Seconds]:
    """A snapshot in which every ``cum(t) + d`` lands between 0 and the total, and those."""
    if d.dtype.kind == "f" and not np.isfinite(d).all():
        raise CalendarError(f"calendar {cal.id!r}: durations must be finite")
    lo, hi = float(t.min()), float(t.max())
    _cover(cal, lo, hi)  # every start inside the supported years
    rate = max(cal.weekly_open_seconds(), 1.0) / _WEEK_SECONDS
    forward = backward = 0.0
    while True:
        snap = _cover(cal, max(lo - backward, HORIZON_LO), min(hi + forward, HORIZON_HI - 1))
        c = lookup.cum(snap, t)
        c += d
        c_min, c_max = c.min(), c.max()
        if c_min >= 0 and c_max <= snap.total:
            return snap, c
        stuck_hi = c_max > snap.total and snap.hi >= HORIZON_HI
        stuck_lo = c_min < 0 and snap.lo <= HORIZON_LO
        if stuck_hi or stuck_lo:
            raise CalendarError(
                f"calendar {cal.id!r}: a result leaves the supported years 1900-2200"
            )
        if c_max > snap.total:
            forward = forward * 2 + float(c_max - snap.total) / rate * 1.25 + 2 * _YEAR_SECONDS
        if c_min < 0:
            backward = backward * 2 + float(-c_min) / rate * 1.25 + 2 * _YEAR_SECONDS
