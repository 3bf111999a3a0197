"""The one replay path (:mod:`slaclock.service.replay`) against the engine's own
replay of the same events: any delivery order, repeats, ids reused by other tickets,
in one part or in many."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock.core.config import load_config
from slaclock.core.engine import Engine, replay
from slaclock.core.engine.instance import json_line
from slaclock.core.events import read_events
from slaclock.core.workload import WorkloadOptions, generate_lines
from slaclock.service import replay as replay_module

CONFIG = load_config(Path(__file__).resolve().parents[1] / "data" / "example_config.yaml")
START = datetime(2026, 3, 2, tzinfo=UTC)
AS_OF = START + timedelta(days=8)


def _replayed(data: bytes) -> bytes:
    out = io.BytesIO()
    engine = Engine(CONFIG)
    stats = replay_module.replay_file(engine, io.BytesIO(data), "<test>", AS_OF, lambda: out)
    assert stats.events.total > 0
    return out.getvalue()


def _expected(data: bytes) -> bytes:
    events = list(read_events(io.StringIO(data.decode())))
    return "".join(json_line(i) + "\n" for i in replay(CONFIG, events, AS_OF)).encode()


@pytest.fixture(scope="module")
def workload() -> list[str]:
    options = WorkloadOptions(shuffle=0.2, duplicates=0.05)
    return list(generate_lines(CONFIG, 150, 6, 3, START, options))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    seed=st.integers(0, 10**6),
    reused=st.integers(0, 8),
    part_bytes=st.sampled_from([None, 3_000, 40_000]),
)
def test_the_file_replay_equals_the_engines_replay(workload, monkeypatch, seed, reused, part_bytes):
    rng = random.Random(seed)
    lines = list(workload)
    rng.shuffle(lines)
    for _ in range(reused):  # an id reused on another ticket, arriving before or after
        event = json.loads(rng.choice(lines))
        event["ticket"] = f"T-other-{rng.randrange(3)}"
        lines.insert(rng.randrange(len(lines) + 1), json.dumps(event))
    data = ("\n".join(lines) + "\n").encode()
    monkeypatch.setattr(replay_module, "SPLIT_BYTES", 10**12 if part_bytes is None else 0)
    monkeypatch.setattr(replay_module, "PART_BYTES", part_bytes or 1)
    assert _replayed(data) == _expected(data)


def test_a_part_holding_one_big_ticket_is_not_cut_again(monkeypatch):
    lines = [
        json.dumps({"id": f"e{n}", "ticket": "T-big", "at": "2026-03-02T09:00:00Z",
                    "type": "message", "author": "agent", "public": False})
        for n in range(200)
    ]  # fmt: skip
    created = {"id": "c", "ticket": "T-big", "at": "2026-03-02T08:00:00Z",
               "type": "ticket.created", "by": "customer", "fields": {"status": "new"}}  # fmt: skip
    data = ("\n".join([json.dumps(created), *lines]) + "\n").encode()
    monkeypatch.setattr(replay_module, "SPLIT_BYTES", 0)
    monkeypatch.setattr(replay_module, "PART_BYTES", 100)
    out = io.BytesIO()
    stats = replay_module.replay_file(Engine(CONFIG), io.BytesIO(data), "<t>", AS_OF, lambda: out)
    assert stats.parts == 1 and out.getvalue() == _expected(data)


def test_the_output_is_opened_only_after_a_valid_input(monkeypatch):
    data = b'{"id":"x","ticket":"T","at":"2026-03-02T09:00:00","type":"message"}\n'
    opened = []
    with pytest.raises(Exception, match="<t>:1:"):
        replay_module.replay_file(
            Engine(CONFIG), io.BytesIO(data), "<t>", AS_OF, lambda: opened.append(1) or io.BytesIO()
        )
    assert opened == []
