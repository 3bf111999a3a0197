"""POST /api/v1/tickets/{id}/events: an agent's reply, note or update on a ticket."""

from __future__ import annotations

from datetime import UTC, datetime
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


def _act(api: Any, body: Any, path: str = "/api/v1/tickets/T-1/events") -> Any:
    return api.client.post(path, json=body, headers=api.headers("agent"))


def _stored(api: Any) -> list[Any]:
    return [entry.event for entry in api.services.ticket("T-1").events]


def test_an_agent_reply_stops_first_response_at_the_servers_now(ticket_api: Any) -> None:
    ticket_api.clock.at = datetime(2026, 3, 2, 8, 40, 12, 500_000, tzinfo=UTC)
    response = _act(ticket_api, {"type": "message", "public": True})
    assert response.status_code == 200, response.text
    [accepted] = response.json()["accepted"]
    assert accepted["id"].startswith("slaclock:agent:")
    instances = ticket_api.client.get(
        "/api/v1/tickets/T-1/instances?as_of=2026-03-02T09:00:00Z", headers=ticket_api.headers()
    ).json()
    first = next(i for i in instances if i["metric"] == "first_response")
    assert first["state"] == "met" and first["stopped_at"] == "2026-03-02T08:40:12Z"
    reply = _stored(ticket_api)[-1]
    assert reply["author"] == "agent" and reply["author_id"] == "agent-test"
    assert reply["at"] == "2026-03-02T08:40:12Z" and reply["public"] is True


def test_a_note_and_an_update_carry_only_what_the_agent_decides(ticket_api: Any) -> None:
    assert _act(ticket_api, {"type": "message", "public": False}).status_code == 200
    update = {"type": "ticket.updated", "changes": {"status": "pending", "tags_added": ["x"]}}
    assert _act(ticket_api, update).status_code == 200
    note, updated = _stored(ticket_api)[1:]
    assert note["public"] is False and note["author_id"] == "agent-test"
    assert updated["changes"] == {"status": "pending", "tags_added": ["x"]}
    assert updated["author_id"] == "agent-test"
    assert ticket_api.services.ticket("T-1").status == "pending"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"type": "message", "at": "2026-03-02T08:20:00Z"}, "at: set by the server"),
        ({"type": "message", "author": "customer"}, "author: set by the server"),
        ({"type": "message", "author_id": "omar"}, "author_id: set by the server"),
        ({"type": "message", "id": "T-1-e2"}, "id: set by the server"),
        ({"type": "message", "fields": {}}, "fields: not something an agent's message"),
        (
            {"type": "ticket.updated", "changes": {"customer.plan": "business"}},
            "changes.customer.plan: an agent may change only",
        ),
        ({"type": "ticket.updated", "changes": {"channel": "chat"}}, "changes.channel"),
        ({"type": "ticket.updated", "changes": {}}, "changes: expected an object"),
        ({"type": "ticket.created", "fields": {}}, "type: expected message or ticket.updated"),
        ({"type": "message", "ticket": "T-2"}, "ticket: 'T-2' is not 'T-1'"),
    ],
    ids=[
        "backdated",
        "as-customer",
        "as-other-agent",
        "own-id",
        "extra-key",
        "plan",
        "channel",
        "empty-changes",
        "create",
        "other-ticket",
    ],
)
def test_an_agent_cannot_rewrite_the_record(ticket_api: Any, body: Any, reason: str) -> None:
    """The attacks of issue 26: backdating, posing as the customer or another agent,
    taking the id a feed will use, changing what picks the policy."""
    response = _act(ticket_api, body)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]
    assert [e["id"] for e in _stored(ticket_api)] == ["e1"]


def test_the_feeds_next_id_stays_the_feeds(ticket_api: Any) -> None:
    """An agent's action never takes an id a helpdesk feed sends later."""
    assert _act(ticket_api, {"type": "message", "public": False}).status_code == 200
    feed = {"id": "T-1-e2", "ticket": "T-1", "at": "2026-03-02T08:50:00Z", "type": "message",
            "author": "agent", "author_id": "anna", "public": True}  # fmt: skip
    response = ticket_api.client.post(
        "/api/v1/events", json=feed, headers=ticket_api.headers("ingest")
    )
    assert response.json()["accepted"] == [{"index": 0, "id": "T-1-e2"}]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/tickets/T-404/events", {"type": "message"}, 404),
        ("/api/v1/tickets/T-1/events", {"type": "ticket.deleted"}, 422),
        ("/api/v1/tickets/T-1/events", [], 422),
    ],
    ids=["unknown-ticket", "wrong-type", "not-an-object"],
)
def test_bad_actions_are_refused_and_store_nothing(
    ticket_api: Any, path: str, body: Any, status: int
) -> None:
    response = _act(ticket_api, body, path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["id"] for e in _stored(ticket_api)] == ["e1"]


def test_the_timeline_names_who_sent_each_event(ticket_api: Any) -> None:
    """The feed's token and the agent's token each show beside their events."""
    assert _act(ticket_api, {"type": "message", "public": False}).status_code == 200
    response = ticket_api.client.get(
        "/api/v1/tickets/T-1/events?limit=1", headers=ticket_api.headers("viewer")
    )
    assert response.status_code == 200, response.text
    first = response.json()
    assert [row["event"]["id"] for row in first["rows"]] == ["e1"]
    assert first["rows"][0]["source_name"] == "admin-test"  # the fixture's feed: admin
    assert first["rows"][0]["source"].startswith("tok_")
    rest = ticket_api.client.get(
        f"/api/v1/tickets/T-1/events?cursor={first['next_cursor']}",
        headers=ticket_api.headers("viewer"),
    ).json()
    assert rest["next_cursor"] is None
    [reply] = rest["rows"]
    assert reply["source_name"] == "agent-test" and reply["event"]["author_id"] == "agent-test"
    assert reply["received_at"] == "2026-03-02T09:00:00Z"


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 404), ("?cursor=nope", 400), ("?limit=0", 422), ("?limit=501", 422)],
    ids=["unknown", "bad-cursor", "limit-0", "limit-too-big"],
)
def test_timeline_reads_refuse_plainly(ticket_api: Any, query: str, status: int) -> None:
    path = "/api/v1/tickets/T-404/events" if status == 404 else "/api/v1/tickets/T-1/events"
    response = ticket_api.client.get(path + query, headers=ticket_api.headers("viewer"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_an_ingest_token_reads_no_timeline(ticket_api: Any) -> None:
    response = ticket_api.client.get(
        "/api/v1/tickets/T-1/events", headers=ticket_api.headers("ingest")
    )
    assert response.status_code == 403
