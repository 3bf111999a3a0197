"""Fixtures for the tests in a real browser: the site served by uvicorn, Debian's chromium.

Each test module gets its own live site: a SQLite database under the module's tmp path
with the example configuration (``tests/data``), the example ticket T-1 (with its
notifications fired), a small generated workload and two fresh outage tickets
(``WEB-1``, ``WEB-2``) whose first-response clocks run out minutes after the site's now.
The site's clock stands still at :data:`NOW` until a test moves it
(``live_site.clock.at``); the countdown script still ticks, from the server time the
page carries. One chromium (headless, ``/usr/bin/chromium``) serves the whole run of a
process; each test gets a fresh browser context (its own cookies).

Where chromium or Playwright is missing the tests are skipped, except in CI
(``CI=true``), where such a skip is a failure: CI must run them (``.ci/run`` installs
chromium). Every test here carries the marker ``browser`` (``-m "not browser"`` leaves
them out).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from live_site import LiveServer, chromium_missing, launch_chromium

from slaclock.cli.service_demo import live_outages
from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.acknowledgements import ACK_SECRET_ENV, AckClaim, ack_token
from slaclock.service.channels.outcome import DeliveryError
from slaclock.service.compose import open_services
from slaclock.service.customer_links import CUSTOMER_LINK_SECRET_ENV, CustomerClaim, customer_token
from slaclock.service.worker import Worker
from slaclock.web import create_site

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared kit
from kit.clock import Clock

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
AXE = HERE / "vendor" / "axe.min.js"
#: Served to the browser from the site's own origin (a Playwright route), so the
#: site's Content-Security-Policy (scripts from 'self' only) stays as it is.
AXE_PATH = "/__axe__/axe.min.js"
#: The site's clock: Friday 2026-03-06 10:00 UTC, the Amsterdam office open.
NOW = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
WORKLOAD_START = NOW - timedelta(days=4, hours=10)
#: When T-1's notifications are fired: open, escalated to engineering as an outage.
T1_NOTIFIED = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
ACK_SECRET = "browser-test-ack-secret"
CUSTOMER_LINK_SECRET = "browser-test-customer-link-secret"
#: How long before the demo's now its first live outage was opened.
LIVE_OUTAGE_AGE = timedelta(minutes=14.5)
ROLES = ("admin", "agent", "viewer", "ingest")
QUEUE_COLUMNS = (
    "left", "ticket", "subject", "customer", "assignee", "group", "metric", "kind", "policy",
    "due",
)  # fmt: skip
#: Impacts that fail a page (axe-core's four levels: minor, moderate, serious, critical).
BLOCKING_IMPACTS = ("serious", "critical")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder is a browser test."""
    for item in items:
        if Path(str(item.path)).is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """In CI a skipped browser test is a failure (as tests/conftest.py does for
    PostgreSQL): a CI run that had no chromium must not pass as if it had tested."""
    report = yield
    if in_ci() and report.skipped and item.get_closest_marker("browser") is not None:
        report.outcome = "failed"
        report.longrepr = (
            f"browser tests must run in CI, but this one was skipped: {report.longrepr}"
        )
    return report


@dataclass
class LiveSite:
    """The served site: its address, clock, one token per role, the services behind."""

    url: str
    clock: Clock
    tokens: dict[str, str]
    services: Any
    environ: dict[str, str] = field(default_factory=dict)

    def ack_link(self, ticket: str, metric: str, person: str = "mark") -> str:
        claim = AckClaim(ticket, "sla", metric, 0, person, self.clock.now() + timedelta(days=7))
        return f"/ack/{ack_token(ACK_SECRET, claim)}"

    def customer_link(self, ticket: str, days: int = 30) -> str:
        """The path of a customer link for ``ticket`` (as the API makes them)."""
        claim = CustomerClaim(ticket, self.clock.now() + timedelta(days=days))
        return f"/status/{customer_token(CUSTOMER_LINK_SECRET, claim)}"


def outage(
    ticket: str, at: datetime, assignee: str, subject: str, group: str = "support"
) -> dict[str, Any]:
    """An urgent outage opened at ``at``: the demo's live outage (``live_outages``) with
    its own id, assignee, group and subject. Its first response is due 15 minutes later
    (the example's ``outage`` policy, on an always-open calendar)."""
    event = live_outages(at + LIVE_OUTAGE_AGE)[0]
    event.update(id=f"{ticket}-created", ticket=ticket)
    event["fields"].update(assignee=assignee, group=group, subject=subject)
    return event


@pytest.fixture
def new_outage() -> Any:
    """:func:`outage`, for tests that post one."""
    return outage


def _fire_notifications(services: Any, clock: Clock) -> None:
    """One worker pass: emails accepted, the ops webhook answering 503 (so the ticket
    page shows sent and failed messages)."""

    def email(delivery: Any, now: datetime) -> None:
        pass

    def webhook(delivery: Any, now: datetime) -> None:
        raise DeliveryError("HTTP 503 Service Unavailable", True)

    Worker(services, {"email": email, "webhook": webhook}, clock.now).run_once()


def _populate(services: Any, clock: Clock) -> None:
    """T-1 up to Tuesday 11:00 (open, escalated) and its notifications fired then; at
    NOW the rest of T-1 (solved), the generated workload and the fresh outages."""
    config_text = (DATA / "example_config.yaml").read_text(encoding="utf-8")
    services.config_apply(config_text, "browser-test", WORKLOAD_START)
    lines = (DATA / "example_events.jsonl").read_text(encoding="utf-8").splitlines()
    t1 = [event for line in lines if (event := json.loads(line))["ticket"] == "T-1"]
    clock.at = T1_NOTIFIED
    early = [event for event in t1 if _instant(event["at"]) <= T1_NOTIFIED]
    services.ingest(early, clock.now())
    _fire_notifications(services, clock)
    clock.at = NOW
    generated = generate_events(parse_config(config_text), 60, 4, 11, WORKLOAD_START)
    fresh = [
        outage("WEB-1", NOW - timedelta(minutes=10), "anna", "Checkout is down"),
        outage("WEB-2", NOW - timedelta(minutes=5), "mark", "Login page times out"),
    ]
    for batch in (t1[len(early) :], list(generated), fresh):
        result = services.ingest(batch, clock.now())
        assert not result.rejected, result.rejected


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The real site (API + pages) on a SQLite file, served on 127.0.0.1:<free port>."""
    if reason := chromium_missing():
        pytest.skip(reason)
    path = tmp_path_factory.mktemp("browser") / "site.db"
    services = open_services(f"sqlite:///{path}", upgrade=True)
    clock = Clock(NOW)
    _populate(services, clock)
    tokens = {role: services.tokens.create(role, f"{role}-browser", NOW)[1] for role in ROLES}
    environ = {ACK_SECRET_ENV: ACK_SECRET, CUSTOMER_LINK_SECRET_ENV: CUSTOMER_LINK_SECRET}
    app = create_site(services, clock.now, environ=environ)
    try:
        with LiveServer(app) as server:
            yield LiveSite(server.url, clock, tokens, services, environ)
    finally:
        services.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for every test of a module. Not of the whole process:
    Playwright's sync API keeps an event loop marked running in the main thread while it
    is started, and a later test module in the same worker that calls ``asyncio.run``
    would fail ("cannot be called from a running event loop")."""
    if reason := chromium_missing():
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A page in a fresh browser context, with what went wrong in it."""

    page: Any
    site: LiveSite
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        """Go to ``path`` on the site; the response of the last page (after redirects)."""
        return self.page.goto(self.site.url + path)

    def sign_in(self, role: str = "viewer") -> None:
        """The login form, filled and sent as a person would (Enter in the field)."""
        self.open("/login")
        self.page.fill("#token", self.site.tokens[role])
        with self.page.expect_navigation():
            self.page.press("#token", "Enter")

    def queue(self) -> list[dict[str, str]]:
        """The queue's rows as the browser shows them now: each column's text, the row's
        state class (ok, at-risk, overdue, paused) and the ticket link."""
        return self.page.eval_on_selector_all(
            "table.queue tbody tr",
            """(rows, names) => rows.map(row => {
                const cells = [...row.querySelectorAll("td")].map(c => c.innerText.trim());
                const found = Object.fromEntries(names.map((n, i) => [n, cells[i]]));
                found.css = row.className;
                found.href = row.querySelector("td.tid a").getAttribute("href");
                return found;
            })""",
            list(QUEUE_COLUMNS),
        )

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's violations on the page as it is now, serious and critical only."""
        self.page.add_script_tag(url=self.site.url + AXE_PATH)
        found = self.page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
                }));
            }"""
        )
        return [v for v in found if v["impact"] in BLOCKING_IMPACTS]


def _watch(page: Any, errors: list[str]) -> None:
    """Script errors and Content-Security-Policy refusals, as a person's console shows."""
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))

    def console(message: Any) -> None:
        if message.type == "error" and re.search(r"Content.Security.Policy", message.text):
            errors.append(f"console: {message.text}")

    page.on("console", console)


@contextmanager
def new_tab(browser: Any, site: LiveSite, **options: Any) -> Iterator[Tab]:
    """A fresh context (no cookies) at 1280x800, English, UTC, on the live site;
    ``options`` go to ``browser.new_context`` (``java_script_enabled=False``, …)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-US", timezone_id="UTC", **options
    )
    context.set_default_timeout(10_000)
    context.route(
        f"**{AXE_PATH}",
        lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"),
    )
    page = context.new_page()
    opened = Tab(page, site)
    _watch(page, opened.errors)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="module")
def _module_tab(browser: Any, live_site: LiveSite) -> Iterator[Tab]:
    with new_tab(browser, live_site) as opened:
        yield opened


@pytest.fixture
def tab_without_javascript(browser: Any, live_site: LiveSite) -> Iterator[Tab]:
    """A fresh tab in which scripts do not run."""
    with new_tab(browser, live_site, java_script_enabled=False) as opened:
        yield opened


@pytest.fixture
def tab(_module_tab: Tab) -> Tab:
    """A tab not signed in: the module's one, its cookies cleared (a fresh context costs
    chromium most of a second at its first page)."""
    _module_tab.page.context.clear_cookies()
    _module_tab.page.goto("about:blank")
    _module_tab.errors.clear()
    return _module_tab


@pytest.fixture(scope="module")
def viewer_tab(browser: Any, live_site: LiveSite) -> Iterator[Tab]:
    """One tab signed in as a viewer, shared by the tests of a module (signing in
    checks the token's hash: a second per sign-in). Tests leave it where they like."""
    with new_tab(browser, live_site) as opened:
        opened.sign_in("viewer")
        yield opened


@pytest.fixture
def signed_in(tab: Tab) -> Tab:
    """A fresh tab signed in as a viewer, on the dashboard."""
    tab.sign_in("viewer")
    return tab
