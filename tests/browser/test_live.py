"""issue 24, "Tests in a real browser": rows that change state — by the countdown script
as time passes in the browser, and, without a reload, after an event is posted through
the API (live updates by server-sent events, ``GET /live`` and ``static/live.js``).

The live tests mark the page's ``window`` before they post: a reload or any navigation
would lose the mark. The site's clock moving is no change in the database, so that test
still reloads (a live page catches it at its minute refresh).

This module changes its site (events posted, clock moved): it has a site of its own, as
every module does.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest


def _post_events(tab: Any, *events: dict[str, Any]) -> dict[str, Any]:
    """Events through the REST API, as a helpdesk sends them (an ingest token)."""
    response = httpx.post(
        tab.site.url + "/api/v1/events",
        json=list(events),
        headers={"Authorization": f"Bearer {tab.site.tokens['ingest']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert not body["rejected"], body
    return body


def _now(tab: Any) -> str:
    return tab.site.clock.now().isoformat().replace("+00:00", "Z")


def _rows(tab: Any, ticket: str) -> dict[str, dict[str, str]]:
    return {row["metric"]: row for row in tab.queue() if row["ticket"] == ticket}


@pytest.fixture
def queue(viewer_tab: Any) -> Any:
    viewer_tab.open("/")
    return viewer_tab


def _mark(tab: Any) -> None:
    """A mark on the page's window (a reload would lose it), once live.js runs."""
    tab.page.wait_for_function("() => window.slaclockCountdown && window.slaclockCountdown.live")
    tab.page.evaluate("() => { window.notReloaded = true; }")


def _not_reloaded(tab: Any) -> bool:
    return tab.page.evaluate("() => window.notReloaded === true") is True


def _cards(tab: Any) -> dict[str, int]:
    """The summary cards' counts by their words."""
    found = tab.page.eval_on_selector_all(
        "section.cards .card",
        """cards => cards.map(c => [c.querySelector(".what").innerText.trim(),
                                     c.querySelector(".count").innerText.trim()])""",
    )
    return {what: int(count.replace(",", "")) for what, count in found if count.isdigit()}


#: The queue row of a ticket's clock, by the ticket's link and the metric column.
ROW = """([href, metric]) => [...document.querySelectorAll("table.queue tbody tr")].find(
    r => r.querySelector(`td.tid a[href="${href}"]`) && r.cells[6].innerText.trim() === metric)"""


def test_an_agent_reply_takes_the_row_off_the_queue_without_a_reload(queue: Any) -> None:
    _mark(queue)
    before = _rows(queue, "WEB-2")
    assert before["first_response"]["css"] == "at-risk"
    cards = _cards(queue)
    reply = {
        "id": "WEB-2-reply",
        "ticket": "WEB-2",
        "at": _now(queue),
        "type": "message",
        "author": "agent",
        "author_id": "mark",
        "public": True,
    }
    _post_events(queue, reply)
    queue.page.wait_for_function(
        f"args => !({ROW})(args)", arg=["/tickets/WEB-2", "first_response"], timeout=15_000
    )
    after = _rows(queue, "WEB-2")
    assert "first_response" not in after  # stopped: met, off the queue
    assert "resolution" in after
    now = _cards(queue)
    assert now["Met today"] == cards["Met today"] + 1
    assert _not_reloaded(queue)
    assert queue.errors == []


def test_a_row_turns_overdue_in_the_browser_as_its_due_time_passes(
    queue: Any, new_outage: Any
) -> None:
    """An outage opened 14 min 57 s ago: due in 3 s by the server's clock. The script
    counts from the server time in the page, so the row turns overdue by itself."""
    opened_at = queue.site.clock.now() - timedelta(minutes=14, seconds=57)
    _post_events(queue, new_outage("WEB-3", opened_at, "omar", "Payments fail", "engineering"))
    response = queue.page.reload()
    served = re.search(r'<tr class="([a-z-]+)">\s*<td[^>]*>([^<]*)</td>\s*<td class="tid">'
                       r'<a href="/tickets/WEB-3">', response.text())  # fmt: skip
    assert served is not None and served.groups() == ("at-risk", "3 sec")
    row = "table.queue tr:has(a[href='/tickets/WEB-3'])"
    queue.page.wait_for_selector(f"{row}.overdue td.left.overdue", timeout=10_000)
    assert queue.page.locator(f"{row} td.left").first.inner_text().startswith("overdue by ")


def test_the_clock_moving_past_due_shows_a_breach(queue: Any) -> None:
    assert _rows(queue, "WEB-1")["first_response"]["css"] == "at-risk"
    clock = queue.site.clock
    was = clock.at
    clock.at = was + timedelta(minutes=10)  # WEB-1 was due at 10:05
    try:
        queue.page.reload()
        row = _rows(queue, "WEB-1")["first_response"]
        assert row["css"] == "overdue"
        assert row["left"].startswith("overdue by 5 min")
        summary = queue.page.locator("section.cards").inner_text()
        assert "Breached today" in summary
    finally:
        clock.at = was


def test_a_paused_clock_moves_to_the_end_without_a_reload(viewer_tab: Any) -> None:
    """WEB-1 set to pending: its resolution clock pauses (outage policy), turns "paused"
    in words and colour, and moves below every running clock; the focus stays on the
    link it was on."""
    viewer_tab.open("/?limit=200")
    _mark(viewer_tab)
    page = viewer_tab.page
    before = [row["href"] + " " + row["metric"] for row in viewer_tab.queue()]
    assert _rows(viewer_tab, "WEB-1")["resolution"]["css"] in ("ok", "at-risk")
    paused = _cards(viewer_tab)["Paused"]
    page.focus("table.queue tbody tr:first-child td.tid a")
    focused = page.evaluate("() => document.activeElement.getAttribute('href')")
    pending = {
        "id": "WEB-1-pending",
        "ticket": "WEB-1",
        "at": _now(viewer_tab),
        "type": "ticket.updated",
        "changes": {"status": "pending"},
    }
    _post_events(viewer_tab, pending)
    page.wait_for_function(
        f"args => {{ const r = ({ROW})(args); return r && r.className === 'paused'; }}",
        arg=["/tickets/WEB-1", "resolution"],
        timeout=15_000,
    )
    rows = viewer_tab.queue()
    after = [row["href"] + " " + row["metric"] for row in rows]
    moved = after.index("/tickets/WEB-1 resolution")
    assert moved > before.index("/tickets/WEB-1 resolution")
    assert rows[moved]["left"].startswith("paused") or rows[moved]["css"] == "paused"
    assert all(row["css"] != "paused" for row in rows[:moved])  # paused clocks come last
    assert _cards(viewer_tab)["Paused"] == paused + 1
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == focused
    assert _not_reloaded(viewer_tab)
    assert viewer_tab.errors == []


def test_the_ticket_page_follows_its_ticket_without_a_reload(viewer_tab: Any) -> None:
    viewer_tab.open("/tickets/WEB-1")
    _mark(viewer_tab)
    page = viewer_tab.page

    def states() -> dict[str, str]:
        return dict(
            zip(
                page.locator("table.instances tbody td:nth-child(1)").all_inner_texts(),
                page.locator("table.instances .badge").all_inner_texts(),
                strict=True,
            )
        )

    assert states()["first_response"] == "running"
    reply = {
        "id": "WEB-1-reply",
        "ticket": "WEB-1",
        "at": _now(viewer_tab),
        "type": "message",
        "author": "agent",
        "author_id": "anna",
        "public": True,
    }
    _post_events(viewer_tab, reply)
    page.wait_for_function(
        """() => [...document.querySelectorAll("table.instances tbody tr")].some(
            r => r.cells[0].innerText.trim() === "first_response"
                 && r.querySelector(".badge").innerText.trim() === "met")""",
        timeout=15_000,
    )
    assert states()["first_response"] == "met"
    assert "WEB-1-reply" in page.locator("ol.timeline").inner_text()
    assert _not_reloaded(viewer_tab)
    assert viewer_tab.errors == []
