"""The projection: tickets' current fields and SLA instances, recomputed from the log.

The rule is simple and makes the projection equal a replay by construction: to
project a ticket, load ALL its events (ordered by ``at``, then arrival ``seq``) and
replay them with the engine as of "now" (an instance that stopped under an earlier
configuration version judged by that version: :mod:`slaclock.service.history`);
then replace the ticket's instance rows
and update its ticket row. A late, out-of-order event therefore just re-projects
its ticket. Callers hold the ticket rows locked (``tx.locks.tickets``) so two
projections of one ticket never interleave, and they read the configuration
after taking the locks, so a configuration change applied meanwhile is seen.
This module decides what is projected; :mod:`slaclock.store.tickets` and
:mod:`slaclock.store.instances` write it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slaclock.core.calendar import Calendar
from slaclock.core.engine import overdue_from
from slaclock.core.engine.engine import dedupe_sorted
from slaclock.core.engine.state import TicketState
from slaclock.core.events import Event
from slaclock.service.judged_fields import FieldHistory, judgement_instant
from slaclock.service.planning import plan
from slaclock.service.state_cache import CachedState, StateCache
from slaclock.store.database import Tx
from slaclock.store.instances import instance_row
from slaclock.store.tickets import TicketRecord

if TYPE_CHECKING:
    from slaclock.core.engine import Engine
    from slaclock.service.history import Judges


@dataclass
class Projected:
    """What a projection wrote, and the engine states it leaves for the cache."""

    instances_written: int = 0
    states: list[tuple[str, CachedState]] = field(default_factory=list)


def project_tickets(
    tx: Tx,
    judges: Judges,
    ticket_ids: Sequence[str],
    now: datetime,
    known: Mapping[str, Event] | None = None,
    cache: StateCache | None = None,
    stored_counts: Mapping[str, int] | None = None,
) -> Projected:
    """Replay these (locked) tickets as of ``now`` and store the result.

    ``judges``: the configuration versions as of ``now`` (an instance that stopped
    under an earlier version is judged by it, see :mod:`slaclock.service.history`).
    ``known``: this batch's new events (with their stored ``seq``). With a
    ``cache``, a ticket whose cached state provably matches its log is continued
    from that state instead of replayed (see :mod:`slaclock.service.state_cache`);
    the states to cache are returned, for the caller to keep once committed.
    ``stored_counts``: how many events each ticket holds, ``known`` included, when the
    caller has counted them already (else they are counted here, for the cache).
    """
    engine = judges.engine
    ordered = sorted(set(ticket_ids))
    new_events = _by_ticket(known or {})
    warm = _warm_states(tx, engine, ordered, new_events, now, cache, stored_counts) if cache else {}
    events = tx.events.load([t for t in ordered if t not in warm], known)
    entries: dict[str, CachedState] = {}
    for ticket_id in ordered:
        entry = warm.get(ticket_id)
        if entry is not None:
            _continue(entry, new_events.get(ticket_id, []))
        else:
            entry = _replayed(engine, events.get(ticket_id, []), now)
        entries[ticket_id] = entry
    results = {t: engine.result(entry.state, now) for t, entry in entries.items()}
    olds = _earlier_versions(tx, judges, entries, results, events, known, now)
    outcome = Projected()
    tickets: list[TicketRecord] = []
    instance_rows: list[dict[str, Any]] = []
    patched: list[str] = []
    gone: list[tuple[str, str, str, int]] = []
    calendars = engine.config.calendars
    for ticket_id, entry in entries.items():
        result = results[ticket_id]
        ticket = ticket_record(ticket_id, result, entry.state.created_at, now)
        tickets.append(ticket)
        merged = judges.merge(result.instances, olds.get(ticket_id, {}))
        stored = entry.stored_rows if ticket_id in warm else None
        if stored is not None and entry.stored_copies != ticket.copies():
            stored = None  # the rows copy a ticket field that changed: all rewritten
        shown = _rows_to_write(merged, stored, ticket, entry.history, calendars, instance_rows)
        if stored is not None:
            patched.append(ticket_id)
            gone.extend((ticket_id, *key) for key in stored.keys() - shown.keys())
        entry.stored_rows, entry.stored_copies = shown, ticket.copies()
        if entry.last_key is None or entry.last_key[0] <= now:
            outcome.states.append((ticket_id, entry))
    tx.tickets.write(tickets)
    plan(tx, {t: r.dues for t, r in results.items()}, _policy_versions(engine), now)
    in_place = set(patched)
    whole = [t for t in ordered if t not in in_place]
    fresh = [row for row in instance_rows if row["ticket_id"] not in in_place]
    changed = [row for row in instance_rows if row["ticket_id"] in in_place]
    outcome.instances_written = tx.instances.replace(whole, fresh)
    outcome.instances_written += tx.instances.patch(changed, gone)
    return outcome


def _policy_versions(engine: Engine) -> dict[str, int]:
    config = engine.config
    versions = {policy.id: policy.version for policy in config.policies}
    versions.update({ola.id: ola.version for ola in config.olas})
    return versions


def _rows_to_write(
    instances: Sequence[Any],
    stored: Mapping[tuple[str, str, int], tuple[Any, str]] | None,
    ticket: TicketRecord,
    history: FieldHistory,
    calendars: Mapping[str, Calendar],
    out: list[dict[str, Any]],
) -> dict[tuple[str, str, int], tuple[Any, str]]:
    """Append to ``out`` the rows of ``instances`` that differ from ``stored`` (all of
    them without it); return every instance by key with its row's digest.

    An ended clock renders the very same instance object each time, so an instance
    that ``is`` the stored one has an unchanged row: a ticket of thousands of cycles
    writes only the clocks an event moved, without reading or digesting the rest.
    """
    shown: dict[tuple[str, str, int], tuple[Any, str]] = {}
    for inst in instances:
        key = (inst.kind, inst.metric, inst.cycle)
        before = stored.get(key) if stored is not None else None
        if before is not None and before[0] is inst:
            shown[key] = before
            continue
        judged = history.at(judgement_instant(inst))
        row = instance_row(inst, ticket, _overdue_from(inst, calendars), is_open(inst), judged)
        out.append(row)
        shown[key] = (inst, row["digest"])
    return shown


def _by_ticket(known: Mapping[str, Event]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    for event in sorted(known.values(), key=lambda e: e.sort_key):
        out[event.ticket].append(event)
    return out


def _warm_states(
    tx: Tx,
    engine: Engine,
    ticket_ids: Sequence[str],
    new_events: Mapping[str, list[Event]],
    now: datetime,
    cache: StateCache,
    stored_counts: Mapping[str, int] | None,
) -> dict[str, CachedState]:
    """The cached states that can be continued, by ticket (taken out of the cache)."""
    taken = {t: e for t in ticket_ids if (e := cache.take(t)) is not None}
    stored = stored_counts if stored_counts is not None else tx.events.counts(list(taken))
    return {
        ticket_id: entry
        for ticket_id, entry in taken.items()
        if entry.can_continue(engine, new_events.get(ticket_id, []), stored.get(ticket_id, 0), now)
    }


def _continue(entry: CachedState, new: Sequence[Event]) -> None:
    """Feed the new events to the state and to each earlier version's state kept beside it."""
    for event in new:
        entry.engine.feed(entry.state, event)
        entry.history.note(event.at, entry.state.fields)
        for old_engine, old_state in entry.olds.values():
            old_engine.feed(old_state, event)
        entry.event_count += 1
        entry.last_key = event.sort_key


def _replayed(engine: Engine, events: Sequence[Event], now: datetime) -> CachedState:
    """The ticket's state after all its events up to ``now``: ``Engine.run``'s loop,
    written out so the ticket's fields after each event go into its history."""
    everything = dedupe_sorted(events)
    state = TicketState(everything[0].ticket if everything else "")
    history = FieldHistory()
    for event in everything:
        if event.at <= now:
            engine.feed(state, event)
            history.note(event.at, state.fields)
    last = max((e.sort_key for e in events), default=None)
    return CachedState(engine, state, len(events), last, history=history)


def _earlier_versions(
    tx: Tx,
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
        events.update(tx.events.load(lacking, known))
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


def ticket_record(
    ticket_id: str, result: Any, created_at: datetime | None, now: datetime
) -> TicketRecord:
    """The ticket row for a replay result: the fields the queue and the pages show,
    copied out of the engine's current fields."""
    fields: Mapping[str, Any] = result.fields or {}
    customer = fields.get("customer")
    customer = customer if isinstance(customer, Mapping) else {}
    return TicketRecord(
        id=ticket_id,
        created=bool(result.created),
        deleted=bool(result.deleted),
        status=_text(fields.get("status")),
        priority=_text(fields.get("priority")),
        group=_text(fields.get("group")),
        assignee=_text(fields.get("assignee")),
        customer=_text(customer.get("id")),
        plan=_text(customer.get("plan")),
        subject=_text(fields.get("subject")),
        customer_name=_text(customer.get("name")),
        created_at=created_at,
        next_change_at=result.next_change_at,
        projected_at=now,
        fields=dict(fields) if result.fields is not None else None,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def is_open(inst: Any) -> bool:
    """An open clock (the queue's) has not stopped and was not cancelled."""
    return inst.stopped_at is None and inst.state != "cancelled"


def _overdue_from(inst: Any, calendars: Mapping[str, Calendar]) -> datetime | None:
    """A running clock's breach instant (:func:`overdue_from`: the first open instant of
    its calendar at or after ``due_at``); None for any other clock."""
    if inst.state != "running" or inst.due_at is None:
        return None
    calendar = calendars.get(inst.calendar)
    return inst.due_at if calendar is None else overdue_from(calendar, inst.due_at)
