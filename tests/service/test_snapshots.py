"""issue 23, "Snapshots": a report stored with its request, configuration version,
as_of and SHA-256 comes back byte for byte later, whatever changed since — on SQLite
and PostgreSQL; a bad request is refused naming the parameter and stores nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.compose import services_on
from slaclock.service.ingest import Limits
from slaclock.service.reports import ReportError

CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
START = datetime(2026, 3, 2, tzinfo=UTC)
NOW = START + timedelta(days=8)


@pytest.mark.parametrize(
    ("report", "params", "format"),
    [
        ("compliance", {"by": "group,metric", "bucket": "day", "tz": "Europe/Amsterdam"}, "csv"),
        ("log", {"judged": "breached"}, "xlsx"),
        ("heatmap", {"by": "created"}, "json"),
        ("top", {"limit": "3"}, "csv"),
    ],
)
def test_a_snapshot_comes_back_byte_for_byte(
    db: Engine, report: str, params: dict[str, str], format: str
) -> None:
    services = services_on(db)
    services.limits = Limits(future_skew=timedelta(days=30))
    services.config_apply(CONFIG, "test", START - timedelta(days=1))
    events = list(generate_events(parse_config(CONFIG), 60, 7, 9, START))
    assert not services.ingest(events[: len(events) // 2], NOW).rejected
    request = {"from": "2026-03-02", "to": "2026-03-09", **params}
    taken = services.snapshot_take(report, request, format, "lead", NOW)
    assert taken.id.startswith("s_") and taken.params["as_of"] == NOW.isoformat()
    assert taken.config_version == 1 and taken.size == len(taken.content or b"")
    # the data moves on: more events, a new configuration
    assert not services.ingest(events[len(events) // 2 :], NOW).rejected
    services.config_apply(CONFIG.replace("within: 15m", "within: 20m"), "test", NOW)
    again = services.snapshot(taken.id, with_content=True)
    assert again is not None and again.content == taken.content
    assert hashlib.sha256(again.content).hexdigest() == again.sha256 == taken.sha256
    assert (again.report, again.format, again.params, again.config_version) == (
        report, format, taken.params, 1)  # fmt: skip
    assert [s.id for s in services.snapshots()] == [taken.id]
    assert services.snapshot(taken.id).content is None  # a description only


@pytest.mark.parametrize(
    ("report", "params", "format", "words"),
    [
        ("invoices", {}, "json", "report: 'invoices'"),
        ("compliance", {"to": "2026-03-09"}, "json", "params.from: required"),
        ("compliance", {"from": "2026-03-02", "to": "2026-03-09", "colour": "red"}, "json",
         "params.colour: not a parameter of compliance"),
        ("compliance", {"from": "2026-03-02", "to": "2026-03-09"}, "pdf", "format: 'pdf'"),
        ("top", {"from": "2026-03-02", "to": "2026-03-09", "limit": "ten"}, "json",
         "params.limit"),
        ("compliance", {"from": "2026-03-02", "to": "2026-03-09", "by": "colour"}, "csv",
         "unknown grouping 'colour'"),
    ],
)  # fmt: skip
def test_a_bad_request_stores_nothing(
    db: Engine, report: str, params: dict[str, str], format: str, words: str
) -> None:
    services = services_on(db)
    with pytest.raises(ReportError, match=words):
        services.snapshot_take(report, params, format, "lead", NOW)
    assert services.snapshots() == []
