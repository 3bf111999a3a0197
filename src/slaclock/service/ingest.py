"""Ingesting events: validate, deduplicate, store, and project — in one transaction.

A batch is validated event by event, completely — down to what the store can keep
(``check_storable``) — so a reject never blocks the rest; then in ONE
write transaction: the batch's tickets are locked in sorted order, the events are
inserted with ``ON CONFLICT (id) DO NOTHING`` (so an id seen before, even from a
concurrent request, is a duplicate, never a second row), and each ticket that got
a new event is re-projected once. Only after that commits does the result say
"accepted": an accepted event is durable and already reflected in the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slaclock.core.errors import EventError
from slaclock.core.event_checks import check_storable
from slaclock.core.events import Event, parse_event
from slaclock.service.projection import Projected, project_tickets
from slaclock.service.state_cache import StateCache
from slaclock.store.database import Database, Tx
from slaclock.store.events import with_seq

if TYPE_CHECKING:
    from slaclock.service.history import Judges

#: The engines that judge as of ``now``, read inside the transaction.
JudgesIn = Callable[[Tx, datetime], "Judges"]

MAX_BATCH_EVENTS = 10_000


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


def validate(objs: Sequence[Any], result: IngestResult) -> list[_Valid]:
    """Parse each event; rejects and in-batch repeats go straight into ``result``."""
    valid: list[_Valid] = []
    seen: set[str] = set()
    for index, obj in enumerate(objs):
        try:
            event = parse_event(obj)
            check_storable(obj)
        except (EventError, TypeError, ValueError) as exc:
            result.rejected.append({"index": index, "id": _raw_id(obj), "reason": str(exc)})
            continue
        if event.id in seen:
            result.duplicates.append({"index": index, "id": event.id})
            continue
        seen.add(event.id)
        valid.append(_Valid(index, event, obj))
    return valid


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
) -> IngestResult:
    """Store and project a batch of raw event objects (dicts from JSON)."""
    if len(objs) > MAX_BATCH_EVENTS:
        raise EventError(f"a batch holds at most {MAX_BATCH_EVENTS} events, not {len(objs)}")
    result = IngestResult()
    valid = validate(objs, result)
    if valid:
        inserted, projected = db.writing(lambda tx: _store(tx, judges_in, valid, now, cache))
        if cache is not None and projected is not None:
            cache.put_all(projected.states)  # committed: the states match the log
        for item in valid:
            entry = {"index": item.index, "id": item.event.id}
            (result.accepted if item.event.id in inserted else result.duplicates).append(entry)
    for bucket in (result.accepted, result.duplicates):
        bucket.sort(key=lambda e: e["index"])
    return result


def _store(
    tx: Tx,
    judges_in: JudgesIn,
    valid: Sequence[_Valid],
    now: datetime,
    cache: StateCache | None,
) -> tuple[dict[str, int], Projected | None]:
    """Lock the batch's tickets, append its events, project the tickets that got one.

    The events go in after the locks are taken and the log is read after that, so
    whichever transaction projects a ticket last has seen every committed event of it.
    """
    placed = tx.locks.tickets([v.event.ticket for v in valid])
    inserted = tx.events.append([(v.event, v.body) for v in valid], now)
    known = {
        v.event.id: with_seq(v.event, inserted[v.event.id]) for v in valid if v.event.id in inserted
    }
    touched = sorted({e.ticket for e in known.values()})
    # A duplicate (an id stored before) naming another ticket must not leave a row for
    # that ticket: a ticket exists from its first stored event, not from a repeat.
    tx.tickets.drop(list(placed - set(touched)))
    if not inserted:
        return inserted, None
    return inserted, project_tickets(tx, judges_in(tx, now), touched, now, known, cache)
