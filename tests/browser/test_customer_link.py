"""issue 24, "Tests in a real browser": a customer link — made on the ticket page by an
agent, or through the API — opened in a browser that never signed in, shows when the
first response is due; once the site's clock passes its expiry, it is refused (410)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

#: WEB-1 was opened at 09:50 UTC on the outage policy (always open, UTC): its first
#: response is due 15 minutes later.
DUE = "Fri, Mar 6, 2026, 10:05 AM"


def _words(text: str) -> str:
    """Text as read: any run of spaces (Babel writes a narrow no-break space before AM)
    as one space."""
    return re.sub(r"\s+", " ", text).strip()


@contextmanager
def _clock_moved(site: Any, by: timedelta) -> Iterator[None]:
    """The site's clock moved for a while (the module's other tests expect it still)."""
    before = site.clock.at
    site.clock.at = before + by
    try:
        yield
    finally:
        site.clock.at = before


def test_an_agent_makes_a_link_and_the_customer_opens_it(
    tab: Any, tab_without_javascript: Any, live_site: Any
) -> None:
    """The customer's browser never signed in, and runs no script: the page needs none."""
    tab.sign_in("agent")
    tab.open("/tickets/WEB-1")
    form = tab.page.locator("section.customer-link-form")
    form.locator("input[name=days]").fill("2")
    with tab.page.expect_navigation():
        form.locator("button[type=submit]").click()
    url = tab.page.locator("input.customer-link-url").input_value()
    assert url.startswith(live_site.url + "/status/")
    assert "Mar 8, 2026" in tab.page.locator("section.customer-link").inner_text()
    customer = tab_without_javascript
    response = customer.page.goto(url)
    assert response.status == 200
    assert customer.page.context.cookies() == []
    assert customer.page.locator("html").get_attribute("lang") == "de"  # the requester's
    with customer.page.expect_navigation():
        customer.page.click("nav.langs >> text=English")
    assert customer.page.locator("h1").inner_text() == "Request WEB-1"
    main = _words(customer.page.locator("main").inner_text())
    assert "Checkout is down" in main
    assert f"We will respond by {DUE}." in main
    assert "Times are in UTC." in main
    assert "Anna" not in main and "anna" not in main and "support" not in main
    assert customer.errors == [] and tab.errors == []


def test_a_link_from_the_api_is_refused_once_expired(tab: Any, live_site: Any) -> None:
    """Made with an agent's token through the API; opened where nobody signed in."""
    made = tab.page.request.post(
        live_site.url + "/api/v1/tickets/WEB-2/customer-link",
        headers={"Authorization": f"Bearer {live_site.tokens['agent']}"},
        data={"days": 1},
    )
    assert made.status == 200, made.text()
    url, expires = made.json()["url"], made.json()["expires_at"]
    assert expires == "2026-03-07T10:00:00Z"
    page = tab.page
    assert page.goto(url + "?lang=en").status == 200
    main = _words(page.locator("main").inner_text())
    assert "Login page times out" in main
    assert "We will respond by Fri, Mar 6, 2026, 10:10 AM." in main
    with _clock_moved(live_site, timedelta(days=1, seconds=1)):
        refused = page.reload()
        assert refused.status == 410
        assert page.locator("h1").inner_text() == "This link has expired"
        text = _words(page.locator("main").inner_text())
        assert "ask us for a new one" in text and "Login page times out" not in text
    assert page.reload().status == 200  # the clock back: the link works again
    assert page.goto(url[:-3] + "abc").status == 404  # forged
    assert tab.errors == []
