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
from concurrent.futures import Executor
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
#: Deliveries claimed (and, with a pool, in flight) per step.
DELIVER_BATCH = 64
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
    pool: Executor | None = None,
) -> int:
    """Claim and send the deliveries due now; returns how many were attempted. Held
    deliveries to one reader go out together (one digest where the sender has one).
    With a ``pool``, several sends are in flight at once (a worker's throughput is
    otherwise one round trip to the receiver per delivery); the outcomes of the whole
    claim are recorded in one transaction once every send has ended."""
    started = now()
    batches = db.writing(lambda tx: _claim(tx, started, limit))
    units: list[tuple[Sender | None, list[Delivery]]] = []
    for batch in batches:
        sender = senders.get(batch[0].channel)
        if len(batch) > 1 and not isinstance(sender, DigestSender):
            units += [(sender, [delivery]) for delivery in batch]  # no digest: each alone
        else:
            units.append((sender, batch))

    def attempt(unit: tuple[Sender | None, list[Delivery]]) -> DeliveryError | None:
        return _attempt(unit[0], unit[1], now)

    failures = list(pool.map(attempt, units) if pool is not None else map(attempt, units))
    outcomes = db.writing(lambda tx: _record(tx, units, failures, now()))
    if observe is not None:
        for (_, batch), outcome in zip(units, outcomes, strict=True):
            for delivery in batch:
                observe(delivery.channel, outcome)
    return sum(len(batch) for batch in batches)


def _attempt(
    sender: Sender | None, batch: Sequence[Delivery], now: Callable[[], datetime]
) -> DeliveryError | None:
    """Send one delivery, or a digest of several; the failure, if it did not get
    through."""
    try:
        if sender is None:
            raise DeliveryError(f"no sender for channel {batch[0].channel!r}", False)
        if len(batch) == 1:
            sender(batch[0], now())
        else:
            assert isinstance(sender, DigestSender)
            sender.digest(batch, now())
    except DeliveryError as failure:
        return failure
    return None


def _record(
    tx: Tx,
    units: Sequence[tuple[Sender | None, Sequence[Delivery]]],
    failures: Sequence[DeliveryError | None],
    at: datetime,
) -> list[str]:
    """Record each unit's outcome at ``at``: sent (one statement for all of them),
    retried later with backoff, or dead. Returns the outcome of each unit."""
    sent: list[str] = []
    outcomes = []
    for (_, batch), failure in zip(units, failures, strict=True):
        if failure is None:
            sent += [delivery.id for delivery in batch]
            outcomes.append("sent")
        else:
            outcomes.append(_record_failure(tx, batch, failure, at))
    tx.outbox.sent_many(sent, at)
    return outcomes


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


def _record_failure(tx: Tx, batch: Sequence[Delivery], failure: DeliveryError, at: datetime) -> str:
    attempts = max(d.attempts for d in batch) + 1  # the claim counted this attempt
    if not failure.retryable or attempts >= MAX_ATTEMPTS:
        for delivery in batch:
            tx.outbox.dead(delivery.id, failure.reason)
        return "dead"
    wait = max(backoff_seconds(attempts), failure.retry_after or 0.0)
    retry_at = at + timedelta(seconds=wait)
    for delivery in batch:
        tx.outbox.retry_later(delivery.id, retry_at, failure.reason)
    return "retry"
