"""Properties of any run, against a brute-force reference: the windowed, buffered stream is
exactly the full event list sorted by (at, ticket, index within the ticket)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.config import load_config
from slaclock.core.workload import WorkloadOptions, generate_events

CONFIG = load_config(Path(__file__).resolve().parents[2] / "data" / "example_config.yaml")

starts = st.builds(
    lambda seconds, hours: (
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=hours))) + timedelta(seconds=seconds)
    ),
    st.integers(0, 300 * 86400),
    st.integers(-11, 12),
)


def _key(event):
    ticket, index = event["id"].rsplit("-e", 1)
    return (event["at"], ticket, int(index))


@settings(max_examples=15, deadline=None)
@given(tickets=st.integers(0, 120), days=st.integers(1, 6), seed=st.integers(0, 2**32),
       start=starts)  # fmt: skip
def test_sorted_stream_is_the_brute_force_sort_of_all_events(tickets, days, seed, start):
    streamed = list(generate_events(CONFIG, tickets, days, seed, start))
    grouped = generate_events(CONFIG, tickets, days, seed, start, WorkloadOptions(sorted=False))
    assert streamed == sorted(grouped, key=_key)
    end = (start.astimezone(UTC).replace(microsecond=0) + timedelta(days=days)).isoformat()
    assert all(e["at"] <= end.replace("+00:00", "Z") for e in streamed)
    assert sum(e["type"] == "ticket.created" for e in streamed) == tickets
    assert len({e["id"] for e in streamed}) == len(streamed)
