"""Per-process memories of token checks: recent successes, to spare the database, and
recent failures per client address, to throttle guessing.

Verifying a token is a database read on every request; under load it cost more than
storing the event itself. A token that verified is trusted again for ``ttl_seconds``
(one second by default). Only successes are kept, so a new token works at once; a
revocation made through this process's API clears the memory at once, and one made
elsewhere (the CLI, another worker) takes effect within ``ttl_seconds``. Secrets are
kept only as their SHA-256.

:class:`FailureThrottle` counts, per client address, the checks that failed in the last
``window_seconds``; once an address has ``limit`` of them, checks from it are refused
(429) without asking the database, until the oldest failure leaves the window. Its
clock is the app's ``now``. At most ``MAX_CLIENTS`` addresses are kept, the one that
failed longest ago forgotten first. So that a throttled address (a proxy, a shared
NAT) does not lock out its honest users, a token that verified before in this process
(:meth:`TokenCache.known`, the last ``MAX_ENTRIES``) is still checked; one that then
fails is known no more.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from slaclock.service.tokens import TokenInfo

__all__ = ["FailureThrottle", "TokenCache"]

MAX_ENTRIES = 10_000
MAX_CLIENTS = 10_000


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
        self._known: OrderedDict[str, None] = OrderedDict()

    def remembered(self, secret: str) -> TokenInfo | None:
        """The token's info if it verified less than ``ttl_seconds`` ago; no I/O."""
        if self._ttl_seconds <= 0:
            return None
        with self._lock:
            hit = self._verified.get(_key(secret))
        return hit[1] if hit is not None and self._monotonic() < hit[0] else None

    def known(self, secret: str) -> bool:
        """Whether the token verified in this process and has not failed since; no I/O."""
        with self._lock:
            return _key(secret) in self._known

    def verify(self, secret: str, now: datetime) -> TokenInfo | None:
        remembered = self.remembered(secret)
        if remembered is not None:
            return remembered
        key = _key(secret)
        info = self._tokens.verify(secret, now)
        with self._lock:
            if info is None:
                self._known.pop(key, None)
                return None
            self._known[key] = None
            self._known.move_to_end(key)
            if len(self._known) > MAX_ENTRIES:
                self._known.popitem(last=False)
            if self._ttl_seconds > 0:
                if len(self._verified) >= MAX_ENTRIES:
                    self._verified.clear()
                self._verified[key] = (self._monotonic() + self._ttl_seconds, info)
        return info

    def clear(self) -> None:
        """Forget the tokens that verified a moment ago (after a revocation); those
        known are still checked against the database."""
        with self._lock:
            self._verified.clear()


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class FailureThrottle:
    """Failed token checks per client: ``limit`` within ``window_seconds``, then wait.

    ``limit`` 0 turns the throttle off.
    """

    def __init__(self, limit: int, window_seconds: float, max_clients: int = MAX_CLIENTS) -> None:
        self._limit = limit
        self._window = window_seconds
        self._max_clients = max_clients
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, client: str, now: datetime) -> int | None:
        """Whole seconds until ``client`` may be checked again, or None if it may now."""
        if self._limit <= 0:
            return None
        at = now.timestamp()
        with self._lock:
            failures = self._failures.get(client)
            if failures is None:
                return None
            self._forget_before(failures, at - self._window)
            if len(failures) < self._limit:
                if not failures:
                    del self._failures[client]
                return None
            wait = failures[0] + self._window - at
        return min(max(1, math.ceil(wait)), max(1, math.ceil(self._window)))

    def failed(self, client: str, now: datetime) -> None:
        """Count one failed check of ``client`` at ``now``."""
        if self._limit <= 0:
            return
        with self._lock:
            failures = self._failures.pop(client, None)
            if failures is None:
                failures = deque(maxlen=self._limit)
            failures.append(now.timestamp())
            self._failures[client] = failures  # the most recent, last
            while len(self._failures) > self._max_clients:
                self._failures.popitem(last=False)

    def __len__(self) -> int:
        """The clients remembered."""
        return len(self._failures)

    @staticmethod
    def _forget_before(failures: deque[float], cutoff: float) -> None:
        while failures and failures[0] <= cutoff:
            failures.popleft()
