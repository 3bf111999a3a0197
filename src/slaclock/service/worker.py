"""The notification worker: fire what is due, send the outbox, sleep until the next.

No polling by the minute: the worker sleeps until the soonest planned fire time or
delivery retry, and is woken early when a nearer one may have been planned — by the
process's own ingest (an in-process signal, ``Services.schedule_changed``) and, on
PostgreSQL, by any process's commit (``LISTEN slaclock_schedule``; the plan sends
``NOTIFY`` in its transaction). On SQLite, where no other process can signal, it looks
again at least every second. Several workers may run against PostgreSQL: they
claim rows with ``SKIP LOCKED`` and never fire one entry twice. On SQLite run one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from slaclock.core.model import Config
from slaclock.service.app_state import Services
from slaclock.service.channels.outcome import DeliveryError
from slaclock.service.channels.webhook import post_webhook
from slaclock.service.deliverer import Sender, deliver_due
from slaclock.service.delivery_facts import message_facts
from slaclock.service.messages import render_slack
from slaclock.service.notifier import FireSettings, fire_due
from slaclock.store.outbox import Delivery
from slaclock.store.schedule import WAKE_CHANNEL

__all__ = ["Worker", "webhook_sender"]

log = logging.getLogger("slaclock.worker")
#: The longest sleep on PostgreSQL, whatever is planned: a safety net (NOTIFY wakes).
MAX_SLEEP_SECONDS = 30.0
#: On SQLite no other process can wake the worker, so it looks again every second
#: (one indexed MIN over a local file): a plan made by another process fires in time.
SQLITE_SLEEP_SECONDS = 1.0


def webhook_sender(
    services: Services, environ: Mapping[str, str], client: httpx.Client, base_url: str = ""
) -> Sender:
    """Sends ``webhook`` deliveries (the JSON body of notifications.md) and ``slack``
    ones (the same facts as a Slack-compatible ``text`` plus ``blocks``), each signed
    with the webhook's secret and carrying its delivery id."""

    def send(delivery: Delivery, now: datetime) -> None:
        hook_id = delivery.recipient.partition(":")[2]
        config = services.config_current()[2]
        hook = config.webhooks.get(hook_id)
        secret = environ.get(hook.secret_env or "") if hook is not None else None
        if hook is not None and hook.secret_env and not secret:
            unset = f"the secret of webhook {hook_id!r} ({hook.secret_env}) is not set"
            raise DeliveryError(unset, True)
        body: Mapping[str, Any] = delivery.body
        if delivery.channel == "slack":
            try:
                facts = message_facts(delivery.body, config, base_url)
            except (ValueError, KeyError, TypeError) as exc:
                raise DeliveryError(f"cannot render the Slack message: {exc}", False) from None
            body = render_slack(facts, str(delivery.body.get("locale") or "en"), "UTC")
        post_webhook(client, delivery.address, delivery.id, body, secret, now)

    return send


@dataclass
class Worker:
    """One worker: ``run`` until ``stop`` is set, or ``run_once`` (the tests' step)."""

    services: Services
    senders: Mapping[str, Sender]
    now: Callable[[], datetime]
    base_url: str = ""
    #: Signs the acknowledgement links of breach and escalation messages (None: none).
    ack_secret: str | None = None
    #: Sends run on it, several at once (None: one after another, as in the tests).
    pool: Executor | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def run_once(self) -> tuple[int, int]:
        """Fire everything due and send every due delivery; ``(fired, attempted)``.
        Each batch of fires is sent before the next is fired, so in a burst a message
        waits for its own batch, not for the whole backlog to be fired."""
        fired = attempted = 0
        settings = FireSettings(
            config=self._config,
            base_url=self.base_url,
            channels=frozenset(self.senders),
            store_events=self.services.ingest_in,
            observe=self.services.metrics.fired,
            ack_secret=self.ack_secret,
        )
        while True:
            fired_now = fire_due(self.services.db, settings, self.now())
            sent_now = 0
            while batch := deliver_due(self.services.db, self.senders, self.now,
                                       observe=self.services.metrics.delivered,
                                       pool=self.pool):  # fmt: skip
                sent_now += batch
            fired, attempted = fired + fired_now, attempted + sent_now
            if fired_now == 0 and sent_now == 0:
                return fired, attempted

    def next_due(self) -> datetime | None:
        """The soonest instant something is due: a fire time or a delivery retry."""
        with self.services.db.reading() as tx:
            times = [tx.schedule.next_fire_at(), tx.outbox.next_attempt_at()]
        found = [t for t in times if t is not None]
        return min(found) if found else None

    def run(self) -> None:
        """Loop until ``stop``: work, then sleep until the next due instant or a wake."""
        longest = MAX_SLEEP_SECONDS
        if self.services.db.engine.dialect.name != "postgresql":
            longest = SQLITE_SLEEP_SECONDS
        with self._listener() as wait:
            while not self.stop.is_set():
                try:
                    self.run_once()
                    due = self.next_due()
                except Exception:  # a database outage must not end the worker
                    log.exception("notification worker step failed; retrying shortly")
                    due = self.now() + timedelta(seconds=1)
                delay = longest if due is None else (due - self.now()).total_seconds()
                wait(min(max(delay, 0.0), longest))

    def shutdown(self) -> None:
        """Ask ``run`` to return (it wakes at once)."""
        self.stop.set()
        self.services.schedule_changed.set()
        if self.services.db.engine.dialect.name == "postgresql":
            with self.services.db.engine.connect() as conn:
                conn.exec_driver_sql(f"NOTIFY {WAKE_CHANNEL}")
                conn.commit()

    def _config(self) -> Config:
        return self.services.config_current()[2]

    @contextlib.contextmanager
    def _listener(self) -> Iterator[Callable[[float], None]]:
        """A ``wait(seconds)`` that returns early when the schedule may have changed."""
        changed = self.services.schedule_changed
        engine = self.services.db.engine
        if engine.dialect.name != "postgresql":

            def wait_in_process(seconds: float) -> None:
                if changed.wait(seconds):
                    changed.clear()

            yield wait_in_process
            return
        with engine.connect() as conn:
            raw: Any = conn.connection.driver_connection  # psycopg's, for notifies()
            conn.exec_driver_sql(f"LISTEN {WAKE_CHANNEL}")
            conn.commit()
            raw.autocommit = True

            def wait_for_notify(seconds: float) -> None:
                for _ in raw.notifies(timeout=seconds, stop_after=1):
                    pass  # any plan committed by any process: look again

            yield wait_for_notify
