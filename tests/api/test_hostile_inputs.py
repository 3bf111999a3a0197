"""issue 26, part 5: inputs a viewer or an ingest client can send answer 4xx, never 5xx,
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient

from slaclock.api import problems
from slaclock.api.query import reject_unknown_query
from slaclock.api.signing import SignatureError, sign, verify_signature

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fuzz_world import BASE_CONFIG  # the example configuration, and a webhook source


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


# Found by the fuzzing (test_fuzz_endpoints.py) -------------------------------------------

SURROGATE_KEY = (
    b'{"id":"s1","ticket":"S-1","at":"2026-03-02T08:15:00Z","type":"ticket.created",'
    b'"by":"customer","fields":{"status":"new"},"\\ud800":[]}'
)


def _events_count(api: Any) -> int:
    return len(api.services.ticket("S-1").events) if api.services.ticket("S-1") else 0


def test_a_rejected_event_echoing_a_lone_surrogate_answers_422(api: Any) -> None:
    """The reason names the bad key; a problem echoing a lone surrogate failed to encode."""
    headers = {**api.headers("ingest"), "Content-Type": "application/json"}
    response = api.client.post("/api/v1/events", content=SURROGATE_KEY, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "\\ud800" in response.json()["detail"]
    assert _events_count(api) == 0


def test_a_batch_echoing_a_lone_surrogate_answers_200_listing_it(api: Any) -> None:
    headers = {**api.headers("ingest"), "Content-Type": "application/json"}
    body = b'[{"id":"\\udfff","ticket":"S-1"},' + SURROGATE_KEY + b"]"
    response = api.client.post("/api/v1/events", content=body, headers=headers)
    assert response.status_code == 200, response.text
    rejected = response.json()["rejected"]
    assert [item["index"] for item in rejected] == [0, 1]
    assert "\\ud800" in rejected[1]["reason"]


def _webhook(api: Any, body: bytes, signature: bytes) -> Any:
    api.services.config_apply(BASE_CONFIG, "test", api.clock.now())
    headers = {**api.headers("ingest"), "Content-Type": "application/json"}
    return api.client.post(
        "/api/v1/webhooks/helpdesk",
        content=body,
        headers={**headers, "X-Slaclock-Signature": signature},
    )


def test_a_webhook_event_holding_nan_answers_422(api: Any, source_secret: str) -> None:
    """The problem carries the mapped event; NaN in it could not be written as JSON."""
    body = b'{"delivery_id":"d-1","ticket":{"id":"T-1"},"occurred_at":NaN,"changes":{}}'
    signature = sign(source_secret, body, int(api.clock.now().timestamp())).encode()
    response = _webhook(api, body, signature)
    assert response.status_code == 422, response.text
    assert response.json()["event"]["at"] == "nan"


@pytest.mark.parametrize("stamp", ["\u00b2", "\u00b9\u00b2", "9" * 5000, "1" * 13])
def test_a_webhook_timestamp_that_is_not_plain_digits_is_a_bad_signature(
    api: Any, source_secret: str, stamp: str
) -> None:
    """``t=²`` passed ``str.isdigit`` and failed ``int``; 5,000 digits failed ``int`` too."""
    signature = f"t={stamp},v1=ab"
    with pytest.raises(SignatureError, match="malformed"):
        verify_signature(signature, source_secret, b"{}", api.clock.now(), 300)
    # A server reads header bytes as Latin-1: b"\xb2" is "²" (sent below the test client,
    # which re-encodes header text as UTF-8).
    response = _raw_post(api, signature.encode("latin-1"))
    assert response["status"] == 401, response
    assert response["headers"][b"content-type"].startswith(b"application/problem+json")


def _raw_post(api: Any, signature: bytes) -> dict[str, Any]:
    """POST a webhook straight to the ASGI app, header bytes as given."""
    api.services.config_apply(BASE_CONFIG, "test", api.clock.now())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/webhooks/helpdesk",
        "raw_path": b"/api/v1/webhooks/helpdesk",
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {api.tokens['ingest']}".encode()),
            (b"content-type", b"application/json"),
            (b"x-slaclock-signature", signature),
        ],
    }
    answer: dict[str, Any] = {}
    messages = [{"type": "http.request", "body": b"{}", "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = dict(message["headers"])

    asyncio.run(api.client.app(scope, receive, send))
    return answer


def test_a_token_name_with_a_nul_is_refused(api: Any) -> None:
    headers = {**api.headers("admin"), "Content-Type": "application/json"}
    body = b'{"role":"viewer","name":"a\\u0000b"}'
    response = api.client.post("/api/v1/tokens", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert not [t for t in api.services.tokens.list() if "\x00" in t.name]


@pytest.mark.parametrize("text", ["a: " + "9" * 5000, '{"a": ' + "9" * 5000 + "}"])
def test_a_configuration_with_a_huge_integer_is_refused(api: Any, text: str) -> None:
    response = api.client.put("/api/v1/config", content=text, headers=api.headers("admin"))
    assert response.status_code == 422, response.text
    assert "configuration refused" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/queue?group=support&group=engineering",
        "/api/v1/summary?at_risk_within=1h&at_risk_within=",
    ],
)
def test_a_query_parameter_given_twice_answers_422(api: Any, url: str) -> None:
    """The last value won silently: ``?group=a&group=b`` was the queue of b (Schemathesis
    found it with negative data)."""
    response = api.client.get(url, headers=api.headers("viewer"))
    assert response.status_code == 422, response.text
    assert "more than once" in response.json()["detail"]


def test_a_query_parameter_declared_as_a_list_may_repeat() -> None:
    app = FastAPI()

    @app.get("/many", dependencies=[Depends(reject_unknown_query)])
    def many(tag: Annotated[list[str] | None, Query()] = None, one: str = "") -> list[str]:
        return tag or []

    problems.install(app)
    client = TestClient(app)
    assert client.get("/many?tag=a&tag=b").json() == ["a", "b"]
    assert client.get("/many?one=a&one=b").status_code == 422
