"""POST /api/v1/webhooks/{source}: signature good, bad, missing, expired, replayed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from slaclock.api.signing import sign

SOURCE_SECRET = "whsec-test-0123456789"  # as the conftest's app environment
SOURCES = """
sources:
  - id: helpdesk
    secret_env: SLACLOCK_SOURCE_HELPDESK_SECRET
    tolerance: 5m
    mapping: {id: $.delivery_id, ticket: $.ticket.id, at: $.occurred_at, changes: $.changes}
    constants: {type: ticket.updated}
"""
CREATED = {
    "id": "e1",
    "ticket": "T-1",
    "at": "2026-03-02T08:15:00Z",
    "type": "ticket.created",
    "by": "customer",
    "fields": {"status": "new", "priority": "high", "customer": {"plan": "enterprise"}},
}


@pytest.fixture
def hook_api(sqlite_api: Any, example_config: str, source_secret: str) -> Any:
    assert source_secret == SOURCE_SECRET
    api = sqlite_api
    api.services.config_apply(example_config + SOURCES, "test", api.clock.now())
    assert api.client.post("/api/v1/events", json=CREATED, headers=api.headers()).status_code == 200
    return api


def _body(delivery: str = "d-1", status: str = "pending") -> bytes:
    payload = {
        "delivery_id": delivery,
        "ticket": {"id": "T-1"},
        "occurred_at": "2026-03-02T08:41:00Z",
        "changes": {"status": status},
    }
    return json.dumps(payload).encode()


def _post(api: Any, body: bytes, signature: str | None, source: str = "helpdesk") -> Any:
    headers = {**api.headers("ingest"), "content-type": "application/json"}
    if signature is not None:
        headers["X-Slaclock-Signature"] = signature
    return api.client.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)


def _now(api: Any) -> int:
    return int(api.clock.now().timestamp())


def _events(api: Any) -> list[str]:
    return [e.event["id"] for e in api.services.ticket("T-1").events]


def test_a_well_signed_delivery_becomes_an_event(hook_api: Any) -> None:
    body = _body()
    response = _post(hook_api, body, sign(SOURCE_SECRET, body, _now(hook_api)))
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == [{"index": 0, "id": "d-1"}]
    assert _events(hook_api) == ["e1", "d-1"]
    assert hook_api.services.ticket("T-1").fields["status"] == "pending"
    sent = hook_api.services.ticket("T-1").events[-1]
    assert sent.source_name == "ingest-test"  # the token that delivered it, on record


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "garbage",
        "t=abc,v1=00",
        "t=1772442000",
        "v1=" + "0" * 64,
    ],
    ids=["missing", "empty", "garbage", "bad-t", "no-v1", "no-t"],
)
def test_a_missing_or_malformed_signature_is_401_and_stores_nothing(
    hook_api: Any, signature: str | None
) -> None:
    response = _post(hook_api, _body(), signature)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _events(hook_api) == ["e1"]


def test_a_signature_of_another_body_or_secret_is_401(hook_api: Any) -> None:
    now = _now(hook_api)
    body = _body()
    tampered = _body(status="solved")
    assert _post(hook_api, tampered, sign(SOURCE_SECRET, body, now)).status_code == 401
    assert _post(hook_api, body, sign("another-secret", body, now)).status_code == 401
    assert _events(hook_api) == ["e1"]


def test_an_expired_or_future_timestamp_is_401(hook_api: Any) -> None:
    body = _body()
    old = _post(hook_api, body, sign(SOURCE_SECRET, body, _now(hook_api) - 301))
    assert old.status_code == 401 and "tolerance" in old.json()["detail"]
    future = _post(hook_api, body, sign(SOURCE_SECRET, body, _now(hook_api) + 301))
    assert future.status_code == 401
    edge = _post(hook_api, body, sign(SOURCE_SECRET, body, _now(hook_api) - 300))
    assert edge.status_code == 200
    assert _events(hook_api) == ["e1", "d-1"]


def test_a_replayed_delivery_is_a_duplicate_then_expires(hook_api: Any) -> None:
    body = _body()
    signature = sign(SOURCE_SECRET, body, _now(hook_api))
    assert _post(hook_api, body, signature).json()["accepted"] == [{"index": 0, "id": "d-1"}]
    hook_api.clock.advance(seconds=60)
    replay = _post(hook_api, body, signature)
    assert replay.status_code == 200
    assert replay.json()["duplicates"] == [{"index": 0, "id": "d-1"}]
    hook_api.clock.advance(seconds=300)
    assert _post(hook_api, body, signature).status_code == 401
    assert _events(hook_api) == ["e1", "d-1"]


def test_an_unknown_source_is_404(hook_api: Any) -> None:
    body = _body()
    response = _post(hook_api, body, sign(SOURCE_SECRET, body, _now(hook_api)), "nosuch")
    assert response.status_code == 404
    assert "nosuch" in response.json()["detail"]


def test_a_body_missing_a_mapped_path_is_422(hook_api: Any) -> None:
    body = json.dumps({"delivery_id": "d-9", "ticket": {}}).encode()
    response = _post(hook_api, body, sign(SOURCE_SECRET, body, _now(hook_api)))
    assert response.status_code == 422
    assert "$.ticket.id" in response.json()["detail"]
    assert _events(hook_api) == ["e1"]


def test_the_signature_does_not_replace_the_token(hook_api: Any) -> None:
    body = _body()
    signature = sign(SOURCE_SECRET, body, _now(hook_api))
    headers = {"X-Slaclock-Signature": signature, "content-type": "application/json"}
    response = hook_api.client.post("/api/v1/webhooks/helpdesk", content=body, headers=headers)
    assert response.status_code == 401
    headers.update(hook_api.headers("viewer"))
    response = hook_api.client.post("/api/v1/webhooks/helpdesk", content=body, headers=headers)
    assert response.status_code == 403
    assert _events(hook_api) == ["e1"]
