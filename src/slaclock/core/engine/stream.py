"""Replay a large event stream with compact per-ticket state instead of events.

The replay output is sorted by ticket, so no ticket can be printed before the input
ends; what we can choose is what to keep per ticket until then. We keep the engine's
:class:`~slaclock.core.engine.state.TicketState` (fields, a few clocks of segments)
plus one 8-byte hash per event id, never the events themselves: memory grows with the
number of tickets, not the number of events.

The price is that a ticket whose events arrive out of time order, or repeat, cannot be
corrected from compact state. Such a ticket is set aside in :attr:`needs_history`; the
caller (``slaclock replay``) reads the input a second time for those tickets only and
hands their events to :meth:`Engine.replay_ticket`. In-order input never pays for it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from datetime import datetime

from slaclock.core.engine.engine import Engine, TicketResult
from slaclock.core.engine.instance import Instance
from slaclock.core.engine.state import TicketState
from slaclock.core.events import Event

__all__ = ["StreamReplay"]


class StreamReplay:
    """Feed events in arrival order, then read every instance as of ``as_of``."""

    def __init__(self, engine: Engine, as_of: datetime) -> None:
        self.engine = engine
        self.as_of = as_of
        self.states: dict[str, TicketState] = {}
        self.needs_history: set[str] = set()

    def feed(self, event: Event) -> None:
        """Apply one event; events after ``as_of`` count for nothing."""
        if event.at > self.as_of or event.ticket in self.needs_history:
            return
        state = self.states.get(event.ticket)
        if state is None:
            state = self.states[event.ticket] = TicketState(event.ticket)
            state.ids = array("q")
        digest = hash(event.id)
        late = state.last_key is not None and event.sort_key < state.last_key
        if late or digest in state.ids:
            # Out of order or (possibly) repeated: only the full history can say.
            self.needs_history.add(event.ticket)
            del self.states[event.ticket]
            return
        state.ids.append(digest)
        self.engine.feed(state, event)

    def instances(self, replayed: Mapping[str, TicketResult] | None = None) -> Iterator[Instance]:
        """Every instance, sorted by ticket; ``replayed`` covers :attr:`needs_history`."""
        replayed = replayed or {}
        missing = self.needs_history - set(replayed)
        if missing:
            raise ValueError(f"tickets need their full history: {sorted(missing)[:5]}")
        for ticket_id in sorted(self.states.keys() | replayed.keys()):
            if ticket_id in replayed:
                yield from replayed[ticket_id].instances
            else:
                state = self.states[ticket_id]
                yield from self.engine.instances(state, self.as_of)
