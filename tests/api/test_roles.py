"""Every endpoint refuses every role it must, and every bad token, before doing anything."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from slaclock.api import create_app
from slaclock.api.roles import ENDPOINT_ROLES, ROLES

#: One concrete request per endpoint of the role table.
DAY = "from=2026-03-01&to=2026-03-02"
SAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/events"): {"url": "/api/v1/events", "json": []},
    ("POST", "/api/v1/webhooks/{source}"): {"url": "/api/v1/webhooks/nosuch", "json": {}},
    ("POST", "/api/v1/tickets/{ticket_id}/events"): {
        "url": "/api/v1/tickets/T-1/events",
        "json": {"type": "message", "public": True},
    },
    ("GET", "/api/v1/tickets/{ticket_id}/events"): {"url": "/api/v1/tickets/T-1/events"},
    ("POST", "/api/v1/tickets/{ticket_id}/acknowledge"): {
        "url": "/api/v1/tickets/T-1/acknowledge",
        "json": {"metric": "first_response"},
    },
    ("POST", "/api/v1/tickets/{ticket_id}/customer-link"): {
        "url": "/api/v1/tickets/T-1/customer-link",
        "json": {"days": 7},
    },
    ("GET", "/api/v1/tickets/{ticket_id}"): {"url": "/api/v1/tickets/T-1"},
    ("GET", "/api/v1/tickets/{ticket_id}/instances"): {"url": "/api/v1/tickets/T-1/instances"},
    ("GET", "/api/v1/tickets/{ticket_id}/explain"): {"url": "/api/v1/tickets/T-1/explain"},
    ("GET", "/api/v1/queue"): {"url": "/api/v1/queue"},
    ("GET", "/api/v1/summary"): {"url": "/api/v1/summary"},
    ("GET", "/api/v1/reports/compliance"): {
        "url": "/api/v1/reports/compliance?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z"
    },
    ("GET", "/api/v1/reports/log"): {"url": "/api/v1/reports/log?" + DAY},
    ("GET", "/api/v1/reports/statement"): {
        "url": "/api/v1/reports/statement?customer=acme&period=2026-03"
    },
    ("GET", "/api/v1/reports/heatmap"): {
        "url": "/api/v1/reports/heatmap?from=2026-03-01&to=2026-03-02"
    },
    ("GET", "/api/v1/reports/trend"): {
        "url": "/api/v1/reports/trend?from=2026-03-01&to=2026-03-02"
    },
    ("GET", "/api/v1/reports/top"): {"url": "/api/v1/reports/top?" + DAY},
    ("GET", "/api/v1/reports/attribution"): {
        "url": "/api/v1/reports/attribution?from=2026-03-01&to=2026-03-02"
    },
    ("GET", "/api/v1/reports/pauses"): {
        "url": "/api/v1/reports/pauses?from=2026-03-01&to=2026-03-02"
    },
    ("GET", "/api/v1/notifications"): {"url": "/api/v1/notifications"},
    ("POST", "/api/v1/reports/snapshots"): {
        "url": "/api/v1/reports/snapshots",
        "json": {"report": "compliance", "params": {"from": "2026-03-01", "to": "2026-03-02"}},
    },
    ("GET", "/api/v1/reports/snapshots"): {"url": "/api/v1/reports/snapshots"},
    ("GET", "/api/v1/reports/snapshots/{snapshot_id}"): {"url": "/api/v1/reports/snapshots/s_x"},
    ("GET", "/api/v1/reports/snapshots/{snapshot_id}/content"): {
        "url": "/api/v1/reports/snapshots/s_x/content"
    },
    ("GET", "/api/v1/tickets/{ticket_id}/notifications"): {
        "url": "/api/v1/tickets/T-1/notifications"
    },
    ("POST", "/api/v1/notifications/{delivery_id}/retry"): {
        "url": "/api/v1/notifications/d_nosuch/retry"
    },
    ("GET", "/metrics"): {"url": "/metrics"},
    ("GET", "/api/v1/config"): {"url": "/api/v1/config"},
    ("PUT", "/api/v1/config"): {"url": "/api/v1/config", "content": "not: [valid"},
    ("GET", "/api/v1/config/versions"): {"url": "/api/v1/config/versions"},
    ("GET", "/api/v1/config/diff"): {"url": "/api/v1/config/diff?from=0&to=0"},
    ("POST", "/api/v1/tokens"): {"url": "/api/v1/tokens", "json": {"role": "x", "name": ""}},
    ("GET", "/api/v1/tokens"): {"url": "/api/v1/tokens"},
    ("DELETE", "/api/v1/tokens/{token_id}"): {"url": "/api/v1/tokens/tok_nosuch"},
    ("POST", "/api/v1/whatif"): {"url": "/api/v1/whatif?" + DAY, "content": "not: [valid"},
    ("GET", "/api/v1/whatif/{job_id}"): {"url": "/api/v1/whatif/wi_nosuch"},
}
ENDPOINTS = sorted(ENDPOINT_ROLES)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_every_route_has_a_role_entry_and_a_sample(sqlite_api: Any) -> None:
    paths = create_app(sqlite_api.services).openapi()["paths"]
    routes = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert routes == set(ENDPOINT_ROLES)
    assert set(SAMPLES) == set(ENDPOINT_ROLES)


def _call(api: Any, endpoint: tuple[str, str], headers: dict[str, str]) -> Any:
    sample = dict(SAMPLES[endpoint])
    return api.client.request(endpoint[0], headers=headers, **sample)


def _assert_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids="{0[0]} {0[1]}".format)
@pytest.mark.parametrize("role", ROLES)
def test_role_is_allowed_or_refused_with_403(sqlite_api: Any, endpoint: Any, role: str) -> None:
    response = _call(sqlite_api, endpoint, sqlite_api.headers(role))
    if role in ENDPOINT_ROLES[endpoint]:
        assert response.status_code not in (401, 403, 500), response.text
    else:
        _assert_problem(response, 403)
        assert role in response.json()["detail"]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids="{0[0]} {0[1]}".format)
@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer ",
        "Bearer slk_not-a-real-token",
        "Basic YWRtaW46YWRtaW4=",
        "bearer-without-space",
    ],
    ids=["missing", "empty", "invalid", "basic", "garbage"],
)
def test_bad_token_is_refused_with_401(sqlite_api: Any, endpoint: Any, header: Any) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = _call(sqlite_api, endpoint, headers)
    _assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids="{0[0]} {0[1]}".format)
def test_revoked_token_is_refused_with_401(sqlite_api: Any, endpoint: Any) -> None:
    services, now = sqlite_api.services, sqlite_api.clock.now()
    token_id, secret = services.tokens.create("admin", "soon revoked", now)
    headers = {"Authorization": f"Bearer {secret}"}
    assert _call(sqlite_api, endpoint, headers).status_code not in (401, 403)
    revoked = sqlite_api.client.delete(f"/api/v1/tokens/{token_id}", headers=sqlite_api.headers())
    assert revoked.status_code == 204
    _assert_problem(_call(sqlite_api, endpoint, headers), 401)


def test_a_token_revoked_elsewhere_is_refused_once_the_cache_lapses(
    sqlite_api: Any, api_factory: Any
) -> None:
    uncached = api_factory(sqlite_api.services, sqlite_api.clock, token_cache_seconds=0)
    token_id, secret = sqlite_api.services.tokens.create("viewer", "cli-revoked", NOW)
    headers = {"Authorization": f"Bearer {secret}"}
    assert uncached.client.get("/api/v1/summary", headers=headers).status_code == 200
    sqlite_api.services.tokens.revoke(token_id)  # as `slaclock token revoke` would
    _assert_problem(uncached.client.get("/api/v1/summary", headers=headers), 401)


def test_nothing_is_stored_when_the_role_is_wrong(sqlite_api: Any) -> None:
    event = {
        "id": "e1",
        "ticket": "T-1",
        "at": "2026-03-02T08:15:00Z",
        "type": "ticket.created",
        "by": "customer",
        "fields": {"status": "new", "priority": "high"},
    }
    response = sqlite_api.client.post(
        "/api/v1/events", json=event, headers=sqlite_api.headers("viewer")
    )
    _assert_problem(response, 403)
    assert sqlite_api.services.ticket("T-1") is None


def test_a_wrong_method_is_405_listing_every_method_of_the_path(sqlite_api: Any) -> None:
    response = sqlite_api.client.patch("/api/v1/tokens", headers=sqlite_api.headers())
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"].startswith("application/problem+json")
