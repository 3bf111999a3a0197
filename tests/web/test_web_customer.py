"""The customer view (``/status/{token}``) and the ticket page's "Customer link" form
(issue 24, "Customer view"): only what the customer was promised, in their language and
time zone, paused and why, past due said plainly; an expired link 410, a forged one
404; no sign-in, no cookie; agents and admins make links, with the CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.customer_links import (
    CUSTOMER_LINK_SECRET_ENV,
    CustomerClaim,
    customer_token,
)
from slaclock.store.testing import drop_scratch, scratch_engine
from slaclock.web import create_site

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Amsterdam
NOW = START + timedelta(hours=3)
SECRET = "customer-link-secret-0123456789"
BASE = "http://dash.test"
ORIGIN = {"Origin": BASE}
CONFIG = """
calendars:
  - id: amsterdam-office
    tz: Europe/Amsterdam
    week: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"],
           thu: ["09:00-17:00"], fri: ["09:00-17:00"]}
  - {id: round-the-clock, tz: UTC, always_open: true}
people:
  - {id: anna, name: Anna Internal, groups: [frontline]}
groups:
  - {id: frontline, name: Frontline Crew, lead: anna}
  - {id: engineering, name: Engineering Squad}
metrics:
  triage:
    start: [{event: group_entered, group: engineering}]
    stop: [{event: solved}]
policies:
  - id: gold-secret
    name: Gold Secret Policy
    calendar: amsterdam-office
    targets:
      first_response: {within: 1h, goal: 30m}
      resolution: {within: 8h, goal: 4h, pause: {status: [pending, on_hold]}}
olas:
  - {id: eng-ola, group: engineering, metric: triage, within: 4h, calendar: round-the-clock}
"""
#: What the customer must never see: ids and names of people, groups, policies,
#: calendars, the OLA and its metric, internal fields.
INTERNAL = (
    "anna", "Anna Internal", "frontline", "Frontline Crew", "engineering", "Engineering Squad",
    "gold-secret", "Gold Secret Policy", "amsterdam-office", "round-the-clock", "triage",
    "eng-ola", "OLA", "goal", "Goal", "internal-tag", "vip-notes",
)  # fmt: skip


def _at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _created(ticket: str, subject: str, **requester: str) -> dict[str, Any]:
    fields = {"status": "new", "priority": "high", "group": "frontline", "assignee": "anna",
              "subject": subject, "tags": ["internal-tag"], "vip-notes": "x",
              "requester": {"id": f"u-{ticket}", **requester}}  # fmt: skip
    return {"id": f"{ticket}-c", "ticket": ticket, "at": _at(0), "type": "ticket.created",
            "by": "customer", "fields": fields}  # fmt: skip


def _event(ticket: str, minutes: float, kind: str, **body: Any) -> dict[str, Any]:
    return {"id": f"{ticket}-{minutes}", "ticket": ticket, "at": _at(minutes), "type": kind, **body}


EVENTS = [
    _created("T-1", "Export fails", locale="de"),
    _event("T-1", 20, "message", author="agent", author_id="anna", public=True),
    _event("T-1", 21, "ticket.updated", changes={"status": "pending", "group": "engineering"}),
    _created("T-2", "Invoice is wrong", tz="America/New_York"),
    _event("T-2", 10, "ticket.updated", changes={"status": "on_hold"}),
    _created("T-3", "Nobody answers"),
]


@dataclass
class World:
    client: TestClient
    services: Services
    clock: list[datetime]
    tokens: dict[str, str]

    def link(self, ticket: str, expires: datetime | None = None) -> str:
        claim = CustomerClaim(ticket, expires or START + timedelta(days=30))
        return f"/status/{customer_token(SECRET, claim)}"

    def signed_in(self, role: str) -> TestClient:
        client = TestClient(self.client.app, base_url=BASE)
        response = client.post(
            "/login", data={"token": self.tokens[role]}, headers=ORIGIN, follow_redirects=False
        )
        assert response.status_code == 303
        return client


def _world(tmp_path: Path, environ: dict[str, str]) -> Iterator[World]:
    engine = scratch_engine("sqlite", tmp_path)
    services = services_on(engine)
    services.config_apply(CONFIG, "test", START - timedelta(days=1))
    result = services.ingest(EVENTS, NOW)
    assert not result.rejected, result.rejected
    clock = [NOW]
    tokens = {r: services.tokens.create(r, f"{r}-t", NOW)[1] for r in ("admin", "agent", "viewer")}
    app = create_site(services, lambda: clock[0], environ=environ)
    yield World(TestClient(app, base_url=BASE), services, clock, tokens)
    drop_scratch(engine)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from _world(tmp_path, {CUSTOMER_LINK_SECRET_ENV: SECRET})


@pytest.fixture
def dark_world(tmp_path: Path) -> Iterator[World]:
    """A site where customer links are not enabled (no secret)."""
    yield from _world(tmp_path, {})


def _text(html: str) -> str:
    """The words a person reads (tags dropped, entities resolved, spaces squeezed)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([a-z]+)"', html)
    assert found is not None
    return found.group(1)


# -------------------------------------------------------------------- the page


def test_the_page_shows_the_promises_in_the_customers_words(world: World) -> None:
    page = world.client.get(world.link("T-3") + "?lang=en")
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Request T-3" in text and "Nobody answers" in text
    # due 11:00 Amsterdam (an hour of open time from 10:00), not answered at 13:00
    assert "Our first reply Late" in text
    assert "We aimed to respond by Mon, Mar 2, 2026, 11:00 AM and have not yet." in text
    assert "We are sorry for the delay." in text
    assert "We aim to resolve this by Mon, Mar 2, 2026, 6:00 PM" not in text  # 8h: Tuesday
    assert "We aim to resolve this by Tue, Mar 3, 2026, 10:00 AM." in text
    assert "Times are in Central European Time (Europe/Amsterdam)." in text
    assert "This page works until Wed, Apr 1, 2026, 11:00 AM." in text


def test_nothing_internal_is_shown(world: World) -> None:
    for ticket in ("T-1", "T-2", "T-3"):
        for lang in ("en", "de"):
            html = world.client.get(world.link(ticket) + f"?lang={lang}").text
            shown = [word for word in INTERNAL if word in html]
            assert shown == [], (ticket, lang, shown)
            assert "/tickets/" not in html and 'href="/"' not in html  # no way in


def test_answered_and_paused_waiting_for_the_customer(world: World) -> None:
    text = _text(world.client.get(world.link("T-1") + "?lang=en").text)
    assert "Our first reply Done Answered at Mon, Mar 2, 2026, 10:20 AM." in text
    assert "A solution Paused Paused: we are waiting for your reply." in text
    assert "Time does not count while it is paused." in text
    assert "When it runs again, 7 hr 39 min of our service hours remain." in text
    assert "We aim to resolve" not in text  # no due time while paused


def test_on_hold_in_the_requesters_time_zone(world: World) -> None:
    text = _text(world.client.get(world.link("T-2") + "?lang=en").text)
    assert "Paused: your request is on hold." in text
    assert "Times are in Eastern Time (America/New_York)." in text
    # due 11:00 Amsterdam = 05:00 New York; it is 13:00 Amsterdam = 07:00 New York
    assert "We aimed to respond by Mon, Mar 2, 2026, 5:00 AM and have not yet." in text
    assert "As of Mon, Mar 2, 2026, 7:00 AM." in text
    chosen = _text(world.client.get(world.link("T-2") + "?lang=en&tz=Asia/Tokyo").text)
    assert "(Asia/Tokyo)" in chosen and "Mon, Mar 2, 2026, 7:00 PM" in chosen


def test_the_language_of_the_requester_else_the_browser_and_the_links_to_switch(
    world: World,
) -> None:
    german = world.client.get(world.link("T-1"), headers={"Accept-Language": "fr"})
    assert _lang(german.text) == "de"  # the requester's locale comes first
    assert "März 2026" in german.text  # Babel's German dates
    french = world.client.get(world.link("T-3"), headers={"Accept-Language": "fr-CH, en;q=0.5"})
    assert _lang(french.text) == "fr" and "mars 2026" in french.text
    english = world.client.get(world.link("T-3"))
    assert _lang(english.text) == "en"
    chosen = world.client.get(world.link("T-1") + "?lang=nb")
    assert _lang(chosen.text) == "nb" and "mars 2026" in chosen.text
    links = re.findall(r'href="(/status/[^"]+)" hreflang="(\w+)"', chosen.text)
    assert [code for _, code in links] == ["en", "nl", "nb", "ro", "fr", "de"]
    for url, code in links:
        switched = world.client.get(unescape(url))
        assert switched.status_code == 200 and _lang(switched.text) == code


def test_headers_no_cookie_and_no_sign_in(world: World) -> None:
    page = world.client.get(world.link("T-1"))
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in page.headers["x-robots-tag"]
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "set-cookie" not in page.headers
    assert world.client.cookies == {} or "slaclock_token" not in world.client.cookies
    assert "<script" not in page.text and " style=" not in page.text


def test_an_expired_link_is_410(world: World) -> None:
    link = world.link("T-1", expires=NOW + timedelta(hours=1))
    world.clock[0] = NOW + timedelta(hours=1)
    assert world.client.get(link).status_code == 200  # good to the second
    world.clock[0] = NOW + timedelta(hours=1, seconds=1)
    page = world.client.get(link + "?lang=en")
    assert page.status_code == 410
    assert "This link has expired; ask us for a new one." in _text(page.text)
    assert "Export fails" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "path",
    [
        "/status/garbage",
        "/status/" + customer_token("another-secret", CustomerClaim("T-1", NOW + timedelta(1))),
        "/status/" + customer_token(SECRET, CustomerClaim("T-1", NOW + timedelta(1)))[:-2],
        "/status/" + customer_token(SECRET, CustomerClaim("T-404", NOW + timedelta(1))),
        "/status/" + "A" * 5000,
    ],
    ids=["garbage", "other-secret", "cut", "no-such-ticket", "huge"],
)
def test_a_forged_or_garbled_link_is_404(world: World, path: str) -> None:
    page = world.client.get(path + "?lang=en")
    assert page.status_code == 404
    assert "This link is not valid." in _text(page.text)
    assert "Request T-" not in page.text


def test_without_the_secret_the_page_says_links_are_off(dark_world: World) -> None:
    page = dark_world.client.get(dark_world.link("T-1") + "?lang=en")
    assert page.status_code == 404
    assert "Customer links are not enabled here." in _text(page.text)


# --------------------------------------------------------- the ticket page's form


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_an_agent_makes_a_link_on_the_ticket_page(world: World, role: str) -> None:
    client = world.signed_in(role)
    ticket = client.get("/tickets/T-1?lang=en")
    assert ticket.status_code == 200
    assert 'action="/tickets/T-1/customer-link"' in ticket.text
    made = client.post(
        "/tickets/T-1/customer-link",
        data={"csrf": _csrf(ticket.text), "days": "7"},
        headers=ORIGIN,
    )
    assert made.status_code == 200, made.text
    url = re.search(r'value="(http://dash\.test/status/[^"]+)" readonly', made.text)
    assert url is not None
    assert "It works until Mar 9, 2026, 12:00:00 PM (UTC)." in _text(made.text)
    opened = TestClient(world.client.app).get(url.group(1).removeprefix(BASE) + "?lang=en")
    assert opened.status_code == 200 and "Export fails" in opened.text


def test_a_viewer_gets_no_form_and_may_not_post(world: World) -> None:
    client = world.signed_in("viewer")
    ticket = client.get("/tickets/T-1")
    assert "customer-link" not in ticket.text
    token = _csrf(client.get("/settings").text)
    refused = client.post("/tickets/T-1/customer-link", data={"csrf": token}, headers=ORIGIN)
    assert refused.status_code == 403


def test_the_form_needs_the_csrf_token_a_lifetime_and_a_ticket(world: World) -> None:
    client = world.signed_in("agent")
    token = _csrf(client.get("/tickets/T-1").text)
    url = "/tickets/T-1/customer-link"
    assert client.post(url, data={"days": "7"}, headers=ORIGIN).status_code == 403
    evil = {"Origin": "https://evil.example"}
    assert client.post(url, data={"csrf": token}, headers=evil).status_code == 403
    assert client.post(url, data={"csrf": token + "0"}, headers=ORIGIN).status_code == 403
    for days in ("0", "366", "x", "-1", "²"):
        bad = client.post(url, data={"csrf": token, "days": days}, headers=ORIGIN)
        assert bad.status_code == 400, days
    missing = client.post("/tickets/T-404/customer-link", data={"csrf": token}, headers=ORIGIN)
    assert missing.status_code == 404
    default = client.post(url, data={"csrf": token}, headers=ORIGIN)
    assert default.status_code == 200 and "Apr 1, 2026" in default.text  # 30 days
    signed_out = TestClient(world.client.app, base_url=BASE)
    away = signed_out.post(url, data={"csrf": token}, headers=ORIGIN, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")


def test_without_the_secret_the_form_says_so(dark_world: World) -> None:
    client = dark_world.signed_in("agent")
    ticket = client.get("/tickets/T-1?lang=en")
    assert "SLACLOCK_CUSTOMER_LINK_SECRET is not set" in ticket.text
    assert 'action="/tickets/T-1/customer-link"' not in ticket.text
    token = _csrf(client.get("/settings").text)
    refused = client.post("/tickets/T-1/customer-link", data={"csrf": token}, headers=ORIGIN)
    assert refused.status_code == 503
