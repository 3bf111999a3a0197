"""issue 24, "Tests in a real browser": signing in and out in chromium, with the cookie
rules of docs/dashboard.md ("Signing in") as a browser applies them."""

from __future__ import annotations

from typing import Any


def _token_cookie(tab: Any) -> dict[str, Any] | None:
    found = [c for c in tab.page.context.cookies() if c["name"] == "slaclock_token"]
    return found[0] if found else None


def test_a_token_signs_in_and_the_dashboard_shows_the_queue(tab: Any) -> None:
    tab.open("/")
    assert tab.page.url == tab.site.url + "/login"
    assert tab.page.evaluate("document.activeElement.id") == "token"  # autofocus: just type
    tab.page.keyboard.type(tab.site.tokens["agent"])
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")
    assert tab.page.url == tab.site.url + "/"
    assert tab.page.locator("h1").inner_text() == "Dashboard"
    assert "Signed in as agent-browser (agent)" in tab.page.locator("header").inner_text()
    assert len(tab.queue()) > 10
    assert tab.errors == []


def test_the_cookie_is_out_of_reach_of_scripts(signed_in: Any) -> None:
    cookie = _token_cookie(signed_in)
    assert cookie is not None
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert "slaclock_token" not in signed_in.page.evaluate("document.cookie")
    assert signed_in.site.tokens["viewer"] not in signed_in.page.content()


def test_a_wrong_token_is_refused_and_not_echoed(tab: Any) -> None:
    tab.open("/login")
    tab.page.fill("#token", "sl_not-a-real-token")
    tab.page.click("button[type=submit]")
    alert = tab.page.locator("p.error[role=alert]")
    assert alert.inner_text() == "This token is not valid, or it has been revoked."
    assert tab.page.url == tab.site.url + "/login"
    assert tab.page.input_value("#token") == ""
    assert "sl_not-a-real-token" not in tab.page.content()
    assert _token_cookie(tab) is None
    tab.open("/")
    assert tab.page.url == tab.site.url + "/login"  # still not signed in


def test_signing_in_returns_to_the_page_asked_for(tab: Any) -> None:
    tab.open("/tickets/T-1")
    assert tab.page.url == tab.site.url + "/login?next=%2Ftickets%2FT-1"
    tab.page.fill("#token", tab.site.tokens["viewer"])
    with tab.page.expect_navigation():
        tab.page.click("button[type=submit]")
    assert tab.page.url == tab.site.url + "/tickets/T-1"
    assert tab.page.locator("h1").inner_text() == "Ticket T-1"


def test_signing_out(signed_in: Any) -> None:
    signed_in.page.click("header >> text=Sign out")
    assert signed_in.page.url == signed_in.site.url + "/login"
    assert _token_cookie(signed_in) is None
    signed_in.open("/tickets/T-1")
    assert signed_in.page.url.startswith(signed_in.site.url + "/login?next=")
