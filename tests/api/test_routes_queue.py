"""GET /api/v1/queue and /api/v1/summary: filters reach the service, bad values are 4xx."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

EVENTS = Path(__file__).resolve().parents[1] / "data" / "example_events.jsonl"


@pytest.fixture
def loaded(api: Any, example_config: str) -> Any:
    api.clock.at = datetime(2026, 3, 2, 8, 20, tzinfo=UTC)
    api.services.config_apply(example_config, "test", api.clock.now())
    events = [json.loads(line) for line in EVENTS.read_text().splitlines()]
    first = [e for e in events if e["id"] == "e1"]
    assert api.client.post("/api/v1/events", json=first, headers=api.headers()).status_code == 200
    return api


def _queue(api: Any, **params: Any) -> Any:
    return api.client.get("/api/v1/queue", params=params, headers=api.headers("viewer"))


def test_the_queue_lists_open_clocks_and_filters_them(loaded: Any) -> None:
    rows = _queue(loaded).json()["rows"]
    assert {(r["ticket"], r["metric"]) for r in rows} >= {("T-1", "first_response")}
    assert all(r["state"] in ("running", "paused", "breached") for r in rows)
    assert _queue(loaded, metric="resolution").json()["rows"] == [
        r for r in rows if r["metric"] == "resolution"
    ]
    assert _queue(loaded, group="nobody").json()["rows"] == []
    soon = _queue(loaded, due_within="1h").json()["rows"]
    assert [r["metric"] for r in soon] == ["first_response"]  # due 09:15, high: 1h
    assert _queue(loaded, due_within="30m").json()["rows"] == []


def test_queue_pages_follow_the_cursor(loaded: Any) -> None:
    everything = _queue(loaded).json()["rows"]
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = _queue(loaded, **params).json()
        seen += page["rows"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(seen) >= 2


@pytest.mark.parametrize(
    "params",
    [
        {"due_within": "soon"},
        {"limit": 0},
        {"limit": 100000},
        {"limit": "x"},
        {"kind": "nope"},
        {"state": "met"},
        {"priority": "asap"},
    ],
)
def test_bad_queue_parameters_are_422(loaded: Any, params: dict) -> None:
    response = _queue(loaded, **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_bad_cursor_is_400(loaded: Any) -> None:
    response = _queue(loaded, cursor="not-a-cursor")
    assert response.status_code == 400
    assert "cursor" in response.json()["detail"]


def test_summary_counts_at_risk_within_the_window(loaded: Any) -> None:
    get = loaded.client.get
    wide = get("/api/v1/summary?at_risk_within=2h", headers=loaded.headers("agent")).json()
    narrow = get("/api/v1/summary?at_risk_within=5m", headers=loaded.headers("agent")).json()
    assert wide["totals"]["at_risk"] >= 1
    assert narrow["totals"]["at_risk"] == 0
    bad = get("/api/v1/summary?at_risk_within=later", headers=loaded.headers())
    assert bad.status_code == 422


def test_an_unknown_query_parameter_is_422_not_ignored(loaded: Any) -> None:
    response = _queue(loaded, grop="support")
    assert response.status_code == 422
    assert "'grop'" in response.json()["detail"]
    assert "group" in response.json()["detail"]
