"""issue 23, "Snapshots" over the API: an admin stores a report; readers list it and
download its bytes again, exactly, with their SHA-256; a bad request is a 422 naming
the parameter and stores nothing."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.ingest import Limits

CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
URL = "/api/v1/reports/snapshots"
REQUEST = {"report": "compliance", "format": "csv",
           "params": {"from": "2026-03-02", "to": "2026-03-09", "by": "metric"}}  # fmt: skip


@pytest.fixture
def loaded(api: Any) -> Any:
    start = api.clock.now()
    api.services.limits = Limits(future_skew=timedelta(days=30))
    api.services.config_apply(CONFIG, "test", start - timedelta(days=1))
    events = list(generate_events(parse_config(CONFIG), 40, 7, 3, start))
    assert not api.services.ingest(events, start + timedelta(days=7)).rejected
    api.clock.advance(days=7)
    return api


def test_a_snapshot_is_stored_and_given_back_byte_for_byte(loaded: Any) -> None:
    api = loaded
    made = api.client.post(URL, json=REQUEST, headers=api.headers("admin"))
    assert made.status_code == 201, made.text
    described = made.json()
    assert described["report"] == "compliance" and described["config_version"] == 1
    assert described["params"]["as_of"].startswith("2026-03-09T09:00:00")
    listed = api.client.get(URL, headers=api.headers("viewer")).json()["snapshots"]
    assert [s["id"] for s in listed] == [described["id"]]
    content = api.client.get(f"{URL}/{described['id']}/content", headers=api.headers("agent"))
    assert content.status_code == 200
    assert content.headers["x-content-sha256"] == described["sha256"]
    assert hashlib.sha256(content.content).hexdigest() == described["sha256"]
    assert len(content.content) == described["size"]
    rows = list(csv.DictReader(io.StringIO(content.text)))
    assert {r["metric"] for r in rows} >= {"first_response"}
    one = api.client.get(f"{URL}/{described['id']}", headers=api.headers("viewer")).json()
    assert one == described


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({**REQUEST, "report": "invoices"}, "report: 'invoices'"),
        ({**REQUEST, "params": {"to": "2026-03-09"}}, "params.from: required"),
        ({**REQUEST, "format": "pdf"}, "format"),
        ({**REQUEST, "params": {**REQUEST["params"], "colour": "red"}}, "params.colour"),
    ],
)
def test_a_bad_request_is_422_and_stores_nothing(loaded: Any, body: Any, words: str) -> None:
    got = loaded.client.post(URL, json=body, headers=loaded.headers("admin"))
    assert got.status_code == 422, got.text
    assert words in got.text
    assert loaded.client.get(URL, headers=loaded.headers()).json()["snapshots"] == []


def test_only_an_admin_takes_snapshots(loaded: Any) -> None:
    for role in ("viewer", "agent", "ingest"):
        got = loaded.client.post(URL, json=REQUEST, headers=loaded.headers(role))
        assert got.status_code == 403
    missing = loaded.client.get(f"{URL}/s_nosuch/content", headers=loaded.headers())
    assert missing.status_code == 404
