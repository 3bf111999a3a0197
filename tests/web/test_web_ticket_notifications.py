"""issue 22, "Operating it": the ticket page lists the ticket's notifications — what
fired, to whom, by which channel, and where each message stands — in the viewer's
language."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from slaclock.service.channels.outcome import DeliveryError
from slaclock.service.worker import Worker
from slaclock.store.outbox import Delivery

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _notification_rows(html: str) -> list[list[str]]:
    table = html.split('<table class="notifications">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="delivery delivery-[a-z]+">(.*?)</tr>', table, flags=re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        for row in rows
    ]


def _fire(site: Any) -> tuple[int, int]:
    """Run a worker at the site's now: emails are accepted, the webhook answers 503."""

    def email(delivery: Delivery, now: datetime) -> None:
        pass

    def webhook(delivery: Delivery, now: datetime) -> None:
        raise DeliveryError("HTTP 503 Service Unavailable", True)

    worker = Worker(site.services, {"email": email, "webhook": webhook}, site.clock.now)
    return worker.run_once()


def test_a_ticket_without_notifications_says_so(site: Any, text_of: Any) -> None:
    text = text_of(site.signed_in().get("/tickets/T-1").text)
    assert "Notifications No notifications yet." in text


def test_the_ticket_page_lists_each_message_and_where_it_stands(site: Any) -> None:
    fired, attempted = _fire(site)
    assert fired > 0 and attempted > 0
    rows = _notification_rows(site.signed_in().get("/tickets/T-1").text)
    stored = site.services.notifications(_filters("T-1"), None, 500).rows
    assert len(rows) == len(stored) > 0
    # fired, type, clock, to, channel, status, attempts
    by_channel = {row[4]: row for row in rows}
    assert by_channel["email"][5].startswith("sent · Mar 3, 2026, 11:00:00")
    assert by_channel["webhook"][5].startswith("failed, will be retried · next try Mar 3, 2026")
    assert "HTTP 503 Service Unavailable" in by_channel["webhook"][5]
    assert by_channel["webhook"][3] == "webhook:ops" and by_channel["webhook"][6] == "1"
    people = {row[3] for row in rows if row[4] == "email"}
    assert people and not any(name.startswith("person:") for name in people)  # names
    assert {row[1] for row in rows} <= {"reminder", "breach", "escalation"}


def test_the_notifications_are_in_the_viewers_language(site: Any, text_of: Any) -> None:
    _fire(site)
    text = text_of(site.signed_in().get("/tickets/T-1?lang=de").text)
    assert "Benachrichtigungen" in text
    assert "fehlgeschlagen, wird wiederholt" in text and "gesendet" in text


def _filters(ticket: str) -> Any:
    from slaclock.service.notifications import DeliveryFilters

    return DeliveryFilters(ticket=ticket)
