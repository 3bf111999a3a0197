"""issue 26, part 5: inputs a viewer or an ingest client can send answer 4xx, never 5xx,
on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


GETS = {
    "due_within overflowing a timedelta": "/api/v1/queue?due_within=99999999999999d",
    "at_risk_within overflowing a timedelta": "/api/v1/summary?at_risk_within=99999999999999d",
    "cursor beyond a BIGINT": f"/api/v1/queue?cursor={_cursor([2**63, 1])}",
    "cursor far below a BIGINT": f"/api/v1/queue?cursor={_cursor([-(2**70), 1])}",
    "cursor holding a boolean": f"/api/v1/queue?cursor={_cursor([True, 1])}",
    "as_of overflowing into UTC": "/api/v1/tickets/T-1/instances?as_of=0001-01-01T00:00:00%2B01:00",
    "as_of past the calendars": "/api/v1/tickets/T-1/instances?as_of=9999-12-31T23:59:59Z",
    "NUL in a path id": "/api/v1/tickets/a%00b",
    "NUL in a filter": "/api/v1/queue?group=a%00b",
}


@pytest.mark.parametrize("case", sorted(GETS))
def test_a_hostile_query_answers_4xx(api: Any, case: str) -> None:
    response = api.client.get(GETS[case], headers=api.headers("viewer"))
    assert 400 <= response.status_code < 500, (case, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")


BODIES = {
    "JSON nested 1,000 deep": "[" * 1000 + "]" * 1000,
    "an integer of 5,000 digits": '{"id":"e","ticket":"T","n":' + "9" * 5000 + "}",
}


@pytest.mark.parametrize("case", sorted(BODIES))
def test_a_hostile_body_answers_4xx(api: Any, case: str) -> None:
    headers = {**api.headers("ingest"), "Content-Type": "application/json"}
    response = api.client.post("/api/v1/events", content=BODIES[case], headers=headers)
    assert 400 <= response.status_code < 500, (case, response.status_code, response.text)


def test_a_body_in_utf16_is_refused_as_the_docs_say(api: Any) -> None:
    event = {"id": "u16", "ticket": "U16", "at": "2026-03-02T08:15:00Z",
             "type": "ticket.created", "by": "customer", "fields": {"status": "new"}}  # fmt: skip
    headers = {**api.headers("ingest"), "Content-Type": "application/json"}
    body = json.dumps(event).encode("utf-16")
    response = api.client.post("/api/v1/events", content=body, headers=headers)
    assert response.status_code == 400 and "UTF-8" in response.text
