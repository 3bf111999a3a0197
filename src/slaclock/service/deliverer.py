"""Sending the outbox: claim, send, record — at least once, never silently dropped.

A worker claims due deliveries by giving them a lease (one short transaction), sends
each outside any transaction, then records the outcome. A crash between sending and
recording leaves the lease to run out and the delivery is sent again under the same
id — the only way a message goes out twice, and the receiver deduplicates on
``X-Slaclock-Delivery``. Failures that may pass (timeouts, 408, 429, 5xx, SMTP 4xx)
are retried with exponential backoff and full jitter, honouring ``Retry-After``, up to
:data:`MAX_ATTEMPTS`; then, or at once for any other failure, the delivery is dead:
listed, and retried only by hand (notifications.md, "Retries and dead letters").
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from slaclock.service.channels.outcome import DeliveryError
from slaclock.store.database import Database
from slaclock.store.outbox import Delivery

__all__ = ["LEASE", "MAX_ATTEMPTS", "Sender", "backoff_seconds", "deliver_due"]

#: Attempts before a delivery is dead: about a day of backoff (notifications.md).
MAX_ATTEMPTS = 10
#: How long a claimed delivery is ours to send before another worker may take it.
LEASE = timedelta(seconds=60)
DELIVER_BATCH = 50
_BASE_SECONDS = 30.0
_CAP_SECONDS = 6 * 3600.0

#: Sends one delivery, raising DeliveryError when it does not get through.
Sender = Callable[[Delivery, datetime], None]
#: Told each delivery's outcome, once recorded: ``(channel, "sent" | "retry" | "dead")``.
Observe = Callable[[str, str], None]


def backoff_seconds(attempts: int, rng: random.Random | None = None) -> float:
    """The wait before attempt ``attempts + 1``: full jitter over 30 s · 2^(n-1), capped
    at 6 h (ten attempts span about a day)."""
    ceiling = min(_CAP_SECONDS, _BASE_SECONDS * 2 ** max(0, attempts - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


def deliver_due(
    db: Database,
    senders: Mapping[str, Sender],
    now: Callable[[], datetime],
    limit: int = DELIVER_BATCH,
    observe: Observe | None = None,
) -> int:
    """Claim and send the deliveries due now; returns how many were attempted."""
    started = now()
    claimed = db.writing(lambda tx: tx.outbox.claim(started, started + LEASE, limit))
    for delivery in claimed:
        sender = senders.get(delivery.channel)
        try:
            if sender is None:
                raise DeliveryError(f"no sender for channel {delivery.channel!r}", False)
            sender(delivery, now())
        except DeliveryError as failure:
            outcome = _record_failure(db, delivery, failure, now())
        else:
            _record_sent(db, delivery, now())
            outcome = "sent"
        if observe is not None:
            observe(delivery.channel, outcome)
    return len(claimed)


def _record_sent(db: Database, delivery: Delivery, at: datetime) -> None:
    db.writing(lambda tx: tx.outbox.sent(delivery.id, at))


def _record_failure(db: Database, delivery: Delivery, failure: DeliveryError, at: datetime) -> str:
    attempts = delivery.attempts + 1  # the claim counted this attempt
    if not failure.retryable or attempts >= MAX_ATTEMPTS:
        db.writing(lambda tx: tx.outbox.dead(delivery.id, failure.reason))
        return "dead"
    wait = max(backoff_seconds(attempts), failure.retry_after or 0.0)
    retry_at = at + timedelta(seconds=wait)
    db.writing(lambda tx: tx.outbox.retry_later(delivery.id, retry_at, failure.reason))
    return "retry"
