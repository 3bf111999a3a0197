"""Replay a large event stream with compact per-ticket state instead of events.

The replay output is sorted by ticket, so no ticket can be printed before the input
ends; what we can choose is what to keep per ticket until then. We keep the engine's
:class:`~slaclock.core.engine.state.TicketState` (fields, a few clocks of segments)
plus one 8-byte hash per event id, never the events themselves: memory grows with the
number of tickets, not the number of events.

With ``parked`` (a mapping the caller provides, e.g. backed by a temporary file), a
ticket whose clocks have all stopped, or that had no event for a while, leaves memory
as bytes until another event for it arrives: memory then grows with the number of
recently active tickets, plus a few dozen bytes per parked ticket in the caller's
index.

The price is that a ticket whose events arrive out of time order, or repeat, cannot be
corrected from compact state. Such a ticket is set aside in :attr:`needs_history`; the
caller (``slaclock replay``) reads the input a second time for those tickets only and
hands their events to :meth:`Engine.replay_ticket`. In-order input never pays for it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import datetime, timedelta

import numpy as np

from slaclock.core.engine.engine import Engine, TicketResult
from slaclock.core.engine.instance import Instance
from slaclock.core.engine.park import Parking, is_quiet
from slaclock.core.engine.state import TicketState
from slaclock.core.events import Event

__all__ = ["StreamReplay", "cross_ticket_repeats"]


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


class StreamReplay:
    """Feed events in arrival order, then read every instance as of ``as_of``."""

    def __init__(
        self,
        engine: Engine,
        as_of: datetime,
        parked: MutableMapping[str, bytes] | None = None,
        resident: int = 150_000,
        idle_seconds: float = 2 * 86400,
    ) -> None:
        """``parked``: where tickets go as bytes (None: they stay in memory).

        Tickets are parked in sweeps, once more than ``resident`` tickets are in memory
        (and then whenever that count doubles): every quiet ticket (no clock runs), and
        every ticket without an event in the last ``idle_seconds`` of event time (a
        parked ticket's running clocks are read at the end like any other's). Sweeping
        rather than parking at once spares a pack and an unpack for the ticket that just
        went quiet and gets one more event soon (``closed``).
        """
        self.engine = engine
        self.as_of = as_of
        self.states: dict[str, TicketState] = {}
        self.needs_history: set[str] = set()
        self.parked = parked
        self._parking = Parking(engine.compiled)
        self._sweep_at = resident
        self._idle = timedelta(seconds=idle_seconds)
        self._newest: datetime | None = None
        #: One 8-byte hash per event id of the whole stream, for :meth:`repeated_id_hashes`.
        self._all_ids = array("q")

    def feed(self, event: Event) -> None:
        """Apply one event; events after ``as_of`` count for nothing."""
        ticket, at, seq = event.ticket, event.at, event.seq
        digest = hash(event.id)
        self._all_ids.append(digest)
        if at > self.as_of or ticket in self.needs_history:
            return
        state = self.states.get(ticket)
        if state is None:
            state = self._unpark(ticket)
        if state is None:
            state = self.states[ticket] = TicketState(ticket)
            state.ids = array("q")
            state.keep = self.engine.compiled.field_filter
        last = state.last_key
        if (
            last is not None and (at < last[0] or (at == last[0] and seq < last[1]))
        ) or digest in state.ids:
            # Out of order or (possibly) repeated: only the full history can say.
            self.needs_history.add(ticket)
            del self.states[ticket]
            return
        state.ids.append(digest)
        self.engine.feed(state, event)
        newest = self._newest
        if newest is None or at > newest:
            self._newest = newest = at
        if self.parked is not None and len(self.states) >= self._sweep_at:
            self._sweep(self.parked, newest - self._idle)

    def repeated_id_hashes(self) -> set[int]:
        """Hashes of ids fed more than once (a superset of the real repeats: hashes of
        different ids may collide). The caller checks them against the ids on a second
        read (:func:`cross_ticket_repeats`)."""
        hashes = np.sort(np.frombuffer(self._all_ids, dtype=np.int64))
        if len(hashes) < 2:
            return set()
        return {int(h) for h in np.unique(hashes[1:][hashes[1:] == hashes[:-1]])}

    def replay_in_full(self, tickets: Iterable[str]) -> None:
        """Set ``tickets`` aside for a replay from their full history (see
        :attr:`needs_history`), whatever compact state they had."""
        for ticket_id in tickets:
            self.states.pop(ticket_id, None)
            if self.parked is not None:
                self.parked.pop(ticket_id, None)
            self.needs_history.add(ticket_id)

    def _sweep(self, parked: MutableMapping[str, bytes], idle_before: datetime) -> None:
        """Park quiet and idle tickets; memory keeps the recently active ones."""
        leaving = [
            ticket_id for ticket_id, state in self.states.items() if _can_leave(state, idle_before)
        ]
        for ticket_id in leaving:
            parked[ticket_id] = self._parking.pack(self.states.pop(ticket_id))
        self._sweep_at = max(self._sweep_at, 2 * len(self.states))

    def _unpark(self, ticket_id: str) -> TicketState | None:
        if self.parked is None or ticket_id not in self.parked:
            return None
        state = self._parking.unpack(self.parked.pop(ticket_id))
        self.states[ticket_id] = state
        return state

    def instances(self, replayed: Mapping[str, TicketResult] | None = None) -> Iterator[Instance]:
        """Every instance, sorted by ticket; ``replayed`` covers :attr:`needs_history`."""
        replayed = replayed or {}
        missing = self.needs_history - set(replayed)
        if missing:
            raise ValueError(f"tickets need their full history: {sorted(missing)[:5]}")
        parked = self.parked if self.parked is not None else {}
        # The three key sets are disjoint: a sorted list of them, not a union set.
        for ticket_id in sorted([*self.states, *parked, *replayed]):
            if ticket_id in replayed:
                yield from replayed[ticket_id].instances
                continue
            state = self.states.get(ticket_id)
            if state is None:
                state = self._parking.unpack(parked[ticket_id])
            yield from self.engine.instances(state, self.as_of)


def _can_leave(state: TicketState, idle_before: datetime) -> bool:
    if state.pending or not state.created:
        return False  # held events are Event objects; they stay until creation
    return is_quiet(state) or (state.last_key is not None and state.last_key[0] < idle_before)
