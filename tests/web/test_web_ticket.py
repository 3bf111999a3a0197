"""The ticket page: fields, each clock, the events and the engine's explanation."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _instance_rows(html: str) -> list[list[str]]:
    table = html.split('<table class="instances">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr class=\"state-[^\"]*\">(.*?)</tr>", table, flags=re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        for row in rows
    ]


def test_the_ticket_page_shows_every_clock(site: Any) -> None:
    html = site.signed_in().get("/tickets/T-1").text
    rows = _instance_rows(html)
    explained = site.services.explain("T-1", site.clock.now()).instances
    assert [(r[0], r[3]) for r in rows] == [
        (e["instance"]["metric"], f"{e['instance']['policy']} v{e['instance']['policy_version']}")
        for e in explained
    ]
    by_metric = {r[0]: r for r in rows}
    # metric, kind, cycle, policy, calendar, state, target, started, due, stopped,
    # elapsed, paused, remaining, goal
    assert by_metric["first_response"] == [
        "first_response",
        "SLA",
        "0",
        "enterprise v1",
        "amsterdam-office",
        "met",
        "1 hr",
        "3/2/26, 8:15 AM",
        "3/2/26, 9:15 AM",
        "3/2/26, 8:40 AM",
        "25 min",
        "0 sec",
        "35 min",
        "30 min, due 3/2/26, 8:45 AM",
    ]
    assert by_metric["periodic_update"][5] == "breached"
    assert by_metric["periodic_update"][12] == "overdue by 1 min"
    assert by_metric["engineering_triage"][1] == "OLA"


def test_the_explanation_tells_each_clock_s_life(site: Any, text_of: Any) -> None:
    text = text_of(site.signed_in().get("/tickets/T-1").text)
    assert "outage : chosen" in text
    assert "Mar 2, 2026, 8:15:00 AM: enterprise (event e1)" in text
    assert "re-targeted (event e5): retroactive: outage v1, 14400s on 24x7" in text
    assert "paused (event e3): status pending" in text
    for words in (
        "Subject Export fails",
        "Priority urgent",
        "Group Engineering",
        "Plan enterprise",
    ):
        assert words in text
    # The event timeline, in order, with who wrote and what changed.
    assert re.search(
        r"created e1 customer;.*message e2 agent \(anna\).*updated e3 status: pending", text
    )
    assert "internal note" in text


def test_rejected_policies_say_why(site: Any, text_of: Any) -> None:
    site.clock.at = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    site.services.rebuild(now=site.clock.now())
    text = text_of(site.signed_in().get("/tickets/T-2").text)
    assert "enterprise : rejected (customer.plan is 'business', not eq 'enterprise')" in text
    assert "business : chosen" in text
    assert "Customer bolt" in text


def test_an_unknown_ticket_is_a_404_page(site: Any, text_of: Any) -> None:
    response = site.signed_in().get("/tickets/T-404?lang=fr")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Le ticket T-404 n’existe pas." in text_of(response.text)


def test_ticket_ids_with_odd_characters_round_trip(site: Any, rows_of: Any) -> None:
    odd = "ACME 42 <b>&x?#%"  # a '/' is refused at ingest: no API path could name it
    event = {
        "id": "odd-1",
        "ticket": odd,
        "at": "2026-03-03T10:30:00Z",
        "type": "ticket.created",
        "by": "customer",
        "fields": {
            "status": "new",
            "priority": "urgent",
            "group": "support",
            "subject": "<i>hi</i>",
        },
    }
    assert not site.services.ingest([event], site.clock.now()).rejected
    browser = site.signed_in()
    row = next(r for r in rows_of(browser.get("/").text) if r["ticket"] == odd)
    assert row["href"] == "/tickets/ACME%2042%20%3Cb%3E%26x%3F%23%25"
    page = browser.get(row["href"])
    assert page.status_code == 200
    assert "&lt;i&gt;hi&lt;/i&gt;" in page.text and "<i>hi</i>" not in page.text


def test_the_ticket_page_links_its_json_twins(site: Any) -> None:
    browser = site.signed_in()
    html = browser.get("/tickets/T-1").text
    assert 'href="/api/v1/tickets/T-1"' in html
    assert 'href="/api/v1/tickets/T-1/explain"' in html
    assert browser.get("/api/v1/tickets/T-1/explain").json()["policy"] == "outage"


def test_a_ticket_not_created_yet_still_has_a_page(site: Any, text_of: Any) -> None:
    """T-2's events are stored, but as of now (2026-03-03) it has not been created."""
    response = site.signed_in().get("/tickets/T-2")
    assert response.status_code == 200
    assert "No clocks for this ticket." in text_of(response.text)


def test_the_status_is_named_in_the_language(site: Any, text_of: Any) -> None:
    assert "Status offen" in text_of(site.signed_in().get("/tickets/T-1?lang=de").text)
    assert "Status open" in text_of(site.signed_in().get("/tickets/T-1").text)


def test_events_later_than_now_are_marked_as_not_counted(site: Any) -> None:
    """At 11:00, T-1's e6 (12:00) and e7 (13:30) are stored but not yet applied."""
    html = site.signed_in().get("/tickets/T-1").text
    later = re.findall(r'<li class="later">.*?<code>([^<]+)</code>', html, flags=re.S)
    assert later == ["e6", "e7"]
    assert html.count("(after now: not counted yet)") == 2
