"""A memo for values the engine works out again and again from input-derived keys.

The same few field paths, status changes, authors, metric names and days recur in
millions of events, so the engine remembers what it made of each. The keys come from
the input, though, so no memo may grow without bound: when one is full it starts over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["BoundedCache", "cached"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """``cache[key]`` is ``make(key)``, computed once; at most ``limit`` entries are kept
    (when full, the cache is emptied and fills again).

    A ``dict`` subclass with ``__missing__``: a hit is a dict lookup. On the per-event
    path, read it with :func:`cached`: subscripting a dict *subclass* goes through
    ``__getitem__`` as a Python-level method call (about five times a dict's lookup).
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


#: What :func:`cached` gets back from the dict for a key it does not hold.
_MISSING = object()


def cached(cache: BoundedCache[K, V], key: K) -> V:
    """``cache[key]``, with a hit read as from a plain dict: compiled, one C lookup
    (``bounded_cache.pxd``), where ``cache[key]`` on the subclass costs a method call."""
    value = dict.get(cache, key, _MISSING)
    if value is _MISSING:
        return _make(cache, key)
    return value  # type: ignore[return-value]  # the values are all V


def _make(cache: BoundedCache[K, V], key: K) -> V:
    return cache[key]  # the subclass's own lookup: ``__missing__`` makes the value
