"""issue 24, "Tests in a real browser": axe-core (vendored, tests/browser/vendor) finds no
serious or critical accessibility violation on any page, and no page has a script error
or a Content-Security-Policy refusal."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

VENDOR = Path(__file__).resolve().parent / "vendor"

#: Every page a signed-in person sees today.
PAGES = [
    pytest.param("/", id="dashboard"),
    pytest.param("/?group=support&due_within=soon", id="dashboard-filter-error"),
    pytest.param("/?state=paused&group=engineering", id="dashboard-empty-queue"),
    pytest.param("/tickets/T-1", id="ticket"),
    pytest.param("/tickets/WEB-1", id="ticket-running"),
    pytest.param("/tickets/NOPE-404", id="not-found"),
    pytest.param("/?lang=de", id="dashboard-de"),
    pytest.param("/tickets/T-1?lang=nl", id="ticket-nl"),
    pytest.param("/?lang=nb&tz=Europe/Oslo", id="dashboard-nb-oslo"),
    pytest.param("/notifications", id="notifications"),
    pytest.param("/notifications?status=failed&lang=fr", id="notifications-failed-fr"),
    pytest.param("/notifications?channel=pigeon", id="notifications-filter-error"),
    pytest.param("/settings", id="settings"),
    pytest.param("/reports", id="reports"),
    pytest.param("/reports?from=2026-03-01&to=2026-03-04&by=priority&lang=de", id="reports-de"),
    pytest.param("/reports?from=yesterday", id="reports-error"),
    pytest.param("/reports/breaches?from=2026-03-01&to=2026-03-07", id="reports-breaches"),
    pytest.param("/reports/statements?period=2026-02&lang=ro", id="reports-statements-ro"),
    pytest.param("/?grop=support", id="unknown-parameter"),
    pytest.param("/policies", id="policies"),
    pytest.param("/policies?lang=nl&tz=Europe/Amsterdam", id="policies-nl"),
    pytest.param("/policies/versions/1", id="policies-version"),
]


def _report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'])}" for v in violations
    )


def _check(tab: Any) -> None:
    violations = tab.axe()
    assert violations == [], _report(violations)
    assert tab.errors == []


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_of_a_signed_in_person(viewer_tab: Any, path: str) -> None:
    viewer_tab.page.context.clear_cookies(name="slaclock_lang")  # each page its own language
    viewer_tab.page.context.clear_cookies(name="slaclock_tz")
    viewer_tab.open(path)
    _check(viewer_tab)


@pytest.mark.parametrize("width", [390, 1920], ids=["phone", "wall-screen"])
@pytest.mark.parametrize("path", ["/", "/tickets/T-1?lang=nl"], ids=["dashboard", "ticket-nl"])
def test_a_phone_and_a_wall_screen(viewer_tab: Any, width: int, path: str) -> None:
    """Narrow, tables scroll inside their box (which then must take the focus); wide,
    nothing may break either."""
    viewer_tab.page.context.clear_cookies(name="slaclock_lang")
    viewer_tab.page.set_viewport_size({"width": width, "height": 800})
    try:
        viewer_tab.open(path)
        _check(viewer_tab)
    finally:
        viewer_tab.page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize(
    "path",
    ["/notifications", "/settings?lang=de", "/policies", "/policies/edit"],
    ids=["notifications", "settings-de", "policies", "policies-edit"],
)
def test_the_pages_of_an_admin(tab: Any, path: str) -> None:
    """With the admin's forms: retry buttons, the token list and its forms."""
    tab.sign_in("admin")
    tab.open(path)
    _check(tab)


def test_a_new_tokens_secret(tab: Any) -> None:
    tab.sign_in("admin")
    tab.open("/settings")
    tab.page.fill("input[name=name]", "axe-check")
    with tab.page.expect_navigation():
        tab.page.click("text=Create a token")
    assert tab.page.locator("code.token-secret").inner_text().startswith("slk_")
    _check(tab)


def test_the_login_page(tab: Any) -> None:
    tab.open("/")
    assert tab.page.url.endswith("/login")
    _check(tab)


def test_the_page_that_refuses_an_ingest_token(tab: Any) -> None:
    # The form refuses an ingest token; its cookie (set by hand) gets the 403 page.
    cookie = {"name": "slaclock_token", "value": tab.site.tokens["ingest"], "url": tab.site.url}
    tab.page.context.add_cookies([cookie])
    response = tab.open("/")
    assert response.status == 403
    _check(tab)


def test_the_login_page_with_a_refused_token(tab: Any) -> None:
    tab.open("/login")
    tab.page.fill("#token", "not-a-token")
    tab.page.click("button[type=submit]")
    tab.page.wait_for_selector("p.error[role=alert]")
    _check(tab)


def test_the_acknowledgement_page(tab: Any) -> None:
    tab.open(tab.site.ack_link("WEB-1", "first_response"))
    assert tab.page.locator("h1").inner_text() == "I am on it"
    _check(tab)


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 200), ("?lang=en&tz=Europe/Amsterdam", 200), ("expired", 410), ("forged", 404)],
    ids=["customer-view", "customer-view-en-amsterdam", "customer-expired", "customer-forged"],
)
def test_the_customer_view(tab: Any, query: str, status: int) -> None:
    """/status/{token}, opened without signing in: the page, and its refusals."""
    link = tab.site.customer_link("WEB-1", days=-1 if query == "expired" else 30)
    path = link[:-2] + "00" if query == "forged" else link + query.removeprefix("expired")
    assert tab.open(path).status == status
    _check(tab)


def test_the_customer_link_form_and_its_answer(tab: Any) -> None:
    """An agent's ticket page with the "Customer link" form, and the link it made."""
    tab.sign_in("agent")
    tab.open("/tickets/WEB-1")
    _check(tab)
    with tab.page.expect_navigation():
        tab.page.click("section.customer-link-form button[type=submit]")
    assert tab.page.locator("input.customer-link-url").input_value().startswith(tab.site.url)
    _check(tab)


def test_the_vendored_axe_is_the_one_named_in_its_readme() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    named = re.search(r"SHA-256 of `axe.min.js`: `([0-9a-f]{64})`", readme)
    assert named is not None
    axe = (VENDOR / "axe.min.js").read_bytes()
    assert hashlib.sha256(axe).hexdigest() == named.group(1)
    assert b"axe v4.14.1" in axe[:100]
    assert "Mozilla Public" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
