"""Sending the outbox: claim, send, record — at least once, never silently dropped.

A worker claims due deliveries by giving them a lease (one short transaction), sends
each outside any transaction, then records the outcome. A crash between sending and
recording leaves the lease to run out and the delivery is sent again under the same
id — the only way a message goes out twice, and the receiver deduplicates on
``X-Slaclock-Delivery``. Failures that may pass (timeouts, 408, 429, 5xx, SMTP 4xx)
are retried with exponential backoff and full jitter, honouring ``Retry-After``, up to
:data:`MAX_ATTEMPTS`; then, or at once for any other failure, the delivery is dead:
listed, and retried only by hand (notifications.md, "Retries and dead letters").

Quiet hours: a delivery held for a person (``held_until``) is claimed with every other
held delivery to the same reader that is due, and they go out as one digest through the
sender's ``digest`` (:class:`DigestSender`); the digest succeeds, is retried or dies as
a whole, and every delivery in it is recorded with the same outcome and time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from slaclock.service.channels.outcome import DeliveryError
from slaclock.store.database import Database, Tx
from slaclock.store.outbox import Delivery

__all__ = ["LEASE", "MAX_ATTEMPTS", "DigestSender", "Sender", "backoff_seconds", "deliver_due"]

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


@runtime_checkable
class DigestSender(Protocol):
    """A :data:`Sender` that can also send several held deliveries to one reader as one
    message (the email sender)."""

    def __call__(self, delivery: Delivery, now: datetime) -> None: ...

    def digest(self, deliveries: Sequence[Delivery], now: datetime) -> None: ...


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
    """Claim and send the deliveries due now; returns how many were attempted. Held
    deliveries to one reader go out together (one digest where the sender has one)."""
    started = now()
    batches = db.writing(lambda tx: _claim(tx, started, limit))
    for batch in batches:
        sender = senders.get(batch[0].channel)
        if len(batch) > 1 and not isinstance(sender, DigestSender):
            for delivery in batch:  # no digest on this channel: each on its own
                _send(db, sender, [delivery], now, observe)
        else:
            _send(db, sender, batch, now, observe)
    return sum(len(batch) for batch in batches)


def _send(
    db: Database,
    sender: Sender | None,
    batch: Sequence[Delivery],
    now: Callable[[], datetime],
    observe: Observe | None = None,
) -> None:
    """Send one delivery, or a digest of several, and record the outcome of all."""
    try:
        if sender is None:
            raise DeliveryError(f"no sender for channel {batch[0].channel!r}", False)
        if len(batch) == 1:
            sender(batch[0], now())
        else:
            assert isinstance(sender, DigestSender)
            sender.digest(batch, now())
    except DeliveryError as failure:
        outcome = _record_failure(db, batch, failure, now())
    else:
        _record_sent(db, batch, now())
        outcome = "sent"
    if observe is not None:
        for delivery in batch:
            observe(delivery.channel, outcome)


def _claim(tx: Tx, started: datetime, limit: int) -> list[list[Delivery]]:
    """The due deliveries, leased: each alone, but held ones with every other due held
    delivery to the same reader (``Outbox.claim_held``), oldest first."""
    lease_until = started + LEASE
    batches: dict[tuple[str, ...], list[Delivery]] = {}
    for delivery in tx.outbox.claim(started, lease_until, limit):
        if delivery.held_until is None:
            batches[(delivery.id,)] = [delivery]
            continue
        reader = (delivery.channel, delivery.recipient, delivery.address)
        if reader in batches:
            batches[reader].append(delivery)
        else:
            batches[reader] = [delivery, *tx.outbox.claim_held(delivery, started, lease_until)]
    return [
        sorted(batch, key=lambda d: (str(d.body.get("fire_at", "")), d.id))
        for batch in batches.values()
    ]


def _record_sent(db: Database, batch: Sequence[Delivery], at: datetime) -> None:
    def record(tx: Tx) -> None:
        for delivery in batch:
            tx.outbox.sent(delivery.id, at)

    db.writing(record)


def _record_failure(
    db: Database, batch: Sequence[Delivery], failure: DeliveryError, at: datetime
) -> str:
    attempts = max(d.attempts for d in batch) + 1  # the claim counted this attempt
    if not failure.retryable or attempts >= MAX_ATTEMPTS:

        def dead(tx: Tx) -> None:
            for delivery in batch:
                tx.outbox.dead(delivery.id, failure.reason)

        db.writing(dead)
        return "dead"
    wait = max(backoff_seconds(attempts), failure.retry_after or 0.0)
    retry_at = at + timedelta(seconds=wait)

    def retry(tx: Tx) -> None:
        for delivery in batch:
            tx.outbox.retry_later(delivery.id, retry_at, failure.reason)

    db.writing(retry)
    return "retry"
