"""What ``GET /metrics`` shows, in Prometheus' text format (docs/notifications.md,
"Operating it").

Counters and the fire-lag histogram count what this process did — events ingested,
entries fired, deliveries tried — and are incremented where that happens (ingest in
:class:`~slaclock.service.app_state.Services`, firing in
:mod:`~slaclock.service.notifier`, sending in :mod:`~slaclock.service.deliverer`),
after the transaction that did it committed. Prometheus adds them up across
processes. The gauges describe the database, shared by every process, and are read
from it at scrape time (:class:`OutboxCollector`). Each :class:`Metrics` has its own
``CollectorRegistry``, so every ``Services`` (and every test) starts from zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from slaclock.store.database import Database

__all__ = ["CONTENT_TYPE", "LAG_BUCKETS", "Metrics", "OutboxCollector"]

#: Prometheus' text format 0.0.4, which every scraper reads.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Fire lag: about a second when all is well (the worker wakes at the fire time);
#: minutes or hours after an outage, or for an escalation planned after its time.
LAG_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 86400)


#: The label values every counter shows from the start (at 0).
OUTCOMES = {
    "events": ("accepted", "duplicate", "rejected"),
    "fires": ("sla.reminder", "sla.breached", "sla.escalation"),
    "deliveries": ("sent", "retry", "dead"),
}
CHANNELS = ("webhook", "slack", "email")


class OutboxCollector(Collector):
    """The gauges read from the database when scraped: pending and dead deliveries,
    planned entries."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def collect(self) -> Iterator[Metric]:
        with self._db.reading() as tx:
            counts = tx.outbox.counts()
            planned = tx.schedule.count()
        yield _gauge(
            "slaclock_outbox_pending", "Deliveries waiting to be sent", counts.get("pending", 0)
        )
        yield _gauge(
            "slaclock_outbox_dead", "Dead letters: deliveries that failed for good",
            counts.get("dead", 0),
        )  # fmt: skip
        yield _gauge("slaclock_schedule_size", "Reminders and escalations planned", planned)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class Metrics:
    """This process's counters, and the database's gauges, in one registry."""

    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.events = Counter(
            "slaclock_events_ingested",
            "Events ingested by this process, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.fires = Counter(
            "slaclock_entries_fired",
            "Reminders and escalations fired by this process, by type",
            ["type"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "slaclock_deliveries",
            "Delivery attempts by this process, by channel and outcome (sent, retry, dead)",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.fire_lag = Histogram(
            "slaclock_fire_lag_seconds",
            "From an entry's fire time to when it fired (fired_at - fire_at)",
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(OutboxCollector(database))
        for outcome in OUTCOMES["events"]:  # shown at 0 from the start
            self.events.labels(outcome)
        for kind in OUTCOMES["fires"]:
            self.fires.labels(kind)
        for channel in CHANNELS:
            for outcome in OUTCOMES["deliveries"]:
                self.deliveries.labels(channel, outcome)

    def ingested(self, accepted: int, duplicates: int, rejected: int) -> None:
        for outcome, n in (("accepted", accepted), ("duplicate", duplicates),
                           ("rejected", rejected)):  # fmt: skip
            if n:
                self.events.labels(outcome).inc(n)

    def fired(self, fires: Iterable[tuple[str, datetime]], fired_at: datetime) -> None:
        """Entries that fired at ``fired_at``: each ``(type, fire_at)``."""
        for kind, fire_at in fires:
            self.fires.labels(kind).inc()
            self.fire_lag.observe(max(0.0, (fired_at - fire_at).total_seconds()))

    def delivered(self, channel: str, outcome: str) -> None:
        """One attempt's outcome: ``sent``, ``retry`` or ``dead``."""
        self.deliveries.labels(channel, outcome).inc()

    def exposition(self) -> bytes:
        """Everything, in the text format (the gauges read from the database now)."""
        return generate_latest(self.registry)
