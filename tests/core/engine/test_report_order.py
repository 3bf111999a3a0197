"""Instances are reported in ``clock_order``; the engine's insertion sort agrees with
``sorted(key=clock_order)`` on any arrangement of a ticket's clocks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.config import load_config
from slaclock.core.engine import Engine
from slaclock.core.engine.clock import Clock
from slaclock.core.engine.engine import clock_order, in_report_order

DATA = Path(__file__).resolve().parents[2] / "data"
TRACKS = Engine(load_config(DATA / "example_config.yaml")).compiled.tracks
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    picks=st.lists(
        st.tuples(st.integers(0, len(TRACKS) - 1), st.integers(0, 3)), max_size=12, unique=True
    )
)
def test_the_insertion_sort_gives_the_order_sorted_gives(picks):
    clocks = []
    for track_index, cycle in picks:
        clock = Clock(TRACKS[track_index], AT, False, None)
        clock.cycle = cycle
        clocks.append(clock)
    expected = sorted(clocks, key=clock_order)
    assert in_report_order(list(clocks)) == expected
    assert [clock_order(c) for c in expected] == sorted(clock_order(c) for c in clocks)
