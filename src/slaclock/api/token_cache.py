"""A short-lived, per-process memory of tokens that verified, to spare the database.

Verifying a token is a database read on every request; under load it cost more than
storing the event itself. A token that verified is trusted again for ``ttl_seconds``
(one second by default). Only successes are kept, so a new token works at once; a
revocation made through this process's API clears the memory at once, and one made
elsewhere (the CLI, another worker) takes effect within ``ttl_seconds``. Secrets are
kept only as their SHA-256.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from slaclock.service.tokens import TokenInfo

__all__ = ["TokenCache"]

MAX_ENTRIES = 10_000


class Verifier(Protocol):
    """What the cache asks on a miss (:class:`slaclock.service.tokens.TokenService`)."""

    def verify(self, secret: str, now: datetime) -> TokenInfo | None: ...


class TokenCache:
    """``verify`` like the token service's, remembering successes for a moment."""

    def __init__(
        self,
        tokens: Verifier,
        ttl_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tokens = tokens
        self._ttl_seconds = ttl_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._verified: dict[str, tuple[float, TokenInfo]] = {}

    def remembered(self, secret: str) -> TokenInfo | None:
        """The token's info if it verified less than ``ttl_seconds`` ago; no I/O."""
        if self._ttl_seconds <= 0:
            return None
        with self._lock:
            hit = self._verified.get(_key(secret))
        return hit[1] if hit is not None and self._monotonic() < hit[0] else None

    def verify(self, secret: str, now: datetime) -> TokenInfo | None:
        if self._ttl_seconds <= 0:
            return self._tokens.verify(secret, now)
        remembered = self.remembered(secret)
        if remembered is not None:
            return remembered
        key = _key(secret)
        info = self._tokens.verify(secret, now)
        if info is not None:
            with self._lock:
                if len(self._verified) >= MAX_ENTRIES:
                    self._verified.clear()
                self._verified[key] = (self._monotonic() + self._ttl_seconds, info)
        return info

    def clear(self) -> None:
        """Forget everything (after a revocation)."""
        with self._lock:
            self._verified.clear()


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
