"""One reader of the change marker per process, shared by every open live page.

A dashboard page kept open (a wall screen, a lead's tab) wants to hear when what it shows
may have changed. Asking the database once a second per open page would put the cost on
the number of viewers; instead a :class:`ChangeFeed` reads the marker
(:meth:`slaclock.service.app_state.Services.change_marker`) once per
:attr:`~ChangeFeed.poll_seconds` in one thread of the process, whatever the number of
subscribers, and tells each subscriber when it moves. The marker lives in the database,
so a write by any process (several ``serve`` workers, a separate ``slaclock worker``,
the CLI) is seen; there is no in-process notification to miss.

The thread runs only while someone listens: it starts with the first subscriber and
ends after the last one leaves. Subscribers are plain callables, called from the
feed's thread (an asyncio stream passes ``loop.call_soon_threadsafe``).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
from collections.abc import Callable

__all__ = ["POLL_SECONDS", "ChangeFeed", "marker_text"]

#: How often the marker is read while anyone listens.
POLL_SECONDS = 1.0

log = logging.getLogger(__name__)


def marker_text(parts: tuple[object, ...]) -> str:
    """The marker as pages carry it: short and opaque (no counts of the store leak out),
    equal for equal readings in every process."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


class ChangeFeed:
    """Reads ``read()`` every ``poll_seconds`` while subscribed, and calls every
    subscriber when the value changes."""

    def __init__(self, read: Callable[[], str], poll_seconds: float = POLL_SECONDS) -> None:
        self._read = read
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._listeners: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._marker: str | None = None
        #: Markers read by the feed's thread (tests: one reader, whatever the listeners).
        self.reads = 0

    @property
    def marker(self) -> str | None:
        """The last marker the feed read; None while nobody listens."""
        return self._marker

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    @property
    def running(self) -> bool:
        """Whether the feed's thread runs (it does only while someone listens)."""
        return self._thread is not None

    def current(self) -> str:
        """The marker now: the feed's last reading while it runs (at most a poll old),
        else read from the database."""
        marker = self._marker
        return marker if marker is not None else self._read()

    def subscribe(self, listener: Callable[[], None]) -> int:
        """Call ``listener()`` whenever the marker moves, until :meth:`unsubscribe`
        with the key returned; starts the feed's thread when it is the first."""
        with self._lock:
            key = next(self._ids)
            self._listeners[key] = listener
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="slaclock-change-feed", daemon=True
                )
                self._thread.start()
        return key

    def unsubscribe(self, key: int) -> None:
        with self._lock:
            self._listeners.pop(key, None)
            if not self._listeners:
                self._wake.set()  # let the thread see it is alone and end

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._listeners:
                    self._thread = None
                    self._marker = None  # stale once nobody reads: current() reads again
                    return
            self._poll()
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def _poll(self) -> None:
        try:
            marker = self._read()
        except Exception:  # the database may be away for a while: keep trying
            log.warning("reading the change marker failed", exc_info=True)
            return
        self.reads += 1
        if marker == self._marker:
            return
        self._marker = marker
        with self._lock:
            listeners = list(self._listeners.values())
        for listener in listeners:
            try:
                listener()
            except Exception:  # one gone subscriber must not starve the others
                log.warning("a change listener failed", exc_info=True)
