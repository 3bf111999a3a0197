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

from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from slaclock.core.calendar.index import Snapshot

Seconds = npt.NDArray[np.int64] | npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
_MAX_STEPS = 6


@dataclass(frozen=True, eq=False)
class Buckets:
    """A bucket table over one sorted key array: ``key >> shift`` -> first candidate."""

    origin: int
    shift: int
    table: I64
    steps: int  # compare-and-step passes needed; -1 means "use searchsorted"

    @classmethod
    def build(cls, keys: I64, origin: int, span: int, min_gap: int, side: str) -> Buckets:
        """Buckets over ``[origin, origin + span]`` for ``searchsorted(keys, x, side)``."""
        budget = 8 * len(keys) + 4096
        shift = max(int(min_gap).bit_length() - 1, 0)
        while (span >> shift) + 2 > budget:
            shift += 1
        starts = origin + (np.arange((span >> shift) + 2, dtype=np.int64) << shift)
        table = np.searchsorted(keys, starts, side=side).astype(np.int64)  # type: ignore[call-overload]
        steps = int(np.diff(table).max(initial=0))
        return cls(origin, shift, table[:-1], steps if steps <= _MAX_STEPS else -1)


@dataclass(frozen=True, eq=False)
class Tables:
    """Bucket tables of a snapshot, for instants and for running totals."""

    time: Buckets
    total: Buckets
    end_minus_cum: I64  # ends - cum_end: the instant of a running total inside a span

    @classmethod
    def of(cls, snap: Snapshot) -> Tables:
        found = snap.extras.get("tables")
        if isinstance(found, Tables):
            return found
        a = snap.arrays
        real = len(a["starts"]) - 1
        gap_ends = int(np.diff(a["ends"][:real]).min(initial=1 << 40))
        lengths = int((a["ends"][:real] - a["starts"][:real]).min(initial=1 << 40))
        tables = cls(
            Buckets.build(a["ends"], snap.lo, snap.hi - snap.lo, max(gap_ends, 1), "right"),
            Buckets.build(a["cum_end"], 0, snap.total, max(lengths, 1), "left"),
            a["ends"] - a["cum_end"],
        )
        snap.extras["tables"] = tables
        return tables


def span_of(snap: Snapshot, t: Seconds) -> npt.NDArray[np.int64]:
    """Index of the first span whose end is after ``t`` (the sentinel at worst)."""
    ends = snap.arrays["ends"]
    buckets = Tables.of(snap).time
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
    buckets = Tables.of(snap).total
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
    result: Seconds = Tables.of(snap).end_minus_cum[j] + c
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
