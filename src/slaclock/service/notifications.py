"""The notifications an operator looks at: deliveries with their fires, a page at a
time, and a dead letter sent again by hand (notifications.md, "Retries and dead
letters"; docs/notifications.md, "Operating it").

Pages are keyset pages in ``(created_at, id)`` order; the cursor is that key, opaque to
clients. A webhook's address is shown without its user name, password, query and
fragment — where secrets go in URLs — and a Slack webhook's without its path, which
is its secret.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from slaclock.core.calendar.epoch import epoch_micros, from_epoch_micros
from slaclock.service.cursors import decode_text_cursor, encode_text_cursor
from slaclock.service.views import NotificationPage, NotificationRow
from slaclock.store.database import Tx
from slaclock.store.outbox import STATES, STATUSES, DeliveryFilters, FiredDelivery, delivery_status

__all__ = [
    "FIRE_TYPES",
    "MAX_LIMIT",
    "STATES",
    "STATUSES",
    "DeliveryFilters",
    "notification_page",
    "retry_notification",
    "safe_address",
]

FIRE_TYPES = ("sla.reminder", "sla.breached", "sla.escalation")
MAX_LIMIT = 500


def notification_page(
    tx: Tx, filters: DeliveryFilters, cursor: str | None, limit: int
) -> NotificationPage:
    """Up to ``limit`` (1–500) deliveries passing ``filters``, after ``cursor``;
    ValueError for a bad cursor."""
    limit = max(1, min(limit, MAX_LIMIT))
    after = None
    if cursor:
        micros, delivery_id = decode_text_cursor(cursor, "notifications")
        try:
            after = (from_epoch_micros(micros), delivery_id)
        except (OverflowError, ValueError):
            raise ValueError(f"invalid notifications cursor {cursor!r}") from None
    found, more = tx.outbox.page(filters, after, limit)
    rows = tuple(notification_row(item) for item in found)
    last = found[-1].delivery if more else None
    next_cursor = (
        None if last is None else encode_text_cursor(epoch_micros(last.created_at), last.id)
    )
    return NotificationPage(rows, next_cursor)


def notification_row(item: FiredDelivery) -> NotificationRow:
    d = item.delivery
    return NotificationRow(
        id=d.id,
        ticket=d.ticket_id,
        type=item.type,
        kind=item.kind,
        entry=item.entry,
        metric=item.metric,
        cycle=item.cycle,
        fire_at=item.fire_at,
        recipient=d.recipient,
        channel=d.channel,
        address=safe_address(d.channel, d.address),
        state=d.state,
        status=delivery_status(d),
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_error=d.last_error,
        created_at=d.created_at,
        sent_at=d.sent_at,
        held_until=d.held_until,
    )


def safe_address(channel: str, address: str) -> str:
    """What may be shown of an address: an email address as it is; a URL as scheme,
    host, port and path (no user name, password, query or fragment); a Slack webhook's
    URL without its path (``https://hooks.slack.com/…``: the path is the secret)."""
    if channel == "email":
        return address
    try:
        parts = urlsplit(address)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "…"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = "/…" if channel == "slack" and parts.path not in ("", "/") else parts.path
    return urlunsplit((parts.scheme, netloc, path, "", ""))


def retry_notification(tx: Tx, delivery_id: str, now: datetime) -> bool | None:
    """Send a dead delivery again now: True; False when it is not dead; None when there
    is no such delivery."""
    if tx.outbox.get(delivery_id) is None:
        return None
    return tx.outbox.revive(delivery_id, now)
