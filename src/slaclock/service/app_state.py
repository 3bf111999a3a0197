"""The service's composition root: one :class:`Services` per process, over one database.

The API and the CLI hold a ``Services`` and call only these methods; everything
behind them (SQL, locking, the engine) is wired here. Instants are always passed
in (``now``), never read from the clock, so every behaviour is testable at a
chosen instant.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, func, select, union

from slaclock.core.model import Config
from slaclock.service.config_versions import ConfigService
from slaclock.service.history import Judges
from slaclock.service.ingest import IngestResult, ingest
from slaclock.service.projection import load_events, lock_tickets, project_tickets
from slaclock.service.queue import QueueFilters, QueuePage, queue_page
from slaclock.service.reads import ticket_view
from slaclock.service.sql import chunks, in_write_transaction
from slaclock.service.state_cache import StateCache
from slaclock.service.summary import summary
from slaclock.service.tokens import TokenService
from slaclock.store.models import EventRow, InstanceRow, TicketRow

if TYPE_CHECKING:
    from slaclock.core.engine import Engine as SlaEngine

#: Tickets re-projected per transaction by rebuild and configuration changes.
REPROJECT_CHUNK = 500
#: Engines kept per process, one per configuration version (current and recent).
ENGINES_KEPT = 8
Progress = Callable[[int, int], None]


class Services:
    """Ingest, projection, reads, configuration and tokens over one database."""

    def __init__(self, engine: Engine) -> None:
        self.db = engine
        self.configs = ConfigService(engine)
        self.tokens = TokenService(engine)
        self.states = StateCache()
        self._engines: OrderedDict[int, SlaEngine] = OrderedDict()
        self._engines_lock = threading.Lock()

    # ------------------------------------------------------------------ engine

    def _engine_for(self, conn: Connection, version: int) -> SlaEngine:
        """One engine per configuration version (engines precompute), a few kept."""
        from slaclock.core.engine import Engine as SlaEngine

        with self._engines_lock:
            engine = self._engines.get(version)
            if engine is not None:
                self._engines.move_to_end(version)
                return engine
        engine = SlaEngine(self.configs.config_of(conn, version))
        with self._engines_lock:
            engine = self._engines.setdefault(version, engine)  # another thread may have won
            self._engines.move_to_end(version)
            while len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)
            return engine

    def _judges_in(self, conn: Connection, now: datetime) -> Judges:
        """The engines that judge as of ``now``, for the versions current inside ``conn``'s
        transaction (read after the configuration gate)."""
        spans = self.configs.spans_in(conn)
        return Judges.at(spans, now, lambda version: self._engine_for(conn, version))

    def _judges_at(self, conn: Connection, as_of: datetime) -> Judges:
        """The same for a read (the version list is cached for up to a second)."""
        spans = self.configs.spans()
        return Judges.at(spans, as_of, lambda version: self._engine_for(conn, version))

    # ------------------------------------------------------------------ ingest

    def ingest(self, events: Sequence[Any], now: datetime) -> IngestResult:
        """Validate, deduplicate, store and project a batch (at most 10,000 events)."""
        return ingest(self.db, self._judges_in, events, now, self.states)

    # ------------------------------------------------------------------- reads

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        with self.db.connect() as conn:
            return ticket_view(conn, ticket_id)

    def instances_as_of(self, ticket_id: str, as_of: datetime) -> list[dict[str, Any]] | None:
        """The replay JSON of the ticket's instances as of ``as_of``; None if no events.

        Each instance is judged by the configuration version in force when it stopped
        (running ones by the version in force at ``as_of``).
        """
        with self.db.connect() as conn:
            events = load_events(conn, [ticket_id]).get(ticket_id)
            if not events:
                return None
            instances = self._judges_at(conn, as_of).replay(events, as_of)
        return [instance.to_json() for instance in instances]

    def explain(self, ticket_id: str, as_of: datetime) -> dict[str, Any] | None:
        with self.db.connect() as conn:
            events = load_events(conn, [ticket_id]).get(ticket_id)
            if not events:
                return None
            return self._judges_at(conn, as_of).explain(events, as_of)

    def queue(
        self, filters: QueueFilters, cursor: str | None, limit: int, now: datetime
    ) -> QueuePage:
        """A page of open clocks by time left; ValueError on a bad cursor or state."""
        with self.db.connect() as conn:
            return queue_page(conn, filters, cursor, limit, now)

    def summary(self, now: datetime, at_risk_within_seconds: int = 3600) -> dict[str, Any]:
        with self.db.connect() as conn:
            return summary(conn, now, at_risk_within_seconds)

    # ----------------------------------------------------------- configuration

    def config_current(self) -> tuple[int, str, Config]:
        return self.configs.current()

    def config_apply(self, text: str, author: str, now: datetime) -> int:
        """Validate and store a new configuration, then re-evaluate every open ticket.

        Raises ConfigError (nothing stored) when the text is invalid.
        """
        version = in_write_transaction(
            self.db, lambda conn: self.configs.store(conn, text, author, now)
        )
        self.configs.invalidate()
        self._reproject(self._open_ticket_ids(), now, None)
        return version

    def config_versions(self) -> list[dict[str, Any]]:
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
        """
        now = now or _utc_now()
        in_write_transaction(self.db, _drop_tickets_without_events)
        with self.db.connect() as conn:
            ids = sorted(
                conn.execute(union(select(TicketRow.id), select(EventRow.ticket_id)))
                .scalars()
                .all()
            )
            events = conn.execute(select(func.count()).select_from(EventRow)).scalar_one()
        instances = self._reproject(ids, now, progress)
        self._analyze()
        return {"tickets": len(ids), "events": int(events), "instances": instances}

    def _analyze(self) -> None:
        """Refresh the planner's statistics after rewriting most of the projection."""
        with self.db.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE tickets, instances")
            else:
                conn.exec_driver_sql("ANALYZE")
            conn.commit()

    def refresh_due(self, now: datetime, limit: int = REPROJECT_CHUNK) -> int:
        """Re-project tickets whose ``next_change_at`` has come (for a scheduler tick)."""
        with self.db.connect() as conn:
            ids = (
                conn.execute(
                    select(TicketRow.id)
                    .where(TicketRow.next_change_at <= now)
                    .order_by(TicketRow.next_change_at)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
        self._reproject(ids, now, None)
        return len(ids)

    def _open_ticket_ids(self) -> list[str]:
        """Tickets a configuration change can affect: not deleted, not closed."""
        with self.db.connect() as conn:
            return list(
                conn.execute(
                    select(TicketRow.id).where(
                        TicketRow.deleted.is_(False),
                        (TicketRow.status.is_(None)) | (TicketRow.status != "closed"),
                    )
                ).scalars()
            )

    def _reproject(
        self, ticket_ids: Sequence[str], now: datetime, progress: Progress | None
    ) -> int:
        ordered = sorted(ticket_ids)
        written = 0
        done = 0

        def work(part: Sequence[str]) -> Callable[[Connection], int]:
            def run(conn: Connection) -> int:
                lock_tickets(conn, part)
                judges = self._judges_in(conn, now)
                return project_tickets(conn, judges, part, now).instances_written

            return run

        for part in chunks(ordered, REPROJECT_CHUNK):
            written += in_write_transaction(self.db, work(part))
            done += len(part)
            if progress is not None:
                progress(done, len(ordered))
        return written

    def instance_count(self) -> int:
        with self.db.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(InstanceRow)).scalar_one())


def _drop_tickets_without_events(conn: Connection) -> None:
    """Remove ticket rows no stored event names (a repeated id naming another ticket
    once left such rows); a ticket exists from its first stored event."""
    has_event = select(EventRow.id).where(EventRow.ticket_id == TicketRow.id).exists()
    conn.execute(delete(TicketRow).where(~has_event))


def _utc_now() -> datetime:
    return datetime.now(UTC)
