"""Vectorised lookups in an index snapshot: ``cum``, its inverse, ``add``, ``elapsed``.

``cum(t) = cum_start[i] + max(t - starts[i], 0)`` with ``i`` the first span ending after
``t``. Forward ``add`` finds the first span whose running total at its end reaches the
target (the earliest instant); backward ``add`` the last span whose running total at its
start is at most the target (the latest instant).

Finding ``i`` with ``searchsorted`` costs a binary search per value (~50-100 ns). For
whole seconds we use bucket tables instead: time is cut into buckets of ``2**k``
seconds, small enough that a bucket holds at most a few span ends, and the table gives
the first span ending after the bucket start; a fixed number of compare-and-step passes
finishes the job. The same trick works on the running-total axis for the inverse. Each
step is one NumPy pass over the values, with no per-value branching.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from slaclock.core.calendar.index import Snapshot

Seconds = npt.NDArray[np.int64] | npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def span_of(snap: Snapshot, t: Seconds) -> npt.NDArray[np.int64]:
    """Index of the first span whose end is after ``t`` (the sentinel at worst)."""
    ends = snap.arrays["ends"]
    buckets = snap.by_time
    if t.dtype.kind != "i" or buckets.steps < 0:
        found: npt.NDArray[np.int64] = np.searchsorted(ends, t, side="right")
        return found
    whole = cast(I64, t)
    i: npt.NDArray[np.int64] = buckets.table[(whole - buckets.origin) >> buckets.shift]
    for _ in range(buckets.steps):
        i += ends[i] <= whole
    return i


def first_reaching(snap: Snapshot, c: Seconds) -> npt.NDArray[np.int64]:
    """Index of the first span whose running total at its end is ``>= c``."""
    cum_end = snap.arrays["cum_end"]
    buckets = snap.by_total
    if c.dtype.kind != "i" or buckets.steps < 0:
        found: npt.NDArray[np.int64] = np.searchsorted(cum_end, c, side="left")
        return found
    whole = cast(I64, c)
    j: npt.NDArray[np.int64] = buckets.table[whole >> buckets.shift]
    for _ in range(buckets.steps):
        j += cum_end[j] < whole
    return j


def cum(snap: Snapshot, t: Seconds) -> Seconds:
    """Open seconds from the snapshot start to each ``t``."""
    i = span_of(snap, t)
    into = t - snap.arrays["starts"][i]
    np.maximum(into, 0, out=into)
    into += snap.arrays["cum_start"][i]
    return into


def add_totals(snap: Snapshot, t: Seconds, d: Seconds, c: Seconds) -> Seconds:
    """``add`` given ``c = cum(t) + d``, every ``c`` within ``[0, snap.total]``."""
    arrays = snap.arrays
    j = first_reaching(snap, c)
    result: Seconds = arrays["end_minus_cum"][j] + c
    backward = d < 0
    if backward.any():
        cb = c[backward]
        k = np.searchsorted(arrays["cum_start"], cb, side="right") - 1
        result[backward] = arrays["starts"][k] + (cb - arrays["cum_start"][k])
    zero = d == 0
    if zero.any():
        result[zero] = t[zero]
    return result


def elapsed(snap: Snapshot, a: Seconds, b: Seconds) -> Seconds:
    """``cum(b) - cum(a)`` for every pair."""
    result: Seconds = cum(snap, b)
    result -= cum(snap, a)
    return result
