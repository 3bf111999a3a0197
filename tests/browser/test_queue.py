"""issue 24, "Tests in a real browser": the queue in chromium — its rows, the countdown
script ticking, the filter form (by mouse and by keyboard), states in words as well as
colours. One signed-in tab serves the module; each test starts from the page it needs."""

from __future__ import annotations

import re
from typing import Any

import pytest


@pytest.fixture
def queue(viewer_tab: Any) -> Any:
    viewer_tab.open("/")
    return viewer_tab


def _row(tab: Any, ticket: str, metric: str) -> dict[str, str]:
    found = [r for r in tab.queue() if r["ticket"] == ticket and r["metric"] == metric]
    assert len(found) == 1, found
    return found[0]


def test_the_queue_shows_open_clocks_soonest_due_first(queue: Any) -> None:
    rows = queue.queue()
    assert 10 < len(rows) <= 50
    assert {"overdue", "at-risk", "ok"} <= {row["css"] for row in rows}
    due = queue.page.eval_on_selector_all(
        "table.queue td[data-due]", "cells => cells.map(c => Number(c.dataset.due))"
    )
    assert due == sorted(due)
    web1 = _row(queue, "WEB-1", "first_response")
    assert web1["css"] == "at-risk"
    assert web1["subject"] == "Checkout is down" and web1["assignee"] == "Anna de Vries"
    assert web1["href"] == "/tickets/WEB-1"


def test_states_are_written_not_only_coloured(queue: Any) -> None:
    for row in queue.queue():
        if row["css"] == "overdue":
            assert row["left"].startswith("overdue by "), row
        elif row["css"] == "paused":
            assert row["left"], row
        else:
            assert re.fullmatch(r"\d+ (days?|hr|min|sec)( \d+ (hr|min|sec))?", row["left"]), row


def test_a_countdown_ticks_every_second(queue: Any) -> None:
    """The server's clock stands at 10:00:00; WEB-1's first response is due 10:05. The
    page carries the server time, so the script counts down from five minutes."""
    cell = "table.queue tr:has(a[href='/tickets/WEB-1']) td.left"
    first = queue.page.locator(cell).first.inner_text()
    assert re.fullmatch(r"5 min|4 min \d+ sec", first), first
    queue.page.wait_for_function(
        "([selector, was]) => document.querySelector(selector).textContent !== was",
        arg=[cell, first],
        timeout=3000,
    )
    later = queue.page.locator(cell).first.inner_text()
    assert re.fullmatch(r"4 min \d+ sec", later), later
    assert later != first


def test_filter_by_group_with_the_form(queue: Any) -> None:
    everything = len(queue.queue())
    queue.page.select_option("form.filters select[name=group]", label="Engineering")
    with queue.page.expect_navigation():
        queue.page.click("form.filters button[type=submit]")
    assert "group=engineering" in queue.page.url
    rows = queue.queue()
    assert rows and {row["group"] for row in rows} == {"Engineering"}
    assert queue.page.input_value("form.filters select[name=group]") == "engineering"
    with queue.page.expect_navigation():
        queue.page.click("form.filters >> text=Clear filters")
    assert queue.page.url == queue.site.url + "/"
    assert len(queue.queue()) == everything > len(rows)


def test_a_group_in_the_counts_opens_its_queue(queue: Any) -> None:
    with queue.page.expect_navigation():
        queue.page.click("table.groups >> text=Customer Support")
    assert queue.page.url == queue.site.url + "/?group=support"
    assert {row["group"] for row in queue.queue()} == {"Customer Support"}


def test_a_value_the_queue_cannot_use_is_named(queue: Any) -> None:
    queue.page.fill("form.filters input[name=due_within]", "soon")
    with queue.page.expect_navigation():
        queue.page.press("form.filters input[name=due_within]", "Enter")
    error = queue.page.locator("p.error[role=alert]").inner_text()
    assert error == "Ignored filter due_within: not a duration such as 30m, 2h or 1d"
    assert queue.queue()  # ignored, not an empty page


def _tab_to(tab: Any, selector: str, limit: int = 25) -> int:
    """Press Tab from the top of the page until ``selector`` has the focus; the presses."""
    tab.page.evaluate("document.activeElement && document.activeElement.blur()")
    for presses in range(1, limit + 1):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


def test_the_filter_form_is_reachable_by_keyboard(queue: Any) -> None:
    # Brand, the five pages, sign out, the JSON link, the 30-day chart's link to the
    # reports, the group counts' links, then the form.
    assert _tab_to(queue, "form.filters select[name=group]") <= 14
    queue.page.keyboard.press("Tab")
    assert queue.page.evaluate("document.activeElement.name") == "assignee"
    queue.page.keyboard.type("anna")
    with queue.page.expect_navigation():
        queue.page.keyboard.press("Enter")
    assert "assignee=anna" in queue.page.url
    rows = queue.queue()
    assert rows and {row["assignee"] for row in rows} == {"Anna de Vries"}
    # The focus is drawn: the browser's focus ring (or the site's) is visible.
    _tab_to(queue, "form.filters button[type=submit]")
    outline = queue.page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px", outline


def test_a_ticket_opens_from_the_queue(queue: Any) -> None:
    with queue.page.expect_navigation():
        queue.page.click("table.queue a[href='/tickets/WEB-1']")
    assert queue.page.url == queue.site.url + "/tickets/WEB-1"
    assert queue.page.locator("h1").inner_text() == "Ticket WEB-1"


def test_the_pages_work_without_javascript(tab_without_javascript: Any) -> None:
    tab = tab_without_javascript
    tab.sign_in("viewer")
    rows = tab.queue()
    assert rows and rows == sorted(rows, key=lambda row: row["css"] == "paused")
    web1 = [row for row in rows if row["ticket"] == "WEB-1"]
    assert web1[0]["left"] == "5 min"  # as rendered: nothing ticks
    tab.page.select_option("form.filters select[name=group]", "engineering")
    with tab.page.expect_navigation():
        tab.page.click("form.filters button[type=submit]")
    assert {row["group"] for row in tab.queue()} == {"Engineering"}
    with tab.page.expect_navigation():
        tab.page.click("table.queue td.tid a >> nth=0")
    assert tab.page.locator("main h2").first.inner_text() == "Clocks"
