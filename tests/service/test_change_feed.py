"""The change feed: one reader per process whatever the number of open pages, a call to
each subscriber when the marker moves, and no thread while nobody listens."""

from __future__ import annotations

import time
from collections.abc import Callable

from slaclock.service.change_feed import ChangeFeed, marker_text

POLL = 0.02


def _eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.01)


class Marker:
    """A marker source: its value, and how often it was read."""

    def __init__(self) -> None:
        self.value = "a"
        self.reads = 0
        self.failing = False

    def read(self) -> str:
        self.reads += 1
        if self.failing:
            raise OSError("the database is away")
        return self.value


def test_many_subscribers_share_one_reader() -> None:
    source = Marker()
    feed = ChangeFeed(source.read, POLL)
    calls = [0] * 50

    def counter(n: int) -> Callable[[], None]:
        def count() -> None:
            calls[n] += 1

        return count

    keys = [feed.subscribe(counter(n)) for n in range(50)]
    try:
        _eventually(lambda: feed.marker == "a")
        reads = source.reads
        time.sleep(POLL * 10)
        # about one read a poll: nothing like one per subscriber per poll (500)
        assert source.reads - reads <= 20, source.reads - reads
        seen = list(calls)  # the first reading may have come before the last subscribed
        source.value = "b"
        _eventually(lambda: all(c == s + 1 for c, s in zip(calls, seen, strict=True)))
        time.sleep(POLL * 5)
        # an unchanged marker calls nobody
        assert all(c == s + 1 for c, s in zip(calls, seen, strict=True))
    finally:
        for key in keys:
            feed.unsubscribe(key)


def test_the_reader_stops_with_the_last_subscriber_and_current_reads_then() -> None:
    source = Marker()
    feed = ChangeFeed(source.read, POLL)
    key = feed.subscribe(lambda: None)
    _eventually(lambda: feed.marker == "a")
    feed.unsubscribe(key)
    _eventually(lambda: feed.marker is None and not feed.running)
    reads = source.reads
    source.value = "c"
    assert feed.current() == "c"  # read now, not a stale reading
    assert source.reads == reads + 1
    key = feed.subscribe(lambda: None)  # a new subscriber starts a new reader
    assert feed.running
    _eventually(lambda: feed.marker == "c")
    feed.unsubscribe(key)


def test_a_failing_read_or_listener_does_not_stop_the_feed() -> None:
    source = Marker()
    feed = ChangeFeed(source.read, POLL)
    heard: list[str] = []

    def broken() -> None:
        raise RuntimeError("this page went away badly")

    keys = [feed.subscribe(broken), feed.subscribe(lambda: heard.append(source.value))]
    try:
        _eventually(lambda: feed.marker == "a")
        source.value = "b"
        _eventually(lambda: heard[-1:] == ["b"])  # past the broken listener
        source.failing = True
        time.sleep(POLL * 5)
        source.failing = False
        source.value = "d"
        _eventually(lambda: heard[-1:] == ["d"])  # past the failed reads
    finally:
        for key in keys:
            feed.unsubscribe(key)


def test_marker_text_is_short_stable_and_opaque() -> None:
    parts = (12, 12, 1, 0, None)
    assert marker_text(parts) == marker_text(parts)
    assert marker_text(parts) != marker_text((13, 13, 1, 0, None))
    assert len(marker_text(parts)) == 16
    int(marker_text(parts), 16)  # hex digits, no counts of the store
