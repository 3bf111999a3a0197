"""The projection: tickets' current fields and SLA instances, recomputed from the log.

The rule is simple and makes the projection equal a replay by construction: to
project a ticket, load ALL its events (ordered by ``at``, then arrival ``seq``) and
replay them with the engine as of "now" (an instance that stopped under an earlier
configuration version judged by that version: :mod:`slaclock.service.history`);
then replace the ticket's instance rows
and update its ticket row. A late, out-of-order event therefore just re-projects
its ticket. Callers hold the ticket rows locked (:func:`lock_tickets`) so two
projections of one ticket never interleave, and they read the configuration
after taking the locks, so a configuration change applied meanwhile is seen.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Connection,
    String,
    Table,
    any_,
    bindparam,
    case,
    delete,
    func,
    null,
    select,
)

from slaclock.core.calendar import Calendar
from slaclock.core.engine import overdue_from
from slaclock.core.events import Event, parse_event
from slaclock.service.bulk import bulk_insert, copy_rows
from slaclock.service.sql import chunks, config_gate
from slaclock.service.state_cache import CachedState, StateCache
from slaclock.store.models import PAUSED_SORT_BASE, EventRow, InstanceRow, TicketRow

TICKETS: Table = TicketRow.__table__  # type: ignore[assignment]
INSTANCES: Table = InstanceRow.__table__  # type: ignore[assignment]

if TYPE_CHECKING:
    from slaclock.core.engine import Engine
    from slaclock.service.history import Judges


def lock_tickets(conn: Connection, ticket_ids: Sequence[str]) -> set[str]:
    """Make sure a row exists for each ticket and lock them, in sorted order.

    Sorted order means two batches sharing tickets queue up instead of deadlocking.
    On SQLite the whole transaction already holds the database's write lock.
    Holds the configuration gate shared first (see :func:`config_gate`).
    Returns the tickets whose rows this call inserted.
    """
    config_gate(conn, exclusive=False)
    ordered = sorted(set(ticket_ids))
    placeholders = [{"id": t, "created": False, "deleted": False} for t in ordered]
    placed = bulk_insert(conn, TICKETS, placeholders, conflict=("id", None), returning=("id",))
    if conn.dialect.name == "postgresql":
        for part in chunks(ordered):
            conn.execute(
                select(TicketRow.id)
                .where(one_of(conn, TicketRow.id, part))
                .order_by(TicketRow.id)
                .with_for_update()
            ).all()
    return {ticket_id for (ticket_id,) in placed}


def load_events(
    conn: Connection, ticket_ids: Sequence[str], known: Mapping[str, Event] | None = None
) -> dict[str, list[Event]]:
    """Every stored event of these tickets, parsed, in replay order.

    ``known`` holds events already parsed (this batch's): for those only the stored
    ``seq`` is read, not the body, which saves decoding and validating them twice.
    """
    known = known or {}
    out: dict[str, list[Event]] = defaultdict(list)
    body: Any = EventRow.body
    if known:
        body = case((one_of(conn, EventRow.id, list(known)), null()), else_=EventRow.body)
    for part in chunks(sorted(set(ticket_ids))):
        rows = conn.execute(
            select(EventRow.ticket_id, EventRow.seq, EventRow.id, body)
            .where(one_of(conn, EventRow.ticket_id, part))
            .order_by(EventRow.ticket_id, EventRow.at, EventRow.seq)
        )
        for ticket_id, seq, event_id, data in rows:
            parsed = known.get(event_id)
            event = parse_event(data, seq=seq) if parsed is None else with_seq(parsed, seq)
            out[ticket_id].append(event)
    return out


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values``: on PostgreSQL ONE array parameter (``= ANY``), so the
    driver need not parse a query with thousands of placeholders."""
    if conn.dialect.name == "postgresql":
        item = BigInteger() if column.type.python_type is int else String()
        array = bindparam(None, list(values), type_=ARRAY(item))
        condition: ColumnElement[bool] = column == any_(array)
        return condition
    return column.in_(list(values))  # type: ignore[no-any-return]


def with_seq(event: Event, seq: int) -> Event:
    """The event with its stored ``seq`` (cheaper than ``dataclasses.replace``)."""
    return Event(id=event.id, ticket=event.ticket, at=event.at, type=event.type, seq=seq,
                 data=event.data)  # fmt: skip


@dataclass
class Projected:
    """What a projection wrote, and the engine states it leaves for the cache."""

    instances_written: int = 0
    states: list[tuple[str, CachedState]] = field(default_factory=list)


def project_tickets(
    conn: Connection,
    judges: Judges,
    ticket_ids: Sequence[str],
    now: datetime,
    known: Mapping[str, Event] | None = None,
    cache: StateCache | None = None,
) -> Projected:
    """Replay these (locked) tickets as of ``now`` and store the result.

    ``judges``: the configuration versions as of ``now`` (an instance that stopped
    under an earlier version is judged by it, see :mod:`slaclock.service.history`).
    ``known``: this batch's new events (with their stored ``seq``). With a
    ``cache``, a ticket whose cached state provably matches its log is continued
    from that state instead of replayed (see :mod:`slaclock.service.state_cache`);
    the states to cache are returned, for the caller to keep once committed.
    """
    engine = judges.engine
    ordered = sorted(set(ticket_ids))
    new_events = _by_ticket(known or {})
    warm = _warm_states(conn, engine, ordered, new_events, now, cache) if cache else {}
    events = load_events(conn, [t for t in ordered if t not in warm], known)
    entries: dict[str, CachedState] = {}
    for ticket_id in ordered:
        entry = warm.get(ticket_id)
        if entry is not None:
            _continue(entry, new_events.get(ticket_id, []))
        else:
            entry = _replayed(engine, events.get(ticket_id, []), now)
        entries[ticket_id] = entry
    results = {t: engine.result(entry.state, now) for t, entry in entries.items()}
    olds = _earlier_versions(conn, judges, entries, results, events, known, now)
    outcome = Projected()
    ticket_rows: list[dict[str, Any]] = []
    instance_rows: list[dict[str, Any]] = []
    for ticket_id, entry in entries.items():
        result = results[ticket_id]
        ticket_row = ticket_values(ticket_id, result, entry.state.created_at, now)
        ticket_rows.append(ticket_row)
        instances = judges.merge(result.instances, olds.get(ticket_id, {}))
        instance_rows.extend(
            instance_values(i, ticket_row, engine.config.calendars) for i in instances
        )
        if entry.last_key is None or entry.last_key[0] <= now:
            outcome.states.append((ticket_id, entry))
    bulk_insert(conn, TICKETS, ticket_rows, conflict=("id", _TICKET_COLUMNS))
    outcome.instances_written = replace_instances(conn, ordered, instance_rows)
    return outcome


def _by_ticket(known: Mapping[str, Event]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    for event in sorted(known.values(), key=lambda e: e.sort_key):
        out[event.ticket].append(event)
    return out


def _warm_states(
    conn: Connection,
    engine: Engine,
    ticket_ids: Sequence[str],
    new_events: Mapping[str, list[Event]],
    now: datetime,
    cache: StateCache,
) -> dict[str, CachedState]:
    """The cached states that can be continued, by ticket (taken out of the cache)."""
    taken = {t: e for t in ticket_ids if (e := cache.take(t)) is not None}
    stored: dict[str, int] = {}
    for part in chunks(sorted(taken)):
        counted = conn.execute(
            select(EventRow.ticket_id, func.count())
            .where(one_of(conn, EventRow.ticket_id, part))
            .group_by(EventRow.ticket_id)
        )
        stored.update({ticket_id: int(n) for ticket_id, n in counted})
    return {
        ticket_id: entry
        for ticket_id, entry in taken.items()
        if entry.can_continue(engine, new_events.get(ticket_id, []), stored.get(ticket_id, 0), now)
    }


def _continue(entry: CachedState, new: Sequence[Event]) -> None:
    """Feed the new events to the state and to each earlier version's state kept beside it."""
    for event in new:
        entry.engine.feed(entry.state, event)
        for old_engine, old_state in entry.olds.values():
            old_engine.feed(old_state, event)
        entry.event_count += 1
        entry.last_key = event.sort_key


def _replayed(engine: Engine, events: Sequence[Event], now: datetime) -> CachedState:
    """The ticket's state after all its events (``run`` skips those after ``now``)."""
    state = engine.run(events, now)
    last = max((e.sort_key for e in events), default=None)
    return CachedState(engine, state, len(events), last)


def _earlier_versions(
    conn: Connection,
    judges: Judges,
    entries: Mapping[str, CachedState],
    results: Mapping[str, Any],
    events: dict[str, list[Event]],
    known: Mapping[str, Event] | None,
    now: datetime,
) -> dict[str, dict[int, list[Any]]]:
    """For tickets with instances stopped before the current version began: the
    instances of each earlier version that judges them, as of ``now``.

    Those versions' engine states are kept on the cache entry beside the current
    one (continued with the same events), so only a ticket that needs a version it
    has no state for is replayed, loading its events if it was continued.
    """
    needs = {t: judges.needed(r.instances) for t, r in results.items()}
    for ticket_id, versions in needs.items():
        kept = entries[ticket_id].olds
        entries[ticket_id].olds = {
            v: kept[v] for v in versions if v in kept and kept[v][0] is judges.engine_of(v)
        }
    lacking = [t for t, vs in needs.items() if set(vs) - set(entries[t].olds) and t not in events]
    if lacking:
        events.update(load_events(conn, lacking, known))
    out: dict[str, dict[int, list[Any]]] = {}
    for ticket_id, versions in needs.items():
        if not versions:
            continue
        entry = entries[ticket_id]
        for version in versions - set(entry.olds):
            engine = judges.engine_of(version)
            entry.olds[version] = (engine, engine.run(events.get(ticket_id, []), now))
        out[ticket_id] = {
            v: engine.result(state, now, schedule=False).instances
            for v, (engine, state) in entry.olds.items()
        }
    return out


def replace_instances(
    conn: Connection, ticket_ids: Sequence[str], rows: Sequence[dict[str, Any]]
) -> int:
    """Make these tickets' instance rows exactly ``rows``, touching only what changed.

    A row whose ``digest`` (of every stored value) is unchanged is left alone, so a
    new event rewrites the one or two clocks it moved, not the ticket's history.
    """
    stored: dict[tuple[str, str, str, int], tuple[int, str]] = {}
    for part in chunks(ticket_ids):
        found = conn.execute(
            select(
                InstanceRow.ticket_id, InstanceRow.kind, InstanceRow.metric,
                InstanceRow.cycle, InstanceRow.pk, InstanceRow.digest,
            ).where(one_of(conn, InstanceRow.ticket_id, part))
        )  # fmt: skip
        stored.update({(t, k, m, c): (pk, d) for t, k, m, c, pk, d in found})
    fresh: list[dict[str, Any]] = []
    stale: list[int] = []
    for row in rows:
        old = stored.pop((row["ticket_id"], row["kind"], row["metric"], row["cycle"]), None)
        if old is not None and old[1] == row["digest"]:
            continue
        if old is not None:
            stale.append(old[0])  # changed: replaced by the fresh row
        fresh.append(row)
    stale.extend(pk for pk, _ in stored.values())  # instances that no longer exist
    for pks in chunks(stale):
        conn.execute(delete(InstanceRow).where(one_of(conn, InstanceRow.pk, pks)))
    copy_rows(conn, INSTANCES, fresh)
    return len(fresh)


_TICKET_COLUMNS = (
    "created",
    "deleted",
    "status",
    "priority",
    "group_id",
    "assignee",
    "customer_id",
    "customer_plan",
    "subject",
    "created_at",
    "next_change_at",
    "projected_at",
    "fields",
)


def ticket_values(
    ticket_id: str, result: Any, created_at: datetime | None, now: datetime
) -> dict[str, Any]:
    """The ticket row for a replay result."""
    fields: Mapping[str, Any] = result.fields or {}
    customer = fields.get("customer")
    customer = customer if isinstance(customer, Mapping) else {}
    values = {
        "created": bool(result.created),
        "deleted": bool(result.deleted),
        "status": _text(fields.get("status")),
        "priority": _text(fields.get("priority")),
        "group_id": _text(fields.get("group")),
        "assignee": _text(fields.get("assignee")),
        "customer_id": _text(customer.get("id")),
        "customer_plan": _text(customer.get("plan")),
        "subject": _text(fields.get("subject")),
        "created_at": created_at,
        "next_change_at": result.next_change_at,
        "projected_at": now,
        "fields": dict(fields) if result.fields is not None else None,
    }
    values["id"] = ticket_id
    return values


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def instance_values(
    inst: Any, ticket_row: Mapping[str, Any], calendars: Mapping[str, Calendar]
) -> dict[str, Any]:
    """An instance row: the engine's values, the instant a running one turns breached,
    and the ticket fields the queue filters on."""
    is_open = inst.stopped_at is None and inst.state != "cancelled"
    row = {
        "ticket_id": inst.ticket,
        "kind": inst.kind,
        "metric": inst.metric,
        "cycle": inst.cycle,
        "policy": inst.policy,
        "policy_version": inst.policy_version,
        "calendar": inst.calendar,
        "state": inst.state,
        "open": is_open,
        "breached": bool(inst.breached),
        "goal_breached": inst.goal_breached,
        "started_at": inst.started_at,
        "due_at": inst.due_at,
        "goal_due_at": inst.goal_due_at,
        "stopped_at": inst.stopped_at,
        "breached_at": inst.breached_at,
        "overdue_from": _overdue_from(inst, calendars),
        "target_seconds": inst.target_seconds,
        "goal_seconds": inst.goal_seconds,
        "elapsed_seconds": inst.elapsed_seconds,
        "paused_seconds": inst.paused_seconds,
        "remaining_seconds": inst.remaining_seconds,
        "sort_key": sort_key(inst.due_at, inst.remaining_seconds),
        "group_id": ticket_row["group_id"],
        "assignee": ticket_row["assignee"],
        "customer_id": ticket_row["customer_id"],
        "customer_plan": ticket_row["customer_plan"],
        "priority": ticket_row["priority"],
        "subject": ticket_row["subject"],
        "json": inst.to_json(),
    }
    row["digest"] = digest(row)
    return row


def _overdue_from(inst: Any, calendars: Mapping[str, Calendar]) -> datetime | None:
    """A running clock's breach instant (:func:`overdue_from`); None for any other."""
    if inst.state != "running" or inst.due_at is None:
        return None
    calendar = calendars.get(inst.calendar)
    return inst.due_at if calendar is None else overdue_from(calendar, inst.due_at)


#: The instance row's values that its replay JSON does not already determine.
_DIGEST_EXTRA = ("group_id", "assignee", "customer_id", "customer_plan", "priority", "subject")


def digest(row: Mapping[str, Any]) -> str:
    """A short fingerprint of every value of an instance row.

    The replay JSON determines all the clock's columns (``open`` and ``sort_key``
    derive from it); the copied ticket fields are added.
    """
    values = (*row["json"].values(), *(row[name] for name in _DIGEST_EXTRA))
    return hashlib.blake2b(repr(values).encode(), digest_size=8).hexdigest()


def sort_key(due_at: datetime | None, remaining_seconds: float | None) -> int:
    """Queue order without "now": by due_at; clocks with no due_at after all others."""
    if due_at is not None:
        return int(due_at.timestamp())
    return PAUSED_SORT_BASE + int(remaining_seconds or 0)
