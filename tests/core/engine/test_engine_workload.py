"""The engine on a realistic generated workload (slaclock.core.workload): late and
repeated deliveries change nothing, and every instance keeps the invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from slaclock.core.config import load_config
from slaclock.core.engine import STATES, overdue_from, replay
from slaclock.core.events import parse_event
from slaclock.core.workload import WorkloadOptions, generate_events

CONFIG = load_config(Path(__file__).resolve().parents[2] / "data" / "example_config.yaml")
START = datetime(2026, 3, 2, tzinfo=UTC)
AS_OF = START + timedelta(days=6)


def _events(shuffle: float, duplicates: float) -> list:
    options = WorkloadOptions(shuffle=shuffle, duplicates=duplicates)
    raw = generate_events(CONFIG, 120, 5, 11, START, options)
    return [parse_event(obj, seq=n) for n, obj in enumerate(raw)]


def test_late_and_repeated_delivery_change_nothing():
    expected = list(replay(CONFIG, _events(shuffle=0.0, duplicates=0.0), AS_OF))
    assert expected and {i.state for i in expected} <= set(STATES)
    assert list(replay(CONFIG, _events(shuffle=0.2, duplicates=0.1), AS_OF)) == expected


def test_every_instance_of_a_workload_keeps_the_invariants():
    for inst in replay(CONFIG, _events(shuffle=0.0, duplicates=0.0), AS_OF):
        assert inst.elapsed_seconds + inst.remaining_seconds == inst.target_seconds
        assert inst.breached == (inst.state == "breached")
        if inst.state == "met":
            assert inst.stopped_at is not None and inst.due_at is not None
            calendar = CONFIG.calendars[inst.calendar]
            assert inst.stopped_at <= overdue_from(calendar, inst.due_at)
        if inst.state == "paused":
            assert inst.due_at is None or inst.remaining_seconds == 0
