"""Screenshots of every page of the dashboard, for docs/screenshots/ (PNG, 1280x800).

    .venv/bin/python tools/screenshots.py            # writes docs/screenshots/*.png
    .venv/bin/python tools/screenshots.py --out /tmp/shots --tickets 500

Builds a demo-like site in a temporary folder (``demo/config.yaml`` and the demo's
generated history, as ``slaclock demo`` does, but smaller and at a fixed instant, so a
new run changes only what the pages changed), serves it on 127.0.0.1 and photographs
each page with Debian's chromium (``/usr/bin/chromium``; see tools/live_site.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_site import LiveServer, chromium_missing, launch_chromium

ROOT = Path(__file__).resolve().parents[1]
#: The instant the site shows: a Tuesday morning in Europe, New York not yet open.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
VIEWPORT = {"width": 1280, "height": 800}
ACK_SECRET = "screenshots-ack-secret"
CUSTOMER_LINK_SECRET = "screenshots-customer-link-secret"

#: (file name, path, signed in, what to do on the page before the shot)
Shot = tuple[str, str, bool, Callable[[Any], None] | None]


def _to_notifications(page: Any) -> None:
    page.locator("h2", has_text="Notifications").scroll_into_view_if_needed()


def _wrong_token(page: Any) -> None:
    page.fill("#token", "not-a-token")
    page.click("button[type=submit]")
    page.wait_for_selector("p.error")


def _draft(page: Any, old: str, new: str) -> None:
    """The edit page with ``old`` replaced by ``new`` in the text in force, checked."""
    text = page.locator("#config-text")
    text.fill(text.input_value().replace(old, new, 1))
    page.click("button:text-is('Check')")
    page.wait_for_selector("#draft")


def _invalid_draft(page: Any) -> None:
    _draft(page, "first_response: {within: 15m", "first_response: {within: 15 minutes")
    page.click("ol.problems a")


def _valid_draft(page: Any) -> None:
    _draft(page, "next_response: {within: 2h}", "next_response: {within: 1h}")


def _what_if(page: Any) -> None:
    _valid_draft(page)
    page.click("text=Run a what-if")
    page.wait_for_selector("h2:text-is('Done')", timeout=60_000)


def shots(ack_path: str) -> list[Shot]:
    return [
        ("login.png", "/login", False, None),
        ("login-refused.png", "/login", False, _wrong_token),
        ("dashboard.png", "/", True, None),
        ("queue-filtered.png", "/?group=support-eu&due_within=4h#queue", True, None),
        ("ticket.png", "/tickets/LIVE-1", True, None),
        ("ticket-notifications.png", "/tickets/LIVE-1", True, _to_notifications),
        ("ticket-nl.png", "/tickets/LIVE-1?lang=nl&tz=Europe/Amsterdam", True, None),
        ("dashboard-de.png", "/?lang=de&tz=Europe/Berlin", True, None),
        ("not-found.png", "/tickets/NO-SUCH-TICKET", True, None),
        ("notifications.png", "/notifications", True, None),
        ("settings.png", "/settings", True, None),
        ("reports.png", "/reports", True, None),
        ("reports-breaches.png", "/reports/breaches", True, None),
        ("reports-statements.png", "/reports/statements", True, None),
        ("policies.png", "/policies", True, None),
        ("policies-calendars.png", "/policies#calendars", True, None),
        ("policies-invalid.png", "/policies/edit", True, _invalid_draft),
        ("policies-diff.png", "/policies/edit", True, _valid_draft),
        ("policies-whatif.png", "/policies/edit", True, _what_if),
        ("acknowledge.png", ack_path, False, None),
        ("customer-view.png", _customer_path("LIVE-1") + "?lang=en", False, None),
    ]


def _customer_path(ticket: str) -> str:
    """The path of a customer link for ``ticket`` (the site is built with its secret)."""
    from slaclock.service.customer_links import CustomerClaim, customer_token

    claim = CustomerClaim(ticket, NOW + timedelta(days=30))
    return f"/status/{customer_token(CUSTOMER_LINK_SECRET, claim)}"


def build_site(folder: Path, tickets: int, days: int) -> tuple[Any, str, str]:
    """The demo's configuration and history as of NOW, its notifications fired once
    (delivered nowhere); the site, an admin token and an acknowledgement link."""
    from slaclock.cli.service_demo import live_outages, populate
    from slaclock.service.acknowledgements import ACK_SECRET_ENV, AckClaim, ack_token
    from slaclock.service.compose import open_services
    from slaclock.service.worker import Worker
    from slaclock.web import create_site

    services = open_services(f"sqlite:///{folder / 'screens.db'}", upgrade=True)
    populate(services, tickets, days, 7, NOW)
    services.db.writing(lambda tx: tx.schedule.drop_due(NOW))  # as `slaclock demo` does
    services.ingest(live_outages(NOW - timedelta(minutes=3)), NOW)

    def delivered(delivery: Any, now: datetime) -> None:
        pass

    Worker(services, {"email": delivered, "webhook": delivered}, lambda: NOW).run_once()
    _, token = services.tokens.create("admin", "screenshots", NOW)
    claim = AckClaim("LIVE-1", "sla", "first_response", 0, "mark", NOW + timedelta(days=7))
    environ = {ACK_SECRET_ENV: ACK_SECRET, "SLACLOCK_CUSTOMER_LINK_SECRET": CUSTOMER_LINK_SECRET}
    app = create_site(services, lambda: NOW, environ=environ)
    return app, token, f"/ack/{ack_token(ACK_SECRET, claim)}"


def _shrink(path: Path) -> None:
    """A page has few colours: 256 of them (no dithering) keep it exact to the eye at a
    third of the bytes. Done where Pillow is installed; else the PNG stays as taken."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as taken:
        image = taken.convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(path, optimize=True)


def take(out: Path, tickets: int, days: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        app, token, ack_path = build_site(Path(scratch), tickets, days)
        with LiveServer(app) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for name, path, signed_in, prepare in shots(ack_path):
                context = browser.new_context(
                    viewport=VIEWPORT, locale="en-US", timezone_id="UTC", base_url=server.url
                )
                if signed_in:
                    context.add_cookies(
                        [{"name": "slaclock_token", "value": token, "url": server.url}]
                    )
                page = context.new_page()
                page.goto(path)
                if prepare:
                    prepare(page)
                page.wait_for_timeout(300)  # the countdown script has ticked
                target = out / name
                page.screenshot(path=str(target), full_page=False)
                _shrink(target)
                written.append(target)
                context.close()
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--tickets", type=int, default=3000, help="tickets over the history")
    parser.add_argument("--days", type=int, default=30, help="days of history ending now")
    args = parser.parse_args(argv)
    if reason := chromium_missing():
        print(f"screenshots: {reason}", file=sys.stderr)
        return 1
    for path in take(args.out, args.tickets, args.days):
        print(f"{path} {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
