"""issue 24, "Tests in a real browser": a ticket's page in chromium — its clocks, why it
has them, its events and its notifications (fired once by the fixture: emails sent, the
ops webhook failing)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def t1(viewer_tab: Any) -> Any:
    viewer_tab.open("/tickets/T-1")
    return viewer_tab


def _headings(tab: Any) -> list[str]:
    return tab.page.locator("main h2").all_inner_texts()


def _column(tab: Any, table: str, index: int) -> list[str]:
    return tab.page.locator(f"table.{table} tbody tr td:nth-child({index})").all_inner_texts()


def test_the_sections_of_a_ticket(t1: Any) -> None:
    assert t1.page.locator("h1").inner_text() == "Ticket T-1"
    assert _headings(t1) == [
        "Clocks", "Timeline of each clock", "Why these clocks", "Events", "Notifications",
    ]  # fmt: skip
    assert t1.errors == []


def test_its_clocks(t1: Any) -> None:
    metrics = _column(t1, "instances", 1)
    assert {"first_response", "resolution"} <= set(metrics)
    states = t1.page.locator("table.instances .badge").all_inner_texts()
    assert len(states) == len(metrics) and "met" in states


def test_its_explanation(t1: Any) -> None:
    tried = t1.page.locator("ul.tried li").all_inner_texts()
    assert any(line.endswith("chosen") for line in tried), tried
    assert t1.page.locator("ol.history li").count() >= 2  # enterprise, then outage
    first = t1.page.locator("details.life").first
    assert first.get_attribute("open") is not None
    assert first.locator("li").count() >= 2


def test_its_events(t1: Any) -> None:
    events = t1.page.locator("ol.timeline li").all_inner_texts()
    assert len(events) == 7
    assert events[0].startswith("Mar 2, 2026, 8:15:00\u202fAM created e1")
    assert "subject: Export fails" in events[0]


def test_its_notifications(t1: Any) -> None:
    statuses = _column(t1, "notifications", 6)
    channels = _column(t1, "notifications", 5)
    assert statuses and {"email", "webhook"} <= set(channels)
    assert any(s.startswith("sent") for s in statuses)
    assert any("HTTP 503 Service Unavailable" in s for s in statuses)
    recipients = _column(t1, "notifications", 4)
    assert "webhook:ops" in recipients
    assert not any(name.startswith("person:") for name in recipients)  # people by name


def test_all_fields_open_by_keyboard(t1: Any) -> None:
    summary = t1.page.locator("summary", has_text="All fields")
    table = t1.page.locator("table.fields")
    assert not table.is_visible()
    summary.focus()
    t1.page.keyboard.press("Enter")
    assert table.is_visible()
    assert "subject" in table.inner_text()


def test_an_unknown_ticket_is_a_404_page(viewer_tab: Any) -> None:
    response = viewer_tab.open("/tickets/NOPE-1")
    assert response.status == 404
    assert viewer_tab.page.locator("h1").inner_text() == "Not found"
    with viewer_tab.page.expect_navigation():
        viewer_tab.page.click("text=Back to the dashboard")
    assert viewer_tab.page.url == viewer_tab.site.url + "/"
