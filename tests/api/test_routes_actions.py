"""POST /api/v1/tickets/{id}/events: an agent's reply, note or update on a ticket."""

from __future__ import annotations

from typing import Any

import pytest

CREATED = {
    "id": "e1",
    "ticket": "T-1",
    "at": "2026-03-02T08:15:00Z",
    "type": "ticket.created",
    "by": "customer",
    "fields": {"status": "new", "priority": "high", "customer": {"plan": "enterprise"}},
}


@pytest.fixture
def ticket_api(api: Any, example_config: str) -> Any:
    api.services.config_apply(example_config, "test", api.clock.now())
    assert api.client.post("/api/v1/events", json=CREATED, headers=api.headers()).status_code == 200
    return api


def test_an_agent_reply_stops_first_response(ticket_api: Any) -> None:
    reply = {"id": "r1", "at": "2026-03-02T08:40:00Z", "type": "message", "author": "agent",
             "author_id": "anna", "public": True}  # fmt: skip
    response = ticket_api.client.post(
        "/api/v1/tickets/T-1/events", json=reply, headers=ticket_api.headers("agent")
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == [{"index": 0, "id": "r1"}]
    instances = ticket_api.client.get(
        "/api/v1/tickets/T-1/instances?as_of=2026-03-02T09:00:00Z", headers=ticket_api.headers()
    ).json()
    first = next(i for i in instances if i["metric"] == "first_response")
    assert first["state"] == "met" and first["stopped_at"] == "2026-03-02T08:40:00Z"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (
            "/api/v1/tickets/T-404/events",
            {"id": "x", "at": "2026-03-02T09:00:00Z", "type": "message", "author": "agent"},
            404,
        ),
        (
            "/api/v1/tickets/T-1/events",
            {"id": "x", "at": "2026-03-02T09:00:00Z", "type": "ticket.deleted"},
            422,
        ),
        (
            "/api/v1/tickets/T-1/events",
            {
                "id": "x",
                "ticket": "T-2",
                "at": "2026-03-02T09:00:00Z",
                "type": "message",
                "author": "agent",
            },
            422,
        ),
        (
            "/api/v1/tickets/T-1/events",
            {"id": "x", "at": "2026-03-02T09:00:00", "type": "message", "author": "agent"},
            422,
        ),
        ("/api/v1/tickets/T-1/events", [], 422),
    ],
    ids=["unknown-ticket", "wrong-type", "other-ticket", "naive-time", "not-an-object"],
)
def test_bad_actions_are_refused_and_store_nothing(
    ticket_api: Any, path: str, body: Any, status: int
) -> None:
    response = ticket_api.client.post(path, json=body, headers=ticket_api.headers("agent"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["id"] for e in ticket_api.services.ticket("T-1").events] == ["e1"]
