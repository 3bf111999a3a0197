"""The service: one :class:`Services` per process, over one database.

The API, the dashboard and the CLI hold a ``Services`` (built by
:mod:`slaclock.service.compose`) and call only these methods; each method takes a
transaction from the store and composes the service's modules and the store's
repositories. Instants are always passed in (``now``), never read from the clock, so
every behaviour is testable at a chosen instant.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slaclock.core.model import Config
from slaclock.service.acknowledgements import ack_event
from slaclock.service.breach_analysis import BreachParams
from slaclock.service.change_feed import marker_text
from slaclock.service.config_versions import ConfigService
from slaclock.service.customer_links import CustomerClaim, CustomerLink, customer_token, link_url
from slaclock.service.history import Judges
from slaclock.service.ingest import SERVICE_ORIGIN, IngestResult, Limits, Origin, ingest, ingest_in
from slaclock.service.metrics import Metrics
from slaclock.service.notifications import DeliveryFilters, notification_page, retry_notification
from slaclock.service.projection import project_tickets
from slaclock.service.queue import QueueFilters, queue_page
from slaclock.service.reads import event_page, ticket_view
from slaclock.service.report_catalog import TableReport, run_report
from slaclock.service.report_log import LogPage, LogParams, log_page, log_rows
from slaclock.service.reports import ComplianceReport, ReportParams, compliance_report
from slaclock.service.snapshots import Snapshot, take_snapshot
from slaclock.service.state_cache import StateCache
from slaclock.service.summary import summary
from slaclock.service.tokens import TokenService
from slaclock.service.views import (
    ConfigVersion,
    EventPage,
    NotificationPage,
    QueuePage,
    Summary,
    TicketView,
)
from slaclock.store.database import Database, Tx
from slaclock.store.sql import chunks

if TYPE_CHECKING:
    from slaclock.core.engine import Engine as SlaEngine
    from slaclock.core.engine import Explanation, Instance
    from slaclock.service.customer_view import CustomerStatus

#: Tickets re-projected per transaction by rebuild and configuration changes.
REPROJECT_CHUNK = 500
#: Engines kept per process, one per configuration version (current and recent).
ENGINES_KEPT = 8
Progress = Callable[[int, int], None]


class Services:
    """Ingest, projection, reads, configuration and tokens over one database."""

    def __init__(self, database: Database, limits: Limits | None = None) -> None:
        self.db = database
        #: What ingest accepts beyond the event format (per-ticket events, future skew).
        self.limits = limits or Limits()
        #: Set when a projection may have planned a nearer reminder or escalation: it
        #: wakes this process's notification worker (PostgreSQL also sends NOTIFY).
        self.schedule_changed = threading.Event()
        self.configs = ConfigService(database)
        self.tokens = TokenService(database)
        self.states = StateCache()
        #: This process's counters and the database's gauges (``GET /metrics``).
        self.metrics = Metrics(database)
        self._engines: OrderedDict[int, SlaEngine] = OrderedDict()
        self._engines_lock = threading.Lock()

    def close(self) -> None:
        """Close the database's connections (the process is done with it)."""
        self.db.close()

    # ------------------------------------------------------------------ engine

    def _engine_for(self, tx: Tx, version: int) -> SlaEngine:
        """One engine per configuration version (engines precompute), a few kept."""
        from slaclock.core.engine import Engine as SlaEngine

        with self._engines_lock:
            engine = self._engines.get(version)
            if engine is not None:
                self._engines.move_to_end(version)
                return engine
        engine = SlaEngine(self.configs.config_of(tx, version))
        with self._engines_lock:
            engine = self._engines.setdefault(version, engine)  # another thread may have won
            self._engines.move_to_end(version)
            while len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)
            return engine

    def _judges_in(self, tx: Tx, now: datetime) -> Judges:
        """The engines that judge as of ``now``, for the versions current inside ``tx``
        (read after the configuration gate)."""
        spans = self.configs.spans_in(tx)
        return Judges.at(spans, now, lambda version: self._engine_for(tx, version))

    def _judges_at(self, tx: Tx, as_of: datetime) -> Judges:
        """The same for a read (the version list is cached for up to a second)."""
        spans = self.configs.spans()
        return Judges.at(spans, as_of, lambda version: self._engine_for(tx, version))

    # ------------------------------------------------------------------ ingest

    def ingest(
        self, events: Sequence[Any], now: datetime, origins: Sequence[Origin | None] | None = None
    ) -> IngestResult:
        """Validate, deduplicate, store and project a batch (at most 10,000 events);
        ``origins`` say, event by event, who sent it (see :class:`Origin`)."""
        result = ingest(self.db, self._judges_in, events, now, self.states, origins, self.limits)
        if result.accepted:
            self.schedule_changed.set()
        self.metrics.ingested(len(result.accepted), len(result.duplicates), len(result.rejected))
        return result

    def acknowledge(
        self,
        ticket_id: str,
        instance: tuple[str, str, int],
        person: str,
        now: datetime,
        source: str | None,
    ) -> str:
        """Record that ``person`` is on the ticket's instance ``(kind, metric, cycle)``
        (an ``sla.acknowledged`` event); its id. LookupError for no such instance."""
        kind, metric, cycle = instance
        view = self.ticket(ticket_id)
        shown = {(i["kind"], i["metric"], i["cycle"]) for i in view.instances} if view else set()
        if (kind, metric, cycle) not in shown:
            raise LookupError(f"ticket {ticket_id!r} has no {kind} {metric} cycle {cycle}")
        event = ack_event(ticket_id, kind, metric, cycle, person, now)
        result = self.ingest([event], now, [Origin(source=source, server_stamped=True)])
        if result.rejected:
            raise LookupError(result.rejected[0]["reason"])
        return str(event["id"])

    def ingest_in(self, tx: Tx, events: Sequence[Any], now: datetime) -> IngestResult:
        """Events the service itself writes (escalation actions) inside the caller's
        transaction, stamped by the server (their ids are in its own namespace)."""
        origins = [SERVICE_ORIGIN] * len(events)
        return ingest_in(tx, self._judges_in, events, now, origins, self.limits)

    # ------------------------------------------------------------------- reads

    def ticket(self, ticket_id: str) -> TicketView | None:
        with self.db.reading() as tx:
            return ticket_view(tx, ticket_id)

    def customer_names(self, customer_ids: Sequence[str]) -> dict[str, str]:
        """Customers' names by id, as their tickets carry them (reports group by id)."""
        with self.db.reading() as tx:
            return tx.tickets.customer_names(customer_ids)

    def ticket_events(self, ticket_id: str, cursor: str | None, limit: int) -> EventPage:
        """A page of the ticket's timeline (replay order); ValueError for a bad cursor."""
        with self.db.reading() as tx:
            return event_page(tx, ticket_id, cursor, limit)

    def instances_as_of(self, ticket_id: str, as_of: datetime) -> list[Instance] | None:
        """The ticket's instances as of ``as_of``; None if it has no events.

        Each instance is judged by the configuration version in force when it stopped
        (running ones by the version in force at ``as_of``).
        """
        with self.db.reading() as tx:
            events = tx.events.load([ticket_id]).get(ticket_id)
            if not events:
                return None
            return self._judges_at(tx, as_of).replay(events, as_of)

    def explain(self, ticket_id: str, as_of: datetime) -> Explanation | None:
        with self.db.reading() as tx:
            events = tx.events.load([ticket_id]).get(ticket_id)
            if not events:
                return None
            return self._judges_at(tx, as_of).explain(events, as_of)

    def customer_status(self, ticket_id: str, now: datetime) -> CustomerStatus | None:
        """What the ticket's customer may see as of ``now`` (its SLA promises, replayed
        as the ticket page replays them); None for an unknown or deleted ticket."""
        from slaclock.service.customer_view import customer_status

        calendars = self.config_current()[2].calendars
        with self.db.reading() as tx:
            ticket = tx.tickets.get(ticket_id)
            events = tx.events.load([ticket_id]).get(ticket_id)
            if ticket is None or ticket.deleted or not events:
                return None
            instances = self._judges_at(tx, now).replay(events, now)
        return customer_status(ticket, instances, calendars)

    def customer_link(
        self, ticket_id: str, secret: str, base_url: str, expires_at: datetime
    ) -> CustomerLink | None:
        """A signed link to the ticket's customer view, valid until ``expires_at``
        (:func:`slaclock.service.customer_links.link_expiry` bounds it); None for an
        unknown or deleted ticket. Nothing is stored."""
        with self.db.reading() as tx:
            ticket = tx.tickets.get(ticket_id)
        if ticket is None or ticket.deleted or not ticket.created:
            return None
        token = customer_token(secret, CustomerClaim(ticket_id, expires_at))
        return CustomerLink(ticket_id, link_url(base_url, token), expires_at)

    def queue(
        self, filters: QueueFilters, cursor: str | None, limit: int, now: datetime
    ) -> QueuePage:
        """A page of open clocks by time left; ValueError on a bad cursor or state."""
        with self.db.reading() as tx:
            return queue_page(tx, filters, cursor, limit, now)

    def compliance(self, params: ReportParams) -> ComplianceReport:
        """The compliance report (reports.md); ReportError names a bad parameter."""
        with self.db.reading() as tx:
            return compliance_report(tx, params)

    def breach_report(
        self, name: str, params: BreachParams, options: Mapping[str, Any]
    ) -> TableReport:
        """A breach-analysis report by name (service/report_catalog.py); ReportError
        names a bad parameter."""
        config = self.config_current()[2]
        with self.db.reading() as tx:
            return run_report(tx, name, params, config, options)

    def snapshot_take(
        self, report: str, params: Mapping[str, Any], format: str, author: str, now: datetime
    ) -> Snapshot:
        """Produce a report and keep its bytes (service/snapshots.py)."""
        return take_snapshot(self, report, params, format, author, now)

    def snapshot(self, snapshot_id: str, with_content: bool = False) -> Snapshot | None:
        with self.db.reading() as tx:
            return tx.snapshots.get(snapshot_id, with_content)

    def snapshots(self, limit: int = 100) -> list[Snapshot]:
        with self.db.reading() as tx:
            return tx.snapshots.newest(limit)

    def sla_log(self, params: LogParams, cursor: str | None, limit: int) -> LogPage:
        """A page of the SLA log; ValueError (ReportError) names a bad parameter."""
        calendars = self.config_current()[2].calendars
        with self.db.reading() as tx:
            return log_page(tx, params, calendars, cursor, limit)

    def sla_log_rows(self, params: LogParams) -> Iterator[dict[str, Any]]:
        """The whole SLA log, streamed from one read transaction (held until the last
        row is taken); ReportError here, before anything streams, for a bad parameter."""
        calendars = self.config_current()[2].calendars
        params.query()

        def rows() -> Iterator[dict[str, Any]]:
            with self.db.reading() as tx:
                yield from log_rows(tx, params, calendars)

        return rows()

    def overdue_before(self, instant: datetime) -> list[tuple[str, datetime, str | None]]:
        """Open clocks overdue since before ``instant`` (the demo works its backlog off)."""
        with self.db.reading() as tx:
            return tx.instances.overdue_before(instant)

    def summary(self, now: datetime, at_risk_within_seconds: int = 3600) -> Summary:
        with self.db.reading() as tx:
            return summary(tx, now, at_risk_within_seconds)

    def change_marker(self) -> str:
        """A short text that changes whenever what the pages show may have changed (an
        event, a re-projection, a configuration, a fire), by any process on the database;
        cheap enough to read every second (store/changes.py)."""
        with self.db.reading() as tx:
            return marker_text(tx.changes.marker())

    # ------------------------------------------------------------ notifications

    def notifications(
        self, filters: DeliveryFilters, cursor: str | None, limit: int
    ) -> NotificationPage:
        """A page of deliveries with their fires, oldest first; ValueError for a bad
        cursor."""
        with self.db.reading() as tx:
            return notification_page(tx, filters, cursor, limit)

    def retry_notification(self, delivery_id: str, now: datetime) -> bool | None:
        """A dead delivery goes back to pending, due ``now``, and the worker is woken:
        True; False when it is not dead; None when there is no such delivery."""
        done = self.db.writing(lambda tx: retry_notification(tx, delivery_id, now))
        if done:
            self.schedule_changed.set()
        return done

    # ----------------------------------------------------------- configuration

    def config_current(self) -> tuple[int, str, Config]:
        return self.configs.current()

    def config_apply(self, text: str, author: str, now: datetime, base: int | None = None) -> int:
        """Validate and store a new configuration, then re-evaluate every open ticket.

        Raises ConfigError (nothing stored) when the text is invalid, and ConfigConflict
        (nothing stored) when ``base`` is given and is no longer the current version.
        """
        version = self.db.writing(lambda tx: self.configs.store(tx, text, author, now, base))
        self.configs.invalidate()
        with self.db.reading() as tx:
            open_ids = tx.tickets.open_ids()
        self._reproject(open_ids, now, None)
        return version

    def config_versions(self) -> list[ConfigVersion]:
        return self.configs.versions()

    def config_diff(self, v1: int, v2: int) -> str:
        return self.configs.diff(v1, v2)

    # --------------------------------------------------------------- projection

    def rebuild(
        self, progress: Progress | None = None, now: datetime | None = None
    ) -> dict[str, int]:
        """Recompute the whole projection from the event log, in chunks of tickets.

        ``progress(done, total)`` is called after each chunk (for a progress bar).
        ``now`` defaults to the current UTC time: a rebuild projects as of now.
        First drops any ticket row no stored event names (a ticket exists from its
        first stored event).
        """
        now = now or datetime.now(UTC)
        self.db.writing(lambda tx: tx.tickets.drop_without_events())
        with self.db.reading() as tx:
            ids = tx.tickets.known_ids()
            events = tx.events.count()
        instances = self._reproject(ids, now, progress)
        self.db.analyze()
        return {"tickets": len(ids), "events": events, "instances": instances}

    def refresh_due(self, now: datetime, limit: int = REPROJECT_CHUNK) -> int:
        """Re-project tickets whose ``next_change_at`` has come (for a scheduler tick)."""
        with self.db.reading() as tx:
            ids = tx.tickets.due(now, limit)
        self._reproject(ids, now, None)
        return len(ids)

    def _reproject(
        self, ticket_ids: Sequence[str], now: datetime, progress: Progress | None
    ) -> int:
        ordered = sorted(ticket_ids)
        written = 0
        done = 0

        def work(part: Sequence[str]) -> Callable[[Tx], int]:
            def run(tx: Tx) -> int:
                tx.locks.tickets(part)
                judges = self._judges_in(tx, now)
                return project_tickets(tx, judges, part, now).instances_written

            return run

        for part in chunks(ordered, REPROJECT_CHUNK):
            written += self.db.writing(work(part))
            done += len(part)
            if progress is not None:
                progress(done, len(ordered))
        self.schedule_changed.set()
        return written

    def instance_count(self) -> int:
        with self.db.reading() as tx:
            return tx.instances.count()
