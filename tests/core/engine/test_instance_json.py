"""The replay's fast JSON writer gives exactly the bytes of ``json.dumps(to_json())``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from slaclock.core.config import load_config
from slaclock.core.engine import replay
from slaclock.core.engine.instance import json_line
from slaclock.core.events import read_events

DATA = Path(__file__).resolve().parents[2] / "data"


def _dumps(instance):
    return json.dumps(instance.to_json(), separators=(",", ":"))


def test_json_line_equals_the_generic_encoder_on_the_example_replay():
    with open(DATA / "example_events.jsonl") as f:
        events = list(read_events(f))
    config = load_config(DATA / "example_config.yaml")
    instances = list(replay(config, events, datetime(2026, 3, 10, tzinfo=UTC)))
    assert instances
    assert [json_line(i) for i in instances] == [_dumps(i) for i in instances]


def test_json_line_escapes_strings_and_writes_nulls_like_json():
    with open(DATA / "example_events.jsonl") as f:
        events = list(read_events(f))
    config = load_config(DATA / "example_config.yaml")
    base = next(iter(replay(config, events, datetime(2026, 3, 10, tzinfo=UTC))))
    odd = base._replace(
        ticket='T "ø"\\\n\u2603', policy="p\t1", goal_seconds=None, due_at=None,
        goal_due_at=None, goal_breached=None, stopped_at=None, breached=True,
        breached_at=datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=UTC), remaining_seconds=-5,
    )  # fmt: skip
    assert json_line(odd) == _dumps(odd)
    assert json.loads(json_line(odd))["ticket"] == 'T "ø"\\\n\u2603'
