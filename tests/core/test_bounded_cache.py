"""BoundedCache: each value made once, and never more than ``limit`` entries kept."""

from __future__ import annotations

from slaclock.core.bounded_cache import BoundedCache


def test_a_value_is_made_once_per_key():
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    cache: BoundedCache[str, str] = BoundedCache(make)
    assert [cache["a"], cache["b"], cache["a"], cache["a"]] == ["A", "B", "A", "A"]
    assert made == ["a", "b"]


def test_a_full_cache_starts_over_and_stays_within_its_limit():
    cache: BoundedCache[int, int] = BoundedCache(lambda n: n * n, limit=3)
    for n in range(10):
        assert cache[n] == n * n
        assert len(cache) <= 3
    assert list(cache) == [9]  # emptied when full: the newest key is all that is left


def test_get_and_membership_do_not_make_values():
    cache: BoundedCache[str, int] = BoundedCache(len)
    assert cache.get("abc") is None and "abc" not in cache
    assert cache["abc"] == 3 and "abc" in cache


def test_cached_reads_like_a_subscript_and_makes_each_value_once():
    from slaclock.core.bounded_cache import cached

    made: list[str] = []

    def make(key: str) -> str | None:
        made.append(key)
        return None if key == "none" else key.upper()

    cache: BoundedCache[str, str | None] = BoundedCache(make, limit=3)
    assert [cached(cache, k) for k in ("a", "none", "a", "none")] == ["A", None, "A", None]
    assert made == ["a", "none"]  # a remembered None is a hit, not a miss
    for key in ("b", "c", "d"):
        assert cached(cache, key) == key.upper()
    assert len(cache) <= 3  # the limit holds through cached() as through cache[key]
