"""Ingesting events: validate, deduplicate, store, and project — in one transaction.

A batch is validated event by event, completely — down to what the store can keep
(``check_storable``), no instant more than :data:`DEFAULT_FUTURE_SKEW` ahead of the server's
clock, no id in the service's own namespace, no ``/`` in a ticket id (it is a path
segment of the API) — so a reject never blocks the rest; then in ONE
write transaction: the batch's tickets are locked in sorted order, the events are
inserted with ``ON CONFLICT (id) DO NOTHING`` (so an id seen before, even from a
concurrent request, is a duplicate, never a second row), and each ticket that got
a new event is re-projected once. Only after that commits does the result say
"accepted": an accepted event is durable and already reflected in the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slaclock.core.durations import format_duration
from slaclock.core.errors import EventError
from slaclock.core.event_checks import check_storable
from slaclock.core.events import Event, format_instant, parse_event
from slaclock.service.agent_actions import RESERVED_ID_PREFIX, is_reserved_id
from slaclock.service.projection import Projected, project_tickets
from slaclock.service.state_cache import StateCache
from slaclock.store.database import Database, Tx
from slaclock.store.events import with_seq

if TYPE_CHECKING:
    from slaclock.service.history import Judges

#: The engines that judge as of ``now``, read inside the transaction.
JudgesIn = Callable[[Tx, datetime], "Judges"]

MAX_BATCH_EVENTS = 10_000
#: Events one ticket may hold (``SLACLOCK_MAX_TICKET_EVENTS``). A real ticket has tens
#: of events, a long one hundreds (Zendesk stops a ticket at 5,000 comments); a late
#: event replays its ticket, so the limit bounds what one ticket can cost the service.
DEFAULT_MAX_TICKET_EVENTS = 10_000
#: How far ahead of the server's clock an event may be dated: clocks of senders drift,
#: but an event from the future would stop or start a clock before it happened.
DEFAULT_FUTURE_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Origin:
    """Who sent events: ``source`` is the sender's token id (stored with each event and
    shown in the ticket's timeline); ``server_stamped`` events were made by the server
    (an agent's action), whose ids are in the service's own namespace."""

    source: str | None = None
    server_stamped: bool = False


UNKNOWN_ORIGIN = Origin()
#: Events the service writes itself (escalation actions): their source reads "slaclock".
SERVICE_ORIGIN = Origin(source="slaclock", server_stamped=True)


@dataclass
class IngestResult:
    """What became of each event of a request, by its index in the request."""

    accepted: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


@dataclass(frozen=True)
class _Valid:
    index: int
    event: Event
    body: Mapping[str, Any]
    source: str | None


@dataclass(frozen=True)
class Limits:
    """What the service accepts beyond the event format."""

    max_ticket_events: int = DEFAULT_MAX_TICKET_EVENTS
    future_skew: timedelta = DEFAULT_FUTURE_SKEW


def validate(
    objs: Sequence[Any],
    result: IngestResult,
    now: datetime,
    origins: Sequence[Origin | None] | None = None,
    future_skew: timedelta = DEFAULT_FUTURE_SKEW,
) -> list[_Valid]:
    """Parse each event; rejects and in-batch repeats go straight into ``result``."""
    valid: list[_Valid] = []
    seen: set[str] = set()
    latest = now + future_skew
    for index, obj in enumerate(objs):
        origin = (origins[index] if origins is not None else None) or UNKNOWN_ORIGIN
        try:
            event = parse_event(obj)
            check_storable(obj)
            _check_service_rules(event, origin, latest, future_skew)
        except (EventError, TypeError, ValueError) as exc:
            result.rejected.append({"index": index, "id": _raw_id(obj), "reason": str(exc)})
            continue
        if event.id in seen:
            result.duplicates.append({"index": index, "id": event.id})
            continue
        seen.add(event.id)
        valid.append(_Valid(index, event, obj, origin.source))
    return valid


def _check_service_rules(event: Event, origin: Origin, latest: datetime, skew: timedelta) -> None:
    """What the service refuses beyond the event format (events.md)."""
    if event.at > latest:
        ahead = format_duration(skew.total_seconds())
        raise EventError(
            f"at: {format_instant(event.at)} is more than {ahead} ahead of "
            f"the server's clock ({format_instant(latest - skew)})"
        )
    if is_reserved_id(event.id) and not origin.server_stamped:
        raise EventError(f"id: ids starting {RESERVED_ID_PREFIX!r} are the service's own")
    if "/" in event.ticket:
        raise EventError(f"ticket: {event.ticket!r} has a '/', which no API path can name")


def _raw_id(obj: Any) -> str | None:
    """The id a rejected event gave, when it is text an answer can carry."""
    value = obj.get("id") if isinstance(obj, Mapping) else None
    if not isinstance(value, str):
        return None
    try:
        check_storable(value)
    except EventError:
        return None
    return value


def ingest(
    db: Database,
    judges_in: JudgesIn,
    objs: Sequence[Any],
    now: datetime,
    cache: StateCache | None = None,
    origins: Sequence[Origin | None] | None = None,
    limits: Limits = Limits(),
) -> IngestResult:
    """Store and project a batch of raw event objects (dicts from JSON); ``origins``,
    one per object, say who sent each (default: nobody named). An event dated more
    than ``limits.future_skew`` after ``now``, or that would take its ticket past
    ``limits.max_ticket_events``, is rejected."""
    if len(objs) > MAX_BATCH_EVENTS:
        raise EventError(f"a batch holds at most {MAX_BATCH_EVENTS} events, not {len(objs)}")
    result = IngestResult()
    valid = validate(objs, result, now, origins, limits.future_skew)
    if valid:
        limit = limits.max_ticket_events
        stored = db.writing(lambda tx: _store(tx, judges_in, valid, now, cache, limit))
        if cache is not None and stored.projected is not None:
            cache.put_all(stored.projected.states)  # committed: the states match the log
        _sort_into(result, valid, stored, limit)
    return result


def ingest_in(
    tx: Tx,
    judges_in: JudgesIn,
    objs: Sequence[Any],
    now: datetime,
    origins: Sequence[Origin | None] | None = None,
    limits: Limits = Limits(),
) -> IngestResult:
    """:func:`ingest` inside a transaction the caller holds (the notifier's actions,
    written with the fire that ran them): no state cache, committed with the caller."""
    result = IngestResult()
    valid = validate(objs, result, now, origins, limits.future_skew)
    if valid:
        stored = _store(tx, judges_in, valid, now, None, limits.max_ticket_events)
        _sort_into(result, valid, stored, limits.max_ticket_events)
    return result


def _sort_into(
    result: IngestResult, valid: Sequence[_Valid], stored: _Stored, max_ticket_events: int
) -> None:
    """Each stored event under accepted, duplicates or (over its ticket's limit)
    rejected, every list in request order."""
    for item in valid:
        entry = {"index": item.index, "id": item.event.id}
        if item.index in stored.over_limit:
            reason = (
                f"ticket {item.event.ticket!r} holds its limit of {max_ticket_events:,} "
                "events (SLACLOCK_MAX_TICKET_EVENTS)"
            )
            result.rejected.append({**entry, "reason": reason})
        elif item.event.id in stored.inserted:
            result.accepted.append(entry)
        else:
            result.duplicates.append(entry)
    for bucket in (result.accepted, result.duplicates, result.rejected):
        bucket.sort(key=lambda e: e["index"])


@dataclass
class _Stored:
    inserted: dict[str, int]  # id -> seq of the events stored now
    projected: Projected | None
    over_limit: set[int]  # indexes of events refused by the per-ticket limit


def _store(
    tx: Tx,
    judges_in: JudgesIn,
    valid: Sequence[_Valid],
    now: datetime,
    cache: StateCache | None,
    max_ticket_events: int,
) -> _Stored:
    """Lock the batch's tickets, append its events, project the tickets that got one.

    The events go in after the locks are taken and the log is read after that, so
    whichever transaction projects a ticket last has seen every committed event of it.
    """
    placed = tx.locks.tickets([v.event.ticket for v in valid])
    before = tx.events.counts(sorted({v.event.ticket for v in valid}))
    held = dict(before)
    over_limit: set[int] = set()
    kept: list[_Valid] = []
    for item in valid:
        count = held.get(item.event.ticket, 0)
        if count >= max_ticket_events:
            over_limit.add(item.index)
            continue
        held[item.event.ticket] = count + 1
        kept.append(item)
    inserted = tx.events.append([(v.event, v.body, v.source) for v in kept], now)
    known = {
        v.event.id: with_seq(v.event, inserted[v.event.id]) for v in kept if v.event.id in inserted
    }
    touched = sorted({e.ticket for e in known.values()})
    # A duplicate (an id stored before) naming another ticket must not leave a row for
    # that ticket: a ticket exists from its first stored event, not from a repeat.
    tx.tickets.drop(list(placed - set(touched)))
    if not inserted:
        return _Stored(inserted, None, over_limit)
    # The tickets are locked: what they hold now is what they held plus what went in.
    stored = dict(before)
    for event in known.values():
        stored[event.ticket] = stored.get(event.ticket, 0) + 1
    judges = judges_in(tx, now)
    projected = project_tickets(tx, judges, touched, now, known, cache, stored)
    return _Stored(inserted, projected, over_limit)
