"""A generated workload, delivered shuffled and with repeats, concurrently: every event is
stored once and every ticket's projection equals the engine's replay of its events."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from slaclock.core.config import parse_config
from slaclock.core.engine import Engine as SlaEngine
from slaclock.core.events import parse_event
from slaclock.core.workload import WorkloadOptions, generate_events
from slaclock.service import config_versions
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.store.models import EventRow
from slaclock.store.testing import scratch_spec

CONFIG_TEXT = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
START = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 6
NOW = START + timedelta(days=DAYS)


def workload(tickets: int, seed: int) -> list[dict[str, Any]]:
    options = WorkloadOptions(shuffle=0.2, duplicates=0.05)
    config = parse_config(CONFIG_TEXT)
    return list(generate_events(config, tickets, DAYS, seed, START, options))


def batches(events: list[dict[str, Any]], size: int, seed: int) -> list[list[dict[str, Any]]]:
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i : i + size] for i in range(0, len(shuffled), size)]


def reference(
    services: Services, delivered: list[dict[str, Any]], as_of: datetime
) -> dict[str, Any]:
    """Each ticket's replay JSON, computed by the engine alone from the delivery order."""
    engine = SlaEngine(services.config_current()[2])
    by_ticket: dict[str, list[Any]] = {}
    for seq, obj in enumerate(delivered):
        by_ticket.setdefault(obj["ticket"], []).append(parse_event(obj, seq=seq))
    return {
        t: [i.to_json() for i in engine.replay_ticket(evs, as_of).instances]
        for t, evs in by_ticket.items()
    }


def replayed(services: Services, ticket: str, as_of: datetime) -> list[dict[str, Any]]:
    """``instances_as_of`` as replay JSON."""
    return [i.to_json() for i in services.instances_as_of(ticket, as_of) or []]


def stored_ids(db: Engine) -> Counter[str]:
    with db.connect() as conn:
        return Counter(conn.execute(select(EventRow.id)).scalars())


def test_shuffled_workload_with_repeats(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", START)
    events = workload(150, seed=3)
    delivered = [e for batch in batches(events, 250, seed=4) for e in batch]
    for start in range(0, len(delivered), 250):
        assert services.ingest(delivered[start : start + 250], NOW).rejected == []
    ids = stored_ids(db)
    assert set(ids) == {e["id"] for e in events} and max(ids.values()) == 1
    midway = START + timedelta(days=DAYS / 2, hours=5)
    for as_of in (NOW, midway):
        expected = reference(services, delivered, as_of)
        for ticket, instances in expected.items():
            assert replayed(services, ticket, as_of) == instances, ticket
    projected = {t: list(services.ticket(t).instances) for t in expected}  # type: ignore[union-attr]
    assert projected == reference(services, delivered, NOW)
    services.rebuild(now=NOW)
    assert {t: list(services.ticket(t).instances) for t in expected} == projected  # type: ignore[union-attr]


def _ingest_all(services: Services, batch_list: list[list[dict[str, Any]]]) -> Counter[str]:
    accepted: Counter[str] = Counter()
    for batch in batch_list:
        result = services.ingest(batch, NOW)
        assert result.rejected == []
        accepted.update(a["id"] for a in result.accepted)
    return accepted


def _check_consistent(services: Services, db: Engine, events: list[dict[str, Any]]) -> None:
    ids = stored_ids(db)
    assert set(ids) == {e["id"] for e in events} and max(ids.values()) == 1
    for ticket in sorted({e["ticket"] for e in events}):
        view = services.ticket(ticket)
        assert view is not None
        assert list(view.instances) == replayed(services, ticket, NOW), ticket


def test_concurrent_threads(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", START)
    events = workload(120, seed=5)
    totals: Counter[str] = Counter()
    errors: list[BaseException] = []

    def run(seed: int) -> None:
        try:
            totals.update(_ingest_all(services_on(db), batches(events, 97, seed)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(totals) == {e["id"] for e in events} and max(totals.values()) == 1
    _check_consistent(services, db, events)


#: A second OS process: ingests the batches in a JSON file, prints the ids it accepted.
CHILD = """
import json, sys
from datetime import datetime
from slaclock.service import config_versions
from slaclock.service.compose import services_on
from slaclock.store.testing import engine_from_spec
job = json.load(open(sys.argv[1]))
engine = engine_from_spec(tuple(job["spec"]))
services = services_on(engine)
accepted = []
for batch in job["batches"]:
    result = services.ingest(batch, datetime.fromisoformat(job["now"]))
    assert not result.rejected, result.rejected
    accepted.extend(a["id"] for a in result.accepted)
print(json.dumps(accepted))
"""


def _run_processes(db: Engine, events: list[dict[str, Any]], tmp_path: Path) -> Counter[str]:
    children = []
    for seed in (1, 2):
        job = tmp_path / f"job{seed}.json"
        spec = scratch_spec(db)
        batch_list = batches(events, 131, seed)
        job.write_text(json.dumps({"spec": spec, "batches": batch_list, "now": NOW.isoformat()}))
        children.append(
            subprocess.Popen(
                [sys.executable, "-c", CHILD, str(job)], stdout=subprocess.PIPE, text=True
            )
        )
    totals: Counter[str] = Counter()
    for child in children:
        out, _ = child.communicate(timeout=600)
        assert child.returncode == 0
        totals.update(json.loads(out))
    return totals


def test_concurrent_processes(db: Engine, tmp_path: Path) -> None:
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", START)
    events = workload(80, seed=6)
    totals = _run_processes(db, events, tmp_path)
    assert set(totals) == {e["id"] for e in events} and max(totals.values()) == 1
    _check_consistent(services, db, events)
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(EventRow)).scalar_one() == len(
            {e["id"] for e in events}
        )


def test_config_change_during_concurrent_ingest(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every open ticket ends up projected with the newest configuration, whichever
    of the ingest and the configuration change got each ticket first."""
    monkeypatch.setattr(config_versions, "RELOAD_CHECK_SECONDS", 0.0)
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", START)
    events = workload(100, seed=8)
    changed = CONFIG_TEXT.replace("next_response: {within: 8h}", "next_response: {within: 3h}")
    errors: list[BaseException] = []

    def ingest() -> None:
        try:
            _ingest_all(services_on(db), batches(events, 60, seed=9))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=ingest)
    worker.start()
    time.sleep(0.3)
    services_on(db).config_apply(changed, "test", NOW)
    worker.join()
    assert errors == []
    assert services.config_current()[1] == changed
    for ticket in sorted({e["ticket"] for e in events}):
        view = services.ticket(ticket)
        assert view is not None
        if view.deleted or view.status == "closed":
            continue
        assert list(view.instances) == replayed(services, ticket, NOW), ticket
