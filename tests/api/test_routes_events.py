"""POST /api/v1/events: single events, batches, rejects, limits, durability."""

from __future__ import annotations

import json
from typing import Any

from slaclock.service.compose import services_on


def created(event_id: str = "e1", ticket: str = "T-1", at: str = "2026-03-02T08:15:00Z") -> dict:
    return {
        "id": event_id,
        "ticket": ticket,
        "at": at,
        "type": "ticket.created",
        "by": "customer",
        "fields": {
            "status": "new",
            "priority": "high",
            "channel": "email",
            "group": "support",
            "customer": {"id": "acme", "plan": "enterprise", "region": "EU"},
        },
    }


def _problem(response: Any, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"].startswith("https://")
    return body


def post(api: Any, body: Any, role: str = "ingest") -> Any:
    return api.client.post("/api/v1/events", json=body, headers=api.headers(role))


def test_one_event_is_accepted_and_stored(api: Any, example_config: str) -> None:
    api.services.config_apply(example_config, "test", api.clock.now())
    response = post(api, created())
    assert response.status_code == 200, response.text
    assert response.json() == {
        "accepted": [{"index": 0, "id": "e1"}],
        "duplicates": [],
        "rejected": [],
    }
    ticket = api.client.get("/api/v1/tickets/T-1", headers=api.headers("viewer")).json()
    assert [e["id"] for e in ticket["events"]] == ["e1"]


def test_batch_lists_accepted_duplicates_and_rejects_by_index(api: Any) -> None:
    batch = [
        created("e1"),
        created("e1"),
        {"id": "bad", "ticket": "T-1", "at": "2026-03-02T08:15:00", "type": "message"},
        created("e2", ticket="T-2"),
        "not an object",
    ]
    body = post(api, batch).json()
    assert body["accepted"] == [{"index": 0, "id": "e1"}, {"index": 3, "id": "e2"}]
    assert body["duplicates"] == [{"index": 1, "id": "e1"}]
    assert [r["index"] for r in body["rejected"]] == [2, 4]
    assert all(r["reason"] for r in body["rejected"])
    again = post(api, [created("e2", ticket="T-2")]).json()
    assert again["duplicates"] == [{"index": 0, "id": "e2"}]


def test_events_are_durable_before_the_response(api: Any, engine: Any) -> None:
    assert post(api, created()).status_code == 200
    assert services_on(engine).ticket("T-1") is not None  # a fresh reader sees it


def test_a_single_rejected_event_answers_422_with_the_reason(api: Any) -> None:
    event = created()
    event["at"] = "2026-03-02T08:15:00"  # naive: an error (events.md)
    body = _problem(post(api, event), 422)
    assert body["rejected"][0]["index"] == 0
    assert api.services.ticket("T-1") is None


def test_malformed_json_answers_400(api: Any) -> None:
    response = api.client.post(
        "/api/v1/events",
        content=b'{"id": "e1", ',
        headers={**api.headers("ingest"), "content-type": "application/json"},
    )
    assert "malformed JSON" in _problem(response, 400)["detail"]


def test_a_body_that_is_not_an_event_or_a_list_answers_422(api: Any) -> None:
    headers = {**api.headers("ingest"), "content-type": "application/json"}
    for body in (b"3", b'"text"', b"null", b"true"):
        response = api.client.post("/api/v1/events", content=body, headers=headers)
        _problem(response, 422)


def test_a_batch_over_ten_thousand_answers_422(sqlite_api: Any) -> None:
    body = _problem(post(sqlite_api, [{}] * 10_001), 422)
    assert "10000" in body["detail"]


def test_a_body_over_the_size_cap_answers_413_before_reading(
    sqlite_api: Any, api_factory: Any
) -> None:
    small = api_factory(sqlite_api.services, sqlite_api.clock, max_body_bytes=1000)
    payload = json.dumps([created(f"e{i}") for i in range(20)]).encode()
    headers = {**small.headers("ingest"), "content-type": "application/json"}
    _problem(small.client.post("/api/v1/events", content=payload, headers=headers), 413)

    def chunks() -> Any:  # no Content-Length: counted while streaming
        for start in range(0, len(payload), 100):
            yield payload[start : start + 100]

    _problem(small.client.post("/api/v1/events", content=chunks(), headers=headers), 413)
    assert small.services.ticket("T-1") is None
