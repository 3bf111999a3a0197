"""Every ticket id in a path is at most 200 characters, the store's column size (issue
26, part 6): a longer one answers 422, on every route, after the token check."""

from __future__ import annotations

from typing import Any

import pytest

from slaclock.api import create_app
from slaclock.api.routes_tickets import MAX_TICKET_ID_LENGTH
from slaclock.store.models import EventRow, TicketRow

READS = ("/api/v1/tickets/{id}", "/api/v1/tickets/{id}/instances", "/api/v1/tickets/{id}/explain")
LONGEST = "T" * MAX_TICKET_ID_LENGTH
TOO_LONG = "T" * (MAX_TICKET_ID_LENGTH + 1)


def test_the_cap_is_the_store_column_size() -> None:
    columns = (TicketRow.__table__.c.id, EventRow.__table__.c.ticket_id)
    assert {column.type.length for column in columns} == {MAX_TICKET_ID_LENGTH} == {200}


def test_every_ticket_id_in_the_schema_has_the_cap(sqlite_api: Any) -> None:
    paths = create_app(sqlite_api.services).openapi()["paths"]
    caps = {
        (method, path): param["schema"].get("maxLength")
        for path, item in paths.items()
        for method, operation in item.items()
        for param in operation.get("parameters", [])
        if param["in"] == "path" and param["name"] == "ticket_id"
    }
    reads_and_action = {("get", t.replace("{id}", "{ticket_id}")) for t in READS}
    assert {*reads_and_action, ("post", "/api/v1/tickets/{ticket_id}/events")} <= set(caps)
    assert set(caps.values()) == {MAX_TICKET_ID_LENGTH}, caps


@pytest.mark.parametrize("template", READS)
def test_a_read_of_a_longer_id_answers_422(sqlite_api: Any, template: str) -> None:
    response = sqlite_api.client.get(
        template.format(id=TOO_LONG), headers=sqlite_api.headers("viewer")
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["location"] == "path.ticket_id"
    at_the_cap = sqlite_api.client.get(
        template.format(id=LONGEST), headers=sqlite_api.headers("viewer")
    )
    assert at_the_cap.status_code == 404  # a valid id, of no ticket


def test_the_agent_action_on_a_longer_id_answers_422(sqlite_api: Any) -> None:
    event = {"type": "message", "id": "m1", "at": "2026-03-02T08:40:00Z"}
    response = sqlite_api.client.post(
        f"/api/v1/tickets/{TOO_LONG}/events", json=event, headers=sqlite_api.headers("agent")
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("template", READS)
def test_the_token_is_checked_first(sqlite_api: Any, template: str) -> None:
    assert sqlite_api.client.get(template.format(id=TOO_LONG)).status_code == 401
