"""The acknowledgement link (``/ack/{token}``) and the API call: both record
``sla.acknowledged`` by the right person; a forged, damaged or expired link records
nothing; opening the link alone changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaclock.service.acknowledgements import ACK_SECRET_ENV, AckClaim, ack_token
from slaclock.service.compose import services_on
from slaclock.store.testing import drop_scratch, scratch_engine
from slaclock.web import create_site

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SECRET = "ack-secret-0123456789"
BASE = "http://dash.test"
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - {id: std, name: Standard, calendar: always, targets: {first_response: {within: 1h}}}
"""


@pytest.fixture
def site(tmp_path: Path) -> Any:
    engine = scratch_engine("sqlite", tmp_path)
    services = services_on(engine)
    services.config_apply(CONFIG, "test", NOW)
    event = {"id": "c", "ticket": "T-1", "at": "2026-03-02T09:00:00Z", "type": "ticket.created",
             "by": "customer", "fields": {"status": "open", "priority": "high"}}  # fmt: skip
    services.ingest([event], NOW)
    app = create_site(services, lambda: NOW, environ={ACK_SECRET_ENV: SECRET})
    yield TestClient(app, base_url=BASE), services
    drop_scratch(engine)


def _acks(services: Any) -> list[dict[str, Any]]:
    view = services.ticket("T-1")
    return [e.event for e in view.events if e.event["type"] == "sla.acknowledged"]


def _token(person: str = "mark", expires: datetime = NOW + timedelta(days=1)) -> str:
    return ack_token(SECRET, AckClaim("T-1", "sla", "first_response", 0, person, expires))


def test_the_link_asks_then_records_the_person_it_was_sent_to(site: Any) -> None:
    client, services = site
    token = _token()
    page = client.get(f"/ack/{token}")
    assert page.status_code == 200 and "I am on it" in page.text
    assert _acks(services) == []  # opening a link (a mail scanner) records nothing
    done = client.post(f"/ack/{token}", headers={"Origin": BASE})
    assert done.status_code == 200 and "Recorded: mark is on it" in done.text
    [ack] = _acks(services)
    assert (ack["by"], ack["metric"], ack["cycle"], ack["kind"]) == (
        "mark",
        "first_response",
        0,
        "sla",
    )
    assert services.ticket("T-1").events[-1].source == "ack-link"


@pytest.mark.parametrize(
    "token",
    [
        _token()[:-1] + "0",  # a forged signature
        "bm90IGpzb24." + _token().partition(".")[2],  # another claim under the old mac
        _token(expires=NOW - timedelta(seconds=1)),  # expired
        ack_token("another-secret", AckClaim("T-1", "sla", "first_response", 0, "x", NOW)),
    ],
    ids=["forged", "swapped", "expired", "other-secret"],
)
def test_a_bad_link_records_nothing(site: Any, token: str) -> None:
    client, services = site
    assert client.get(f"/ack/{token}").status_code == 404
    assert client.post(f"/ack/{token}", headers={"Origin": BASE}).status_code == 404
    assert _acks(services) == []


def test_a_post_from_another_site_is_refused(site: Any) -> None:
    client, services = site
    response = client.post(f"/ack/{_token()}", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and _acks(services) == []


def test_an_agent_acknowledges_through_the_api(site: Any) -> None:
    client, services = site
    _, secret = services.tokens.create("agent", "anna", NOW)
    headers = {"Authorization": f"Bearer {secret}"}
    url = "/api/v1/tickets/T-1/acknowledge"
    response = client.post(url, json={"metric": "first_response"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["by"] == "anna"
    assert [a["by"] for a in _acks(services)] == ["anna"]
    missing = client.post(url, json={"metric": "resolution"}, headers=headers)
    assert missing.status_code == 404 and "no sla resolution" in missing.json()["detail"]
    bad = client.post(url, json={"metric": "first_response", "by": "mark"}, headers=headers)
    assert bad.status_code == 422
    assert len(_acks(services)) == 1
