"""issue 24, "Tests in a real browser": open a ticket's timeline in chromium.

TL-1 (business plan, the Amsterdam office) ran 31 minutes on Wednesday afternoon, was
pending overnight, ran again from Thursday 09:30 and breached at 16:59; at the site's
now (Friday 11:00 in Amsterdam) its resolution clock is overdue. The page draws it and
lists the same stretches beside the drawing; axe-core finds nothing serious on it, in
English and in German, wide and on a phone.
"""

from __future__ import annotations

from typing import Any

import pytest

from kit.timeline_ticket import TL1

RESOLUTION = "figure.tl:has(figcaption:text-matches('^resolution'))"


@pytest.fixture(scope="module")
def ticket(live_site: Any) -> str:
    result = live_site.services.ingest(TL1, live_site.clock.now())
    assert not result.rejected, result.rejected
    return "/tickets/TL-1?tz=Europe/Amsterdam"


def test_the_timeline_is_drawn_and_told(viewer_tab: Any, ticket: str) -> None:
    viewer_tab.open(ticket)
    page = viewer_tab.page
    figure = page.locator(RESOLUTION)
    chart = figure.locator("svg.tl-chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 30
    # The drawing: a paused stretch, a closed night, the overdue part and its breach.
    for shape in ("rect.tl-paused", "rect.tl-closed", "rect.tl-overdue", "g.tl-m-breach"):
        assert figure.locator(shape).count() >= 1, shape
        assert figure.locator(shape).first.is_visible(), shape
    assert figure.locator("g.tl-m-breach text").text_content() == "Breached"
    tooltips = figure.locator("path.tl-event title").all_text_contents()
    assert any(t.startswith("paused (event tl3), Mar 4, 2026, 2:31:00") for t in tooltips)
    # The table beside it names the pause (with its event) and the breach.
    rows = figure.locator("table.tl-rows tbody tr").all_inner_texts()
    assert any("Paused" in r and "tl3" in r for r in rows), rows
    assert any("Breached" in r and "3/5/26, 4:59" in r for r in rows), rows
    assert any(r.startswith("3/4/26, 5:00") and "Closed" in r for r in rows), rows
    # The legend says what each pattern means.
    legend = page.locator("ul.tl-legend").inner_text()
    for words in ("Running", "Paused", "Running, overdue", "Closed", "Due", "Breached"):
        assert words in legend
    assert viewer_tab.errors == []


def test_the_table_is_reached_by_keyboard(viewer_tab: Any, ticket: str) -> None:
    viewer_tab.open(ticket)
    region = viewer_tab.page.locator(f"{RESOLUTION} .tl-table")
    region.focus()
    assert region.evaluate("node => node === document.activeElement")
    assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")


@pytest.mark.parametrize("query", ["", "&lang=de&tz=America/New_York"], ids=["en", "de"])
@pytest.mark.parametrize("width", [1280, 390], ids=["laptop", "phone"])
def test_axe_finds_nothing_serious_on_the_timeline(
    viewer_tab: Any, ticket: str, query: str, width: int
) -> None:
    viewer_tab.page.context.clear_cookies(name="slaclock_lang")
    viewer_tab.page.set_viewport_size({"width": width, "height": 800})
    try:
        viewer_tab.open(ticket + query)
        assert viewer_tab.page.locator("svg.tl-chart").first.is_visible()
        violations = viewer_tab.axe()
        assert violations == [], violations
        assert viewer_tab.errors == []
    finally:
        viewer_tab.page.set_viewport_size({"width": 1280, "height": 800})
