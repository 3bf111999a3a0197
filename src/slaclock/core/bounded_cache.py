"""A memo for values the engine works out again and again from input-derived keys.

The same few field paths, status changes, authors, metric names and days recur in
millions of events, so the engine remembers what it made of each. The keys come from
the input, though, so no memo may grow without bound: when one is full it starts over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["BoundedCache"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """``cache[key]`` is ``make(key)``, computed once; at most ``limit`` entries are kept
    (when full, the cache is emptied and fills again).

    A ``dict`` subclass with ``__missing__``, so a hit is a plain dict lookup (no Python
    call): these lookups sit on the per-event path.
    """

    __slots__ = ("limit", "make")

    def __init__(self, make: Callable[[K], V], limit: int = 10_000) -> None:
        super().__init__()
        self.make = make
        self.limit = limit

    def __missing__(self, key: K) -> V:
        value = self.make(key)
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
