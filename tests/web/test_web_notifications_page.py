"""issue 24, "Notifications": the deliveries of the service on a page — filtered by a
GET form, paged, counted per status — and a dead letter sent again by an admin (a POST
with the CSRF token, from this site)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from slaclock.service.channels.outcome import DeliveryError
from slaclock.service.notifications import DeliveryFilters
from slaclock.service.worker import Worker
from slaclock.store.outbox import Delivery

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BASE = "http://dash.test"


def _fire(site: Any, webhook_dies: bool = False) -> None:
    """Run a worker at the site's now: emails are accepted, the webhook answers 503
    (for good, with ``webhook_dies``: a dead letter at once)."""

    def email(delivery: Delivery, now: datetime) -> None:
        pass

    def webhook(delivery: Delivery, now: datetime) -> None:
        raise DeliveryError("HTTP 503 Service Unavailable", not webhook_dies)

    Worker(site.services, {"email": email, "webhook": webhook}, site.clock.now).run_once()


def _rows(html: str) -> list[tuple[str, str]]:
    """(status code, whole row text) per message row."""
    if '<table class="notifications">' not in html:
        return []
    table = html.split('<table class="notifications">', 1)[1].split("</table>", 1)[0]
    found = re.findall(r'<tr class="delivery delivery-([a-z]+)">(.*?)</tr>', table, flags=re.S)
    return [(code, " ".join(re.sub(r"<[^>]+>", " ", row).split())) for code, row in found]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _dead_id(site: Any) -> str:
    rows = site.services.notifications(DeliveryFilters(state="dead"), None, 10).rows
    assert rows, "no dead letter"
    return str(rows[0].id)


def test_the_page_lists_every_message_with_counts_and_links(site: Any, text_of: Any) -> None:
    _fire(site)
    client = site.signed_in()
    page = client.get("/notifications")
    assert page.status_code == 200
    stored = site.services.notifications(DeliveryFilters(), None, 500).rows
    rows = _rows(page.text)
    assert len(rows) == len(stored) > 0
    assert {code for code, _ in rows} == {"sent", "failed"}
    text = text_of(page.text)
    sent = sum(1 for row in stored if row.status == "sent")
    assert f"{sent} sent" in text and "0 dead letter: not retried" in text
    assert 'href="/api/v1/notifications?limit=50"' in page.text
    assert 'href="/tickets/T-1"' in page.text
    assert 'href="/notifications?status=dead"' in page.text
    assert 'href="/notifications"' in client.get("/").text  # in the header of every page
    json = client.get("/api/v1/notifications?limit=50")  # the JSON twin, by the cookie
    assert json.status_code == 200 and len(json.json()["rows"]) == len(stored)


def test_filters_narrow_the_list_and_are_a_url(site: Any, text_of: Any) -> None:
    _fire(site)
    client = site.signed_in()
    failed = _rows(client.get("/notifications?status=failed").text)
    assert failed and all(code == "failed" for code, _ in failed)
    assert all("webhook" in row for _, row in failed)
    emails = _rows(client.get("/notifications?channel=email&ticket=T-1").text)
    assert emails and all(code == "sent" for code, _ in emails)
    assert _rows(client.get("/notifications?ticket=NOPE").text) == []
    assert "No messages match these filters." in client.get("/notifications?ticket=NOPE").text
    ops = _rows(client.get("/notifications?recipient=webhook:ops").text)
    assert len(ops) == len(failed)
    kinds = _rows(client.get("/notifications?type=sla.reminder").text)
    assert all("reminder" in row for _, row in kinds)
    wrong = client.get("/notifications?status=lost&channel=pigeon")
    assert wrong.status_code == 200
    text = text_of(wrong.text)
    assert "Ignored filter status: not one of the choices" in text
    assert "Ignored filter channel: not one of the choices" in text
    assert len(_rows(wrong.text)) == len(_rows(client.get("/notifications").text))


def test_pages_follow_the_cursor(site: Any) -> None:
    _fire(site)
    client = site.signed_in()
    total = len(site.services.notifications(DeliveryFilters(), None, 500).rows)
    assert total > 2
    seen: list[tuple[str, str]] = []
    url: str | None = "/notifications?limit=2"
    while url:
        page = client.get(url.replace("&amp;", "&"))
        rows = _rows(page.text)
        assert len(rows) <= 2
        seen += rows
        found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        url = found.group(1) if found else None
    assert len(seen) == total
    old = client.get("/notifications?cursor=garbage")
    assert old.status_code == 200 and "That page link has expired" in old.text


def test_an_admin_retries_a_dead_letter(site: Any, text_of: Any) -> None:
    _fire(site, webhook_dies=True)
    dead = _dead_id(site)
    admin = site.signed_in("admin")
    page = admin.get("/notifications?status=dead")
    assert f'action="/notifications/{dead}/retry"' in page.text
    answer = admin.post(
        f"/notifications/{dead}/retry",
        data={"csrf": _csrf(page.text), "back": "/notifications?status=dead"},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/notifications?status=dead&done=retried"
    back = admin.get(answer.headers["location"])
    assert "The message will be sent again now." in text_of(back.text)
    row = next(
        r for r in site.services.notifications(DeliveryFilters(), None, 500).rows if r.id == dead
    )
    assert row.status == "failed"  # pending again, with its last error
    again = admin.post(
        f"/notifications/{dead}/retry",
        data={"csrf": _csrf(page.text), "back": "https://evil.example/"},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    assert again.headers["location"] == "/notifications?done=not-dead"
    missing = admin.post(
        "/notifications/nope/retry",
        data={"csrf": _csrf(page.text)},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    assert missing.headers["location"] == "/notifications?done=no-message"


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_only_an_admin_sees_and_may_use_retry(site: Any, role: str) -> None:
    _fire(site, webhook_dies=True)
    dead = _dead_id(site)
    client = site.signed_in(role)
    page = client.get("/notifications?status=dead")
    assert _rows(page.text) and "/retry" not in page.text and "Retry" not in page.text
    token = client.cookies.get("slaclock_csrf")
    assert token
    refused = client.post(
        f"/notifications/{dead}/retry", data={"csrf": token}, headers={"Origin": BASE}
    )
    assert refused.status_code == 403 and "Only an admin may do this." in refused.text
    assert site.services.notifications(DeliveryFilters(state="dead"), None, 10).rows


def test_retry_needs_the_csrf_token_and_our_origin(site: Any) -> None:
    _fire(site, webhook_dies=True)
    dead = _dead_id(site)
    admin = site.signed_in("admin")
    token = _csrf(admin.get("/notifications?status=dead").text)
    url = f"/notifications/{dead}/retry"
    for data, headers in (
        ({}, {"Origin": BASE}),  # no token
        ({"csrf": "forged.0000"}, {"Origin": BASE}),  # not the cookie's
        ({"csrf": token}, {"Origin": "https://evil.example"}),  # another site
        ({"csrf": token}, {}),  # no origin at all
    ):
        refused = admin.post(url, data=data, headers=headers, follow_redirects=False)
        assert refused.status_code == 403, (data, headers)
        assert "This form was sent from another site." in refused.text
    # a token made for another session (another token) does not pass either
    other = site.signed_in("agent")
    other.get("/notifications")
    stolen = other.cookies.get("slaclock_csrf")
    assert stolen and stolen != token
    admin.cookies.delete("slaclock_csrf")
    admin.cookies.set("slaclock_csrf", stolen, domain="dash.test")
    refused = admin.post(url, data={"csrf": stolen}, headers={"Origin": BASE})
    assert refused.status_code == 403
    assert site.services.notifications(DeliveryFilters(state="dead"), None, 10).rows


def test_signed_out_and_ingest(site: Any) -> None:
    anonymous = site.browser()
    to_login = anonymous.get("/notifications?status=dead", follow_redirects=False)
    assert to_login.status_code == 303
    assert to_login.headers["location"] == "/login?next=%2Fnotifications%3Fstatus%3Ddead"
    posted = anonymous.post(
        "/notifications/x/retry", headers={"Origin": BASE}, follow_redirects=False
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")
    client = site.browser()
    client.cookies.set("slaclock_token", site.tokens["ingest"], domain="dash.test")
    refused = client.get("/notifications")
    assert refused.status_code == 403 and "may not see the dashboard" in refused.text
    refused = client.post("/notifications/x/retry", headers={"Origin": BASE})
    assert refused.status_code == 403


def test_the_page_in_german(site: Any, text_of: Any) -> None:
    _fire(site)
    text = text_of(site.signed_in().get("/notifications?lang=de").text)
    assert "Benachrichtigungen" in text and "Nachrichten" in text and "gesendet" in text
