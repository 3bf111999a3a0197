"""GET /api/v1/tickets/{id}[/instances|/explain]: the same answers as the core replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from slaclock.core.config import parse_config
from slaclock.core.engine import replay
from slaclock.core.events import read_events

EVENTS = Path(__file__).resolve().parents[1] / "data" / "example_events.jsonl"
LINES = EVENTS.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def loaded(api: Any, example_config: str) -> Any:
    api.clock.at = datetime(2026, 4, 1, tzinfo=UTC)  # after every event
    api.services.config_apply(example_config, "test", api.clock.now())
    body = [json.loads(line) for line in LINES]
    assert api.client.post("/api/v1/events", json=body, headers=api.headers()).status_code == 200
    return api


def _expected(config_text: str, ticket: str, as_of: datetime) -> list[dict]:
    config = parse_config(config_text)
    return [
        i.to_json()
        for i in replay(config, read_events(LINES, "events"), as_of)
        if i.ticket == ticket
    ]


@pytest.mark.parametrize(
    "as_of", ["2026-03-02T09:00:00Z", "2026-03-03T12:30:00Z", "2026-04-01T00:00:00Z"]
)
@pytest.mark.parametrize("ticket", ["T-1", "T-2"])
def test_instances_as_of_equal_the_core_replay(
    loaded: Any, example_config: str, ticket: str, as_of: str
) -> None:
    response = loaded.client.get(
        f"/api/v1/tickets/{ticket}/instances",
        params={"as_of": as_of},
        headers=loaded.headers("agent"),
    )
    assert response.status_code == 200, response.text
    instant = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    assert response.json() == _expected(example_config, ticket, instant)


def test_instances_default_to_the_injected_now(loaded: Any, example_config: str) -> None:
    loaded.clock.at = datetime(2026, 3, 3, 12, 30, tzinfo=UTC)
    response = loaded.client.get("/api/v1/tickets/T-1/instances", headers=loaded.headers("viewer"))
    assert response.json() == _expected(example_config, "T-1", loaded.clock.at)


def test_an_offset_instant_means_the_same_utc_instant(loaded: Any) -> None:
    get = loaded.client.get
    utc = get("/api/v1/tickets/T-1/instances?as_of=2026-03-03T12:30:00Z", headers=loaded.headers())
    local = get(
        "/api/v1/tickets/T-1/instances",
        params={"as_of": "2026-03-03T13:30:00+01:00"},
        headers=loaded.headers(),
    )
    assert utc.json() == local.json()


def test_ticket_shows_fields_events_and_instances(loaded: Any) -> None:
    body = loaded.client.get("/api/v1/tickets/T-1", headers=loaded.headers("viewer")).json()
    assert [e["id"] for e in body["events"]] == [f"e{i}" for i in range(1, 8)]
    assert body["fields"]["status"] == "solved"
    assert {i["metric"] for i in body["instances"]} >= {"first_response", "resolution"}


def test_explain_names_the_policy_chosen(loaded: Any) -> None:
    response = loaded.client.get(
        "/api/v1/tickets/T-1/explain?as_of=2026-03-02T09:00:00Z", headers=loaded.headers("agent")
    )
    assert response.status_code == 200
    assert "enterprise" in json.dumps(response.json())


@pytest.mark.parametrize("path", ["", "/instances", "/explain"])
def test_an_unknown_ticket_is_404(loaded: Any, path: str) -> None:
    response = loaded.client.get(f"/api/v1/tickets/T-404{path}", headers=loaded.headers())
    assert response.status_code == 404
    assert "T-404" in response.json()["detail"]
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("as_of", ["2026-03-02T09:00:00", "yesterday", "2026-13-01T00:00:00Z", ""])
def test_a_bad_or_naive_as_of_is_422(loaded: Any, as_of: str) -> None:
    response = loaded.client.get(
        "/api/v1/tickets/T-1/instances", params={"as_of": as_of}, headers=loaded.headers()
    )
    assert response.status_code == 422, response.text
    assert "as_of" in response.json()["detail"]


def test_a_duplicate_naming_another_ticket_does_not_make_that_ticket_exist(loaded: Any) -> None:
    first = json.loads(LINES[0])
    again = {**first, "ticket": "T-GHOST"}
    body = loaded.client.post("/api/v1/events", json=[again], headers=loaded.headers()).json()
    assert body["duplicates"] == [{"index": 0, "id": first["id"]}]
    for path in ("", "/instances", "/explain"):
        response = loaded.client.get(f"/api/v1/tickets/T-GHOST{path}", headers=loaded.headers())
        assert response.status_code == 404, path


def test_the_explanation_pages_through_its_instances(loaded: Any) -> None:
    """A ticket of thousands of cycles must not make one huge answer: the instances
    come a page at a time, and the pages together are the whole explanation."""
    get = loaded.client.get
    url = "/api/v1/tickets/T-1/explain?as_of=2026-03-04T12:00:00Z"
    whole = get(url + "&limit=500", headers=loaded.headers()).json()
    assert whole["next_cursor"] is None and len(whole["instances"]) >= 3
    pages, cursor = [], ""
    while True:
        page = get(url + f"&limit=2{cursor}", headers=loaded.headers()).json()
        assert len(page["instances"]) <= 2
        assert page["policy"] == whole["policy"]
        pages.extend(page["instances"])
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert pages == whole["instances"]


@pytest.mark.parametrize("query", ["cursor=nope", "cursor=Wy0xXQ", "limit=0", "limit=501"])
def test_a_bad_explain_page_is_refused(loaded: Any, query: str) -> None:
    response = loaded.client.get(f"/api/v1/tickets/T-1/explain?{query}", headers=loaded.headers())
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
