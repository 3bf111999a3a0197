"""Vectorised lookups in an index snapshot: ``cum``, its inverse, ``add``, ``elapsed``.

``cum(t) = cum_start[i] + max(t - starts[i], 0)`` with ``i`` the first span ending after
``t``. Forward ``add`` finds the first span whose running total at its end reaches the
target (the earliest instant); backward ``add`` the last span whose running total at
its start is at most the target (the latest instant).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from slaclock.core.calendar.index import Snapshot

Seconds = npt.NDArray[np.int64] | npt.NDArray[np.float64]


def span_of(snap: Snapshot, t: Seconds) -> npt.NDArray[np.intp]:
    """Index of the first span whose end is after ``t`` (the sentinel at worst)."""
    return np.searchsorted(snap.arrays["ends"], t, side="right")


def cum(snap: Snapshot, t: Seconds) -> Seconds:
    """Open seconds from the snapshot start to each ``t``."""
    i = span_of(snap, t)
    before = snap.arrays["cum_start"][i]
    into = t - snap.arrays["starts"][i]
    result: Seconds = before + np.maximum(into, 0)
    return result


def add(snap: Snapshot, t: Seconds, d: Seconds) -> Seconds:
    """``add`` for every pair; the snapshot must hold every target (see bulk._grow_for)."""
    c = cum(snap, t) + d
    arrays = snap.arrays
    j = np.searchsorted(arrays["cum_end"], c, side="left")
    result: Seconds = arrays["ends"][j] - (arrays["cum_end"][j] - c)
    backward = d < 0
    if backward.any():
        cb = c[backward]
        k = np.searchsorted(arrays["cum_start"], cb, side="right") - 1
        result[backward] = arrays["starts"][k] + (cb - arrays["cum_start"][k])
    return np.where(d == 0, t, result)


def elapsed(snap: Snapshot, a: Seconds, b: Seconds) -> Seconds:
    """``cum(b) - cum(a)`` for every pair."""
    result: Seconds = cum(snap, b) - cum(snap, a)
    return result
