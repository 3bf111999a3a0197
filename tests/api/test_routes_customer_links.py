"""POST /api/v1/tickets/{id}/customer-link: agents and admins make a signed, expiring
link to the ticket's customer view; its lifetime is bounded, an unknown ticket is 404,
and without the secret no link is made (issue 24, "Customer view")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from slaclock.service.customer_links import read_customer_token

URL = "/api/v1/tickets/T-1/customer-link"
#: The secret tests/api/conftest.py gives its apps.
CUSTOMER_LINK_SECRET = "customer-links-test-0123456789"
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


def _make(api: Any, body: Any = None, role: str = "agent", url: str = URL) -> Any:
    if body is None:
        return api.client.post(url, headers=api.headers(role))
    return api.client.post(url, json=body, headers=api.headers(role))


def _problem(response: Any, status: int, detail: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_an_agent_or_admin_gets_a_link_for_30_days_by_default(ticket_api: Any, role: str) -> None:
    response = _make(ticket_api, role=role)
    assert response.status_code == 200, response.text
    made = response.json()
    now = ticket_api.clock.now()
    assert made["ticket"] == "T-1"
    assert made["expires_at"] == (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # no SLACLOCK_BASE_URL here: the address the request came to
    assert made["url"].startswith("http://testserver/status/")
    claim = read_customer_token(CUSTOMER_LINK_SECRET, made["url"].rpartition("/")[2], now)
    assert claim.ticket == "T-1" and claim.expires == now + timedelta(days=30)
    assert ticket_api.services.ticket("T-1").event_count == 1  # nothing was recorded


@pytest.mark.parametrize("role", ["viewer", "ingest"])
def test_viewers_and_ingest_tokens_are_refused(ticket_api: Any, role: str) -> None:
    _problem(_make(ticket_api, {"days": 3}, role), 403, role)


def test_a_chosen_lifetime_within_the_bounds(ticket_api: Any) -> None:
    now = ticket_api.clock.now()
    for body, expires in [
        ({"days": 1}, now + timedelta(days=1)),
        ({"days": 365}, now + timedelta(days=365)),
        ({"expires_at": "2026-03-02T10:00:00Z"}, now + timedelta(hours=1)),
        ({"expires_at": "2026-03-09T10:00:00+01:00"}, now + timedelta(days=7)),
        ({}, now + timedelta(days=30)),
    ]:
        response = _make(ticket_api, body)
        assert response.status_code == 200, (body, response.text)
        assert response.json()["expires_at"] == expires.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"days": 0}, "days"),
        ({"days": 366}, "days"),
        ({"days": "7"}, "days"),
        ({"days": True}, "days"),
        ({"days": 2.5}, "days"),
        ({"expires_at": "2026-03-02T09:59:59Z"}, "at least an hour"),
        ({"expires_at": "2027-03-03T09:00:00Z"}, "at most 365 days"),
        ({"expires_at": "2026-03-05T09:00:00"}, "expires_at"),
        ({"expires_at": "soon"}, "expires_at"),
        ({"days": 3, "expires_at": "2026-03-05T09:00:00Z"}, "not both"),
        ({"hours": 3}, "hours"),
        ([3], "body"),
    ],
)
def test_a_lifetime_out_of_bounds_is_422_naming_it(ticket_api: Any, body: Any, detail: str) -> None:
    response = _make(ticket_api, body)
    assert response.status_code == 422, response.text
    assert detail in response.text


def test_a_body_that_is_not_json_is_400(ticket_api: Any) -> None:
    response = ticket_api.client.post(
        URL,
        content=b"{days: 3",
        headers={**ticket_api.headers("agent"), "Content-Type": "application/json"},
    )
    _problem(response, 400, "malformed JSON")


def test_an_unknown_ticket_is_404(ticket_api: Any) -> None:
    _problem(
        _make(ticket_api, {"days": 3}, url="/api/v1/tickets/T-404/customer-link"), 404, "T-404"
    )


def test_the_base_url_names_the_links_address(ticket_api: Any) -> None:
    from fastapi.testclient import TestClient

    from slaclock.api import create_app

    environ = {
        "SLACLOCK_CUSTOMER_LINK_SECRET": CUSTOMER_LINK_SECRET,
        "SLACLOCK_BASE_URL": "https://sla.example.com/",
    }
    app = create_app(ticket_api.services, ticket_api.clock.now, environ=environ)
    client = TestClient(app)
    response = client.post(URL, headers=ticket_api.headers("agent"))
    assert response.status_code == 200, response.text
    assert response.json()["url"].startswith("https://sla.example.com/status/")


def test_without_the_secret_no_link_is_made(ticket_api: Any) -> None:
    from fastapi.testclient import TestClient

    from slaclock.api import create_app

    environ: dict[str, str] = {}
    client = TestClient(create_app(ticket_api.services, ticket_api.clock.now, environ=environ))
    response = client.post(URL, headers=ticket_api.headers("agent"))
    _problem(response, 503, "SLACLOCK_CUSTOMER_LINK_SECRET")
    assert response.json()["type"].endswith("/customer-links-disabled")
