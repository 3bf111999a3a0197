"""The per-process memory of verified tokens: successes only, for ttl_seconds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slaclock.api.token_cache import TokenCache

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Ticking:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def test_a_revocation_elsewhere_takes_effect_after_the_ttl(sqlite_api: Any) -> None:
    tokens = sqlite_api.services.tokens
    clock = Ticking()
    cache = TokenCache(tokens, ttl_seconds=1.0, monotonic=clock)
    token_id, secret = tokens.create("agent", "cached", NOW)
    assert cache.verify(secret, NOW).role == "agent"
    tokens.revoke(token_id)
    clock.seconds = 0.9
    assert cache.verify(secret, NOW) is not None  # still remembered
    clock.seconds = 1.0
    assert cache.verify(secret, NOW) is None


def test_failures_are_not_remembered_and_clear_forgets(sqlite_api: Any) -> None:
    tokens = sqlite_api.services.tokens
    clock = Ticking()
    cache = TokenCache(tokens, ttl_seconds=60.0, monotonic=clock)
    assert cache.verify("slk_unknown", NOW) is None
    token_id, secret = tokens.create("viewer", "later", NOW)
    assert cache.verify(secret, NOW) is not None
    tokens.revoke(token_id)
    cache.clear()
    assert cache.verify(secret, NOW) is None


def test_a_zero_ttl_always_asks_the_store(sqlite_api: Any) -> None:
    tokens = sqlite_api.services.tokens
    cache = TokenCache(tokens, ttl_seconds=0)
    token_id, secret = tokens.create("viewer", "uncached", NOW)
    assert cache.verify(secret, NOW) is not None
    tokens.revoke(token_id)
    assert cache.verify(secret, NOW) is None
