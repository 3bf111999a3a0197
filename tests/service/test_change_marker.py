"""The change marker (``Services.change_marker``): it moves with every write a page can
show — an event, a configuration, a re-projection whose time came, a fire — and with
nothing else, on SQLite and PostgreSQL, whichever ``Services`` (process) wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select

from slaclock.service.compose import services_on
from slaclock.service.worker import Worker
from slaclock.store.changes import LATE_WINDOW
from slaclock.store.models import EventRow

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
webhooks:
  - {id: ops, url: "http://127.0.0.1:9/hook", format: json}
policies:
  - id: std
    name: Standard
    calendar: always
    targets:
      first_response: {within: 1h}
      resolution: {within: 8h, pause: {status: [pending]}}
    reminders:
      - {before: 15m, notify: ["webhook:ops"], metrics: [first_response]}
"""


def _z(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def created(ticket: str, at: datetime = NOW) -> dict[str, Any]:
    return {"id": f"{ticket}-c", "ticket": ticket, "at": _z(at), "type": "ticket.created",
            "by": "customer", "fields": {"status": "open", "priority": "high",
                                         "group": "support"}}  # fmt: skip


def test_reads_alone_do_not_move_it(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    services.ingest([created("T-1")], NOW)
    before = services.change_marker()
    services.queue(_no_filters(), None, 50, NOW)
    services.summary(NOW)
    services.ticket("T-1")
    assert services.change_marker() == before
    assert len(before) == 16 and int(before, 16) >= 0  # short and opaque


def _no_filters() -> Any:
    from slaclock.service.queue import QueueFilters

    return QueueFilters()


def test_an_event_moves_it_and_a_redelivery_does_not(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    empty = services.change_marker()
    services.ingest([created("T-1")], NOW)
    after_event = services.change_marker()
    assert after_event != empty
    assert services.ingest([created("T-1")], NOW).duplicates  # the same id again
    assert services.change_marker() == after_event


def test_another_process_s_write_is_seen(db: Engine) -> None:
    """Two Services on one database, as two server processes: the marker is read from
    the database, not kept in the process that wrote."""
    reader, writer = services_on(db), services_on(db)
    writer.config_apply(CONFIG, "test", NOW)
    before = reader.change_marker()
    writer.ingest([created("T-2")], NOW)
    assert reader.change_marker() != before


def test_a_configuration_moves_it(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    before = services.change_marker()
    services.config_apply(CONFIG.replace("within: 1h", "within: 2h"), "test", NOW)
    assert services.change_marker() != before


def test_a_re_projection_whose_time_came_moves_it(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    services.ingest([created("T-1")], NOW)
    with services.db.reading() as tx:
        due = tx.tickets.due(NOW + timedelta(days=2), 10)
    assert due == ["T-1"]  # it has a next change (its clocks' due times)
    before = services.change_marker()
    assert services.refresh_due(NOW + timedelta(days=2)) == 1
    assert services.change_marker() != before


def test_a_fire_moves_it(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    services.ingest([created("T-1")], NOW)
    later = NOW + timedelta(minutes=46)  # past the reminder, 15 min before the hour
    before = services.change_marker()
    worker = Worker(services, {"webhook": lambda delivery, now: None}, lambda: later)
    assert worker.run_once()[0] == 1
    assert services.change_marker() != before


def test_an_event_committed_after_a_newer_one_still_moves_it(db: Engine) -> None:
    """On PostgreSQL an ingest may draw its seq before another and commit after it: the
    newest seq is then the same before and after, but the late window counts it."""
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    services.ingest([created("T-1")], NOW)
    with db.begin() as conn:
        newest = conn.execute(select(func.max(EventRow.seq))).scalar_one()
        conn.execute(insert(EventRow).values(_raw("late-newer", newest + 5)))
    seen = services.change_marker()
    with db.begin() as conn:  # the older one commits now
        conn.execute(insert(EventRow).values(_raw("late-older", newest + 2)))
    assert newest + 2 > newest + 5 - LATE_WINDOW
    assert services.change_marker() != seen


def _raw(event_id: str, seq: int) -> dict[str, Any]:
    return {"seq": seq, "id": event_id, "ticket_id": "T-9", "at": NOW, "type": "message",
            "body": {"id": event_id}, "received_at": NOW, "source": None}  # fmt: skip
