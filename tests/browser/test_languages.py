"""issue 24, "Tests in a real browser": switching language and time zone from the foot of
the page, as a person would, and the choice kept for the next page."""

from __future__ import annotations

from typing import Any

#: (the link's name in the foot, the queue heading, the ticket page's section headings)
LANGUAGES = {
    "nl": (
        "Nederlands", "Wachtrij",
        ["Klokken", "Waarom deze klokken", "Gebeurtenissen", "Meldingen"],
    ),
    "de": (
        "Deutsch", "Warteschlange",
        ["Fristen", "Warum diese Fristen", "Ereignisse", "Benachrichtigungen"],
    ),
}  # fmt: skip


def _switch(tab: Any, name: str) -> None:
    with tab.page.expect_navigation():
        tab.page.click(f"footer nav.langs >> text={name}")


def test_switch_language_and_keep_it(signed_in: Any) -> None:
    page = signed_in.page
    for code, (name, queue, sections) in LANGUAGES.items():
        _switch(signed_in, name)
        assert page.evaluate("document.documentElement.lang") == code
        assert page.locator("h2#queue").inner_text() == queue
        current = page.locator("footer nav.langs a[aria-current]")
        assert current.inner_text() == name and current.get_attribute("hreflang") == code
        signed_in.open("/tickets/T-1")  # remembered: no ?lang= here
        # (the timeline's heading aside: its translation is not pinned here)
        assert page.locator("main h2:not(#timelines)").all_inner_texts() == sections
        signed_in.open("/")
    _switch(signed_in, "English")
    assert page.locator("h2#queue").inner_text() == "Queue"
    assert signed_in.errors == []


def test_the_countdown_speaks_the_pages_language(signed_in: Any) -> None:
    _switch(signed_in, "Deutsch")
    cell = signed_in.page.locator("table.queue tr:has(a[href='/tickets/WEB-1']) td.left").first
    signed_in.page.wait_for_timeout(1100)  # ticked at least once by the script
    assert cell.inner_text().startswith("4 Min.")
    overdue = signed_in.page.locator("table.queue tr.overdue td.left").first.inner_text()
    assert overdue.endswith(" überfällig"), overdue


def test_switch_time_zone(signed_in: Any) -> None:
    page = signed_in.page
    page.select_option("footer select[name=tz]", "Europe/Amsterdam")
    with page.expect_navigation():
        page.click("footer form.zone button[type=submit]")
    as_of = page.locator(".page-head .meta").inner_text()
    assert as_of.startswith("As of Mar 6, 2026, 11:00:00\u202fAM (Europe/Amsterdam)")
    assert page.locator("table.queue thead").inner_text().count("Europe/Amsterdam") == 1
