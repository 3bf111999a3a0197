"""The engine: a ticket's events in, its instances out.

One path: :meth:`Engine.run` applies a ticket's events in ``(at, arrival order)``
order with :meth:`Engine.feed`, and :meth:`Engine.result` reads the state as of an
instant. ``slaclock replay`` runs it per ticket; the service runs it too, and feeds a
cached state the next event when that event comes after every event fed
(:mod:`slaclock.service.state_cache`), which is the same computation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slaclock.core.engine.breach import overdue_from
from slaclock.core.engine.clock import Clock
from slaclock.core.engine.compiled import CompiledConfig
from slaclock.core.engine.instance import Instance
from slaclock.core.engine.schedule import Due, clock_dues
from slaclock.core.engine.state import TicketState, apply_event
from slaclock.core.engine.ticket import copy_json
from slaclock.core.events import Event
from slaclock.core.model import Config

if TYPE_CHECKING:
    from slaclock.core.engine.explain import Explanation

__all__ = ["Engine", "TicketResult", "cross_ticket_repeats", "dedupe_sorted"]


@dataclass(frozen=True)
class TicketResult:
    """A ticket's instances (sorted kind, metric, cycle) and fields as of some instant."""

    ticket_id: str
    created: bool
    deleted: bool
    fields: dict[str, Any] | None
    instances: list[Instance]
    next_change_at: datetime | None
    dues: list[Due] = field(default_factory=list, compare=False)


def cross_ticket_repeats(events: Sequence[Event]) -> dict[str, set[int]]:
    """Events whose id was first seen on *another* ticket: ticket -> their ``seq``.

    An event id is unique across the whole stream (events.md): an event whose id was
    seen before is ignored, even when it names a different ticket — the service's
    event log refuses it the same way. The lowest ``seq`` (arrival order) is the one
    seen first. Repeats within one ticket are left to the ticket's own replay.
    """
    owner: dict[str, tuple[int, str]] = {}
    for event in events:
        seen = owner.get(event.id)
        if seen is None or event.seq < seen[0]:
            owner[event.id] = (event.seq, event.ticket)
    drops: dict[str, set[int]] = {}
    for event in events:
        if owner[event.id][1] != event.ticket:
            drops.setdefault(event.ticket, set()).add(event.seq)
    return drops


def dedupe_sorted(events: Iterable[Event]) -> list[Event]:
    """Events without repeated ids (the first arrival wins), in ``(at, seq)`` order."""
    first: dict[str, Event] = {}
    for event in events:
        kept = first.get(event.id)
        if kept is None or event.seq < kept.seq:
            first[event.id] = event
    return sorted(first.values(), key=lambda e: (e.at, e.seq))


class Engine:
    """SLA clocks for one configuration. Pure: every instant is passed in."""

    __slots__ = ("compiled", "config")

    def __init__(self, config: Config, exhaustive: bool = False) -> None:
        """``exhaustive``: skip no work on any event (slow; the tests' reference)."""
        self.config = config
        self.compiled = CompiledConfig(config, exhaustive)

    # ------------------------------------------------------------------ replay

    def replay_ticket(self, events: Iterable[Event], as_of: datetime) -> TicketResult:
        """The events of ONE ticket in any order; duplicates and events after as_of ignored."""
        state = self.run(events, as_of)
        return self.result(state, as_of)

    def run(self, events: Iterable[Event], as_of: datetime, tracing: bool = False) -> TicketState:
        """A ticket's state after its events up to ``as_of`` (inclusive)."""
        everything = dedupe_sorted(events)
        ordered = [e for e in everything if e.at <= as_of]
        state = TicketState(everything[0].ticket if everything else "", tracing)
        for event in ordered:
            self.feed(state, event)
        return state

    def feed(self, state: TicketState, event: Event) -> None:
        """Apply the next event in order; hold events until their ticket exists."""
        if not state.created and event.type != "ticket.created":
            if state.pending is None:
                state.pending = []
            state.pending.append(event)
            state.mark_last(event)
            return
        apply_event(self.compiled, state, event, event.at)
        if state.pending and state.created:
            held, state.pending = state.pending, None
            created_at = state.created_at
            assert created_at is not None
            for early in held:  # applied right after creation, at the creation instant
                apply_event(self.compiled, state, early, max(early.at, created_at))
            state.mark_last(event)

    def instances(self, state: TicketState, as_of: datetime) -> list[Instance]:
        """Just the instances as of ``as_of`` (sorted kind, metric, cycle)."""
        return [clock.render(state.ticket_id, as_of) for clock in reported_clocks(state)]

    def result(self, state: TicketState, as_of: datetime, schedule: bool = True) -> TicketResult:
        """Read the state as of ``as_of``: instances, dues and the next timed change."""
        clocks = reported_clocks(state)
        instances = [c.render(state.ticket_id, as_of) for c in clocks]
        dues: list[Due] = []
        upcoming: list[datetime] = []
        if schedule:
            for clock, inst in zip(clocks, instances, strict=True):
                if clock.ended is None and inst.due_at is not None and not clock.open_paused:
                    dues.extend(clock_dues(state.ticket_id, clock, inst.due_at, state.fields or {}))
                    upcoming.extend(
                        _turns_breached(clock, t) for t in (inst.due_at, inst.goal_due_at) if t
                    )
            upcoming.extend(d.fire_at for d in dues)
        later = [t for t in upcoming if t > as_of]
        return TicketResult(
            ticket_id=state.ticket_id,
            created=state.created,
            deleted=state.deleted,
            fields=copy_json(state.fields) if state.fields is not None else None,
            instances=instances,
            next_change_at=min(later) if later else None,
            dues=dues,
        )

    def schedule(self, result: TicketResult) -> list[Due]:
        """Reminders and escalations of the result's running instances, for the notifier."""
        return list(result.dues)

    def explain_ticket(self, events: Iterable[Event], as_of: datetime) -> Explanation:
        """Which policies were tried and what happened to each instance, and why."""
        from slaclock.core.engine.explain import explain_ticket

        return explain_ticket(self, events, as_of)


def _turns_breached(clock: Clock, due: datetime) -> datetime:
    """When a running clock (or its goal) due at ``due`` first reads as breached: one
    second into the open time after it, the first whole second beyond the target."""
    assert clock.binding is not None
    return overdue_from(clock.binding.calendar, due) + timedelta(seconds=1)


def clock_order(clock: Clock) -> tuple[str, str, int, str]:
    """The order instances are reported in: kind, metric, cycle, then the OLA id."""
    return (clock.track.kind, clock.track.metric, clock.cycle, clock.track.owner)


def reported_clocks(state: TicketState) -> list[Clock]:
    """The ticket's visible clocks in the order instances are reported in."""
    return sorted(state.visible_clocks(), key=clock_order)
